#!/usr/bin/env bash
# Build PdfLayer for SAM's makefile build method (template.yaml: PdfLayer, BuildMethod: makefile):
# the native libraries and fonts of infra/pdf-layer.Dockerfile, copied out of the image into ARTIFACTS_DIR.
#
#   infra/build-pdf-layer.sh ARTIFACTS_DIR
#
# Needs Docker (or a compatible engine as DOCKER). LAMBDA_PLATFORM: linux/arm64 (template.yaml) or linux/amd64.
set -euo pipefail
artifacts=${1:?usage: $0 ARTIFACTS_DIR}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
docker=${DOCKER:-docker}
platform=${LAMBDA_PLATFORM:-linux/arm64}
tag=review-cycles-pdf-layer:build

"$docker" build --platform "$platform" -f "$root/infra/pdf-layer.Dockerfile" -t "$tag" "$root"
container=$("$docker" create --platform "$platform" "$tag")
trap '"$docker" rm -f "$container" >/dev/null' EXIT
mkdir -p "$artifacts"
"$docker" cp "$container:/layer/." "$artifacts/"
echo "PdfLayer in $artifacts: $(du -sh "$artifacts" | cut -f1)"
