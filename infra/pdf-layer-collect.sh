#!/usr/bin/env bash
# The collect step of PdfLayer, on Amazon Linux 2023 (the distribution of the python3.13 Lambda runtime): install
# the packages WeasyPrint's native libraries come from, then copy them, what they link to and the DejaVu fonts
# into DEST (infra/pdf_layer_collect.py: plain Python reading ELF headers; no ldd, ldconfig or awk needed).
#
#   infra/pdf-layer-collect.sh DEST
#
# Runs in infra/pdf-layer.Dockerfile (make build-PdfLayer, with Docker) and natively on arm64 in the CodeBuild
# project of infra/pdf-layer-codebuild.yaml (no Docker at all). PYTHON: the interpreter (default python3).
set -euo pipefail
dest=${1:?usage: pdf-layer-collect.sh DEST}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The image's release fixes these packages' versions.
dnf install -y pango harfbuzz fontconfig freetype fribidi dejavu-sans-fonts
"${PYTHON:-python3}" "$here/pdf_layer_collect.py" "$dest" \
  --fonts '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans*.ttf' --fonts-at /opt/fonts
