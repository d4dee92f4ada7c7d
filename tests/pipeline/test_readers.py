import pytest

from levelup.errors import MissingColumnError, UnreadableFileError
from pipeline.catalogue import DATA_DIR
from pipeline.readers import read_table


def test_ons_csv_with_bom_and_upper_case_headers() -> None:
    table = read_table(DATA_DIR / "ons_els/gdp-per-head.csv", "ons")
    assert table.encoding == "utf-8-sig"
    assert {"code", "name", "value", "period", "indicator"} <= set(table.frame.columns)
    assert table.header("code") == "AREACD"  # BOM stripped, original header kept for messages
    first = table.frame.iloc[0]
    assert (first["code"], first["value"], first["_line"]) == ("E06000047", "10827", 2)


def test_ons_csv_with_lower_case_headers() -> None:
    table = read_table(DATA_DIR / "ons_els/employment-rate.csv", "ons")
    assert (
        table.header("code") == "areacd" and table.header("lower") == "lower_confidence_interval_95"
    )
    assert {"lower", "upper", "status"} <= set(table.frame.columns)


def test_subnational_file_cp1252_with_header_on_line_3() -> None:
    table = read_table(
        DATA_DIR / "ons_subnational/subnational_indicators_machine_readable.csv", "subnational"
    )
    assert table.encoding == "cp1252"
    first = table.frame.iloc[0]
    assert first["_line"] == 4 and first["code"] == "E06000001" and first["unit"] == "£"


def test_eurostat_tsv_is_melted_with_line_and_year_column() -> None:
    table = read_table(DATA_DIR / "eurostat/nama_10r_2gdp_extract2017.tsv", "eurostat")
    frame = table.frame
    at = frame[(frame["unit"] == "EUR_HAB") & (frame["code"] == "AT") & (frame["period"] == "2014")]
    assert at.iloc[0]["value"].strip() == "38500" and at.iloc[0]["_line"] == 2
    assert at.iloc[0]["_column"] == "2014"


def test_eurostat_csv_with_year_columns() -> None:
    table = read_table(DATA_DIR / "eurostat/nama_10r_3gdp_extract2024.csv", "eurostat")
    assert {"freq", "unit", "code", "period", "value"} <= set(table.frame.columns)
    assert sorted(table.frame["period"].unique())[:2] == ["2000", "2001"]


def test_missing_required_column_names_file_line_and_column(tmp_path) -> None:
    path = tmp_path / "no-value.csv"
    path.write_text("AREACD,Period\nE06000001,2019\n")
    with pytest.raises(MissingColumnError) as info:
        read_table(path, "ons")
    assert str(info.value).startswith(f"{path}, line 1, column 'value'")


def test_binary_and_missing_files_are_unreadable(tmp_path) -> None:
    binary = tmp_path / "data.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(UnreadableFileError, match="not a text file"):
        read_table(binary, "ons")
    with pytest.raises(UnreadableFileError, match="cannot read"):
        read_table(tmp_path / "absent.csv", "ons")


def test_cp1252_fallback_and_ragged_rows(tmp_path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("AREACD,Period,Observation,Unit\nE06000001,2019,12,\xa3\n".encode("cp1252"))
    table = read_table(path, "ons")
    assert table.encoding == "cp1252" and table.frame.iloc[0]["unit"] == "£"
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("AREACD,Period,Observation\nE06000001,2019,12,extra\n")
    with pytest.raises(UnreadableFileError, match=r"line 2.*4 cells"):
        read_table(ragged, "ons")
