"""reportkit.export end to end: the official PDF (poppler tools) and the page in headless Chromium."""

from __future__ import annotations

import difflib
import html
import importlib.util
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reportkit.export import ReportExporter, write_index
from reportkit.export.sanitize import visible_text

_spec = importlib.util.spec_from_file_location(
    "export_synthetic", Path(__file__).parent / "export_fixtures" / "synthetic.py"
)
synthetic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synthetic)

pytestmark = pytest.mark.slow

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
LEFT, RIGHT, TOP, BOTTOM = 30 * MM, 15 * MM, 20 * MM, 20 * MM


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export-pdf")
    exporter = ReportExporter()
    page = exporter.html(synthetic.report_notebook(long=True), synthetic.RUN_INFO)
    pdf = exporter.pdf(page)
    (folder / "report.html").write_text(page, encoding="utf-8")
    (folder / "report.pdf").write_bytes(pdf)
    return folder, page, pdf


def _pdf_with_table(tmp_path: Path, table, *, long: bool = True) -> Path:
    """The synthetic report with ``table`` (a ``unit_table``) displayed after it, as a PDF in ``tmp_path``."""
    import nbformat

    bundle, metadata = table._repr_mimebundle_()
    nb = synthetic.report_notebook(long=long)
    nb.cells.append(
        nbformat.v4.new_code_cell(
            "unit_table(...)",
            outputs=[nbformat.v4.new_output("display_data", data=bundle, metadata=metadata)],
        )
    )
    exporter = ReportExporter()
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(exporter.pdf(exporter.html(nb, synthetic.RUN_INFO)))
    return pdf


def _bbox_pages(pdf: Path) -> list[list[tuple[str, float, float, float, float]]]:
    out = subprocess.run(
        [_need("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    root = ET.fromstring(
        re.sub(r"<!DOCTYPE[^>]*>", "", out.stdout).replace('xmlns="http://www.w3.org/1999/xhtml"', "")
    )
    pages = []
    for page in root.iter("page"):
        words = [
            (w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in page.iter("word")
        ]
        pages.append(words)
    return pages


def test_pdf_is_a4_with_only_embedded_fonts(made):
    folder, _, pdf = made
    assert pdf.startswith(b"%PDF-")
    info = subprocess.run(
        [_need("pdfinfo"), str(folder / "report.pdf")], capture_output=True, text=True
    ).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert int(re.search(r"Pages:\s+(\d+)", info)[1]) >= 2
    fonts = subprocess.run(
        [_need("pdffonts"), str(folder / "report.pdf")], capture_output=True, text=True
    ).stdout
    rows = fonts.splitlines()[2:]
    assert rows
    for row in rows:
        name, *_rest = row.split()
        assert re.search(r"Liberation|Times", name), row
        # columns: name type [type…] encoding emb sub uni object ID
        assert re.search(r"\byes\s+yes\s+yes\s+\d+\s+\d+$", row), f"font not embedded: {row}"


def test_pdf_text_is_the_html_text(made):
    """pdftotext gives the HTML's visible text word for word (NFC, diacritics intact), plus page numbers and list
    markers, and nothing of the screen-only "Thông tin kỳ báo cáo"."""
    folder, page, _ = made
    raw = subprocess.run(
        [_need("pdftotext"), "-raw", "-enc", "UTF-8", str(folder / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pdf_words = unicodedata.normalize("NFC", raw).split()
    html_words = visible_text(page).split()
    assert "Thông" not in " ".join(html_words[-40:])  # the screen-only section is not part of the comparison
    extra = []
    for op, h1, h2, p1, p2 in difflib.SequenceMatcher(
        None, html_words, pdf_words, autojunk=False
    ).get_opcodes():
        if op == "equal":
            continue
        assert op == "insert", (html_words[h1:h2], pdf_words[p1:p2])
        extra += pdf_words[p1:p2]
    pages = len(_bbox_pages(folder / "report.pdf"))
    assert sorted(w for w in extra if w != "-") == sorted(str(n) for n in range(2, pages + 1))
    assert "Thông tin kỳ báo cáo" not in " ".join(pdf_words)
    assert "Hòa Bình, ngày 05 tháng 01 năm 2023" in " ".join(pdf_words)


def test_page_numbers_top_centre_from_page_two(made):
    folder, _, _ = made
    pages = _bbox_pages(folder / "report.pdf")
    assert len(pages) >= 2
    assert [w for w in pages[0] if w[4] < TOP] == []
    centre = (LEFT + A4[0] - RIGHT) / 2
    for number, words in enumerate(pages[1:], start=2):
        top = [w for w in words if w[4] < TOP]
        assert [w[0] for w in top] == [str(number)]
        assert abs((top[0][1] + top[0][3]) / 2 - centre) < 3


def test_everything_inside_the_decree_margins(made):
    """Text (wide 14-column table included) stays inside left 30 mm / right 15 mm / bottom 20 mm."""
    folder, _, _ = made
    for number, words in enumerate(_bbox_pages(folder / "report.pdf"), start=1):
        for text, x0, _y0, x1, y1 in words:
            if y1 < TOP:
                continue
            assert x0 >= LEFT - 1, (number, text, x0)
            assert x1 <= A4[0] - RIGHT + 1, (number, text, x1)
            assert y1 <= A4[1] - BOTTOM + 1, (number, text, y1)


def test_pages_render_to_png(made):
    folder, _, _ = made
    subprocess.run(
        [
            _need("pdftoppm"),
            "-r",
            "30",
            "-f",
            "1",
            "-l",
            "2",
            "-png",
            str(folder / "report.pdf"),
            str(folder / "p"),
        ],
        check=True,
    )
    pngs = sorted(folder.glob("p-*.png"))
    assert len(pngs) == 2 and all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)


# --- headless Chromium ----------------------------------------------------------------------------------------

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Headless Chromium will not make a window narrower than 500 px, so the page is measured inside an iframe of
# the wanted width (srcdoc keeps it same-origin). The script lives only in this test copy.
MEASURE = """<script>
const f = document.getElementById("f");
f.addEventListener("load", () => {
  const doc = f.contentDocument, win = f.contentWindow;
  let over = "";
  for (const el of doc.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    let clipped = false;
    for (let p = el.parentElement; p && p !== doc.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") { clipped = true; break; }
    }
    if (!clipped && box.right > win.innerWidth + 0.5) { over = el.tagName + "." + el.className; break; }
  }
  document.body.setAttribute("data-measure",
    JSON.stringify({scroll: doc.documentElement.scrollWidth, inner: win.innerWidth, over: over}));
});
</script>"""


def _measure(page: str, width: int, folder: Path) -> dict:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed")
    host = folder / f"host-{width}.html"
    host.write_text(
        '<!DOCTYPE html><html><body style="margin:0">'
        f'<iframe id="f" style="width:{width}px;height:900px;border:0" srcdoc="{html.escape(page, quote=True)}">'
        f"</iframe>{MEASURE}</body></html>",
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={folder / 'chromium-profile'}",
            "--window-size=1400,1000",
            "--dump-dom",
            host.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = re.search(r'data-measure="([^"]*)"', done.stdout)
    assert found, done.stderr[-2000:]
    import json

    return json.loads(html.unescape(found[1]))


@pytest.mark.parametrize("width", [375, 1280])
def test_report_does_not_overflow_in_chromium(made, width):
    folder, page, _ = made
    measured = _measure(page, width, folder)
    assert measured["inner"] <= width
    assert measured["scroll"] <= measured["inner"], measured
    assert measured["over"] == "", measured


def test_index_page_does_not_overflow_on_a_phone(tmp_path):
    entries = []
    for period, name in (("2022-H1", "6 tháng đầu năm 2022"), ("2022-H2", "6 tháng cuối năm 2022")):
        record = {
            **synthetic.RECORD,
            "document": {**synthetic.RECORD["document"], "period": period, "period_name": name},
        }
        (tmp_path / period).mkdir()
        (tmp_path / period / "report.html").write_text("x")
        entries.append({"run_id": period, "record": record, "files": {"html": f"{period}/report.html"}})
    page = write_index(tmp_path, entries).read_text()
    measured = _measure(page, 375, tmp_path)
    assert measured["scroll"] <= measured["inner"], measured
    assert measured["over"] == "", measured


def test_the_phu_luc_is_numbered_on_its_own(tmp_path):
    """NĐ 30, Phụ lục I: each annex is numbered on its own, its first page (like the document's) without a number."""
    nb = synthetic.report_notebook(long=True)
    code = [c for c in nb.cells if c.cell_type == "code" and c.outputs]
    for cell in code[len(code) // 4 :]:
        cell.metadata.setdefault("tags", []).append("appendix")
    exporter = ReportExporter()
    (tmp_path / "a.pdf").write_bytes(exporter.pdf(exporter.html(nb, synthetic.RUN_INFO)))
    numbers = [[w[0] for w in words if w[4] < TOP] for words in _bbox_pages(tmp_path / "a.pdf")]
    first_annex = next(i for i, n in enumerate(numbers) if i and not n)
    assert numbers[0] == [] and first_annex > 1 and len(numbers) > first_annex + 1, numbers
    assert numbers[1:first_annex] == [[str(n)] for n in range(2, first_annex + 1)]
    assert numbers[first_annex + 1 :] == [[str(n)] for n in range(2, len(numbers) - first_annex + 1)]


def test_a_table_over_several_pages_prints_its_total_once(tmp_path):
    """A province's table of 120 wards runs over pages: its header repeats on each, its "Tổng cộng" row comes once,
    after the last ward — at every page's foot it would read as a subtotal (a văn thư's reading)."""
    import pandas as pd

    from reportkit.narrative import unit_table

    frame = pd.DataFrame(
        {"buoi": list(range(1, 121))}, index=pd.Index([f"Phường {n}" for n in range(1, 121)], name="Phường")
    )
    table = unit_table(frame, {"buoi": "Buổi tuyên truyền"}, caption="Kết quả theo phường")
    pages = [[w[0] for w in words] for words in _bbox_pages(_pdf_with_table(tmp_path, table))]
    with_rows = [i for i, words in enumerate(pages) if "Phường" in words and "Buổi" in words]
    assert len(with_rows) >= 2  # the table runs over pages, its header on each
    totals = [i for i in with_rows if "Tổng" in pages[i] and "cộng" in pages[i]]
    assert totals == [with_rows[-1]] and "120" in pages[with_rows[-1]]


_layout_spec = importlib.util.spec_from_file_location(
    "export_layout", Path(__file__).parent / "export_fixtures" / "layout.py"
)
layout = importlib.util.module_from_spec(_layout_spec)
_layout_spec.loader.exec_module(layout)


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layout")
    exporter = ReportExporter()
    (folder / "layout.pdf").write_bytes(exporter.pdf(exporter.html(layout.notebook(), synthetic.RUN_INFO)))
    return _bbox_pages(folder / "layout.pdf")


def test_a_list_in_the_body_prints_as_body_paragraphs(laid_out):
    """The analyst's "- …" and "1. …" lines (III. phương hướng, nhiệm vụ) are ordinary body paragraphs, as an
    official text is typed: the marker at the body's 1 cm first-line indent, the next lines at the margin — not a
    list hanging 1.6 cm in (what a văn thư asked to change)."""
    items = layout.list_lines(laid_out, TOP)
    assert len(items) == 4, items
    for marker, second in items:
        assert abs(marker - (LEFT + 10 * MM)) < 1.5, (marker - LEFT) / MM
        assert abs(second - LEFT) < 1, (second - LEFT) / MM


def test_a_number_and_what_it_counts_share_a_line(laid_out):
    """ "6 / tháng", "tổ / 5", "năm / 2022", "người/ / tổ" never end one line and start the next, wherever the
    line ends fall (the sentence is set after prefixes of every length)."""
    assert layout.split_pairs(laid_out, TOP) == []
    words = [w[0] for page in laid_out for w in page]
    assert words.count("người/tổ,") == len(layout.SHIFTS)  # the ratio is one word wherever it falls


def test_ward_names_in_the_first_column_stay_on_one_line(tmp_path):
    """A roll-up's Bảng 1 (nine columns of figures by ward): "Phường Trần Cao Vân" on one line, not "Phường Trần /
    Cao Vân", and the table still inside A4's text width."""
    import pandas as pd

    from reportkit.narrative import unit_table

    names = ["Phường 1", "Phường Duy Tân", "Phường Phước Lâm", "Phường Trần Cao Vân", "Phường Xuân Tây"]
    columns = {
        "so_to": "Số tổ dân phố",
        "du": "Tổ đã báo cáo đủ",
        "buoi": "Buổi tuyên truyền",
        "luot": "Lượt người dự tuyên truyền",
        "hang_viet": "Người tham gia Cuộc vận động",
        "quy": "Quỹ “Vì người nghèo” (đồng)",
        "hoi_nghi": "Hội nghị tiếp xúc cử tri",
        "cu_tri": "Lượt cử tri tham dự",
    }
    values = [11, 11, 25, 2341, 1483, 2644600000, 139, 8265]
    frame = pd.DataFrame(
        {key: [v for _ in names] for key, v in zip(columns, values, strict=True)},
        index=pd.Index(names, name="Phường"),
    )
    table = unit_table(frame, columns, caption="Kết quả công tác Mặt trận theo phường")
    pages = _bbox_pages(_pdf_with_table(tmp_path, table, long=False))
    words = [w for page in pages for w in page]
    for first, *rest in (n.split() for n in names if " " in n):
        starts = [w for w in words if w[0] == first]
        for word in rest:
            assert any(abs(w[2] - s[2]) < 1 for s in starts for w in words if w[0] == word), (first, word)
    for text, x0, _y0, x1, y1 in words:
        if y1 > TOP:
            assert x0 >= LEFT - 1 and x1 <= A4[0] - RIGHT + 1, (text, x0, x1)
