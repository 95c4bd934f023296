"""Input that cannot be read exactly is a located error, never a blank (issue 11): formulas without the value Excel
computed, merged cells over the figures, formats reportkit does not read, password-protected workbooks, a CSV with
a line in another encoding, hidden characters in ward.yaml, sheets too large to read, and error messages that stay
readable however many problems there are."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from reportkit.data import DataError, Problem, load, readers

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "duy-tan"
BAD = Path(__file__).resolve().parent / "data" / "bad"
TO3 = "bao-cao/2022/to-03-2022.xlsx"
SHEET = "Số liệu"
FUND_2022_H1 = 153_000_000  # Tổ 3 gave 4.300.000 of it in March (cell I9)


def sample_ward(tmp_path: Path) -> Path:
    ward = tmp_path / "duy-tan"
    shutil.copytree(SAMPLE, ward)
    return ward


def edit_sheet(path: Path, change) -> None:
    wb = load_workbook(path)
    change(wb[SHEET])
    wb.save(path)


def problems(ward: Path) -> list[Problem]:
    with pytest.raises(DataError) as info:
        load(ward, cache=False)
    return info.value.problems


def test_a_formula_without_its_computed_value_is_an_error_not_a_blank(tmp_path):
    # openpyxl (or any script) writes the formula but not its result: read as blank, Tổ 3's March fund would
    # silently count as "not reported" and the ward's figure fall to 148.700.000.
    ward = sample_ward(tmp_path)
    edit_sheet(ward / TO3, lambda ws: ws.__setitem__("I9", "=SUM(4000000,300000)"))
    (p,) = problems(ward)
    assert (p.kind, p.sheet, p.row, p.cell, p.value) == (
        "uncomputed_formula",
        SHEET,
        9,
        "I9",
        "=SUM(4000000,300000)",
    )
    assert p.file.endswith(TO3) and "mở bằng Excel và lưu lại dạng .xlsx" in p.expected


def _store_result(path: Path, value: bytes, *, recalculate_on_open: bool) -> None:
    """Put ``value`` as I9's stored result; with ``recalculate_on_open`` the workbook keeps the flag a library
    writes (``fullCalcOnLoad``), without it the workbook reads as Excel saves it."""
    with zipfile.ZipFile(path) as zin:
        parts = {name: zin.read(name) for name in zin.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet], n = re.subn(
        rb"(<c r=\"I9\"[^>]*><f>[^<]*</f>)(?:<v */>|<v></v>)", rb"\1<v>" + value + rb"</v>", parts[sheet]
    )
    assert n == 1
    assert b'fullCalcOnLoad="1"' in parts["xl/workbook.xml"]  # openpyxl saved it so
    if not recalculate_on_open:
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b' fullCalcOnLoad="1"', b"")
    with zipfile.ZipFile(path, "w") as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


def test_a_formula_excel_computed_is_read_as_its_value(tmp_path):
    ward = sample_ward(tmp_path)
    path = ward / TO3
    edit_sheet(path, lambda ws: ws.__setitem__("I9", "=SUM(4000000,300000)"))
    _store_result(path, b"4300000", recalculate_on_open=False)  # what Excel or LibreOffice writes on saving
    assert load(ward, cache=False).figures("2022-H1").quy_vnn == FUND_2022_H1


def test_a_placeholder_result_of_a_workbook_to_recalculate_is_an_error_not_its_value(tmp_path):
    # XlsxWriter stores 0 as every formula's result and asks for a recalculation on open: read as stored, the
    # fund would fall to 148.700.000 with no word.
    ward = sample_ward(tmp_path)
    path = ward / TO3
    edit_sheet(path, lambda ws: ws.__setitem__("I9", "=SUM(4000000,300000)"))
    _store_result(path, b"0", recalculate_on_open=True)
    (p,) = problems(ward)
    assert (p.kind, p.sheet, p.row, p.cell, p.value) == (
        "uncomputed_formula",
        SHEET,
        9,
        "I9",
        "=SUM(4000000,300000)",
    )
    assert "mở bằng Excel và lưu lại dạng .xlsx" in p.expected


@pytest.mark.parametrize(
    ("suffix", "named"),
    [(".xls", "tệp Excel 97–2003 (.xls)"), (".xlsb", "(.xlsb)"), (".ods", "tệp OpenDocument (.ods)")],
)
def test_a_workbook_in_a_format_reportkit_does_not_read_is_named(tmp_path, suffix, named):
    # Skipped, the tổ would count as not reported (9/10) and the fund fall to 137.800.000 with exit 0.
    ward = sample_ward(tmp_path)
    (ward / TO3).rename((ward / TO3).with_suffix(suffix))
    (p,) = problems(ward)
    assert p.kind == "unsupported_format" and p.file.endswith(f"to-03-2022{suffix}")
    assert named in p.expected and "mở bằng Excel và lưu lại dạng .xlsx" in p.expected


def test_an_old_workbook_renamed_xlsx_is_named_too(tmp_path):
    ward = sample_ward(tmp_path)
    (ward / TO3).write_bytes(readers.OLE_MAGIC + bytes(504))  # what every .xls file starts with
    (p,) = problems(ward)
    assert (p.kind, p.value) == ("unsupported_format", ".xls")
    assert "tệp Excel 97–2003 mang tên .xlsx" in p.expected


def test_a_password_protected_workbook_is_named_as_such(tmp_path):
    # tests/data/bad/encrypted.xlsx: good-to-03-2022.xlsx encrypted by msoffcrypto-tool (make_bad.py).
    ward = sample_ward(tmp_path)
    shutil.copy(BAD / "encrypted.xlsx", ward / TO3)
    (p,) = problems(ward)
    assert p.kind == "encrypted_workbook" and p.describe() == "tệp được đặt mật khẩu"
    assert "gỡ mật khẩu" in p.expected and "lưu lại dạng .xlsx" in p.expected


def test_merged_cells_over_the_figures_are_located(tmp_path):
    ward = sample_ward(tmp_path)
    edit_sheet(ward / TO3, lambda ws: ws.merge_cells("I9:I11"))  # one amount shown over March to May
    (p,) = problems(ward)
    assert (p.kind, p.sheet, p.row, p.cell, p.value) == ("merged_cells", SHEET, 9, "I9:I11", 4_300_000)
    assert p.column == "Vì người nghèo / Quỹ vận động được (đồng)"


def test_merged_cells_in_the_header_and_below_the_table_are_fine(tmp_path):
    ward = sample_ward(tmp_path)

    def signature(ws):
        ws["C21"] = "Người lập biểu"
        ws.merge_cells("C21:F21")

    edit_sheet(ward / TO3, signature)
    assert load(ward, cache=False).figures("2022-H1").quy_vnn == FUND_2022_H1


def test_merged_cells_over_plan_targets_are_located(tmp_path):
    ward = sample_ward(tmp_path)
    path = ward / "ke-hoach.xlsx"
    wb = load_workbook(path)
    wb.active.merge_cells("B4:B5")
    wb.save(path)
    (p,) = problems(ward)
    assert (p.kind, p.row, p.cell) == ("merged_cells", 4, "B4:B5") and p.file.endswith("ke-hoach.xlsx")


def test_a_csv_line_in_another_encoding_is_located_to_its_line(tmp_path):
    # One line pasted from a Windows-1258 file into a UTF-8 file: decoded whole as legacy, the file read as
    # "không tìm thấy bảng số liệu".
    ward = tmp_path / "ward"
    (ward / "bao-cao").mkdir(parents=True)
    for name in ("ward.yaml", "catalog.yaml", "ke-hoach.xlsx"):
        shutil.copy(SAMPLE / name, ward / name)
    lines = (BAD / "to-03-2022-utf8-bom.csv").read_bytes().split(b"\n")
    lines[4] = lines[4].replace("Có".encode(), "C\xf3".encode("cp1258"), 1)
    (ward / "bao-cao" / "to-03-2022.csv").write_bytes(b"\n".join(lines))
    (p,) = problems(ward)
    assert (p.kind, p.row, p.sheet) == ("mixed_encoding", 5, None)
    assert "\\xf3" in p.value and "UTF-8" in p.expected


def test_hidden_characters_in_ward_yaml_are_refused(tmp_path):
    # A right-to-left override reverses the signer's name in the PDF; a zero-width space makes "Tổ 3" another tổ.
    ward = sample_ward(tmp_path)
    doc = yaml.safe_load((ward / "ward.yaml").read_text(encoding="utf-8"))
    doc["signer"]["name"] = "\u202eNguyễn Văn A"
    doc["units"][2] = "Tổ\u200b 3"
    doc["events"][0]["name"] = "đại hội\u202e các chi bộ"  # "Sau đại hội …" in the body, reversed
    (ward / "ward.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    found = {(p.kind, p.column): p.expected for p in problems(ward)}
    assert set(found) == {
        ("hidden_character", "signer.name"),
        ("hidden_character", "units[2]"),
        ("hidden_character", "events[0].name"),
    }
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in found[("hidden_character", "signer.name")]
    assert "U+200B ZERO WIDTH SPACE" in found[("hidden_character", "units[2]")]


def big_workbook(rows: int, cell: str = '<c t="n"><v>{j}</v></c>', sheets: int = 1) -> bytes:
    """A workbook of ``sheets`` sheets of ``rows`` rows of 21 cells (``cell``: a number by default), its sheet XML
    written directly (openpyxl would take minutes to write it, and as long to read it)."""
    buf = io.BytesIO()
    wb = Workbook()
    wb.active.title = SHEET
    for n in range(2, sheets + 1):
        wb.create_sheet(f"{SHEET} {n}")
    wb.save(buf)
    cells = "".join(cell.format(j=j) for j in range(21))
    body = "".join(f'<row r="{r}">{cells}</row>' for r in range(1, rows + 1))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()
    parts = {f"xl/worksheets/sheet{n}.xml" for n in range(1, sheets + 1)}
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            zout.writestr(name, sheet if name in parts else zin.read(name))
    return out.getvalue()


def test_a_sheet_of_100000_rows_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    ward = sample_ward(tmp_path)
    (ward / TO3).write_bytes(big_workbook(100_000))
    import openpyxl

    real = openpyxl.load_workbook

    def only_small(data, *args, **kwargs):
        assert not (isinstance(data, io.BytesIO) and len(data.getvalue()) > 1_000_000), "parsed the big sheet"
        return real(data, *args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", only_small)
    (p,) = problems(ward)
    assert (p.kind, p.sheet, p.value) == ("too_large", SHEET, "100.000 dòng")
    assert "tối đa 10.000 dòng số liệu mỗi trang" in p.expected


@pytest.mark.parametrize(
    ("cell", "sheets", "rows", "expected"),
    [
        (
            "<c><f>{j}+1</f></c>",
            1,
            100_000,
            "tối đa 10.000 dòng số liệu mỗi trang",
        ),  # formulas, no stored value
        ('<c s="1"/>', 1, 100_000, "tối đa 10.000 dòng số liệu mỗi trang"),  # styled, empty cells
        (
            '<c t="n"><v>{j}</v></c>',
            3,
            9_500,
            "tối đa 20.000 dòng trong cả tệp",
        ),  # each sheet under the limit
    ],
    ids=["formulas", "styled", "sheets"],
)
def test_a_workbook_cannot_dodge_the_size_limit(tmp_path, monkeypatch, cell, sheets, rows, expected):
    # Each took a minute or more and about a gigabyte to read before it was refused (or not at all).
    ward = sample_ward(tmp_path)
    (ward / TO3).write_bytes(big_workbook(rows, cell, sheets))
    import openpyxl

    real = openpyxl.load_workbook

    def only_small(data, *args, **kwargs):
        assert not (isinstance(data, io.BytesIO) and len(data.getvalue()) > 100_000), (
            "parsed the big workbook"
        )
        return real(data, *args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", only_small)
    (p,) = problems(ward)
    assert p.kind == "too_large" and expected in p.expected, p


def test_a_csv_of_100000_lines_is_refused(tmp_path):
    ward = tmp_path / "ward"
    (ward / "bao-cao").mkdir(parents=True)
    for name in ("ward.yaml", "catalog.yaml", "ke-hoach.xlsx"):
        shutil.copy(SAMPLE / name, ward / name)
    (ward / "bao-cao" / "to-03-2022.csv").write_text("Tháng,Số buổi\n" + "3,1\n" * 100_000, encoding="utf-8")
    (p,) = problems(ward)
    assert (p.kind, p.value) == ("too_large", "100.001 dòng")


def test_the_error_message_stays_short_however_many_problems():
    many = [
        Problem("duplicate", "to-03-2022.xlsx", SHEET, 19 + i, "Tháng", "Tổ 3, 01/2022")
        for i in range(100_000)
    ]
    many.append(Problem("negative", "to-04-2022.xlsx", SHEET, 9, "Số buổi", -1, "số ≥ 0", cell="E9"))
    err = DataError(many)
    lines = str(err).splitlines()
    assert len(err.problems) == 100_001  # every problem is kept for whoever reads them as data
    assert lines[0] == "Dữ liệu có 100.001 lỗi, chưa nạp được (sửa hết rồi nạp lại):"
    assert len(lines) == 3 + 50 + 1 + 1
    assert lines[-1] == "… và 99.950 dòng khác cùng lỗi “trùng tổ và tháng”"
    assert any("E9 (Số buổi)" in line for line in lines)  # another kind is never hidden by the many


def test_a_key_given_twice_in_the_catalog_or_the_ward_is_an_error_not_the_last_value(tmp_path):
    # The catalog's fund said "sum" over months, then "last": read as plain YAML the second wins and the 2022-H1
    # fund becomes June's figure alone, with no word. Each repeated key is named with both its lines.
    ward = sample_ward(tmp_path)
    catalog = ward / "catalog.yaml"
    lines = catalog.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() == "- id: quy_vnn")
    sums = next(i for i in range(at, len(lines)) if lines[i].strip() == "over_months: sum")
    lines.insert(sums + 1, "    over_months: last\n")
    catalog.write_text("".join(lines), encoding="utf-8")
    (p,) = problems(ward)
    assert (p.kind, p.file, p.row, p.column) == (
        "bad_catalog",
        "catalog.yaml",
        sums + 2,
        f"indicators[{sum(1 for line in lines[:at] if line.strip().startswith('- id:'))}].over_months",
    )
    assert f"khóa này ghi ở dòng {sums + 1} và dòng {sums + 2}" in p.expected

    ward = sample_ward(tmp_path / "again")
    description = ward / "ward.yaml"
    description.write_text(
        description.read_text(encoding="utf-8") + "named_after: place\n", encoding="utf-8"
    )  # "Phường Duy Tân" would silently read "phường Duy Tân" inside sentences
    (p,) = problems(ward)
    assert (p.kind, p.column) == ("bad_ward", "named_after") and p.file.endswith("ward.yaml")
    assert "mỗi khóa ghi một lần (khóa này ghi ở dòng 8 và dòng" in p.expected


def test_aliases_that_expand_to_millions_of_values_are_refused_before_they_are_built(tmp_path):
    ward = sample_ward(tmp_path)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=True)
    )
    description = ward / "ward.yaml"
    description.write_text(description.read_text(encoding="utf-8") + bomb, encoding="utf-8")
    (p,) = problems(ward)
    assert p.kind == "bad_ward" and "bí danh (*tên) mở ra dưới 200.000 giá trị" in p.expected


def test_a_linked_folder_of_workbooks_is_named_not_skipped(tmp_path):
    # A tổ's folder linked in (a shared drive): rglob does not go into it, so Tổ 3 would count as not reported
    # and the fund fall to 137.800.000 with exit 0.
    ward = sample_ward(tmp_path)
    elsewhere = tmp_path / "o-dia-chung" / "to-03"
    elsewhere.mkdir(parents=True)
    (ward / TO3).rename(elsewhere / "to-03-2022.xlsx")
    (ward / "bao-cao" / "2022" / "to-03").symlink_to(elsewhere, target_is_directory=True)
    (p,) = problems(ward)
    assert p.kind == "linked_folder" and p.file.endswith("bao-cao/2022/to-03"), p
    assert "o-dia-chung" not in str(p)  # named where the ward has it, not where it points
    assert "chép các tệp vào thư mục này" in p.expected
