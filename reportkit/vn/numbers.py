"""Numbers the Vietnamese way: "1.236", "2,5", "15,5%", "03", "trên 1.200", "tăng 2 vụ (20%)"."""

from __future__ import annotations

import re
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Context, Decimal
from functools import cache

__all__ = ["about", "change", "number", "of_plan", "padded", "parse_number", "percent", "to_decimal"]

# A double carries 15 significant decimal digits reliably; reading floats at that precision is what turns
# 0.1 + 0.2 (0.30000000000000004) back into the 0.3 the analyst typed.
_FLOAT_DIGITS = ".15g"
_DEC_STEPS = {n: Decimal(1).scaleb(-n) for n in range(0, 13)}


def _type_name(x: object) -> str:
    return "None" if x is None else type(x).__name__


def to_decimal(x: object, what: str = "number") -> Decimal:
    """The exact decimal value of ``x`` (int, float read to 15 significant digits, Decimal, Fraction-like).

    >>> to_decimal(0.1 + 0.2)
    Decimal('0.3')
    """
    if isinstance(x, bool) or x is None or isinstance(x, str | bytes):
        raise TypeError(f"{what}() expects a number, got {_type_name(x)} {x!r}")
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, float):
        if x != x or x in (float("inf"), float("-inf")):
            raise ValueError(f"{what}() cannot format {x!r}: expected a finite number")
        return Decimal(format(x, _FLOAT_DIGITS))
    if isinstance(x, Decimal):
        if not x.is_finite():
            raise ValueError(f"{what}() cannot format {x!r}: expected a finite number")
        return x
    if hasattr(x, "__index__"):  # numpy integers and friends, without importing numpy
        return Decimal(x.__index__())
    if hasattr(x, "numerator") and hasattr(x, "denominator"):  # fractions.Fraction
        return Decimal(x.numerator) / Decimal(x.denominator)
    if hasattr(x, "__float__"):  # numpy floats that are not float subclasses
        return to_decimal(float(x), what)
    raise TypeError(f"{what}() expects a number, got {_type_name(x)} {x!r}")


def _group(digits: str, sep: str = ".") -> str:
    if len(digits) <= 3:
        return digits
    head = len(digits) % 3 or 3
    parts = [digits[:head]]
    parts.extend(digits[i : i + 3] for i in range(head, len(digits), 3))
    return sep.join(parts)


def _format_decimal(d: Decimal, group: bool) -> str:
    text = format(d, "f")
    negative = text.startswith("-")
    if negative:
        text = text[1:]
    whole, _, frac = text.partition(".")
    out = _group(whole) if group else whole
    if frac:
        out = f"{out},{frac}"
    if negative and d != 0:
        out = "-" + out
    return out


def _round(d: Decimal, decimals: int, what: str) -> Decimal:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        raise ValueError(f"{what}(): decimals must be a whole number ≥ 0, got {decimals!r}")
    step = _DEC_STEPS.get(decimals) or Decimal(1).scaleb(-decimals)
    # Enough precision for any magnitude (the default context stops at 28 digits).
    return d.quantize(
        step, rounding=ROUND_HALF_UP, context=Context(prec=max(28, d.adjusted() + decimals + 3))
    )


def number(x: object, decimals: int | None = None, *, group: bool = True) -> str:
    """A number in Vietnamese notation: "." between thousands, "," before decimals.

    ``decimals=None`` shows the decimals the value has (floats without binary noise); ``decimals=n`` rounds
    half-up to exactly n decimals. ``group=False`` for years and document numbers.

    >>> number(1236), number(2.5), number(-1234.56), number(1234.565, decimals=2), number(2022, group=False)
    ('1.236', '2,5', '-1.234,56', '1.234,57', '2022')
    """
    if decimals is None and type(x) is int:  # the hot path: counts
        if x < 0:
            return "-" + (f"{-x:,}".replace(",", ".") if group else str(-x))
        return f"{x:,}".replace(",", ".") if group else str(x)
    if decimals is None and type(x) is float:  # the other hot path: plain floats, same result as Decimal
        s = format(x, _FLOAT_DIGITS)
        if "e" not in s and "n" not in s:  # not exponent form, not inf/nan
            negative = s[0] == "-"
            whole, _, frac = (s[1:] if negative else s).partition(".")
            out = _group(whole) if group else whole
            if frac:
                out = f"{out},{frac}"
            return "-" + out if negative and out != "0" else out
    d = to_decimal(x, "number")
    if decimals is not None:
        d = _round(d, decimals, "number")
    return _format_decimal(d, group)


_SPACES = " \u00a0\u202f\u2009"
_NUMBER_SRC = r"""^(?P<sign>[-+\u2212]?)
    (?P<int>\d+(?:(?P<sep>[.\u00a0\u202f\u2009 ])\d{3}(?:(?P=sep)\d{3})*)?)
    (?:,(?P<frac>\d+))?$"""


@cache
def _number_re() -> re.Pattern[str]:
    return re.compile(_NUMBER_SRC, re.VERBOSE)  # compiled on first use: keeps the import light


def parse_number(text: str) -> int | float:
    """Read a number written the Vietnamese way; whole numbers come back as ``int``.

    Thousands may be separated by ".", a space, a no-break space or a thin space (one kind per number);
    "," is the decimal mark.

    >>> parse_number("1.200"), parse_number("2,5"), parse_number("1 200"), parse_number("-1.234,56")
    (1200, 2.5, 1200, -1234.56)
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_number() expects text, got {_type_name(text)} {text!r}")
    s = text.strip(_SPACES + "\t\r\n")
    m = _number_re().match(s)
    if m is None:
        raise ValueError(_parse_problem(text, s))
    whole = m["int"]
    if m["sep"] and whole.startswith("0"):
        raise ValueError(
            f"cannot read {text!r} as a number: a grouped number cannot start with 0 "
            f"(in Vietnamese '.' separates thousands; write '0,5' for a half)"
        )
    digits = whole if not m["sep"] else whole.replace(m["sep"], "")
    negative = m["sign"] in ("-", "\u2212")
    if m["frac"] is None:
        value = int(digits)
        return -value if negative else value
    value = float(f"{digits}.{m['frac']}")
    return -value if negative else value


def _parse_problem(text: str, s: str) -> str:
    expected = "expected Vietnamese notation such as '1.200', '1 200', '2,5' or '-1.234,56'"
    if not s:
        return f"cannot read {text!r} as a number: the text is empty; {expected}"
    if "," in s and "." in s and s.rfind(".") > s.rfind(","):
        return (
            f"cannot read {text!r} as a number: it looks like English notation ('.' after ','), which is "
            f"ambiguous here; {expected}"
        )
    if re.fullmatch(r"[-+\u2212]?\d+\.\d{1,2}|[-+\u2212]?\d+\.\d{4,}", s):
        return (
            f"cannot read {text!r} as a number: '.' separates thousands in Vietnamese, so the digits after "
            f"'.' must come in threes; for a decimal write ',' (e.g. {s.replace('.', ',')!r}); {expected}"
        )
    if s.count(",") > 1:
        return f"cannot read {text!r} as a number: more than one decimal ','; {expected}"
    if s.endswith("%"):
        return f"cannot read {text!r} as a number: it is a percentage; strip '%' first; {expected}"
    return f"cannot read {text!r} as a number: {expected}"


def percent(ratio: object, decimals: int | None = None) -> str:
    """A ratio as a percentage: at most one decimal by default (a trailing zero dropped), half-up.

    >>> percent(1.02), percent(0.155), percent(1 / 3), percent(0.5, decimals=2)
    ('102%', '15,5%', '33,3%', '50,00%')
    """
    d = to_decimal(ratio, "percent") * 100
    if decimals is None:
        d = _round(d, 1, "percent")
        if d == d.to_integral_value():
            d = _round(d, 0, "percent")
    else:
        d = _round(d, decimals, "percent")
    return _format_decimal(d, True) + "%"


def padded(n: object) -> str:
    """A count with the official leading zero below 10.

    >>> padded(3), padded(12), padded(1236)
    ('03', '12', '1.236')
    """
    if isinstance(n, bool) or not (isinstance(n, int) or hasattr(n, "__index__")):
        if isinstance(n, float) and n.is_integer():
            n = int(n)
        else:
            raise TypeError(f"padded() expects a whole number ≥ 0, got {_type_name(n)} {n!r}")
    n = int(n.__index__()) if not isinstance(n, int) else n
    if n < 0:
        raise ValueError(f"padded() expects a whole number ≥ 0, got {n!r}")
    return f"0{n}" if n < 10 else number(n)


def about(x: object, step: object = None, *, digits: int = 2, word: str = "trên") -> str:
    """A rounded-down figure for prose that never overstates: "trên 1.200" for 1.236.

    By default keeps two significant digits (step 100 for 1.000–9.999, 10 for 100–999, exact below 100);
    ``step=`` fixes the granularity (e.g. 1000), ``word=`` replaces "trên" (e.g. "hơn"). An exact value
    is shown without the word; 0 < x < step reads "dưới <step>".

    >>> about(1236), about(1128), about(1200), about(456), about(87), about(1236, step=1000)
    ('trên 1.200', 'trên 1.100', '1.200', 'trên 450', '87', 'trên 1.000')
    """
    d = to_decimal(x, "about")
    if d < 0:
        raise ValueError(f"about() expects a value ≥ 0, got {x!r}")
    if step is None:
        if isinstance(digits, bool) or not isinstance(digits, int) or digits < 1:
            raise ValueError(f"about(): digits must be a whole number ≥ 1, got {digits!r}")
        magnitude = len(str(int(d))) if d >= 1 else 1
        s = Decimal(10) ** max(0, magnitude - digits)
    else:
        s = to_decimal(step, "about")
        if s <= 0:
            raise ValueError(f"about(): step must be > 0, got {step!r}")
    rounded = (d / s).to_integral_value(rounding=ROUND_FLOOR) * s
    if rounded == d:
        return number(x)
    if rounded == 0:
        return f"dưới {number(s)}"
    return f"{word} {_format_decimal(rounded, True)}"


def change(current: object, previous: object, unit: str | None = None, *, decimals: int | None = None) -> str:
    """The change from ``previous`` to ``current`` with its relative size.

    Relative change is against ``|previous|``, shown as ``percent()`` does; when ``previous`` is 0 there is no
    percentage. Equal values read "bằng".

    >>> change(12, 10, unit="vụ"), change(10, 12, unit="vụ"), change(5, 5), change(3, 0, unit="hộ")
    ('tăng 2 vụ (20%)', 'giảm 2 vụ (16,7%)', 'bằng', 'tăng 3 hộ')
    """
    cur = to_decimal(current, "change")
    prev = to_decimal(previous, "change")
    diff = cur - prev
    if diff == 0:
        return "bằng"
    verb = "tăng" if diff > 0 else "giảm"
    amount = number(abs(diff), decimals)
    text = f"{verb} {amount} {unit}" if unit else f"{verb} {amount}"
    if prev != 0:
        text += f" ({percent(abs(diff) / abs(prev))})"
    return text


def of_plan(actual: object, plan: object, *, word: str = "kế hoạch", decimals: int | None = None) -> str:
    """Achievement against a plan: "đạt N% kế hoạch" at or above the plan, "mới đạt N% kế hoạch" below it.

    ``word=`` names the target ("chỉ tiêu"); the percentage is rounded like ``percent()``, but a result below
    plan never rounds up to "100%" (99,96% reads "mới đạt 99,9% kế hoạch").

    >>> of_plan(102, 100), of_plan(85, 100), of_plan(13, 13)
    ('đạt 102% kế hoạch', 'mới đạt 85% kế hoạch', 'đạt 100% kế hoạch')
    """
    a = to_decimal(actual, "of_plan")
    p = to_decimal(plan, "of_plan")
    if p <= 0:
        raise ValueError(f"of_plan(): the plan must be > 0, got {plan!r}")
    ratio = a / p
    if ratio >= 1:
        return f"đạt {percent(ratio, decimals)} {word}"
    shown = percent(ratio, decimals)
    if shown.startswith("100"):
        places = 1 if decimals is None else decimals
        floored = (ratio * 100).quantize(
            _DEC_STEPS.get(places, Decimal(1).scaleb(-places)), rounding=ROUND_FLOOR
        )
        shown = _format_decimal(floored, True) + "%"
    return f"mới đạt {shown} {word}"
