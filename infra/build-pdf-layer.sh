#!/usr/bin/env bash
# Build PdfLayer for SAM's makefile build method (template.yaml: PdfLayer, BuildMethod: makefile).
#
#   infra/build-pdf-layer.sh ARTIFACTS_DIR
#
# Two ways, chosen by PDF_LAYER_ZIP:
# - unset: the native libraries and fonts of infra/pdf-layer.Dockerfile, copied out of the image. Needs Docker
#   (or a compatible engine as DOCKER), and on an x86_64 machine arm64 emulation (binfmt/QEMU, as Docker Desktop
#   has; on Linux: docker run --privileged --rm tonistiigi/binfmt --install arm64). LAMBDA_PLATFORM: linux/arm64
#   (template.yaml) or linux/amd64.
# - a zip the CodeBuild project of infra/pdf-layer-codebuild.yaml built (no Docker): a local path, or an s3:// URL
#   fetched with the AWS CLI. It is checked (lib/ holds every library WeasyPrint opens, fonts/ a fonts.conf) and
#   unpacked into ARTIFACTS_DIR.
set -euo pipefail
artifacts=${1:?usage: $0 ARTIFACTS_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

if [[ -n ${PDF_LAYER_ZIP:-} ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  zip=$PDF_LAYER_ZIP
  if [[ $zip == s3://* ]]; then
    aws s3 cp --only-show-errors "$zip" "$work/layer.zip"
    zip=$work/layer.zip
  fi
  mkdir -p "$artifacts"
  "${PYTHON:-python3}" - "$zip" "$artifacts" "$root/infra" "${LAMBDA_PLATFORM:-linux/arm64}" <<'PY'
import sys, zipfile
zip_path, artifacts, infra, platform = sys.argv[1:5]
sys.path.insert(0, infra)
from pdf_layer_collect import WANTED
machine = {"linux/arm64": 183, "linux/amd64": 62}[platform]  # ELF e_machine: EM_AARCH64, EM_X86_64
with zipfile.ZipFile(zip_path) as layer:
    inside = set(layer.namelist())
    if any(n.startswith("/") or ".." in n.split("/") for n in inside):
        sys.exit(f"{zip_path} has paths outside the layer")
    missing = [n for n in [*(f"lib/{w}" for w in WANTED), "fonts/fonts.conf"] if n not in inside]
    if missing:
        sys.exit(f"{zip_path} is not a PdfLayer zip: it lacks {', '.join(missing)}")
    head = layer.read("lib/libpango-1.0.so.0")[:20]
    if int.from_bytes(head[18:20], "little") != machine:
        sys.exit(f"{zip_path} holds libraries for another architecture than {platform}")
    layer.extractall(artifacts)
PY
  echo "PdfLayer from $PDF_LAYER_ZIP in $artifacts: $(du -sh "$artifacts" | cut -f1)"
  exit 0
fi

docker=${DOCKER:-docker}
platform=${LAMBDA_PLATFORM:-linux/arm64}
tag=review-cycles-pdf-layer:build

"$docker" build --platform "$platform" -f "$root/infra/pdf-layer.Dockerfile" -t "$tag" "$root"
container=$("$docker" create --platform "$platform" "$tag")
trap '"$docker" rm -f "$container" >/dev/null' EXIT
mkdir -p "$artifacts"
"$docker" cp "$container:/layer/." "$artifacts/"
echo "PdfLayer in $artifacts: $(du -sh "$artifacts" | cut -f1)"
