"""Dates (Nghị định 30/2020 header rule) and reporting periods ("6 tháng đầu năm 2022", "quý III năm 2022")."""

from __future__ import annotations

import datetime as _dt
import re
from functools import total_ordering

__all__ = ["Period", "date", "months_text", "place_date"]

_ROMAN = ("I", "II", "III", "IV")
_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _as_date(d: object, what: str) -> _dt.date:
    if isinstance(d, _dt.date):  # datetime and pandas.Timestamp are subclasses
        return d
    if isinstance(d, str):
        try:
            return _dt.date.fromisoformat(d.strip())
        except ValueError:
            raise ValueError(
                f"{what}(): cannot read {d!r} as a date; expected YYYY-MM-DD such as '2022-06-24'"
            ) from None
    raise TypeError(f"{what}() expects a date (datetime.date or 'YYYY-MM-DD'), got {type(d).__name__} {d!r}")


def date(d: object, long: bool = False, *, prefix: bool = True) -> str:
    """A date as Vietnamese documents write it.

    Short form "ngày 15/01/2020" (a convention); ``long=True`` follows Nghị định 30/2020: days below 10 and the
    months 1 and 2 take a leading zero, other months do not. ``prefix=False`` drops "ngày".

    >>> import datetime
    >>> date(datetime.date(2020, 1, 15)), date(datetime.date(2019, 6, 29), long=True)
    ('ngày 15/01/2020', 'ngày 29 tháng 6 năm 2019')
    """
    d = _as_date(d, "date")
    if long:
        month = f"0{d.month}" if d.month < 3 else str(d.month)
        text = f"{d.day:02d} tháng {month} năm {d.year}"
    else:
        text = f"{d.day:02d}/{d.month:02d}/{d.year}"
    return f"ngày {text}" if prefix else text


def place_date(place: str, d: object) -> str:
    """The place-and-date line of a document header (Nghị định 30/2020, Phụ lục I).

    >>> import datetime
    >>> place_date("Hà Nội", datetime.date(2022, 3, 5))
    'Hà Nội, ngày 05 tháng 3 năm 2022'
    """
    if not isinstance(place, str) or not place.strip():
        raise ValueError(f"place_date() expects a place name such as 'Hà Nội', got {place!r}")
    from reportkit.vn.text import nfc

    return f"{nfc(place.strip())}, {date(d, long=True)}"


def months_text(months: object) -> str:
    """Months as a sentence names them, grouped by year, in order.

    >>> months_text([(2022, 6), (2022, 5)]), months_text([(2021, 12), (2022, 1)])
    ('tháng 5 và tháng 6 năm 2022', 'tháng 12 năm 2021 và tháng 1 năm 2022')
    >>> months_text(["2022-02", "2022-03", "2022-04"])
    'tháng 2, tháng 3 và tháng 4 năm 2022'
    """
    from reportkit.vn.text import join

    years: dict[int, set[int]] = {}
    for item in months:  # type: ignore[attr-defined]
        year, month = _year_month(item)
        years.setdefault(year, set()).add(month)
    return join([f"{join([f'tháng {m}' for m in sorted(ms)])} năm {y}" for y, ms in sorted(years.items())])


def _year_month(item: object) -> tuple[int, int]:
    """(2022, 5), "2022-05" or a date → (2022, 5)."""
    if isinstance(item, _dt.date):
        return item.year, item.month
    try:
        if isinstance(item, str):
            year, month = (int(part) for part in item.strip().split("-"))
        else:
            year, month = (int(part) for part in item)  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        raise ValueError(
            f"months_text(): cannot read {item!r} as a month; expected (2022, 5) or '2022-05'"
        ) from None
    if not 1 <= month <= 12:
        raise ValueError(f"months_text(): month {month} of {item!r} is not 1–12")
    return year, month


_SPEC_RE = re.compile(r"^(\d{4})(?:-(?:(0?[1-9]|1[0-2])|[Qq]([1-4])|[Hh]([12])|(9)[Mm]))?$")
_ACCEPTED = (
    "accepted forms: 'YYYY' (a year, e.g. '2022'), 'YYYY-MM' (a month, '2022-03'), 'YYYY-Q1'…'YYYY-Q4' "
    "(a quarter), 'YYYY-H1' / 'YYYY-H2' (a half year), 'YYYY-9M' (the first nine months)"
)
# kind → (first month, number of months) given the spec's index
_KINDS = ("month", "quarter", "half", "9m", "year")
# The report that reviews a period: a month or a quarter reports its results, six and nine months are a sơ kết,
# the year a tổng kết (the words Front and government bodies put in their reports' trích yếu).
_REVIEW = {"month": "kết quả", "quarter": "kết quả", "half": "sơ kết", "9m": "sơ kết", "year": "tổng kết"}


def _last_day(year: int, month: int) -> int:
    if month == 2 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return 29
    return _DAYS_IN_MONTH[month - 1]


@total_ordering
class Period:
    """A reporting period: a month, quarter, half year, the first nine months or a year.

    Ordered by start (then end), hashable, ``str()`` is the spec.

    >>> Period("2022-H1").name, Period("2022-Q3").name, Period("2022-03").name
    ('6 tháng đầu năm 2022', 'quý III năm 2022', 'tháng 3 năm 2022')
    """

    __slots__ = ("_months", "end", "index", "kind", "name", "spec", "start", "year")

    spec: str
    kind: str
    year: int
    index: int
    name: str
    start: _dt.date
    end: _dt.date

    def __init__(self, spec: object) -> None:
        if isinstance(spec, Period):
            kind, year, index = spec.kind, spec.year, spec.index
        else:
            if isinstance(spec, int) and not isinstance(spec, bool):
                spec = str(spec)
            if not isinstance(spec, str):
                raise TypeError(
                    f"Period() expects a period spec such as '2022-H1', got {spec!r}; {_ACCEPTED}"
                )
            m = _SPEC_RE.match(spec.strip())
            if m is None:
                raise ValueError(f"unknown period {spec!r}; {_ACCEPTED}")
            year = int(m[1])
            if year < 1:
                raise ValueError(f"unknown period {spec!r}: year must be ≥ 1; {_ACCEPTED}")
            if m[2]:
                kind, index = "month", int(m[2])
            elif m[3]:
                kind, index = "quarter", int(m[3])
            elif m[4]:
                kind, index = "half", int(m[4])
            elif m[5]:
                kind, index = "9m", 1
            else:
                kind, index = "year", 1
        self._set(kind, year, index)

    def _set(self, kind: str, year: int, index: int) -> None:
        if kind == "month":
            first, count = index, 1
            spec, name = f"{year}-{index:02d}", f"tháng {index} năm {year}"
        elif kind == "quarter":
            first, count = 3 * index - 2, 3
            spec, name = f"{year}-Q{index}", f"quý {_ROMAN[index - 1]} năm {year}"
        elif kind == "half":
            first, count = 6 * index - 5, 6
            spec = f"{year}-H{index}"
            name = f"6 tháng {'đầu' if index == 1 else 'cuối'} năm {year}"
        elif kind == "9m":
            first, count = 1, 9
            spec, name = f"{year}-9M", f"9 tháng đầu năm {year}"
        else:
            first, count = 1, 12
            spec, name = str(year), f"năm {year}"
        last = first + count - 1
        self.spec, self.kind, self.year, self.index, self.name = spec, kind, year, index, name
        self._months = tuple((year, m) for m in range(first, last + 1))
        self.start = _dt.date(year, first, 1)
        self.end = _dt.date(year, last, _last_day(year, last))

    @classmethod
    def _make(cls, kind: str, year: int, index: int) -> Period:
        if year < 1:
            raise ValueError(f"no period before year 1 (from {kind} {index})")
        p = cls.__new__(cls)
        p._set(kind, year, index)
        return p

    @property
    def months(self) -> tuple[tuple[int, int], ...]:
        """The (year, month) pairs the period covers, in order."""
        return self._months

    def previous(self) -> Period:
        """The period just before, of the same length: 2022-H1 → 2021-H2, 2022-Q1 → 2021-Q4, 2022-03 → 2022-02.

        For "9M" (which does not tile a year) it is the same nine months of the previous year.
        """
        if self.kind == "month":
            return self._make(
                "month", *((self.year, self.index - 1) if self.index > 1 else (self.year - 1, 12))
            )
        if self.kind == "quarter":
            return self._make(
                "quarter", *((self.year, self.index - 1) if self.index > 1 else (self.year - 1, 4))
            )
        if self.kind == "half":
            return self._make("half", *((self.year, 1) if self.index == 2 else (self.year - 1, 2)))
        return self._make(self.kind, self.year - 1, self.index)

    def same_period_last_year(self) -> Period:
        """The same period one year earlier ("cùng kỳ"): 2022-H1 → 2021-H1."""
        return self._make(self.kind, self.year - 1, self.index)

    def next(self) -> Period:
        """The period just after, of the same length: 2022-H1 → 2022-H2, 2022-H2 → 2023-H1, 2022-12 → 2023-01.

        For "9M" it is the last quarter of the same year: what a sơ kết 9 tháng plans for is the rest of the year.

        >>> Period("2022-H1").next(), Period("2022-Q4").next(), Period("2022").next(), Period("2022-9M").next()
        (Period('2022-H2'), Period('2023-Q1'), Period('2023'), Period('2022-Q4'))
        """
        if self.kind == "month":
            return self._make(
                "month", *((self.year, self.index + 1) if self.index < 12 else (self.year + 1, 1))
            )
        if self.kind == "quarter":
            return self._make(
                "quarter", *((self.year, self.index + 1) if self.index < 4 else (self.year + 1, 1))
            )
        if self.kind == "half":
            return self._make("half", *((self.year, 2) if self.index == 1 else (self.year + 1, 1)))
        if self.kind == "9m":
            return self._make("quarter", self.year, 4)
        return self._make("year", self.year + 1, 1)

    @property
    def next_name(self) -> str:
        """The period the next tasks are for, as a report's "phương hướng, nhiệm vụ" names it.

        The name of :meth:`next`, except after nine months: the rest of the year is "3 tháng cuối năm".

        >>> Period("2022-H1").next_name, Period("2022").next_name, Period("2022-9M").next_name
        ('6 tháng cuối năm 2022', 'năm 2023', '3 tháng cuối năm 2022')
        >>> Period("2022-H2").next_name, Period("2022-Q3").next_name, Period("2022-12").next_name
        ('6 tháng đầu năm 2023', 'quý IV năm 2022', 'tháng 1 năm 2023')
        """
        if self.kind == "9m":
            return f"3 tháng cuối năm {self.year}"
        return self.next().name

    @property
    def last_year_name(self) -> str:
        """What a comparison with last year names: "cùng kỳ năm 2021"; for a whole year simply "năm 2021".

        >>> Period("2022-H1").last_year_name, Period("2022-03").last_year_name, Period("2022").last_year_name
        ('cùng kỳ năm 2021', 'cùng kỳ năm 2021', 'năm 2021')
        """
        return f"năm {self.year - 1}" if self.kind == "year" else f"cùng kỳ năm {self.year - 1}"

    @property
    def review(self) -> str:
        """The kind of report that reviews the period: "kết quả" (tháng, quý), "sơ kết" (6, 9 tháng), "tổng kết" (năm).

        >>> Period("2022-03").review, Period("2022-H1").review, Period("2022-9M").review, Period("2022").review
        ('kết quả', 'sơ kết', 'sơ kết', 'tổng kết')
        """
        return _REVIEW[self.kind]

    @property
    def name_in_year(self) -> str:
        """The name without its year, for a phrase that names the year once at its end.

        >>> Period("2022-H1").name_in_year, Period("2022-Q3").name_in_year, Period("2022-03").name_in_year
        ('6 tháng đầu năm', 'quý III', 'tháng 3')
        """
        if self.kind == "year":
            return "năm"
        cut = self.name.removesuffix(f" năm {self.year}")
        return cut if self.kind in ("month", "quarter") else f"{cut} năm"

    def __contains__(self, item: object) -> bool:
        """``(2022, 3) in Period("2022-Q1")``; also a ``datetime.date`` or a ``Period``."""
        if isinstance(item, Period):
            return self.start <= item.start and item.end <= self.end
        if isinstance(item, _dt.date):
            return self.start <= item <= self.end
        if isinstance(item, tuple) and len(item) == 2:
            return item in self._months
        return False

    def __str__(self) -> str:
        return self.spec

    def __repr__(self) -> str:
        return f"Period({self.spec!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Period):
            return self.spec == other.spec
        return NotImplemented

    def __lt__(self, other: object) -> bool:
        if isinstance(other, Period):
            return (self.start, self.end) < (other.start, other.end)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.spec)

    def __reduce__(self):
        return (Period, (self.spec,))
