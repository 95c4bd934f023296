"""Readers: a workbook, CSV file or SQL table becomes grids; a grid becomes located, validated rows.

One code path validates every source: an .xlsx sheet, a CSV file and a SQL table are all a ``Grid`` (rows of cell
values, merged ranges), so a header typed differently or a bad value is reported the same way wherever it is.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from reportkit import vn
from reportkit.data import values as V
from reportkit.data.errors import Location, Problem
from reportkit.data.model import Catalog, Ward, amount_scale, key

HEADER_SCAN_ROWS = 30
TOTAL_LABELS = {"tong cong", "cong", "tong", "tong so", "total", "luy ke"}


@dataclass
class Grid:
    """One table-like thing: ``rows[i][j]`` is the cell at spreadsheet row i+1, column j+1."""

    name: str | None
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based inclusive r1, c1, r2, c2
    row_numbers: list[int] | None = None  # SQL: the table's ids instead of positions

    def row_no(self, i: int) -> int:
        return self.row_numbers[i] if self.row_numbers else i + 1


@dataclass
class Row:
    """One month of one tổ as read: values by indicator id (None = not reported), where each came from."""

    unit: str
    year: int
    month: int
    values: dict[str, object]
    raw: dict[str, object]
    cells: dict[str, str]
    sheet: str | None
    row: int
    report_date: object = None
    note: str | None = None
    month_cell: str | None = None

    @property
    def reported(self) -> bool:
        return any(v is not None for v in self.values.values())


@dataclass
class PlanRow:
    year: int
    values: dict[str, object]
    sheet: str | None
    row: int


@dataclass
class FileResult:
    rows: list[Row] = field(default_factory=list)
    plans: list[PlanRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def col_letter(j: int) -> str:
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s


# ---------------------------------------------------------------- sources → grids


def xlsx_grids(data: bytes) -> list[Grid]:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), data_only=True)
    try:
        grids = []
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            merged = [
                (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges
            ]
            grids.append(Grid(ws.title, rows, merged))
        return grids
    finally:
        wb.close()


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM); otherwise a legacy 8-bit file: TCVN3/VNI bytes or Windows-1258."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        enc = vn.detect_legacy(text)
        if enc in ("tcvn3", "vni"):
            return vn.from_legacy(text, enc)
    except UnicodeDecodeError:
        pass
    return vn.nfc(data.decode("cp1258", errors="replace"))


def csv_grids(data: bytes) -> list[Grid]:
    text = decode_bytes(data)
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    return [Grid(None, rows)]


# ---------------------------------------------------------------- grids → rows


def _fill_merged(grid: Grid, limit: int) -> list[list[object]]:
    top = [list(r) for r in grid.rows[:limit]]
    for r1, c1, r2, c2 in grid.merged:
        if r1 >= limit:
            continue
        v = top[r1][c1] if c1 < len(top[r1]) else None
        for r in range(r1, min(r2, limit - 1) + 1):
            row = top[r]
            if len(row) <= c2:
                row.extend([None] * (c2 + 1 - len(row)))
            for c in range(c1, c2 + 1):
                row[c] = v
    return top


def _text(v: object) -> str:
    return "" if V.is_blank(v) else " ".join(str(v).split())


@dataclass
class Header:
    top: int  # index of the first header row
    row: int  # index of the last header row
    first_data: int
    columns: dict[int, tuple[str, str]]  # column index → ("indicator", id) | ("field", name)
    labels: dict[int, str]  # column index → header as written
    unknown: list[int]


def find_header(grid: Grid, catalog: Catalog, need: str) -> Header | None:
    """The header row: the row (or pair of rows under merged group cells) matching most catalog columns."""
    top = _fill_merged(grid, HEADER_SCAN_ROWS)
    best: tuple[int, int, int] | None = None  # (score, -r, -depth)
    found: dict[tuple[int, int], tuple[dict, dict, list]] = {}
    for r in range(len(top)):
        for depth in (1, 2):
            if r + depth > len(top):
                continue
            width = max(len(top[r + d]) for d in range(depth))
            cols, labels, unknown = {}, {}, []
            for c in range(width):
                parts = [_text(top[r + d][c]) if c < len(top[r + d]) else "" for d in range(depth)]
                parts = [p for p in dict.fromkeys(parts) if p]
                if not parts:
                    continue
                candidates = [" ".join(parts), *reversed(parts)] if len(parts) > 1 else parts
                hit = next((h for h in map(catalog.match, candidates) if h), None)
                labels[c] = " / ".join(parts)
                if hit:
                    cols[c] = hit
                else:
                    unknown.append(c)
            if ("field", need) not in cols.values() or len(cols) < 2:
                continue
            score = (len(cols), -r, -depth)
            if best is None or score > best:
                best = score
                found[(r, depth)] = (cols, labels, unknown)
    if best is None:
        return None
    r, depth = -best[1], -best[2]
    cols, labels, unknown = found[(r, depth)]
    return Header(r, r + depth - 1, r + depth, cols, labels, unknown)


def _decode_grids(grids: list[Grid]) -> None:
    """Decode legacy TCVN3/VNI text, sheet by sheet (each sheet was typed in its own font)."""
    for g in grids:
        texts = [c for row in g.rows[:HEADER_SCAN_ROWS] for c in row if isinstance(c, str)]
        enc = vn.detect_legacy(" ".join(texts)) if texts else None
        for row in g.rows:
            for j, c in enumerate(row):
                if isinstance(c, str):
                    row[j] = V.clean_text(c, enc)


_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


def _title_info(grid: Grid, header: Header, ward: Ward, catalog: Catalog):
    """Tổ and year written above the table ("Tổ dân phố: Tổ 3", "NĂM 2022"); the unit text seen and its cell."""
    match_unit = ward.unit_matcher()
    unit = year = None
    seen = ""
    where: tuple[int, int] | None = None
    for r in range(header.top):
        row = grid.rows[r]
        cells = [(j, _text(c)) for j, c in enumerate(row) if not V.is_blank(c)]
        for n, (j, t) in enumerate(cells):
            label, sep, rest = t.partition(":")
            target = catalog.match(label) if sep else catalog.match(t)
            if target and target[0] == "field":
                value = rest.strip() or (cells[n + 1][1] if n + 1 < len(cells) else "")
                if target[1] == "unit" and value and unit is None:
                    seen = value
                    where = (r, j if rest.strip() or n + 1 >= len(cells) else cells[n + 1][0])
                    unit = match_unit(value)
                elif target[1] == "year" and value and year is None:
                    m = _YEAR.search(value)
                    year = int(m.group(1)) if m else None
            if year is None:
                m = re.search(r"\bnam (19\d\d|20\d\d)\b", vn.fold(t))
                if m:
                    year = int(m.group(1))
    return unit, year, seen, where


def _is_month(value: object) -> bool:
    if V.is_blank(value):
        return False
    try:
        V.month(value)
    except V.CellError:
        return False
    return True


def _path_info(path: Path, ward: Ward) -> tuple[str | None, int | None]:
    stem = path.stem
    m = _YEAR.search(stem) or _YEAR.search(path.parent.name)
    year = int(m.group(1)) if m else None
    unit = ward.unit_matcher()(_YEAR.sub(" ", stem.replace("-", " ").replace("_", " ")))
    return unit, year


def read_reports(path: Path | None, grids: list[Grid], file: str, ward: Ward, catalog: Catalog) -> FileResult:
    """Validated monthly rows from every sheet of one source that holds a report table."""
    res = FileResult()
    _decode_grids(grids)
    match_unit = ward.unit_matcher()
    path_unit, path_year = _path_info(path, ward) if path is not None else (None, None)
    tables = 0
    for grid in grids:
        header = find_header(grid, catalog, "month")
        if header is None:
            continue
        tables += 1
        sheet = grid.name
        hrow = grid.row_no(header.row)

        def problem(kind, row, col=None, value=None, expected=None, cell=None, other=None, _sheet=sheet):
            res.problems.append(Problem(kind, file, _sheet, row, col, value, expected, other, cell))

        def cell_name(j, i, grid=grid):
            return (
                f"{col_letter(j)}{grid.row_no(i)}" if grid.name is not None and not grid.row_numbers else None
            )

        by_target: dict[tuple[str, str], int] = {}
        for j, target in sorted(header.columns.items()):
            if target in by_target:
                problem("duplicate_column", hrow, header.labels[j], header.labels[j],
                        f"một cột cho “{header.labels[by_target[target]]}”", cell_name(j, header.row))  # fmt: skip
                continue
            by_target[target] = j
        for j in header.unknown:
            problem("unknown_column", hrow, header.labels[j], header.labels[j],
                    "tên cột trong danh mục chỉ tiêu (catalog.yaml)", cell_name(j, header.row))  # fmt: skip
        title_unit, title_year, title_unit_text, unit_at = _title_info(grid, header, ward, catalog)
        unit_col = by_target.get(("field", "unit"))
        year_col = by_target.get(("field", "year"))
        date_col = by_target.get(("field", "report_date"))
        note_col = by_target.get(("field", "note"))
        month_col = by_target[("field", "month")]
        file_year = title_year or path_year
        fixed_unit = title_unit or path_unit
        if unit_col is None and fixed_unit is None:
            if title_unit_text:
                problem("unknown_unit", grid.row_no(unit_at[0]), "Tổ dân phố", title_unit_text,
                        "một trong: " + ", ".join(ward.units), cell_name(*unit_at[::-1]))  # fmt: skip
            else:
                problem(
                    "missing_unit", hrow, "Tổ dân phố", None, "cột “Tổ dân phố” hoặc dòng “Tổ dân phố: …”"
                )
        for ind in catalog:
            if not ind.optional and ("indicator", ind.id) not in by_target:
                problem("missing_column", hrow, ind.header, None, f"cột “{ind.header}” ({ind.id})")
        ind_cols = [(j, catalog[t[1]]) for t, j in by_target.items() if t[0] == "indicator"]
        scales = {
            ind.id: amount_scale(header.labels[j]) if ind.kind == "amount" else 1 for j, ind in ind_cols
        }
        started = gap = False
        for i in range(header.first_data, len(grid.rows)):
            cells = grid.rows[i]

            def at(j, cells=cells):
                return cells[j] if j is not None and j < len(cells) else None

            if all(V.is_blank(c) for c in cells):
                gap = started
                continue
            started = True
            rno = grid.row_no(i)
            mcell = at(month_col)
            # Below a blank line sits either more months (a row emptied by hand) or the signature block: only a
            # row whose month cell reads as a month is data there, so no typed month is ever dropped unseen.
            if gap and not _is_month(mcell):
                continue
            if isinstance(mcell, str) and key(mcell) in TOTAL_LABELS:
                continue
            values: dict[str, object] = {}
            raw: dict[str, object] = {}
            cells_of: dict[str, str] = {}
            bad = False
            for j, ind in ind_cols:
                v = at(j)
                raw[ind.id] = v
                cells_of[ind.id] = cell_name(j, i)
                try:
                    if ind.kind == "yesno":
                        x = V.yes_no(v)
                    elif ind.kind == "text":
                        x = None if V.is_blank(v) else str(v).strip()
                    else:
                        x = V.number(
                            v, whole=ind.kind == "count", scale=scales[ind.id], amount=ind.kind == "amount"
                        )
                except V.CellError as e:
                    problem(e.kind, rno, header.labels[j], v, e.expected, cell_name(j, i))
                    bad = True
                    continue
                if isinstance(x, int | float) and not isinstance(x, bool):
                    if x < 0:
                        problem("negative", rno, header.labels[j], v, "số ≥ 0", cell_name(j, i))
                        bad = True
                    elif (ind.min is not None and x < ind.min) or (ind.max is not None and x > ind.max):
                        lo = vn.number(ind.min) if ind.min is not None else "…"
                        hi = vn.number(ind.max) if ind.max is not None else "…"
                        problem("out_of_range", rno, header.labels[j], v, f"từ {lo} đến {hi} {ind.unit}".strip(),
                                cell_name(j, i))  # fmt: skip
                        bad = True
                values[ind.id] = x
            if V.is_blank(mcell):
                if any(not V.is_blank(at(j)) for j, _ in ind_cols):
                    problem("missing_month", rno, header.labels[month_col], None, "tháng 1–12",
                            cell_name(month_col, i))  # fmt: skip
                continue
            try:
                y, m = V.month(mcell)
            except V.CellError as e:
                problem(e.kind, rno, header.labels[month_col], mcell, e.expected, cell_name(month_col, i))
                continue
            row_year = None
            if year_col is not None and not V.is_blank(at(year_col)):
                try:
                    row_year = V.number(at(year_col), whole=True)
                except V.CellError:
                    problem("bad_month", rno, header.labels[year_col], at(year_col), "năm, vd. 2022",
                            cell_name(year_col, i))  # fmt: skip
                    continue
            expected_year = row_year or file_year
            if y is not None and expected_year is not None and y != expected_year:
                problem("month_outside_year", rno, header.labels[month_col], mcell,
                        f"một tháng của năm {expected_year}", cell_name(month_col, i))  # fmt: skip
                continue
            year = y or expected_year
            if year is None:
                problem("missing_year", rno, header.labels[month_col], mcell,
                        "năm ở tiêu đề (NĂM 2022), trong tên tệp hoặc cột “Năm”", cell_name(month_col, i))  # fmt: skip
                continue
            if unit_col is not None and not V.is_blank(at(unit_col)):
                unit = match_unit(at(unit_col))
                if unit is None:
                    problem("unknown_unit", rno, header.labels[unit_col], at(unit_col),
                            "một trong: " + ", ".join(ward.units), cell_name(unit_col, i))  # fmt: skip
                    continue
            else:
                unit = fixed_unit
                if unit is None:
                    if unit_col is not None:
                        problem("missing_unit", rno, header.labels[unit_col], None, "tên tổ",
                                cell_name(unit_col, i))  # fmt: skip
                    continue
            rdate = None
            if date_col is not None:
                try:
                    rdate = V.date(at(date_col))
                except V.CellError as e:
                    problem(
                        e.kind, rno, header.labels[date_col], at(date_col), e.expected, cell_name(date_col, i)
                    )
                    bad = True
            if bad:
                continue
            note = at(note_col)
            res.rows.append(
                Row(unit, int(year), m, values, raw, cells_of, sheet, rno, rdate,
                    None if V.is_blank(note) else str(note), cell_name(month_col, i))
            )  # fmt: skip
    if tables == 0:
        res.problems.append(Problem("no_table", file, None, None, "Tháng", None,
                                    "một bảng có dòng tiêu đề với cột “Tháng” và các chỉ tiêu"))  # fmt: skip
    return res


def read_plan(grids: list[Grid], file: str, catalog: Catalog) -> FileResult:
    """Plan targets per year: a table with “Năm” and one column per planned indicator."""
    res = FileResult()
    _decode_grids(grids)
    tables = 0
    seen: dict[int, Location] = {}
    for grid in grids:
        header = find_header(grid, catalog, "year")
        if header is None:
            continue
        tables += 1
        sheet = grid.name
        for j in header.unknown:
            res.problems.append(Problem("unknown_column", file, sheet, grid.row_no(header.row), header.labels[j],
                                        header.labels[j], "tên cột trong danh mục chỉ tiêu"))  # fmt: skip
        ycol = next(j for j, t in header.columns.items() if t == ("field", "year"))
        ind_cols = [(j, catalog[t[1]]) for j, t in header.columns.items() if t[0] == "indicator"]
        for i in range(header.first_data, len(grid.rows)):
            cells = grid.rows[i]
            if all(V.is_blank(c) for c in cells):
                continue
            rno = grid.row_no(i)

            def at(j, cells=cells):
                return cells[j] if j < len(cells) else None

            try:
                year = V.number(at(ycol), whole=True)
                if year is None or not 1900 <= year <= 2100:
                    raise V.CellError("non_numeric", "năm, vd. 2022")
            except V.CellError as e:
                res.problems.append(
                    Problem(e.kind, file, sheet, rno, header.labels[ycol], at(ycol), e.expected)
                )
                continue
            if year in seen:
                res.problems.append(Problem("duplicate_plan", file, sheet, rno, header.labels[ycol], year,
                                            "mỗi năm một dòng", seen[year]))  # fmt: skip
                continue
            seen[year] = Location(file, sheet, rno)
            vals = {}
            for j, ind in ind_cols:
                v = at(j)
                try:
                    x = V.number(v, whole=ind.kind == "count", scale=amount_scale(header.labels[j]),
                                 amount=ind.kind == "amount")  # fmt: skip
                    if x is not None and x < 0:
                        raise V.CellError("negative", "số ≥ 0")
                except V.CellError as e:
                    res.problems.append(Problem(e.kind, file, sheet, rno, header.labels[j], v, e.expected))
                    continue
                if x is not None:
                    vals[ind.id] = x
            res.plans.append(PlanRow(year, vals, sheet, rno))
    if tables == 0:
        res.problems.append(Problem("no_table", file, None, None, "Năm", None, "bảng kế hoạch có cột “Năm”"))
    return res
