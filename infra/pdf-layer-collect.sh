#!/usr/bin/env bash
# Run inside infra/pdf-layer.Dockerfile: copy the shared libraries WeasyPrint opens (by soname, through
# cffi) and their dependencies into DEST/lib, leaving out what the Lambda python3.13 runtime already has.
set -euo pipefail
dest=${1:?usage: pdf-layer-collect.sh DEST}
mkdir -p "$dest/lib"
wanted=(libgobject-2.0.so.0 libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0 libharfbuzz-subset.so.0
        libfontconfig.so.1 libfreetype.so.6 libfribidi.so.0)
# The runtime's own libraries (glibc and friends) stay out: the layer must not shadow them.
runtime='^(libc|libm|libdl|libpthread|librt|ld-linux|libgcc_s|libstdc\+\+)\.'
for name in "${wanted[@]}"; do
  path=$(ldconfig -p | awk -v n="$name" '$1 == n { print $NF; exit }')
  [[ -n $path ]] || { echo "missing $name" >&2; exit 1; }
  cp -L "$path" "$dest/lib/$name"
  ldd "$path" | awk '$3 ~ /^\// { print $3 }' | while read -r dep; do
    base=$(basename "$dep")
    [[ $base =~ $runtime ]] || cp -nL "$dep" "$dest/lib/$base"
  done
done
echo "collected $(find "$dest/lib" -type f | wc -l) libraries into $dest/lib"
