"""notebooks/report.ipynb end to end: papermill and a plain nbclient kernel session, golden text, other periods.

The whole 2022-H1 narrative is pinned in tests/golden/2022-H1.txt. After a deliberate change of the prose, review
the diff and regenerate it with ``REPORTKIT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_notebook.py``.
"""

from __future__ import annotations

import copy
import os
import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from seed import DAMAGED, SEED_FIGURES

from reportkit import vn
from reportkit.core.record import RECORD_MIME as MIME

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "report.ipynb"
DATA = ROOT / "data" / "duy-tan"
GOLDEN = ROOT / "tests" / "golden" / "2022-H1.txt"

pytestmark = pytest.mark.skipif(not (DATA / "ward.yaml").exists(), reason="sample ward data not present")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("p", "h2", "h3", "tr", "caption", "figcaption", "li"):
            self.parts.append("\n")
        elif tag in ("td", "th") and self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append(" | ")

    def handle_data(self, data):
        self.parts.append(data)


def html_text(html: str) -> tuple[str, list[str]]:
    parser = _Text()
    parser.feed(html)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line), parser.tags


def reportkit_outputs(nb) -> list[dict]:
    return [
        o
        for cell in nb.cells
        for o in cell.get("outputs", [])
        if o.get("output_type") in ("display_data", "execute_result") and "reportkit" in o.get("metadata", {})
    ]


def narrative(nb) -> list[tuple[str, str]]:
    """(kind, HTML) of every narrative, table and chart output, in order: what the reader sees."""
    return [
        (o["metadata"]["reportkit"]["kind"], o["data"]["text/html"])
        for o in reportkit_outputs(nb)
        if o["metadata"]["reportkit"]["kind"] in ("narrative", "table", "chart")
    ]


def reader_text(nb) -> str:
    """The visible text of the narrative, tables and chart captions (images → their alt text)."""
    blocks = []
    for kind, html in narrative(nb):
        text, _ = html_text(html)
        if kind == "chart":
            alt = re.search(r'alt="([^"]*)"', html).group(1)
            text = f"{text}\n[{alt}]"
        blocks.append(text)
    return "\n\n".join(blocks) + "\n"


def record_of(nb) -> dict:
    records = [o["data"][MIME] for o in reportkit_outputs(nb) if MIME in o.get("data", {})]
    assert len(records) == 1
    return records[0]


def run_papermill(tmp_path: Path, parameters: dict, source: Path = NOTEBOOK):
    import papermill

    out = tmp_path / f"report-{parameters.get('period', 'default')}.ipynb"
    papermill.execute_notebook(
        str(source),
        str(out),
        parameters=parameters,
        cwd=str(NOTEBOOK.parent),
        progress_bar=False,
        kernel_name="python3",
    )
    return nbformat.read(out, as_version=4)


@pytest.fixture(scope="module")
def papermill_nb(tmp_path_factory):
    return run_papermill(tmp_path_factory.mktemp("pm"), {"period": "2022-H1", "data": str(DATA)})


@pytest.fixture(scope="module")
def nbclient_nb():
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        nb, resources={"metadata": {"path": str(NOTEBOOK.parent)}}, kernel_name="python3"
    ).execute()
    return nb


def test_committed_notebook_defines_the_params_contract():
    """(No outputs and one parameters cell: tests/test_repo.py.) The names params files may set, exactly."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    (tagged,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    names = set(re.findall(r"(?m)^(\w+) = ", tagged.source))
    assert names == {"period", "data", "document_number", "issued_on", "tone_style", "signer", "heading"}
    source = "\n".join(c.source for c in nb.cells)
    assert 'matplotlib.use("agg")' not in source and "%load_ext reportkit" in source
    for damaged in DAMAGED:
        assert damaged not in source


@pytest.mark.slow
def test_papermill_and_nbclient_give_identical_narrative(papermill_nb, nbclient_nb):
    assert narrative(papermill_nb) == narrative(nbclient_nb)
    assert record_of(papermill_nb) == record_of(nbclient_nb)


@pytest.mark.slow
def test_2022_h1_narrative_matches_the_golden_file(papermill_nb):
    text = reader_text(papermill_nb)
    if os.environ.get("REPORTKIT_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.exists(), "no golden file: run with REPORTKIT_UPDATE_GOLDEN=1 once and review it"
    assert text == GOLDEN.read_text(encoding="utf-8")


@pytest.mark.slow
def test_2022_h1_reads_like_the_seed_article(papermill_nb):
    text = reader_text(papermill_nb)
    assert unicodedata.is_normalized("NFC", text)
    paragraphs = text.split("\n")
    for figure in SEED_FIGURES:
        assert any(figure in p and len(p) > 80 for p in paragraphs), figure  # in a sentence, not a bare cell
    for sentence in [
        "đã cử 11 lượt cán bộ",
        "10/10 Ban CTMT đều tổ chức họp hàng tháng",
        "11 buổi tuyên truyền với trên 1.200 lượt người dân tham dự",
        "10/10 Ban CTMT phối hợp với tổ dân phố tổ chức tuyên truyền với sự tham gia của 1.483 người dân",
        "đạt 102% so với kế hoạch vận động năm 2022",
        "phấn đấu giảm 13 hộ nghèo năm 2022",
        "01 tổ tự quản an ninh tại tổ 3, 01 mô hình khu dân cư bảo đảm an toàn giao thông tại tổ 5",
        "câu lạc bộ tuyên truyền pháp luật tại tổ 6 và tổ 8; 10 tổ dân phố có hòm thư tố giác tội phạm",
        "xử lý 12 vụ việc",
        "20 hội nghị tiếp xúc cử tri",
        "trên 1.100 cử tri",
        "kiện toàn 03 Ban CTMT",
        "Dự kiến năm 2022 có 10/10 tổ dân phố tổ chức Ngày hội Đại đoàn kết",
        "tại tổ 1, tổ 3, tổ 6 và tổ 10",
        "so với cùng kỳ năm 2021",
        "10/10 tổ đã báo cáo đầy đủ số liệu",
        "Bảng 1. Kết quả hoạt động theo tổ dân phố, 6 tháng đầu năm 2022",
        "Biểu đồ 1. Lượt người dân dự tuyên truyền theo tổ dân phố, 6 tháng đầu năm 2022",
        "I. KẾT QUẢ CÔNG TÁC MẶT TRẬN 6 THÁNG ĐẦU NĂM 2022",
    ]:
        assert sentence in text, sentence
    for damaged in DAMAGED:
        assert damaged not in text
    assert not re.search(r"năm \d\.\d{3}", text)  # a year is never grouped
    assert "None" not in text and "nan" not in text.split()
    assert_reads_naturally(text, "2022-H1")


@pytest.mark.slow
def test_executed_notebook_outputs_as_a_reader_sees_them(papermill_nb):
    kinds = [k for k, _ in narrative(papermill_nb)]
    assert kinds.count("table") == 1 and kinds.count("chart") == 1 and kinds.count("narrative") >= 10
    for _, html in narrative(papermill_nb):
        _, tags = html_text(html)
        assert "script" not in tags and "http://" not in html and "https://" not in html
    headings = [html for k, html in narrative(papermill_nb) if "<h2>" in html]
    assert [re.search(r"<h2>(.*?)</h2>", h).group(1).split(" ")[0] for h in headings] == ["I.", "II."]
    # helper cells show nothing but the narrative, table, chart and record
    for cell in papermill_nb.cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error"
            if out["output_type"] == "stream":
                assert "remove-output" in cell.metadata.get("tags", []), (cell.source[:60], out.get("text"))
    record = record_of(papermill_nb)
    doc = record["document"]
    assert doc["period"] == "2022-H1" and doc["period_name"] == "6 tháng đầu năm 2022"
    assert doc["title"] == "Báo cáo kết quả công tác Mặt trận 6 tháng đầu năm 2022 — Phường Duy Tân"
    assert doc["number"].startswith("Số:") and doc["place_date"].endswith("ngày 30 tháng 6 năm 2022")
    figures = {k["id"]: k for k in record["key_figures"]}
    assert figures["tuyen_truyen_luot"]["value"] == 1236 and figures["tuyen_truyen_luot"]["text"] == "1.236"
    assert figures["hop_ban_ctmt"]["text"] == "10/10"
    assert all(not s["path"].startswith("/") for s in record["sources"])
    assert any(s["path"].startswith("data/duy-tan/bao-cao/2022/") for s in record["sources"])


OTHER_PERIODS = {
    # a month with no tuyên truyền session, no tập huấn and no hội nghị: it must say so in words, not "0 buổi"
    "2022-03": [
        "THÁNG 3 NĂM 2022",
        "trong tháng 3 năm 2022",
        "so với cùng kỳ năm 2021",
        "Bảng 1.",
        "Trong tháng 3 năm 2022, các Ban CTMT chưa tổ chức buổi tuyên truyền tập trung nào (cùng kỳ năm 2021: "
        "04 buổi với 394 lượt người dân tham dự).",
        "Trong tháng 3 năm 2022, cán bộ Mặt trận phường và Ban CTMT các tổ dân phố chưa tham dự lớp tập huấn "
        "nghiệp vụ nào (cùng kỳ năm 2021: 2 lượt cán bộ dự tập huấn).",
        "Trong tháng 3 năm 2022, không có hội nghị tiếp xúc cử tri nào",
        "10/10 Ban CTMT đều tổ chức họp định kỳ trong tháng",
        "lũy kế từ đầu năm được 113.600.000 đồng, mới đạt 75,7% kế hoạch vận động năm 2022",
    ],
    "2022-Q3": [
        "QUÝ III NĂM 2022",
        "trong quý III năm 2022",
        "so với cùng kỳ năm 2021",
        "8/10 Ban CTMT (trừ tổ 1 và tổ 8)",
        "lũy kế từ đầu năm được 183.600.000 đồng, đạt 122,4% kế hoạch vận động năm 2022",
        "(trong quý III năm 2022 có 03 hộ thoát nghèo, lũy kế từ đầu năm 09 hộ, mới đạt 69,2% kế hoạch)",
    ],
    "2022-H2": [
        "6 THÁNG CUỐI NĂM 2022",
        "Trong 6 tháng cuối năm 2022, Quỹ “Vì người nghèo” của phường vận động được 41.200.000 đồng, tăng "
        "19.800.000 đồng (92,5%) so với cùng kỳ năm 2021; lũy kế từ đầu năm được 194.200.000 đồng, đạt 129,5% "
        "kế hoạch vận động năm 2022.",
        "(trong 6 tháng cuối năm 2022 có 08 hộ thoát nghèo, lũy kế từ đầu năm 14 hộ, đạt 107,7% kế hoạch)",
        "số lượt cử tri tham dự tăng 64 lượt (10%)",
        "Năm 2022 có 10/10 tổ dân phố tổ chức Ngày hội",
    ],
    "2021-H1": [
        "6 THÁNG ĐẦU NĂM 2021",
        "Do dữ liệu bắt đầu từ tháng 1 năm 2021 nên không có số liệu cùng kỳ năm 2020 để so sánh.",
        "phấn đấu giảm 12 hộ nghèo năm 2021",
        "đã cử 8 lượt cán bộ",  # people are counted without the leading zero
        "9/10 Ban CTMT tổ chức họp đủ hàng tháng (Ban CTMT tổ 8 chưa họp đủ)",
        "9/10 Ban CTMT (trừ tổ 7)",
        "Có hộ dân nghiên cứu, áp dụng khoa học, công nghệ vào sản xuất, kinh doanh đạt hiệu quả tại tổ 6.",
    ],
    "2023-H1": [
        "6 THÁNG ĐẦU NĂM 2023",
        "so với cùng kỳ năm 2022",
        "9/10 tổ đã báo cáo đầy đủ số liệu; tổ 9 chưa gửi báo cáo tháng 6 năm 2023. Các số liệu tổng hợp dưới "
        "đây chưa bao gồm phần chưa báo cáo.",
        "8/10 Ban CTMT tổ chức họp đủ hàng tháng (Ban CTMT tổ 4 chưa họp đủ; tổ 9 chưa gửi đủ báo cáo nên chưa "
        "có căn cứ đánh giá)",
    ],
    "2022-9M": [
        "9 THÁNG ĐẦU NĂM 2022",
        "so với cùng kỳ năm 2021",
        # a period from January: its own total is the year-to-date total
        "Xây dựng Quỹ “Vì người nghèo” của phường được 183.600.000 đồng, đạt 122,4% so với kế hoạch vận động "
        "năm 2022",
    ],
    "2021": [
        "NĂM 2021",
        "không có số liệu cùng kỳ năm 2020 để so sánh",
        "Năm 2021 có",
        "(năm 2021 đã có 12 hộ thoát nghèo, đạt 100% kế hoạch)",
        "7/10 Ban CTMT tổ chức họp đủ hàng tháng (Ban CTMT tổ 2, tổ 8 và tổ 9 chưa họp đủ)",
    ],
}
NOT_IN = {
    "2022-03": ["hàng tháng", "lũy kế từ đầu năm đã"],
    "2022-H2": ["27,5%", "mới đạt"],
    "2022-9M": ["lũy kế"],
    "2023-H1": ["tổ 4 và tổ 9 chưa họp đủ"],
    "2021-H1": ["tổ 1, tổ 2, tổ 3", "08 lượt"],
}


@pytest.fixture(scope="module")
def other_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("periods")
    return {
        period: run_papermill(
            tmp, {"period": period, "data": str(DATA), "tone_style": "modern", "document_number": 7}
        )
        for period in OTHER_PERIODS
    }


@pytest.mark.slow
@pytest.mark.parametrize("period", list(OTHER_PERIODS))
def test_other_periods_name_their_period_and_comparisons(other_runs, period):
    nb = other_runs[period]
    text = reader_text(nb)
    for expected in OTHER_PERIODS[period]:
        assert vn.tone_style(expected, "modern") in text, (period, expected)
    for unexpected in NOT_IN.get(period, []):
        assert vn.tone_style(unexpected, "modern") not in text, (period, unexpected)
    assert "6 tháng đầu năm 2022" not in text
    if period.startswith("2021"):
        assert "so với cùng kỳ năm 2020" not in text and "Các so sánh là so với" not in text
    assert "hòa" not in text and "hoà" in text  # the modern tone style throughout
    doc = record_of(nb)["document"]
    assert doc["period"] == period and doc["number"] == "Số: 07/BC-MTTQ-BTT"
    assert doc["national_title"] == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert not re.search(r"năm \d\.\d{3}", text)
    assert_reads_naturally(text, period)


def assert_reads_naturally(text: str, period: str) -> None:
    """What a reader flags in any period: zero counts as figures, bare numbers in comparisons, "có chưa có"."""
    prose = text.split("\nBảng 1.")[0]  # the table shows 0 in its cells, the sentences never do
    assert not re.search(r"(?<![\d.,/])0 (buổi|lượt|hội nghị|vụ|hộ|tổ|người|Ban CTMT)\b", prose), period
    assert not re.search(r"(tăng|giảm) [\d.]+(,\d+)? \(", prose), period  # "giảm 4 (16,7%)": no unit
    assert not re.search(r"tăng [^()]*\(\d{3,}(,\d+)?%\)", prose), period  # "(300%)" reads "gấp 4 lần"
    assert "có chưa có" not in prose and "None" not in prose
    assert unicodedata.is_normalized("NFC", text)


@pytest.mark.slow
def test_year_to_date_fund_figure_matches_the_data(other_runs):
    """2022-H2 compares January–December with the year's plan, computed here from the data layer directly."""
    import reportkit
    from reportkit import Period

    ds = reportkit.load(DATA)
    year = ds.figures(Period("2022"))
    expected = vn.of_plan(year.quy_vnn, year.plan("quy_vnn"), word="kế hoạch vận động")
    text = reader_text(other_runs["2022-H2"])
    sentence = f"lũy kế từ đầu năm được {vn.number(year.quy_vnn)} đồng, {expected} năm 2022"
    assert vn.tone_style(sentence, "modern") in text  # the other periods run in the modern tone style
    assert expected == "đạt 129,5% kế hoạch vận động"


@pytest.mark.slow
def test_undefined_name_in_a_narrative_cell_fails_the_report(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    nb = nbformat.read(NOTEBOOK, as_version=4)
    broken = copy.deepcopy(next(c for c in nb.cells if c.source.startswith("%%report")))
    broken.source = "%%report\nDòng đầu.\n\nĐã tổ chức {{ f.khong_co_chi_tieu }} buổi.\n"
    broken.id = "broken"
    nb.cells.insert(4, broken)
    source = tmp_path / "broken.ipynb"
    nbformat.write(nb, source)
    with pytest.raises(PapermillExecutionError) as info:
        run_papermill(tmp_path, {"period": "2022-H1", "data": str(DATA)}, source=source)
    assert info.value.ename == "NarrativeError"
    assert "khong_co_chi_tieu" in info.value.evalue and "dòng 4" in info.value.evalue


@pytest.mark.slow
def test_a_period_the_data_do_not_cover_fails_clearly(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as info:
        run_papermill(tmp_path, {"period": "2023", "data": str(DATA)})
    assert (
        "01/2021" in info.value.evalue and "06/2023" in info.value.evalue and "năm 2023" in info.value.evalue
    )
