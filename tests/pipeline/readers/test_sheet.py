"""Reading user tables safely: encodings, delimiters, title lines, limits, XLSX."""

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from levelup.errors import InputError, TooLargeError, UnreadableFileError
from pipeline.readers.sheet import kind_of, read_sheet
from tests.pipeline.byod.tables import (
    messy_tidy,
    messy_wide,
    nuts_semicolon,
    plain,
    xlsx_wide_measures,
)


def test_utf8_bom_title_line_and_blank_lines(registry, tmp_path: Path) -> None:
    sheet = read_sheet(messy_tidy(registry).write(tmp_path))
    assert sheet.header == ["Area Code", "area NAME", "Year", "Number of Households"]
    assert sheet.header_line == 3  # the title line and the blank line are skipped
    assert sheet.lines[0] == 4
    assert sheet.rows[0][3] == "20,000"
    assert sheet.encoding == "utf-8-sig"


def test_cp1252_pound_signs(registry, tmp_path: Path) -> None:
    sheet = read_sheet(messy_wide(registry).write(tmp_path))
    assert sheet.encoding == "cp1252"
    assert sheet.rows[0][2] == "£24,000"
    assert sheet.rows[0][0].endswith("– district")


def test_semicolons(registry, tmp_path: Path) -> None:
    sheet = read_sheet(nuts_semicolon(registry).write(tmp_path))
    assert sheet.header == ["NUTS_ID", "share"]


def test_xlsx_by_content_not_name(registry, tmp_path: Path) -> None:
    path = xlsx_wide_measures(registry).write(tmp_path)
    renamed = path.rename(tmp_path / "looks-like.csv")
    assert kind_of(renamed) == "xlsx"
    sheet = read_sheet(renamed)
    assert sheet.kind == "xlsx"
    assert sheet.header[:3] == ["Code", "Name", "Year"]
    assert sheet.rows[0][3] == "70"  # numbers stored as numbers read back as text
    assert sheet.rows[0][5] == ""  # a formula with no saved value is never evaluated


def test_empty_and_header_only(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        read_sheet(empty)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n\n ,\n")
    with pytest.raises(InputError, match="empty"):
        read_sheet(blank)
    with pytest.raises(InputError, match="header but no rows") as caught:
        read_sheet(plain("code,value").write(tmp_path))
    assert caught.value.line == 1


def test_size_limit_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    with open(big, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # 200 MB, sparse: costs no disk
    with pytest.raises(TooLargeError, match=r"200\.0 MB is over the 20 MB limit"):
        read_sheet(big)


def test_not_a_workbook(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnreadableFileError, match="not a readable XLSX"):
        read_sheet(fake)
    with pytest.raises(UnreadableFileError, match="no such file"):
        read_sheet(tmp_path / "missing.csv")


def test_duplicate_and_overlong_rows_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="two columns have this name") as caught:
        read_sheet(plain("code,Value,value", "E08000035,1,2").write(tmp_path))
    assert (caught.value.line, caught.value.column) == (1, "value")
    with pytest.raises(InputError, match="3 cells but the header has 2") as caught:
        read_sheet(plain("code,value", "E08000035,1", "E08000036,2,oops").write(tmp_path))
    assert caught.value.line == 3


def test_a_quoted_newline_keeps_the_row_start_line(tmp_path: Path) -> None:
    sheet = read_sheet(
        plain(
            "code,name,value", 'E08000035,"Leeds\nWest Yorkshire",1', "E08000036,Wakefield,2"
        ).write(tmp_path)
    )
    assert sheet.lines == [2, 4]


def test_a_small_file_cannot_claim_a_huge_table(tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("code" + ",x" * 2_000_000 + "\nE08000035,1\n")
    with pytest.raises(TooLargeError, match="more than 1,000 columns"):
        read_sheet(wide)


def _with_sheet_xml(path: Path, out: Path, change: Callable[[bytes], bytes]) -> Path:
    """A copy of a workbook with its first sheet's XML changed."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(item, data)
    return out


def _claim_whole_sheet(xml: bytes) -> bytes:
    text = xml.decode()
    start = text.index('<dimension ref="')
    end = text.index('"', start + 16)
    return (text[:start] + '<dimension ref="A1:XFD1048576' + text[end:]).encode()


def test_xlsx_claimed_dimensions_are_ignored(registry, tmp_path: Path) -> None:
    """A workbook whose sheet claims A1:XFD1048576 is read as the cells it really holds."""
    path = xlsx_wide_measures(registry).write(tmp_path)
    patched = _with_sheet_xml(path, tmp_path / "patched.xlsx", _claim_whole_sheet)
    sheet = read_sheet(patched)
    assert len(sheet.header) == 6 and len(sheet.rows) == 20


def test_broken_xlsx_and_cover_sheets(registry, tmp_path: Path) -> None:
    import openpyxl

    path = xlsx_wide_measures(registry).write(tmp_path)
    # cut off half way through the XML
    broken = _with_sheet_xml(path, tmp_path / "broken.xlsx", lambda xml: xml[: len(xml) // 2])
    with pytest.raises(UnreadableFileError, match="not a readable XLSX"):
        read_sheet(broken)
    book = openpyxl.load_workbook(path)
    cover = book.create_sheet("Cover", 0)
    cover.append(["Table 1", "Households by district"])
    cover.append(["Source", "Council returns"])
    book.save(tmp_path / "cover.xlsx")
    sheet = read_sheet(tmp_path / "cover.xlsx", prefer=lambda s: "Code" in s.header)
    assert sheet.name == "Sheet" and sheet.header[0] == "Code"
