"""reportkit.vn.words and money: the official northern reading (reference §2)."""

import itertools
import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reportkit import vn

ISSUE_AND_REFERENCE = {
    0: "không",
    5: "năm",
    10: "mười",
    11: "mười một",
    14: "mười bốn",
    15: "mười lăm",
    20: "hai mươi",
    21: "hai mươi mốt",
    24: "hai mươi tư",
    25: "hai mươi lăm",
    50: "năm mươi",
    101: "một trăm linh một",
    104: "một trăm linh bốn",
    105: "một trăm linh năm",
    110: "một trăm mười",
    115: "một trăm mười lăm",
    500: "năm trăm",
    1005: "một nghìn không trăm linh năm",
    2022: "hai nghìn không trăm hai mươi hai",
    1_000_000: "một triệu",
    1_000_001: "một triệu không trăm linh một",
    1_010_000: "một triệu không trăm mười nghìn",
    1_000_000_000: "một tỷ",
    2_000_500_000: "hai tỷ năm trăm nghìn",
    472_036_953: "bốn trăm bảy mươi hai triệu không trăm ba mươi sáu nghìn chín trăm năm mươi ba",
    308_000_962: "ba trăm linh tám triệu chín trăm sáu mươi hai",
    10**12: "một nghìn tỷ",
    10**12 + 5: "một nghìn tỷ không trăm linh năm",
    1_005_000_000_000: "một nghìn không trăm linh năm tỷ",
    10**15: "một triệu tỷ",
    1_250_000: "một triệu hai trăm năm mươi nghìn",
}


@pytest.mark.parametrize(("n", "expected"), ISSUE_AND_REFERENCE.items())
def test_words_examples(n, expected):
    assert vn.words(n) == expected


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (-5, {}, "âm năm"),
        (-2022, {}, "âm hai nghìn không trăm hai mươi hai"),
        (63.42, {}, "sáu mươi ba phẩy bốn mươi hai"),
        (7.081, {}, "bảy phẩy không trăm tám mươi mốt"),
        (0.05, {}, "không phẩy không năm"),
        (2.5, {}, "hai phẩy năm"),
        (-0.5, {}, "âm không phẩy năm"),
        (2.0, {}, "hai"),
        (1.25, {"fraction": "digits"}, "một phẩy hai năm"),
        (105, {"zero": "lẻ"}, "một trăm lẻ năm"),
        (2022, {"thousand": "ngàn"}, "hai ngàn không trăm hai mươi hai"),
        (24, {"four": "bốn"}, "hai mươi bốn"),
        (14, {"four": "tư"}, "mười bốn"),  # "tư" only after mươi
        (3 * 10**9, {"billion": "tỉ"}, "ba tỉ"),
    ],
)
def test_words_variants(value, kwargs, expected):
    assert vn.words(value, **kwargs) == expected


@pytest.mark.parametrize(
    "option", [{"zero": "lình"}, {"thousand": "ngan"}, {"four": "four"}, {"fraction": "x"}]
)
def test_words_rejects_unknown_variants(option):
    with pytest.raises(ValueError, match=f"{next(iter(option))} must be"):
        vn.words(5, **option)


@pytest.mark.parametrize(
    ("bad", "error"), [(True, TypeError), (None, TypeError), ("12", TypeError), (float("inf"), ValueError)]
)
def test_words_rejects_non_numbers(bad, error):
    with pytest.raises(error, match="words"):
        vn.words(bad)


def test_num2words_is_wrong_where_we_are_right():
    num2words = pytest.importorskip("num2words").num2words
    # num2words drops the "không trăm" of a non-leading group and uses the southern "lẻ".
    assert num2words(2022, lang="vi") != vn.words(2022) == "hai nghìn không trăm hai mươi hai"
    assert num2words(1005, lang="vi") != vn.words(1005) == "một nghìn không trăm linh năm"
    assert num2words(105, lang="vi") != vn.words(105) == "một trăm linh năm"
    # Even with our southern variant the first two still differ: the difference is the rule, not the dialect.
    assert num2words(2022, lang="vi") != vn.words(2022, zero="lẻ")
    assert num2words(1005, lang="vi") != vn.words(1005, zero="lẻ") == "một nghìn không trăm lẻ năm"
    assert num2words(105, lang="vi") == vn.words(105, zero="lẻ")


# --- an independent re-derivation of §2, used as an oracle --------------------------------------------------

DIGIT = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _two(n: int, after_hundred: bool) -> str:
    """0..99 by textual rewriting of the naive "X mươi Y" reading."""
    if n == 0:
        return ""
    if n < 10:
        return f"linh {DIGIT[n]}" if after_hundred else DIGIT[n]
    text = f"{DIGIT[n // 10]} mươi {DIGIT[n % 10]}" if n % 10 else f"{DIGIT[n // 10]} mươi"
    text = re.sub(r"^một mươi", "mười", text)
    text = re.sub(r"mươi một$", "mươi mốt", text)
    text = re.sub(r"mươi bốn$", "mươi tư", text)
    text = re.sub(r"(mười|mươi) năm$", r"\1 lăm", text)
    return text


def _group(n: int, full: bool) -> str:
    hundreds, rest = divmod(n, 100)
    if not full and hundreds == 0:
        return _two(rest, after_hundred=False)
    return " ".join(filter(None, [DIGIT[hundreds], "trăm", _two(rest, after_hundred=True)]))


def oracle(n: int) -> str:
    """Groups of three from the left, each scale named by its position; tỷ is said once for 10^9..10^12."""
    if n == 0:
        return "không"
    digits = str(n)
    digits = "0" * (-len(digits) % 3) + digits
    groups = [int(digits[i : i + 3]) for i in range(0, len(digits), 3)]
    scale = {0: "", 1: "nghìn", 2: "triệu", 3: "tỷ", 4: "nghìn"}
    out, seen = [], False
    for k, value in enumerate(groups):
        position = len(groups) - 1 - k
        if value:
            out.append(_group(value, full=seen))
            if scale[position]:
                out.append(scale[position])
            seen = True
        elif position == 3 and len(groups) == 5:
            out.append("tỷ")  # 1 000 000 000 001: "một nghìn tỷ không trăm linh một"
    return " ".join(out)


@given(st.integers(min_value=0, max_value=10**12))
@example(0)
@example(10**12)
@example(1_000_000_001)
@example(1_000_010_000_001)
@example(999_999_999_999)
def test_words_matches_an_independent_derivation(n):
    assert vn.words(n) == oracle(n)


@given(st.integers(min_value=0, max_value=10**12))
def test_words_are_rule_consistent(n):
    text = vn.words(n)
    tokens = text.split()
    for prev, word in itertools.pairwise(tokens):
        if word == "mốt":
            assert prev == "mươi", text
        if word == "lăm":
            assert prev in ("mười", "mươi"), text
        if word == "tư":
            assert prev == "mươi", text
        if word in ("linh", "lẻ"):
            assert prev == "trăm", text
        if word == "trăm":
            assert prev in DIGIT, text
    assert not re.search(r"\bmười mốt\b|\blinh (mốt|lăm|tư)\b|\bnhăm\b", text), text
    # A leading group never starts with "không"; every later group is read in full.
    assert tokens[0] != "không" or n == 0
    if n >= 1000 and 0 < n % 1000 < 100:
        assert "không trăm" in text, text


def test_words_is_total_on_small_numbers():
    seen = {vn.words(n) for n in range(0, 100_000)}
    assert len(seen) == 100_000  # injective: no two numbers read alike


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((1_250_000,), {}, "Một triệu hai trăm năm mươi nghìn đồng"),
        ((1_250_000,), {"even": True}, "Một triệu hai trăm năm mươi nghìn đồng chẵn"),
        ((2022,), {}, "Hai nghìn không trăm hai mươi hai đồng"),
        ((1_250_000.0,), {}, "Một triệu hai trăm năm mươi nghìn đồng"),
        ((105_000,), {"zero": "lẻ", "thousand": "ngàn"}, "Một trăm lẻ năm ngàn đồng"),
        ((100,), {"currency": "đô la Mỹ"}, "Một trăm đô la Mỹ"),
        ((0,), {}, "Không đồng"),
    ],
)
def test_money(args, kwargs, expected):
    assert vn.money(*args, **kwargs) == expected


def test_money_rejects_fractions_of_a_dong():
    with pytest.raises(ValueError, match=r"whole number of đồng, got 1250\.5"):
        vn.money(1250.5)
