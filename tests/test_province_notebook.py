"""notebooks/province.ipynb on the 120-ward sample province: the 2022-H1 roll-up states the sum of its wards' figures
(checked against SELECT SUM(...) here) in the ward report's wording, names the wards not yet reported, puts the
per-ward table and charts in the phụ lục, and exports like a ward's report."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml
from province_checks import months_where, query, sql_sums
from test_notebook import AS_GENERATED, assert_plans_read_by_the_time_gone

from reportkit import vn
from reportkit.core import content
from reportkit.core.record import read as read_record
from reportkit.data import sample_province as sample
from reportkit.data import wards
from reportkit.narrative import counted, of_year_plan
from reportkit.narrative.charts import BARH_MAX
from reportkit.narrative.phrasing import NAMED_LEFT_OUT

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "province.ipynb"
WARDS = 120

pytestmark = pytest.mark.slow


def _text(html: str) -> str:
    html = re.sub(r"<(p|h\d|li|tr|caption|figcaption)[^>]*>", "\n", html)
    html = re.sub(r"</t[dh]>", " | ", html)
    text = re.sub(r"<[^>]+>", "", html)
    import html as h

    return "\n".join(line.strip() for line in h.unescape(text).splitlines() if line.strip())


def _run(root: Path, url: str, period: str):
    import papermill

    out = root / f"province-{period}.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), parameters={"period": period, "data": url,
                               "document_number": 52}, cwd=str(NOTEBOOK.parent), progress_bar=False,
                               kernel_name="python3")  # fmt: skip
    return nbformat.read(out, as_version=4)


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("province")
    url = f"sqlite:///{root / 'province.db'}"
    sample.write(WARDS, url)
    return root, url


@pytest.fixture(scope="module")
def rollup(province):
    root, url = province
    return url, _run(root, url, "2022-H1")


def _outputs(nb, kind: str) -> list[tuple[dict, dict]]:
    found = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("metadata", {}).get("reportkit", {}).get("kind") == kind:
                found.append((cell, o))
    return found


def _body_text(nb) -> str:
    return "\n".join(
        _text(o["data"]["text/html"])
        for cell, o in _outputs(nb, "narrative")
        if content.part_of(cell) == content.BODY
    )


def test_the_rollup_states_the_sum_of_its_wards(rollup):
    url, nb = rollup
    text = "\n".join(_text(o["data"]["text/html"]) for _, o in _outputs(nb, "narrative"))
    s = sql_sums(url, "2022-H1")
    units = query(url, "SELECT COUNT(DISTINCT phuong_xa || '/' || to_dan_pho) FROM bao_cao")[0][0]
    assert f"{vn.number(s['tap_huan_luot'])} lượt cán bộ" in text
    assert (
        f"{vn.number(s['tuyen_truyen_buoi'])} buổi tuyên truyền với {vn.about(s['tuyen_truyen_luot'], step=100)} lượt"
        in text
    )
    assert f"sự tham gia của {vn.number(s['hang_viet_nguoi'])} người dân" in text
    assert f"vận động Quỹ “Vì người nghèo” được {vn.number(s['quy_vnn'])} đồng" in text
    assert f"trong 6 tháng đầu năm 2022 đã giảm {counted(s['giam_ho_ngheo'], 'hộ nghèo')}" in text
    assert f"xử lý {vn.number(s['vu_viec_antt'])} vụ việc" in text
    assert f"{vn.number(s['hoi_nghi_cu_tri'])} hội nghị tiếp xúc cử tri tại tổ dân phố với " in text
    assert (
        f"với {vn.about(s['cu_tri_luot'], step=100)} lượt cử tri" in text
    )  # two digits, as the ward's (docs/guide.md)
    assert f"{vn.number(units)} tổ dân phố thuộc {WARDS} phường" in text
    # the wards that sent nothing for a month, and those with a tổ missing, are named as a sentence names them
    where = months_where("2022-H1")
    rows = dict(((c, y, m), n) for c, y, m, n in query(
        url, f"SELECT phuong_xa, nam, thang, COUNT(*) FROM bao_cao WHERE {where} GROUP BY phuong_xa, nam, thang"))  # fmt: skip
    months = vn.Period("2022-H1").months
    sizes = {c: len(yaml.safe_load(d)["units"]) for c, d in query(url, "SELECT ma, mo_ta FROM phuong_xa")}
    late = [w for w in wards(url) if any((w.code, *ym) not in rows for ym in months)]
    partial = [
        w for w in wards(url) if w not in late and any(rows[(w.code, *ym)] < sizes[w.code] for ym in months)
    ]
    assert late or partial
    (said,) = [line for line in text.splitlines() if line.startswith("Đến thời điểm tổng hợp")]
    for w in late:
        assert re.search(rf"{re.escape(w.in_sentence)}( và |, )[^;]*chưa gửi báo cáo tháng|"
                         rf"{re.escape(w.in_sentence)} chưa gửi báo cáo tháng", said), w.name  # fmt: skip
    for w in partial:
        assert f"số liệu của {w.in_sentence} chưa đầy đủ (tổ" in said
    assert f"{WARDS - len(late) - len(partial)}/{WARDS} phường đã gửi đầy đủ báo cáo" in text
    assert "Phường Duy Tân (102% kế hoạch)" in text  # the sample ward's 153.000.000 of 150.000.000
    assert vn.nfc(text) == text
    # The comparisons set like against like: with last year, the wards whole in both periods; with the plan, the
    # wards whole from January (last year's gaps do not matter there) — said once, in I, naming who is left out.
    late_now = _incomplete(url, "2022-H1")
    left_out = late_now | _incomplete(url, "2021-H1")
    assert left_out > {w.code for w in late + partial}  # some wards complete now were not last year
    whole, whole_for_plan = WARDS - len(left_out), WARDS - len(late_now)
    (scope,) = [
        line for line in text.splitlines() if line.startswith("Để bảo đảm so sánh trên cùng phạm vi, ")
    ]
    assert (
        f"các mức tăng, giảm so với cùng kỳ năm 2021 được tính trên {counted(whole, 'phường')} có đủ số liệu của cả "
        "hai kỳ, không tính các phường nêu trên, " in scope
    )
    for w in wards(url):
        if w.code in left_out - late_now:  # whole now, not last year: named with the months it lacked
            assert re.search(
                rf"{re.escape(w.in_sentence)} \(chưa gửi đủ báo cáo tháng [^)]* năm 2021\)", scope
            )
    assert (
        f"; tỷ lệ đạt kế hoạch năm 2022 được tính trên {counted(whole_for_plan, 'phường')} có đủ số liệu của kỳ "
        "này, không tính các phường nêu trên." in scope
    )
    assert text.count("có đủ số liệu") == 2
    kept = " AND phuong_xa NOT IN ({})".format(", ".join(f"'{c}'" for c in sorted(left_out)))
    now, last = (
        query(url, f"SELECT SUM(tuyen_truyen_luot) FROM bao_cao WHERE ({months_where(p)}){kept}")[0][0]
        for p in ("2022-H1", "2021-H1")
    )
    # the province's figure is stated first, so a change on part of its wards gives both of that part's figures
    # and says which part — once before the sentence's changes (a văn thư's reading)
    # more wards left out than are named: counted
    assert len(left_out) > NAMED_LEFT_OUT
    assert f"So với cùng kỳ năm 2021 (tính trên {counted(whole, 'phường')}), số buổi tuyên truyền" in text
    way = "giảm" if now < last else "tăng"
    shown = f"{way} từ {vn.number(last)} {'xuống' if now < last else 'lên'} {vn.number(now)} ("
    assert f"số lượt người dân tham dự {shown}" in text  # after "số lượt …": no unit again
    assert f"Ban CTMT (tính trên {counted(whole, 'phường')}) so với cùng kỳ năm 2021" in text  # I said why
    kept_for_plan = " AND phuong_xa NOT IN ({})".format(", ".join(f"'{c}'" for c in sorted(late_now)))
    fund = query(url, f"SELECT SUM(quy_vnn) FROM bao_cao WHERE ({where}){kept_for_plan}")[0][0]
    plan = query(url, f"SELECT SUM(quy_vnn) FROM ke_hoach WHERE nam = 2022{kept_for_plan}")[0][0]
    # what every ward raised, judged against the plan of the wards that reported everything, by the time gone
    assert (
        f"vận động Quỹ “Vì người nghèo” được {vn.number(s['quy_vnn'])} đồng, {of_year_plan(fund, plan, '2022-H1')}, "
        in text
    )


def test_the_leading_and_trailing_wards_are_ranked_per_to_dan_pho(rollup):
    """Wards have 6 to 18 tổ: ranked on their totals, the small ones would always be "thấp nhất" (a văn thư's
    reading); a count is ranked per tổ dân phố, among the wards that sent every tổ's every month."""
    url, nb = rollup
    text = "\n".join(_text(o["data"]["text/html"]) for _, o in _outputs(nb, "narrative"))
    where = months_where("2022-H1")
    sizes = {c: len(yaml.safe_load(d)["units"]) for c, d in query(url, "SELECT ma, mo_ta FROM phuong_xa")}
    rows = query(url, f"SELECT phuong_xa, COUNT(*), SUM(tuyen_truyen_luot) FROM bao_cao WHERE {where} "
                      "GROUP BY phuong_xa")  # fmt: skip
    named = {w.code: w for w in wards(url)}
    per_to = {code: total / sizes[code] for code, n, total in rows if n == sizes[code] * 6}
    order = sorted(per_to, key=lambda c: (per_to[c], vn.sort_key(named[c].name)))
    (line,) = [ln for ln in text.splitlines() if ln.startswith("Lượt người dân dự tuyên truyền: dẫn đầu là")]
    leaders, trailers = line.split("; thấp nhất là ")
    lowest = order[0]
    assert trailers.startswith(f"{named[lowest].in_sentence} ({vn.number(round(per_to[lowest], 1))} lượt/tổ)")
    highest = order[-1]
    assert leaders.startswith(f"Lượt người dân dự tuyên truyền: dẫn đầu là {named[highest].in_sentence} (")
    assert (
        "Xếp theo bình quân trên một tổ dân phố" in text
        or "đã gửi đầy đủ báo cáo, xếp theo bình quân" in text
    )


def test_a_late_ward_does_not_read_as_a_fall(tmp_path):
    """A ward that sent nothing for May and June: the roll-up states what arrived, but compares with last year and
    the plan over the wards that sent every month, and says so — not "giảm 20%" that is only the late ward."""
    from province_checks import execute

    from reportkit.data import load_province
    from reportkit.narrative import compare, compare_plan, compare_same_period

    url = f"sqlite:///{tmp_path / 'province.db'}"
    sample.write(8, url)
    execute(url, "DELETE FROM bao_cao WHERE phuong_xa = 'duy-tan' AND nam = 2022 AND thang IN (5, 6)")
    text = "\n".join(
        _text(o["data"]["text/html"]) for _, o in _outputs(_run(tmp_path, url, "2022-H1"), "narrative")
    )
    f = load_province(url).figures("2022-H1")
    same = f.like_for_like
    assert set(f.for_plan.wards) == set(same.wards)  # no other ward has a gap: one sentence says both
    n = counted(len(same.wards), "phường")
    assert (
        "Để bảo đảm so sánh trên cùng phạm vi, các mức tăng, giảm so với cùng kỳ năm 2021 và tỷ lệ đạt kế hoạch "
        f"năm 2022 được tính trên {n} có đủ số liệu của kỳ này và của cùng kỳ năm trước, không tính phường nêu trên."
        in text
    )
    assert "đề nghị Ban Thường trực Ủy ban MTTQ Việt Nam Phường Duy Tân khẩn trương gửi bổ sung" in text
    said = f"vận động Quỹ “Vì người nghèo” được {vn.number(f.quy_vnn)} đồng, {compare_plan(f.for_plan, 'quy_vnn')}, "
    compared = compare_same_period(f, "quy_vnn", "đồng")
    assert said + compared + "." in text
    assert "Phường Duy Tân" not in same.wards
    # a comparison of the figures themselves compares their like-for-like part, and says so with both of its
    # figures (neither is the one just stated); the naive one is nowhere
    way = "lên" if same.quy_vnn > same.last_year.quy_vnn else "xuống"
    assert f"từ {vn.number(same.last_year.quy_vnn)} {way} {vn.number(same.quy_vnn)} đồng (" in compared
    assert "không tính Phường Duy Tân) so với cùng kỳ năm 2021" in compared  # one ward left out: named
    naive = compare(f.quy_vnn, f.last_year.quy_vnn, "đồng", against="cùng kỳ năm 2021")
    assert naive not in text and compare_plan(f, "quy_vnn") not in text


def test_the_rollup_follows_the_ward_reports_wording(rollup):
    """One comparison wording, the unit named once, the leading zero, plans judged by the time gone, and none of the
    forms a văn thư corrected in the ward's reports (tests/test_notebook.py, ``AS_GENERATED``)."""
    _, nb = rollup
    body = _body_text(nb)
    for what, pattern in AS_GENERATED.items():
        found = re.search(pattern, body)
        assert found is None, (what, found and body[max(0, found.start() - 60) : found.end() + 20])
    assert_plans_read_by_the_time_gone(body, "2022-H1")
    for old in ("hằng tháng", "vs_", "hộ thoát nghèo", "(đạt ", "cùng kỳ năm 2021: ", "Các so sánh"):
        assert old not in body, old
    assert "Để bảo đảm so sánh trên cùng phạm vi, các mức tăng, giảm so với cùng kỳ năm 2021" in body
    assert "\n7. Tiếp xúc cử tri\n" in body  # the heading says what the section holds: no giám sát figures
    annex = [
        _text(o["data"]["text/html"])
        for c, o in _outputs(nb, "narrative")
        if content.part_of(c) == content.APPENDIX
    ]
    issuer = "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh Bình Sơn"
    assert f"(Kèm theo Báo cáo số 52/BC-MTTQ-BTT ngày 30 tháng 6 năm 2022 của {issuer})" in annex[0]


def test_the_record_carries_the_province_and_its_sums(rollup):
    url, nb = rollup
    record = read_record(nb)
    doc = record["document"]
    assert doc["unit"] == "Tỉnh Bình Sơn" and doc["parent_body"] == ["ỦY BAN MTTQ VIỆT NAM", "TỈNH BÌNH SƠN"]
    assert doc["number"] == "Số: 52/BC-MTTQ-BTT" and doc["place_date"] == "Bình Sơn, ngày 30 tháng 6 năm 2022"
    assert doc["subject"] == "Tổng hợp kết quả công tác Mặt trận các phường 6 tháng đầu năm 2022"
    s = sql_sums(url, "2022-H1")
    assert {k["id"]: k["value"] for k in record["key_figures"]} == {k: s[k] for k in record_ids(record)}
    assert len(record["sources"]) == 2 * WARDS


def record_ids(record) -> list[str]:
    return [k["id"] for k in record["key_figures"]]


def _incomplete(url: str, period: str) -> set[str]:
    """The wards of which a tổ has not sent a month of the period (SQL against the ward list's sizes)."""
    where = months_where(period)
    sizes = {c: len(yaml.safe_load(d)["units"]) for c, d in query(url, "SELECT ma, mo_ta FROM phuong_xa")}
    sent = dict(query(url, f"SELECT phuong_xa, COUNT(*) FROM bao_cao WHERE {where} GROUP BY phuong_xa"))
    months = len(vn.Period(period).months)
    return {c for c, n in sizes.items() if sent.get(c, 0) < n * months}


def test_the_table_and_charts_by_ward_are_in_the_appendix(rollup):
    url, nb = rollup
    (cell, table), = _outputs(nb, "table")  # fmt: skip
    assert content.part_of(cell) == content.APPENDIX
    info = table["metadata"]["reportkit"]
    names = [row[0] for row in info["rows"]]
    missing = _incomplete(url, "2022-H1")
    # every ward in natural order; one that has not sent everything is marked, and the note under the table says why
    assert names == [f"{w.name} (*)" if w.code in missing else w.name for w in wards(url)]
    assert missing and "(*) Phường chưa gửi đầy đủ báo cáo các tháng trong kỳ" in "\n".join(
        _text(o["data"]["text/html"])
        for c, o in _outputs(nb, "narrative")
        if content.part_of(c) == content.APPENDIX
    )
    s = sql_sums(url, "2022-H1")
    header = info["header"]
    footer = dict(zip(header, info["footer"], strict=True))
    assert footer["Buổi tuyên truyền"] == vn.number(s["tuyen_truyen_buoi"])
    assert footer["Lượt người dự tuyên truyền"] == vn.number(s["tuyen_truyen_luot"])
    assert footer["Quỹ “Vì người nghèo” (đồng)"] == vn.number(s["quy_vnn"])
    charts = _outputs(nb, "chart")
    parts = -(-WARDS // BARH_MAX)  # at most BARH_MAX wards a chart
    assert len(charts) == parts and all(content.part_of(c) == content.APPENDIX for c, _ in charts)
    captions = [o["metadata"]["reportkit"]["caption"] for _, o in charts]
    assert captions == [f"Biểu đồ {n}. Lượt người dân dự tuyên truyền theo phường, 6 tháng đầu năm 2022 ({n}/{parts})"
                        for n in range(1, parts + 1)]  # fmt: skip
    blocks = content.blocks(nb)
    body = [b for b in blocks if b.part == content.BODY]
    assert body and all(b.part == content.APPENDIX for b in blocks[len(body) :])


def test_the_rollup_exports_like_a_ward_report(rollup):
    from reportkit.export import ReportExporter

    _, nb = rollup
    page = ReportExporter().html(nb)
    assert 'class="rk-appendix' in page
    body, appendix = page.split('class="rk-appendix', 1)
    assert "Phụ lục" in appendix and "Bảng 1." in appendix and "Biểu đồ 2." in appendix
    assert "III. CÁC PHƯỜNG DẪN ĐẦU" in body and "<script" not in page


def test_late_wards_are_named_together_and_left_out_of_the_sums(province):
    root, url = province
    nb = _run(root, url, "2023-H1")
    text = "\n".join(_text(o["data"]["text/html"]) for _, o in _outputs(nb, "narrative"))
    (said,) = [line for line in text.splitlines() if line.startswith("Đến thời điểm tổng hợp")]
    june = [w for w in wards(url) if not query(url, "SELECT 1 FROM bao_cao WHERE phuong_xa = :c AND nam = 2023 "
                                                    "AND thang = 6", c=w.code)]  # fmt: skip
    may = {w.code for w in june if not query(url, "SELECT 1 FROM bao_cao WHERE phuong_xa = :c AND nam = 2023 AND "
                                                  "thang = 5", c=w.code)}  # fmt: skip
    only_june = [w.in_sentence for w in june if w.code not in may]
    assert len(only_june) >= 2
    assert f"{vn.join(only_june)} chưa gửi báo cáo tháng 6 năm 2023" in said
    s = sql_sums(url, "2023-H1")
    assert f"vận động Quỹ “Vì người nghèo” được {vn.number(s['quy_vnn'])} đồng" in text
