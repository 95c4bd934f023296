"""reportkit.vn dates (Nghị định 30/2020) and Period."""

import datetime as dt
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportkit import Period, vn


@pytest.mark.parametrize(
    ("d", "kwargs", "expected"),
    [
        (dt.date(2020, 1, 15), {}, "ngày 15/01/2020"),
        (dt.date(2020, 1, 15), {"long": True}, "ngày 15 tháng 01 năm 2020"),
        (dt.date(2020, 1, 5), {"long": True}, "ngày 05 tháng 01 năm 2020"),
        (dt.date(2022, 2, 28), {"long": True}, "ngày 28 tháng 02 năm 2022"),
        (dt.date(2022, 3, 5), {"long": True}, "ngày 05 tháng 3 năm 2022"),
        (dt.date(2019, 6, 29), {"long": True}, "ngày 29 tháng 6 năm 2019"),
        (dt.date(2022, 12, 31), {"long": True}, "ngày 31 tháng 12 năm 2022"),
        (dt.date(2022, 6, 24), {"prefix": False}, "24/06/2022"),
        (dt.datetime(2022, 6, 24, 15, 30), {"long": True}, "ngày 24 tháng 6 năm 2022"),
        ("2022-06-24", {"long": True}, "ngày 24 tháng 6 năm 2022"),
    ],
)
def test_date(d, kwargs, expected):
    assert vn.date(d, **kwargs) == expected


def test_date_rejects_bad_input():
    with pytest.raises(ValueError, match="cannot read '24/06/2022' as a date; expected YYYY-MM-DD"):
        vn.date("24/06/2022")
    with pytest.raises(TypeError, match="expects a date"):
        vn.date(None)


@pytest.mark.parametrize(
    ("place", "d", "expected"),
    [
        ("Hà Nội", dt.date(2022, 3, 5), "Hà Nội, ngày 05 tháng 3 năm 2022"),
        ("Hà Nội", dt.date(2020, 1, 5), "Hà Nội, ngày 05 tháng 01 năm 2020"),
        ("Thành phố Hồ Chí Minh", dt.date(2019, 6, 29), "Thành phố Hồ Chí Minh, ngày 29 tháng 6 năm 2019"),
        ("Duy Ta\u0302n", dt.date(2022, 6, 24), "Duy Tân, ngày 24 tháng 6 năm 2022"),
    ],
)
def test_place_date(place, d, expected):
    assert vn.place_date(place, d) == expected


def test_place_date_needs_a_place():
    with pytest.raises(ValueError, match="expects a place name"):
        vn.place_date("  ", dt.date(2022, 1, 1))


@pytest.mark.parametrize(
    ("months", "expected"),
    [
        ([(2022, 5)], "tháng 5 năm 2022"),
        ([(2022, 6), (2022, 5)], "tháng 5 và tháng 6 năm 2022"),  # in order, whatever order they come in
        (["2022-02", "2022-03", "2022-04"], "tháng 2, tháng 3 và tháng 4 năm 2022"),
        ([(2022, 1), (2021, 12)], "tháng 12 năm 2021 và tháng 1 năm 2022"),  # each year named once
        ([dt.date(2022, 11, 30), (2022, 11), "2022-12"], "tháng 11 và tháng 12 năm 2022"),  # a month once
        ([], ""),
    ],
)
def test_months_text_names_each_year_once(months, expected):
    assert vn.months_text(months) == expected


@pytest.mark.parametrize("bad", ["2022/05", (2022, 13), "tháng 5", None])
def test_months_text_names_what_it_cannot_read(bad):
    with pytest.raises(ValueError, match="months_text\\(\\): "):
        vn.months_text([(2022, 1), bad])


PERIODS = {
    "2022-H1": ("6 tháng đầu năm 2022", "half", (2022, 1, 1), (2022, 6, 30), "2021-H2", "2021-H1"),
    "2022-H2": ("6 tháng cuối năm 2022", "half", (2022, 7, 1), (2022, 12, 31), "2022-H1", "2021-H2"),
    "2022-Q1": ("quý I năm 2022", "quarter", (2022, 1, 1), (2022, 3, 31), "2021-Q4", "2021-Q1"),
    "2022-Q3": ("quý III năm 2022", "quarter", (2022, 7, 1), (2022, 9, 30), "2022-Q2", "2021-Q3"),
    "2022-Q4": ("quý IV năm 2022", "quarter", (2022, 10, 1), (2022, 12, 31), "2022-Q3", "2021-Q4"),
    "2022-03": ("tháng 3 năm 2022", "month", (2022, 3, 1), (2022, 3, 31), "2022-02", "2021-03"),
    "2022-01": ("tháng 1 năm 2022", "month", (2022, 1, 1), (2022, 1, 31), "2021-12", "2021-01"),
    "2024-02": ("tháng 2 năm 2024", "month", (2024, 2, 1), (2024, 2, 29), "2024-01", "2023-02"),
    "2022": ("năm 2022", "year", (2022, 1, 1), (2022, 12, 31), "2021", "2021"),
    "2022-9M": ("9 tháng đầu năm 2022", "9m", (2022, 1, 1), (2022, 9, 30), "2021-9M", "2021-9M"),
}


@pytest.mark.parametrize(("spec", "facts"), PERIODS.items())
def test_period(spec, facts):
    name, kind, start, end, previous, last_year = facts
    p = Period(spec)
    assert (p.spec, str(p), p.name, p.kind, p.year) == (
        spec,
        spec,
        name,
        kind,
        2022 if spec[:4] == "2022" else 2024,
    )
    assert (p.start, p.end) == (dt.date(*start), dt.date(*end))
    assert p.previous() == Period(previous)
    assert p.same_period_last_year() == Period(last_year)
    assert p.months[0] == (start[0], start[1]) and p.months[-1] == (end[0], end[1])
    assert len(p.months) == {"month": 1, "quarter": 3, "half": 6, "9m": 9, "year": 12}[kind]


@pytest.mark.parametrize(
    ("given_spec", "canonical"),
    [
        ("2022-h1", "2022-H1"),
        ("2022-3", "2022-03"),
        (" 2022-q2 ", "2022-Q2"),
        (2022, "2022"),
        ("2022-9m", "2022-9M"),
    ],
)
def test_period_canonical_spec(given_spec, canonical):
    assert Period(given_spec).spec == canonical
    assert Period(Period(given_spec)) == Period(canonical)


@pytest.mark.parametrize(
    "bad", ["2022-H3", "2022-Q5", "2022-13", "2022-00", "H1-2022", "22", "2022-6M", "", "2022/03"]
)
def test_period_rejects_unknown_specs(bad):
    with pytest.raises(ValueError) as err:
        Period(bad)
    message = str(err.value)
    assert repr(bad) in message
    for form in ("'YYYY'", "'YYYY-MM'", "'YYYY-Q1'", "'YYYY-H1'", "'YYYY-9M'"):
        assert form in message


def test_period_rejects_non_text():
    with pytest.raises(TypeError, match="accepted forms"):
        Period(None)


def test_period_is_ordered_hashable_and_picklable():
    specs = ["2022", "2022-H1", "2021-H2", "2022-Q1", "2022-01", "2022-9M", "2021"]
    assert [p.spec for p in sorted(Period(s) for s in specs)] == [
        "2021",
        "2021-H2",
        "2022-01",
        "2022-Q1",
        "2022-H1",
        "2022-9M",
        "2022",
    ]
    assert {Period("2022-H1"): 1}[Period("2022-h1")] == 1
    assert pickle.loads(pickle.dumps(Period("2022-Q3"))) == Period("2022-Q3")
    assert Period("2022-H1") != "2022-H1"
    assert repr(Period("2022-H1")) == "Period('2022-H1')"


def test_period_contains():
    h1 = Period("2022-H1")
    assert (2022, 3) in h1 and (2022, 7) not in h1
    assert dt.date(2022, 6, 30) in h1 and dt.date(2022, 7, 1) not in h1
    assert Period("2022-Q2") in h1 and Period("2022-Q3") not in h1


specs = st.one_of(
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(1900, 2100), st.integers(1, 12)),
    st.builds(lambda y, q: f"{y}-Q{q}", st.integers(1900, 2100), st.integers(1, 4)),
    st.builds(lambda y, h: f"{y}-H{h}", st.integers(1900, 2100), st.integers(1, 2)),
    st.builds(str, st.integers(1900, 2100)),
)


@given(specs)
def test_previous_tiles_time(spec):
    p = Period(spec)
    prev = p.previous()
    assert prev.kind == p.kind
    assert prev.end + dt.timedelta(days=1) == p.start
    assert len(prev.months) == len(p.months)
    assert p.same_period_last_year().start.replace(year=p.start.year) == p.start
    assert (p.end - p.start).days + 1 == sum(
        (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.date(y, m, 1)).days for y, m in p.months
    )


NEXT = {
    # spec: (next(), next_name, last_year_name, review, name_in_year)
    "2022-H1": ("2022-H2", "6 tháng cuối năm 2022", "cùng kỳ năm 2021", "sơ kết", "6 tháng đầu năm"),
    "2022-H2": ("2023-H1", "6 tháng đầu năm 2023", "cùng kỳ năm 2021", "sơ kết", "6 tháng cuối năm"),
    "2022-Q3": ("2022-Q4", "quý IV năm 2022", "cùng kỳ năm 2021", "kết quả", "quý III"),
    "2022-Q4": ("2023-Q1", "quý I năm 2023", "cùng kỳ năm 2021", "kết quả", "quý IV"),
    "2022-03": ("2022-04", "tháng 4 năm 2022", "cùng kỳ năm 2021", "kết quả", "tháng 3"),
    "2022-12": ("2023-01", "tháng 1 năm 2023", "cùng kỳ năm 2021", "kết quả", "tháng 12"),
    "2022-9M": ("2022-Q4", "3 tháng cuối năm 2022", "cùng kỳ năm 2021", "sơ kết", "9 tháng đầu năm"),
    "2022": ("2023", "năm 2023", "năm 2021", "tổng kết", "năm"),
}


@pytest.mark.parametrize(("spec", "facts"), NEXT.items())
def test_next_period_and_the_names_a_report_uses(spec, facts):
    following, next_name, last_year_name, review, name_in_year = facts
    p = Period(spec)
    assert p.next() == Period(following)
    assert (p.next_name, p.last_year_name, p.review, p.name_in_year) == (
        next_name,
        last_year_name,
        review,
        name_in_year,
    )


@given(specs)
def test_next_is_the_inverse_of_previous(spec):
    p = Period(spec)
    assert p.next().previous() == p and p.previous().next() == p
    assert p.end + dt.timedelta(days=1) == p.next().start
