"""reportkit.export: the shareable HTML, the web article, the report record, the index page, the glyph check."""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

from reportkit.export import (
    RECORD_MIME,
    TEMPLATES_DIR,
    ExportError,
    GlyphError,
    IndexPageError,
    RecordError,
    ReportExporter,
    report_record,
    write_index,
)
from reportkit.export import typeface as export_fonts
from reportkit.export.preprocess import run_info_view
from reportkit.export.sanitize import sanitize_fragment, visible_text
from reportkit.export.template import install_template

_spec = importlib.util.spec_from_file_location(
    "export_synthetic", Path(__file__).parent / "export_fixtures" / "synthetic.py"
)
synthetic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synthetic)


@pytest.fixture(scope="module")
def exporter():
    return ReportExporter()


@pytest.fixture(scope="module")
def notebook():
    return synthetic.report_notebook(long=False)


@pytest.fixture(scope="module")
def page(exporter, notebook):
    return exporter.html(notebook, synthetic.RUN_INFO)


@pytest.fixture(scope="module")
def soup(page):
    return BeautifulSoup(page, "html.parser")


def _with_cells(nb, *cells, at=None):
    nb = copy.deepcopy(nb)
    for cell in cells:
        nb.cells.insert(len(nb.cells) if at is None else at, cell)
    return nb


def _display(data, metadata=None):
    return new_output("display_data", data=data, metadata=metadata or {})


# --- layout ---------------------------------------------------------------------------------------------------


def test_layout_elements_present_and_in_order(page):
    text = " ".join(visible_text(page, skip_class="-").split())
    expected = [
        "ỦY BAN MTTQ VIỆT NAM",
        "PHƯỜNG HÒA BÌNH",
        "BAN THƯỜNG TRỰC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 05/BC-MTTQ-BTT",
        "Hòa Bình, ngày 05 tháng 01 năm 2023",
        "BÁO CÁO",
        "Kết quả công tác Mặt trận 6 tháng cuối năm 2022",
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
        "Bảng 1. Tuyên truyền theo tổ dân phố",
        "Biểu đồ 1. Lượt người dân dự tuyên truyền",
        "II. PHƯƠNG HƯỚNG NHIỆM VỤ",
        "phường Hòa Bình./.",
        "Nơi nhận:",
        "- Ban Thường trực UBMTTQ thành phố;",
        "- Lưu: VT.",
        "TM. BAN THƯỜNG TRỰC",
        "CHỦ TỊCH",
        "Trần Thị Ánh Tuyết",
        "Thông tin kỳ báo cáo",
    ]
    positions = [text.find(item) for item in expected]
    missing = [item for item, at in zip(expected, positions, strict=True) if at < 0]
    assert not missing
    assert positions == sorted(positions)


def test_layout_structure_and_semantics(soup):
    assert soup.html["lang"] == "vi"
    assert soup.find("meta", attrs={"name": "viewport"})
    head = soup.select_one("header.rk-head")
    left, right = head.select(".rk-head-row")[0].select(".rk-head-left, .rk-head-right")
    assert [p.get_text() for p in left.select(".rk-parent")] == ["ỦY BAN MTTQ VIỆT NAM", "PHƯỜNG HÒA BÌNH"]
    assert left.select_one(".rk-issuer").get_text() == "BAN THƯỜNG TRỰC"
    assert right.select_one(".rk-national").get_text() == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert right.select_one(".rk-motto span").get_text() == "Độc lập - Tự do - Hạnh phúc"
    row2 = head.select(".rk-head-row")[1]
    assert row2.select_one(".rk-head-left .rk-number").get_text() == "Số: 05/BC-MTTQ-BTT"
    assert row2.select_one(".rk-head-right .rk-place-date")
    h1s = soup.find_all("h1")
    assert len(h1s) == 1
    assert h1s[0].select_one(".rk-type").get_text() == "BÁO CÁO"
    assert h1s[0].select_one(".rk-subject").get_text() == "Kết quả công tác Mặt trận 6 tháng cuối năm 2022"
    # notebook headings are demoted under the one h1
    assert [h.get_text() for h in soup.select(".rk-body h2")] == [
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
        "II. PHƯƠNG HƯỚNG NHIỆM VỤ",
    ]
    assert soup.select_one(".rk-body h3").get_text() == "1. Công tác tuyên truyền"
    table = soup.select_one(".rk-body table")
    assert table.caption.get_text().startswith("Bảng 1.")
    assert table.find("th")
    img = soup.select_one(".rk-body figure img")
    assert img["alt"] == "Biểu đồ cột: lượt người dân dự tuyên truyền theo tổ"
    assert img["src"].startswith("data:image/png;base64,")
    assert soup.select_one(".rk-body figure figcaption").get_text().startswith("Biểu đồ 1.")
    sign = soup.select_one("footer.rk-sign")
    assert sign.select_one(".rk-recipients-label").get_text() == "Nơi nhận:"
    assert [li.get_text() for li in sign.select(".rk-recipients li")][-1] == "- Lưu: VT."


def test_heading_levels_normalised_across_the_body(exporter, notebook):
    """The %%report magic writes "## I." / "### 1."; plain Markdown cells may write "# I." / "## 1."."""
    nb = copy.deepcopy(notebook)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"]
    nb.cells.append(
        new_code_cell(
            "r",
            outputs=[
                _display(
                    {"text/html": "<h2>I. KẾT QUẢ</h2><h3>1. Tập huấn</h3><h4>a) Cấp phường</h4><p>x</p>"}
                )
            ],
        )
    )
    soup = BeautifulSoup(exporter.html(nb), "html.parser")
    assert [(h.name, h.get_text()) for h in soup.select(".rk-body h2, .rk-body h3, .rk-body h4")] == [
        ("h2", "I. KẾT QUẢ"),
        ("h3", "1. Tập huấn"),
        ("h4", "a) Cấp phường"),
    ]


def test_blank_document_number_keeps_its_space(exporter, notebook):
    nb = _with_cells(
        notebook,
        new_code_cell(
            "r", outputs=[_display({RECORD_MIME: {"document": {"number": "Số:     /BC-MTTQ-BTT"}}})]
        ),
    )
    soup = BeautifulSoup(exporter.html(nb), "html.parser")
    assert soup.select_one(".rk-number").get_text() == "Số:     /BC-MTTQ-BTT"
    assert "white-space:pre-wrap" in soup.style.get_text()


def test_print_css_follows_decree(page):
    css = BeautifulSoup(page, "html.parser").style.get_text()
    assert re.search(r"@page\{size:A4;margin:20mm 15mm 20mm 30mm;", css)
    assert "@top-center{content:counter(page)" in css
    assert "@page:first{@top-center{content:none}}" in css
    assert re.search(r"@media print\{\s*html\{font-size:14pt", css)  # 1rem = 14pt: body 14pt
    assert ".rk-national{font-size:.857143em;font-weight:bold" in css  # 12pt bold
    assert ".rk-motto{font-size:.928571em;font-weight:bold}" in css  # 13pt bold
    assert ".rk-recipients-label{font-size:.857143rem;font-weight:bold;font-style:italic}" in css  # 12pt
    assert "font-size:.785714rem" in css  # the 11pt list
    assert ".rk-body p{text-align:justify;text-indent:1cm;margin:0 0 .428571rem}" in css  # 6pt after
    assert "break-after:avoid" in css
    assert ".rk-screen-only{display:none}" in css  # "Thông tin kỳ báo cáo" is not printed


# --- hygiene --------------------------------------------------------------------------------------------------


def _external_references(page: str) -> list[str]:
    """Every reference that would leave the file: absolute or protocol-relative URLs, CSS url()/@import."""
    page = re.sub(r"data:[a-z+/.-]+;base64,[A-Za-z0-9+/=]+", "data:", page)
    attrs = re.findall(
        r"""(?:src|href|srcset|action|xlink:href|data|poster)\s*=\s*["']?\s*((?:[a-z][a-z0-9+.-]*:|//)[^"'\s>]*)""",
        page,
        flags=re.IGNORECASE,
    )
    found = [a for a in attrs if not a.startswith("data:")]
    found += re.findall(r"url\(|@import", page, flags=re.IGNORECASE)
    found += re.findall(r"[a-z][a-z0-9+.-]*://|\bwww\.", page, flags=re.IGNORECASE)
    return found


def test_self_contained_without_script(page):
    assert "<script" not in page.lower()
    assert _external_references(page) == []
    assert len(page.encode()) < 120_000


HOSTILE_HTML = (
    "<p>Đoạn an toàn<script>alert(1)</script></p>"
    '<img src="https://example.com/a.png" alt="ảnh ngoài">'
    '<a href="https://example.com/x" onclick="steal()">liên kết ngoài</a>'
    '<a href="#muc-1">mục 1</a>'
    "<style>@import url(https://x.example/a.css); td{background:url(http://x.example/b.png);color:red}</style>"
    "<div style=\"background-image:u\\72l('http://x.example/c.png');color:blue\">khối</div>"
    '<iframe src="https://x.example"></iframe><object data="https://x.example/o"></object>'
    '<svg xmlns="http://www.w3.org/2000/svg"><image href="https://x.example/i.png"/></svg>'
    '<link rel="stylesheet" href="https://x.example/s.css"><form action="https://x.example"></form>'
)


def test_hostile_output_is_neutralised(exporter, notebook):
    nb = _with_cells(
        notebook,
        new_code_cell("x", outputs=[_display({"text/html": HOSTILE_HTML})]),
        new_markdown_cell(
            "Xem ![ảnh markdown](https://example.com/m.png) và [trang phường](https://example.com/p)."
        ),
        new_code_cell(
            "y",
            outputs=[_display({"application/javascript": "alert(2)", "text/plain": "js"})],
        ),
        at=8,
    )
    page = exporter.html(nb, synthetic.RUN_INFO)
    assert "<script" not in page.lower()
    assert "alert(" not in page
    assert "onclick" not in page
    assert _external_references(page) == []
    text = visible_text(page)
    for kept in (
        "Đoạn an toàn",
        "ảnh ngoài",
        "liên kết ngoài",
        "mục 1",
        "khối",
        "ảnh markdown",
        "trang phường",
    ):
        assert kept in text
    assert 'href="#muc-1"' in page
    assert "color:red" in page and "color:blue" in page


def test_sanitize_embeds_local_images(tmp_path):
    png = tmp_path / "bieu-do.png"
    png.write_bytes(bytes.fromhex("89504e470d0a1a0a"))
    out = sanitize_fragment(
        '<img src="bieu-do.png" alt="biểu đồ"><img src="thieu.png" alt="thiếu">', tmp_path
    )
    assert 'src="data:image/png;base64,iVBORw0KGgo="' in out
    assert "thieu.png" not in out and "thiếu" in out


def test_tags_code_streams_and_prompts(page):
    for gone in (
        "REMOVED-CELL-MARKER",
        "REMOVE-OUTPUT-MARKER",
        "CODE-MARKER",
        "INJECTED-MARKER",
        "INJECTED-OUTPUT-MARKER",
        "STDERR-MARKER",
        "STDOUT-MARKER",
        "TEXTPLAIN-MARKER",
        "MARKDOWN-FALLBACK",
        "<record>",
        "jp-InputPrompt",
        "In&nbsp;[",
    ):
        assert gone not in page, gone
    assert "REMOVE-INPUT-KEPT" in page
    assert not re.search(r"\[\d+\]:", page)


def test_output_is_nfc(exporter, notebook):
    decomposed = unicodedata.normalize("NFD", "Việt Nam, Hòa Bình")
    nb = _with_cells(notebook, new_markdown_cell(f"Đoạn NFD: {decomposed}."), at=8)
    page = exporter.html(nb)
    assert unicodedata.is_normalized("NFC", page)
    assert "Việt Nam, Hòa Bình" in page


# --- "./." ----------------------------------------------------------------------------------------------------


def test_end_mark_added_once(exporter, notebook, page):
    body = BeautifulSoup(page, "html.parser").select(".rk-body p")
    assert body[-1].get_text().endswith("phường Hòa Bình./.")
    already = copy.deepcopy(notebook)
    already.cells[-1].source += "./."  # "… Hòa Bình../." would be wrong
    already.cells[-1].source = already.cells[-1].source.replace("Hòa Bình.../.", "Hòa Bình./.")
    already.cells[-1].source = already.cells[-1].source.replace("Hòa Bình../.", "Hòa Bình./.")
    text = visible_text(exporter.html(already))
    assert "Hòa Bình./." in text and "./../." not in text and "../." not in text


def test_end_mark_after_a_final_table(exporter, notebook):
    nb = _with_cells(
        notebook, new_code_cell("t", outputs=[_display({"text/html": synthetic.wide_table_html()})])
    )
    soup = BeautifulSoup(exporter.html(nb), "html.parser")
    last = soup.select(".rk-body > *")[-1]
    assert last.name == "p" and last.get_text() == "./."


# --- Thông tin kỳ báo cáo -------------------------------------------------------------------------------------


def test_run_info_section(soup, page):
    section = soup.select_one("section.rk-runinfo")
    assert "rk-screen-only" in section["class"]
    assert section.h2.get_text() == "Thông tin kỳ báo cáo"
    text = " ".join(section.get_text(" ").split())
    assert "6 tháng cuối năm 2022 (2022-H2)" in text
    assert "document_number 5" in text and "data data/hoa-binh" in text and "issued_on 2023-01-05" in text
    assert "data/hoa-binh/ke-hoach.xlsx" in text and "b" * 64 in text
    assert "09:30, ngày 05/01/2023" in text
    assert "0.1.0" in text
    assert "SECRET-VALUE-MARKER" not in page and "db_password" not in page
    assert section.find_parent("main") is None  # outside the document proper


def test_run_info_from_papermill_metadata_masks_secrets_and_credentials(notebook):
    nb = copy.deepcopy(notebook)
    nb.metadata["papermill"]["parameters"] = {
        "period": "2022-H2",
        "data": "postgresql://ward:mat-khau@db.local/ward",
        "token": "abc",
        "secret": ["token"],
    }
    view = run_info_view(nb, {}, None)
    assert dict(view["parameters"]) == {"period": "2022-H2", "data": "postgresql://ward:***@db.local/ward"}
    assert view["period"] == "6 tháng cuối năm 2022 (2022-H2)"


def test_run_info_from_papermill_metadata_hides_the_machines_folders(notebook, tmp_path, monkeypatch):
    """`jupyter nbconvert --template reportkit` on a notebook papermill ran elsewhere: no /home/<user>/… shown."""
    nb = copy.deepcopy(notebook)
    nb.metadata["papermill"]["parameters"] = {
        "period": "2022-H2",
        "data": "/home/an/bao-cao/data/duy-tan",
        "extra": str(tmp_path / "data" / "to-3"),
    }
    monkeypatch.chdir(tmp_path)
    view = dict(run_info_view(nb, {}, None)["parameters"])
    assert view["data"] == "…/data/duy-tan"
    assert view["extra"] == "data/to-3"


# --- plain documents, records, errors -------------------------------------------------------------------------


def test_notebook_without_record_gives_plain_document(exporter):
    nb = synthetic.report_notebook(record=None, long=False)
    soup = BeautifulSoup(exporter.html(nb), "html.parser")
    assert soup.h1.get_text() == "Báo cáo thử nghiệm"
    assert soup.title.get_text() == "Báo cáo thử nghiệm"
    assert soup.select_one(".rk-head") is None and soup.select_one(".rk-sign") is None
    assert soup.select_one(".rk-body h2").get_text() == "I. KẾT QUẢ ĐẠT ĐƯỢC"
    assert report_record(nb) == {}


def test_record_outputs_merge_later_keys_win(notebook):
    update = {"document": {"number": "Số: 06/BC-MTTQ-BTT"}, "key_figures": []}
    nb = _with_cells(notebook, new_code_cell("r", outputs=[_display({RECORD_MIME: update})]))
    record = report_record(nb)
    assert record["document"]["number"] == "Số: 06/BC-MTTQ-BTT"
    assert record["document"]["subject"] == synthetic.RECORD["document"]["subject"]
    assert record["key_figures"] == []
    assert record["sources"] == synthetic.RECORD["sources"]


def test_bad_record_lists_every_problem(notebook):
    bad = {
        "document": {"recipients": "Lưu: VT.", "signature": {"name": 5}, "subject": ["x"]},
        "key_figures": [{"id": "", "label": "Lượt"}],
    }
    nb = _with_cells(notebook, new_code_cell("r", outputs=[_display({RECORD_MIME: bad})]))
    with pytest.raises(RecordError) as err:
        report_record(nb)
    message = str(err.value)
    assert len(err.value.problems) == 4
    for part in (
        "document.recipients",
        "'Lưu: VT.'",
        "document.signature.name",
        "document.subject",
        "key_figures[0].id",
    ):
        assert part in message
    assert f"cell {len(nb.cells) - 1}" in message


def test_error_output_stops_export(exporter, notebook):
    failing = new_code_cell(
        "1/0",
        outputs=[new_output("error", ename="ZeroDivisionError", evalue="division by zero", traceback=[])],
    )
    nb = _with_cells(notebook, failing, at=6)
    with pytest.raises(ExportError, match=r"cell 6: ZeroDivisionError: division by zero"):
        exporter.html(nb)


# --- article --------------------------------------------------------------------------------------------------


def test_article_fragment_is_clean_body(exporter, notebook):
    article = exporter.article(notebook)
    soup = BeautifulSoup(article, "html.parser")
    assert soup.find(attrs={"class": True}) is None
    assert soup.find(attrs={"style": True}) is None
    assert soup.find(attrs={"id": True}) is None
    assert not soup.find_all(
        ["style", "script", "div", "span", "html", "body", "head", "header", "footer", "h1"]
    )
    assert article.startswith("<h2>I. KẾT QUẢ ĐẠT ĐƯỢC</h2>")
    assert soup.table.caption.get_text().startswith("Bảng 1.") and soup.table.find("th")
    assert soup.img["alt"] and soup.img["src"].startswith("data:image/png")
    text = soup.get_text(" ")
    for gone in (
        "CỘNG HÒA",
        "Nơi nhận",
        "Thông tin kỳ báo cáo",
        "./.",
        "REMOVE-OUTPUT-MARKER",
        "STDERR-MARKER",
    ):
        assert gone not in text
    assert soup.find_all("p")[-1].get_text().endswith("phường Hòa Bình.")
    assert _external_references(article) == []


# --- glyph check ----------------------------------------------------------------------------------------------


def test_glyph_check_names_missing_characters_and_font(exporter, notebook):
    nb = _with_cells(notebook, new_markdown_cell("Biểu tượng 😀 và chữ 中 không có trong phông."), at=8)
    page = exporter.html(nb)
    with pytest.raises(GlyphError) as err:
        exporter.pdf(page)
    message = str(err.value)
    assert "U+1F600" in message and "U+4E2D" in message
    assert exporter.font.family in message
    assert err.value.characters == ["U+4E2D 中", "U+1F600 😀"]
    assert "Biểu tượng" in message  # where it occurs


def test_glyph_check_covers_vietnamese_and_ignores_screen_only_text():
    font = export_fonts.shipped_font()
    font.check("ẮẰẲẴẶ ắằẳẵặ Ơ ơ Ư ư Đ đ ỹ Ỹ “Vì người nghèo” — 1.236 ./.")
    html = '<p>Việt Nam</p><section class="rk-screen-only">😀</section><style>p{content:"中"}</style>'
    font.check(visible_text(html))
    with pytest.raises(GlyphError):
        font.check("😀")


def test_font_choice_falls_back_to_shipped_liberation(monkeypatch):
    monkeypatch.setattr(export_fonts.shutil, "which", lambda name: None)
    font = export_fonts.pdf_font()
    assert font.shipped and font.family == "Liberation Serif"
    assert all(path.is_file() for path in font.files.values())
    assert len(font.files) == 4
    assert "file:///" in font.font_face_css() and "LiberationSerif-BoldItalic.ttf" in font.font_face_css()
    licence = (export_fonts.FONT_DIR / "LICENSE-LiberationSerif.txt").read_text()
    assert "SIL Open Font License" in licence


def test_times_new_roman_only_when_really_installed():
    """fontconfig aliases Times New Roman to Liberation Serif; only a real TNR counts."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list not installed")
    listed = subprocess.run(
        ["fc-list", ":family=Times New Roman", "file"], capture_output=True, text=True
    ).stdout
    found = export_fonts.installed_times()
    assert (found is None) == (listed.strip() == "")


# --- index page -----------------------------------------------------------------------------------------------


def _entry(out: Path, run_id: str, record: dict) -> dict:
    folder = out / run_id
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    for kind in ("html", "pdf", "ipynb"):
        name = f"report-{run_id}.{kind}"
        (folder / name).write_text("x")
        files[kind] = f"{run_id}/{name}"
    return {"run_id": run_id, "record": record, "files": files}


def test_index_page(tmp_path):
    h2 = copy.deepcopy(synthetic.RECORD)
    h1 = copy.deepcopy(synthetic.RECORD)
    h1["document"].update(period="2022-H1", period_name="6 tháng đầu năm 2022", number="Số: 47/BC-MTTQ-BTT")
    h1["key_figures"] = [
        {
            "id": "tuyen_truyen_luot",
            "label": "Lượt người dân dự tuyên truyền",
            "value": 1236,
            "text": "1.236",
        },
        {"id": "cu_tri_luot", "label": "Lượt cử tri tham dự", "value": 1128},
    ]
    entries = [_entry(tmp_path, "2022-H2", h2), _entry(tmp_path, "2022-H1", h1)]
    path = write_index(tmp_path, entries)
    assert path == tmp_path / "index.html"
    page = path.read_text()
    soup = BeautifulSoup(page, "html.parser")
    assert soup.html["lang"] == "vi" and soup.h1.get_text() == "Báo cáo định kỳ — Phường Hòa Bình"
    reports, figures = soup.find_all("table")
    periods = [tr.th.get_text() for tr in reports.tbody.find_all("tr")]
    assert periods == ["6 tháng đầu năm 2022", "6 tháng cuối năm 2022"]
    year = copy.deepcopy(synthetic.RECORD)
    year["document"].update(period="2022", period_name="năm 2022")
    quarter = copy.deepcopy(synthetic.RECORD)
    quarter["document"].update(period="2022-Q3", period_name="quý III năm 2022")
    more = BeautifulSoup(write_index(tmp_path, [_entry(tmp_path, "2022", year), _entry(tmp_path, "2022-Q3", quarter)])
                         .read_text(), "html.parser")  # fmt: skip
    # a period's name starts its cell: "Năm 2022", "Quý III năm 2022" (the rest as it is, "III" included)
    assert {tr.th.get_text() for tr in more.find("table").tbody.find_all("tr")} == {
        "Năm 2022",
        "Quý III năm 2022",
    }
    assert "Năm 2022" in [th.get_text() for th in more.find_all("table")[1].thead.find_all("th")]
    links = [a["href"] for a in reports.find_all("a")]
    assert links[:3] == [
        "2022-H1/report-2022-H1.html",
        "2022-H1/report-2022-H1.pdf",
        "2022-H1/report-2022-H1.ipynb",
    ]
    assert [th.get_text() for th in figures.thead.find_all("th")] == [
        "Chỉ tiêu",
        "6 tháng đầu năm 2022",
        "6 tháng cuối năm 2022",
    ]
    rows = {
        tr.th.get_text(): [td.get_text() for td in tr.find_all("td")] for tr in figures.tbody.find_all("tr")
    }
    assert rows["Lượt người dân dự tuyên truyền"] == ["1.236", "1.310"]
    assert rows["Lượt cử tri tham dự"] == ["1.128", "—"]
    assert rows["Quỹ “Vì người nghèo” so với kế hoạch"] == ["—", "105%"]
    assert "<script" not in page.lower() and _external_references(page) == []
    assert not list(tmp_path.glob(".index-*"))


def test_index_rejects_bad_entries_listing_all(tmp_path):
    good = _entry(tmp_path, "2022-H1", synthetic.RECORD)
    bad = [
        good,
        {"run_id": "", "record": synthetic.RECORD, "files": {}},
        {"run_id": "2022-H2", "record": None, "files": {"pdf": "/etc/passwd", "html": "2022-H2/thieu.html"}},
    ]
    with pytest.raises(IndexPageError) as err:
        write_index(tmp_path, bad)
    message = str(err.value)
    for part in ("entry 1: run_id", "entry 2 (2022-H2): record", "files.pdf", "files.html", "thieu.html"):
        assert part in message
    assert not (tmp_path / "index.html").exists()


# --- the template as nbconvert sees it ------------------------------------------------------------------------


def test_template_ships_with_the_package():
    names = {p.name for p in (TEMPLATES_DIR / "reportkit").iterdir()}
    assert {"conf.json", "index.html.j2", "report.css"} <= names


@pytest.mark.slow
def test_jupyter_nbconvert_finds_the_template(tmp_path, notebook):
    """`jupyter nbconvert --to html --template reportkit` gives the same kind of page as ReportExporter."""
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.exists():
        pytest.skip("jupyter CLI not installed next to this Python")
    prefix = tmp_path / "prefix"
    linked = install_template(prefix)
    assert linked.is_symlink() and (linked / "index.html.j2").is_file()
    assert install_template(prefix) == linked  # idempotent
    source = tmp_path / "report-2022-H2.ipynb"
    nbformat.write(notebook, source)
    env = {**os.environ, "JUPYTER_PATH": str(prefix / "share" / "jupyter")}
    done = subprocess.run(
        [str(jupyter), "nbconvert", "--to", "html", "--template", "reportkit", str(source)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "report-2022-H2.html").read_text()
    soup = BeautifulSoup(page, "html.parser")
    assert soup.select_one(".rk-head .rk-national")
    assert "<script" not in page.lower() and _external_references(page) == []
    assert "REMOVED-CELL-MARKER" not in page and "STDERR-MARKER" not in page
    params = soup.select_one("section.rk-runinfo table").get_text(" ")
    assert "document_number" in params and "2022-H2" in params


def test_install_template_refuses_foreign_folder(tmp_path):
    foreign = tmp_path / "share" / "jupyter" / "nbconvert" / "templates" / "reportkit"
    foreign.mkdir(parents=True)
    (foreign / "conf.json").write_text("{}")
    with pytest.raises(FileExistsError, match="not a reportkit template"):
        install_template(tmp_path)


def test_pdf_fetcher_loads_nothing_from_outside(exporter):
    from reportkit.export.exporter import _local_fetcher

    font_url = next(iter(exporter.font.files.values())).resolve().as_uri()
    fetch = _local_fetcher({font_url})
    for url in ("https://example.com/a.png", "file:///etc/passwd", "ftp://example.com/x"):
        with pytest.raises(ValueError, match="self-contained"):
            fetch(url)
    assert fetch("data:text/plain;base64,eA==") is not None
