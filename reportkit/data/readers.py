"""Readers: a workbook, CSV file or SQL table becomes grids; a grid becomes located, validated rows.

One code path validates every source: an .xlsx sheet, a CSV file and a SQL table are all a ``Grid`` (rows of cell
values, merged ranges), so a header typed differently or a bad value is reported the same way wherever it is.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from reportkit import vn
from reportkit.core.inputs import year_in_name
from reportkit.data import values as V
from reportkit.data.errors import Location, Problem
from reportkit.data.model import Catalog, Indicator, Ward, key

HEADER_SCAN_ROWS = 30
TOTAL_LABELS = {"tong cong", "cong", "tong", "tong so", "total", "luy ke"}


@dataclass
class Grid:
    """One table-like thing: ``rows[i][j]`` is the cell at spreadsheet row i+1, column j+1."""

    name: str | None
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # 0-based inclusive r1, c1, r2, c2
    row_numbers: list[int] | None = None  # SQL: the table's ids instead of positions
    uncomputed: dict[tuple[int, int], str] = field(default_factory=dict)  # (i, j) → a formula with no value

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
    note_cell: str | None = None

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

# A tổ's workbook holds one row per month (a ward's whole history in one sheet is a few thousand rows): more rows
# with values in one sheet, or more XML than this, is refused before openpyxl spends minutes and gigabytes on it.
MAX_SHEET_ROWS = 10_000
MAX_SHEET_BYTES = 200_000_000  # the uncompressed XML of one sheet (a zip bomb stops here too)
# All sheets together: eleven sheets just under the limit each would take a minute and a gigabyte to read.
MAX_WORKBOOK_ROWS = 20_000
MAX_WORKBOOK_BYTES = 300_000_000
# And its cells (openpyxl builds each, ~10 µs and ~400 bytes apiece): a second sheet of 4,000 rows × 500 numbers,
# under the row limits, took 21 s and 877 MB. 400,000 cells load in a few seconds; a ward's whole history in one
# sheet (10,000 rows of 21 columns) stays within it.
MAX_WORKBOOK_CELLS = 400_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 files, and every password-protected workbook
READABLE = (".xlsx", ".xlsm", ".csv")
RESAVE = "mở bằng Excel và lưu lại dạng .xlsx (Tệp › Lưu thành › Sổ làm việc Excel)"
# Spreadsheets reportkit does not read: named, never skipped (a skipped tổ would read as "not reported").
UNSUPPORTED = {
    ".xls": "tệp Excel 97–2003 (.xls)",
    ".xlt": "mẫu Excel 97–2003 (.xlt)",
    ".xlsb": "sổ làm việc nhị phân (.xlsb)",
    ".xltx": "tệp mẫu Excel (.xltx)",
    ".xltm": "tệp mẫu Excel (.xltm)",
    ".ods": "tệp OpenDocument (.ods)",
    ".fods": "tệp OpenDocument (.fods)",
    ".numbers": "tệp Numbers (.numbers)",
    ".et": "tệp WPS (.et)",
    # What Excel's "Lưu thành" also writes: a tổ's workbook in one of them is still its month's figures.
    ".xml": "bảng tính XML 2003 (.xml)",
    ".txt": "tệp văn bản (.txt)",
    ".tsv": "tệp văn bản tách bằng tab (.tsv)",
    ".prn": "tệp văn bản (.prn)",
    ".dif": "tệp DIF (.dif)",
    ".slk": "tệp SYLK (.slk)",
}
SPREADSHEET_FORMATS = frozenset(UNSUPPORTED) - {".xml", ".txt", ".tsv", ".prn", ".dif", ".slk"}
# Files of a reports folder that are clearly nobody's data: what Windows puts in a folder it shows. Hidden files
# (".DS_Store", LibreOffice's ".~lock.…#") and Office's lock files ("~$…") are not data either (is_data).
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})


def is_data(name: str) -> bool:
    """Whether a file (or folder) of a reports folder is someone's data: anything but a hidden file, an Office
    lock file or a file Windows writes itself — a README or notes there are data too, until moved out."""
    return not name.startswith((".", "~$")) and name.lower() not in SYSTEM_FILES


def unsupported(name: str, folder: str | None = None) -> str | None:
    """What to do with a file reportkit does not read (what it is, and "mở bằng Excel và lưu lại dạng .xlsx";
    outside a spreadsheet format, or move it out of ``folder``); None for a file it reads.

    Every file of a reports folder is read or named: skipped, its tổ would count as not reported.
    """
    suffix = Path(name).suffix.lower()
    if suffix in READABLE:
        return None
    # Said after "cần" (Problem.__str__, the "Cần" column): what is needed first, then what this file is.
    if suffix in SPREADSHEET_FORMATS:
        return f"tệp .xlsx (đây là {UNSUPPORTED[suffix]}): {RESAVE}"
    what = UNSUPPORTED.get(suffix) or (
        f"tệp ({suffix}) không phải bảng tính" if suffix else "tệp không có đuôi"
    )
    away = f"; nếu không, chuyển ra khỏi thư mục {folder}/" if folder else ""
    return f"tệp .xlsx hoặc .csv (đây là {what}): nếu là số liệu của tổ, {RESAVE}{away}"


class Unreadable(Exception):
    """A source that cannot be read exactly; ``problems`` locate why as far as the file allows (``file`` empty)."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.describe() for p in problems))
        self.problems = problems


def _refuse(kind: str, expected: str, value: object = None, sheet: str | None = None, row: int | None = None):
    return Unreadable([Problem(kind, "", sheet, row, None, value, expected)])


def grids_of(suffix: str, data: bytes) -> list[Grid]:
    """The grids of one file by its suffix; :class:`Unreadable` for a format or a content that cannot be read."""
    suffix = suffix.lower()
    if suffix not in READABLE:
        raise _refuse("unsupported_format", unsupported(f"x{suffix}"), suffix or None)
    if suffix == ".csv":
        return csv_grids(data)
    return xlsx_grids(data)


def _container(data: bytes) -> zipfile.ZipFile | None:
    """The workbook's zip; a password-protected or old-format file, renamed .xlsx or not, is named as such."""
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise _refuse(
                "encrypted_workbook",
                "mở bằng Excel, gỡ mật khẩu (Tệp › Thông tin › Bảo vệ sổ làm việc › Mã hóa bằng mật khẩu: xóa "
                "trống) rồi lưu lại dạng .xlsx",
            )
        raise _refuse(
            "unsupported_format",
            f"tệp .xlsx thật (đây là tệp Excel 97–2003 mang tên .xlsx): {RESAVE}",
            ".xls",
        )
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None  # openpyxl says what it is not
    with contextlib.suppress(KeyError):
        if zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument"):
            raise _refuse(
                "unsupported_format",
                f"tệp .xlsx thật (đây là tệp OpenDocument mang tên .xlsx): {RESAVE}",
                ".ods",
            )
    return zf


_ROOT = re.compile(rb"<(?:(\w+):)?worksheet\b")
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) of every worksheet, in workbook order."""
    try:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return []
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts = []
    for sheet in book.iter(f"{_NS_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_NS_REL}id"), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        parts.append((sheet.get("name", ""), part))
    return parts


def _scan_sheet(zf: zipfile.ZipFile, part: str) -> tuple[int, int, int, bool]:
    """(rows holding a cell, cells, uncompressed bytes, holds a formula), streamed: the sheet is never held whole.
    A cell counts whether it holds a value, only a formula or only a style: openpyxl builds each of them.

    Plain byte searches (a regular expression per cell is ten times slower): the tags carry the prefix the root
    element uses, "x:" in files of the Open XML SDK, none in Excel's.
    """
    rows, cells, size, formulas = 0, 0, 0, False
    rest, end_tag, marks = b"", None, ()
    try:
        stream = zf.open(part)
    except KeyError:
        return 0, 0, 0, False
    with stream:
        while chunk := stream.read(1 << 20):
            size += len(chunk)
            if size > MAX_SHEET_BYTES:
                break
            rest += chunk
            if end_tag is None:
                root = _ROOT.search(rest)
                if root is None and len(rest) < 4096:
                    continue
                ns = root.group(1) + b":" if root is not None and root.group(1) else b""
                end_tag = b"</" + ns + b"row>"
                marks = tuple(b"<" + ns + tag for tag in (b"c>", b"c ", b"c/"))
                formula = (b"<" + ns + b"f>", b"<" + ns + b"f ")
            cut = rest.rfind(end_tag)
            if cut < 0:
                continue
            done, rest = rest[: cut + len(end_tag)], rest[cut + len(end_tag) :]
            formulas = formulas or any(f in done for f in formula)
            rows += sum(1 for row in done.split(end_tag) if any(m in row for m in marks))
            cells += sum(done.count(m) for m in marks)
    return rows, cells, size, formulas


def xlsx_grids(data: bytes) -> list[Grid]:
    """Every sheet of a workbook with the values Excel computed; merged ranges; formulas without a value marked.

    A formula whose result the file does not hold (written by a script or a library, never opened in Excel) is
    not blank: ``Grid.uncomputed`` keeps it, and the table reader reports it.
    """
    from openpyxl import load_workbook

    zf = _container(data)
    with_formulas = False
    stale = zf is not None and _recalculated_on_open(zf)
    if zf is not None:
        all_rows = all_cells = all_bytes = 0
        for name, part in _sheet_parts(zf):
            rows, cells, size, formulas = _scan_sheet(zf, part)
            with_formulas = with_formulas or formulas
            whole = size <= MAX_SHEET_BYTES
            if rows > MAX_SHEET_ROWS:
                raise _refuse("too_large", f"tối đa {vn.number(MAX_SHEET_ROWS)} dòng số liệu mỗi trang: tách tệp "
                              "(mỗi tổ, mỗi năm một tệp)", f"{'' if whole else 'hơn '}{vn.number(rows)} dòng", name)  # fmt: skip
            if not whole:
                raise _refuse("too_large", f"mỗi trang dưới {MAX_SHEET_BYTES // 1_000_000} MB dữ liệu: tách tệp "
                              "(mỗi tổ, mỗi năm một tệp)", f"hơn {MAX_SHEET_BYTES // 1_000_000} MB", name)  # fmt: skip
            all_rows, all_bytes = all_rows + rows, all_bytes + size
            if all_rows > MAX_WORKBOOK_ROWS or all_bytes > MAX_WORKBOOK_BYTES:
                raise _refuse("too_large", f"tối đa {vn.number(MAX_WORKBOOK_ROWS)} dòng trong cả tệp (mọi trang "
                              "cộng lại): tách tệp (mỗi tổ, mỗi năm một tệp)",
                              f"{vn.number(all_rows)} dòng đến hết trang này", name)  # fmt: skip
            all_cells += cells
            if all_cells > MAX_WORKBOOK_CELLS:
                raise _refuse("too_large", f"tối đa {vn.number(MAX_WORKBOOK_CELLS)} ô trong cả tệp (mọi trang "
                              "cộng lại): xóa các trang không phải biểu số liệu, hoặc tách tệp",
                              f"{vn.number(all_cells)} ô đến hết trang này", name)  # fmt: skip
    wb = load_workbook(io.BytesIO(data), data_only=True)
    try:
        grids = []
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            merged = [
                (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges
            ]
            grids.append(Grid(ws.title, rows, merged))
    finally:
        wb.close()
    if with_formulas:
        _mark_uncomputed(data, grids, stale)
    return grids


_FULL_CALC = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*\bfullCalcOnLoad=\"(?:1|true)\"")


def _recalculated_on_open(zf: zipfile.ZipFile) -> bool:
    """The workbook asks to be recalculated when opened (``fullCalcOnLoad``): what XlsxWriter, openpyxl and other
    libraries write, with a placeholder result (XlsxWriter stores 0) that no spreadsheet program computed."""
    try:
        return _FULL_CALC.search(zf.read("xl/workbook.xml")) is not None
    except KeyError:
        return False


def _mark_uncomputed(data: bytes, grids: list[Grid], stale: bool = False) -> None:
    """Record every formula cell whose computed value the file lacks (openpyxl reads it as blank) — with
    ``stale``, every formula cell: the stored results are placeholders, not values Excel computed."""
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data), data_only=False, read_only=True)
    try:
        for ws, grid in zip(wb.worksheets, grids, strict=True):
            for row in ws.iter_rows():
                for cell in row:
                    formula = cell.value
                    if cell.data_type != "f" or not hasattr(cell, "row"):
                        continue
                    i, j = cell.row - 1, cell.column - 1
                    if (
                        not stale
                        and i < len(grid.rows)
                        and j < len(grid.rows[i])
                        and grid.rows[i][j] is not None
                    ):
                        continue
                    text = getattr(formula, "text", formula)  # an array formula keeps its text in .text
                    grid.uncomputed[(i, j)] = str(text)
    finally:
        wb.close()


def decode_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM); otherwise a legacy 8-bit file: TCVN3/VNI bytes or Windows-1258.

    A UTF-8 file with a few bytes that are not (a line pasted from a legacy file) is neither: :class:`Unreadable`
    names each such line rather than decoding the whole file wrongly.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    _refuse_mixed(data)
    try:
        text = data.decode("cp1252")
        enc = vn.detect_legacy(text)
        if enc in ("tcvn3", "vni"):
            return vn.from_legacy(text, enc)
    except UnicodeDecodeError:
        pass
    return vn.nfc(data.decode("cp1258", errors="replace"))


_ESCAPED = re.compile("[\udc80-\udcff]")


def _refuse_mixed(data: bytes) -> None:
    """Raise :class:`Unreadable` when ``data`` is mostly valid UTF-8 (more valid non-ASCII characters than bad
    bytes): a legacy file has almost none, so the bad bytes are foreign lines, each located here."""
    text = data.decode("utf-8", errors="surrogateescape")
    bad = len(_ESCAPED.findall(text))
    valid = sum(1 for ch in text if ord(ch) > 127) - bad
    if valid <= bad:
        return
    problems = []
    for n, line in enumerate(text.split("\n"), 1):
        hit = _ESCAPED.search(line)
        if hit is None:
            continue
        excerpt = line[max(0, hit.start() - 15) : hit.start() + 15]
        shown = excerpt.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace").strip()
        problems.append(Problem("mixed_encoding", "", None, n, None, shown,
                                "cả tệp một kiểu mã UTF-8: mở bằng Excel và lưu lại dạng .xlsx hoặc CSV UTF-8"))  # fmt: skip
    raise Unreadable(problems)


def csv_grids(data: bytes) -> list[Grid]:
    text = decode_bytes(data)
    lines = text.count("\n")
    if lines > MAX_SHEET_ROWS:
        raise _refuse("too_large", f"tối đa {vn.number(MAX_SHEET_ROWS)} dòng số liệu mỗi tệp: tách tệp (mỗi tổ, "
                      "mỗi năm một tệp)", f"{vn.number(lines)} dòng")  # fmt: skip
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
    # The year from the name follows the batch's rule (reportkit.core.inputs), so both agree on what a file holds.
    unit = ward.unit_matcher()(_YEAR.sub(" ", path.stem.replace("-", " ").replace("_", " ")))
    return unit, year_in_name(path)


def _cell(cells: list[object], j: int | None) -> object:
    return cells[j] if j is not None and j < len(cells) else None


@dataclass
class Column:
    """An indicator's column in one table: its index, its header as written, the scale the header's unit implies."""

    index: int
    indicator: Indicator
    label: str
    scale: int = 1

    def read(self, cell: object) -> object:
        """A report cell through the indicator's kind: the value, or CellError."""
        return self.indicator.type.value(cell, self.indicator, self.scale)

    def target(self, cell: object) -> object:
        """A plan cell through the indicator's kind: the year's target, or CellError."""
        return self.indicator.type.target(cell, self.label)


class _Table:
    """One grid below its header row: where its problems go and how its cells are named."""

    def __init__(self, grid: Grid, header: Header, file: str, problems: list[Problem]):
        self.grid, self.header, self.file, self.sheet = grid, header, file, grid.name
        self._problems = problems

    def problem(self, kind, row, column, value=None, expected=None, other=None, cell=None) -> None:
        self._problems.append(Problem(kind, self.file, self.sheet, row, column, value, expected, other, cell))

    def at(self, kind: str, i: int, j: int, value: object, expected: str) -> None:
        """A problem in the cell at row index i, column index j."""
        self.problem(
            kind, self.grid.row_no(i), self.header.labels[j], value, expected, cell=self.cell_name(j, i)
        )

    def cell_name(self, j: int, i: int) -> str | None:
        """ "E9" in a sheet; None in a CSV file or a SQL table (no spreadsheet addresses there)."""
        if self.grid.name is None or self.grid.row_numbers:
            return None
        return f"{col_letter(j)}{self.grid.row_no(i)}"

    def merged_over(self, columns: set[int]) -> dict[int, list[tuple[int, int, int, int]]]:
        """Row index → the merged ranges covering one of ``columns`` below the header: a merged cell is one value
        shown over several months (or several indicators); read cell by cell the others would be blank."""
        by_row: dict[int, list[tuple[int, int, int, int]]] = {}
        for rng in self.grid.merged:
            r1, c1, r2, c2 = rng
            if r2 < self.header.first_data or not any(c1 <= j <= c2 for j in columns):
                continue
            for r in range(max(r1, self.header.first_data), r2 + 1):
                by_row.setdefault(r, []).append(rng)
        return by_row

    def merged_problem(self, rng: tuple[int, int, int, int], columns: set[int]) -> None:
        r1, c1, r2, c2 = rng
        j = min(c for c in columns if c1 <= c <= c2)
        anchor = _cell(self.grid.rows[r1], c1) if r1 < len(self.grid.rows) else None
        span = f"{col_letter(c1)}{self.grid.row_no(r1)}:{col_letter(c2)}{self.grid.row_no(r2)}"
        self.problem("merged_cells", self.grid.row_no(r1), self.header.labels.get(j), anchor,
                     "mỗi ô một giá trị: bỏ gộp ô (Hợp nhất và Căn giữa) rồi ghi số liệu vào từng ô", cell=span)  # fmt: skip


def _report_uncomputed(grid: Grid, file: str, problems: list[Problem]) -> None:
    """Every formula of the sheet whose value the file does not hold: read as blank it would be "not reported"."""
    for (i, j), formula in sorted(grid.uncomputed.items()):
        problems.append(Problem("uncomputed_formula", file, grid.name, grid.row_no(i), None, formula,
                                f"giá trị do Excel tính: {RESAVE}, hoặc ghi số thay cho công thức",
                                cell=f"{col_letter(j)}{grid.row_no(i)}"))  # fmt: skip


class _ReportTable(_Table):
    """A tổ's monthly table: its columns checked against the catalog once, then read row by row."""

    def __init__(self, grid, header, file, problems, ward: Ward, catalog: Catalog,
                 from_path: tuple[str | None, int | None]):  # fmt: skip
        super().__init__(grid, header, file, problems)
        self.ward = ward
        self.match_unit = ward.unit_matcher()
        targets = self._targets()
        self.fields = {t[1]: j for t, j in targets.items() if t[0] == "field"}
        self.unit, self.year = self._whose(catalog, *from_path)
        hrow = grid.row_no(header.row)
        for ind in catalog:
            if not ind.optional and ("indicator", ind.id) not in targets:
                self.problem("missing_column", hrow, ind.header, None, f"cột “{ind.header}” ({ind.id})")
        self.columns = []
        for t, j in targets.items():
            if t[0] == "indicator":
                ind, label = catalog[t[1]], header.labels[j]
                self.columns.append(Column(j, ind, label, ind.type.scale(label)))

    # ------------------------------------------------------------ the header

    def _targets(self) -> dict[tuple[str, str], int]:
        """(“indicator”, id) | (“field”, name) → its column; a second column for the same one is a problem."""
        h = self.header
        by_target: dict[tuple[str, str], int] = {}
        for j, target in sorted(h.columns.items()):
            if target in by_target:
                self.at(
                    "duplicate_column", h.row, j, h.labels[j], f"một cột cho “{h.labels[by_target[target]]}”"
                )
                continue
            by_target[target] = j
        for j in h.unknown:
            self.at("unknown_column", h.row, j, h.labels[j], "tên cột trong danh mục chỉ tiêu (catalog.yaml)")
        return by_target

    def _whose(self, catalog: Catalog, path_unit: str | None, path_year: int | None):
        """The tổ and the year of the whole table: from its title rows, else from the file's name."""
        title_unit, title_year, seen, unit_at = _title_info(self.grid, self.header, self.ward, catalog)
        unit = title_unit or path_unit
        if "unit" not in self.fields and unit is None:
            if seen:
                r, j = unit_at
                self.problem("unknown_unit", self.grid.row_no(r), "Tổ dân phố", seen,
                             "một trong: " + ", ".join(self.ward.units), cell=self.cell_name(j, r))  # fmt: skip
            else:
                self.problem("missing_unit", self.grid.row_no(self.header.row), "Tổ dân phố", None,
                             "cột “Tổ dân phố” hoặc dòng “Tổ dân phố: …”")  # fmt: skip
        return unit, title_year or path_year

    # ------------------------------------------------------------ the rows

    def read_columns(self) -> set[int]:
        """The columns whose cells make a figure: the indicators, the month, year, tổ and report date."""
        return {c.index for c in self.columns} | {
            j for f, j in self.fields.items() if f not in ("note", "index")
        }

    def rows(self) -> Iterator[Row]:
        started = gap = False
        month_col = self.fields["month"]
        read = self.read_columns()
        merged, reported = self.merged_over(read), set()
        uncomputed = {i for i, j in self.grid.uncomputed if j in read}
        for i in range(self.header.first_data, len(self.grid.rows)):
            cells = self.grid.rows[i]
            if all(V.is_blank(c) for c in cells) and i not in uncomputed:
                gap = started
                continue
            started = True
            mcell = _cell(cells, month_col)
            # Below a blank line sits either more months (a row emptied by hand, a line inserted) or the signature
            # block: a row is data there when its month cell reads as a month or it holds a figure (a mistyped
            # month beside July's figures is an error at its cell, never a July dropped unseen).
            if gap and not _is_month(mcell) and not self._holds_figure(cells):
                continue
            if isinstance(mcell, str) and key(mcell) in TOTAL_LABELS:
                continue
            for rng in merged.get(i, ()):
                if rng not in reported:
                    reported.add(rng)
                    self.merged_problem(rng, read)
            if i in uncomputed:  # reported with its cell by the sheet; its blank would only add noise
                continue
            row = self._row(i, cells)
            if row is not None:
                yield row

    def _holds_figure(self, cells: list[object]) -> bool:
        """Whether an indicator cell of the row holds a figure: a value its kind reads, or a number it refuses
        (negative, out of range, a fraction of a count). Words ("TỔ TRƯỞNG", a signer's name, "ngày 28 tháng 12")
        are not figures: a signature block below the table stays out."""
        for col in self.columns:
            v = _cell(cells, col.index)
            if V.is_blank(v):
                continue
            try:
                if col.read(v) is not None:
                    return True
            except V.CellError as e:
                if e.kind not in ("non_numeric", "bad_yes_no"):
                    return True
        return False

    def _row(self, i: int, cells: list[object]) -> Row | None:
        """One month of the tổ, or None when a problem (already reported) keeps it out."""
        values, raw, where, cells_ok = self._values(i, cells)
        when = self._when(i, cells, any(not V.is_blank(v) for v in raw.values()))
        if when is None:
            return None
        unit = self._unit(i, cells)
        if unit is None:
            return None
        report_date, date_ok = self._report_date(i, cells)
        if not (cells_ok and date_ok):
            return None
        note_col = self.fields.get("note")
        note = _cell(cells, note_col)
        month_col = self.fields["month"]
        return Row(unit, when[0], when[1], values, raw, where, self.sheet, self.grid.row_no(i), report_date,
                   None if V.is_blank(note) else str(note), self.cell_name(month_col, i),
                   None if note_col is None else self.cell_name(note_col, i))  # fmt: skip

    def _values(self, i: int, cells: list[object]):
        """Every indicator cell of the row through its kind; (values, raw, cell names, all valid)."""
        values: dict[str, object] = {}
        raw: dict[str, object] = {}
        where: dict[str, str | None] = {}
        ok = True
        for col in self.columns:
            ident, v = col.indicator.id, _cell(cells, col.index)
            raw[ident], where[ident] = v, self.cell_name(col.index, i)
            try:
                values[ident] = col.read(v)
            except V.CellError as e:
                self.at(e.kind, i, col.index, v, e.expected)
                ok = False
        return values, raw, where, ok

    def _when(self, i: int, cells: list[object], has_values: bool) -> tuple[int, int] | None:
        """(year, month) of the row: its month cell, with the year from it, a “Năm” column, the title or the file."""
        j = self.fields["month"]
        mcell = _cell(cells, j)
        if V.is_blank(mcell):
            if has_values:
                self.at("missing_month", i, j, None, "tháng 1–12")
            return None
        try:
            y, m = V.month(mcell)
        except V.CellError as e:
            self.at(e.kind, i, j, mcell, e.expected)
            return None
        year = self._year(i, cells, y)
        return None if year is None else (year, m)

    def _year(self, i: int, cells: list[object], written: int | None) -> int | None:
        """The row's year: as written with the month, which must agree with a “Năm” column, the title or the file."""
        row_year, ok = self._row_year(i, cells)
        if not ok:
            return None
        j = self.fields["month"]
        expected, mcell = row_year or self.year, _cell(cells, j)
        if written is not None and expected is not None and written != expected:
            self.at("month_outside_year", i, j, mcell, f"một tháng của năm {expected}")
            return None
        if (written or expected) is None:
            self.at("missing_year", i, j, mcell, "năm ở tiêu đề (NĂM 2022), trong tên tệp hoặc cột “Năm”")
            return None
        return int(written or expected)

    def _row_year(self, i: int, cells: list[object]) -> tuple[int | None, bool]:
        j = self.fields.get("year")
        v = _cell(cells, j)
        if j is None or V.is_blank(v):
            return None, True
        try:
            return V.number(v, whole=True), True
        except V.CellError:
            self.at("bad_month", i, j, v, "năm, vd. 2022")
            return None, False

    def _unit(self, i: int, cells: list[object]) -> str | None:
        """The row's tổ: its “Tổ dân phố” cell, else the table's."""
        j = self.fields.get("unit")
        v = _cell(cells, j)
        if j is not None and not V.is_blank(v):
            unit = self.match_unit(v)
            if unit is None:
                self.at("unknown_unit", i, j, v, "một trong: " + ", ".join(self.ward.units))
            return unit
        if self.unit is None and j is not None:
            self.at("missing_unit", i, j, None, "tên tổ")
        return self.unit

    def _report_date(self, i: int, cells: list[object]) -> tuple[object, bool]:
        j = self.fields.get("report_date")
        if j is None:
            return None, True
        v = _cell(cells, j)
        try:
            return V.date(v), True
        except V.CellError as e:
            self.at(e.kind, i, j, v, e.expected)
            return None, False


def read_reports(path: Path | None, grids: list[Grid], file: str, ward: Ward, catalog: Catalog) -> FileResult:
    """Validated monthly rows from every sheet of one source that holds a report table."""
    res = FileResult()
    _decode_grids(grids)
    from_path = _path_info(path, ward) if path is not None else (None, None)
    tables = 0
    for grid in grids:
        header = find_header(grid, catalog, "month")
        if header is None:
            continue
        tables += 1
        _report_uncomputed(grid, file, res.problems)
        res.rows.extend(_ReportTable(grid, header, file, res.problems, ward, catalog, from_path).rows())
    if tables == 0:
        for grid in grids:
            _report_uncomputed(grid, file, res.problems)
        res.problems.append(Problem("no_table", file, None, None, "Tháng", None,
                                    "một bảng có dòng tiêu đề với cột “Tháng” và các chỉ tiêu"))  # fmt: skip
    return res


class _PlanTable(_Table):
    """Plan targets: one row per year, one column per planned indicator; its problems name the column."""

    def __init__(self, grid, header, file, problems, catalog: Catalog):
        super().__init__(grid, header, file, problems)
        for j in header.unknown:
            self.problem("unknown_column", grid.row_no(header.row), header.labels[j], header.labels[j],
                         "tên cột trong danh mục chỉ tiêu")  # fmt: skip
        self.year_col = next(j for j, t in header.columns.items() if t == ("field", "year"))
        self.columns = [Column(j, catalog[t[1]], header.labels[j])
                        for j, t in header.columns.items() if t[0] == "indicator"]  # fmt: skip

    def rows(self, seen: dict[int, Location]) -> Iterator[PlanRow]:
        read = {self.year_col} | {c.index for c in self.columns}
        merged, reported = self.merged_over(read), set()
        for i in range(self.header.first_data, len(self.grid.rows)):
            cells = self.grid.rows[i]
            if all(V.is_blank(c) for c in cells):
                continue
            for rng in merged.get(i, ()):
                if rng not in reported:
                    reported.add(rng)
                    self.merged_problem(rng, read)
            if any((i, j) in self.grid.uncomputed for j in read):
                continue
            rno = self.grid.row_no(i)
            year = self._year(rno, cells, seen)
            if year is not None:
                yield PlanRow(year, self._targets(rno, cells), self.sheet, rno)

    def _year(self, rno: int, cells: list[object], seen: dict[int, Location]) -> int | None:
        v, label = _cell(cells, self.year_col), self.header.labels[self.year_col]
        try:
            year = V.number(v, whole=True)
            if year is None or not 1900 <= year <= 2100:
                raise V.CellError("non_numeric", "năm, vd. 2022")
        except V.CellError as e:
            self.problem(e.kind, rno, label, v, e.expected)
            return None
        if year in seen:
            self.problem("duplicate_plan", rno, label, year, "mỗi năm một dòng", seen[year])
            return None
        seen[year] = Location(self.file, self.sheet, rno)
        return year

    def _targets(self, rno: int, cells: list[object]) -> dict[str, object]:
        out = {}
        for col in self.columns:
            v = _cell(cells, col.index)
            try:
                x = col.target(v)
            except V.CellError as e:
                self.problem(e.kind, rno, col.label, v, e.expected)
                continue
            if x is not None:
                out[col.indicator.id] = x
        return out


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
        _report_uncomputed(grid, file, res.problems)
        res.plans.extend(_PlanTable(grid, header, file, res.problems, catalog).rows(seen))
    if tables == 0:
        for grid in grids:
            _report_uncomputed(grid, file, res.problems)
        res.problems.append(Problem("no_table", file, None, None, "Năm", None, "bảng kế hoạch có cột “Năm”"))
    return res
