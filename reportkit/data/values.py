"""Reading one cell: Vietnamese numbers, blanks, "-"/"x" marks, yes/no, months, dd/mm/yyyy dates, header keys.

Decisions (also in the catalog's header comment):
- a blank cell is "not reported" (None), never 0; a row whose indicator cells are all blank is a month the tổ did
  not report, and completeness says so;
- "-" (and "–", "—") in a count or amount cell is an explicit 0, the way paper forms write "none";
- yes/no cells: "có", "x", "✓", "1", "đạt", "yes", TRUE → yes; "không", "-", "0", "no", FALSE → no;
- text is always read as text first, so "1.200" is 1200 (vn.parse_number), never 1.2;
- a count must be a whole number: a float such as 1.2 in a count cell is reported, because it is what "1.200"
  becomes when a spreadsheet reads it with an English locale; likewise an amount must come to whole đồng once the
  header's unit is applied (4,3 triệu is fine, 4,3 đồng is "4.300" misread).
"""

from __future__ import annotations

import datetime as dt
import re

from reportkit import vn


class CellError(ValueError):
    """A cell that cannot be read: ``kind`` is a Problem kind, ``expected`` what would have been right."""

    def __init__(self, kind: str, expected: str):
        super().__init__(kind)
        self.kind = kind
        self.expected = expected


DASHES = {"-", "–", "—", "--"}
YES = {"co", "x", "v", "✓", "✔", "1", "dat", "yes", "y", "true", "c", "có"}
NO = {"khong", "k", "0", "no", "n", "false", "chua", "-", "–", "—", "--"}


def clean_text(value: str, legacy: str | None = None) -> str:
    """NFC text with legacy encodings decoded and non-breaking spaces normalised."""
    s = value.replace("\u00a0", " ").replace("\u202f", " ")
    if legacy:
        s = vn.from_legacy(s, legacy)
    return vn.nfc(s).strip()


_NON_WORD = re.compile(r"[^\w]+")


def key(text: object) -> str:
    """Matching key of a header: legacy-decoded, NFC, folded, punctuation as spaces ("Số buổi (buổi)" → "so buoi buoi")."""
    s = str(text)
    if vn.detect_legacy(s):
        s = vn.from_legacy(s)
    s = vn.fold(s).replace("_", " ")
    return " ".join(_NON_WORD.sub(" ", s).split())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number(value: object, *, whole: bool, scale: int = 1, amount: bool = False) -> int | float | None:
    """A count (``whole``) or an amount (``amount``: whole đồng after ``scale``, from the header's unit)."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError("non_numeric", "một số")
    if isinstance(value, int | float):
        x = value
    elif isinstance(value, str):
        s = value.strip()
        if s in DASHES:
            return 0
        try:
            x = vn.parse_number(s)
        except ValueError:
            raise CellError(
                "non_numeric", "số nguyên ≥ 0" if whole else "một số (vd. 1.250.000 hoặc 2,5)"
            ) from None
    else:
        raise CellError("non_numeric", "một số")
    if scale != 1:
        x = round(x * scale)
    if amount and isinstance(x, float) and not x.is_integer():
        # no fraction of a đồng exists: 4.3 in a đồng column is "4.300" read by an English-locale Excel
        raise CellError("not_integer", "số đồng nguyên (viết 4.300.000; 4,3 chỉ dùng khi cột ghi triệu đồng)")
    if whole or scale != 1:
        if isinstance(x, float):
            if not x.is_integer():
                raise CellError("not_integer", "số nguyên (viết 1.200 cho một nghìn hai trăm)")
            x = int(x)
    elif isinstance(x, float) and x.is_integer():
        x = int(x)
    return x


def yes_no(value: object) -> bool | None:
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise CellError("bad_yes_no", "Có hoặc Không")
    k = vn.fold(str(value)).strip().rstrip(".")
    if k in YES or str(value).strip() in YES:
        return True
    if k in NO:
        return False
    raise CellError("bad_yes_no", "Có hoặc Không")


_MONTH_PATTERNS = (
    re.compile(r"(?:thang|t|month)?\s*0*(\d{1,2})"),
    re.compile(r"(?:thang\s*)?0*(\d{1,2})\s*[/.-]\s*(\d{4})"),
    re.compile(r"(\d{4})\s*[/.-]\s*0*(\d{1,2})"),
    re.compile(r"0*(\d{1,2})\s*/\s*0*(\d{1,2})\s*/\s*(\d{4})"),
)


def month(value: object) -> tuple[int | None, int]:
    """(year or None, month) from 1, "01", "Tháng 1", "T1", "01/2022", "2022-01", "31/01/2022" or a date cell."""
    if isinstance(value, dt.datetime | dt.date):
        return value.year, value.month
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= 12:
            return None, value
        raise CellError("bad_month", "tháng từ 1 đến 12")
    if isinstance(value, str):
        s = " ".join(vn.fold(value).split())
        m = _MONTH_PATTERNS[0].fullmatch(s)
        if m:
            y, mo = None, int(m.group(1))
        elif m := _MONTH_PATTERNS[1].fullmatch(s):
            y, mo = int(m.group(2)), int(m.group(1))
        elif m := _MONTH_PATTERNS[2].fullmatch(s):
            y, mo = int(m.group(1)), int(m.group(2))
        elif m := _MONTH_PATTERNS[3].fullmatch(s):
            d = date(value)
            y, mo = d.year, d.month
        else:
            raise CellError("bad_month", "tháng 1–12, vd. 3, Tháng 3, 03/2022")
        if 1 <= mo <= 12:
            return y, mo
    raise CellError("bad_month", "tháng 1–12, vd. 3, Tháng 3, 03/2022")


_DATE = re.compile(r"0*(\d{1,2})\s*[/.-]\s*0*(\d{1,2})\s*[/.-]\s*(\d{4})")


def date(value: object) -> dt.date | None:
    """A date from a date cell or "dd/mm/yyyy" text (day first, the Vietnamese order)."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        m = _DATE.fullmatch(value.strip())
        if m:
            try:
                return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                pass
    raise CellError("bad_date", "ngày dạng dd/mm/yyyy, vd. 05/03/2022")
