"""Indicator kinds and aggregations: one small class each, registered here, so adding a kind is one class.

A kind (count, amount, yesno, text) knows how a cell of its column reads and which values are valid, which
aggregations it admits, its SQL column type and its column in the collection template. An aggregation over months
(sum, last, every, any, max) turns one tổ's months into one value; one over units (sum, count) turns the tổ's
values into the ward's figure.

>>> KINDS["yesno"].value("x", None), KINDS["amount"].value("2,5", None, scale=1_000_000)
(True, 2500000)
>>> OVER_MONTHS["every"]([True, True, None], 3), OVER_UNITS["count"]({"Tổ 1": True, "Tổ 2": False})
(False, UnitCount(count=1, total=2, units=['Tổ 1']))

A new kind is one class (``register`` adds it; the catalog then accepts ``kind: rating``):

>>> @register
... class Rating(Number):
...     "Điểm đánh giá 1–5 của Ban CTMT."
...     name, noun = "rating", "điểm đánh giá"
...     over_months, over_units = ("last", "max"), ("count",)
...     whole = True
>>> KINDS["rating"].value("4", None), aggregation_problems("rating", "sum", "count")
(4, [('over_months', 'sum', 'last hoặc max cho chỉ tiêu điểm đánh giá')])
>>> del KINDS["rating"]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from reportkit import vn
from reportkit.data import values as V
from reportkit.data.values import CellError

if TYPE_CHECKING:
    from reportkit.data.model import Indicator

__all__ = [
    "KINDS",
    "OVER_MONTHS",
    "OVER_UNITS",
    "Amount",
    "AnyMonth",
    "Count",
    "CountOfUnits",
    "EveryMonth",
    "Kind",
    "LastMonth",
    "MaxOfMonths",
    "MonthAggregation",
    "Number",
    "SumOfMonths",
    "SumOfUnits",
    "Text",
    "UnitAggregation",
    "UnitCount",
    "Validation",
    "YesNo",
    "aggregation_problems",
    "amount_scale",
    "defaults",
    "register",
]

KINDS: dict[str, Kind] = {}
OVER_MONTHS: dict[str, MonthAggregation] = {}
OVER_UNITS: dict[str, UnitAggregation] = {}


def register(cls: type) -> type:
    """Class decorator: an instance of ``cls`` joins its family's registry (KINDS, OVER_MONTHS or OVER_UNITS)."""
    registry = getattr(cls, "registry", None)
    if registry is None:
        raise TypeError(f"{cls.__name__} is neither a Kind, a MonthAggregation nor a UnitAggregation")
    registry[cls.name] = cls()
    return cls


def _get(registry: Mapping[str, object], name: object):
    return registry.get(name) if isinstance(name, str) else None  # a YAML list or mapping is no name


# ---------------------------------------------------------------- kinds


@dataclass(frozen=True)
class Validation:
    """The Excel data validation of a template column (openpyxl ``DataValidation`` arguments) and its error."""

    type: str
    formula1: str
    error: str
    operator: str | None = None
    formula2: str | None = None


class Kind:
    """What an indicator's cells hold. The first aggregation of ``over_months``/``over_units`` is the default."""

    registry: ClassVar[dict[str, Kind]] = KINDS
    name: ClassVar[str]
    noun: ClassVar[str]  # in catalog messages: "count cho chỉ tiêu có/không"
    over_months: ClassVar[tuple[str, ...]] = ("sum", "last", "every", "any", "max")
    over_units: ClassVar[tuple[str, ...]] = ("sum", "count")
    default_min: ClassVar[float | None] = None
    sql_type: ClassVar[str] = "Text"  # a SQLAlchemy type name

    def __repr__(self) -> str:
        return f"<kind {self.name}>"

    # reading and validating
    def scale(self, header: str) -> int:
        """Multiplier the column's header implies for its numbers (1 unless the kind says otherwise)."""
        return 1

    def read(self, cell: object, scale: int = 1) -> object:
        """The value of one cell (None = not reported), or CellError."""
        raise NotImplementedError

    def check(self, value: object, ind: Indicator | None) -> object:
        """``value`` when it is valid for ``ind`` (its range), else CellError."""
        return value

    def value(self, cell: object, ind: Indicator | None, scale: int = 1) -> object:
        """One cell read and validated: the one path for xlsx, CSV and SQL cells."""
        return self.check(self.read(cell, scale), ind)

    def target(self, cell: object, header: str) -> int | float | None:
        """A yearly plan target in ke-hoach.xlsx, ≥ 0; for a kind that holds no numbers, a number of tổ."""
        return _not_negative(V.number(cell, whole=False, scale=amount_scale(header)))

    # writing
    def sql_value(self, value: object) -> object:
        return value

    def header_unit(self, ind: Indicator, money_unit: str = "đồng") -> str:
        """The unit the template writes in the column header: "Số buổi (buổi)"."""
        return ind.unit

    def validation(self, ind: Indicator) -> Validation | None:
        """Excel data validation for the template column, or None."""
        return None

    def how(self, ind: Indicator) -> str:
        """“Cách nhập” in the template's guide sheet: "số nguyên ≥ 0 (từ 0 đến 20)", "Có / Không"."""
        return self.noun


def _not_negative(x):
    if x is not None and x < 0:
        raise CellError("negative", "số ≥ 0")
    return x


class Number(Kind):
    """Numbers ≥ 0 within the indicator's min/max; "-" is 0, "1.200" is 1200."""

    noun = "số"
    default_min = 0
    sql_type = "Float"
    whole: ClassVar[bool] = False  # a fraction is an error
    money: ClassVar[bool] = False  # whole đồng once the header's unit is applied

    def read(self, cell: object, scale: int = 1) -> int | float | None:
        return V.number(cell, whole=self.whole, scale=scale, amount=self.money)

    def target(self, cell, header):
        """Read like the kind's cells, with the unit of the plan's header: "150 (triệu đồng)"."""
        return _not_negative(self.read(cell, amount_scale(header)))

    def check(self, value, ind):
        if _not_negative(value) is None or ind is None:
            return value
        if (ind.min is not None and value < ind.min) or (ind.max is not None and value > ind.max):
            lo = vn.number(ind.min) if ind.min is not None else "…"
            hi = vn.number(ind.max) if ind.max is not None else "…"
            raise CellError("out_of_range", f"từ {lo} đến {hi} {ind.unit}".strip())
        return value

    def validation(self, ind):
        return Validation("decimal", "0", "nhập số ≥ 0", operator="greaterThanOrEqual")

    def how(self, ind):
        return "số ≥ 0"


@register
class Count(Number):
    """Whole numbers: "1.200" → 1200; 1.2 is "1.200" misread by an English-locale Excel, so an error."""

    name, noun = "count", "số đếm"
    sql_type = "Integer"
    whole = True

    def validation(self, ind):
        low = str(int(ind.min or 0))
        if ind.max is None:
            return Validation("whole", low, "nhập số ≥ 0", operator="greaterThanOrEqual")
        return Validation("whole", low, "nhập số ≥ 0", operator="between", formula2=str(int(ind.max)))

    def how(self, ind):
        span = f" (từ {ind.min or 0:g} đến {ind.max:g})" if ind.max is not None else ""
        return "số nguyên ≥ 0" + span


def amount_scale(header: str) -> int:
    """Multiplier to đồng from the header's unit.

    >>> amount_scale("Quỹ vận động được (triệu đồng)"), amount_scale("Quỹ (nghìn đồng)"), amount_scale("Quỹ")
    (1000000, 1000, 1)
    """
    k = V.key(header)
    if re.search(r"\b(trieu|tr)( dong| d)?\b", k) or "trd" in k.split():
        return 1_000_000
    if re.search(r"\b(nghin|ngan)( dong| d)?\b", k):
        return 1_000
    return 1


@register
class Amount(Number):
    """Money in whole đồng; the header's unit scales it: 2,5 under "(triệu đồng)" is 2.500.000 đồng."""

    name, noun = "amount", "số tiền"
    sql_type = "BigInteger"
    money = True

    def scale(self, header):
        return amount_scale(header)

    def header_unit(self, ind, money_unit="đồng"):
        return money_unit

    def how(self, ind):
        return "số tiền (đồng)"


@register
class YesNo(Kind):
    """Có/Không: "có", "x", "✓", "1" are yes; "không", "-", "0" are no."""

    name, noun = "yesno", "có/không"
    over_months = ("last", "every", "any")
    over_units = ("count",)
    sql_type = "Integer"  # 1/0

    def read(self, cell, scale=1):
        return V.yes_no(cell)

    def sql_value(self, value):
        return int(value) if isinstance(value, bool) else value

    def header_unit(self, ind, money_unit="đồng"):
        return "Có/Không"

    def validation(self, ind):
        return Validation("list", '"Có,Không"', "chọn Có hoặc Không")

    def how(self, ind):
        return "Có / Không"


@register
class Text(Kind):
    """Free text, as written (trimmed)."""

    name, noun = "text", "chữ"
    over_months = ("last", "every", "any", "max")  # text has no sum
    over_units = ("count",)

    def read(self, cell, scale=1):
        return None if V.is_blank(cell) else str(cell).strip()


# ---------------------------------------------------------------- over months


class MonthAggregation:
    """How one tổ's months add up over a period; months not reported (None) are left out."""

    registry: ClassVar[dict[str, MonthAggregation]] = OVER_MONTHS
    name: ClassVar[str]
    condition: ClassVar[bool] = False  # the result says whether a condition was met, not how much

    def __repr__(self) -> str:
        return f"<over_months {self.name}>"

    def __call__(self, values: Sequence[object], n_months: int) -> object:
        present = [v for v in values if v is not None]
        return self.combine(present, n_months) if present else None

    def combine(self, present: list, n_months: int) -> object:
        raise NotImplementedError

    def evidence(self, found: list[tuple]) -> list[tuple]:
        """Of a counted tổ's (row, file, value) in month order, those that make it count."""
        return found


@register
class SumOfMonths(MonthAggregation):
    name = "sum"

    def combine(self, present, n_months):
        return sum(present)


@register
class LastMonth(MonthAggregation):
    """The latest month reported."""

    name = "last"

    def combine(self, present, n_months):
        return present[-1]

    def evidence(self, found):
        return found[-1:]


@register
class EveryMonth(MonthAggregation):
    """Yes in every month of the period: a month not reported cannot count as met."""

    name = "every"
    condition = True

    def combine(self, present, n_months):
        return len(present) == n_months and all(present)


@register
class AnyMonth(MonthAggregation):
    name = "any"
    condition = True

    def combine(self, present, n_months):
        return any(present)

    def evidence(self, found):
        return [f for f in found if f[2]]


@register
class MaxOfMonths(MonthAggregation):
    name = "max"

    def combine(self, present, n_months):
        return max(present)

    def evidence(self, found):
        return [f for f in found if f[2]]


# ---------------------------------------------------------------- over units


@dataclass
class UnitCount:
    """ "number of tổ meeting a condition": ``str()`` is "10/10"; ``units`` in natural order."""

    count: int
    total: int
    units: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.count}/{self.total}"

    def __int__(self) -> int:
        return self.count

    def __index__(self) -> int:
        return self.count

    @property
    def all(self) -> bool:
        return self.count == self.total

    def as_dict(self) -> dict:
        return {"count": self.count, "total": self.total, "units": list(self.units)}


class UnitAggregation:
    """How the tổ's values (one per tổ, None = nothing reported) make the ward's figure."""

    registry: ClassVar[dict[str, UnitAggregation]] = OVER_UNITS
    name: ClassVar[str]

    def __repr__(self) -> str:
        return f"<over_units {self.name}>"

    def __call__(self, per_unit: Mapping[str, object]) -> object:
        raise NotImplementedError

    def admits(self, months: MonthAggregation) -> bool:
        """Whether the tổ's values that ``months`` yields can be combined this way."""
        return True

    def evidence(self, value: object, found: list[tuple], months: MonthAggregation) -> list[tuple]:
        """The (row, file, value) of one tổ behind the figure (``value`` = that tổ's aggregate)."""
        return found

    def of_plan(self, actual: object, plan: float) -> float | None:
        """actual / plan when the figure compares with a plan target, else None."""
        return None


@register
class SumOfUnits(UnitAggregation):
    name = "sum"

    def __call__(self, per_unit):
        present = [v for v in per_unit.values() if v is not None]
        return sum(present) if present else None

    def admits(self, months):
        return not months.condition  # "met or not" does not add up

    def of_plan(self, actual, plan):
        return actual / plan


@register
class CountOfUnits(UnitAggregation):
    """The number of tổ whose value is yes (or not zero): "10/10"."""

    name = "count"

    def __call__(self, per_unit):
        met = [u for u, v in per_unit.items() if v]
        return UnitCount(len(met), len(per_unit), met)

    def evidence(self, value, found, months):
        return months.evidence(found) if value else []


# ---------------------------------------------------------------- catalog rules


def defaults(kind: object) -> tuple[str, str, float | None]:
    """(over_months, over_units, min) of an indicator that does not say: ``defaults("count")`` → sum, sum, 0."""
    k = _get(KINDS, kind)
    if k is None:
        return "last", "count", None  # an unknown kind is reported; these add no second problem
    return k.over_months[0], k.over_units[0], k.default_min


def aggregation_problems(
    kind: object, over_months: object, over_units: object
) -> list[tuple[str, object, str]]:
    """What a catalog entry gets wrong, as (field, value, expected), in the order the catalog reports them.

    >>> aggregation_problems("yesno", "sum", "count")
    [('over_months', 'sum', 'last, every hoặc any cho chỉ tiêu có/không')]
    >>> aggregation_problems("count", "any", "sum")
    [('over_months', 'any', 'sum, last hoặc max')]
    """
    named = (
        ("kind", kind, KINDS),
        ("over_months", over_months, OVER_MONTHS),
        ("over_units", over_units, OVER_UNITS),
    )
    out = [(f, v, "một trong: " + ", ".join(reg)) for f, v, reg in named if _get(reg, v) is None]
    k, m, u = _get(KINDS, kind), _get(OVER_MONTHS, over_months), _get(OVER_UNITS, over_units)
    return out if k is None else out + _admitted(k, m, u)


def _admitted(
    k: Kind, m: MonthAggregation | None, u: UnitAggregation | None
) -> list[tuple[str, object, str]]:
    """What a known kind refuses of its known aggregations: each on its own, then the two together."""
    out = []
    if m is not None and m.name not in k.over_months:
        out.append(("over_months", m.name, f"{vn.join(k.over_months, 'hoặc')} cho chỉ tiêu {k.noun}"))
    if u is not None and u.name not in k.over_units:
        out.append(("over_units", u.name, f"{vn.join(k.over_units, 'hoặc')} cho chỉ tiêu {k.noun}"))
    if not out and m is not None and u is not None and not u.admits(m):
        fitting = [n for n in k.over_months if n in OVER_MONTHS and u.admits(OVER_MONTHS[n])]
        out.append(("over_months", m.name, vn.join(fitting, "hoặc")))
    return out
