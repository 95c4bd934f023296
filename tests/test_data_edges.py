"""Edge cases of reading a tổ's workbook: rows after a blank line, money typed with an English-locale Excel."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reportkit.data import DataError, load, readers
from reportkit.data import values as V
from reportkit.data.template import save_workbook

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "duy-tan"
BASE = SAMPLE / "bao-cao" / "2022" / "to-03-2022.xlsx"
SHEET = "Số liệu"


def ward_with_edited(tmp_path: Path, change) -> Path:
    """The sample ward's description with one workbook: Tổ 3 2022, edited by ``change(worksheet)``."""
    ward = tmp_path / "ward"
    (ward / "bao-cao").mkdir(parents=True)
    for n in ("ward.yaml", "catalog.yaml", "ke-hoach.xlsx"):
        shutil.copy(SAMPLE / n, ward / n)
    wb = load_workbook(BASE)
    change(wb[SHEET])
    save_workbook(wb, ward / "bao-cao" / BASE.name)
    return ward


def test_rows_after_a_blank_line_are_still_read(tmp_path):
    # June's row (sheet row 12) emptied, month number included: July–December below it must not vanish.
    def blank_june(ws):
        for c in ws[12]:
            c.value = None

    ds = load(ward_with_edited(tmp_path, blank_june), cache=False)
    months = sorted(
        m for u, y, m in ds.frame()[["unit", "year", "month"]].itertuples(index=False) if u == "Tổ 3"
    )
    assert months == [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12]
    missing = ds.completeness("2022").missing
    assert [ym for u, ym in missing if u == "Tổ 3"] == [(2022, 6)]


def test_a_signature_block_below_the_table_is_not_data(tmp_path):
    def sign(ws):
        ws["A21"] = "Người lập biểu"
        ws["K21"] = "TỔ TRƯỞNG"
        ws["A25"] = "Nguyễn Văn An"
        ws["K22"] = "Duy Tân, ngày 28 tháng 12 năm 2022"

    ds = load(ward_with_edited(tmp_path, sign), cache=False)
    assert len(ds.frame()) == 12


def test_rows_after_a_blank_line_are_validated(tmp_path):
    def gap_then_bad(ws):
        for c in ws[12]:
            c.value = None
        ws["E14"] = "mười hai"

    with pytest.raises(DataError) as info:
        load(ward_with_edited(tmp_path, gap_then_bad), cache=False)
    assert [(p.kind, p.row, p.cell, p.value) for p in info.value.problems] == [
        ("non_numeric", 14, "E14", "mười hai")
    ]


def test_a_fraction_of_a_dong_is_reported(tmp_path):
    # "4.300" typed in an English-locale Excel arrives as the float 4.3: never a sum of 4,3 đồng.
    def english_locale(ws):
        ws["I7"] = 4.3

    with pytest.raises(DataError) as info:
        load(ward_with_edited(tmp_path, english_locale), cache=False)
    assert [(p.kind, p.sheet, p.row, p.cell, p.value) for p in info.value.problems] == [
        ("not_integer", SHEET, 7, "I7", 4.3)
    ]


def test_amount_cells():
    assert V.number(4_300_000.0, whole=False, amount=True) == 4_300_000
    assert V.number("2,5", whole=False, scale=1_000_000, amount=True) == 2_500_000
    for cell in (4.3, "4,3"):
        with pytest.raises(V.CellError) as info:
            V.number(cell, whole=False, amount=True)
        assert info.value.kind == "not_integer"


def test_a_missing_sqlite_file_is_an_error_not_a_new_empty_database(tmp_path):
    db = tmp_path / "nham-ten.db"
    with pytest.raises(FileNotFoundError, match=r"nham-ten\.db"):
        load(f"sqlite:///{db}")
    assert not db.exists()


@pytest.mark.parametrize(("typed", "kind"), [("Thág 7", "bad_month"), (None, "missing_month")])
def test_a_row_of_figures_below_a_blank_line_is_read_whatever_its_month_cell(tmp_path, typed, kind):
    # A blank line inserted after June and July's month mistyped (or left out): the row holds figures, so it is
    # read — here an error at its month cell — never dropped as if it were the signature block (the H2 fund fell
    # from 41.200.000 to 40.600.000, reported 9/10, with no word).
    def gap_then_typo(ws):
        ws.insert_rows(13)
        ws["A14"] = typed

    with pytest.raises(DataError) as info:
        load(ward_with_edited(tmp_path, gap_then_typo), cache=False)
    assert [(p.kind, p.sheet, p.row, p.cell, p.value) for p in info.value.problems] == [
        (kind, SHEET, 14, "A14", typed)
    ]


def test_a_number_below_a_blank_line_is_a_figure_even_when_it_cannot_be_read(tmp_path):
    # Below the gap a row with a mistyped month and only a negative number: a figure typed wrong, not a signature.
    def gap_then_negative(ws):
        for c in ws[12]:
            c.value = None
        for c in ws[14]:
            c.value = None
        ws["A14"], ws["J14"] = "Thág 8", -3

    with pytest.raises(DataError) as info:
        load(ward_with_edited(tmp_path, gap_then_negative), cache=False)
    assert sorted((p.kind, p.row, p.cell) for p in info.value.problems) == [
        ("bad_month", 14, "A14"),
        ("negative", 14, "J14"),
    ]


def workbook_with_a_big_second_sheet(rows: int, cols: int) -> bytes:
    """Tổ 3's workbook with one more sheet, "Nháp", of rows × cols numbers (written as XML: openpyxl would take
    a minute to write it)."""
    wb = load_workbook(BASE)
    wb.create_sheet("Nháp")["A1"] = 0
    buf = io.BytesIO()
    wb.save(buf)
    row = "".join(f'<c t="n"><v>{j * 7919 % 100_003}</v></c>' for j in range(cols))
    body = "".join(f'<row r="{r}">{row}</row>' for r in range(1, rows + 1))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()
    part = f"xl/worksheets/sheet{len(wb.sheetnames)}.xml"
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        assert part in zin.namelist()
        for name in zin.namelist():
            zout.writestr(name, sheet if name == part else zin.read(name))
    return out.getvalue()


def test_a_workbook_of_millions_of_cells_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    # A second sheet of 4.000 rows × 500 numbers, under the row limits: 21 s and 877 MB to load (the limits let
    # ~9 million cells through: 100 s, 4 GB). Cells are counted from the stream, like rows.
    ward = ward_with_edited(tmp_path, lambda ws: None)
    (ward / "bao-cao" / BASE.name).write_bytes(workbook_with_a_big_second_sheet(4_000, 500))
    import openpyxl

    real = openpyxl.load_workbook

    def not_the_big_one(data, *args, **kwargs):
        assert not (isinstance(data, io.BytesIO) and len(data.getvalue()) > 500_000), (
            "parsed the big workbook"
        )
        return real(data, *args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", not_the_big_one)
    with pytest.raises(DataError) as info:
        load(ward, cache=False)
    (p,) = info.value.problems
    assert (p.kind, p.sheet) == ("too_large", "Nháp"), p
    assert re.fullmatch(r"2\.000\.\d{3} ô đến hết trang này", p.value), p.value  # with Tổ 3's own sheets
    assert "tối đa 400.000 ô trong cả tệp" in p.expected


def test_a_whole_history_in_one_sheet_is_still_read(tmp_path):
    # The cell limit stays far above a ward's real workbooks: 10.000 rows of 21 columns is within it.
    assert readers.MAX_SHEET_ROWS * 21 < readers.MAX_WORKBOOK_CELLS
