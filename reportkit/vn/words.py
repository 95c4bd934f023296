"""Numbers read out in words, the official northern way (reference §2): "hai nghìn không trăm hai mươi hai"."""

from __future__ import annotations

from reportkit.vn.numbers import to_decimal

__all__ = ["money", "words"]

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_OPTIONS = {
    "zero": ("linh", "lẻ"),
    "thousand": ("nghìn", "ngàn"),
    "four": ("tư", "bốn"),
    "billion": ("tỷ", "tỉ"),
    "fraction": ("number", "digits"),
}


def _triple(n: int, full: bool, zero: str, four: str, out: list[str]) -> None:
    """Append the words of 0 < n < 1000; ``full`` reads the hundreds even when 0 (a non-leading group)."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    if full or hundreds:
        out.append(_DIGITS[hundreds])
        out.append("trăm")
    if tens == 0:
        if units:
            if out and (full or hundreds):
                out.append(zero)  # 105 một trăm linh năm; 1 005 … không trăm linh năm
            out.append(_DIGITS[units])
    elif tens == 1:
        out.append("mười")
        if units:
            out.append("lăm" if units == 5 else _DIGITS[units])  # 11 mười một, 14 mười bốn, 15 mười lăm
    else:
        out.append(_DIGITS[tens])
        out.append("mươi")
        if units == 1:
            out.append("mốt")
        elif units == 4:
            out.append(four)
        elif units == 5:
            out.append("lăm")
        elif units:
            out.append(_DIGITS[units])


def _below_billion(n: int, leading: bool, zero: str, four: str, thousand: str, out: list[str]) -> None:
    groups = ((n // 1_000_000, "triệu"), (n // 1000 % 1000, thousand), (n % 1000, ""))
    first = leading
    for value, scale in groups:
        if value == 0:
            continue  # all-zero groups are skipped: 2 000 500 000 hai tỷ năm trăm nghìn
        _triple(value, not first, zero, four, out)
        first = False
        if scale:
            out.append(scale)


def _integer(n: int, leading: bool, opts: dict[str, str], out: list[str]) -> None:
    if n >= 1_000_000_000:
        high, low = divmod(n, 1_000_000_000)
        _integer(high, leading, opts, out)  # 10¹² một nghìn tỷ, 10¹⁵ một triệu tỷ
        out.append(opts["billion"])
        if low:
            _below_billion(low, False, opts["zero"], opts["four"], opts["thousand"], out)
    else:
        _below_billion(n, leading, opts["zero"], opts["four"], opts["thousand"], out)


def words(
    n: object,
    *,
    zero: str = "linh",
    thousand: str = "nghìn",
    four: str = "tư",
    billion: str = "tỷ",
    fraction: str = "number",
) -> str:
    """A number read out in words (the official northern form, as in school textbooks).

    Variants: ``zero="lẻ"`` (southern), ``thousand="ngàn"``, ``four="bốn"`` (24 hai mươi bốn), ``billion="tỉ"``;
    decimals are read after "phẩy" as a number keeping leading zeros (7,081 bảy phẩy không trăm tám mươi mốt),
    or digit by digit with ``fraction="digits"``.

    >>> words(2022), words(105), words(1_000_001), words(-5), words(63.42)
    ('hai nghìn không trăm hai mươi hai', 'một trăm linh năm', 'một triệu không trăm linh một', 'âm năm', 'sáu mươi ba phẩy bốn mươi hai')
    """
    opts = {"zero": zero, "thousand": thousand, "four": four, "billion": billion, "fraction": fraction}
    for key, value in opts.items():
        if value not in _OPTIONS[key]:
            allowed = " or ".join(repr(v) for v in _OPTIONS[key])
            raise ValueError(f"words(): {key} must be {allowed}, got {value!r}")
    if type(n) is int:
        negative, whole, frac = n < 0, abs(n), ""
    else:
        d = to_decimal(n, "words")
        negative = d < 0
        text = format(abs(d), "f")
        whole_text, _, frac = text.partition(".")
        whole, frac = int(whole_text), frac.rstrip("0")
        if negative and whole == 0 and not frac:
            negative = False
    out: list[str] = ["âm"] if negative else []
    if whole == 0:
        out.append("không")
    else:
        _integer(whole, True, opts, out)
    if frac:
        out.append("phẩy")
        if fraction == "digits":
            out.extend(_DIGITS[int(c)] for c in frac)
        else:
            _fraction(frac, opts, out)
    return " ".join(out)


def _fraction(frac: str, opts: dict[str, str], out: list[str]) -> None:
    if len(frac) == 3:  # a three-digit group keeps its "không trăm": 7,081 bảy phẩy không trăm tám mươi mốt
        _triple(int(frac), True, opts["zero"], opts["four"], out)
        return
    stripped = frac.lstrip("0")
    out.extend("không" for _ in range(len(frac) - len(stripped)))  # 0,05 không phẩy không năm
    _integer(int(stripped), True, opts, out)


def money(
    amount: object,
    currency: str = "đồng",
    *,
    even: bool = False,
    zero: str = "linh",
    thousand: str = "nghìn",
    four: str = "tư",
) -> str:
    """A money amount in words as written on documents: capitalised, followed by the currency.

    ``even=True`` appends "chẵn" (accounting habit for an amount with nothing after the last group read).
    The amount must be a whole number of đồng.

    >>> money(1250000), money(1250000, even=True)
    ('Một triệu hai trăm năm mươi nghìn đồng', 'Một triệu hai trăm năm mươi nghìn đồng chẵn')
    """
    d = to_decimal(amount, "money")
    if d != d.to_integral_value():
        raise ValueError(f"money() expects a whole number of {currency}, got {amount!r}")
    text = words(int(d), zero=zero, thousand=thousand, four=four)
    text = f"{text} {currency}" if currency else text
    if even:
        text += " chẵn"
    return text[0].upper() + text[1:]
