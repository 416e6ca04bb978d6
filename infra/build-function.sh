#!/usr/bin/env bash
# Package a Lambda function for SAM's makefile build method (template.yaml: BuildMethod: makefile):
# the code, the page templates, and the runtime dependencies that pyproject.toml declares, as
# wheels for the function's runtime and architecture (not this machine's).
#
#   infra/build-function.sh ARTIFACTS_DIR [--exclude PACKAGE]... [--extra NAME]...
#
# --extra adds an optional-dependency group of pyproject.toml (the PDF function: --extra pdf).
#
# Environment: PYTHON (3.11+, with pip; default python3), LAMBDA_PYTHON_VERSION (default 3.13),
# LAMBDA_ARCH (aarch64 for template.yaml's arm64, or x86_64).
set -euo pipefail

if [[ $# -lt 1 ]]; then
  echo "usage: $0 ARTIFACTS_DIR [--exclude PACKAGE]..." >&2
  exit 2
fi
artifacts=$1
shift
excludes=()
extras=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --exclude) excludes+=("$2"); shift 2 ;;
    --extra) extras="$extras,$2"; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
runtime=${LAMBDA_PYTHON_VERSION:-3.13}
arch=${LAMBDA_ARCH:-aarch64}

mkdir -p "$artifacts"
cp -R "$root/service" "$root/templates" "$artifacts/"
# The demo organisation and bytecode of this machine's Python have no place in a deployed function.
rm -rf "$artifacts/service/demo"
find "$artifacts/service" "$artifacts/templates" -name __pycache__ -type d -prune -exec rm -rf {} +

requirements=$(mktemp)
trap 'rm -f "$requirements"' EXIT
EXTRAS="$extras" "$python" - "$root/pyproject.toml" "${excludes[@]}" >"$requirements" <<'PY'
"""Print the project's runtime dependencies (plus the named extras), one a line, less the excluded ones."""
import os
import re
import sys
import tomllib

path, *excluded = sys.argv[1:]
with open(path, "rb") as f:
    project = tomllib.load(f)["project"]
dependencies = list(project["dependencies"])
for extra in filter(None, os.environ.get("EXTRAS", "").split(",")):
    dependencies += project["optional-dependencies"][extra]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


skip = {canonical(e) for e in excluded}
for dependency in dependencies:
    name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", dependency).group(0)
    if canonical(name) not in skip:
        print(dependency)
PY

echo "Installing for Python $runtime on $arch into $artifacts:" $(cat "$requirements")
"$python" -m pip install --quiet --upgrade --no-compile --no-warn-conflicts --root-user-action=ignore \
  --target "$artifacts" --requirement "$requirements" \
  --implementation cp --python-version "$runtime" --only-binary=:all: \
  --platform "manylinux2014_$arch" --platform "manylinux_2_28_$arch"

# Issue 24: Lambda cannot write a bytecode cache into the package, so a package without one compiles every module
# (and the web app every page template) from source at each cold start. The page templates are compiled by Jinja
# of the same version as the one shipped (web/precompiled.py), then everything is byte-compiled by a Python of the
# runtime's version; `unchecked-hash` because the package never changes once built.
compiler=${TEMPLATE_PYTHON:-$root/.venv/bin/python}
shipped=$(find "$artifacts" -maxdepth 1 -name 'jinja2-*.dist-info' | sed -E 's/.*jinja2-(.*)\.dist-info/\1/')
here=$("$compiler" -c 'import jinja2; print(jinja2.__version__)' 2>/dev/null || true)
if [[ -n "$shipped" && "$shipped" == "$here" ]]; then
  (cd "$root" && "$compiler" -m service.web.generated templates "$artifacts/templates_compiled")
else
  echo "warning: page templates not precompiled (Jinja ${shipped:-?} shipped, ${here:-none} in $compiler)" >&2
fi
bytecode=""
for candidate in "$python" "python$runtime"; do
  if command -v "$candidate" >/dev/null &&
    [[ $("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])') == "$runtime" ]]; then
    bytecode=$candidate
    break
  fi
done
if [[ -n "$bytecode" ]]; then
  "$bytecode" -m compileall -q -j 0 --invalidation-mode unchecked-hash "$artifacts" >/dev/null
else
  echo "warning: no Python $runtime here (PYTHON, python$runtime): the package ships without bytecode," \
    "so every cold start compiles it" >&2
fi
