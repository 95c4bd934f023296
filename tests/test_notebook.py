"""notebooks/report.ipynb end to end: papermill and a plain nbclient kernel session, golden text, other periods.

The whole 2022-H1 report (body and phụ lục) is pinned in tests/golden/2022-H1.txt. After a deliberate change of the
prose, review the diff and regenerate it with ``REPORTKIT_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_notebook.py``.
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

from reportkit import Period, vn
from reportkit.core.record import RECORD_MIME as MIME

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "report.ipynb"
DATA = ROOT / "data" / "duy-tan"
PLACE_NAMED = ROOT / "tests" / "data" / "hai-chau"  # a second unit, named after a place
GOLDEN = ROOT / "tests" / "golden" / "2022-H1.txt"
# The 2022-H1 report as params/2022-H1.yaml makes it.
H1 = {"period": "2022-H1", "data": str(DATA), "texts": str(ROOT / "params" / "2022-H1.md"),
      "document_number": 47, "issued_on": "2022-06-24"}  # fmt: skip

# What issue 12 found a văn thư correcting by hand: none of these may appear in any report (regular expressions).
AS_GENERATED = {
    "the fund's change read as a share": r"số tiền vận động được tăng",
    "the fund without its verb": r"(^|[.;] )Xây dựng Quỹ",
    "a unit repeated after its own noun": r"\bsố (hội nghị|buổi[^,;.]*?|lượt[^,;.]*?) (tăng|giảm) [\d.]+ (hội nghị|buổi|lượt)\b",
    "two nouns for one figure": r"trên [\d.]+ cử tri",
    "a count of tổ set against last year's": r"tổ có hộ áp dụng, cùng kỳ|cùng kỳ năm \d{4}: (\d+ tổ|\d+/\d+)\)",
    "the police as the subject": r"lực lượng công an các cấp đã nhanh chóng",
    "the old note under I": r"Các so sánh là so với",
    "two spellings of monthly": r"hằng tháng",
    "a count below 10 without its leading zero": r"(?<![\d.,/])[1-9] (lượt|buổi|hội nghị|vụ|hộ|tổ dân phố|người|Ban CTMT|mô hình|câu lạc bộ)\b",
    "a bare single-digit change": r"(tăng|giảm) [1-9] \(",
    "a second wording of plans": r"so với kế hoạch|kế hoạch vận động năm",
    "a year-to-date result without its verb": r"lũy kế từ đầu năm \d",
    "a share in parentheses without its verb": r"(tăng|giảm) [\d.]+(?: [^\s(]+)* \(\d[\d,]*%\)",
    # what the second review found (a văn thư, then the lead against the rules)
    "the missing comparison told from the data's first month": r"Do dữ liệu bắt đầu từ|Dữ liệu của các phường bắt đầu",
    "a gap in the totals not named": r"chưa bao gồm phần chưa báo cáo",
    "one tổ's households in a sentence opening on “Có”": r"(^|[.;] )Có hộ dân nghiên cứu",
    "a first citation without its date": r"Quy định số 213-QĐ/TW của|theo Quy định số 124-QĐ/TW, trong",
    "a chain of giám sát … theo … theo": r"giám sát [^.;]*giám sát [^.;]*theo [^.;]*theo ",
    "a rate that rounds to nothing": r"\((tăng|giảm) 0%\)",
    "the annex's number left as an ellipsis": r"Báo cáo số …/",
    "the old spelling of the pandemic": r"Covid-19",
    "the old note under I, in the roll-up": r"Các so sánh (trong báo cáo )?là so với",
    "the police as the subject, in the roll-up": r"lực lượng công an đã tiếp nhận",
}
# NĐ 30 lists no such form; the review asked for one plan wording judged by the time gone (docs/guide.md).
ON_PLAN = re.compile(r"(mới )?đạt (\d+(?:,\d+)?)% kế hoạch năm \d{4}")

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
        self.parts.append(data.replace("\n", " "))  # a soft line break inside a paragraph is a space


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
    """The visible text of the narrative, tables and chart captions (images → their alt text); the phụ lục (cells
    tagged ``appendix``) follows a line "[phụ lục]", where the page puts it after the signature block."""
    blocks = []
    appendix = False
    for cell_appendix, (kind, html) in _tagged_narrative(nb):
        if cell_appendix and not appendix:
            blocks.append("[phụ lục]")
            appendix = True
        text, _ = html_text(html)
        if kind == "chart":
            alt = re.search(r'alt="([^"]*)"', html).group(1)
            text = f"{text}\n[{alt}]"
        blocks.append(text)
    return "\n\n".join(blocks) + "\n"


def _tagged_narrative(nb):
    for cell in nb.cells:
        in_appendix = "appendix" in cell.get("metadata", {}).get("tags", [])
        for o in cell.get("outputs", []):
            kind = o.get("metadata", {}).get("reportkit", {}).get("kind")
            if o.get("output_type") in ("display_data", "execute_result") and kind in (
                "narrative",
                "table",
                "chart",
            ):
                yield in_appendix, (kind, o["data"]["text/html"])


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
    return run_papermill(tmp_path_factory.mktemp("pm"), H1)


@pytest.fixture(scope="module")
def nbclient_nb():
    from nbclient import NotebookClient

    nb = nbformat.read(NOTEBOOK, as_version=4)
    (parameters,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    parameters.source += "".join(f"\n{k} = {v!r}" for k, v in H1.items())  # what papermill injects
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
    assert names == {
        "period",
        "data",
        "texts",
        "document_number",
        "issued_on",
        "tone_style",
        "signer",
        "heading",
    }
    source = "\n".join(c.source for c in nb.cells)
    assert 'matplotlib.use("agg")' not in source and "%load_ext reportkit" in source
    for damaged in DAMAGED:
        assert damaged not in source


def report_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("%%report")]


def test_narrative_cells_read_like_the_report():
    """Branching lives in named phrasing helpers: a line holds a sentence or two, at most one inline {% if %}, and
    block {% if %} are never nested more than two deep (docs/guide.md, "Changing a sentence")."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    for cell in report_cells(nb):
        depth = 0
        for number, line in enumerate(cell.source.splitlines(), 1):
            where = (cell.id, number, line[:60])
            assert len(line) <= 330, where
            assert sentence_count(line) <= 2, where
            assert line.count("{% if") + line.count("{%- if") <= 1, where
            for tag in re.findall(r"\{%-?\s*(if|endif)\b", line):
                depth += 1 if tag == "if" else -1
                assert depth <= 2, where
        assert depth == 0, cell.id


def sentence_count(line: str) -> int:
    prose = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "x", line)
    return len(re.findall(r"[.;:](\s|$)", prose)) or 1


def test_counts_in_prose_go_through_the_leading_zero_rule():
    """Counts are written by ``counted`` (or a phrasing helper), never by ``number``, which is for money."""
    import reportkit

    catalog = reportkit.load(DATA).catalog
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sources = [c.source for c in report_cells(nb)] + [
        p.read_text(encoding="utf-8") for p in (ROOT / "params").glob("*.md")
    ]
    for source in sources:
        for ident in re.findall(r"\b(?:f|ly)\.(\w+) \| number\b", source):
            assert catalog[ident].kind == "amount", ident


def test_the_parts_and_the_appendix_are_in_their_cells():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    appendix = [i for i, c in enumerate(nb.cells) if "appendix" in c.metadata.get("tags", [])]
    closing = next(i for i, c in enumerate(nb.cells) if "Trên đây là báo cáo" in c.source)
    assert (
        appendix and min(appendix) == closing + 1 and appendix == list(range(closing + 1, max(appendix) + 1))
    )
    assert (
        "## Phụ lục" in nb.cells[appendix[0]].source
        and "annex_reference(ho_so)" in nb.cells[appendix[0]].source
    )
    assert 'nam == "' not in "".join(c.source for c in nb.cells)  # no year is ever written into the notebook


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
        "Vận động xây dựng Quỹ “Vì người nghèo” của phường được 153.000.000 đồng, đạt 102% kế hoạch năm 2022, "
        "tăng 24.400.000 đồng (tăng 19%) so với cùng kỳ năm 2021.",
        "phấn đấu giảm 13 hộ nghèo năm 2022",
        "So với cùng kỳ năm 2021, số hội nghị giảm 04 (giảm 16,7%), số lượt cử tri tham dự giảm 224 (giảm 16,6%).",
        # a count, not examples: "tại 04 tổ (…)", not "như tại tổ 1, … (04 tổ, …)"
        "kinh doanh đạt hiệu quả tại 04 tổ (tổ 1, tổ 3, tổ 6 và tổ 10), tăng 03 tổ so với cùng kỳ năm 2021.",
        "nguồn tin của người dân đã giúp lực lượng công an các cấp nhanh chóng tiếp cận, xử lý 12 vụ việc",
        "Số liệu so sánh với cùng kỳ năm 2021.",
        # the seed's words where its facts hold: three Ban CTMT kiện toàn, every tổ reported
        "kịp thời củng cố, kiện toàn đội ngũ cán bộ Mặt trận tại các tổ dân phố",
        "thực hiện tốt công tác thông tin, báo cáo",
        "giữ mối liên hệ với tổ chức đảng và Nhân dân nơi cư trú",  # NĐ 30, Phụ lục II: "Nhân dân"
        "Sau đại hội các chi bộ tổ dân phố nhiệm kỳ 2022 - 2025, Mặt trận phường đã kịp thời kiện toàn 03 Ban CTMT",
        "01 tổ tự quản an ninh tại tổ 3, 01 mô hình khu dân cư bảo đảm an toàn giao thông tại tổ 5",
        "câu lạc bộ tuyên truyền pháp luật tại tổ 6 và tổ 8; 10 tổ dân phố có hòm thư tố giác tội phạm",
        "xử lý 12 vụ việc",
        "20 hội nghị tiếp xúc cử tri",
        "trên 1.100 lượt cử tri",
        "kiện toàn 03 Ban CTMT",
        "Dự kiến năm 2022 có 10/10 tổ dân phố tổ chức Ngày hội Đại đoàn kết",
        "tại 04 tổ (tổ 1, tổ 3, tổ 6 và tổ 10)",
        "so với cùng kỳ năm 2021",
        "10/10 tổ đã báo cáo đầy đủ số liệu",
        "Bảng 1. Kết quả hoạt động theo tổ dân phố, 6 tháng đầu năm 2022",
        "Biểu đồ 1. Lượt người dân dự tuyên truyền theo tổ dân phố, 6 tháng đầu năm 2022",
        "I. KẾT QUẢ CÔNG TÁC MẶT TRẬN 6 THÁNG ĐẦU NĂM 2022",
        "Ủy ban MTTQ Việt Nam Phường Duy Tân",  # Duy Tân is a reign name: the capital stays inside a sentence
    ]:
        assert sentence in text, sentence
    for damaged in DAMAGED:
        assert damaged not in text
    assert not re.search(r"năm \d\.\d{3}", text)  # a year is never grouped
    assert "None" not in text and "nan" not in text.split()
    assert_reads_naturally(text, "2022-H1")


@pytest.mark.slow
def test_2022_h1_is_a_whole_so_ket(papermill_nb):
    """I (results), II (đánh giá chung), III (next period's tasks), IV (written for this period), the closing
    sentence, then the phụ lục with its heading, "Kèm theo" line, Bảng 1 and Biểu đồ 1."""
    text = reader_text(papermill_nb)
    body, appendix = text.split("[phụ lục]")
    order = [
        "I. KẾT QUẢ CÔNG TÁC MẶT TRẬN 6 THÁNG ĐẦU NĂM 2022",
        "II. ĐÁNH GIÁ CHUNG",
        "1. Ưu điểm",
        "2. Hạn chế, khuyết điểm",
        "3. Nguyên nhân",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2022",
        "IV. KIẾN NGHỊ, ĐỀ XUẤT",
        "Trên đây là báo cáo sơ kết công tác Mặt trận 6 tháng đầu năm 2022 và phương hướng, nhiệm vụ 6 tháng cuối "
        "năm 2022 của Ban Thường trực Ủy ban MTTQ Việt Nam Phường Duy Tân.",
    ]
    positions = [body.index(part) for part in order]
    assert positions == sorted(positions)
    assert body.rstrip().endswith(order[-1])
    assert "Bảng 1." not in body and "Biểu đồ 1." not in body
    lines = [line for line in appendix.splitlines() if line]
    assert lines[:3] == [
        "Phụ lục",  # NĐ 30, Phụ lục I: the word in lower case, the annex's title in upper case
        "SỐ LIỆU KẾT QUẢ CÔNG TÁC MẶT TRẬN THEO TỔ DÂN PHỐ 6 THÁNG ĐẦU NĂM 2022",
        "(Kèm theo Báo cáo số 47/BC-MTTQ-BTT ngày 24 tháng 6 năm 2022 của Ban Thường trực Ủy ban MTTQ Việt Nam "
        "Phường Duy Tân)",
    ]
    assert appendix.index("Bảng 1.") < appendix.index("Biểu đồ 1.")
    # the analyst's words carry figures from the data, not typed numbers
    assert "tổ 3, tổ 7, tổ 9 và tổ 10 chưa tổ chức được buổi tuyên truyền tập trung nào" in body
    assert "phối hợp giảm thêm 07 hộ nghèo để hoàn thành kế hoạch giảm 13 hộ nghèo năm 2022" in body
    # a heading says what its section holds: thi đua and the Cuộc vận động apart from the fund and poverty
    section_4 = body.split("\n4. ", 1)[1].split("\n5. ", 1)[0]
    assert section_4.startswith(
        "Phong trào thi đua yêu nước và Cuộc vận động “Toàn dân đoàn kết xây dựng nông thôn mới, đô thị văn minh”\n"
        "Tổ chức thi đua"
    )
    section_5 = body.split("\n5. ", 1)[1].split("\n6. ", 1)[0]
    assert section_5.startswith("Quỹ “Vì người nghèo” và công tác giảm nghèo\nVận động xây dựng Quỹ")
    assert "Về công tác giảm nghèo, " in section_5 and "Quỹ “Vì người nghèo”" not in section_4
    # tổ 9 met every month: what it had no time for after its kiện toàn is the tuyên truyền session
    assert "Ban CTMT tổ 9 vừa được kiện toàn nên chưa kịp tổ chức buổi tuyên truyền." in body
    assert "chưa kịp tổ chức hoạt động" not in body
    # II.2: each shortcoming states itself, then its detail after ":"
    shortcomings = body.split("\n2. Hạn chế, khuyết điểm\n", 1)[1].split("\n3. Nguyên nhân\n", 1)[0]
    assert all(": " in item for item in shortcomings.splitlines()), shortcomings
    assert_part_two_judges(text, "2022-H1")
    doc = record_of(papermill_nb)["document"]
    assert (
        doc["subject"]
        == "Sơ kết công tác Mặt trận 6 tháng đầu năm và phương hướng, nhiệm vụ 6 tháng cuối năm 2022"
    )
    assert any(s["path"] == "params/2022-H1.md" for s in record_of(papermill_nb)["sources"])


@pytest.mark.slow
def test_executed_notebook_outputs_as_a_reader_sees_them(papermill_nb):
    kinds = [k for k, _ in narrative(papermill_nb)]
    assert kinds.count("table") == 1 and kinds.count("chart") == 1 and kinds.count("narrative") >= 10
    for _, html in narrative(papermill_nb):
        _, tags = html_text(html)
        assert "script" not in tags and "http://" not in html and "https://" not in html
    headings = [html for k, html in narrative(papermill_nb) if "<h2>" in html]
    assert [re.search(r"<h2>(.*?)</h2>", h).group(1).split(" ")[0] for h in headings] == [
        "I.", "II.", "III.", "IV.", "Phụ"
    ]  # fmt: skip
    # helper cells show nothing but the narrative, table, chart and record
    for cell in papermill_nb.cells:
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error"
            if out["output_type"] == "stream":
                assert "remove-output" in cell.metadata.get("tags", []), (cell.source[:60], out.get("text"))
    record = record_of(papermill_nb)
    doc = record["document"]
    assert doc["period"] == "2022-H1" and doc["period_name"] == "6 tháng đầu năm 2022"
    assert doc["title"] == (
        "Báo cáo sơ kết công tác Mặt trận 6 tháng đầu năm và phương hướng, nhiệm vụ 6 tháng cuối năm 2022 — "
        "Phường Duy Tân"
    )
    assert doc["number"] == "Số: 47/BC-MTTQ-BTT" and doc["place_date"].endswith("ngày 24 tháng 6 năm 2022")
    assert (doc["issued_on"], doc["issuer"]) == (
        "2022-06-24",
        "Ban Thường trực Ủy ban MTTQ Việt Nam Phường Duy Tân",
    )
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
        "nghiệp vụ nào (cùng kỳ năm 2021: 02 lượt cán bộ dự tập huấn).",
        "Trong tháng 3 năm 2022, không có hội nghị tiếp xúc cử tri nào",
        "10/10 Ban CTMT đều tổ chức họp định kỳ trong tháng",
        # three months of twelve gone: 75,7% of the year's plan is ahead of schedule
        "lũy kế từ đầu năm vận động được 113.600.000 đồng, đạt 75,7% kế hoạch năm 2022",
        "Trong tháng 3, Mặt trận phường đã hướng dẫn, chỉ đạo các Ban CTMT",
        # no analyst's text: the report has its results only, and says so in its subject and closing sentence
        "Trên đây là báo cáo kết quả công tác Mặt trận tháng 3 năm 2022 của Ban Thường trực Ủy ban MTTQ Việt Nam "
        "Phường Duy Tân.",
    ],
    "2022-Q3": [
        "QUÝ III NĂM 2022",
        "trong quý III năm 2022",
        "so với cùng kỳ năm 2021",
        "8/10 Ban CTMT (trừ tổ 1 và tổ 8)",
        "Trong quý III, Mặt trận phường đã hướng dẫn, chỉ đạo các Ban CTMT",
        "lũy kế từ đầu năm vận động được 183.600.000 đồng, đạt 122,4% kế hoạch năm 2022",
        "Về công tác giảm nghèo, trong quý III năm 2022 đã giảm 03 hộ nghèo, lũy kế từ đầu năm đã giảm 09 hộ "
        "nghèo, mới đạt 69,2% kế hoạch năm 2022.",
        # the kiện toàn of July and August followed no congress: said from the data, not from the year
        "Trong quý III năm 2022, Mặt trận phường đã kiện toàn 02 Ban CTMT (tổ 1 và tổ 7)",
        # no hội nghị in the quarter: the text says so, and the phụ lục's table has no empty columns
        "Trong quý III năm 2022, không có hội nghị tiếp xúc cử tri nào",
        "Tổ dân phố | Lượt cán bộ dự tập huấn | Buổi tuyên truyền | Lượt người dự tuyên truyền | Người tham gia "
        "Cuộc vận động hàng Việt\n",
    ],
    "2022-H2": [
        "6 THÁNG CUỐI NĂM 2022",
        "Trong 6 tháng cuối năm 2022, vận động xây dựng Quỹ “Vì người nghèo” của phường được 41.200.000 đồng, tăng "
        "19.800.000 đồng (tăng 92,5%) so với cùng kỳ năm 2021; lũy kế từ đầu năm vận động được 194.200.000 đồng, "
        "đạt 129,5% kế hoạch năm 2022.",
        "Về công tác giảm nghèo, trong 6 tháng cuối năm 2022 đã giảm 08 hộ nghèo, lũy kế từ đầu năm đã giảm 14 hộ "
        "nghèo, vượt kế hoạch năm 2022 (13 hộ).",
        "như thực hiện kế hoạch giảm nghèo của phường,",
        "số lượt cử tri tham dự tăng 64 (tăng 10%)",
        # the workbooks' column is "Dự kiến tổ chức": after the day, registered, not said to be held
        "Năm 2022, 10/10 tổ dân phố đăng ký tổ chức Ngày hội",
        "Trong 6 tháng cuối năm 2022, Mặt trận phường đã kiện toàn 02 Ban CTMT (tổ 1 và tổ 7)",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG ĐẦU NĂM 2023",
        "IV. KIẾN NGHỊ, ĐỀ XUẤT",
        "Ban CTMT tổ 1 mới được kiện toàn nên chưa kịp tổ chức tuyên truyền",
        "Trong 6 tháng cuối năm, Mặt trận phường đã hướng dẫn, chỉ đạo các Ban CTMT",
        # the fund rose on last year: its uneven year is said without "chỉ"
        "phần lớn số tiền cả năm vẫn được vận động trong 6 tháng đầu năm (153.000.000 đồng trên tổng số "
        "194.200.000 đồng)",
    ],
    "2021-H1": [
        "6 THÁNG ĐẦU NĂM 2021",
        "Báo cáo không so sánh với cùng kỳ năm 2020 do chưa có số liệu.",
        "phấn đấu giảm 12 hộ nghèo năm 2021",
        "đã cử 08 lượt cán bộ",  # one leading-zero rule for every count, people included
        "9/10 Ban CTMT tổ chức họp đủ hàng tháng (Ban CTMT tổ 8 chưa họp đủ)",
        "9/10 Ban CTMT (trừ tổ 7)",
        "Tại tổ 6 có hộ dân nghiên cứu, áp dụng khoa học, công nghệ vào sản xuất, kinh doanh đạt hiệu quả.",
    ],
    "2021-H2": [
        "6 THÁNG CUỐI NĂM 2021",
        "Về công tác giảm nghèo, trong 6 tháng cuối năm 2021 đã giảm 07 hộ nghèo, lũy kế từ đầu năm đã giảm 12 hộ "
        "nghèo, đạt kế hoạch năm 2021 (12 hộ).",
        "cả năm 2021 các Ban CTMT tổ chức được 21 buổi tuyên truyền, đạt 105% kế hoạch năm 2021",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG ĐẦU NĂM 2022",
        "Trên đây là báo cáo sơ kết công tác Mặt trận 6 tháng cuối năm 2021 và phương hướng, nhiệm vụ 6 tháng đầu "
        "năm 2022",
        "Nguyên nhân chủ yếu là dịch COVID-19",
        "Tham gia chuẩn bị nhân sự và các điều kiện tổ chức đại hội chi bộ tổ dân phố nhiệm kỳ 2022 - 2025",
    ],
    "2023-H1": [
        "6 THÁNG ĐẦU NĂM 2023",
        "so với cùng kỳ năm 2022",
        "9/10 tổ đã báo cáo đầy đủ số liệu; tổ 9 chưa gửi báo cáo tháng 6 năm 2023. Các số liệu tổng hợp dưới "
        "đây chưa bao gồm số liệu tháng 6 năm 2023 của tổ 9.",  # docs/guide.md, Incomplete data
        # like against like: tổ 9 counts whole in 2022-H1 and without June now, so it is left out of the changes
        # "tính trên 09 tổ …, không tính tổ 9" read as tổ 09 (a văn thư's reading)
        "Các mức tăng, giảm so với cùng kỳ năm 2022 được tính trên các tổ dân phố có đủ số liệu của cả hai kỳ "
        "(không tính tổ 9).",
        # a change on the 09 tổ gives both of its figures, neither being the ward's 157.100.000, in a sentence of
        # its own that names its basis first (a văn thư's reading)
        "157.100.000 đồng, đạt 98,2% kế hoạch năm 2023. So với cùng kỳ năm 2022 (không tính tổ 9), số tiền vận "
        "động tăng từ 137.700.000 lên 143.800.000 đồng (tăng 4,4%).",
        "tham dự các lớp tập huấn về công tác Mặt trận. So với cùng kỳ năm 2022 (không tính tổ 9), số lượt cán bộ "
        "dự tập huấn tăng từ 10 lên 11 (tăng 10%).",
        "So với cùng kỳ năm 2022 (không tính tổ 9), số vụ việc được xử lý giảm từ 12 xuống 07 (giảm 41,7%).",
        # tổ 9 has none of the 06 tổ now nor of the 04 then: the change is exact on the whole ward, no basis
        "tại 06 tổ (tổ 1, tổ 3, tổ 4, tổ 6, tổ 8 và tổ 10), tăng 02 tổ so với cùng kỳ năm 2022.",
        "số hội nghị không thay đổi (18 hội nghị), số lượt cử tri tham dự tăng từ 1.010 lên 1.073 (tăng 6,2%).",
        "12 buổi tuyên truyền với trên 1.300 lượt người dân tham dự",
        "So với cùng kỳ năm 2022 (không tính tổ 9), số buổi tuyên truyền giảm từ 11 "
        "xuống 08 (giảm 27,3%), số lượt người dân tham dự giảm từ 1.236 xuống 898 (giảm 27,3%).",
        "8/10 Ban CTMT tổ chức họp đủ hàng tháng (Ban CTMT tổ 4 chưa họp đủ; tổ 9 chưa gửi đủ báo cáo nên chưa "
        "có căn cứ đánh giá)",
        # at mid-year 98,2% of the fund's plan and half the poverty target are on schedule
        "Vận động xây dựng Quỹ “Vì người nghèo” của phường được 157.100.000 đồng, đạt 98,2% kế hoạch năm 2023",
        "Về công tác giảm nghèo, trong 6 tháng đầu năm 2023 đã giảm 05 hộ nghèo, đạt 50% kế hoạch năm 2023.",
        "bảo đảm tiến độ kế hoạch năm: đến giữa năm, số tiền vận động đạt 98,2% kế hoạch năm 2023 (chưa bao gồm "
        "số liệu tháng 6 năm 2023 của tổ 9)",
        # part II never concludes what the figures do not carry: the fall of tuyên truyền is a shortcoming
        "Một số mặt hoạt động của các Ban CTMT có chuyển biến",
        # the ward held 12 buổi against 11: the fall is on the tổ compared, which the subject says (a văn thư)
        "tổ 8 chưa tổ chức được buổi tuyên truyền tập trung nào; số buổi tuyên truyền của các tổ dân phố (không "
        "tính tổ 9) giảm từ 11 xuống 08 (giảm 27,3%) so với cùng kỳ năm 2022.",
        # signed on 29/6, after the other tổ's June reports (24–28/6): tổ 9's is late, a shortcoming and a task
        "Công tác thông tin, báo cáo có lúc chưa kịp thời: đến ngày lập báo cáo, báo cáo tháng 6 năm 2023 của tổ 9 "
        "chưa được gửi.",
        "Tiếp nhận, tổng hợp bổ sung số liệu tháng 6 năm 2023 của tổ 9 để hoàn chỉnh số liệu 6 tháng đầu năm.",
        "Ban CTMT tổ 5, tổ 7 và tổ 8 chưa chủ động xây dựng kế hoạch tuyên truyền riêng của tổ",
        "gửi báo cáo đúng hạn hàng tháng, bảo đảm",
        # a văn thư's reading: no Ban CTMT was kiện toàn, and tổ 9's June report is not yet in
        "duy trì ổn định đội ngũ cán bộ Mặt trận tại các tổ dân phố",
        "không có Ban CTMT nào phải kiện toàn; cơ bản thực hiện tốt công tác thông tin, báo cáo",
        # the phụ lục marks the tổ with a month missing and says which, from the data
        "\nTổ 9 (*) | 2 | 4 | 407 |",
        "Tổng cộng | 13 | 12 | 1.305 | 1.552 | 20 | 1.184\n\n(*) Tổ 9 chưa có số liệu tháng 6 năm 2023.\n",
    ],
    "2022-9M": [
        "9 THÁNG ĐẦU NĂM 2022",
        "so với cùng kỳ năm 2021",
        # a period from January: its own total is the year-to-date total
        "Vận động xây dựng Quỹ “Vì người nghèo” của phường được 183.600.000 đồng, đạt 122,4% kế hoạch năm 2022",
        # three of the five kiện toàn fell in the months of the chi bộ congresses (ward.yaml, events)
        "Trong 9 tháng đầu năm 2022, Mặt trận phường đã kiện toàn 05 Ban CTMT (tổ 1, tổ 2, tổ 5, tổ 7 và tổ 9) "
        "theo quy định của Điều lệ Mặt trận Tổ quốc Việt Nam, trong đó 03 Ban CTMT (tổ 2, tổ 5 và tổ 9) được kiện "
        "toàn kịp thời sau đại hội các chi bộ tổ dân phố nhiệm kỳ 2022 - 2025;",
        "Trên đây là báo cáo sơ kết công tác Mặt trận 9 tháng đầu năm 2022 của",
    ],
    "2021": [
        "NĂM 2021",
        "Báo cáo không so sánh với năm 2020 do chưa có số liệu.",
        "Năm 2021, 9/10 tổ dân phố đăng ký tổ chức Ngày hội",
        "Về công tác giảm nghèo, trong năm 2021 đã giảm 12 hộ nghèo, đạt kế hoạch năm 2021 (12 hộ).",
        "7/10 Ban CTMT tổ chức họp đủ hàng tháng (Ban CTMT tổ 2, tổ 8 và tổ 9 chưa họp đủ)",
    ],
    # a year report compares "so với năm 2021": a whole year has no "cùng kỳ"
    "2022": [
        "NĂM 2022",
        "Số liệu so sánh với năm 2021.",
        "So với năm 2021, số buổi tuyên truyền tăng 03 (tăng 14,3%)",
        "Về công tác giảm nghèo, trong năm 2022 đã giảm 14 hộ nghèo, vượt kế hoạch năm 2022 (13 hộ).",
        "Trên đây là báo cáo tổng kết công tác Mặt trận năm 2022 của",
    ],
}
NOT_IN = {
    "2022-03": ["họp hàng tháng", "II. ", "phương hướng"],
    "2022-Q3": ["Sau đại hội", "Hội nghị tiếp xúc cử tri |", "Lượt cử tri tham dự"],
    "2022-H2": ["27,5%", "phấn đấu giảm", "Sau đại hội", "chỉ được", "cho thấy", "Ngay từ đầu năm, Mặt trận"],
    "2022-9M": ["lũy kế"],
    "2023-H1": [
        "tổ 4 và tổ 9 chưa họp đủ",
        "báo cáo chưa nghiêm",  # tổ 9's June report is not late on 23 June
        "kịp thời củng cố, kiện toàn đội ngũ",
        "; thực hiện tốt công tác thông tin",  # tổ 9's June report missing: "cơ bản thực hiện tốt"
        "mới đạt 98,2%",
        "mới đạt 50%",
        "mới đạt một nửa",
        "Một số Ban CTMT chưa quan tâm",
        "hàng tháng, gửi trước ngày 25 hàng tháng",
        "(*)\n",  # a mark with nothing after it
    ],
    "2021-H1": ["tổ 1, tổ 2, tổ 3", "đã cử 8 lượt", "(*)"],
    "2021-H2": [
        "IV. KIẾN NGHỊ",  # not written for that period: the part is left out
        "tổ 7 tạm dừng",  # tổ 7 fell short in nothing
        "Chuẩn bị nhân sự, tham gia chuẩn bị",
        "Ngay từ đầu năm, Mặt trận",
    ],
    "2021": ["cùng kỳ"],
    "2022": ["cùng kỳ", "phấn đấu giảm"],
}
SAMPLE_PERIODS = ("2021-H2", "2022-H1", "2022-H2", "2023-H1")  # params/*.yaml, each with its params/*.md


@pytest.fixture(scope="module")
def other_runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("periods")
    runs = {}
    for period in OTHER_PERIODS:
        parameters = {"period": period, "data": str(DATA), "tone_style": "modern", "document_number": 7}
        if period in SAMPLE_PERIODS:
            parameters["texts"] = str(ROOT / "params" / f"{period}.md")
        runs[period] = run_papermill(tmp, parameters)
    return runs


@pytest.mark.slow
@pytest.mark.parametrize("period", list(OTHER_PERIODS))
def test_other_periods_name_their_period_and_comparisons(other_runs, period):
    nb = other_runs[period]
    text = reader_text(nb)
    for expected in OTHER_PERIODS[period]:
        assert vn.tone_style(expected, "modern") in text, (period, expected)
    for unexpected in NOT_IN.get(period, []):
        assert vn.tone_style(unexpected, "modern") not in text, (period, unexpected)
    if Period(period).next() != Period("2022-H1"):
        assert "6 tháng đầu năm 2022" not in text
    if period.startswith("2021"):
        assert "so với cùng kỳ năm 2020" not in text and "được so sánh với" not in text
    assert "hòa" not in text and "hoà" in text  # the modern tone style throughout
    if period in SAMPLE_PERIODS:
        assert_part_two_judges(text, period)
    doc = record_of(nb)["document"]
    assert doc["period"] == period and doc["number"] == "Số: 07/BC-MTTQ-BTT"
    assert doc["national_title"] == "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert not re.search(r"năm \d\.\d{3}", text)
    assert_reads_naturally(text, period)


def assert_part_two_judges(text: str, period: str) -> None:
    """Part II (đánh giá chung) sums up and judges part I: it may keep a figure, never a clause of part I."""
    part_one, rest = text.split("\nII. ĐÁNH GIÁ CHUNG\n", 1)
    part_two = re.split(r"\nIII\. ", rest, maxsplit=1)[0]
    said = re.sub(r"\s+", " ", part_one).lower()
    for clause in re.split(r"[.;:]\s", part_two):
        clause = re.sub(r"\s+", " ", clause).strip(" .;:").lower()
        assert len(clause) < 40 or clause not in said, (period, clause)


def assert_reads_naturally(text: str, period: str) -> None:
    """What a reader flags in any period: zero counts as figures, "(300%)", "có chưa có", and every form a văn
    thư corrected by hand in issue 12 (``AS_GENERATED``)."""
    prose = text.split("[phụ lục]")[0]  # the table shows 0 in its cells, the sentences never do
    assert not re.search(r"(?<![\d.,/])0 (buổi|lượt|hội nghị|vụ|hộ|tổ|người|Ban CTMT)\b", prose), period
    assert not re.search(r"tăng [^()]*\(\d{3,}(,\d+)?%\)", prose), period  # "(300%)" reads "gấp 4 lần"
    assert "có chưa có" not in prose and "None" not in prose
    for what, pattern in AS_GENERATED.items():
        found = re.search(pattern, prose)
        assert found is None, (period, what, found and prose[max(0, found.start() - 60) : found.end() + 20])
    assert_plans_read_by_the_time_gone(prose, period.rsplit("/", 1)[-1])
    if Period(period.rsplit("/", 1)[-1]).start.month != 1:
        assert "Ngay từ đầu năm, Mặt trận phường" not in prose, period  # July cannot say "from January"
    assert unicodedata.is_normalized("NFC", text)


def assert_plans_read_by_the_time_gone(prose: str, period: str) -> None:
    """ "đạt N% kế hoạch năm" on or ahead of the share of the year gone by the period's end, "mới đạt" behind it
    (6 tháng đầu năm: 50%; 9 tháng: 75%; a quarter or a month: its months over 12; a year: 100%)."""
    due = Period(period).end.month * 100 / 12
    for found in ON_PLAN.finditer(prose):
        behind, share = found.group(1), float(found.group(2).replace(",", "."))
        where = (period, found.group())
        # the share is printed to one decimal: on schedule it may print just under a due share such as 8,33%
        assert (share < due) if behind else (share >= int(due * 10) / 10), where


@pytest.mark.slow
def test_year_to_date_fund_figure_matches_the_data(other_runs):
    """2022-H2 compares January–December with the year's plan, computed here from the data layer directly."""
    import reportkit

    ds = reportkit.load(DATA)
    year = ds.figures(Period("2022"))
    expected = vn.of_plan(year.quy_vnn, year.plan("quy_vnn"))
    text = reader_text(other_runs["2022-H2"])
    sentence = f"lũy kế từ đầu năm vận động được {vn.number(year.quy_vnn)} đồng, {expected} năm 2022"
    assert vn.tone_style(sentence, "modern") in text  # the other periods run in the modern tone style
    assert expected == "đạt 129,5% kế hoạch"


@pytest.mark.slow
def test_a_unit_named_after_a_place_is_lower_case_inside_sentences(tmp_path):
    """Phường Hải Châu (tests/data/hai-chau) is a place name: "phường Hải Châu" in every sentence, "Hải Châu, ngày
    …" in the date line, while the sample ward, named after Emperor Duy Tân, keeps "Phường Duy Tân"."""
    nb = run_papermill(tmp_path, {"period": "2022-H1", "data": str(PLACE_NAMED)})
    text = reader_text(nb)
    assert "của Ủy ban MTTQ Việt Nam phường Hải Châu và định hướng" in text
    assert "của Ban Thường trực Ủy ban MTTQ Việt Nam phường Hải Châu." in text
    assert "Phường Hải Châu" not in text  # every mention is inside a sentence
    doc = record_of(nb)["document"]
    assert doc["place_date"] == "Hải Châu, ngày 30 tháng 6 năm 2022"
    assert doc["issuer"] == "Ban Thường trực Ủy ban MTTQ Việt Nam phường Hải Châu"
    assert doc["unit"] == "Phường Hải Châu" and doc["title"].endswith("— Phường Hải Châu")
    assert "II. ĐÁNH GIÁ CHUNG" not in text  # no analyst's text: a report of results only
    # two of three households at mid-year: ahead of schedule
    assert (
        "Về công tác giảm nghèo, trong 6 tháng đầu năm 2022 đã giảm 02 hộ nghèo, đạt 66,7% kế hoạch năm 2022."
        in text
    )
    # no document number: the phụ lục leaves the header's gap for the văn thư, in spaces a page keeps
    assert doc["number"] == "Số:     /BC-MTTQ-BTT"
    assert (
        "(Kèm theo Báo cáo số\u00a0\u00a0\u00a0\u00a0\u00a0/BC-MTTQ-BTT ngày 30 tháng 6 năm 2022 của" in text
    )
    assert_reads_naturally(text, "hai-chau/2022-H1")


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
def test_an_undefined_name_in_the_analysts_text_fails_naming_the_file_and_line(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    (tmp_path / "params").mkdir()
    (tmp_path / "notebooks").mkdir()
    texts = tmp_path / "params" / "2022-H1.md"
    texts.write_text(
        "## Ưu điểm\n\nĐã làm tốt.\nQuỹ được {{ so_tien_khong_co | number }} đồng.\n", encoding="utf-8"
    )
    with pytest.raises(PapermillExecutionError) as info:
        run_papermill(tmp_path, {"period": "2022-H1", "data": str(DATA), "texts": str(texts)})
    assert info.value.ename == "NarrativeError"
    assert "params/2022-H1.md, dòng 4" in info.value.evalue and "so_tien_khong_co" in info.value.evalue


@pytest.mark.slow
def test_a_period_the_data_do_not_cover_fails_clearly(tmp_path):
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as info:
        run_papermill(tmp_path, {"period": "2023", "data": str(DATA)})
    assert (
        "01/2021" in info.value.evalue and "06/2023" in info.value.evalue and "năm 2023" in info.value.evalue
    )


def test_a_blank_figure_cell_in_a_reported_month_is_said_not_summed_as_zero(tmp_path):
    """An adversary blanked one cell (the June fund of tổ 3): 2022-H1 then read 151.900.000 with 10/10 tổ complete
    and no word. A blank cell is "not reported", never 0: the note under I names it, and `reportkit check` too."""
    import shutil

    import openpyxl

    import reportkit
    from reportkit.batch.check import check_project

    ward = tmp_path / "data/duy-tan"
    shutil.copytree(ROOT / "data/duy-tan", ward)
    ds = reportkit.load(ward, cache=False)
    assert ds.blank_cells("2022-H1") == []
    (source,) = [
        r for r in ds.explain("quy_vnn", "2022-H1").itertuples() if r.unit == "Tổ 3" and r.month == "2022-06"
    ]
    cell = source.cell
    label = ds.catalog["quy_vnn"].label
    book = ward / "bao-cao/2022/to-03-2022.xlsx"
    wb = openpyxl.load_workbook(book)
    assert wb["Số liệu"][cell].value
    wb["Số liệu"][cell].value = None
    wb.save(book)
    (blank,) = reportkit.load(ward, cache=False).blank_cells("2022-H1")
    assert (blank.unit, blank.month, blank.indicator, blank.cell) == ("Tổ 3", (2022, 6), "quy_vnn", cell)
    text = reader_text(run_papermill(tmp_path, {"period": "2022-H1", "data": str(ward)}))
    assert (
        "Một số ô chỉ tiêu còn để trống, được coi là chưa báo cáo và không tính là 0: "
        f"{label} (tháng 6 năm 2022 của tổ 3)." in text
    )
    (tmp_path / "params").mkdir()
    (tmp_path / "notebooks").mkdir()
    shutil.copy(NOTEBOOK, tmp_path / "notebooks/report.ipynb")
    (tmp_path / "params/2022-H1.yaml").write_text("period: 2022-H1\ndata: data/duy-tan\n", encoding="utf-8")
    found = [str(f) for f in check_project(root=tmp_path).findings]
    assert any(
        f"to-03-2022.xlsx, trang Số liệu, ô {cell}: ô “{label}” tháng 6/2022 để trống trong tháng tổ đã báo cáo"
        in n
        for n in found
    ), found
