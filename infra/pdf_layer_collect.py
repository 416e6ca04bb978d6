"""Collect PdfLayer: the shared libraries WeasyPrint opens, everything they link to, and the fonts.

    python3 infra/pdf_layer_collect.py DEST [--fonts GLOB ...] [--fonts-at /opt/fonts]

DEST/lib gets each library WeasyPrint opens by soname (through cffi) and, following the ELF `DT_NEEDED`
entries, every library those link to, except the C runtime the Lambda python runtime already has (the layer must
not shadow it). DEST/fonts gets the fonts and a fonts.conf naming `--fonts-at` (where the layer is mounted) with
its cache under /tmp, the only writable place in Lambda.

Needs nothing but Python 3.9+: libraries are found through the dynamic linker's configuration
(/etc/ld.so.conf and what it includes, then the default directories) and their dependencies read from their
ELF dynamic section, so neither ldd, ldconfig, awk nor readelf has to be in the image. Run by
infra/pdf-layer-collect.sh (in infra/pdf-layer.Dockerfile and in infra/pdf-layer-codebuild.yaml's build), and by
tests/infra/test_pdf_layer.py against the machine's own libraries.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import struct
import sys
from pathlib import Path

# The libraries weasyprint/text/ffi.py opens (harfbuzz-vector is optional there and absent from AL2023).
WANTED = (
    "libgobject-2.0.so.0",
    "libpango-1.0.so.0",
    "libpangoft2-1.0.so.0",
    "libharfbuzz.so.0",
    "libharfbuzz-subset.so.0",
    "libfontconfig.so.1",
    "libfreetype.so.6",
    "libfribidi.so.0",
)
# The C runtime: every Lambda runtime has it, and a copy in the layer would shadow the runtime's own.
RUNTIME = re.compile(
    r"^(libc|libm|libdl|libpthread|librt|libutil|libresolv|ld-linux[^.]*|ld64|libgcc_s|libstdc\+\+)\.so"
)
DEFAULT_DIRS = ("/lib64", "/usr/lib64", "/lib", "/usr/lib")
PT_LOAD, PT_DYNAMIC = 1, 2
DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5


class ElfError(ValueError):
    """Not an ELF shared object this collector can read."""


def elf_machine(path: str) -> tuple[int, int, int]:
    """(class, byte order, machine) of an ELF file: what a library must match to be loadable."""
    with open(path, "rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF":
        raise ElfError(f"{path} is not an ELF file")
    order = "<" if head[5] == 1 else ">"
    (machine,) = struct.unpack(order + "H", head[18:20])
    return head[4], head[5], machine


def needed(path: str) -> list[str]:
    """The sonames an ELF shared object names in its DT_NEEDED entries, in order."""
    data = Path(path).read_bytes()
    if data[:4] != b"\x7fELF":
        raise ElfError(f"{path} is not an ELF file")
    is64, order = data[4] == 2, "<" if data[5] == 1 else ">"
    if is64:
        phoff, phentsize, phnum = (
            struct.unpack_from(order + "Q", data, 32)[0],
            *struct.unpack_from(order + "HH", data, 54),
        )
        ph_format, dyn_format = order + "IIQQQQQQ", order + "qQ"
    else:
        phoff, phentsize, phnum = (
            struct.unpack_from(order + "I", data, 28)[0],
            *struct.unpack_from(order + "HH", data, 42),
        )
        ph_format, dyn_format = order + "IIIIIIII", order + "iI"
    loads: list[tuple[int, int, int]] = []  # (vaddr, offset, size)
    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        fields = struct.unpack_from(ph_format, data, phoff + i * phentsize)
        if is64:
            p_type, _flags, p_offset, p_vaddr, _paddr, p_filesz = fields[:6]
        else:
            p_type, p_offset, p_vaddr, _paddr, p_filesz = fields[:5]
        if p_type == PT_LOAD:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == PT_DYNAMIC:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return []
    entry_size = struct.calcsize(dyn_format)
    strtab_vaddr, offsets = None, []
    for at in range(dynamic[0], dynamic[0] + dynamic[1], entry_size):
        tag, value = struct.unpack_from(dyn_format, data, at)
        if tag == DT_NULL:
            break
        if tag == DT_NEEDED:
            offsets.append(value)
        elif tag == DT_STRTAB:
            strtab_vaddr = value
    if strtab_vaddr is None:
        raise ElfError(f"{path} has a dynamic section without a string table")
    strtab = next((off + strtab_vaddr - va for va, off, size in loads if va <= strtab_vaddr < va + size), None)
    if strtab is None:
        raise ElfError(f"{path}: the string table is outside every loaded segment")
    return [data[strtab + o : data.index(b"\0", strtab + o)].decode() for o in offsets]


def _conf_dirs(conf: str, seen: set[str]) -> list[str]:
    """The directories an ld.so.conf file names, following `include` lines (globs allowed)."""
    if conf in seen or not os.path.isfile(conf):
        return []
    seen.add(conf)
    dirs: list[str] = []
    for line in Path(conf).read_text(errors="replace").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("include"):
            for pattern in line.split()[1:]:
                pattern = pattern if pattern.startswith("/") else os.path.join(os.path.dirname(conf), pattern)
                for included in sorted(glob.glob(pattern)):
                    dirs.extend(_conf_dirs(included, seen))
        else:
            dirs.append(line)
    return dirs


def search_path(extra: list[str] | None = None) -> list[str]:
    """Where the dynamic linker looks: the given directories, ld.so.conf's, then the defaults."""
    dirs = [*(extra or []), *_conf_dirs("/etc/ld.so.conf", set()), *DEFAULT_DIRS]
    return list(dict.fromkeys(d for d in dirs if os.path.isdir(d)))


def find(soname: str, dirs: list[str], machine: tuple[int, int, int]) -> str | None:
    """The first library of that soname for this machine's architecture (as the dynamic linker would pick)."""
    for directory in dirs:
        candidate = os.path.join(directory, soname)
        if os.path.exists(candidate):
            try:
                if elf_machine(candidate) == machine:
                    return candidate
            except ElfError:
                continue
    return None


def collect_libraries(dest: Path, dirs: list[str], machine: tuple[int, int, int]) -> list[str]:
    """Copy WANTED and their dependencies (not the runtime's) into dest as soname files; the sonames copied."""
    dest.mkdir(parents=True, exist_ok=True)
    todo, done, missing = list(WANTED), set(), []
    while todo:
        soname = todo.pop(0)
        if soname in done or RUNTIME.match(soname):
            continue
        done.add(soname)
        path = find(soname, dirs, machine)
        if path is None:
            missing.append(soname)
            continue
        shutil.copyfile(path, dest / soname)  # follows the symlink: the file under its soname
        todo.extend(needed(path))
    if missing:
        raise SystemExit(f"missing libraries: {' '.join(sorted(missing))} (install them, then collect again)")
    return sorted(done - {s for s in done if RUNTIME.match(s)})


FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <dir>{fonts_at}</dir>
  <cachedir>/tmp/fontconfig</cachedir>
</fontconfig>
"""


def collect_fonts(dest: Path, patterns: list[str], fonts_at: str) -> list[str]:
    """Copy the fonts matching the patterns into dest, with a fonts.conf naming fonts_at; the file names."""
    dest.mkdir(parents=True, exist_ok=True)
    files = sorted({f for pattern in patterns for f in glob.glob(pattern)})
    if not files:
        raise SystemExit(f"no font matches {patterns}")
    for font in files:
        shutil.copyfile(font, dest / os.path.basename(font))
    (dest / "fonts.conf").write_text(FONTS_CONF.format(fonts_at=fonts_at))
    return [os.path.basename(f) for f in files]


def main(argv: list[str] | None = None) -> int:
    """Collect the layer into DEST/lib and DEST/fonts."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--fonts", nargs="+", default=["/usr/share/fonts/dejavu-sans-fonts/DejaVuSans*.ttf"])
    parser.add_argument("--fonts-at", default="/opt/fonts", help="where DEST/fonts is at run time")
    parser.add_argument("--search", action="append", default=[], help="look here first (repeatable)")
    args = parser.parse_args(argv)
    machine = elf_machine(os.path.realpath(sys.executable))
    libraries = collect_libraries(args.dest / "lib", search_path(args.search), machine)
    fonts = collect_fonts(args.dest / "fonts", args.fonts, args.fonts_at)
    print(f"collected {len(libraries)} libraries into {args.dest}/lib and {len(fonts)} fonts into {args.dest}/fonts")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
