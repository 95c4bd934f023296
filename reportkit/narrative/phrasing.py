"""What reports say over and over, built on ``reportkit.vn``: comparisons, lists of tổ, counts, completeness.

Every helper is a Jinja filter or global in ``%%report`` cells and a plain function in Python. They work on plain
values and on the data layer's objects by duck typing (a ``UnitCount`` has ``count``, ``total``, ``units``; a
``Figures`` has ``period``, ``last_year``, ``previous``, ``plan()``), so this module imports no pandas.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

from reportkit import vn
from reportkit.narrative import _state
from reportkit.vn.dates import months_text as _months
from reportkit.vn.names import unit_in_sentence as unit_name

NO_LAST_YEAR = "không có số liệu cùng kỳ để so sánh"
NO_PREVIOUS = "không có số liệu kỳ trước để so sánh"
NO_BREAK_SPACE = "\u00a0"
MISSING_MARK = "(*)"  # after a tổ's name in the phụ lục's table, and opening the note under it


def _count_of(value: object, what: str) -> int | float:
    count = getattr(value, "count", value)
    if isinstance(count, bool) or (not isinstance(count, int | float) and not hasattr(count, "__index__")):
        raise TypeError(f"{what}: expected a number or a UnitCount, got {type(value).__name__} {value!r}")
    return count if isinstance(count, int | float) else int(count)


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


def change(current: object, previous: object, unit: str | None = None, *, relative: bool = True) -> str:
    """The change as a report says it: "tăng 02 vụ việc (tăng 20%)"; a rise to twice or more "(gấp 4 lần)".

    The size in parentheses repeats its verb, so it cannot be read as a share of the figure. A whole change below
    10 takes the leading zero like every count in the report (docs/guide.md, "Leading zero"). A count of tổ
    (``UnitCount``) or ``relative=False`` gives no relative size: "tăng 03 tổ". ``unit`` is left out after a noun
    that already names it ("số hội nghị giảm 04 (giảm 16,7%)": see :func:`last_year_change`).

    >>> change(12, 10, "vụ việc"), change(8, 2, "buổi"), change(1047, 244, "lượt"), change(5, 5)
    ('tăng 02 vụ việc (tăng 20%)', 'tăng 06 buổi (gấp 4 lần)', 'tăng 803 lượt (gấp 4,3 lần)', 'bằng')
    >>> change(153_000_000, 128_600_000, "đồng"), change(20, 24), change(3, 0, "hộ")
    ('tăng 24.400.000 đồng (tăng 19%)', 'giảm 04 (giảm 16,7%)', 'tăng 03 hộ')
    >>> change(87_297, 87_271)  # 0,03%: a rate that rounds to nothing is said as such
    'tăng 26 (tăng dưới 0,1%)'
    """
    relative = relative and not hasattr(current, "total")
    cur = Decimal(str(_count_of(current, "change()")))
    prev = Decimal(str(_count_of(previous, "change()")))
    diff = cur - prev
    if diff == 0:
        return "bằng"
    verb = "tăng" if diff > 0 else "giảm"
    text = f"{verb} {_amount(abs(diff))}"
    text = f"{text} {unit}" if unit else text
    size = _relative_size(cur, prev) if relative else None
    return f"{text} ({size})" if size else text


def _amount(value: Decimal) -> str:
    return counted(int(value)) if value == value.to_integral_value() else vn.number(value)


def _relative_size(cur: Decimal, prev: Decimal) -> str | None:
    """The relative size of a change: "tăng 20%", "gấp 4 lần", "giảm dưới 0,1%"; None when nothing to measure."""
    if prev == 0 or cur == prev:
        return None
    if prev > 0 and cur >= 2 * prev:
        times = (cur / prev).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize()
        return f"gấp {vn.number(times)} lần"
    verb = "tăng" if cur > prev else "giảm"
    share = vn.percent(abs(cur - prev) / abs(prev))
    if share == "0%":  # a change too small to show in one decimal is still a change: never "(tăng 0%)"
        share = "dưới 0,1%"
    return f"{verb} {share}"


def _change_on_part(
    current: object,
    previous: object,
    unit: str | None,
    basis: str | None,
    *,
    same: str,
    noun: str | None = None,
) -> str:
    """A change measured on part of the units: both figures, since neither is the one the sentence has just
    stated ("tăng từ 10 lên 11 lượt (tăng 10%, không tính tổ 9)"); equal figures read ``same`` with the part's
    figure in brackets, named by ``unit`` or else ``noun`` ("không thay đổi (18 hội nghị)", "bằng cùng kỳ năm
    2022 (18 hội nghị)"): the figure itself is not one the sentence has stated."""
    relative = not hasattr(current, "total")
    cur = Decimal(str(_count_of(current, "change()")))
    prev = Decimal(str(_count_of(previous, "change()")))
    if cur == prev:
        shown = unit or noun
        figure = f"{_amount(cur)} {shown}" if shown else _amount(cur)
        return f"{same} ({', '.join(x for x in (figure, basis) if x)})"
    verb, way = ("tăng", "lên") if cur > prev else ("giảm", "xuống")
    size = _relative_size(cur, prev) if relative else None
    inside = ", ".join(x for x in (size, basis) if x)
    text = f"{verb} từ {_amount(prev)} {way} {_amount(cur)}{f' {unit}' if unit else ''}"
    return f"{text} ({inside})" if inside else text


def compare(
    current: object, previous: object, unit: str | None = None, *, against: str, relative: bool = True
) -> str:
    """``current`` against ``previous`` in words, naming what it is compared with.

    >>> compare(12, 10, "vụ việc", against="cùng kỳ năm 2021")
    'tăng 02 vụ việc (tăng 20%) so với cùng kỳ năm 2021'
    >>> compare(5, 5, "vụ việc", against="cùng kỳ năm 2021")
    'bằng cùng kỳ năm 2021'
    """
    text = change(current, previous, unit, relative=relative)
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


def _part_compared(figures: object, which: str) -> object | None:
    """What a comparison of ``figures`` with ``which`` ("last_year", "previous") sets against it: like against
    like, the tổ (the wards, for a province) whole in both periods — a unit late now would count whole in the
    other period and in part now, a fall that is only its lateness. ``figures`` itself when no unit is left out;
    None when every unit is."""
    if which not in ("last_year", "previous") or not hasattr(type(figures), "whole_with"):
        return figures
    period = figures.period
    return figures.whole_with(period.same_period_last_year() if which == "last_year" else period.previous())


def _pair(figures: object, which: str, indicator: str) -> tuple[object, object, object] | None:
    """(current, previous, the part compared or None when it is ``figures`` itself). A part whose two figures
    are the whole's compares as the whole: the tổ left out add nothing to either, so the change is exact on all
    of them and needs no basis ("06 tổ, tăng 02 tổ so với cùng kỳ năm 2022")."""
    part = _part_compared(figures, which)
    if part is None:
        return None
    other = getattr(part, which, None)
    current = _figure(part, indicator)
    previous = None if other is None else _figure(other, indicator)
    if current is None or previous is None:
        return None
    if part is figures:
        return current, previous, None
    whole = (_figure(figures, indicator), getattr(getattr(figures, which, None), indicator, None))
    if None not in whole and [_count_of(x, "change()") for x in whole] == [
        _count_of(x, "change()") for x in (current, previous)
    ]:
        return *whole, None
    return current, previous, part


def comparison_basis(figures: object, *indicators: str, which: str = "last_year", short: bool = False) -> str:
    """What a comparison of ``figures`` with last year (``which="previous"``: the period before) is measured on,
    when that is not all of its units: "tính trên 09 tổ có đủ số liệu của cả hai kỳ" ("… 11 phường …" for a
    province); "" when every unit counts, or when every one of ``indicators`` compares on the whole all the same
    (:func:`_pair`). For a sentence that says it once before several changes given ``basis=False``.
    ``short``: the form inside brackets, "không tính tổ 9" (:func:`_basis`), after the subject it qualifies:
    "số buổi tuyên truyền của các tổ dân phố (không tính tổ 9) giảm từ 11 xuống 08 …".

    >>> class F:  # a stand-in for Figures with tổ 9 late
    ...     period, units, unit_noun = vn.Period("2023-H1"), ("Tổ 1", "Tổ 2", "Tổ 9"), "tổ"
    ...     def whole_with(self, period):
    ...         part = F(); part.units = ("Tổ 1", "Tổ 2"); return part
    >>> comparison_basis(F())
    'tính trên 02 tổ có đủ số liệu của cả hai kỳ'
    """
    part = _part_of_comparison(figures, indicators, which)
    return "" if part is None else _basis(figures, part, short=short)


def _part_of_comparison(figures: object, indicators: tuple[str, ...], which: str) -> object | None:
    """The part the comparisons of ``indicators`` are measured on; None when it is the whole for all of them."""
    part = _part_compared(figures, which)
    if part is None or part is figures:
        return None
    if indicators and all((_pair(figures, which, i) or (None, None, None))[2] is None for i in indicators):
        return None
    return part


def last_year_opening(figures: object, *indicators: str) -> str:
    """How a sentence of changes against last year opens, naming once the part they are measured on when that
    is not every tổ (:func:`comparison_basis`; the note under I says which tổ are left out and why); the changes
    follow given ``basis=False``.

    >>> class F:  # a stand-in for Figures, every tổ whole
    ...     period = vn.Period("2022-H1")
    >>> last_year_opening(F())
    'So với cùng kỳ năm 2021'

    With tổ 9 late in 2023-H1: "So với cùng kỳ năm 2022 (không tính tổ 9)".
    """
    part = _part_of_comparison(figures, indicators, "last_year")
    opening = f"So với {figures.period.last_year_name}"
    return opening if part is None else f"{opening} ({_basis(figures, part, short=True)})"


def _unit_of(figures: object, indicator: str) -> str | None:
    """The catalog's unit of ``indicator`` ("hội nghị"), or None when the figures carry no catalog."""
    catalog = getattr(figures, "catalog", None)
    try:
        return getattr(catalog[indicator], "unit", None) or None
    except (KeyError, TypeError):
        return None


NAMED_LEFT_OUT = 3  # up to this many units left out of a comparison are named, more are counted


def _basis(figures: object, part: object, *, short: bool = False) -> str:
    """ "tính trên 09 tổ có đủ số liệu của cả hai kỳ"; ``short``, inside a change's brackets: the units left out
    when they are few, "không tính tổ 9" (never "tính trên 09 tổ", which reads as tổ 09), else the count, "tính
    trên 262 phường"; the note under I says why they are left out."""
    noun = getattr(part, "unit_noun", "tổ")
    counted_on = f"tính trên {counted(len(part.units), noun)}"
    if not short:
        return f"{counted_on} có đủ số liệu của cả hai kỳ"
    kept = set(part.units)
    left = [u for u in getattr(figures, "units", ()) if u not in kept]
    return f"không tính {units(left)}" if 0 < len(left) <= NAMED_LEFT_OUT else counted_on


def compare_same_period(
    figures: object, indicator: str, unit: str | None = None, *, basis: bool = True
) -> str:
    """The figure against the same period last year, after the figure itself: "…12 vụ việc…, giảm 03 vụ việc
    (giảm 20%) so với cùng kỳ năm 2021"; a year report compares "so với năm 2021". Without last year's figure:
    "không có số liệu cùng kỳ để so sánh" (test ``ly`` first to leave the clause out). Real figures compare their
    ``like_for_like`` part: the tổ that reported every month of both periods. When that is not every tổ the
    clause gives both figures and the part, since the figure just stated is not one of them: "tăng từ 10 lên 11
    lượt (tăng 10%, không tính tổ 9) so với cùng kỳ năm 2022", the note under I saying why;
    ``basis=False`` leaves the part out, for a sentence that names it once (:func:`comparison_basis`).

    >>> class F:  # stand-ins for Figures
    ...     def __init__(self, spec, value, last_year=None):
    ...         self.period, self.vu_viec_antt, self.last_year = vn.Period(spec), value, last_year
    >>> compare_same_period(F("2022-H1", 12, F("2021-H1", 15)), "vu_viec_antt", "vụ việc")
    'giảm 03 vụ việc (giảm 20%) so với cùng kỳ năm 2021'
    >>> compare_same_period(F("2022", 21, F("2021", 29)), "vu_viec_antt", "vụ việc")
    'giảm 08 vụ việc (giảm 27,6%) so với năm 2021'
    """
    pair = _pair(figures, "last_year", indicator)
    if pair is None:
        return NO_LAST_YEAR
    return _compared(figures, pair, unit, figures.period.last_year_name, basis)


def last_year_change(figures: object, indicator: str, *, unit: str | None = None, basis: bool = True) -> str:
    """Only the change against last year, for a sentence whose subject already names the unit: "So với cùng kỳ
    năm 2021, số hội nghị giảm 04 (giảm 16,7%)" — never "giảm 4 hội nghị" after "số hội nghị"; equal figures
    read "không thay đổi". ``unit`` only where the subject does not name it: "số tiền vận động tăng 24.400.000
    đồng (tăng 19%)". Measured on part of the tổ (:func:`compare_same_period`): "giảm từ 11 xuống 08 (giảm
    27,3%, không tính tổ 9)"; equal figures there give the part's figure, which the sentence has not stated,
    named by the catalog's unit: "không thay đổi (18 hội nghị)"."""
    pair = _pair(figures, "last_year", indicator)
    if pair is None:
        return NO_LAST_YEAR
    current, previous, part = pair
    if part is not None:
        return _change_on_part(
            current,
            previous,
            unit,
            _basis(figures, part, short=True) if basis else None,
            same="không thay đổi",
            noun=_unit_of(figures, indicator),
        )
    text = change(current, previous, unit)
    return "không thay đổi" if text == "bằng" else text


def compared_with_last_year(figures: object, indicator: str, unit: str | None = None, *, subject: str) -> str:
    """The comparison with last year that follows a stated figure, with its punctuation. Every tổ counting:
    ", giảm 03 vụ việc (giảm 20%) so với cùng kỳ năm 2021". On part of the tổ a sentence of its own, naming the
    part first, since neither of the part's figures is the one just stated: ". So với cùng kỳ năm 2022 (không
    tính tổ 9), số vụ việc được xử lý giảm từ 12 xuống 07 (giảm 41,7%)"; ``subject`` opens
    the change there, and ``unit`` follows only when ``subject`` does not name it ("số tiền vận động … đồng").

    >>> class F:  # a stand-in for Figures, every tổ whole
    ...     def __init__(self, spec, value, last_year=None):
    ...         self.period, self.vu_viec_antt, self.last_year = vn.Period(spec), value, last_year
    >>> compared_with_last_year(F("2022-H1", 12, F("2021-H1", 15)), "vu_viec_antt", "vụ việc", subject="số vụ việc")
    ', giảm 03 vụ việc (giảm 20%) so với cùng kỳ năm 2021'
    """
    if _part_of_comparison(figures, (indicator,), "last_year") is None:
        return f", {compare_same_period(figures, indicator, unit)}"
    named = None if unit is None or f" {unit} " in f" {subject} " else unit
    change_text = last_year_change(figures, indicator, unit=named, basis=False)
    return f". {last_year_opening(figures, indicator)}, {subject} {change_text}"


def compare_previous(figures: object, indicator: str, unit: str | None = None, *, basis: bool = True) -> str:
    """The figure against the previous period: "giảm 03 buổi (giảm 20%) so với quý I năm 2022"; on part of the tổ
    as :func:`compare_same_period` says it."""
    pair = _pair(figures, "previous", indicator)
    if pair is None:
        return NO_PREVIOUS
    return _compared(figures, pair, unit, figures.previous.period.name, basis)


def _compared(
    figures: object, pair: tuple[object, object, object], unit: str | None, against: str, basis: bool
) -> str:
    """A :func:`_pair` in words after the figure, naming ``against``: :func:`compare` when every unit counts,
    else the part's two figures (:func:`_change_on_part`)."""
    current, previous, part = pair
    if part is None:
        return compare(current, previous, unit, against=against)
    text = _change_on_part(
        current, previous, unit, _basis(figures, part, short=True) if basis else None, same=f"bằng {against}"
    )
    return text if text.startswith("bằng") else f"{text} so với {against}"


def year_elapsed(period: object) -> Fraction:
    """The share of the year gone by the end of ``period``: the months elapsed over 12. A result is on schedule
    when its share of the yearly plan is at least this share.

    >>> [str(year_elapsed(vn.Period(s))) for s in ("2022-H1", "2022-9M", "2022-Q1", "2022-03", "2022-H2", "2022")]
    ['1/2', '3/4', '1/4', '1/4', '1', '1']
    """
    period = period if isinstance(period, vn.Period) else vn.Period(str(period))
    return Fraction(period.end.month, 12)


def _share_shown(share: Fraction, below: Fraction) -> str:
    """``share`` as a percentage (one decimal at most); a share below ``below`` never rounds up to it: 49,96% of
    the plan at mid-year reads "mới đạt 49,9%", not "mới đạt 50%", and 99,96% not "100%"."""
    exact = Decimal(share.numerator) * 100 / Decimal(share.denominator)
    shown = exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if share < below and Fraction(shown) >= below * 100:
        shown = exact.quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    return vn.percent(shown / 100)


def of_year_plan(actual: object, plan: object, period: object) -> str:
    """A result against the year's plan, judged by the time gone: on or ahead of schedule (its share of the plan at
    least the share of the year elapsed by the end of ``period``, :func:`year_elapsed`) it reads "đạt N% kế hoạch
    năm 2023", behind it "mới đạt N% kế hoạch năm 2023". A year report (and 6 tháng cuối năm, which ends the year)
    compares with the whole plan. ``vn.of_plan`` stays the plain comparison with 100%.

    >>> of_year_plan(157_100_000, 160_000_000, vn.Period("2023-H1"))  # 98,2% at mid-year: on schedule
    'đạt 98,2% kế hoạch năm 2023'
    >>> of_year_plan(5, 10, "2023-H1"), of_year_plan(6, 13, "2022-H1"), of_year_plan(9, 13, "2022-Q3")
    ('đạt 50% kế hoạch năm 2023', 'mới đạt 46,2% kế hoạch năm 2022', 'mới đạt 69,2% kế hoạch năm 2022')
    >>> of_year_plan(113_600_000, 150_000_000, "2022-03"), of_year_plan(41_200_000, 150_000_000, "2022-H2")
    ('đạt 75,7% kế hoạch năm 2022', 'mới đạt 27,5% kế hoạch năm 2022')
    """
    period = period if isinstance(period, vn.Period) else vn.Period(str(period))
    done = Fraction(Decimal(str(_count_of(actual, "of_year_plan()"))))
    target = Fraction(Decimal(str(_count_of(plan, "of_year_plan()"))))
    if target <= 0:
        raise ValueError(f"of_year_plan(): the plan must be > 0, got {plan!r}")
    if done < 0:
        raise ValueError(f"of_year_plan(): a result cannot be negative, got {actual!r}")
    share, due = done / target, year_elapsed(period)
    verb = "đạt" if share >= due else "mới đạt"
    return f"{verb} {_share_shown(share, due if share < due else Fraction(1))} kế hoạch năm {period.year}"


def compare_plan(figures: object, indicator: str, *, actual: object = None) -> str:
    """The figure against the year's plan in one wording, judged by the time gone (:func:`of_year_plan`): "đạt 102%
    kế hoạch năm 2022"; "mới đạt" when behind the share of the year elapsed; or that there is no plan.
    ``actual=`` compares another value, e.g. the year-to-date total (:func:`year_to_date`) in a report for a period
    that does not start in January.

    >>> class F:  # a stand-in for Figures
    ...     period = vn.Period("2022-H1"); quy_vnn = 153_000_000
    ...     def plan(self, id): return 150_000_000
    >>> compare_plan(F(), "quy_vnn"), compare_plan(F(), "quy_vnn", actual=41_200_000)
    ('đạt 102% kế hoạch năm 2022', 'mới đạt 27,5% kế hoạch năm 2022')
    """
    year = figures.period.year
    plan = figures.plan(indicator)
    if actual is None:
        actual = _figure(figures, indicator)
    if plan is None or plan <= 0 or actual is None:
        return f"chưa có kế hoạch năm {year} để so sánh"
    return of_year_plan(actual, plan, figures.period)


def plan_reached(figures: object, indicator: str, year_to_date: object = None) -> bool:
    """True when the year's plan of a count (giảm hộ nghèo) is met by the total from January."""
    plan = figures.plan(indicator)
    done = _figure(figures, indicator) if figures.period.start.month == 1 else year_to_date
    return plan is not None and done is not None and _count_of(done, "plan_reached()") >= plan


def plan_result(figures: object, indicator: str, noun: str, *, verb: str, year_to_date: object = None,
                plan_of: object = None, done_for_plan: object = None) -> str:  # fmt: skip
    """What was done in the period towards a yearly target counted in units, with the verb a year-to-date result
    needs: a period from January states its own total ("trong 6 tháng đầu năm 2022 đã giảm 06 hộ nghèo, mới đạt
    46,2% kế hoạch năm 2022"); a later one its own figure, then the total from January ("trong 6 tháng cuối năm
    2022 đã giảm 08 hộ nghèo, lũy kế từ đầu năm đã giảm 14 hộ nghèo, vượt kế hoạch năm 2022 (13 hộ)"). A target
    met reads by its count ("vượt kế hoạch năm 2022 (13 hộ)", "đạt kế hoạch năm 2022 (13 hộ)"), the unit in
    parentheses being the catalog's.

    >>> class F:  # a stand-in for Figures
    ...     def __init__(self, spec, value): self.period, self.giam_ho_ngheo = vn.Period(spec), value
    ...     def plan(self, id): return 13
    >>> plan_result(F("2022-H1", 6), "giam_ho_ngheo", "hộ nghèo", verb="giảm")
    'trong 6 tháng đầu năm 2022 đã giảm 06 hộ nghèo, mới đạt 46,2% kế hoạch năm 2022'
    >>> plan_result(F("2022-H2", 8), "giam_ho_ngheo", "hộ nghèo", verb="giảm", year_to_date=14)
    'trong 6 tháng cuối năm 2022 đã giảm 08 hộ nghèo, lũy kế từ đầu năm đã giảm 14 hộ nghèo, vượt kế hoạch năm 2022 (13 hộ)'
    >>> plan_result(F("2022-Q3", 0), "giam_ho_ngheo", "hộ nghèo", verb="giảm", year_to_date=9)
    'trong quý III năm 2022 chưa giảm thêm hộ nghèo nào, lũy kế từ đầu năm đã giảm 09 hộ nghèo, mới đạt 69,2% kế hoạch năm 2022'

    ``plan_of`` (with ``done_for_plan``, its total from January) judges the result by other figures' plan: a
    province states what every ward did and judges the plan over the wards that reported in full
    from January (``ProvinceFigures.for_plan``), saying so once in its section I.
    """
    period = figures.period
    own = _figure(figures, indicator)
    from_january = period.start.month == 1
    done = own if from_january else year_to_date
    if own is None or done is None:
        return f"chưa có số liệu {noun} {period.name}"

    def did(n: object, more: str = "") -> str:
        n = _count_of(n, "plan_result()")
        return f"đã {verb} {counted(n, noun)}" if n else f"chưa {verb}{more} {noun} nào"

    text = f"trong {period.name} {did(own, ' thêm' if not from_january else ' được')}"
    if not from_january:
        text += f", lũy kế từ đầu năm {did(done, ' được')}"
    plan = (figures if plan_of is None else plan_of).plan(indicator)
    if plan is None or plan <= 0:
        return text
    if plan_of is not None and done_for_plan is None:
        done_for_plan = _figure(plan_of, indicator) if from_january else None
    judged = done if plan_of is None else done_for_plan
    if judged is None:
        return text
    total = _count_of(judged, "plan_result()")
    if total >= plan:
        target = counted(plan, _unit_of(figures, indicator) or noun.split()[0])
        return f"{text}, {'vượt' if total > plan else 'đạt'} kế hoạch năm {period.year} ({target})"
    return f"{text}, {of_year_plan(total, plan, period)}"


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


def units_in_months(dataset: object, period: object, indicator: str, months: object) -> list[str]:
    """The units (tổ) an indicator marks in the months of ``period`` that fall within ``months`` (an event of
    ward.yaml, or any container of (year, month)): e.g. the Ban CTMT kiện toàn during the chi bộ congresses."""
    period = period if isinstance(period, vn.Period) else vn.Period(str(period))
    found: set[str] = set()
    for year, month in period.months:
        if (year, month) in months:
            value = _figure(dataset.figures(vn.Period(f"{year}-{month:02d}")), indicator)
            found.update(getattr(value, "units", None) or [])
    return sorted(found, key=vn.sort_key)


def units_without(figures: object, indicator: str) -> list[str]:
    """The tổ whose figure for the period is 0 (or "Không"), in natural order; a tổ that sent no figure is not
    among them (it has not reported, which is not the same as none): "tổ 3, tổ 7, tổ 9 và tổ 10 chưa tổ chức
    buổi tuyên truyền nào" is ``{{ units_without(f, "tuyen_truyen_buoi") | units }} chưa tổ chức …``."""
    column = figures.by_unit[indicator]
    return [str(u) for u, v in column.items() if v is not None and v == v and not v]  # v != v: NaN


def ratio_named(value: object, noun: str, among: object) -> str:
    """How many units of all, naming the few that are not, or the few that are: "10/10 Ban CTMT", "9/10 Ban
    CTMT (trừ tổ 7)", "3/10 Ban CTMT (tổ 1, tổ 2 và tổ 6)".

    >>> uc = type("UC", (), {"count": 9, "total": 10, "units": [f"Tổ {n}" for n in range(1, 11) if n != 7]})()
    >>> ratio_named(uc, "Ban CTMT", [f"Tổ {n}" for n in range(1, 11)])
    '9/10 Ban CTMT (trừ tổ 7)'
    """
    text = ratio(value, noun)
    count, total, named = value.count, value.total, list(getattr(value, "units", []))
    if count == total or count == 0:
        return text
    if count * 2 > total:
        return f"{text} (trừ {units([u for u in among if u not in named])})"
    return f"{text} ({units(named)})"


def meetings(
    value: object, period: object, missed: object = (), unreported: object = (), noun: str = "Ban CTMT"
) -> str:
    """Who held the monthly meeting: "10/10 Ban CTMT đều tổ chức họp hàng tháng"; in a monthly report "họp định
    kỳ trong tháng"; a unit whose report is missing is named apart, never counted as not having met: "8/10 Ban
    CTMT tổ chức họp đủ hàng tháng (Ban CTMT tổ 4 chưa họp đủ; tổ 9 chưa gửi đủ báo cáo nên chưa có căn cứ đánh
    giá)"."""
    period = period if isinstance(period, vn.Period) else vn.Period(str(period))
    monthly = period.kind == "month"
    everyone = value.count == value.total
    duty = "họp định kỳ trong tháng" if monthly else ("họp hàng tháng" if everyone else "họp đủ hàng tháng")
    text = f"{ratio(value, noun)} {'đều ' if everyone else ''}tổ chức {duty}"
    notes = []
    if missed:
        notes.append(f"{noun} {units(missed)} {'chưa tổ chức họp' if monthly else 'chưa họp đủ'}")
    if unreported:
        notes.append(f"{units(unreported)} chưa gửi đủ báo cáo nên chưa có căn cứ đánh giá")
    return f"{text} ({'; '.join(notes)})" if notes else text


def established(items: object, *, where: bool = True) -> str:
    """What the ward has, each with where it is, and what it has not: "có 01 tổ tự quản an ninh tại tổ 3, 02 câu
    lạc bộ tuyên truyền pháp luật tại tổ 6 và tổ 8 (chưa có mô hình khu dân cư bảo đảm an toàn giao thông)".
    ``where=False`` leaves out where, for a roll-up of many wards: "có 120 tổ tự quản an ninh, …".

    ``items``: (UnitCount, noun) pairs, in the order the sentence names them.
    """
    present, absent = [], []
    for value, noun in items:
        if value.count:
            present.append(f"{counted(value, noun)} {at_units(value)}" if where else counted(value, noun))
        else:
            absent.append(noun)
    if not present:
        return f"chưa có {vn.join(absent)}"
    text = f"có {', '.join(present)}"
    return f"{text} (chưa có {vn.join(absent)})" if absent else text


def report_subject(period: object, work: str, *, tasks: bool = True) -> str:
    """The trích yếu of a periodic report: its kind from the period (``Period.review``) and, when the report has
    its third part, the next period's tasks; one year is named once at the end.

    >>> report_subject(vn.Period("2022-H1"), "công tác Mặt trận")
    'Sơ kết công tác Mặt trận 6 tháng đầu năm và phương hướng, nhiệm vụ 6 tháng cuối năm 2022'
    >>> report_subject(vn.Period("2022"), "công tác Mặt trận")
    'Tổng kết công tác Mặt trận năm 2022 và phương hướng, nhiệm vụ năm 2023'
    >>> report_subject(vn.Period("2022-03"), "công tác Mặt trận", tasks=False)
    'Kết quả công tác Mặt trận tháng 3 năm 2022'
    """
    period = period if isinstance(period, vn.Period) else vn.Period(str(period))
    head = vn.upper_first(f"{period.review} {work}")
    if not tasks:
        return f"{head} {period.name}"
    if period.kind != "year" and period.next().year == period.year:
        return f"{head} {period.name_in_year} và phương hướng, nhiệm vụ {period.next_name}"
    return f"{head} {period.name} và phương hướng, nhiệm vụ {period.next_name}"


def annex_reference(document: object) -> str:
    """The italic line under a phụ lục's title (Nghị định 30/2020, Phụ lục I), from the record's document block:
    "(Kèm theo Báo cáo số 47/BC-MTTQ-BTT ngày 24 tháng 6 năm 2022 của Ban Thường trực …)". A number left for the
    văn thư keeps the header's gap ("Số:     /BC-MTTQ-BTT"), in no-break spaces so that a page does not close it
    up: the number is written by hand in both places alike.

    >>> annex_reference({"type": "BÁO CÁO", "number": "Số: 47/BC-MTTQ-BTT", "issued_on": "2022-06-24",
    ...                  "issuer": "Ban Thường trực Ủy ban MTTQ Việt Nam Phường Duy Tân"})
    '(Kèm theo Báo cáo số 47/BC-MTTQ-BTT ngày 24 tháng 6 năm 2022 của Ban Thường trực Ủy ban MTTQ Việt Nam Phường Duy Tân)'
    >>> annex_reference({"type": "BÁO CÁO", "number": "Số:     /BC-MTTQ-BTT", "issued_on": "2022-06-30",
    ...                  "issuer": "Ban X"}).replace(NO_BREAK_SPACE, "_")
    '(Kèm theo Báo cáo số_____/BC-MTTQ-BTT ngày 30 tháng 6 năm 2022 của Ban X)'
    """
    kind = vn.upper_first(str(document["type"]).strip().lower())
    number = str(document["number"]).strip().removeprefix("Số:")
    when = vn.date(document["issued_on"], long=True)
    symbol = number.lstrip(" \u00a0")
    if symbol.startswith("/"):  # the header's blank: the same gap, however wide it is there
        gap = NO_BREAK_SPACE * max(len(number) - len(symbol), 1)
        return f"(Kèm theo {kind} số{gap}{symbol} {when} của {document['issuer']})"
    return f"(Kèm theo {kind} số {number.strip()} {when} của {document['issuer']})"


def part_number() -> str:
    """The Roman numeral of the next part of the report ("I", "II" …), counted in run order like "Bảng N.": a part
    the analyst did not write leaves no gap (``## {{ part_number() }}. ĐÁNH GIÁ CHUNG``)."""
    return vn.roman(_state.state().next_number("part"))


def about(value: object, digits: int = 2, step: object = None) -> str:
    """``vn.about`` for counts in prose: "trên 1.200"; an exact small count keeps the leading zero ("08").
    ``digits``: the significant digits kept; ``step``: the granularity instead — a province's 17.756 is
    "trên 17.700" with ``step=100`` (the ward's 1.128 "trên 1.100" alike), not "trên 17.000"."""
    count = _count_of(value, "about()")
    if isinstance(count, int) and 0 < count < 10:
        return counted(count)
    return vn.about(count, step, digits=digits)


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


def _missing_by_unit(value: object) -> tuple[dict[str, list[tuple[int, int]]], int | None]:
    if getattr(value, "units_total", None) is None:
        raise TypeError(f"expected a Completeness, got {type(value).__name__} {value!r}")
    found: dict[str, list[tuple[int, int]]] = {}
    for unit, month in getattr(value, "missing", []):
        found.setdefault(vn.nfc(str(unit)), []).append(tuple(month))
    months = getattr(value, "months", None)
    return {u: sorted(found[u]) for u in sorted(found, key=vn.sort_key)}, (len(months) if months else None)


def blank_data(blanks: object, catalog: object) -> str:
    """The indicators a tổ left blank in a month it reported (``Dataset.blank_cells``), for the note under I: each
    indicator once, with its months and tổ.

    >>> class B:  # a stand-in for BlankCell
    ...     def __init__(self, unit, month, indicator): self.unit, self.month, self.indicator = unit, month, indicator
    >>> class I:
    ...     def __init__(self, label): self.label = label
    >>> catalog = {"quy_vnn": I("Quỹ “Vì người nghèo”"), "tuyen_truyen_buoi": I("Buổi tuyên truyền")}
    >>> blank_data([B("Tổ 3", (2022, 6), "quy_vnn"), B("Tổ 4", (2022, 6), "quy_vnn"),
    ...             B("Tổ 3", (2022, 5), "tuyen_truyen_buoi")], catalog)
    'Quỹ “Vì người nghèo” (tháng 6 năm 2022 của tổ 3 và tổ 4), Buổi tuyên truyền (tháng 5 năm 2022 của tổ 3)'
    """
    by_indicator: dict[str, dict[tuple[int, int], list[str]]] = {}
    for b in blanks:  # type: ignore[attr-defined]
        by_indicator.setdefault(b.indicator, {}).setdefault(tuple(b.month), []).append(str(b.unit))
    if not by_indicator:
        raise ValueError("blank_data(): no cell is blank; test the list first ({% if … %})")
    parts = []
    for ident, months in by_indicator.items():
        said = "; ".join(
            f"{vn.months_text([m])} của {units(list(dict.fromkeys(us)))}" for m, us in months.items()
        )
        parts.append(f"{vn.nfc(catalog[ident].label)} ({said})")  # type: ignore[index]
    return ", ".join(parts)


def missing_data(value: object) -> str:
    """What the totals of a period leave out, after "chưa bao gồm": the months and the tổ that did not report,
    tổ missing the same months named together (in the order of their first tổ); a tổ that sent nothing for the
    period, by its name alone.

    >>> class C:  # a stand-in for Completeness
    ...     def __init__(self, missing, months=6): self.missing, self.units_total, self.months = missing, 10, [0] * months
    >>> missing_data(C([("Tổ 9", (2023, 6))]))
    'số liệu tháng 6 năm 2023 của tổ 9'
    >>> missing_data(C([("Tổ 4", (2022, 5)), ("Tổ 4", (2022, 6)), ("Tổ 9", (2022, 6)), ("Tổ 2", (2022, 6))]))
    'số liệu tháng 6 năm 2022 của tổ 2 và tổ 9, tháng 5 và tháng 6 năm 2022 của tổ 4'
    >>> missing_data(C([("Tổ 10", (2022, m)) for m in (1, 2, 3)], months=3))
    'số liệu của tổ 10'
    """
    by_unit, per_unit = _missing_by_unit(value)
    if not by_unit:
        raise ValueError("missing_data(): every tổ has reported; test the completeness first ({% if … %})")
    groups: dict[tuple, list[str]] = {}
    for unit, months in by_unit.items():
        whole = per_unit is not None and len(months) >= per_unit
        groups.setdefault(() if whole else tuple(months), []).append(unit)
    parts = [f"{_months(list(months))} của {units(names)}" if months else f"của {units(names)}"
             for months, names in groups.items()]  # fmt: skip
    return "số liệu " + ", ".join(parts)


def missing_note(value: object, mark: str = MISSING_MARK) -> str:
    """The note under the phụ lục's table naming what its rows marked ``mark`` lack, from the data.

    >>> class C:  # a stand-in for Completeness
    ...     def __init__(self, missing): self.missing, self.units_total, self.months = missing, 10, [0] * 6
    >>> missing_note(C([("Tổ 9", (2023, 6))]))
    '(*) Tổ 9 chưa có số liệu tháng 6 năm 2023.'
    >>> missing_note(C([("Tổ 9", (2022, 6)), ("Tổ 4", (2022, 5)), ("Tổ 4", (2022, 6))]))
    '(*) Tổ 4 chưa có số liệu tháng 5 và tháng 6 năm 2022; tổ 9 chưa có số liệu tháng 6 năm 2022.'
    """
    by_unit, per_unit = _missing_by_unit(value)
    if not by_unit:
        raise ValueError("missing_note(): every tổ has reported; test the completeness first ({% if … %})")
    parts = []
    for unit, months in by_unit.items():
        whole = per_unit is not None and len(months) >= per_unit
        parts.append(f"{unit_name(unit)} chưa có số liệu {'trong kỳ' if whole else _months(months)}")
    return f"{mark} {vn.upper_first('; '.join(parts))}."


def marked_units(value: object, mark: str = MISSING_MARK) -> dict[str, str]:
    """The tổ with a month missing, each with its mark, to rename the rows of the phụ lục's table:
    ``f.by_unit.rename(index=marked_units(f.completeness))`` → "Tổ 9 (*)"."""
    by_unit, _ = _missing_by_unit(value)
    return {unit: f"{unit} {mark}" for unit in by_unit}


def period_opening(period: object) -> str:
    """How a sentence on the period's steady work opens: "Ngay từ đầu năm" for a period from January, else the
    period within its year ("Trong 6 tháng cuối năm", "Trong quý III"): a report for July to December cannot say
    what was done from the start of the year.

    >>> period_opening(vn.Period("2022-H1")), period_opening(vn.Period("2022-H2")), period_opening("2022-Q3")
    ('Ngay từ đầu năm', 'Trong 6 tháng cuối năm', 'Trong quý III')
    """
    period = period if isinstance(period, vn.Period) else vn.Period(str(period))
    if period.start.month == 1:
        return "Ngay từ đầu năm"
    return f"Trong {period.name_in_year}"


FILTERS = {
    "units": units,
    "at_units": at_units,
    "ratio": ratio,
    "counted": counted,
    "completeness": completeness,
    # The report's wordings replace vn's plain ones in narrative cells: one comparison wording, one leading zero.
    "change": change,
    "about": about,
}
GLOBALS = {
    "change": change,
    "compare": compare,
    "compare_same_period": compare_same_period,
    "last_year_change": last_year_change,
    "compare_previous": compare_previous,
    "comparison_basis": comparison_basis,
    "last_year_opening": last_year_opening,
    "compared_with_last_year": compared_with_last_year,
    "compare_plan": compare_plan,
    "of_year_plan": of_year_plan,
    "plan_result": plan_result,
    "plan_reached": plan_reached,
    "ratio_named": ratio_named,
    "units_without": units_without,
    "year_to_date": year_to_date,
    "meetings": meetings,
    "established": established,
    "annex_reference": annex_reference,
    "part_number": part_number,
    "units": units,
    "at_units": at_units,
    "ratio": ratio,
    "counted": counted,
    "completeness": completeness,
    "missing_data": missing_data,
    "blank_data": blank_data,
    "missing_note": missing_note,
    "period_opening": period_opening,
    "NO_LAST_YEAR": NO_LAST_YEAR,
}
