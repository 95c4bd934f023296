"""reportkit.vn numbers: notation, parsing, percentages, rounded figures, changes and plans."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportkit import vn


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (1236, {}, "1.236"),
        (2.5, {}, "2,5"),
        (-1234.56, {}, "-1.234,56"),
        (1234.565, {"decimals": 2}, "1.234,57"),  # half-up, not banker's, not binary float
        (0.125, {"decimals": 2}, "0,13"),  # banker's rounding would give 0,12
        (2.675, {"decimals": 2}, "2,68"),  # the float is 2.67499999…; read as typed
        (0.1 + 0.2, {}, "0,3"),
        (2.0, {}, "2"),
        (1e20, {}, "100.000.000.000.000.000.000"),
        (999, {}, "999"),
        (1000, {}, "1.000"),
        (1250000, {}, "1.250.000"),
        (-0.0, {}, "0"),
        (-0.004, {"decimals": 2}, "0,00"),
        (5, {"decimals": 2}, "5,00"),
        (2.5, {"decimals": 0}, "3"),
        (Decimal("2.50"), {}, "2,50"),
        (Fraction(1, 4), {}, "0,25"),
        (2022, {"group": False}, "2022"),
        (1234.5, {"group": False}, "1234,5"),
        (10**15, {}, "1.000.000.000.000.000"),
        (1.5e30, {"decimals": 1}, "1.500.000.000.000.000.000.000.000.000.000,0"),
        (1e-7, {}, "0,0000001"),
    ],
)
def test_number(value, kwargs, expected):
    assert vn.number(value, **kwargs) == expected


@pytest.mark.parametrize("bad", [True, False, None, "1.200", b"12", [1]])
def test_number_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="number\\(\\) expects a number"):
        vn.number(bad)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), Decimal("NaN")])
def test_number_rejects_non_finite(bad):
    with pytest.raises(ValueError, match="finite"):
        vn.number(bad)


@pytest.mark.parametrize("decimals", [-1, 1.5, True, "2"])
def test_number_rejects_bad_decimals(decimals):
    with pytest.raises(ValueError, match="decimals"):
        vn.number(1.5, decimals=decimals)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.200", 1200),
        ("2,5", 2.5),
        ("1 200", 1200),
        ("1\u00a0200", 1200),
        ("1\u202f234\u202f567", 1234567),
        ("-1.234,56", -1234.56),
        ("\u22125", -5),
        ("+3", 3),
        ("  12 ", 12),
        ("0,05", 0.05),
        ("03", 3),
        ("1.234.567,5", 1234567.5),
    ],
)
def test_parse_number(text, expected):
    result = vn.parse_number(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("1.5", "digits after '.' must come in threes"),
        ("12.34", "in threes"),
        ("1,234.56", "English notation"),
        ("1.2.3", "expected Vietnamese notation"),
        ("0.500", "cannot start with 0"),
        ("1 234.567", "expected Vietnamese notation"),
        ("1,2,3", "more than one decimal"),
        ("15%", "percentage"),
        ("abc", "expected Vietnamese notation"),
        ("1.2345", "in threes"),
    ],
)
def test_parse_number_rejects_malformed(text, why):
    with pytest.raises(ValueError) as err:
        vn.parse_number(text)
    assert repr(text) in str(err.value)
    assert why in str(err.value)


def test_parse_number_rejects_non_text():
    with pytest.raises(TypeError, match="expects text"):
        vn.parse_number(1200)


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_parse_number_round_trips_integers(n):
    assert vn.parse_number(vn.number(n)) == n


@given(st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1), st.integers(min_value=0, max_value=8))
def test_parse_number_round_trips_floats(mantissa, places):
    x = mantissa / 10**places  # at most 15 significant digits: what a float holds exactly
    assert vn.parse_number(vn.number(x)) == x


@given(st.decimals(min_value=-(10**12), max_value=10**12, places=3, allow_nan=False, allow_infinity=False))
def test_parse_number_round_trips_decimals(d):
    assert Decimal(repr(vn.parse_number(vn.number(d)))) == d


@pytest.mark.parametrize(
    ("ratio", "kwargs", "expected"),
    [
        (1.02, {}, "102%"),
        (0.155, {}, "15,5%"),
        (1 / 3, {}, "33,3%"),
        (2 / 3, {}, "66,7%"),
        (0.5, {}, "50%"),
        (0.9996, {}, "100%"),
        (-0.05, {}, "-5%"),
        (0.5, {"decimals": 2}, "50,00%"),
        (0.12345, {"decimals": 2}, "12,35%"),
        (12.5, {}, "1.250%"),
    ],
)
def test_percent(ratio, kwargs, expected):
    assert vn.percent(ratio, **kwargs) == expected


def test_percent_rejects_bool_and_none():
    for bad in (True, None):
        with pytest.raises(TypeError, match="percent"):
            vn.percent(bad)


@pytest.mark.parametrize(
    ("n", "expected"), [(3, "03"), (0, "00"), (9, "09"), (10, "10"), (12, "12"), (1236, "1.236"), (3.0, "03")]
)
def test_padded(n, expected):
    assert vn.padded(n) == expected


@pytest.mark.parametrize(
    ("bad", "error"), [(-1, ValueError), (2.5, TypeError), (True, TypeError), ("3", TypeError)]
)
def test_padded_rejects(bad, error):
    with pytest.raises(error, match="padded"):
        vn.padded(bad)


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (1236, {}, "trên 1.200"),
        (1128, {}, "trên 1.100"),
        (1200, {}, "1.200"),
        (456, {}, "trên 450"),
        (87, {}, "87"),
        (0, {}, "0"),
        (12.5, {}, "trên 12"),
        (0.5, {}, "dưới 1"),
        (1_483_000, {}, "trên 1.400.000"),
        (1236, {"step": 1000}, "trên 1.000"),
        (1236, {"step": 10}, "trên 1.230"),
        (1236, {"digits": 3}, "trên 1.230"),
        (1236, {"word": "hơn"}, "hơn 1.200"),
    ],
)
def test_about(value, kwargs, expected):
    assert vn.about(value, **kwargs) == expected


@pytest.mark.parametrize(("args", "kwargs"), [((-5,), {}), ((5,), {"step": 0}), ((5,), {"digits": 0})])
def test_about_rejects(args, kwargs):
    with pytest.raises(ValueError, match="about"):
        vn.about(*args, **kwargs)


@given(st.integers(min_value=1, max_value=10**12))
def test_about_never_overstates(n):
    text = vn.about(n)
    shown = vn.parse_number(text.removeprefix("trên "))
    assert shown <= n
    assert n - shown < shown * 0.1 + 1  # two significant digits kept
    assert text.startswith("trên ") == (shown != n)


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((12, 10), {"unit": "vụ"}, "tăng 2 vụ (20%)"),
        ((10, 12), {"unit": "vụ"}, "giảm 2 vụ (16,7%)"),
        ((5, 5), {}, "bằng"),
        ((1236, 1100), {"unit": "lượt"}, "tăng 136 lượt (12,4%)"),
        ((3, 0), {"unit": "hộ"}, "tăng 3 hộ"),
        ((1.3, 1.1), {"unit": "tỷ đồng"}, "tăng 0,2 tỷ đồng (18,2%)"),
        ((2.5, 1), {"decimals": 1}, "tăng 1,5 (150%)"),
        ((12, 10), {}, "tăng 2 (20%)"),
    ],
)
def test_change(args, kwargs, expected):
    assert vn.change(*args, **kwargs) == expected


def test_change_rejects_missing_previous():
    with pytest.raises(TypeError, match="change\\(\\) expects a number, got None"):
        vn.change(5, None)


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((102, 100), {}, "đạt 102% kế hoạch"),
        ((13, 13), {}, "đạt 100% kế hoạch"),
        ((85, 100), {}, "mới đạt 85% kế hoạch"),
        ((99.96, 100), {}, "mới đạt 99,9% kế hoạch"),
        ((1, 3), {}, "mới đạt 33,3% kế hoạch"),
        ((11, 10), {"word": "chỉ tiêu"}, "đạt 110% chỉ tiêu"),
    ],
)
def test_of_plan(args, kwargs, expected):
    assert vn.of_plan(*args, **kwargs) == expected


@pytest.mark.parametrize("plan", [0, -1])
def test_of_plan_rejects_empty_plan(plan):
    with pytest.raises(ValueError, match="plan must be > 0"):
        vn.of_plan(5, plan)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_float_fast_path_agrees_with_decimal(x):
    from reportkit.vn.numbers import to_decimal

    expected = vn.number(to_decimal(x))
    assert vn.number(x) == expected
    assert "e" not in expected.lower()
