"""A ZIP made of pieces written by different invocations (issue 24): the bulk export's format.

Each chunk of an export writes a *fragment*: the local headers and stored (uncompressed) bodies of its PDFs,
offsets counted from the fragment's start, and returns its `Entry` list. The assembly copies the fragments one
after another into the final object and then writes the central directory from the entries, each offset moved
by where its fragment landed, and the end records. Nothing here holds more than one file or one entry: the
central directory is written entry by entry as the caller hands them over, so a ZIP of 50,000 PDFs needs the
memory of one. ZIP64 records are written where an offset, a size or the count passes the classic format's
limits (an export of 50,000 summaries is several GB).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

LIMIT_32 = 0xFFFFFFFF  # the classic format's largest offset or size; beyond it ZIP64
LIMIT_16 = 0xFFFF  # the classic format's largest entry count
VERSION_STORED = 20  # 2.0: what a stored entry needs
VERSION_ZIP64 = 45  # 4.5: what ZIP64 records need
UTF8_NAMES = 0x800  # general purpose flag bit 11: the name is UTF-8
ZIP64_EXTRA = 0x0001
FILE_ATTRIBUTES = 0o100644 << 16  # a regular file, rw-r--r--


@dataclass(frozen=True)
class Entry:
    """One stored file of a fragment: its name, CRC-32, size, offset in its fragment and DOS time."""

    name: str
    crc: int
    size: int
    offset: int
    dos_time: int
    dos_date: int

    def row(self) -> list[int | str]:
        """The entry as a compact list (how a chunk's item keeps it)."""
        return [self.name, self.crc, self.size, self.offset, self.dos_time, self.dos_date]

    @classmethod
    def of(cls, row: list) -> Entry:
        """An entry from its row."""
        name, crc, size, offset, dos_time, dos_date = row
        return cls(str(name), int(crc), int(size), int(offset), int(dos_time), int(dos_date))


def dos_stamp(iso: str) -> tuple[int, int]:
    """(DOS time, DOS date) of an ISO-8601 instant ("2026-12-06T05:30:00Z")."""
    year, month, day = int(iso[0:4]), int(iso[5:7]), int(iso[8:10])
    hour, minute, second = int(iso[11:13]), int(iso[14:16]), int(iso[17:19])
    return hour << 11 | minute << 5 | second // 2, max(year - 1980, 0) << 9 | month << 5 | day


def _flags(name: str) -> int:
    return 0 if name.isascii() else UTF8_NAMES


def _described(entry: Entry, name_length: int) -> tuple[int, ...]:
    """What the local header and the central record both say of a stored file, in their common order."""
    size = entry.size
    return (_flags(entry.name), zipfile.ZIP_STORED, entry.dos_time, entry.dos_date, entry.crc, size, size, name_length)


class FragmentWriter:
    """Writes stored files into `out` as a ZIP's local headers and bodies; `entries` says what it wrote."""

    def __init__(self, out: BinaryIO, dos_time: int, dos_date: int) -> None:
        self.out = out
        self.dos_time, self.dos_date = dos_time, dos_date
        self.offset = 0
        self.entries: list[Entry] = []

    def add(self, name: str, data: bytes) -> Entry:
        """Append one file (a PDF is already compressed: stored as it is)."""
        if len(data) >= LIMIT_32:
            raise ValueError(f"{name}: a single file of 4 GiB or more is not exported")
        encoded = name.encode("utf-8")
        entry = Entry(name, zlib.crc32(data), len(data), self.offset, self.dos_time, self.dos_date)
        header = struct.pack(
            zipfile.structFileHeader,
            zipfile.stringFileHeader,
            VERSION_STORED,
            0,
            *_described(entry, len(encoded)),
            0,
        )
        self.out.write(header + encoded)
        self.out.write(data)
        self.offset += len(header) + len(encoded) + len(data)
        self.entries.append(entry)
        return entry


def central_record(entry: Entry, offset: int, force_zip64: bool = False) -> bytes:
    """The central directory's record of `entry`, found at `offset` of the whole ZIP."""
    encoded = entry.name.encode("utf-8")
    big = force_zip64 or offset >= LIMIT_32
    extra = struct.pack("<HHQ", ZIP64_EXTRA, 8, offset) if big else b""
    version = VERSION_ZIP64 if big else VERSION_STORED
    return (
        struct.pack(
            zipfile.structCentralDir,
            zipfile.stringCentralDir,
            version,  # made by this version, on Unix (3): the external attributes are Unix modes
            3,
            version,
            0,
            *_described(entry, len(encoded)),
            len(extra),
            0,
            0,
            0,
            FILE_ATTRIBUTES,
            LIMIT_32 if big else offset,
        )
        + encoded
        + extra
    )


def end_records(count: int, directory_offset: int, directory_size: int, force_zip64: bool = False) -> bytes:
    """The end of the ZIP: the ZIP64 end record and locator when needed, then the classic end record."""
    big = force_zip64 or count >= LIMIT_16 or directory_offset >= LIMIT_32 or directory_size >= LIMIT_32
    records = b""
    if big:
        end64_offset = directory_offset + directory_size
        records += struct.pack(
            zipfile.structEndArchive64,
            zipfile.stringEndArchive64,
            44,
            VERSION_ZIP64,
            VERSION_ZIP64,
            0,
            0,
            count,
            count,
            directory_size,
            directory_offset,
        )
        records += struct.pack(zipfile.structEndArchive64Locator, zipfile.stringEndArchive64Locator, 0, end64_offset, 1)
    return records + struct.pack(
        zipfile.structEndArchive,
        zipfile.stringEndArchive,
        0,
        0,
        min(count, LIMIT_16),
        min(count, LIMIT_16),
        min(directory_size, LIMIT_32),
        min(directory_offset, LIMIT_32),
        0,
    )


def write_directory(out: BinaryIO, placed: Iterable[tuple[Entry, int]], at: int, force_zip64: bool = False) -> int:
    """Write the central directory of `placed` (entry, its offset in the ZIP) and the end records at offset `at`
    (the end of the files); returns the bytes written. The entries are read one at a time."""
    count = size = 0
    for entry, offset in placed:
        record = central_record(entry, offset, force_zip64)
        out.write(record)
        count += 1
        size += len(record)
    end = end_records(count, at, size, force_zip64)
    out.write(end)
    return size + len(end)
