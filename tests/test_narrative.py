"""reportkit.narrative without a notebook run: the %%report magic, escaping, errors, phrasing, tables, charts, record."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from types import SimpleNamespace

import pandas as pd
import pytest
from IPython.testing import globalipapp
from IPython.testing.globalipapp import start_ipython
from IPython.utils.capture import capture_output

from reportkit import Period, vn
from reportkit.narrative import (
    MIME,
    MISSING_MARK,
    NO_LAST_YEAR,
    NarrativeError,
    annex_reference,
    at_units,
    bar_chart,
    change,
    compare,
    compare_plan,
    compare_same_period,
    compared_with_last_year,
    comparison_basis,
    completeness,
    counted,
    document,
    escape_markdown,
    established,
    key_figures,
    last_year_change,
    last_year_opening,
    markdown_to_html,
    marked_units,
    meetings,
    missing_data,
    missing_note,
    of_year_plan,
    period_opening,
    plan_reached,
    plan_result,
    ratio,
    ratio_named,
    record,
    render,
    report_subject,
    setup,
    tick_label,
    unit_table,
    units,
    units_in_months,
    units_without,
    year_elapsed,
    year_to_date,
)

HOSTILE = [
    "<script>alert(1)</script>",
    "a | b",
    "**x**",
    "_y_ `code` [link](http://example.com) ![i](x.png)",
    "# Tổ giả",
    "1. danh sách",
    "- gạch đầu dòng",
    "&copy; &lt;b&gt;",
    "Tổ" + " rất dài" * 80,
]


class Elements(HTMLParser):
    """Tags and visible text of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []
        self.cells: list[list[str]] = []
        self.in_cell = False
        self.feed(html)
        self.cells = [[c.strip() for c in row] for row in self.cells]

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "tr":
            self.cells.append([])
        if tag in ("td", "th") and self.cells:
            self.cells[-1].append("")
            self.in_cell = True

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.in_cell = False

    def handle_data(self, data):
        self.text.append(data)
        if self.in_cell:
            self.cells[-1][-1] += data

    @property
    def visible(self) -> str:
        return "".join(self.text)


@pytest.fixture(scope="module")
def ip():
    shell = start_ipython() or globalipapp.get_ipython()  # None when another test module started it first
    shell.run_line_magic("load_ext", "reportkit")
    return shell


def run_report(ip, body: str, **namespace):
    ip.user_ns.update(namespace)
    with capture_output() as captured:
        result = ip.run_cell("%%report\n" + body)
    return result, captured.outputs


# --- the magic -------------------------------------------------------------------------------------------------


def test_magic_renders_values_with_vn_filters_and_helpers(ip):
    setup()
    f = SimpleNamespace(tuyen_truyen_buoi=11, tuyen_truyen_luot=1236, kien_toan=3, day=dt.date(2022, 3, 5))
    result, outputs = run_report(
        ip,
        "## I. KẾT QUẢ\n\nĐã tổ chức {{ f.tuyen_truyen_buoi }} buổi tuyên truyền với {{ f.tuyen_truyen_luot | about }}"
        " lượt người dân tham dự; kiện toàn {{ f.kien_toan | counted('Ban CTMT') }} {{ f.day | date(long=True) }}, "
        "{{ 'Tổ 10 Tổ 1 Tổ 6'.split(' Tổ ') | length }} {{ ['Tổ 6', 'Tổ 1'] | at_units }}.",
        f=f,
    )
    assert result.error_in_exec is None
    (out,) = outputs
    assert out.metadata == {"reportkit": {"kind": "narrative"}}
    md, html = out.data["text/markdown"], out.data["text/html"]
    expected = (
        "Đã tổ chức 11 buổi tuyên truyền với trên 1.200 lượt người dân tham dự; kiện toàn 03 Ban CTMT "
        "ngày 05 tháng 3 năm 2022, 3 tại tổ 1 và tổ 6."
    )
    assert expected in md
    assert "<h2>I. KẾT QUẢ</h2>" in html
    assert expected in Elements(html).visible
    assert html == markdown_to_html(md)


def test_tone_style_of_the_run_applies_to_the_text(ip):
    setup(tone_style="modern")
    _, outputs = run_report(ip, "Hòa giải ở cơ sở, {{ word }}.", word="thủy lợi")
    assert "Hoà giải ở cơ sở, thuỷ lợi." in outputs[0].data["text/markdown"]
    setup(tone_style="classic")
    _, outputs = run_report(ip, "Hoà giải, {{ word }}.", word="thuỷ lợi")
    assert "Hòa giải, thủy lợi." in outputs[0].data["text/markdown"]
    with pytest.raises(ValueError, match="'kieu-moi'"):
        setup(tone_style="kieu-moi")


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_arrive_as_text(value):
    rendered = render(
        "Tổ: {{ name }}.\n\n| Tên | Số |\n|---|---|\n| {{ name }} | {{ n }} |\n", {"name": value, "n": 5}
    )
    page = Elements(rendered.html)
    for tag in ("script", "strong", "em", "code", "a", "img", "h1", "ol", "ul", "li"):
        assert tag not in page.tags, (tag, rendered.html)
    expected = vn.nfc(value)
    assert f"Tổ: {expected}." in page.visible
    body_rows = [r for r in page.cells if r and r[0] != "Tên"]
    assert body_rows == [[expected, "5"]]  # one row of two cells: the pipe did not split the cell


def test_escape_markdown_leaves_plain_text_alone():
    assert escape_markdown("Tổ 1 (khu phố) 1.236, 15,5%") == "Tổ 1 (khu phố) 1.236, 15,5%"
    assert escape_markdown("dòng 1\ndòng 2") == "dòng 1 dòng 2"


def test_undefined_name_fails_the_cell_naming_it_and_its_line(ip):
    result, _ = run_report(ip, "Dòng một {{ n }}\n\nDòng hai {{ khong_co | number }} và {{ n }}\n", n=3)
    err = result.error_in_exec
    assert isinstance(err, NarrativeError)
    assert err.line == 4 and err.expression == "{{ khong_co | number }}"
    assert "dòng 4" in str(err) and "khong_co" in str(err)


def test_missing_attribute_and_filter_error_name_the_expression():
    with pytest.raises(NarrativeError) as info:
        render("x\n{{ f.a }} và {{ f.khong_co }}\n", {"f": SimpleNamespace(a=1)}, first_line=2)
    assert info.value.line == 3 and info.value.expression == "{{ f.khong_co }}"
    with pytest.raises(NarrativeError) as info:
        render("{{ n | number }} rồi {{ 'abc' | number }}", {"n": 1})
    assert info.value.expression == "{{ 'abc' | number }}" and "abc" in str(info.value)
    with pytest.raises(NarrativeError, match="None"):
        render("{{ x }}", {"x": None})
    with pytest.raises(NarrativeError, match="dòng 2: lỗi cú pháp"):
        render("{{ n | number }", {"n": 1}, first_line=2)


# --- phrasing --------------------------------------------------------------------------------------------------


def test_lists_counts_and_ratios():
    assert units(["Tổ 10", "Tổ 1", "Tổ 6", "Tổ 3"]) == "tổ 1, tổ 3, tổ 6 và tổ 10"
    assert at_units(["Tổ 1", "Tổ 6", "Tổ 3", "Tổ 10"]) == "tại tổ 1, tổ 3, tổ 6 và tổ 10"
    assert at_units(SimpleNamespace(count=1, total=10, units=["Tổ 5"])) == "tại tổ 5"
    assert ratio(SimpleNamespace(count=10, total=10, units=[]), "Ban CTMT") == "10/10 Ban CTMT"
    assert counted(3, "Ban CTMT") == "03 Ban CTMT"
    assert counted(SimpleNamespace(count=1, total=10), "tổ") == "01 tổ"
    assert counted(12, "vụ") == "12 vụ"
    with pytest.raises(ValueError, match="empty"):
        units([])
    with pytest.raises(TypeError, match="UnitCount"):
        ratio("10/10")


def figures(period: str, last_year=None, **values):
    return SimpleNamespace(
        period=Period(period), last_year=last_year, plan=values.pop("plan", lambda _id: None), **values
    )


def test_comparisons_with_last_year_and_plan():
    last = figures("2021-H1", vu_viec_antt=10)
    now = figures(
        "2022-H1", last_year=last, vu_viec_antt=12, quy_vnn=102_000_000, plan=lambda _id: 100_000_000
    )
    # one wording: the size in parentheses repeats its verb; a count below 10 keeps its leading zero
    assert compare_same_period(now, "vu_viec_antt", "vụ việc") == (
        "tăng 02 vụ việc (tăng 20%) so với cùng kỳ năm 2021"
    )
    assert compare_same_period(figures("2021-H1", vu_viec_antt=4), "vu_viec_antt", "vụ") == NO_LAST_YEAR
    assert NO_LAST_YEAR == "không có số liệu cùng kỳ để so sánh"
    year = figures("2022", last_year=figures("2021", vu_viec_antt=29), vu_viec_antt=21)
    assert (
        compare_same_period(year, "vu_viec_antt", "vụ việc") == "giảm 08 vụ việc (giảm 27,6%) so với năm 2021"
    )
    assert (
        compare(10, 12, "vụ", against="cùng kỳ năm 2021") == "giảm 02 vụ (giảm 16,7%) so với cùng kỳ năm 2021"
    )
    assert compare(5, 5, "vụ", against="cùng kỳ năm 2021") == "bằng cùng kỳ năm 2021"
    assert compare_plan(now, "quy_vnn") == "đạt 102% kế hoạch năm 2022"
    assert compare_plan(figures("2021-03", quy_vnn=5), "quy_vnn") == "chưa có kế hoạch năm 2021 để so sánh"
    with pytest.raises(AttributeError, match="khong_co"):
        compare_same_period(now, "khong_co")


def test_a_change_after_its_own_noun_names_no_unit():
    """ "số hội nghị giảm 04 (giảm 16,7%)", never "số hội nghị giảm 4 hội nghị"."""
    now = figures("2022-H1", last_year=figures("2021-H1", hoi_nghi=24, luot=1352), hoi_nghi=20, luot=1128)
    assert last_year_change(now, "hoi_nghi") == "giảm 04 (giảm 16,7%)"
    assert last_year_change(now, "luot") == "giảm 224 (giảm 16,6%)"
    same = figures("2022-H2", last_year=figures("2021-H2", hoi_nghi=10), hoi_nghi=10)
    assert last_year_change(same, "hoi_nghi") == "không thay đổi"
    assert last_year_change(figures("2021-H2", hoi_nghi=10), "hoi_nghi") == NO_LAST_YEAR
    with pytest.raises(TypeError):
        last_year_change(now, "hoi_nghi", "hội nghị")  # the unit cannot be passed at all


def test_a_count_of_units_compares_without_a_rate():
    """ "tại 04 tổ (…), tăng 03 tổ so với cùng kỳ năm 2021": a share of ten tổ is not a growth rate."""
    now = figures(
        "2022-H1",
        last_year=figures("2021-H1", khcn=SimpleNamespace(count=1, total=10, units=["Tổ 6"])),
        khcn=SimpleNamespace(count=4, total=10, units=["Tổ 1", "Tổ 3", "Tổ 6", "Tổ 10"]),
    )
    assert compare_same_period(now, "khcn", "tổ") == "tăng 03 tổ so với cùng kỳ năm 2021"


class _LateWard:
    """A stand-in for Figures whose like-for-like part (``whole_with``) leaves out the tổ late this period."""

    unit_noun = "tổ"

    def __init__(self, spec, units, values, last_year=None, part=None):
        self.period, self.units, self.last_year, self._part = Period(spec), units, last_year, part
        self.catalog = {"hn": SimpleNamespace(unit="hội nghị")}
        self.__dict__.update(values)

    def whole_with(self, period):
        return self._part or self


def _late_to_9(now: dict, part_now: dict, part_last: dict, whole_last: dict | None = None) -> _LateWard:
    tổ = tuple(f"Tổ {n}" for n in range(1, 11))
    last = _LateWard("2022-H1", tổ[:8] + tổ[9:], part_last)
    part = _LateWard("2023-H1", tổ[:8] + tổ[9:], part_now, last_year=last)
    return _LateWard("2023-H1", tổ, now, last_year=_LateWard("2022-H1", tổ, whole_last or {}), part=part)


def test_a_change_on_part_of_the_to_gives_both_figures_and_the_part():
    """The ward's 157.100.000 đồng is stated, the change is on 09 tổ: "tăng 6.100.000 đồng" alone would read as
    against last year's whole 153.000.000 (a văn thư's reading). Both of the part's figures, and which part."""
    f = _late_to_9(
        {"quy": 157_100_000, "buoi": 12}, {"quy": 143_800_000, "buoi": 8}, {"quy": 137_700_000, "buoi": 11}
    )
    assert compare_same_period(f, "quy", "đồng") == (
        "tăng từ 137.700.000 lên 143.800.000 đồng (tăng 4,4%, không tính tổ 9) so với cùng kỳ năm 2022"
    )
    assert last_year_change(f, "buoi") == "giảm từ 11 xuống 08 (giảm 27,3%, không tính tổ 9)"
    # said once for the sentence instead
    assert comparison_basis(f) == "tính trên 09 tổ có đủ số liệu của cả hai kỳ"
    assert last_year_opening(f) == "So với cùng kỳ năm 2022 (không tính tổ 9)"
    assert last_year_change(f, "buoi", basis=False) == "giảm từ 11 xuống 08 (giảm 27,3%)"
    # after "số tiền vận động", which does not name the unit
    assert last_year_change(f, "quy", unit="đồng", basis=False) == (
        "tăng từ 137.700.000 lên 143.800.000 đồng (tăng 4,4%)"
    )
    assert compare_same_period(f, "quy", "đồng", basis=False).endswith(
        "đồng (tăng 4,4%) so với cùng kỳ năm 2022"
    )


def test_a_change_on_part_of_the_to_when_equal_doubled_or_a_count_of_to():
    f = _late_to_9(
        {"hn": 20, "x": 30, "khcn": SimpleNamespace(count=6, total=10, units=[])},
        {"hn": 18, "x": 25, "khcn": SimpleNamespace(count=6, total=9, units=[])},
        {"hn": 18, "x": 10, "khcn": SimpleNamespace(count=4, total=9, units=[])},
    )
    # the sentence has stated 20, not 18: the part's figure is said, named by the catalog's unit, never
    # "không thay đổi" alone
    assert last_year_change(f, "hn") == "không thay đổi (18 hội nghị, không tính tổ 9)"
    assert last_year_change(f, "hn", basis=False) == "không thay đổi (18 hội nghị)"
    assert compare_same_period(f, "hn", "hội nghị", basis=False) == "bằng cùng kỳ năm 2022 (18 hội nghị)"
    assert last_year_change(f, "x", basis=False) == "tăng từ 10 lên 25 (gấp 2,5 lần)"
    # a count of tổ has no rate: only the part remains in brackets, or nothing
    assert compare_same_period(f, "khcn", "tổ") == (
        "tăng từ 04 lên 06 tổ (không tính tổ 9) so với cùng kỳ năm 2022"
    )
    assert compare_same_period(f, "khcn", "tổ", basis=False) == "tăng từ 04 lên 06 tổ so với cùng kỳ năm 2022"


def test_the_units_left_out_are_named_when_few_and_counted_when_many():
    """ "(tính trên 09 tổ)" reads as "tổ 09" (a văn thư's reading): up to three units left out are named, in
    natural order; more are counted. Equal figures without a catalog give the figure alone."""
    tổ = tuple(f"Tổ {n}" for n in range(1, 11))

    def late(left_out):
        kept = tuple(u for u in tổ if u not in left_out)
        part = _LateWard(
            "2023-H1", kept, {"b": 8, "y": 4}, last_year=_LateWard("2022-H1", kept, {"b": 11, "y": 4})
        )
        whole = _LateWard("2023-H1", tổ, {"b": 12, "y": 5}, last_year=_LateWard("2022-H1", tổ, {}), part=part)
        whole.catalog = {}
        return whole

    assert last_year_opening(late(("Tổ 9", "Tổ 10", "Tổ 2"))) == (
        "So với cùng kỳ năm 2022 (không tính tổ 2, tổ 9 và tổ 10)"
    )
    assert last_year_change(late(("Tổ 1", "Tổ 2", "Tổ 3", "Tổ 9")), "b") == (
        "giảm từ 11 xuống 08 (giảm 27,3%, tính trên 06 tổ)"
    )
    assert last_year_change(late(("Tổ 9",)), "y", basis=False) == "không thay đổi (04)"
    # after the subject it qualifies, as the brackets read; the long form for a sentence of one's own
    assert comparison_basis(late(("Tổ 9",)), "b", short=True) == "không tính tổ 9"
    assert comparison_basis(late(("Tổ 9",)), "b") == "tính trên 09 tổ có đủ số liệu của cả hai kỳ"


def test_a_comparison_after_a_stated_figure_on_part_of_the_to_is_a_sentence_of_its_own():
    """ "…được 157.100.000 đồng, tăng từ 137.700.000 lên 143.800.000 đồng (…) so với…" reads as if 157.100.000
    were one of the figures compared (a văn thư's reading): on part of the tổ the change opens a new sentence
    that names the part first; the unit follows a subject that does not name it, and only then."""
    f = _late_to_9(
        {"quy": 157_100_000, "vv": 10}, {"quy": 143_800_000, "vv": 7}, {"quy": 137_700_000, "vv": 12}
    )
    opening = ". So với cùng kỳ năm 2022 (không tính tổ 9), "
    assert compared_with_last_year(f, "quy", "đồng", subject="số tiền vận động") == (
        opening + "số tiền vận động tăng từ 137.700.000 lên 143.800.000 đồng (tăng 4,4%)"
    )
    assert compared_with_last_year(f, "vv", "vụ việc", subject="số vụ việc được xử lý") == (
        opening + "số vụ việc được xử lý giảm từ 12 xuống 07 (giảm 41,7%)"
    )
    tổ = tuple(f"Tổ {n}" for n in range(1, 11))
    whole = _LateWard(
        "2022-H1", tổ, {"quy": 153_000_000}, last_year=_LateWard("2021-H1", tổ, {"quy": 128_600_000})
    )
    assert compared_with_last_year(whole, "quy", "đồng", subject="số tiền vận động") == (
        ", tăng 24.400.000 đồng (tăng 19%) so với cùng kỳ năm 2021"
    )
    assert compared_with_last_year(_LateWard("2021-H2", tổ, {"quy": 5}), "quy", subject="số tiền") == (
        ", " + NO_LAST_YEAR
    )


def test_a_part_with_the_wholes_figures_compares_as_the_whole():
    """Tổ 9 had none of the 04 tổ then nor of the 06 now: the change is exact on every tổ, so it needs no
    basis and no second pair of figures: "tại 06 tổ (…), tăng 02 tổ so với cùng kỳ năm 2022"."""
    khcn = {n: SimpleNamespace(count=n, total=10, units=[]) for n in (4, 6)}
    f = _late_to_9(
        {"khcn": khcn[6], "hn": 20},
        {"khcn": khcn[6], "hn": 18},
        {"khcn": khcn[4], "hn": 18},
        whole_last={"khcn": khcn[4], "hn": 19},
    )
    assert compare_same_period(f, "khcn", "tổ") == "tăng 02 tổ so với cùng kỳ năm 2022"
    assert comparison_basis(f, "khcn") == ""
    assert last_year_opening(f, "khcn") == "So với cùng kỳ năm 2022"
    # one indicator on the part is enough for the sentence to say its basis
    assert comparison_basis(f, "khcn", "hn") == "tính trên 09 tổ có đủ số liệu của cả hai kỳ"
    assert last_year_change(f, "hn") == "không thay đổi (18 hội nghị, không tính tổ 9)"


def test_a_change_on_every_to_reads_as_before():
    tổ = tuple(f"Tổ {n}" for n in range(1, 11))
    f = _LateWard(
        "2022-H1", tổ, {"quy": 153_000_000}, last_year=_LateWard("2021-H1", tổ, {"quy": 128_600_000})
    )
    assert comparison_basis(f) == "" and comparison_basis(f, "quy") == ""
    assert last_year_opening(f, "quy") == "So với cùng kỳ năm 2021"
    assert compare_same_period(f, "quy", "đồng") == "tăng 24.400.000 đồng (tăng 19%) so với cùng kỳ năm 2021"
    assert last_year_change(f, "quy", unit="đồng") == "tăng 24.400.000 đồng (tăng 19%)"


def test_completeness():
    full = SimpleNamespace(reported=60, expected=60, missing=[], units_reported=10, units_total=10)
    assert completeness(full) == "10/10 tổ đã báo cáo đầy đủ số liệu"
    part = SimpleNamespace(
        reported=52,
        expected=60,
        missing=[("Tổ 4", (2022, 5)), ("Tổ 4", (2022, 6))] + [("Tổ 10", (2022, m)) for m in range(1, 7)],
        units_reported=9,
        units_total=10,
    )
    assert completeness(part) == (
        "8/10 tổ đã báo cáo đầy đủ số liệu; tổ 4 chưa gửi báo cáo tháng 5 và tháng 6 năm 2022; "
        "tổ 10 chưa gửi báo cáo"
    )
    across = SimpleNamespace(
        reported=5, expected=6, missing=[("Tổ 9", (2023, 6))], units_reported=1, units_total=2, months=[1] * 3
    )
    assert completeness(across) == "1/2 tổ đã báo cáo đầy đủ số liệu; tổ 9 chưa gửi báo cáo tháng 6 năm 2023"
    with pytest.raises(TypeError, match="Completeness"):
        completeness("9/10")


def test_change_says_how_many_times_when_a_figure_doubles():
    assert change(12, 10, "vụ") == "tăng 02 vụ (tăng 20%)"
    assert change(8, 2, "buổi") == "tăng 06 buổi (gấp 4 lần)"  # not "(300%)"
    assert change(4, 2, "lượt") == "tăng 02 lượt (gấp 2 lần)"
    assert change(1047, 244, "lượt") == "tăng 803 lượt (gấp 4,3 lần)"
    assert change(3, 0, "hộ") == "tăng 03 hộ"  # nothing to divide by: no ratio at all
    assert change(2, 8, "buổi") == "giảm 06 buổi (giảm 75%)"
    assert change(153_000_000, 128_600_000, "đồng") == "tăng 24.400.000 đồng (tăng 19%)"
    assert change(2.5, 1.25) == "tăng 1,25 (gấp 2 lần)"
    assert change(5, 5) == "bằng"
    assert (
        change(SimpleNamespace(count=6, total=10), SimpleNamespace(count=2, total=10), "tổ") == "tăng 04 tổ"
    )
    assert change(20, 24, relative=False) == "giảm 04"
    assert (
        compare(8, 2, "buổi", against="cùng kỳ năm 2021")
        == "tăng 06 buổi (gấp 4 lần) so với cùng kỳ năm 2021"
    )
    with pytest.raises(TypeError, match="change"):
        change("mười", 2)


class _Ward:
    """A stand-in Dataset: monthly figures of one indicator, and a catalog saying how it adds up."""

    def __init__(self, monthly: dict, over_months: str = "sum") -> None:
        self.monthly = monthly
        self.catalog = {"quy_vnn": SimpleNamespace(over_months=over_months)}

    def figures(self, period):
        return SimpleNamespace(period=period, quy_vnn=self.monthly.get(period.spec))


def test_year_to_date_sums_january_to_the_end_of_the_period():
    ward = _Ward({f"2022-{m:02d}": 10 * m for m in range(1, 13)})
    assert year_to_date(ward, "2022-H2", "quy_vnn") == sum(10 * m for m in range(1, 13))
    assert year_to_date(ward, Period("2022-Q3"), "quy_vnn") == sum(10 * m for m in range(1, 10))
    assert year_to_date(ward, "2022-02", "quy_vnn") == 30
    gap = _Ward({"2022-01": 5, "2022-03": 7})  # February has no figure: no year-to-date total either
    assert year_to_date(gap, "2022-Q1", "quy_vnn") is None
    with pytest.raises(ValueError, match="over_months"):
        year_to_date(_Ward({}, over_months="last"), "2022-H2", "quy_vnn")


def test_plan_of_a_year_to_date_total():
    now = figures("2022-H2", quy_vnn=41_200_000, plan=lambda _id: 150_000_000)
    assert compare_plan(now, "quy_vnn") == "mới đạt 27,5% kế hoạch năm 2022"
    assert compare_plan(now, "quy_vnn", actual=194_200_000) == "đạt 129,5% kế hoạch năm 2022"
    with pytest.raises(TypeError):
        compare_plan(now, "quy_vnn", word="so với kế hoạch vận động")  # one wording for every plan


@pytest.mark.parametrize(
    ("spec", "elapsed"),
    [("2022-H1", "1/2"), ("2022-9M", "3/4"), ("2022-Q1", "1/4"), ("2022-Q3", "3/4"), ("2022-01", "1/12"),
     ("2022-03", "1/4"), ("2022-11", "11/12"), ("2022-H2", "1"), ("2022-Q4", "1"), ("2022", "1")],
)  # fmt: skip
def test_the_share_of_the_year_gone_is_the_months_elapsed_over_twelve(spec, elapsed):
    assert str(year_elapsed(Period(spec))) == elapsed
    assert year_elapsed(spec) == year_elapsed(Period(spec))


@pytest.mark.parametrize(
    ("spec", "actual", "plan", "said"),
    [
        # 6 tháng đầu năm: on schedule from 50%
        ("2023-H1", 157_100_000, 160_000_000, "đạt 98,2% kế hoạch năm 2023"),
        ("2023-H1", 5, 10, "đạt 50% kế hoạch năm 2023"),  # the boundary is on schedule
        ("2023-H1", 4_999, 10_000, "mới đạt 49,9% kế hoạch năm 2023"),  # never rounded up to the boundary
        ("2022-H1", 6, 13, "mới đạt 46,2% kế hoạch năm 2022"),
        ("2022-H1", 2, 3, "đạt 66,7% kế hoạch năm 2022"),  # Hải Châu's poverty target at mid-year
        ("2022-H1", 153_000_000, 150_000_000, "đạt 102% kế hoạch năm 2022"),
        # 9 tháng đầu năm: 75%
        ("2022-9M", 3, 4, "đạt 75% kế hoạch năm 2022"),
        ("2022-9M", 9, 13, "mới đạt 69,2% kế hoạch năm 2022"),
        # a quarter: its months elapsed over 12
        ("2022-Q1", 1, 4, "đạt 25% kế hoạch năm 2022"),
        ("2022-Q1", 24, 100, "mới đạt 24% kế hoạch năm 2022"),
        ("2022-Q3", 9, 13, "mới đạt 69,2% kế hoạch năm 2022"),
        ("2022-Q3", 10, 13, "đạt 76,9% kế hoạch năm 2022"),
        # a month: one twelfth per month gone
        ("2022-03", 113_600_000, 150_000_000, "đạt 75,7% kế hoạch năm 2022"),
        ("2022-01", 1, 12, "đạt 8,3% kế hoạch năm 2022"),
        ("2022-01", 8, 100, "mới đạt 8% kế hoạch năm 2022"),
        ("2022-03", 0, 13, "mới đạt 0% kế hoạch năm 2022"),
        # a year, and the half that ends it: the whole plan
        ("2022", 13, 13, "đạt 100% kế hoạch năm 2022"),
        ("2022", 9_996, 10_000, "mới đạt 99,9% kế hoạch năm 2022"),  # never "mới đạt 100%"
        ("2022-H2", 41_200_000, 150_000_000, "mới đạt 27,5% kế hoạch năm 2022"),
        ("2022-H2", 194_200_000, 150_000_000, "đạt 129,5% kế hoạch năm 2022"),
    ],
)
def test_a_yearly_plan_is_judged_by_the_share_of_the_year_gone(spec, actual, plan, said):
    """ "đạt N% kế hoạch năm" on or ahead of schedule, "mới đạt" behind it: the share of the year's plan against
    the share of the year elapsed by the period's end."""
    assert of_year_plan(actual, plan, Period(spec)) == said
    f = figures(spec, quy_vnn=actual, plan=lambda _id: plan)
    assert compare_plan(f, "quy_vnn") == said


def test_a_yearly_plan_refuses_what_it_cannot_judge():
    with pytest.raises(ValueError, match="plan"):
        of_year_plan(5, 0, "2022-H1")
    with pytest.raises(ValueError, match="negative"):
        of_year_plan(-1, 10, "2022-H1")
    with pytest.raises(TypeError):
        of_year_plan("năm", 10, "2022-H1")
    with pytest.raises(ValueError, match="period"):
        of_year_plan(5, 10, "2022-H3")
    assert of_year_plan(SimpleNamespace(count=6, total=10), 10, "2022-H1") == "đạt 60% kế hoạch năm 2022"
    assert compare_plan(figures("2022-H1", quy_vnn=5, plan=lambda _id: 0), "quy_vnn") == (
        "chưa có kế hoạch năm 2022 để so sánh"
    )
    assert compare_plan(figures("2022-H1", quy_vnn=None, plan=lambda _id: 10), "quy_vnn") == (
        "chưa có kế hoạch năm 2022 để so sánh"
    )


def test_a_change_too_small_to_show_is_not_zero_percent():
    assert change(87_297, 87_271) == "tăng 26 (tăng dưới 0,1%)"
    assert change(99_999, 100_000, "lượt") == "giảm 01 lượt (giảm dưới 0,1%)"
    assert change(1_001, 1_000) == "tăng 01 (tăng 0,1%)"


def _completeness(missing, months=6, total=10):
    return SimpleNamespace(
        missing=missing, units_total=total, months=[(2023, m) for m in range(1, months + 1)]
    )


def test_what_the_totals_leave_out_is_named_from_the_data():
    june = _completeness([("Tổ 9", (2023, 6))])
    assert missing_data(june) == "số liệu tháng 6 năm 2023 của tổ 9"
    assert missing_note(june) == "(*) Tổ 9 chưa có số liệu tháng 6 năm 2023."
    assert marked_units(june) == {"Tổ 9": "Tổ 9 (*)"} and MISSING_MARK == "(*)"
    several = _completeness(
        [("Tổ 10", (2022, m)) for m in range(1, 7)]
        + [("Tổ 4", (2022, 5)), ("Tổ 4", (2022, 6)), ("Tổ 2", (2022, 6))]
    )
    assert missing_data(several) == (
        "số liệu tháng 6 năm 2022 của tổ 2, tháng 5 và tháng 6 năm 2022 của tổ 4, của tổ 10"
    )
    assert missing_note(several) == (
        "(*) Tổ 2 chưa có số liệu tháng 6 năm 2022; tổ 4 chưa có số liệu tháng 5 và tháng 6 năm 2022; "
        "tổ 10 chưa có số liệu trong kỳ."
    )
    assert list(marked_units(several).values()) == ["Tổ 2 (*)", "Tổ 4 (*)", "Tổ 10 (*)"]
    across = _completeness([("Tổ 3", (2021, 12)), ("Tổ 3", (2022, 1))], months=3)
    assert missing_data(across) == "số liệu tháng 12 năm 2021 và tháng 1 năm 2022 của tổ 3"
    complete = _completeness([])
    for helper in (missing_data, missing_note):
        with pytest.raises(ValueError, match="every tổ has reported"):
            helper(complete)
    assert marked_units(complete) == {}
    for helper in (missing_data, missing_note, marked_units):
        with pytest.raises(TypeError, match="Completeness"):
            helper("9/10")


def test_the_marked_rows_keep_their_natural_order(by_unit):
    setup()
    frame = by_unit.rename(index=marked_units(_completeness([("Tổ 9", (2023, 6))])))
    table = unit_table(frame, {"luot": "Lượt"}, caption="Tuyên truyền")
    assert [r[0] for r in table.rows][-3:] == ["Tổ 8", "Tổ 9 (*)", "Tổ 10"]


def test_a_period_not_from_january_does_not_open_from_the_start_of_the_year():
    assert period_opening(Period("2022-H1")) == "Ngay từ đầu năm"
    assert (
        period_opening("2022") == period_opening("2022-9M") == period_opening("2022-01") == "Ngay từ đầu năm"
    )
    assert period_opening("2022-H2") == "Trong 6 tháng cuối năm"
    assert period_opening("2022-Q3") == "Trong quý III"
    assert period_opening("2022-03") == "Trong tháng 3"
    with pytest.raises(ValueError):
        period_opening("2022-13")


def poverty(spec: str, done: int, plan: int | None = 13):
    return SimpleNamespace(
        period=Period(spec), giam_ho_ngheo=done, plan=lambda _id: plan,
        catalog={"giam_ho_ngheo": SimpleNamespace(unit="hộ")},
    )  # fmt: skip


@pytest.mark.parametrize(
    ("spec", "done", "to_date", "reached", "said"),
    [
        ("2022-H1", 6, None, False, "trong 6 tháng đầu năm 2022 đã giảm 06 hộ nghèo, mới đạt 46,2% kế hoạch năm 2022"),
        ("2022-H2", 8, 14, True, "trong 6 tháng cuối năm 2022 đã giảm 08 hộ nghèo, lũy kế từ đầu năm đã giảm 14 hộ "
         "nghèo, vượt kế hoạch năm 2022 (13 hộ)"),
        ("2022", 13, None, True, "trong năm 2022 đã giảm 13 hộ nghèo, đạt kế hoạch năm 2022 (13 hộ)"),
        ("2022-Q3", 0, 9, False, "trong quý III năm 2022 chưa giảm thêm hộ nghèo nào, lũy kế từ đầu năm đã giảm 09 "
         "hộ nghèo, mới đạt 69,2% kế hoạch năm 2022"),
        ("2022-03", 0, 0, False, "trong tháng 3 năm 2022 chưa giảm thêm hộ nghèo nào, lũy kế từ đầu năm chưa giảm "
         "được hộ nghèo nào, mới đạt 0% kế hoạch năm 2022"),
        # more than half the target at mid-year is ahead of schedule; 5 of 13 by the end of April too
        ("2022-H1", 7, None, False, "trong 6 tháng đầu năm 2022 đã giảm 07 hộ nghèo, đạt 53,8% kế hoạch năm 2022"),
        ("2022-04", 1, 5, False, "trong tháng 4 năm 2022 đã giảm 01 hộ nghèo, lũy kế từ đầu năm đã giảm 05 hộ "
         "nghèo, đạt 38,5% kế hoạch năm 2022"),
    ],
)  # fmt: skip
def test_a_yearly_target_and_the_verbs_of_year_to_date_results(spec, done, to_date, reached, said):
    """ "đã giảm 14 hộ nghèo, vượt kế hoạch năm 2022 (13 hộ)", never "phấn đấu giảm 13 hộ nghèo" after 14 left
    poverty, nor "lũy kế từ đầu năm 14 hộ" without a verb."""
    f = poverty(spec, done)
    assert plan_result(f, "giam_ho_ngheo", "hộ nghèo", verb="giảm", year_to_date=to_date) == said
    assert plan_reached(f, "giam_ho_ngheo", to_date) is reached
    no_plan = poverty(spec, done, plan=None)
    assert "kế hoạch" not in plan_result(
        no_plan, "giam_ho_ngheo", "hộ nghèo", verb="giảm", year_to_date=to_date
    )


def test_meetings_name_who_did_not_meet_and_who_did_not_report():
    all_met = SimpleNamespace(count=10, total=10, units=[])
    assert meetings(all_met, "2022-H1") == "10/10 Ban CTMT đều tổ chức họp hàng tháng"
    assert meetings(all_met, "2022-03") == "10/10 Ban CTMT đều tổ chức họp định kỳ trong tháng"
    some = SimpleNamespace(count=8, total=10, units=[])
    assert meetings(some, "2023-H1", ["Tổ 4"], ["Tổ 9"]) == (
        "8/10 Ban CTMT tổ chức họp đủ hàng tháng (Ban CTMT tổ 4 chưa họp đủ; tổ 9 chưa gửi đủ báo cáo nên chưa có "
        "căn cứ đánh giá)"
    )
    assert meetings(some, "2022-03", ["Tổ 4", "Tổ 2"]) == (
        "8/10 Ban CTMT tổ chức họp định kỳ trong tháng (Ban CTMT tổ 2 và tổ 4 chưa tổ chức họp)"
    )


def test_ratio_named_and_established_models():
    every = [f"Tổ {n}" for n in range(1, 11)]
    nine = SimpleNamespace(count=9, total=10, units=[u for u in every if u != "Tổ 7"])
    three = SimpleNamespace(count=3, total=10, units=["Tổ 6", "Tổ 1", "Tổ 2"])
    assert ratio_named(nine, "Ban CTMT", every) == "9/10 Ban CTMT (trừ tổ 7)"
    assert ratio_named(three, "Ban CTMT", every) == "3/10 Ban CTMT (tổ 1, tổ 2 và tổ 6)"
    one, none = (
        SimpleNamespace(count=1, total=10, units=["Tổ 3"]),
        SimpleNamespace(count=0, total=10, units=[]),
    )
    two = SimpleNamespace(count=2, total=10, units=["Tổ 6", "Tổ 8"])
    assert established([(one, "tổ tự quản an ninh"), (none, "mô hình ATGT"), (two, "câu lạc bộ")]) == (
        "có 01 tổ tự quản an ninh tại tổ 3, 02 câu lạc bộ tại tổ 6 và tổ 8 (chưa có mô hình ATGT)"
    )
    assert established([(none, "tổ tự quản"), (none, "câu lạc bộ")]) == "chưa có tổ tự quản và câu lạc bộ"


def test_units_without_leave_out_a_tổ_that_did_not_report():
    by_unit = {"buoi": pd.Series({"Tổ 1": 2, "Tổ 2": 0, "Tổ 3": None, "Tổ 10": 0}, dtype=object)}
    assert units_without(SimpleNamespace(by_unit=by_unit), "buoi") == ["Tổ 2", "Tổ 10"]


def test_units_marked_in_the_months_of_an_event():
    class Monthly:
        def __init__(self):
            self.marks = {"2022-04": ["Tổ 2"], "2022-05": ["Tổ 9", "Tổ 5"], "2022-07": ["Tổ 7"]}

        def figures(self, period):
            return SimpleNamespace(kien_toan=SimpleNamespace(units=self.marks.get(period.spec, [])))

    congress = {(2022, 3), (2022, 4), (2022, 5)}
    assert units_in_months(Monthly(), "2022-H1", "kien_toan", congress) == ["Tổ 2", "Tổ 5", "Tổ 9"]
    assert units_in_months(Monthly(), "2022-H2", "kien_toan", congress) == []


def test_report_subject_and_the_annex_line():
    assert report_subject(Period("2022-H1"), "công tác Mặt trận") == (
        "Sơ kết công tác Mặt trận 6 tháng đầu năm và phương hướng, nhiệm vụ 6 tháng cuối năm 2022"
    )
    assert report_subject(Period("2022-H2"), "công tác Mặt trận") == (
        "Sơ kết công tác Mặt trận 6 tháng cuối năm 2022 và phương hướng, nhiệm vụ 6 tháng đầu năm 2023"
    )
    assert report_subject(Period("2022-9M"), "công tác Mặt trận") == (
        "Sơ kết công tác Mặt trận 9 tháng đầu năm và phương hướng, nhiệm vụ 3 tháng cuối năm 2022"
    )
    assert report_subject(Period("2022-Q3"), "công tác Mặt trận", tasks=False) == (
        "Kết quả công tác Mặt trận quý III năm 2022"
    )
    doc = {"type": "BÁO CÁO", "number": "Số:     /BC-MTTQ-BTT", "issued_on": "2022-03-05", "issuer": "Ban X"}
    # the number left blank: the header's gap, as wide, in no-break spaces (a page would close up plain ones)
    gap = "\u00a0" * 5
    assert (
        annex_reference(doc) == f"(Kèm theo Báo cáo số{gap}/BC-MTTQ-BTT ngày 05 tháng 3 năm 2022 của Ban X)"
    )
    wide = dict(doc, number="Số:        /BC-MTTQ-BTT")
    assert "số" + "\u00a0" * 8 + "/BC-MTTQ-BTT" in annex_reference(wide)
    assert "…" not in annex_reference(doc)
    numbered = dict(doc, number="Số: 05/BC-MTTQ-BTT")
    assert (
        annex_reference(numbered) == "(Kèm theo Báo cáo số 05/BC-MTTQ-BTT ngày 05 tháng 3 năm 2022 của Ban X)"
    )


def test_part_numbers_count_in_run_order(ip):
    setup()
    _, first = run_report(ip, "## {{ part_number() }}. KẾT QUẢ")
    _, second = run_report(
        ip, "{% if write %}\n## {{ part_number() }}. ĐÁNH GIÁ CHUNG\n{% endif %}", write=False
    )
    _, third = run_report(ip, "## {{ part_number() }}. PHƯƠNG HƯỚNG, NHIỆM VỤ")
    assert "I. KẾT QUẢ" in first[0].data["text/markdown"]
    assert second == []  # a part not written shows nothing and takes no number
    assert "II. PHƯƠNG HƯỚNG" in third[0].data["text/markdown"]


# --- tables ----------------------------------------------------------------------------------------------------


@pytest.fixture
def by_unit():
    names = [f"Tổ {i}" for i in (10, 2, 1, 3, 4, 5, 6, 7, 8, 9)]
    return pd.DataFrame(
        {"luot": [1000 + i for i in range(10)], "hop": [True] * 9 + [False], "ghi_chu": ["x"] * 10},
        index=names,
    )


def test_unit_table_html_and_markdown(by_unit):
    setup()
    table = unit_table(
        by_unit, {"luot": "Lượt người dân", "hop": "Họp đủ"}, caption="Kết quả theo tổ dân phố"
    )
    data, meta = table._repr_mimebundle_()
    assert meta["reportkit"] | {"rows": None} == {
        "kind": "table",
        "number": 1,
        "caption": "Bảng 1. Kết quả theo tổ dân phố",
        "header": ["Tổ dân phố", "Lượt người dân", "Họp đủ"],
        "rows": None,
        "footer": ["Tổng cộng", "10.045", "9/10"],
        "numeric": [False, True, True],
    }
    assert meta["reportkit"]["rows"][0] == ["Tổ 1", "1.002", "Có"]  # the parts a Word table is built from
    page = Elements(data["text/html"])
    assert "script" not in page.tags and {"table", "caption", "thead", "th", "tbody", "tfoot"} <= set(
        page.tags
    )
    assert "Bảng 1. Kết quả theo tổ dân phố" in page.visible
    first_cells = [row[0] for row in page.cells]
    assert first_cells == ["Tổ dân phố", *[f"Tổ {i}" for i in range(1, 11)], "Tổng cộng"]
    assert page.cells[1] == ["Tổ 1", "1.002", "Có"]
    assert page.cells[-1] == ["Tổng cộng", "10.045", "9/10"]
    assert "| **Tổng cộng** | **10.045** | **9/10** |" in data["text/markdown"]
    assert unit_table(by_unit, ["luot"], caption="Lần hai").number == 2
    setup()
    assert unit_table(by_unit, ["luot"], caption="Lần đầu của lượt chạy mới").number == 1


def test_unit_table_escapes_hostile_names_and_rejects_bad_columns(by_unit):
    frame = pd.DataFrame({"n": range(len(HOSTILE))}, index=HOSTILE)
    data, _ = unit_table(frame, {"n": "Số"}, caption="Tên <b>lạ</b> | x")._repr_mimebundle_()
    page = Elements(data["text/html"])
    assert "script" not in page.tags and "b" not in page.tags
    assert {vn.nfc(h) for h in HOSTILE} <= {row[0] for row in page.cells}
    assert "Tên <b>lạ</b> | x" in page.visible
    md_page = Elements(markdown_to_html(data["text/markdown"]))
    assert {vn.nfc(h) for h in HOSTILE} <= {row[0] for row in md_page.cells}
    with pytest.raises(KeyError, match="'khong_co'"):
        unit_table(by_unit, ["luot", "khong_co"], caption="x")
    with pytest.raises(ValueError, match="caption"):
        unit_table(by_unit, ["luot"], caption=" ")


# --- charts ----------------------------------------------------------------------------------------------------


def test_bar_chart_output_is_a_captioned_svg_and_png_with_alt_text():
    setup()
    values = {f"Tổ {i}": 100 * i + 36 for i in (10, 1, 2)}
    first = bar_chart(values, caption="Lượt người dân dự tuyên truyền theo tổ", ylabel="Lượt người")
    again = bar_chart(values, caption="Lần hai", ylabel="Lượt người")
    data, meta = first._repr_mimebundle_()
    assert data["image/svg+xml"].startswith("<svg") and data["image/png"]  # the page's and the Word file's
    assert meta["image/svg+xml"]["alt"] == meta["image/png"]["alt"] == meta["alt"]
    assert (
        meta["alt"] == "Biểu đồ thanh ngang, lượt người theo tổ dân phố: tổ 1: 136; tổ 2: 236; tổ 10: 1.036"
    )
    assert meta["reportkit"]["caption"] == "Biểu đồ 1. Lượt người dân dự tuyên truyền theo tổ"
    assert again.number == 2 and again.png == first.png and again.svg == first.svg  # same data → same bytes
    svg = first.svg.decode()
    # Text as outlines (no font needed), nothing that loads or runs, no timestamp, no machine's path.
    assert (
        "<text" not in svg
        and "<use" in svg
        and "<script" not in svg
        and "http" not in svg.replace("http://www.w3.org/", "")
    )
    assert "<!--" not in svg and "<metadata" not in svg and len(first.svg) < 30_000
    page = Elements(data["text/html"])
    assert {"figure", "img", "figcaption"} <= set(page.tags) and "script" not in page.tags
    assert "Biểu đồ 1." in page.visible and 'alt="Biểu đồ thanh' in data["text/html"]
    assert tick_label(1200.0) == "1.200" and tick_label(2.5) == "2,5"
    with pytest.raises(ValueError, match="'Tổ 2' has no value"):
        bar_chart({"Tổ 1": 1, "Tổ 2": float("nan")}, caption="x", ylabel="y")


def test_chart_draws_the_figure_once_per_file_and_crops_it_as_savefig_tight_does(monkeypatch):
    import io

    from matplotlib.figure import Figure

    from reportkit.narrative.charts import DPI, chart, theme

    def figure() -> Figure:
        with theme():
            fig = Figure()
            ax = fig.add_subplot()
            ax.barh([0, 1], [120, 98])
            ax.set_yticks([0, 1], ["Tổ 1", "Tổ Dân phố số 2"])
            ax.set_xlabel("Lượt người")
            fig.tight_layout()  # leaves a layout engine behind that would make each savefig lay it out again
        return fig

    reference = io.BytesIO()
    with theme():
        figure().savefig(reference, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None},
                         facecolor="white")  # fmt: skip
    draws = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(1) or original(self, renderer))
    setup()
    made = chart(figure(), caption="Lượt người", alt="Biểu đồ thanh ngang")
    assert made.png == reference.getvalue()  # the same crop, the same pixels
    assert len(draws) == 3  # the box once, then the PNG and the SVG: no layout pass before each file


def test_chart_font_has_every_vietnamese_letter():
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    from reportkit.narrative.charts import FONT

    path = font_manager.findfont(font_manager.FontProperties(family=FONT), fallback_to_default=False)
    font = FT2Font(path)
    letters = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"
    missing = [c for c in letters + letters.upper() if font.get_char_index(ord(c)) == 0]
    assert missing == []


# --- record ----------------------------------------------------------------------------------------------------

WARD = SimpleNamespace(
    name="Phường Duy Tân",
    place="Duy Tân",
    parent_body=["ỦY BAN MTTQ VIỆT NAM", "PHƯỜNG DUY TÂN"],
    issuing_body="BAN THƯỜNG TRỰC",
    document_symbol="BC-MTTQ-BTT",
    signer={"authority": "TM. BAN THƯỜNG TRỰC", "title": "CHỦ TỊCH", "name": "Nguyễn Văn A"},
    recipients=["Ban Thường trực UBMTTQ thành phố;", "Lưu: VT."],
    national_title="CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    motto="Độc lập - Tự do - Hạnh phúc",
)


def test_document_block():
    doc = document(
        WARD, "2022-H1", subject="Kết quả công tác Mặt trận 6 tháng đầu năm 2022", document_number=5
    )
    assert doc["number"] == "Số: 05/BC-MTTQ-BTT"
    assert doc["place_date"] == "Duy Tân, ngày 30 tháng 6 năm 2022"
    assert doc["title"] == "Báo cáo kết quả công tác Mặt trận 6 tháng đầu năm 2022 — Phường Duy Tân"
    assert (doc["period"], doc["period_name"], doc["type"]) == ("2022-H1", "6 tháng đầu năm 2022", "BÁO CÁO")
    assert (doc["issued_on"], doc["issuer"]) == ("2022-06-30", "Ban thường trực Phường Duy Tân")
    assert document(WARD, "2022-H1")["number"] == "Số:     /BC-MTTQ-BTT"
    modern = document(
        WARD, Period("2022-01"), issued_on="2022-02-03", tone_style="modern", signer={"name": "Lê Thị B"}
    )
    assert modern["national_title"] == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert modern["place_date"] == "Duy Tân, ngày 03 tháng 02 năm 2022"
    assert modern["signature"] == {
        "authority": "TM. BAN THƯỜNG TRỰC",
        "title": "CHỦ TỊCH",
        "name": "Lê Thị B",
    }
    assert modern["issued_on"] == "2022-02-03"
    assert set(doc) == set(modern) and len(doc) == 16
    with pytest.raises(ValueError, match=r"document_number.*'47'"):
        document(WARD, "2022-H1", document_number="47")
    with pytest.raises(ValueError, match=r"issued_on.*'24/06/2022'"):
        document(WARD, "2022-H1", issued_on="24/06/2022")
    with pytest.raises(ValueError, match=r"signer\.chuc_vu: unknown signer key"):
        document(WARD, "2022-H1", signer={"chuc_vu": "x"})


def test_document_heading_for_a_body_with_its_own_rules():
    """A Party body puts "ĐẢNG CỘNG SẢN VIỆT NAM" where the Quốc hiệu goes, with no Tiêu ngữ."""
    doc = document(WARD, "2022-H1", heading={"national_title": "ĐẢNG CỘNG SẢN VIỆT NAM", "motto": ""})
    assert doc["national_title"] == "ĐẢNG CỘNG SẢN VIỆT NAM" and doc["motto"] == ""
    assert document(WARD, "2022-H1")["national_title"] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    with pytest.raises(ValueError, match=r"heading\.quoc_hieu: unknown heading key"):
        document(WARD, "2022-H1", heading={"quoc_hieu": "x"})


def test_record_output(ip):
    doc = document(WARD, "2022-H1")
    f = SimpleNamespace(
        tuyen_truyen_luot=1236, hop_ban_ctmt=SimpleNamespace(count=10, total=10, units=["Tổ 1"])
    )
    figs = key_figures(f, {"tuyen_truyen_luot": "Lượt người dân dự tuyên truyền"})
    assert figs == [
        {
            "id": "tuyen_truyen_luot",
            "label": "Lượt người dân dự tuyên truyền",
            "value": 1236,
            "text": "1.236",
            "unit": "",  # these figures carry no catalog
        }
    ]
    src = [{"path": "data/duy-tan/ward.yaml", "sha256": "ab" * 32}]
    with capture_output() as captured:
        record(document=doc, key_figures=figs, sources=src)
    (out,) = captured.outputs
    assert out.metadata == {"reportkit": {"kind": "record"}}
    assert out.data[MIME] == {"document": doc, "key_figures": figs, "sources": src}
    json.dumps(out.data[MIME])
    with pytest.raises(ValueError) as info:
        record(document={"title": "x"}, key_figures=[{"id": "a"}], sources="data")
    message = str(info.value)
    assert (
        "missing keys parent_body" in message
        and "key_figures[0]" in message
        and "sources: expected a list" in message
    )
