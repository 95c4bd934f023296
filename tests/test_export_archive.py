"""The official PDF is an archive: PDF/A-3b, tagged, language and title set, the report record attached and read
back by ``reportkit figures``; and the Word file, opened by LibreOffice, says what the PDF says, word for word."""

from __future__ import annotations

import collections
import importlib.util
import json
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import office as pdfs
import pytest
from office import A4, BOTTOM, LEFT, RIGHT, TOP, assert_same_words, need, soffice_pdf
from pypdf import PdfReader

from reportkit.cli import main as cli
from reportkit.core import record as report
from reportkit.export import ReportExporter
from reportkit.export.archive import ArchiveError, embedded_record

_spec = importlib.util.spec_from_file_location(
    "export_word", Path(__file__).parent / "export_fixtures" / "word.py"
)
word = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(word)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The WeasyPrint PDF/A of the page and the Word file of the same notebook."""
    folder = tmp_path_factory.mktemp("archive")
    nb = word.report_notebook()
    exporter = ReportExporter()
    pdf = exporter.pdf(exporter.html(nb), report.dumps(word.RECORD), attachment_name="report-2022-H2.json")
    (folder / "report.pdf").write_bytes(pdf)
    (folder / "report.docx").write_bytes(exporter.docx(nb))
    return folder


@pytest.fixture(scope="module")
def office(made, tmp_path_factory):
    return soffice_pdf(made / "report.docx", tmp_path_factory.mktemp("office"))


def test_the_word_file_says_what_the_pdf_says_word_for_word(made, office):
    """Same words, same order, figures and diacritics intact; only list markers may sit elsewhere in the
    WeasyPrint PDF's content stream (it draws them after the list)."""
    pdf_words = pdfs.words(made / "report.pdf")
    word_words = pdfs.words(office)
    assert unicodedata.normalize("NFC", " ".join(word_words)) == " ".join(word_words)
    assert_same_words(pdf_words, word_words)
    text = " ".join(word_words)
    for phrase in (
        "Hòa Bình, ngày 05 tháng 01 năm 2023",
        "Số: 05/BC-MTTQ-BTT",
        "14 lượt cán bộ",
        "1.210",
        "Độc lập - Tự do - Hạnh phúc",
        "phường Hòa Bình./.",
        "Nơi nhận:",
        "Biểu đồ 1.",
    ):
        assert phrase in text


def test_converted_word_file_is_a4_inside_the_decree_margins(office):
    info = subprocess.run([need("pdfinfo"), str(office)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    pages = pdfs.pages(office)
    assert len(pages) >= 3
    for number, found in enumerate(pages, start=1):
        for text, x0, _y0, x1, y1 in found:
            if y1 < TOP:
                continue
            assert x0 >= LEFT - 1, (number, text, x0)
            assert x1 <= A4[0] - RIGHT + 1, (number, text, x1)
            assert y1 <= A4[1] - BOTTOM + 1, (number, text, y1)


def test_page_number_at_the_top_centre_from_page_two_not_on_page_one(office):
    pages = pdfs.pages(office)
    assert [w for w in pages[0] if w[4] < TOP] == []
    top = [w for w in pages[1] if w[4] < TOP]
    assert [w[0] for w in top] == ["2"]
    centre = (LEFT + A4[0] - RIGHT) / 2
    assert abs((top[0][1] + top[0][3]) / 2 - centre) < 3
    # the phụ lục is numbered on its own: its first page shows no number
    appendix = next(i for i, page in enumerate(pages) if any(w[0] == "Phụ" for w in page))
    assert appendix >= 1 and [w for w in pages[appendix] if w[4] < TOP] == []


def test_page_one_of_both_pdfs_renders(made, office, tmp_path):
    for name, pdf in (("weasyprint", made / "report.pdf"), ("libreoffice", office)):
        subprocess.run(
            [need("pdftoppm"), "-r", "40", "-f", "1", "-l", "1", "-png", str(pdf), str(tmp_path / name)],
            check=True,
        )
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) == 2 and all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)


# --- PDF/A ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reader(made):
    return PdfReader(str(made / "report.pdf"))


def test_xmp_says_pdf_a_3b_with_the_title(reader):
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    tree = ET.fromstring(xmp[xmp.index("<x:xmpmeta") : xmp.index("</x:xmpmeta>") + len("</x:xmpmeta>")])
    aid = "{http://www.aiim.org/pdfa/ns/id/}"
    described = [
        d
        for d in tree.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}Description")
        if d.get(f"{aid}part")
    ]
    assert [(d.get(f"{aid}part"), d.get(f"{aid}conformance")) for d in described] == [("3", "B")]
    titles = [li.text for li in tree.iter("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}li")]
    assert word.RECORD["document"]["title"] in titles
    assert reader.metadata.title == word.RECORD["document"]["title"]
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"


def test_language_is_vietnamese(reader):
    assert reader.trailer["/Root"]["/Lang"] == "vi"


def test_the_record_is_attached_as_data_and_equals_the_sidecar(made, reader):
    root = reader.trailer["/Root"]
    specs = [s.get_object() for s in root["/AF"]]
    assert len(specs) == 1  # one entry per file (WeasyPrint would list it twice)
    spec = specs[0]
    assert spec["/AFRelationship"] == "/Data" and spec["/UF"] == "report-2022-H2.json"
    stream = spec["/EF"]["/F"].get_object()
    assert stream["/Subtype"] == "/application/json"
    assert json.loads(stream.get_data()) == word.RECORD
    assert embedded_record(made / "report.pdf") == word.RECORD


def _structure(reader) -> collections.Counter:
    found: collections.Counter = collections.Counter()
    alts = []
    stack = [reader.trailer["/Root"]["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if "/S" in node:
            found[str(node["/S"])] += 1
            if node["/S"] == "/Figure" and "/Alt" in node:
                alts.append(str(node["/Alt"]))
        kids = node.get("/K")
        kids = kids if isinstance(kids, list) else [kids] if kids is not None else []
        for kid in kids:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict):
                stack.append(kid)
    found["alts"] = alts  # type: ignore[assignment]
    return found


def test_tagged_headings_paragraphs_tables_with_header_cells_and_the_chart_alt(reader):
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    found = _structure(reader)
    for tag in (
        "/Document",
        "/H1",
        "/H2",
        "/H3",
        "/P",
        "/Table",
        "/TR",
        "/TH",
        "/TD",
        "/L",
        "/LI",
        "/Figure",
    ):
        assert found[tag] > 0, tag
    assert word.ALT in found["alts"]


def test_reportkit_figures_prints_the_key_figures_from_the_pdf(made, capsys):
    assert cli(["figures", str(made / "report.pdf")]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:2] == [
        word.RECORD["document"]["title"],
        "Số: 05/BC-MTTQ-BTT · 6 tháng cuối năm 2022",
    ]
    assert (
        "Lượt người dân dự tuyên truyền: 1.310" in out and "Quỹ “Vì người nghèo” so với kế hoạch: 105%" in out
    )
    assert cli(["figures", "--json", str(made / "report.pdf")]) == 0
    assert json.loads(capsys.readouterr().out) == word.RECORD


def test_figures_of_a_pdf_without_a_record_or_not_a_pdf(made, tmp_path, capsys):
    plain = ReportExporter().pdf(
        '<!DOCTYPE html><html lang="vi"><title>x</title><body><p>Không có số liệu</p></html>'
    )
    (tmp_path / "plain.pdf").write_bytes(plain)
    (tmp_path / "not.pdf").write_text("không phải PDF", encoding="utf-8")
    (tmp_path / "bad.pdf").write_bytes(
        ReportExporter().pdf(
            "<html lang='vi'><body><p>x</p></html>", '{"key_figures": 5}', attachment_name="x.json"
        )
    )
    for name, message in (
        ("plain", "no report record"),
        ("not", "cannot read it as a PDF"),
        ("bad", "key_figures"),
    ):
        with pytest.raises(ArchiveError, match=message):
            embedded_record(tmp_path / f"{name}.pdf")
        assert cli(["figures", str(tmp_path / f"{name}.pdf")]) == 2
        assert message in capsys.readouterr().err


_layout_spec = importlib.util.spec_from_file_location(
    "export_layout", Path(__file__).parent / "export_fixtures" / "layout.py"
)
layout = importlib.util.module_from_spec(_layout_spec)
_layout_spec.loader.exec_module(layout)


def test_the_word_file_lays_out_lists_and_kept_words_as_the_pdf(tmp_path):
    """LibreOffice's reading of the Word file: list items as body paragraphs (marker at the 1 cm indent, the next
    lines at the margin) and no "6 / tháng", "tổ / 5" at a line end, as in the PDF."""
    nb = layout.notebook()
    exporter = ReportExporter()
    (tmp_path / "layout.docx").write_bytes(exporter.docx(nb))
    converted = soffice_pdf(tmp_path / "layout.docx", tmp_path / "office")
    found = pdfs.pages(converted)
    items = layout.list_lines(found, TOP)
    assert len(items) == 4, items
    for marker, second in items:
        assert abs(marker - (LEFT + 10 * 72 / 25.4)) < 1.5 and abs(second - LEFT) < 1, (marker, second)
    assert layout.split_pairs(found, TOP) == []
