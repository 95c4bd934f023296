"""The Word file: NĐ 30 layout read back with python-docx, the reference template, bad inputs, reproducibility."""

from __future__ import annotations

import copy
import importlib.util
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from reportkit.core import content
from reportkit.export import ExportError, ReportExporter
from reportkit.export import reference as ref
from reportkit.export.docx import PROJECT_TEMPLATE, WordBuilder, build_docx, end_marked, template_for

_spec = importlib.util.spec_from_file_location(
    "export_word", Path(__file__).parent / "export_fixtures" / "word.py"
)
word = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(word)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def notebook():
    return word.report_notebook()


@pytest.fixture(scope="module")
def made(notebook):
    data = ReportExporter().docx(notebook)
    return data, docx.Document(io.BytesIO(data))


def _texts(doc, *, raw: bool = False) -> list[str]:
    """The paragraphs' texts as read (the no-break spaces that keep "6 tháng" on one line read as spaces)."""
    return [p.text if raw else p.text.replace("\xa0", " ") for p in doc.paragraphs]


def _part(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode("utf-8")


def test_styles_name_times_new_roman_and_vietnamese(made):
    _, doc = made
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    assert normal.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert round(normal.paragraph_format.first_line_indent.mm, 1) == 10.0
    assert normal.paragraph_format.space_after == Pt(6)
    lang = normal.element.find(f"{W}rPr/{W}lang")
    assert lang.get(f"{W}val") == "vi-VN"
    assert doc.core_properties.language == "vi-VN"
    assert doc.core_properties.title == word.RECORD["document"]["title"]


def test_a4_decree_margins_and_page_numbers_from_page_two(made):
    _, doc = made
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= section.top_margin.mm <= 25 and 20 <= section.bottom_margin.mm <= 25
    assert 30 <= section.left_margin.mm <= 35 and 15 <= section.right_margin.mm <= 20
    assert section.different_first_page_header_footer
    header = section.header._element
    assert "PAGE" in "".join(t.text for t in header.iter(f"{W}instrText"))
    assert header.find(f".//{W}txbxContent") is None  # a field in the header paragraph, not a text box
    assert section.header.paragraphs[0].alignment in (None, WD_ALIGN_PARAGRAPH.CENTER)
    assert section.header.paragraphs[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert section.first_page_header.paragraphs[0].text == ""


def test_header_block_is_a_borderless_two_column_table(made):
    _, doc = made
    head = doc.tables[0]
    assert len(head.columns) == 2 and head.style.name == "Bảng bố cục"
    assert head.style.element.find(f"{W}tblPr/{W}tblBorders") is None
    left, right = (cell for cell in head.rows[0].cells)
    assert [p.text for p in left.paragraphs if p.text] == [
        "ỦY BAN MTTQ VIỆT NAM",
        "PHƯỜNG HÒA BÌNH",
        "BAN THƯỜNG TRỰC",
    ]
    assert [p.style.name for p in left.paragraphs] == [
        "Cơ quan chủ quản",
        "Cơ quan chủ quản",
        "Cơ quan ban hành",
        "Đường kẻ ngắn",
    ]
    rule = left.paragraphs[-1]
    assert rule.style.element.find(f"{W}pPr/{W}pBdr/{W}bottom") is not None
    indent = rule._p.find(f"{W}pPr/{W}ind")
    assert int(indent.get(f"{W}left")) > 0 and indent.get(f"{W}left") == indent.get(f"{W}right")
    assert [p.text for p in right.paragraphs] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    assert right.paragraphs[1].style.font.underline and right.paragraphs[1].style.font.bold
    number, place = head.rows[1].cells
    assert number.paragraphs[0].text == "Số: 05/BC-MTTQ-BTT"
    assert place.paragraphs[0].text == "Hòa Bình, ngày 05 tháng 01 năm 2023"
    assert place.paragraphs[0].style.font.italic


def test_title_headings_body_and_end_mark(made):
    _, doc = made
    texts = _texts(doc)
    assert texts[:2] == ["BÁO CÁO", "Kết quả công tác Mặt trận 6 tháng cuối năm 2022"]
    styles = {p.text.replace("\xa0", " "): p.style.name for p in doc.paragraphs}
    assert styles["BÁO CÁO"] == "Tên loại văn bản"
    assert styles["I. KẾT QUẢ ĐẠT ĐƯỢC"] == "Heading 1"  # "##" in the notebook: the body's top level
    assert styles["1. Công tác tuyên truyền"] == "Heading 2"
    assert styles["Phụ lục"] == "Heading 1"
    heading = doc.styles["Heading 1"]
    assert heading.element.find(f"{W}pPr/{W}outlineLvl").get(f"{W}val") == "0"
    body = next(p for p in doc.paragraphs if p.text.startswith("Mặt trận phường đã cử"))
    assert body.style.name == "Normal"
    assert [r.text for r in body.runs if r.bold] == ["14\xa0lượt cán bộ"]  # kept across runs
    italic = next(p for p in doc.paragraphs if p.text.startswith("Số liệu trong báo cáo"))
    assert all(r.italic for r in italic.runs)
    closing = next(p for p in doc.paragraphs if p.text.startswith("Trên đây là báo cáo"))
    assert closing.text.endswith("phường Hòa Bình./.")
    assert sum("./." in t for t in texts) == 1


def test_lists_are_word_lists_and_each_numbered_list_restarts(made):
    data, doc = made
    bullets = [p for p in doc.paragraphs if p.style.name == "List Bullet"]
    numbered = [p for p in doc.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in bullets] == [
        "Tiếp tục củng cố, kiện toàn Ban Công tác Mặt trận;",
        "Tổ chức Ngày hội Đại đoàn kết toàn dân tộc.",
    ]
    assert [p.text for p in numbered] == ["Rà soát hộ nghèo, hộ cận nghèo;", "Vận động Quỹ “Vì người nghèo”."]
    num_id = numbered[0]._p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val")
    numbering = _part(data, "word/numbering.xml")
    assert re.search(rf'<w:num w:numId="{num_id}">.*?<w:startOverride w:val="1"/>', numbering)
    assert re.search(r'w:lvlText w:val="-"', numbering)


def test_signature_block_is_a_borderless_table(made):
    _, doc = made
    sign = doc.tables[1]
    assert sign.style.name == "Bảng bố cục"
    left, right = sign.rows[0].cells
    assert [p.text for p in left.paragraphs] == [
        "Nơi nhận:",
        "- Ban Thường trực UBMTTQ thành phố;",
        "- Đảng ủy, UBND phường;",
        "- Lưu: VT.",
    ]
    assert left.paragraphs[0].style.font.italic and left.paragraphs[0].style.font.size == Pt(12)
    assert left.paragraphs[1].style.font.size == Pt(11)
    assert [p.text for p in right.paragraphs] == ["TM. BAN THƯỜNG TRỰC", "CHỦ TỊCH", "Trần Thị Ánh Tuyết"]
    assert right.paragraphs[2].style.paragraph_format.space_before >= Mm(20)  # room for signature and seal


def test_appendix_after_the_signature_on_a_new_page_numbered_on_its_own(made):
    _, doc = made
    assert len(doc.sections) == 2
    appendix = doc.sections[1]
    assert appendix.start_type == docx.enum.section.WD_SECTION.NEW_PAGE
    assert appendix._sectPr.find(f"{W}pgNumType").get(f"{W}start") == "1"
    body = doc.element.body
    order = [el.tag.split("}")[1] for el in body]
    sign_index = list(body).index(doc.tables[1]._tbl)
    appendix_heading = next(p for p in doc.paragraphs if p.text == "Phụ lục")._p
    assert list(body).index(appendix_heading) > sign_index
    assert order.count("tbl") == 3


def test_the_annex_heading_and_its_reference_line_are_centred_as_on_the_page(made):
    """NĐ 30, Phụ lục I: "Phụ lục" and the "(Kèm theo …)" line are centred, not indented — the body's headings are
    not (a Word file that put them left read differently from its PDF)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    _, doc = made
    word = next(p for p in doc.paragraphs if p.text == "Phụ lục")
    line = next(p for p in doc.paragraphs if p.text.startswith("(Kèm theo Báo cáo số 05/BC-MTTQ-BTT"))
    for p in (word, line):
        assert p.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER, p.text
        assert p.paragraph_format.first_line_indent == 0, p.text
    assert all(r.italic for r in line.runs if r.text.strip())
    body_heading = next(p for p in doc.paragraphs if p.text == "I. KẾT QUẢ ĐẠT ĐƯỢC")
    assert body_heading.paragraph_format.alignment is None  # the style's: left


def test_appendix_table_is_a_real_word_table(made):
    _, doc = made
    table = doc.tables[2]
    title = table._tbl.getprevious()
    assert "".join(t.text for t in title.iter(f"{W}t")) == "Bảng\xa01. Kết quả theo tổ dân phố"
    assert [c.text for c in table.rows[0].cells] == ["Tổ dân phố", "Buổi tuyên truyền", "Lượt người dân"]
    assert table.rows[0]._tr.find(f"{W}trPr/{W}tblHeader") is not None  # repeated on every page
    assert table.rows[0]._tr.find(f"{W}trPr/{W}cantSplit") is not None
    assert [c.text for c in table.rows[-1].cells] == ["Tổng cộng", "12", "1.210"]
    assert all(r.bold for c in table.rows[-1].cells for p in c.paragraphs for r in p.runs)
    number = table.rows[1].cells[2].paragraphs[0]
    assert number.text == "121" and number.style.name == "Số trong bảng"
    assert number.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert table.rows[1].cells[0].paragraphs[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert table.style.name == "Table Grid"


def test_chart_is_a_picture_with_its_alt_text(made):
    data, doc = made
    assert len(doc.inline_shapes) == 1
    shape = doc.inline_shapes[0]
    assert shape.width <= Mm(ref.TEXT_WIDTH_MM)
    doc_pr = shape._inline.docPr
    assert doc_pr.get("descr") == word.ALT
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and archive.read(media[0]).startswith(b"\x89PNG")
    caption = next(p for p in doc.paragraphs if p.text.startswith("Biểu\xa0đồ\xa01."))
    assert caption.style.name == "Caption"


def test_empty_document_number_keeps_the_gap_for_the_van_thu():
    record = copy.deepcopy(word.RECORD)
    record["document"]["number"] = "Số:     /BC-MTTQ-BTT"
    doc = docx.Document(io.BytesIO(build_docx(record, [])))
    assert doc.tables[0].rows[1].cells[0].paragraphs[0].text == "Số:     /BC-MTTQ-BTT"
    record["document"]["number"] = "12/BC-MTTQ-BTT"
    doc = docx.Document(io.BytesIO(build_docx(record, [])))
    assert doc.tables[0].rows[1].cells[0].paragraphs[0].text == "Số: 12/BC-MTTQ-BTT"


def test_a_record_missing_keys_still_makes_a_document():
    partial = {"document": {"subject": "Kết quả tháng 3 năm 2023", "recipients": ["Lưu: VT."]}}
    doc = docx.Document(io.BytesIO(build_docx(partial, [content.Text("Đoạn văn.")])))
    texts = _texts(doc)
    assert "BÁO CÁO" in texts and "Kết quả tháng 3 năm 2023" in texts and "Đoạn văn./." in texts
    assert [p.text for p in doc.tables[-1].rows[0].cells[0].paragraphs] == ["Nơi nhận:", "- Lưu: VT."]
    empty = docx.Document(io.BytesIO(build_docx({}, [content.Text("# Tiêu đề\n\nNội dung")])))
    assert _texts(empty) == ["Báo cáo", "Tiêu đề", "Nội dung./."]
    assert empty.tables == []


def test_hostile_markdown_and_html_stay_text():
    hostile = (
        "Đoạn có <script>alert('x')</script> **đậm** [trang](javascript:alert(1)) "
        '![ảnh](http://evil.example/x.png) <img src="http://evil.example/y.png" onerror="alert(2)"> '
        "&lt;b&gt; \\*sao\\*\n\n<iframe src='http://evil.example'></iframe>"
    )
    data = build_docx(word.RECORD, [content.Text(hostile)])
    doc = docx.Document(io.BytesIO(data))
    text = "\n".join(_texts(doc))
    assert "<script>alert('x')</script>" in text and "<iframe src='http://evil.example'></iframe>" in text
    assert '<img src="http://evil.example/y.png" onerror="alert(2)">' in text
    assert "đậm trang ảnh" in text and "<b> *sao*" in text
    bold = [r.text for p in doc.paragraphs for r in p.runs if r.bold]
    assert bold == ["đậm"]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert not [n for n in archive.namelist() if n.startswith("word/media/")]
        rels = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".rels"))
    assert "External" not in rels and "evil" not in rels
    assert "hyperlink" not in _part(data, "word/document.xml")


def test_a_chart_without_png_keeps_its_alt_text():
    svg = content.Figure(
        mime="image/svg+xml",
        data=b"<svg/>",
        alt="Biểu đồ cột: 3 tổ",
        title="Biểu đồ 1. Tổ",
        images={"image/svg+xml": b"<svg/>"},
    )
    broken = content.Figure(
        mime="image/png",
        data=b"\x89PNG not really",
        alt="Ảnh hỏng",
        title="",
        images={"image/png": b"\x89PNG not really"},
    )
    doc = docx.Document(io.BytesIO(build_docx(word.RECORD, [svg, broken])))
    texts = _texts(doc)
    assert "[Biểu đồ cột: 3 tổ]" in texts and "Biểu đồ 1. Tổ" in texts and "[Ảnh hỏng]" in texts
    assert len(doc.inline_shapes) == 0


def test_ragged_tables_and_other_html_are_kept():
    table = content.Table(
        title="Bảng 2. Lệch",
        header=["Tổ", "Số"],
        rows=[["Tổ 1"], ["Tổ 2", "3", "thừa"]],
        footer=None,
        numeric=[False, True],
    )
    frame = content.Html(
        "<table><caption>Bảng 3. Khung</caption><tr><th>Cột</th></tr><tr><td>ô 1</td></tr></table>"
        "<ul><li><p>mục <i>một</i></p></li></ul><p>Ghi chú <b>x</b></p>"
    )
    doc = docx.Document(io.BytesIO(build_docx(word.RECORD, [table, frame])))
    ragged = doc.tables[1]
    assert [[c.text for c in row.cells] for row in ragged.rows] == [
        ["Tổ", "Số", ""],
        ["Tổ 1", "", ""],
        ["Tổ 2", "3", "thừa"],
    ]
    assert [[c.text for c in row.cells] for row in doc.tables[2].rows] == [["Cột"], ["ô 1"]]
    texts = _texts(doc)
    assert "Bảng 3. Khung" in texts and texts.count("mục một") == 1
    assert "Ghi chú x./." in texts  # the fragment ends with a paragraph: "./." on it, as the page


def test_end_mark_as_on_the_page():
    assert end_marked("… tổ chức thực hiện.") == "… tổ chức thực hiện./."
    assert end_marked("… tổ chức thực hiện") == "… tổ chức thực hiện./."
    assert end_marked("… thực hiện./.  ") == "… thực hiện./.  "
    doc = docx.Document(io.BytesIO(build_docx(word.RECORD, [content.Text("Đoạn.\n\n- mục một")])))
    texts = _texts(doc)
    assert texts.index("./.") == texts.index("mục một") + 1  # after a list: a line of its own, as the page


def test_error_cells_stop_the_word_file_like_the_page():
    nb = word.report_notebook(long=False)
    nb.cells[2] = __import__("nbformat").v4.new_code_cell(
        "1/0",
        outputs=[
            __import__("nbformat").v4.new_output("error", ename="ZeroDivisionError", evalue="x", traceback=[])
        ],
    )
    with pytest.raises(ExportError, match="ZeroDivisionError"):
        ReportExporter().docx(nb)


def test_byte_identical_under_source_date_epoch(monkeypatch, notebook):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1672887600")  # 2023-01-05 03:00 UTC, 10:00 in Vietnam
    first = ReportExporter().docx(notebook)
    second = WordBuilder().build(word.RECORD, content.blocks(notebook))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 1, 5, 10, 0, 0)}
    assert "<dcterms:created" in _part(first, "docProps/core.xml")
    assert "2023-01-05T03:00:00Z" in _part(first, "docProps/core.xml")


def test_the_shipped_reference_is_what_the_script_makes(tmp_path):
    assert ref.REFERENCE.read_bytes() == ref.reference_bytes()
    written = ref.make_reference(tmp_path / "mine.docx")
    assert written.read_bytes() == ref.REFERENCE.read_bytes()


def _with_body_font(path: Path, font: str) -> Path:
    """A copy of the shipped template whose Normal style names another font (what a ward does in Word)."""
    with zipfile.ZipFile(ref.REFERENCE) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/styles.xml":
                text = data.decode("utf-8")
                start = text.index('w:styleId="Normal"')
                end = text.index("</w:style>", start)
                text = text[:start] + text[start:end].replace("Times New Roman", font) + text[end:]
                data = text.encode("utf-8")
            target.writestr(info, data)
    return path


def test_a_template_with_another_body_font_changes_that_and_nothing_else(tmp_path, notebook, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1672887600")
    project = tmp_path / "du-an"
    (project / "templates").mkdir(parents=True)
    _with_body_font(project / PROJECT_TEMPLATE, "Liberation Sans")
    assert template_for(project) == project / PROJECT_TEMPLATE
    assert template_for(tmp_path / "khong-co") == ref.REFERENCE
    exporter = ReportExporter()
    shipped = exporter.docx(notebook)
    own = exporter.docx(notebook, template=template_for(project))
    assert docx.Document(io.BytesIO(own)).styles["Normal"].font.name == "Liberation Sans"
    with zipfile.ZipFile(io.BytesIO(shipped)) as a, zipfile.ZipFile(io.BytesIO(own)) as b:
        assert a.namelist() == b.namelist()
        assert [n for n in a.namelist() if a.read(n) != b.read(n)] == ["word/styles.xml"]
        assert _only_normal_font_differs(a.read("word/styles.xml"), b.read("word/styles.xml"))


def _only_normal_font_differs(a: bytes, b: bytes) -> bool:
    from lxml import etree

    ta, tb = etree.fromstring(a), etree.fromstring(b)
    fonts_a = ta.find(f'{W}style[@{W}styleId="Normal"]/{W}rPr/{W}rFonts')
    fonts_b = tb.find(f'{W}style[@{W}styleId="Normal"]/{W}rPr/{W}rFonts')
    fonts_b.attrib.update(fonts_a.attrib)
    return etree.tostring(ta) == etree.tostring(tb)


def test_a_template_without_reportkit_styles_gets_them(tmp_path, notebook):
    plain = tmp_path / "plain.docx"
    docx.Document().save(plain)  # python-docx's own default: Word's styles, none of reportkit's
    doc = docx.Document(io.BytesIO(ReportExporter().docx(notebook, template=plain)))
    names = {p.style.name for p in doc.paragraphs}
    assert {"Tên loại văn bản", "Heading 1", "List Bullet", "Caption"} <= names
    bullets = [p for p in doc.paragraphs if p.style.name == "Cơ quan chủ quản"]
    assert bullets == []  # they are inside the header table
    assert doc.tables[0].rows[0].cells[0].paragraphs[0].style.name == "Cơ quan chủ quản"


def test_list_items_are_body_paragraphs_in_word(made):
    """The analyst's "- …" and "1. …" lines: Word lists (the numbers follow an edit) laid out as body paragraphs —
    the marker and a space at the 1 cm first-line indent, the next lines at the margin, 6 pt after, justified."""
    data, doc = made
    numbering = _part(data, "word/numbering.xml")
    levels = re.findall(r"<w:lvl [^>]*>.*?</w:lvl>", numbering)
    assert levels
    for level in levels:
        assert '<w:suff w:val="space"/>' in level
        assert re.search(r'<w:ind w:left="0" w:firstLine="567"/>', level), level
        assert "w:hanging" not in level
    for name in ("List Bullet", "List Number"):
        style = doc.styles[name]
        assert style.paragraph_format.space_after is None  # the body's 6 pt (Normal)
        assert style.base_style.name == "Normal"


def test_kept_words_are_joined_by_no_break_spaces_in_word():
    """ "6 tháng", "năm 2022", "tổ 5", "Bảng 1." never split over two lines in Word: a no-break space (U+00A0, no
    invisible character) between them in the Word file only; the record keeps its plain text."""
    from reportkit.export.docx import kept_together

    nb = word.report_notebook()
    record = copy.deepcopy(ReportExporter.report_record(nb))
    blocks = list(content.blocks(nb))
    blocks.insert(
        1,
        content.Text(
            markdown="## III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2022\n\n"
            "Ưu tiên **tổ 3**, tổ 7 và Tổ 9, bình quân 148,3 người/tổ; giảm 4 (16,7%).\n\n- Hướng dẫn 10/10 tổ dân phố.",
            part=content.BODY,
        ),
    )
    data = build_docx(record, blocks)
    doc = docx.Document(io.BytesIO(data))
    texts = _texts(doc, raw=True)
    # a heading keeps the period's whole name on one line; running text only its short groups
    assert "III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6\xa0THÁNG\xa0CUỐI\xa0NĂM\xa02022" in texts
    assert "Ưu tiên tổ\xa03, tổ\xa07 và Tổ\xa09, bình quân 148,3\xa0người/tổ; giảm 4 (16,7%)." in texts
    assert "Hướng dẫn 10/10\xa0tổ dân phố." in texts
    # the header block and the tables are as typed; the record is untouched
    assert doc.tables[0].rows[1].cells[1].paragraphs[0].text == "Hòa Bình, ngày 05 tháng 01 năm 2023"
    assert all("\xa0" not in c.text for t in doc.tables[2:] for r in t.rows for c in r.cells)
    assert "\xa0" not in str(record)
    assert kept_together(["a ", "b"]) == ["a ", "b"]
