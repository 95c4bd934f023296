"""Located data problems and the one exception that carries all of them."""

from __future__ import annotations

from dataclasses import dataclass

from reportkit.core.errors import ReportkitError

# kind -> what the analyst reads in the error table
KIND_TEXT = {
    "unreadable_file": "không đọc được tệp",
    "no_table": "không tìm thấy bảng số liệu",
    "unknown_column": "cột không có trong danh mục chỉ tiêu",
    "missing_column": "thiếu cột",
    "duplicate_column": "hai cột cùng một chỉ tiêu",
    "non_numeric": "không phải số",
    "not_integer": "không phải số nguyên",
    "negative": "số âm",
    "out_of_range": "ngoài khoảng hợp lệ",
    "bad_yes_no": "không phải Có/Không",
    "bad_month": "tháng không hợp lệ",
    "bad_date": "ngày không hợp lệ",
    "month_outside_year": "tháng không thuộc năm của tệp",
    "year_not_in_name": "số liệu không thuộc năm ghi ở tên tệp",
    "missing_year": "không xác định được năm",
    "missing_month": "có số liệu nhưng thiếu tháng",
    "missing_unit": "không xác định được tổ",
    "unknown_unit": "tổ không có trong danh sách",
    "duplicate": "trùng tổ và tháng",
    "duplicate_plan": "trùng năm kế hoạch",
    "bad_catalog": "danh mục chỉ tiêu sai",
    "bad_ward": "thông tin đơn vị sai",
    "hidden_character": "có ký tự ẩn hoặc ký tự điều khiển",
    "proofreading": "chữ cần xem lại",
    "unsupported_format": "định dạng tệp không đọc được",
    "linked_folder": "thư mục liên kết (symlink) không được đọc",
    "linked_file": "tệp liên kết (symlink) tới ngoài dự án không được đọc",
    "encrypted_workbook": "tệp được đặt mật khẩu",
    "uncomputed_formula": "công thức chưa có giá trị tính sẵn",
    "merged_cells": "ô gộp trong vùng số liệu",
    "mixed_encoding": "dòng lẫn kiểu mã chữ khác",
    "too_large": "tệp quá lớn",
}


class UnitError(ReportkitError, LookupError):
    """A ward of a province database that is not there, or none chosen where one must be: ``.unit`` asked for,
    ``.units`` the codes the database holds (the message lists them with their names)."""

    def __init__(self, message: str, *, unit: str | None = None, units: list[str] | None = None):
        super().__init__(message)
        self.unit = unit
        self.units = list(units or [])


@dataclass(frozen=True)
class Location:
    """Where a row lives: file, sheet (None for CSV), row (1-based, as the spreadsheet shows it)."""

    file: str
    sheet: str | None
    row: int | None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"trang {self.sheet}")
        if self.row is not None:
            parts.append(f"dòng {self.row}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """One problem in the input, located to the cell.

    ``column`` is the header as written in the file (or the field name when the column is missing); ``cell`` is
    the spreadsheet address ("C7") when there is one; ``other`` names the first place of a duplicate.
    """

    kind: str
    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None
    other: Location | None = None
    cell: str | None = None

    @property
    def location(self) -> Location:
        return Location(self.file, self.sheet, self.row)

    def describe(self) -> str:
        """Vietnamese description of the kind, e.g. "trùng tổ và tháng"."""
        return KIND_TEXT.get(self.kind, self.kind)

    @property
    def where(self) -> str:
        """ "to-03-2022.xlsx, trang Số liệu, dòng 9, ô E9 (Số buổi)"."""
        place = [str(self.location)]
        if self.cell or self.column:
            place.append(
                f"ô {self.cell} ({self.column})" if self.cell and self.column else self.cell or self.column
            )
        return ", ".join(place)

    def __str__(self) -> str:
        value = "" if self.value is None else f" {_cell_text(self.value)}:"
        expected = f"; cần {self.expected}" if self.expected else ""
        return f"{self.where}:{value} {self.describe()}{expected}"


_HEADERS = ("Tệp", "Trang", "Dòng", "Ô/Cột", "Giá trị", "Lỗi", "Cần", "Lần đầu ở")


def _cell_text(value: object, limit: int = 40) -> str:
    if value is None:
        return ""
    text = repr(value) if isinstance(value, str) else str(value)
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class DataError(ReportkitError):
    """The input data have problems; ``.problems`` lists every one of them, found in a single pass.

    The message shows at most ``SHOWN_PER_KIND`` rows of each kind of problem and counts the rest ("… và 99.950
    dòng khác cùng lỗi “trùng tổ và tháng”"): the first rows say what to fix, a million rows would drown them.
    """

    SHOWN_PER_KIND = 50

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self._message(), problems=self.problems)

    def _message(self) -> str:
        from reportkit import vn

        order = sorted(self.problems, key=lambda p: (p.file, p.sheet or "", p.row or 0))
        shown: list[Problem] = []
        per_kind: dict[str, int] = {}
        for p in order:
            per_kind[p.kind] = per_kind.get(p.kind, 0) + 1
            if per_kind[p.kind] <= self.SHOWN_PER_KIND:
                shown.append(p)
        hidden = {k: n - self.SHOWN_PER_KIND for k, n in per_kind.items() if n > self.SHOWN_PER_KIND}
        rows = []
        for p in shown:
            place = p.cell or p.column or ""
            if p.cell and p.column:
                place = f"{p.cell} ({p.column})"
            rows.append(
                (p.file, p.sheet or "", "" if p.row is None else str(p.row), place, _cell_text(p.value), p.describe(),
                 p.expected or "", "" if p.other is None else str(p.other))
            )  # fmt: skip
        headers = _HEADERS if any(p.other for p in shown) else _HEADERS[:-1]
        rows = [r[: len(headers)] for r in rows]
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

        def line(cells) -> str:
            return " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

        n = len(self.problems)
        out = [f"Dữ liệu có {vn.number(n)} lỗi, chưa nạp được (sửa hết rồi nạp lại):", line(headers)]
        out.append("-+-".join("-" * w for w in widths))
        out.extend(line(r) for r in rows)
        for kind, count in hidden.items():
            out.append(f"… và {vn.number(count)} dòng khác cùng lỗi “{KIND_TEXT.get(kind, kind)}”")
        return "\n".join(out)
