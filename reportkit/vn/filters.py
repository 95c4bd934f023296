"""Jinja2 filters: ``{{ n | number }}``, ``{{ n | words }}``, ``{{ d | date(long=True) }}``, ``{{ x | about }}``.

The narrative layer installs ``filters`` into its Jinja environment. ``join`` replaces Jinja's built-in filter:
``{{ units | join }}`` → "Tổ 1, Tổ 3 và Tổ 6"; given a separator (``join(", ")``) it behaves like Jinja's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from reportkit.vn.dates import Period, date, place_date
from reportkit.vn.legacy import from_legacy
from reportkit.vn.names import admin_name, roman
from reportkit.vn.numbers import about, change, number, of_plan, padded, parse_number, percent
from reportkit.vn.text import fold, join, nfc, sort_key, title, tone_style, upper_first
from reportkit.vn.words import money, words

__all__ = ["filters", "join_filter", "period_name", "vsort"]


def period_name(value: object) -> str:
    """A period spec or ``Period`` → its name: ``{{ "2022-H1" | period }}`` → "6 tháng đầu năm 2022"."""
    return (value if isinstance(value, Period) else Period(value)).name


def join_filter(
    items: Iterable[object], d: str | None = None, attribute: str | None = None, *, last: str = "và"
) -> str:
    """``{{ units | join }}`` → "Tổ 1, Tổ 3 và Tổ 6"; ``join(", ")`` and ``attribute=`` as in Jinja."""
    if attribute is not None:
        items = [x[attribute] if isinstance(x, Mapping) else getattr(x, attribute) for x in items]
    if d is not None:
        return d.join(nfc(str(x)) for x in items)
    return join(items, last)


def vsort(items: Iterable[object], attribute: str | None = None, reverse: bool = False) -> list:
    """Dictionary order (``vn.sort_key``): ``{{ ["Tổ 10", "Đông", "Tổ 2"] | vsort | join }}`` → "Đông, Tổ 2 và Tổ 10"."""

    def value(x: object) -> str:
        if attribute is None:
            return str(x)
        return str(x[attribute] if isinstance(x, Mapping) else getattr(x, attribute))

    ordered = sorted(items, key=lambda x: sort_key(value(x)), reverse=reverse)
    return [
        nfc(x) if isinstance(x, str) else x for x in ordered
    ]  # NFD input comes out as NFC, like every vn text


filters: dict[str, Callable[..., object]] = {
    "number": number,
    "words": words,
    "money": money,
    "percent": percent,
    "padded": padded,
    "date": date,
    "place_date": place_date,
    "about": about,
    "change": change,
    "of_plan": of_plan,
    "join": join_filter,
    "title": title,
    "tone_style": tone_style,
    "nfc": nfc,
    "period": period_name,
    "vsort": vsort,
    "parse_number": parse_number,
    "from_legacy": from_legacy,
    "fold": fold,
    "admin_name": admin_name,
    "upper_first": upper_first,
    "roman": roman,
}
