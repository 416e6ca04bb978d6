#!/usr/bin/env bash
# Make sure the Debian packages the test suite needs are installed.
#   WeasyPrint (PDFs): libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
#   PDF checks in tests: poppler-utils (pdftotext, pdftoppm)
#   browser tests: chromium (driven by Playwright through /usr/bin/chromium; never `playwright install`)
# As root, missing packages are installed; otherwise the script names them and stops.
set -euo pipefail

PACKAGES=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils chromium)

if ! command -v dpkg-query >/dev/null 2>&1; then
  echo "ensure-system-packages: not a Debian system; make sure the equivalents of these are installed:" >&2
  echo "  ${PACKAGES[*]}" >&2
  exit 0
fi

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "installed" ]]; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "These Debian packages are needed by the tests and are not installed: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi

echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
