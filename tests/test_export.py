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
        "Nguồn số liệu",
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
    assert img["src"].startswith(("data:image/svg+xml;base64,", "data:image/png;base64,"))
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


def test_closing_note_says_what_the_data_were_in_vietnamese(soup, page):
    note = soup.select_one("footer.rk-provenance")
    assert (
        "rk-screen-only" in note["class"] and note.find_parent("main") is None
    )  # outside the document proper
    assert note.h2.get_text() == "Nguồn số liệu"
    text = " ".join(note.p.get_text(" ").split())
    assert text == (
        "Kỳ báo cáo: 6 tháng cuối năm 2022. Số liệu lấy từ báo cáo hàng tháng của các tổ, từ tháng 7 năm 2021 "
        "đến tháng 12 năm 2022 (gồm cả các kỳ so sánh). 2/3 tổ đã gửi đủ báo cáo của kỳ; tổ 3 chưa gửi báo cáo "
        "tháng 11 và tháng 12 năm 2022. Trang này do reportkit 0.1.0 tạo lúc 09:30, ngày 05/01/2023."
    )
    details = note.details
    assert details is not None and not details.has_attr("open")  # closed until the reader opens it
    assert (
        " ".join(details.summary.get_text().split())
        == "Các tệp số liệu đã dùng (2 tệp, thư mục data/hoa-binh)"
    )
    assert [li.get_text() for li in details.find_all("li")] == [
        "bao-cao/2022/to-01-2022.xlsx",
        "ke-hoach.xlsx",
    ]
    # No parameter, no English name, no hash on the page; the hashes stay in the JSON record.
    for word in ("document_number", "issued_on", "period", "SHA-256", "a" * 64, "SECRET-VALUE-MARKER"):
        assert word not in visible_text(page, skip_class="-")
    assert "SECRET-VALUE-MARKER" not in page and "db_password" not in page


def test_closing_note_from_any_record(notebook, tmp_path, monkeypatch):
    nb = copy.deepcopy(notebook)
    nb.metadata["papermill"]["parameters"] = {"period": "2022-H2", "data": "postgresql://ward:mat-khau@db/w"}
    view = run_info_view(nb, {}, None)  # a record without document, sources or provenance
    assert view["period"] == "6 tháng cuối năm 2022" and view["files"] == [] and view["data"] == {}
    assert "mat-khau" not in str(view)
    record = {
        "sources": [
            {"path": "postgresql://ward:***@db/w#bao_cao", "sha256": None},
            {"path": str(tmp_path / "ward" / "ward.yaml"), "sha256": "c" * 64},
        ],
        "provenance": {"data_from": None, "data_to": None, "years": None, "units": ["Xã A", "Phường B"],
                       "missing": []},
    }  # fmt: skip
    monkeypatch.chdir(tmp_path / ".." if (tmp_path / "..").is_dir() else tmp_path)
    view = run_info_view(nb, record, {"generated_at": "nonsense", "version": "9.9"})
    assert view["files"] == ["postgresql://ward:***@db/w#bao_cao", "ward.yaml"]
    assert str(tmp_path.parent.parent) not in view["folder"]  # never the machine's folder layout
    assert view["data"] == {"noun": "đơn vị", "reported": "2/2 đơn vị đã gửi đủ báo cáo của kỳ"}
    assert view["generated_at"] == "nonsense" and view["version"] == "9.9"


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


def _entry(out: Path, run_id: str, record: dict, kinds=("html", "pdf", "ipynb")) -> dict:
    folder = out / run_id
    folder.mkdir(parents=True, exist_ok=True)
    suffixes = {"article": "article.html"}
    files = {}
    for kind in kinds:
        name = f"report-{run_id.replace('/', '-')}.{suffixes.get(kind, kind)}"
        (folder / name).write_text("x")
        files[kind] = f"{run_id}/{name}"
    return {"run_id": run_id, "record": record, "files": files}


def _record(period: str, number: str, **figures) -> dict:
    from reportkit import vn

    record = copy.deepcopy(synthetic.RECORD)
    record["document"].update(period=period, period_name=vn.Period(period).name, number=number)
    record["key_figures"] = [
        {"id": key, "label": label, "value": value, "text": vn.number(value), "unit": unit}
        for key, (label, value, unit) in figures.items()
    ]
    return record


def test_a_period_made_twice_alike_is_one_point_of_the_trend(tmp_path):
    """The ward made from its workbooks (outputs/2022-H1/) and from the province database (outputs/duy-tan/…): both
    reports are listed, but a period whose figures are the same is one column of the trend, not two; reports of a
    period that differ keep a column each."""
    from reportkit.export import write_index

    def entry(run_id, period, number, value):
        record = _record(period, number, tuyen_truyen_luot=("Lượt người dân dự tuyên truyền", value, "lượt"))
        return _entry(tmp_path, run_id, record)

    same = [entry("2022-H1", "2022-H1", "Số: 47/BC-MTTQ-BTT", 1236), entry("duy-tan/2022-H1", "2022-H1", "", 1236),
            entry("2022-H2", "2022-H2", "Số: 63/BC-MTTQ-BTT", 1310)]  # fmt: skip
    page = BeautifulSoup(write_index(tmp_path, same).read_text(encoding="utf-8"), "html.parser")
    assert len(page.select("table.reports tbody tr")) == 3  # every report listed, with its own number or none
    heads = [th.get_text() for th in page.select("table.trend thead th")][1:]
    assert heads.count("6 tháng đầu năm 2022") == 1 and heads.count("6 tháng cuối năm 2022") == 1, heads
    differ = [*same[:1], entry("duy-tan/2022-H1", "2022-H1", "", 1240), same[2]]
    page = BeautifulSoup(write_index(tmp_path, differ).read_text(encoding="utf-8"), "html.parser")
    heads = [th.get_text() for th in page.select("table.trend thead th")][1:]
    assert heads.count("6 tháng đầu năm 2022") == 2  # two reports disagree: both shown, never one chosen


def test_index_page(tmp_path):
    h2 = copy.deepcopy(synthetic.RECORD)
    h2["key_figures"] = [{**h2["key_figures"][0], "unit": "lượt người"}]
    h1 = _record("2022-H1", "Số: 47/BC-MTTQ-BTT", tuyen_truyen_luot=("Lượt người dân dự tuyên truyền", 1236, "lượt người"),
                 quy_vnn=("Quỹ “Vì người nghèo” vận động được", 153_000_000, "đồng"))  # fmt: skip
    h1["key_figures"].append(
        {"id": "cu_tri_luot", "label": "Lượt cử tri tham dự", "value": 1128}
    )  # an old record
    year = _record(
        "2022",
        "Số:     /BC-MTTQ-BTT",
        tuyen_truyen_luot=("Lượt người dân dự tuyên truyền", 2546, "lượt người"),
    )
    q3 = _record(
        "2022-Q3",
        "Số: 61/BC-MTTQ-BTT",
        tuyen_truyen_luot=("Lượt người dân dự tuyên truyền", 700, "lượt người"),
    )
    entries = [
        _entry(tmp_path, "2022-H2", h2, kinds=("html", "pdf", "docx", "article", "ipynb", "json")),
        _entry(tmp_path, "2022-H1", h1),
        _entry(tmp_path, "2022", year),
        _entry(tmp_path, "2022-Q3", q3),
    ]  # fmt: skip
    path = write_index(tmp_path, entries)
    assert path == tmp_path / "index.html"
    page = path.read_text()
    soup = BeautifulSoup(page, "html.parser")
    assert soup.html["lang"] == "vi" and soup.h1.get_text() == "Báo cáo định kỳ — Phường Hòa Bình"
    reports = soup.select_one("table.reports")
    rows = reports.tbody.find_all("tr")
    # Newest first; a period name at the start of a cell is capitalised; the number without a repeated "Số:".
    assert [tr.th.get_text() for tr in rows] == [
        "6 tháng cuối năm 2022",
        "Năm 2022",
        "Quý III năm 2022",
        "6 tháng đầu năm 2022",
    ]
    numbers = [tr.select_one(".docno").get_text() for tr in rows]
    assert numbers == ["05/BC-MTTQ-BTT", "chưa ghi số", "61/BC-MTTQ-BTT", "47/BC-MTTQ-BTT"]
    assert "white-space:nowrap" in page.split(".docno{", 1)[1].split("}", 1)[0]
    assert rows[0].select_one(".subject").get_text() == "Kết quả công tác Mặt trận 6 tháng cuối năm 2022"
    labels = [a.get_text() for a in rows[0].select(".files a")]
    assert labels == ["Trang web", "PDF", "Word", "Bài viết", "Notebook", "Dữ liệu JSON"]
    assert [a["href"] for a in rows[3].select(".files a")] == [
        "2022-H1/report-2022-H1.html",
        "2022-H1/report-2022-H1.pdf",
        "2022-H1/report-2022-H1.ipynb",
    ]
    # One trend per kind of period: the year and the quarter are not beside the halves.
    trends = soup.select("table.trend")
    assert [t.caption.get_text() for t in trends] == [
        "Bảng số liệu: các năm, xếp theo thời gian",
        "Bảng số liệu: các kỳ 6 tháng, xếp theo thời gian",
        "Bảng số liệu: các quý, xếp theo thời gian",
    ]
    halves = trends[1]
    assert [th.get_text() for th in halves.thead.find_all("th")] == [
        "Chỉ tiêu",
        "6 tháng đầu năm 2022",
        "6 tháng cuối năm 2022",
    ]
    cells = {
        tr.th.get_text(" ", strip=True): [td.get_text() for td in tr.find_all("td")]
        for tr in halves.tbody.find_all("tr")
    }
    assert cells["Lượt người dân dự tuyên truyền (lượt người)"] == ["1.236", "1.310"]
    assert cells["Quỹ “Vì người nghèo” vận động được (đồng)"] == ["153.000.000", "—"]
    assert cells["Lượt cử tri tham dự"] == ["1.128", "—"]
    cards = soup.select("section")[2].select(".card")  # the halves' section: one card per figure
    fund = next(c for c in cards if "Quỹ" in c.get_text())
    assert (
        " ".join(fund.select_one(".latest").get_text().split()) == "153.000.000 đồng — 6 tháng đầu năm 2022"
    )
    people = next(c for c in cards if "tuyên truyền" in c.get_text())
    spark = people.select_one("svg")
    assert spark["role"] == "img" and spark.title.get_text() == spark["aria-label"]
    assert spark["aria-label"].startswith("Xu hướng lượt người dân dự tuyên truyền (lượt người) qua 2 kỳ: ")
    assert "6 tháng đầu năm 2022: 1.236; 6 tháng cuối năm 2022: 1.310" in spark["aria-label"]
    assert len(spark.find_all("circle")) == 2
    assert fund.select_one("svg") is None  # one period only: no trend to draw
    assert "<script" not in page.lower() and _external_references(page) == []
    assert not list(tmp_path.glob(".index-*"))


def test_index_groups_a_batch_of_units_by_unit(tmp_path):
    other = copy.deepcopy(synthetic.RECORD)
    other["document"]["unit"] = "Phường An Hải"
    entries = [
        _entry(tmp_path, "hoa-binh/2022-H2", synthetic.RECORD),
        _entry(tmp_path, "an-hai/2022-H2", other),
    ]
    soup = BeautifulSoup(write_index(tmp_path, entries).read_text(), "html.parser")
    assert soup.h1.get_text() == "Báo cáo định kỳ"
    assert [h.get_text() for h in soup.find_all("h2")] == ["Phường An Hải", "Phường Hòa Bình"]
    assert [h.get_text() for h in soup.find_all("h3")][:2] == [
        "Danh sách báo cáo (1)",
        "Số liệu chính: các kỳ 6 tháng",
    ]
    ids = [t["id"] for t in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))


MANY_WARDS = ["Phường Hòa Khánh", "Phường 3", "Xã Đông Hà", "Phường An Hải", "Phường Ân Phú", "Phường Duy Tân",
              "Phường Trần Hưng Đạo", "Phường 12", "Thị trấn Hà Lam", "Tỉnh Bình Sơn"]  # fmt: skip


def test_a_unit_page_outside_a_unit_folder_keeps_its_name_and_never_goes_stale(tmp_path):
    """Duy Tân's reports made both from its workbooks (outputs/2022-H1/) and from the province (outputs/duy-tan/…):
    its page is named after it, not after its rank among the units, so a link shared stays right when wards come
    or go; a page whose unit is gone is removed, not left with old figures."""
    from reportkit import vn
    from reportkit.export import write_site

    def entries(names):
        out = []
        for n, name in enumerate(names):
            record = _record(
                "2022-H1", f"Số: {40 + n}/BC-MTTQ-BTT", tuyen_truyen_luot=("Lượt", 100 + n, "lượt")
            )
            record["document"]["unit"] = name
            out.append(_entry(tmp_path, f"{vn.fold(name).replace(' ', '-')}/2022-H1", record))
        duy = _record("2022-H2", "Số: 63/BC-MTTQ-BTT", tuyen_truyen_luot=("Lượt", 1310, "lượt"))
        duy["document"]["unit"] = "Phường Duy Tân"
        return [*out, _entry(tmp_path, "2022-H2", duy)]

    write_site(tmp_path, entries(MANY_WARDS))
    assert (tmp_path / "don-vi-phuong-duy-tan.html").is_file()
    fewer = [w for w in MANY_WARDS if w not in ("Phường 3", "Phường An Hải")]
    pages = write_site(tmp_path, entries(fewer))
    assert tmp_path / "don-vi-phuong-duy-tan.html" in pages
    assert sorted(p.name for p in tmp_path.glob("don-vi-*.html")) == ["don-vi-phuong-duy-tan.html"]
    write_site(tmp_path, entries(["Phường Hòa Khánh"]))  # one page for all: no unit page left behind
    assert not list(tmp_path.glob("don-vi-*.html"))


def test_many_units_get_a_page_each_and_an_index_listing_them(tmp_path):
    """A province's batch: each ward's dashboard is its own page beside its reports, index.html lists the wards in
    natural order under the letter of their own name, and every link of every page leads to a file."""
    from reportkit import vn
    from reportkit.export import write_site

    entries = []
    for n, name in enumerate(MANY_WARDS):
        code = vn.fold(name).replace(" ", "-")
        for period in ("2022-H1", "2022-H2"):
            record = _record(
                period, f"Số: {40 + n}/BC-MTTQ-BTT", tuyen_truyen_luot=("Lượt người dân dự", 100 + n, "lượt")
            )
            record["document"]["unit"] = name
            entries.append(_entry(tmp_path, f"{code}/{period}", record))
    pages = write_site(tmp_path, entries)
    assert pages[0] == tmp_path / "index.html" and len(pages) == 1 + len(MANY_WARDS)
    index = BeautifulSoup(pages[0].read_text(), "html.parser")
    assert index.h1.get_text() == "Báo cáo định kỳ"
    assert "10 đơn vị, 20 báo cáo" in index.get_text()
    letters = [a.get_text() for a in index.select(".letters a")]
    assert letters == [
        "0–9",
        "A",
        "B",
        "D",
        "Đ",
        "H",
        "T",
    ]  # the province's roll-up under its own name's letter
    names = [a.get_text() for a in index.select(".units .unit-name")]
    assert names == ["Phường 3", "Phường 12", "Phường An Hải", "Phường Ân Phú", "Tỉnh Bình Sơn", "Phường Duy Tân", "Xã Đông Hà",
                     "Phường Hòa Khánh", "Thị trấn Hà Lam", "Phường Trần Hưng Đạo"]  # fmt: skip
    first = index.select_one(".units li")
    assert [a["href"] for a in first.select("a")] == [
        "phuong-3/index.html",
        "phuong-3/2022-H2/report-phuong-3-2022-H2.html",
    ]
    assert "— 2 báo cáo, mới nhất: 6 tháng cuối năm 2022" in " ".join(first.get_text().split())
    for page in pages:
        soup = BeautifulSoup(page.read_text(), "html.parser")
        hrefs = [a["href"] for a in soup.find_all("a") if not a["href"].startswith("#")]
        assert hrefs and all((page.parent / h).resolve().is_file() for h in hrefs), (page, hrefs)
        anchors = [a["href"][1:] for a in soup.find_all("a") if a["href"].startswith("#")]
        assert all(soup.find(id=anchor) for anchor in anchors)
        ids = [t["id"] for t in soup.find_all(id=True)]
        assert len(ids) == len(set(ids))
        assert "<script" not in page.read_text().lower() and _external_references(page.read_text()) == []
    ward = BeautifulSoup((tmp_path / "xa-dong-ha/index.html").read_text(), "html.parser")
    assert ward.h1.get_text() == "Báo cáo định kỳ — Xã Đông Hà"
    assert ward.select_one("nav a")["href"] == "../index.html" and "Tất cả 10 đơn vị" in ward.nav.get_text()
    assert [a["href"] for a in ward.select("table.reports a")][:2] == [
        "2022-H2/report-xa-dong-ha-2022-H2.html", "2022-H2/report-xa-dong-ha-2022-H2.pdf"]  # fmt: skip


def test_a_few_units_share_one_page(tmp_path):
    from reportkit.export import write_site
    from reportkit.export.index import UNITS_ON_ONE_PAGE

    entries = []
    for name in MANY_WARDS[:UNITS_ON_ONE_PAGE]:
        record = copy.deepcopy(synthetic.RECORD)
        record["document"]["unit"] = name
        entries.append(_entry(tmp_path, f"{len(entries)}/2022-H2", record))
    (page,) = write_site(tmp_path, entries)
    soup = BeautifulSoup(page.read_text(), "html.parser")
    assert len(soup.select("section.unit")) == UNITS_ON_ONE_PAGE and not soup.select(".units")


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
    assert soup.select_one("footer.rk-provenance").h2.get_text() == "Nguồn số liệu"
    assert "<script" not in page.lower() and _external_references(page) == []
    assert "REMOVED-CELL-MARKER" not in page and "STDERR-MARKER" not in page
    assert "6 tháng cuối năm 2022" in soup.select_one("footer.rk-provenance").p.get_text()


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


# --- line breaks and lists ------------------------------------------------------------------------------------


def test_kept_words_are_nowrap_spans_on_the_page_only(exporter, notebook):
    """ "6 tháng", "năm 2022", "(tổ 5,", "người/tổ" each in a nowrap span on the page (headings, prose, the title,
    the phụ lục, captions); table cells, the article and the record stay plain text, with no no-break or
    zero-width character."""
    nb = _with_cells(
        notebook,
        new_markdown_cell(
            "# III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2022\n\n"
            "Ưu tiên (tổ 5, Tổ 9), bình quân 148,3 người/tổ; `tổ 5` như đã gõ."
        ),
        at=-1,
    )
    page = exporter.html(nb, synthetic.RUN_INFO)
    soup = BeautifulSoup(page, "html.parser")
    kept = [s.get_text() for s in soup.select("span.rk-nb")]
    assert {"6 THÁNG CUỐI NĂM 2022", "(tổ 5,", "Tổ 9),", "148,3 người/tổ;"} <= set(
        kept
    )  # a heading: the period whole
    subject = [s.get_text() for s in soup.select(".rk-subject span.rk-nb")]  # the title's trích yếu
    assert any(text.startswith("6 tháng ") for text in subject), subject
    assert not soup.select("td span.rk-nb, th span.rk-nb, code span.rk-nb")
    assert ".rk-nb{white-space:nowrap}" in soup.style.get_text()
    assert "Ưu tiên (tổ 5, Tổ 9), bình quân 148,3 người/tổ;" in visible_text(page)
    article = exporter.article(nb)
    assert "rk-nb" not in article and "\xa0" not in article and "\u2060" not in article
    assert "\xa0" not in page and "\u2060" not in page
    assert "rk-nb" not in str(exporter.report_record(nb))


def test_lists_print_as_body_paragraphs_and_stay_lists_on_a_phone(page):
    """NĐ 30: the analyst's "- …" lines are body paragraphs (no hanging indent, the body's 1 cm first line); on a
    phone the markers hang in the margin again."""
    css = BeautifulSoup(page, "html.parser").style.get_text()
    assert ".rk-body ul,.rk-body ol{margin:0;padding-left:0;text-align:justify}" in css
    assert ".rk-body li{list-style-position:inside;text-indent:1cm;margin:0 0 .428571rem}" in css
    phone = css.split("@media screen and (max-width:36rem){", 1)[1].split("@page", 1)[0]
    assert ".rk-body li{list-style-position:outside;text-indent:0}" in phone


def test_the_pdf_keeps_words_together_with_no_break_spaces_not_spans():
    """130 nowrap spans made WeasyPrint lay the 2022-H1 PDF out in 0.53 s instead of 0.37 s: the PDF gets the kept
    groups' spaces as U+00A0 (as the Word file has them); a group with a slash keeps its span."""
    from reportkit.export.sanitize import keep_lines_together, no_break_spaces

    page = keep_lines_together("<p>Phương hướng 6 tháng cuối năm 2022 (148,3 người/tổ) &amp; tổ 5.</p>")
    assert no_break_spaces(page) == (
        '<p>Phương hướng 6\u00a0tháng cuối năm\u00a02022 <span class="rk-nb">(148,3 người/tổ)</span> &amp; '
        "tổ\u00a05.</p>"
    )


def test_a_heading_keeps_the_name_of_its_period_on_one_line():
    """ "… CÁC PHƯỜNG 6 THÁNG ĐẦU / NĂM 2022" is how a văn thư never breaks a title: in a heading the period's
    whole name is one group (and its 6 is not read as "Phường 6"); running text keeps only "6 tháng", "năm 2022"."""
    from reportkit.export.sanitize import keep_lines_together

    page = keep_lines_together(
        "<h2>II. KẾT QUẢ CÔNG TÁC MẶT TRẬN CÁC PHƯỜNG 6 THÁNG ĐẦU NĂM 2022</h2><p>trong 6 tháng đầu năm 2022</p>"
    )
    assert page == (
        '<h2>II. KẾT QUẢ CÔNG TÁC MẶT TRẬN CÁC PHƯỜNG <span class="rk-nb">6 THÁNG ĐẦU NĂM 2022</span></h2>'
        '<p>trong <span class="rk-nb">6 tháng</span> đầu <span class="rk-nb">năm 2022</span></p>'
    )
