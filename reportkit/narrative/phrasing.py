"""What reports say over and over, built on ``reportkit.vn``: comparisons, lists of tổ, counts, completeness.

Every helper is a Jinja filter or global in ``%%report`` cells and a plain function in Python. They work on plain
values and on the data layer's objects by duck typing (a ``UnitCount`` has ``count``, ``total``, ``units``; a
``Figures`` has ``period``, ``last_year``, ``previous``, ``plan()``), so this module imports no pandas.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from reportkit import vn

NO_LAST_YEAR = "không có số liệu cùng kỳ để so sánh"
NO_PREVIOUS = "không có số liệu kỳ trước để so sánh"

_NUMBERED_NAME = re.compile(r"^(\w+(?: \w+)*?) (\d+[A-Za-z]?)$")


def _count_of(value: object, what: str) -> int | float:
    count = getattr(value, "count", value)
    if isinstance(count, bool) or (not isinstance(count, int | float) and not hasattr(count, "__index__")):
        raise TypeError(f"{what}: expected a number or a UnitCount, got {type(value).__name__} {value!r}")
    return count if isinstance(count, int | float) else int(count)


def unit_name(name: str) -> str:
    """A numbered unit's name as it reads inside a sentence: the common noun in lower case.

    >>> unit_name("Tổ 10"), unit_name("Tổ dân phố 3"), unit_name("Khu Hòa Bình")
    ('tổ 10', 'tổ dân phố 3', 'Khu Hòa Bình')
    """
    name = vn.nfc(str(name)).strip()
    match = _NUMBERED_NAME.match(name)
    if match and match.group(1)[:1].isupper():
        return match.group(1).lower() + " " + match.group(2)
    return name


def units(names: object) -> str:
    """Units in natural order, joined as Vietnamese prose.

    >>> units(["Tổ 10", "Tổ 1", "Tổ 6", "Tổ 3"])
    'tổ 1, tổ 3, tổ 6 và tổ 10'
    """
    items = list(getattr(names, "units", names) if not isinstance(names, str) else [names])
    if not items:
        raise ValueError("units(): the list of units is empty; test the count first ({% if x.count %} …)")
    ordered = sorted((vn.nfc(str(n)) for n in items), key=vn.sort_key)
    return vn.join([unit_name(n) for n in ordered])


def at_units(names: object) -> str:
    """``units()`` after "tại".

    >>> at_units(["Tổ 1", "Tổ 6", "Tổ 3", "Tổ 10"])
    'tại tổ 1, tổ 3, tổ 6 và tổ 10'
    """
    return "tại " + units(names)


def ratio(value: object, noun: str | None = None) -> str:
    """How many units of all meet a condition: "10/10 Ban CTMT".

    >>> ratio((10, 10), "Ban CTMT")
    '10/10 Ban CTMT'
    """
    if isinstance(value, tuple) and len(value) == 2:
        count, total = value
    else:
        count, total = getattr(value, "count", None), getattr(value, "total", None)
        if count is None or total is None:
            raise TypeError(
                f"ratio(): expected a UnitCount or (count, total), got {type(value).__name__} {value!r}"
            )
    text = f"{vn.number(count)}/{vn.number(total)}"
    return f"{text} {noun}" if noun else text


def counted(value: object, noun: str | None = None) -> str:
    """A count with the official leading zero below 10: "03 Ban CTMT", "12 vụ".

    >>> counted(3, "Ban CTMT"), counted(12, "vụ")
    ('03 Ban CTMT', '12 vụ')
    """
    count = _count_of(value, "counted()")
    text = "0" if count == 0 else vn.padded(count)  # "03 Ban CTMT", but never "00"
    return f"{text} {noun}" if noun else text


def change(current: object, previous: object, unit: str | None = None) -> str:
    """``vn.change`` as a report says it: a rise to twice the figure or more reads "gấp N lần", not "(300%)".

    >>> change(12, 10, "vụ"), change(8, 2, "buổi"), change(1047, 244, "lượt"), change(5, 5)
    ('tăng 2 vụ (20%)', 'tăng 6 buổi (gấp 4 lần)', 'tăng 803 lượt (gấp 4,3 lần)', 'bằng')
    """
    cur = Decimal(str(_count_of(current, "change()")))
    prev = Decimal(str(_count_of(previous, "change()")))
    text = vn.change(cur, prev, unit)
    if prev > 0 and cur >= 2 * prev:
        times = (cur / prev).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize()
        text = re.sub(r" \([^()]*%\)$", "", text) + f" (gấp {vn.number(times)} lần)"
    return text


def compare(current: object, previous: object, unit: str | None = None, *, against: str) -> str:
    """``current`` against ``previous`` in words, naming what it is compared with.

    >>> compare(12, 10, "vụ", against="cùng kỳ năm 2021")
    'tăng 2 vụ (20%) so với cùng kỳ năm 2021'
    >>> compare(5, 5, "vụ", against="cùng kỳ năm 2021")
    'bằng cùng kỳ năm 2021'
    """
    cur = _count_of(current, "compare()")
    prev = _count_of(previous, "compare()")
    text = change(cur, prev, unit)
    if text == "bằng":
        return f"bằng {against}"
    return f"{text} so với {against}"


def _figure(figures: object, indicator: str) -> object:
    try:
        return getattr(figures, indicator)
    except AttributeError:
        raise AttributeError(
            f"the figures of {getattr(figures, 'period', '?')} have no indicator {indicator!r}"
        ) from None


def vs_last_year(figures: object, indicator: str, unit: str | None = None) -> str:
    """The figure against the same period last year, or a plain note that there is nothing to compare with.

    "tăng 2 vụ (20%) so với cùng kỳ năm 2021"; "không có số liệu cùng kỳ để so sánh".
    """
    return _against(
        figures, "last_year", indicator, unit, NO_LAST_YEAR, lambda f: f"cùng kỳ năm {f.period.year}"
    )


def last_year_change(figures: object, indicator: str, unit: str | None = None) -> str:
    """Only the change against the same period last year, for a sentence that already says "So với cùng kỳ…".

    "tăng 2 buổi (22,2%)", "không thay đổi", or "không có số liệu cùng kỳ để so sánh".
    """
    current = _figure(figures, indicator)
    last = getattr(figures, "last_year", None)
    previous = None if last is None else _figure(last, indicator)
    if current is None or previous is None:
        return NO_LAST_YEAR
    text = change(_count_of(current, "last_year_change()"), _count_of(previous, "last_year_change()"), unit)
    return "không thay đổi" if text == "bằng" else text


def vs_previous(figures: object, indicator: str, unit: str | None = None) -> str:
    """The figure against the previous period: "giảm 3 buổi (20%) so với quý I năm 2022"."""
    return _against(figures, "previous", indicator, unit, NO_PREVIOUS, lambda f: f.period.name)


def _against(figures: object, which: str, indicator: str, unit: str | None, missing: str, name) -> str:
    """The figure compared with ``figures.<which>`` (last_year, previous), or ``missing`` when that has no value."""
    other = getattr(figures, which, None)
    current = _figure(figures, indicator)
    previous = None if other is None else _figure(other, indicator)
    if current is None or previous is None:
        return missing
    return compare(current, previous, unit, against=name(other))


def vs_plan(figures: object, indicator: str, *, word: str = "kế hoạch", actual: object = None) -> str:
    """The figure against the year's plan: "đạt 102% kế hoạch năm 2022", or that there is no plan.

    ``actual=`` compares another value with the plan, e.g. the year-to-date total (``year_to_date``) in a
    report for 6 tháng cuối năm: "lũy kế từ đầu năm … đạt 129,5% kế hoạch vận động năm 2022".

    >>> class F:  # a stand-in for Figures
    ...     period = vn.Period("2022-H1"); quy_vnn = 102_000_000
    ...     def plan(self, id): return 100_000_000
    >>> vs_plan(F(), "quy_vnn"), vs_plan(F(), "quy_vnn", actual=41_000_000)
    ('đạt 102% kế hoạch năm 2022', 'mới đạt 41% kế hoạch năm 2022')
    """
    year = figures.period.year
    plan = figures.plan(indicator)
    if actual is None:
        actual = _figure(figures, indicator)
    if plan is None or plan <= 0 or actual is None:
        return f"chưa có kế hoạch năm {year} để so sánh"
    return f"{vn.of_plan(_count_of(actual, 'vs_plan()'), plan, word=word)} năm {year}"


def year_to_date(dataset: object, period: object, indicator: str) -> int | float | None:
    """An indicator summed from January to the end of ``period`` (lũy kế từ đầu năm), or None without data.

    Plans are set per year, so a report for a later part of the year compares this total with the plan,
    not the period's own figure. Only indicators that add up over months (``over_months: sum``) have one.
    """
    period = period if isinstance(period, vn.Period) else vn.Period(str(period))
    catalog = getattr(dataset, "catalog", None)
    if catalog is not None:
        over_months = getattr(catalog[indicator], "over_months", "sum")
        if over_months != "sum":
            raise ValueError(
                f"year_to_date(): {indicator!r} does not add up over months (over_months: {over_months}); "
                "a year-to-date total only exists for indicators with over_months: sum"
            )
    total: int | float = 0
    for month in range(1, period.end.month + 1):
        value = _figure(dataset.figures(vn.Period(f"{period.year}-{month:02d}")), indicator)
        if value is None:
            return None
        total += _count_of(value, "year_to_date()")
    return total


def completeness(value: object, noun: str = "tổ") -> str:
    """Who has reported for the period, and who has not (never silently read as zero).

    "10/10 tổ đã báo cáo đầy đủ số liệu"; "9/10 tổ đã báo cáo đầy đủ số liệu; tổ 4 chưa gửi báo cáo tháng 5 và
    tháng 6 năm 2022".
    """
    missing = list(getattr(value, "missing", []))
    total = getattr(value, "units_total", None)
    if total is None:
        raise TypeError(f"completeness(): expected a Completeness, got {type(value).__name__} {value!r}")
    months_missing: dict[str, list[tuple[int, int]]] = {}
    for unit, month in missing:
        months_missing.setdefault(vn.nfc(str(unit)), []).append(tuple(month))
    complete = total - len(months_missing)
    text = f"{complete}/{total} {noun} đã báo cáo đầy đủ số liệu"
    if not months_missing:
        return text
    period_months = getattr(value, "months", None)
    expected = getattr(value, "expected", None)
    per_unit = len(period_months) if period_months else (expected // total if expected and total else None)
    parts = []
    for unit in sorted(months_missing, key=vn.sort_key):
        months = sorted(months_missing[unit])
        if per_unit is not None and len(months) >= per_unit:
            parts.append(f"{unit_name(unit)} chưa gửi báo cáo")
        else:
            parts.append(f"{unit_name(unit)} chưa gửi báo cáo {_months(months)}")
    return text + "; " + "; ".join(parts)


def _months(months: list[tuple[int, int]]) -> str:
    """ "tháng 5 và tháng 6 năm 2022"; across a new year: "tháng 12 năm 2021 và tháng 1 năm 2022"."""
    years: dict[int, list[int]] = {}
    for year, month in months:
        years.setdefault(year, []).append(month)
    return vn.join([f"{vn.join([f'tháng {m}' for m in ms])} năm {y}" for y, ms in sorted(years.items())])


FILTERS = {
    "units": units,
    "at_units": at_units,
    "ratio": ratio,
    "counted": counted,
    "completeness": completeness,
}
GLOBALS = {
    "change": change,
    "compare": compare,
    "vs_last_year": vs_last_year,
    "last_year_change": last_year_change,
    "vs_previous": vs_previous,
    "vs_plan": vs_plan,
    "units": units,
    "at_units": at_units,
    "ratio": ratio,
    "counted": counted,
    "completeness": completeness,
    "NO_LAST_YEAR": NO_LAST_YEAR,
}
