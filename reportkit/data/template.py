"""The collection template: the blank workbook a tổ fills in, generated from the catalog.

What comes back loads with no mapping: its headers are the catalog's own labels, its title rows carry the tổ and
the year the reader looks for, and Excel data validation stops most bad values at the keyboard.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from reportkit.core.atomic import write_atomic
from reportkit.data.model import Catalog, Indicator

SHEET = "Số liệu"
FIRST_HEADER_ROW = 5
_FIXED_TIME = (2023, 7, 1, 0, 0, 0)


@dataclass
class Layout:
    """Where things are in a generated workbook: column letter per indicator id, row per month (1–12)."""

    columns: dict[str, str]
    month_rows: dict[int, int]
    unit_cell: str
    year_cell: str


def _sample_catalog() -> Catalog:
    from reportkit.data.dataset import SAMPLE_WARD

    return Catalog.from_yaml(SAMPLE_WARD / "catalog.yaml")


def _header_text(ind: Indicator, money_unit: str = "đồng") -> str:
    """The column header with the unit its kind writes: "Số buổi (buổi)", "Quỹ vận động được (đồng)"."""
    unit = ind.type.header_unit(ind, money_unit)
    return f"{ind.header} ({unit})" if unit and "(" not in ind.header else ind.header


def _add_validation(ws, ind: Indicator, cells: str) -> None:
    """Excel refuses what the indicator's kind would refuse, e.g. "“Buổi tuyên truyền”: nhập số ≥ 0"."""
    rule = ind.type.validation(ind)
    if rule is None:
        return
    dv = DataValidation(type=rule.type, operator=rule.operator, formula1=rule.formula1, formula2=rule.formula2,
                        allow_blank=True)  # fmt: skip
    dv.error = f"“{ind.label}”: {rule.error}"
    dv.errorTitle = "Giá trị không hợp lệ"
    dv.showErrorMessage = True
    ws.add_data_validation(dv)
    dv.add(cells)


def build_workbook(catalog: Catalog, unit: str | None = None, year: int | None = None,
                   ward_name: str | None = None, amount_unit: str = "đồng") -> tuple[Workbook, Layout]:  # fmt: skip
    """The template workbook in memory and its layout (make_sample.py fills it like a tổ would)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    bold = Font(bold=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    inds = list(catalog)
    ncols = 1 + len(inds) + 2
    last = get_column_letter(ncols)
    title = "BIỂU SỐ LIỆU CÔNG TÁC MẶT TRẬN HÀNG THÁNG" + (f" NĂM {year}" if year else "")
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=13)
    ws.merge_cells(f"A1:{last}1")
    ws["A2"], ws["B2"] = "Tổ dân phố:", unit
    ws["A3"], ws["B3"] = "Năm:", year
    if ward_name:
        ws["A4"] = ward_name
    for c in ("A2", "A3"):
        ws[c].font = bold
    h1, h2 = FIRST_HEADER_ROW, FIRST_HEADER_ROW + 1
    ws.cell(h1, 1, "Tháng")
    ws.merge_cells(start_row=h1, start_column=1, end_row=h2, end_column=1)
    columns: dict[str, str] = {}
    col = 2
    i = 0
    while i < len(inds):
        ind = inds[i]
        if ind.group:
            j = i
            while j < len(inds) and inds[j].group == ind.group:
                j += 1
            ws.cell(h1, col, ind.group)
            if j - i > 1:
                ws.merge_cells(start_row=h1, start_column=col, end_row=h1, end_column=col + j - i - 1)
            for k in range(i, j):
                ws.cell(h2, col + k - i, _header_text(inds[k], amount_unit))
                columns[inds[k].id] = get_column_letter(col + k - i)
            col += j - i
            i = j
        else:
            ws.cell(h1, col, _header_text(ind, amount_unit))
            ws.merge_cells(start_row=h1, start_column=col, end_row=h2, end_column=col)
            columns[ind.id] = get_column_letter(col)
            col += 1
            i += 1
    for text in ("Ngày báo cáo", "Ghi chú"):
        ws.cell(h1, col, text)
        ws.merge_cells(start_row=h1, start_column=col, end_row=h2, end_column=col)
        columns[text] = get_column_letter(col)
        col += 1
    for r in (h1, h2):
        for c in range(1, ncols + 1):
            cell = ws.cell(r, c)
            cell.font, cell.alignment, cell.border, cell.fill = bold, center, box, head_fill
    month_rows = {}
    for m in range(1, 13):
        r = h2 + m
        month_rows[m] = r
        ws.cell(r, 1, m).alignment = Alignment(horizontal="center")
        for c in range(1, ncols + 1):
            ws.cell(r, c).border = box
    first, lastrow = h2 + 1, h2 + 12
    ws.column_dimensions["A"].width = 12
    for letter in columns.values():
        ws.column_dimensions[letter].width = 14
    ws.row_dimensions[h2].height = 60
    ws.freeze_panes = ws.cell(first, 2)

    for ind in inds:
        _add_validation(ws, ind, f"{columns[ind.id]}{first}:{columns[ind.id]}{lastrow}")

    guide = wb.create_sheet("Hướng dẫn")
    lines = [
        "HƯỚNG DẪN ĐIỀN BIỂU SỐ LIỆU",
        "",
        "1. Mỗi tổ dân phố dùng một tệp cho một năm; ghi tên tổ và năm ở đầu trang “Số liệu”.",
        "2. Mỗi tháng một dòng; không đổi tên, không xóa, không chèn cột.",
        "3. Ô để trống nghĩa là CHƯA BÁO CÁO (không phải 0). Không có thì ghi 0 hoặc dấu “-”.",
        "4. Số viết theo kiểu Việt Nam: 1.200 (một nghìn hai trăm), 2,5 (hai phẩy năm).",
        "5. Cột Có/Không: chọn “Có” hoặc “Không”.",
        "6. Ngày báo cáo ghi dạng ngày/tháng/năm, vd. 05/03/2022.",
        "",
        "Chỉ tiêu",
    ]
    for r, text in enumerate(lines, 1):
        guide.cell(r, 1, text)
    guide["A1"].font = Font(bold=True, size=13)
    r = len(lines) + 1
    for c, text in enumerate(("Cột", "Chỉ tiêu", "Đơn vị", "Cách nhập"), 1):
        guide.cell(r, c, text).font = bold
    for ind in inds:
        r += 1
        guide.cell(r, 1, columns[ind.id])
        guide.cell(r, 2, ind.label)
        guide.cell(r, 3, ind.unit)
        guide.cell(r, 4, ind.type.how(ind))
    guide.column_dimensions["B"].width = 60
    guide.column_dimensions["D"].width = 30
    return wb, Layout(columns, month_rows, "B2", "B3")


# A text starting with one of these is a formula to Excel (or to Excel reading a CSV copy of the sheet): a tổ name or
# catalog label "=HYPERLINK(…)" must stay the text it is, never run in the workbook people open.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cells(wb: Workbook) -> None:
    """Write every text that Excel would read as a formula as a text cell, marked so (Excel's leading apostrophe)."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    cell.data_type = "s"
                    cell.quotePrefix = True


def save_workbook(wb: Workbook, path: str | os.PathLike) -> Path:
    """Save atomically (no half-written file) and byte-reproducibly (fixed timestamps); no text becomes a formula."""
    path = Path(path)
    as_text_cells(wb)
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(created|modified)[^>]*>)[^<]*", rb"\g<1>2023-07-01T00:00:00Z", data
                )
            zi = zipfile.ZipInfo(info.filename, _FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(zi, data)
    return write_atomic(path, out.getvalue())


def write_template(path: str | os.PathLike, catalog: Catalog | str | os.PathLike | None = None,
                   unit: str | None = None, year: int | None = None) -> Path:  # fmt: skip
    """Write the blank collection workbook for one tổ and year, e.g. ``write_template("to-03-2024.xlsx",
    unit="Tổ 3", year=2024)``; ``catalog`` defaults to the sample ward's."""
    if year is not None and not 1900 <= year <= 2200:
        raise ValueError(f"year {year}: expected a year such as 2024 (1900–2200)")
    ward_file = None
    if catalog is None:
        from reportkit.data.dataset import SAMPLE_WARD

        catalog, ward_file = _sample_catalog(), SAMPLE_WARD / "ward.yaml"
    elif not isinstance(catalog, Catalog):
        ward_file = Path(catalog).parent / "ward.yaml"
        catalog = Catalog.from_yaml(catalog)
    if unit is not None and ward_file is not None and ward_file.is_file():
        unit = _known_unit(unit, ward_file)
    wb, _ = build_workbook(catalog, unit, year)
    return save_workbook(wb, path)


def _known_unit(unit: str, ward_file: Path) -> str:
    """The ward's own name for ``unit`` ("tổ 03" → "Tổ 3"); a tổ the ward does not have is an error, not a file."""
    import yaml

    from reportkit.data.model import Ward

    ward = Ward.from_mapping(yaml.safe_load(ward_file.read_text(encoding="utf-8")) or {}, str(ward_file))
    known = ward.unit_matcher()(unit)
    if known is None:
        raise ValueError(
            f"unit {unit!r}: {ward.name} không có tổ này (theo {ward_file}); các tổ: {', '.join(ward.units)}"
        )
    return known
