"""The foundation's promise: from the sample ward's data to shared reports, through the real command.

Runs ``reportkit run`` once for 2022-H1 and 2022-H2 (and a 2021-H2 params file without its analyst's texts) into a
temporary folder and reads the results as a user would: the visible text of the HTML, the text of the PDF
(pdftotext), what a browser would load, and the summary.
"""

import re
import shutil
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from seed import DAMAGED, SEED_FIGURES
from test_notebook import AS_GENERATED

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


class _VisibleText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    untold = tmp_path_factory.mktemp("params") / "thieu-bai-viet.yaml"  # no thieu-bai-viet.md beside it
    untold.write_text("period: 2021-H2\ndata: data/duy-tan\n", encoding="utf-8")
    cli = Path(sys.executable).with_name("reportkit")
    result = subprocess.run(
        [str(cli), "run", "params/2022-H1.yaml", "params/2022-H2.yaml", str(untold), "--out", str(out),
         "--jobs", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return out, result.stdout


@pytest.fixture(scope="module")
def outputs(run):
    return run[0]


def pdf_text(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True
    ).stdout
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def _one(folder: Path, pattern: str) -> Path:
    found = [p for p in folder.glob(pattern) if not p.name.endswith(".article.html")]
    assert len(found) == 1, f"expected one {pattern} in {folder}, found {found}"
    return found[0]


def test_every_period_has_its_notebook_html_pdf_and_the_index(outputs):
    for period in ("2022-H1", "2022-H2"):
        folder = outputs / period
        for pattern in ("*.ipynb", "*.html", "*.pdf"):
            assert _one(folder, pattern).stat().st_size > 0
    index = (outputs / "index.html").read_text(encoding="utf-8")
    assert "2022-H1" in index and "2022-H2" in index
    for kind in ("html", "pdf", "article.html", "ipynb", "json"):  # every format each report comes in
        assert f'href="2022-H1/report-2022-H1.{kind}"' in index, kind


def test_html_states_the_seed_figures_in_sentences(outputs):
    text = visible_text(_one(outputs / "2022-H1", "*.html").read_text(encoding="utf-8"))
    assert unicodedata.is_normalized("NFC", text)
    assert "6 tháng đầu năm 2022" in text
    for figure in SEED_FIGURES:
        assert figure in text, f"{figure!r} missing from the 2022-H1 HTML"
    for damaged in DAMAGED:
        assert damaged not in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_pdf_text_carries_the_same_figures(outputs):
    text = pdf_text(_one(outputs / "2022-H1", "*.pdf"))
    for figure in SEED_FIGURES:
        assert figure in text, f"{figure!r} missing from the 2022-H1 PDF"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_the_2022_h1_pdf_reads_as_a_whole_so_ket_in_order(outputs):
    """Header, title, I–IV, the closing sentence with "./.", Nơi nhận and the signature, then the phụ lục."""
    text = pdf_text(_one(outputs / "2022-H1", "*.pdf"))
    order = [
        "ỦY BAN MTTQ VIỆT NAM",
        "Số: 47/BC-MTTQ-BTT",
        "Phường Duy Tân, ngày 29 tháng 6 năm 2022",
        "BÁO CÁO",
        "Sơ kết công tác Mặt trận 6 tháng đầu năm và phương hướng, nhiệm vụ 6 tháng cuối năm 2022",
        "I. KẾT QUẢ CÔNG TÁC MẶT TRẬN 6 THÁNG ĐẦU NĂM 2022",
        "II. ĐÁNH GIÁ CHUNG",
        "1. Ưu điểm",
        "2. Hạn chế, khuyết điểm",
        "3. Nguyên nhân",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2022",
        "IV. KIẾN NGHỊ, ĐỀ XUẤT",
        "Trên đây là báo cáo sơ kết công tác Mặt trận 6 tháng đầu năm 2022",
        "Ủy ban MTTQ Việt Nam Phường Duy Tân./.",
        "Nơi nhận:",
        "TM. BAN THƯỜNG TRỰC",
        "Trần Thị Minh Hương",
        "Phụ lục",
        "SỐ LIỆU KẾT QUẢ CÔNG TÁC MẶT TRẬN THEO TỔ DÂN PHỐ 6 THÁNG ĐẦU NĂM 2022",
        "(Kèm theo Báo cáo số 47/BC-MTTQ-BTT ngày 29 tháng 6 năm 2022 của Ban Thường trực Ủy ban MTTQ Việt Nam "
        "Phường Duy Tân)",
        "Bảng 1. Kết quả hoạt động theo tổ dân phố",
        "Biểu đồ 1. Lượt người dân dự tuyên truyền",
    ]
    positions = [text.find(part) for part in order]
    assert -1 not in positions, [p for p, i in zip(order, positions, strict=True) if i < 0]
    assert positions == sorted(positions), text


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) not installed")
def test_no_form_a_van_thu_corrected_is_in_any_shared_report(outputs):
    for period in ("2022-H1", "2022-H2", "2021-H2"):
        for text in (
            visible_text(_one(outputs / period, "*.html").read_text(encoding="utf-8")),
            pdf_text(_one(outputs / period, "*.pdf")),
        ):
            body = re.split(r"Phụ lục\s+SỐ LIỆU", text)[0]  # the phụ lục's heading, not a mention of it
            if "Nguồn số liệu" in text:  # the shared page's closing note on the data, after the phụ lục
                body += "\n" + text.rsplit("Nguồn số liệu", 1)[1]
            for what, pattern in AS_GENERATED.items():
                found = re.search(pattern, body)
                assert found is None, (period, what, found and body[max(0, found.start() - 60) : found.end()])


def test_the_summary_lists_the_sections_a_report_lacks(run, outputs):
    _, summary = run
    assert "lưu ý: chưa có tệp bài viết" in summary and "thieu-bai-viet.md" in summary
    assert "Ưu điểm; Hạn chế, khuyết điểm; Nguyên nhân; Phương hướng, nhiệm vụ" in summary
    text = visible_text(_one(outputs / "2021-H2", "*.html").read_text(encoding="utf-8"))
    assert "I. KẾT QUẢ" in text and "II. ĐÁNH GIÁ CHUNG" not in text  # it built, with its results only


def test_html_is_self_contained_and_shows_no_code(outputs):
    html = _one(outputs / "2022-H1", "*.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    loaded = re.findall(r"""(?:src|href)\s*=\s*["']?\s*(https?:)""", html, flags=re.I)
    loaded += re.findall(r"""url\(\s*["']?\s*(https?:)""", html, flags=re.I)
    loaded += re.findall(r"""@import""", html, flags=re.I)
    assert not loaded, "the shared HTML must not load anything from the network"
    notebook = nbformat.read(ROOT / "notebooks" / "report.ipynb", as_version=4)
    text = visible_text(html)
    for cell in notebook.cells:
        if cell.cell_type != "code" or cell.source.lstrip().startswith("%%report"):
            continue  # a %%report cell's body is the prose itself
        for line in cell.source.splitlines():
            line = line.strip()
            if len(line) >= 20 and not line.startswith("#"):
                assert line not in text, f"input code shows in the report: {line!r}"


def test_second_half_states_its_own_figures(outputs):
    first = visible_text(_one(outputs / "2022-H1", "*.html").read_text(encoding="utf-8"))
    second = visible_text(_one(outputs / "2022-H2", "*.html").read_text(encoding="utf-8"))
    assert "6 tháng cuối năm 2022" in second
    assert "1.483" not in second
    assert first != second


def test_shared_files_do_not_carry_the_machines_folders(outputs):
    """The closing note names the data folder as the project does, not /home/<user>/…, and no hash."""
    for name in ("*.html", "*.pdf"):
        path = _one(outputs / "2022-H1", name)
        content = path.read_bytes()
        assert str(ROOT).encode() not in content, f"{path.name} shows the project's absolute path"
    text = visible_text(_one(outputs / "2022-H1", "*.html").read_text(encoding="utf-8"))
    assert "thư mục data/duy-tan" in text and "bao-cao/2022/to-04-2022.xlsx" in text
    assert "2023" not in text.split("Nguồn số liệu", 1)[1]  # the 2022-H1 report read no 2023 workbook
    assert not re.search(r"\b[0-9a-f]{64}\b", text) and "SHA-256" not in text


def test_word_file_says_what_the_official_pdf_says(outputs, tmp_path):
    """Acceptance (issue 13): the 2022-H1 .docx, converted by LibreOffice, carries the official PDF's words in the
    same order, figures and diacritics intact; page 1 has no page number, page 2 has "2" at the top centre."""
    import office

    docx = outputs / "2022-H1" / "report-2022-H1.docx"
    assert docx.is_file()
    converted = office.soffice_pdf(docx, tmp_path)
    office.assert_same_words(
        office.words(outputs / "2022-H1" / "report-2022-H1.pdf"), office.words(converted)
    )
    text = " ".join(office.words(converted))
    for figure in SEED_FIGURES:
        assert figure in text, f"{figure!r} missing from the 2022-H1 Word file"
    pages = office.pages(converted)
    assert [w for w in pages[0] if w[4] < office.TOP] == []
    top = [w for w in pages[1] if w[4] < office.TOP]
    assert [w[0] for w in top] == ["2"]
    assert abs((top[0][1] + top[0][3]) / 2 - (office.LEFT + office.A4[0] - office.RIGHT) / 2) < 3


def test_reportkit_figures_reads_the_key_figures_from_the_pdf_alone(outputs, tmp_path):
    pdf = shutil.copy(outputs / "2022-H1" / "report-2022-H1.pdf", tmp_path / "chi-co-pdf.pdf")
    cli = Path(sys.executable).with_name("reportkit")
    result = subprocess.run([str(cli), "figures", str(pdf)], capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Số: 47/BC-MTTQ-BTT · 6 tháng đầu năm 2022" in result.stdout
    assert "Lượt người dân dự tuyên truyền: 1.236" in result.stdout
    assert "Ban CTMT họp đủ hàng tháng: 10/10" in result.stdout
