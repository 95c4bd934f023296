"""Names in running text: administrative units (Nghị định 30/2020, Phụ lục II), a capital at the start of a cell,
Roman numerals for a report's parts."""

from __future__ import annotations

import re

from reportkit.vn.text import nfc, upper_first

__all__ = ["ADMIN_NOUNS", "NAMED_AFTER", "admin_name", "roman", "unit_in_sentence"]

# The common nouns that open the name of an administrative unit, longest first so "thành phố" wins over nothing.
ADMIN_NOUNS = (
    "thành phố",
    "thị trấn",
    "thị xã",
    "đặc khu",
    "thủ đô",
    "phường",
    "quận",
    "huyện",
    "tỉnh",
    "xã",
)
# What a unit is named after. Phụ lục II: a unit named after a person, by a number or after a historical event keeps
# its common noun capitalised inside a sentence ("Quận 1", "Phường Điện Biên Phủ"); any other ("place") does not.
NAMED_AFTER = ("person", "number", "event", "place")
# The decree's own special cases: these are always written so, whatever the flag says.
_SPECIAL = {"thủ đô hà nội": "Thủ đô Hà Nội", "thành phố hồ chí minh": "Thành phố Hồ Chí Minh"}
_NUMBERED_NAME = re.compile(r"^(\w+(?: \w+)*?) (\d+[A-Za-z]?)( \(\*+\))?$")  # "Tổ 9 (*)": a table's mark
_NOUN = re.compile(r"^(" + "|".join(ADMIN_NOUNS) + r")\s+(\S.*)$", re.IGNORECASE)
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))  # fmt: skip


def admin_name(name: str, named_after: str | None = None, *, start: bool = False) -> str:
    """An administrative unit's name as it reads inside a Vietnamese sentence (Nghị định 30/2020, Phụ lục II).

    The common noun (phường, xã, thị trấn, quận, huyện, thị xã, thành phố, tỉnh) is lower case, unless the unit is
    named after a person, by a number or after a historical event (``named_after`` "person", "number", "event");
    "place" (the default) is any other name. The rule needs the flag: "Duy Tân" is a reign name, "Hải Châu" a
    place, and nothing in the strings tells them apart. Only a name that is a number is recognised without it.
    ``start=True`` is for the first word of a sentence, a heading or a table cell. A name without one of these
    nouns (a tổ, a khu phố) is returned as it is.

    >>> admin_name("Phường Hải Châu"), admin_name("Tỉnh Nam Định"), admin_name("Thành phố Thái Nguyên")
    ('phường Hải Châu', 'tỉnh Nam Định', 'thành phố Thái Nguyên')
    >>> admin_name("Xã Kim Liên"), admin_name("Thị trấn Đông Anh"), admin_name("Phường Hải Châu", start=True)
    ('xã Kim Liên', 'thị trấn Đông Anh', 'Phường Hải Châu')
    >>> admin_name("phường Duy Tân", "person"), admin_name("Quận 1"), admin_name("Phường Điện Biên Phủ", "event")
    ('Phường Duy Tân', 'Quận 1', 'Phường Điện Biên Phủ')
    >>> admin_name("Thủ đô Hà Nội"), admin_name("thành phố Hồ Chí Minh")
    ('Thủ đô Hà Nội', 'Thành phố Hồ Chí Minh')
    """
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"admin_name() expects the name of a unit such as 'Phường Hải Châu', got {name!r}")
    if named_after is not None and named_after not in NAMED_AFTER:
        raise ValueError(
            f"admin_name(): named_after must be one of {', '.join(NAMED_AFTER)} or None, got {named_after!r}"
        )
    text = " ".join(nfc(name).split())
    special = _SPECIAL.get(text.lower())
    if special:
        return special
    match = _NOUN.match(text)
    if match is None:
        return upper_first(text) if start else text
    noun, proper = match.group(1).lower(), match.group(2)
    if named_after is None and proper.isdigit():
        named_after = "number"
    keeps_capital = named_after in ("person", "number", "event") or noun == "thủ đô"
    return (upper_first(noun) if keeps_capital or start else noun) + " " + proper


def roman(n: int) -> str:
    """A Roman numeral, as a report numbers its parts ("II. ĐÁNH GIÁ CHUNG") and quarters.

    >>> roman(1), roman(4), roman(9), roman(2022)
    ('I', 'IV', 'IX', 'MMXXII')
    """
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 3999:
        raise ValueError(f"roman() expects a whole number from 1 to 3999, got {n!r}")
    out = []
    for value, letters in _ROMAN:
        count, n = divmod(n, value)
        out.append(letters * count)
    return "".join(out)


def unit_in_sentence(name: str) -> str:
    """A numbered unit's name (a tổ, a khu) as it reads inside a sentence: the common noun in lower case.

    >>> unit_in_sentence("Tổ 10"), unit_in_sentence("Tổ dân phố 3"), unit_in_sentence("Khu Hòa Bình")
    ('tổ 10', 'tổ dân phố 3', 'Khu Hòa Bình')
    >>> unit_in_sentence("Tổ 9 (*)")  # marked as in the phụ lục's table
    'tổ 9 (*)'
    """
    name = nfc(str(name)).strip()
    match = _NUMBERED_NAME.match(name)
    if match and match.group(1)[:1].isupper():
        return match.group(1).lower() + " " + match.group(2) + (match.group(3) or "")
    return name
