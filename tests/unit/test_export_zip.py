"""The export ZIP's own writer (issue 24): pieces written apart, copied one after another, and a central
directory written from their entries, read back by Python's zipfile (CRCs checked), in the classic format
and with ZIP64 records (forced here: a real one needs more than 4 GiB)."""

from __future__ import annotations

import io
import zipfile

import pytest

from service.adapters.export_zip import LIMIT_32, FragmentWriter, central_record, dos_stamp, write_directory

FILES = [("a-é.pdf", b"%PDF one"), ("b.pdf", b"%PDF two" * 100), ("c.pdf", b"")]


def assemble(pieces: list[list[tuple[str, bytes]]], force_zip64: bool = False) -> bytes:
    """Write each piece apart, then copy them and write the directory, as the export's assembly does."""
    stamp = dos_stamp("2026-03-02T09:30:14Z")
    written = []
    for files in pieces:
        out = io.BytesIO()
        writer = FragmentWriter(out, *stamp)
        for name, data in files:
            writer.add(name, data)
        written.append((out.getvalue(), writer.entries))
    whole = io.BytesIO()
    placed = []
    for data, entries in written:
        base = whole.tell()
        whole.write(data)
        placed += [(e, base + e.offset) for e in entries]
    write_directory(whole, iter(placed), whole.tell(), force_zip64)
    return whole.getvalue()


@pytest.mark.parametrize("force_zip64", [False, True])
def test_pieces_written_apart_make_one_zip_that_zipfile_reads(force_zip64):
    data = assemble([FILES[:2], FILES[2:], [("d.pdf", b"%PDF four")]], force_zip64)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert archive.namelist() == ["a-é.pdf", "b.pdf", "c.pdf", "d.pdf"]
    assert [archive.read(n) for n, _ in FILES] == [d for _, d in FILES]
    assert archive.getinfo("b.pdf").date_time == (2026, 3, 2, 9, 30, 14)
    assert (b"PK\x06\x06" in data) is force_zip64  # the ZIP64 end record only where needed


def test_an_offset_past_4_gib_is_written_in_a_zip64_extra_field():
    writer = FragmentWriter(io.BytesIO(), 0, 0)
    entry = writer.add("x.pdf", b"x")
    record = central_record(entry, LIMIT_32 + 10)
    assert record[42:46] == b"\xff\xff\xff\xff"  # the classic offset says "see ZIP64"
    assert record.endswith((LIMIT_32 + 10).to_bytes(8, "little"))


def test_an_empty_export_is_an_empty_zip():
    assert zipfile.ZipFile(io.BytesIO(assemble([]))).namelist() == []
