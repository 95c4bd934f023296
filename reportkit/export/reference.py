"""The reference Word template: the styles, page set-up and page-number header of every .docx reportkit writes.

``python -m reportkit.export make-reference`` writes ``templates/reference.docx`` from this module, byte for byte
the same on every run (fixed zip times and dates), so the shipped file is what this code says. A ward that wants
its own look (another font, a logo in the first page's header) edits a copy in Word and puts it in its project as
``templates/reference.docx``; the export takes its styles, page set-up and headers, and adds from the shipped one
only the styles the copy lacks.

Sizes follow Nghị định 30/2020/NĐ-CP, Phụ lục I (see ``../shared/reference/vietnamese-rules.md`` §1) and match the
PDF's ``report.css``, so the Word file and the PDF look alike: A4; margins top/bottom 20 mm, left 30 mm, right 15 mm;
Times New Roman; body 14 pt, justified, first-line indent 1 cm, 6 pt after each paragraph; page numbers 13 pt,
centred in the top margin, none on the first page.
"""

from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

__all__ = ["REFERENCE", "STYLES", "make_reference", "normalise_zip", "reference_bytes"]

REFERENCE = Path(__file__).with_name("templates") / "reference.docx"
# The shipped template's own time stamp: a constant, so regenerating it changes nothing unless the code did.
_REFERENCE_DATE = (2024, 1, 1, 0, 0, 0)
FONT = "Times New Roman"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS = f'xmlns:w="{W}" xmlns:r="{R}"'
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def twips(mm: float) -> int:
    """Millimetres in twentieths of a point (Word's unit for page set-up and indents)."""
    return round(mm / 25.4 * 1440)


def _at_least(mm: float) -> int:
    # A margin of the decree's minimum must not round below it (15 mm is 850,4 twips).
    return math.ceil(mm / 25.4 * 1440)


# Page set-up (Phụ lục I: top and bottom 20–25 mm, left 30–35 mm, right 15–20 mm), as the PDF's @page.
PAGE_MM = {"width": 210, "height": 297, "top": 20, "bottom": 20, "left": 30, "right": 15, "header": 10}
TEXT_WIDTH_MM = PAGE_MM["width"] - PAGE_MM["left"] - PAGE_MM["right"]

# Style id → (type, Vietnamese name shown in Word, based on, pPr, rPr, extra). Built-in styles keep Word's own
# names ("heading 1", "caption"…) so Word shows them translated and the navigation pane and a table of contents
# find the headings; reportkit's own styles for the parts of an NĐ 30 document carry Vietnamese names.
_CENTRE = (
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="center"/>'
)
_LEFT = '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="left"/>'


def _size(pt: float) -> str:
    return f'<w:sz w:val="{round(pt * 2)}"/><w:szCs w:val="{round(pt * 2)}"/>'


_BOLD = "<w:b/><w:bCs/>"
_ITALIC = "<w:i/><w:iCs/>"
_FONTS = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
_LANG = '<w:lang w:val="vi-VN" w:eastAsia="vi-VN" w:bidi="ar-SA"/>'


def _heading(level: int) -> tuple:
    # Parts "I. …" and sections "1. …" in bold (Phụ lục I, headings of reports); deeper levels bold italic as on
    # the page. 12 pt before and 6 pt after, kept with the next paragraph.
    return (
        "paragraph",
        f"heading {level}",
        "Normal",
        '<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="120"/><w:ind w:firstLine="0"/>'
        f'<w:jc w:val="left"/><w:outlineLvl w:val="{level - 1}"/>',
        _BOLD + (_ITALIC if level >= 3 else ""),
        '<w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:qFormat/>',
    )


STYLES: dict[str, tuple] = {
    # Body (Phụ lục I: 13–14 pt, justified, first-line indent 1 cm or 1,27 cm, ≥ 6 pt between paragraphs, line
    # spacing single to 1,5 lines): 14 pt, 1 cm, 6 pt after, 1,1 lines (≈ the PDF's 1,25 × 14 pt).
    "Normal": (
        "paragraph",
        "Normal",
        None,
        '<w:widowControl/><w:spacing w:after="120" w:line="264" w:lineRule="auto"/><w:ind w:firstLine="567"/>'
        '<w:jc w:val="both"/>',
        _FONTS + _size(14) + _LANG,
        "<w:qFormat/>",
    ),
    **{f"Heading{n}": _heading(n) for n in range(1, 7)},
    # A standalone "./." and paragraphs inside list items, quotes and tables: no first-line indent.
    "RkPlain": ("paragraph", "Đoạn không thụt đầu dòng", "Normal", '<w:ind w:firstLine="0"/>', "", ""),
    "Quote": (
        "paragraph",
        "Quote",
        "Normal",
        '<w:ind w:left="567" w:firstLine="0"/>',
        _ITALIC,
        '<w:uiPriority w:val="29"/><w:qFormat/>',
    ),
    # Lists: body paragraphs (justified, 6 pt after) whose first line starts with the marker and a space at the
    # body's 1 cm indent, the next lines at the margin (numbering.xml).
    "ListBullet": ("paragraph", "List Bullet", "Normal", '<w:numPr><w:numId w:val="1"/></w:numPr>', "", ""),
    "ListNumber": ("paragraph", "List Number", "Normal", '<w:numPr><w:numId w:val="2"/></w:numPr>', "", ""),
    # Page numbers: 13–14 pt, upright, centred in the top margin.
    "Header": ("paragraph", "header", "Normal", _CENTRE, _size(13), '<w:uiPriority w:val="99"/>'),
    # The header block (Mẫu 1.4): parent body 12–13 pt upright; issuing body 12–13 pt bold; Quốc hiệu 12–13 pt
    # bold; Tiêu ngữ 13–14 pt bold, with a rule the length of the text (an underline); Số 13 pt; place and date
    # 13–14 pt italic. Single spacing (the two lines of the Quốc hiệu are single-spaced).
    "RkParent": ("paragraph", "Cơ quan chủ quản", "Normal", _CENTRE, _size(12), ""),
    "RkIssuer": ("paragraph", "Cơ quan ban hành", "Normal", _CENTRE, _BOLD + _size(12), ""),
    "RkNational": ("paragraph", "Quốc hiệu", "Normal", _CENTRE, _BOLD + _size(12), ""),
    "RkMotto": ("paragraph", "Tiêu ngữ", "Normal", _CENTRE, _BOLD + _size(13) + '<w:u w:val="single"/>', ""),
    # A short solid rule: an empty, 1 pt high paragraph whose bottom border the indents shorten.
    "RkRule": (
        "paragraph",
        "Đường kẻ ngắn",
        "Normal",
        '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>'
        '<w:spacing w:before="60" w:after="0" w:line="20" w:lineRule="exact"/><w:ind w:firstLine="0"/>'
        '<w:jc w:val="center"/>',
        _size(1),
        "",
    ),
    "RkNumber": (
        "paragraph",
        "Số, ký hiệu",
        "Normal",
        '<w:spacing w:before="140" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/>'
        '<w:jc w:val="center"/>',
        _size(13),
        "",
    ),
    "RkPlaceDate": (
        "paragraph",
        "Địa danh và thời gian",
        "Normal",
        '<w:spacing w:before="140" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/>'
        '<w:jc w:val="center"/>',
        _ITALIC + _size(13),
        "",
    ),
    # Type name 13–14 pt bold upper case, summary 13–14 pt bold, a 1/3–1/2 rule under it.
    "RkType": (
        "paragraph",
        "Tên loại văn bản",
        "Normal",
        '<w:keepNext/><w:spacing w:before="420" w:after="0" w:line="240" w:lineRule="auto"/>'
        '<w:ind w:firstLine="0"/><w:jc w:val="center"/>',
        _BOLD,
        "",
    ),
    "RkSubject": ("paragraph", "Trích yếu", "Normal", "<w:keepNext/>" + _CENTRE, _BOLD, ""),
    # Nơi nhận: the label 12 pt bold italic, the list 11 pt upright; signer's authority, title and name 13–14 pt
    # bold, centred; room for the signature and seal between title and name (the PDF's 22 mm).
    "RkRecipientsLabel": ("paragraph", "Nơi nhận", "Normal", _LEFT, _BOLD + _ITALIC + _size(12), ""),
    "RkRecipient": ("paragraph", "Danh sách nơi nhận", "Normal", _LEFT, _size(11), ""),
    "RkSigner": ("paragraph", "Chức vụ người ký", "Normal", "<w:keepNext/>" + _CENTRE, _BOLD, ""),
    "RkSignerName": (
        "paragraph",
        "Họ tên người ký",
        "Normal",
        f'<w:spacing w:before="{twips(22)}" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/>'
        '<w:jc w:val="center"/>',
        _BOLD,
        "",
    ),
    # Tables (12 pt, as the PDF) and charts.
    "RkTableTitle": (
        "paragraph",
        "Tên bảng",
        "Normal",
        '<w:keepNext/><w:spacing w:before="120" w:after="80" w:line="240" w:lineRule="auto"/>'
        '<w:ind w:firstLine="0"/><w:jc w:val="center"/>',
        _BOLD + _size(12),
        "",
    ),
    "RkTableText": ("paragraph", "Chữ trong bảng", "Normal", _LEFT, _size(12), ""),
    "RkTableHeading": (
        "paragraph",
        "Tiêu đề cột",
        "RkTableText",
        '<w:keepNext/><w:jc w:val="center"/>',
        _BOLD,
        "",
    ),
    "RkTableNumber": ("paragraph", "Số trong bảng", "RkTableText", '<w:jc w:val="right"/>', "", ""),
    "RkFigure": (
        "paragraph",
        "Hình",
        "Normal",
        '<w:keepNext/><w:spacing w:before="120" w:after="40" w:line="240" w:lineRule="auto"/>'
        '<w:ind w:firstLine="0"/><w:jc w:val="center"/>',
        "",
        "",
    ),
    "Caption": (
        "paragraph",
        "caption",
        "Normal",
        '<w:spacing w:after="160" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="center"/>',
        _ITALIC + _size(13),
        '<w:uiPriority w:val="35"/><w:qFormat/>',
    ),
}

_TABLE_STYLES = (
    '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
    '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
    '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
    '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
    # Report tables: 0,75 pt black grid, as the PDF.
    '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:basedOn w:val="TableNormal"/>'
    '<w:uiPriority w:val="39"/><w:tblPr><w:tblBorders>'
    + "".join(
        f'<w:{side} w:val="single" w:sz="6" w:space="0" w:color="000000"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + '</w:tblBorders><w:tblCellMar><w:top w:w="20" w:type="dxa"/><w:left w:w="80" w:type="dxa"/>'
    '<w:bottom w:w="20" w:type="dxa"/><w:right w:w="80" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
    # The header block and the signature block: tables without borders.
    '<w:style w:type="table" w:customStyle="1" w:styleId="RkLayout"><w:name w:val="Bảng bố cục"/>'
    '<w:basedOn w:val="TableNormal"/><w:tblPr><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
    '<w:left w:w="57" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
    "</w:tblCellMar></w:tblPr></w:style>"
)


def _style_xml(style_id: str, spec: tuple) -> str:
    kind, name, based_on, ppr, rpr, extra = spec
    custom = ' w:customStyle="1"' if style_id.startswith("Rk") else ""
    default = ' w:default="1"' if style_id == "Normal" else ""
    parts = [
        f'<w:style w:type="{kind}"{default}{custom} w:styleId="{style_id}">',
        f"<w:name w:val={quoteattr(name)}/>",
    ]
    if based_on:
        parts.append(f'<w:basedOn w:val="{based_on}"/>')
    parts.append(extra)
    if ppr:
        parts.append(f"<w:pPr>{ppr}</w:pPr>")
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    parts.append("</w:style>")
    return "".join(parts)


def styles_xml() -> str:
    # The font and the language are named in the defaults and in Normal only: every other style inherits them,
    # so a template whose Normal names another font changes the font of the whole document and nothing else.
    return (
        f"{_DECL}<w:styles {_NS}><w:docDefaults><w:rPrDefault><w:rPr>{_FONTS}{_size(14)}{_LANG}</w:rPr>"
        '</w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        "</w:pPrDefault></w:docDefaults>"
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/>'
        "</w:style>"
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>'
        + "".join(_style_xml(k, v) for k, v in STYLES.items())
        + _TABLE_STYLES
        + "</w:styles>"
    )


def _levels(fmt: str, text: str) -> str:
    # A list item is an ordinary body paragraph (NĐ 30, Phụ lục I), as the analyst's "- …" lines are typed in an
    # official text: the marker and a space where the body's first-line indent ends, the next lines at the margin.
    levels = []
    for level in range(9):
        marker = text.replace("%", f"%{level + 1}") if fmt != "bullet" else text
        levels.append(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:suff w:val="space"/>'
            f"<w:lvlText w:val={quoteattr(marker)}/>"
            f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="0" w:firstLine="{twips(10)}"/></w:pPr></w:lvl>'
        )
    return "".join(levels)


def numbering_xml() -> str:
    # Bullets are "-" as Vietnamese administrative texts write them (and as the PDF's list markers); numbered
    # lists "1.", each list restarting at its own first number (the export adds one w:num per list).
    return (
        f"{_DECL}<w:numbering {_NS}>"
        f'<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/>{_levels("bullet", "-")}'
        "</w:abstractNum>"
        f'<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>{_levels("decimal", "%.")}'
        "</w:abstractNum>"
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        "</w:numbering>"
    )


def page_number_header() -> str:
    """The header of page 2 onwards: the page number as a PAGE field, centred (not a text box)."""
    return (
        f'{_DECL}<w:hdr {_NS}><w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText>'
        '</w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>2</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>'
    )


def first_page_header() -> str:
    """The first page's header: empty (Phụ lục I: the first page shows no number); a ward may put its logo here."""
    return f'{_DECL}<w:hdr {_NS}><w:p><w:pPr><w:pStyle w:val="Header"/></w:pPr></w:p></w:hdr>'


def section_xml() -> str:
    """A4 portrait, NĐ 30 margins, the header 10 mm from the top edge, a different first page."""
    p = PAGE_MM
    return (
        '<w:sectPr><w:headerReference w:type="default" r:id="rIdHeaderDefault"/>'
        '<w:headerReference w:type="first" r:id="rIdHeaderFirst"/>'
        f'<w:pgSz w:w="{twips(p["width"])}" w:h="{twips(p["height"])}"/>'
        f'<w:pgMar w:top="{_at_least(p["top"])}" w:right="{_at_least(p["right"])}" '
        f'w:bottom="{_at_least(p["bottom"])}" w:left="{_at_least(p["left"])}" w:header="{twips(p["header"])}" '
        f'w:footer="{twips(p["header"])}" '
        'w:gutter="0"/><w:pgNumType w:start="1"/><w:cols w:space="708"/><w:titlePg/>'
        '<w:docGrid w:linePitch="360"/></w:sectPr>'
    )


# What the template's own body shows a ward that opens it in Word: one paragraph in each style. The export
# never copies it; it keeps only the template's styles, page set-up and headers.
_SAMPLE = [
    (
        "RkPlain",
        "Tệp mẫu kiểu dáng của reportkit. Sửa kiểu dáng (Styles) để đổi phông chữ, cỡ chữ, giãn dòng của "
        "tệp Word; đặt logo vào đầu trang của trang đầu. Nội dung dưới đây chỉ để xem thử, không được dùng.",
    ),
    ("RkParent", "ỦY BAN MTTQ VIỆT NAM"),
    ("RkIssuer", "BAN THƯỜNG TRỰC"),
    ("RkNational", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ("RkMotto", "Độc lập - Tự do - Hạnh phúc"),
    ("RkNumber", "Số: 01/BC-MTTQ-BTT"),
    ("RkPlaceDate", "Phường Mẫu, ngày 05 tháng 01 năm 2024"),
    ("RkType", "BÁO CÁO"),
    ("RkSubject", "Kết quả công tác Mặt trận năm 2023"),
    ("Heading1", "I. KẾT QUẢ ĐẠT ĐƯỢC"),
    ("Heading2", "1. Công tác tuyên truyền"),
    ("Normal", "Đoạn văn bản: căn đều hai lề, thụt đầu dòng 1 cm, cách đoạn sau 6 pt./."),
    ("ListBullet", "Gạch đầu dòng;"),
    ("RkTableTitle", "Bảng 1. Tên bảng"),
    ("Caption", "Biểu đồ 1. Chú thích biểu đồ"),
    ("RkRecipientsLabel", "Nơi nhận:"),
    ("RkRecipient", "- Lưu: VT."),
    ("RkSigner", "TM. BAN THƯỜNG TRỰC"),
    ("RkSignerName", "Họ và tên"),
]


def document_xml() -> str:
    body = "".join(
        f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t xml:space="preserve">{escape(text)}</w:t>'
        "</w:r></w:p>"
        for style, text in _SAMPLE
    )
    return f"{_DECL}<w:document {_NS}><w:body>{body}{section_xml()}</w:body></w:document>"


def _settings_xml() -> str:
    return (
        f'{_DECL}<w:settings {_NS}><w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/><w:compat>'
        '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
        '</w:compat><w:themeFontLang w:val="vi-VN"/><w:decimalSymbol w:val=","/><w:listSeparator w:val=";"/>'
        "</w:settings>"
    )


def _font_table_xml() -> str:
    return (
        f'{_DECL}<w:fonts {_NS}><w:font w:name="{FONT}"><w:panose1 w:val="02020603050405020304"/>'
        '<w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font></w:fonts>'
    )


_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"
_PARTS_CT = {
    "/word/document.xml": f"{_CT}.document.main+xml",
    "/word/styles.xml": f"{_CT}.styles+xml",
    "/word/numbering.xml": f"{_CT}.numbering+xml",
    "/word/settings.xml": f"{_CT}.settings+xml",
    "/word/fontTable.xml": f"{_CT}.fontTable+xml",
    "/word/header1.xml": f"{_CT}.header+xml",
    "/word/header2.xml": f"{_CT}.header+xml",
    "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    "/docProps/app.xml": "application/vnd.openxmlformats-officedocument.extended-properties+xml",
}
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _rels(items: list[tuple[str, str, str]]) -> str:
    rels = "".join(f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in items)
    return f'{_DECL}<Relationships xmlns="{_PKG}">{rels}</Relationships>'


def _parts() -> list[tuple[str, str]]:
    overrides = "".join(f'<Override PartName="{p}" ContentType="{ct}"/>' for p, ct in _PARTS_CT.items())
    content_types = (
        f'{_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{overrides}</Types>"
    )
    core = (
        f"{_DECL}<cp:coreProperties "
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>Mẫu kiểu dáng báo cáo (reportkit)</dc:title><dc:creator>reportkit</dc:creator>"
        "<dc:language>vi-VN</dc:language>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-01-01T00:00:00Z</dcterms:modified>'
        "</cp:coreProperties>"
    )
    app = (
        f"{_DECL}<Properties "
        'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>reportkit</Application></Properties>"
    )
    package_rels = _rels(
        [
            ("rId1", f"{_REL}/officeDocument", "word/document.xml"),
            ("rId2", f"{_PKG}/metadata/core-properties", "docProps/core.xml"),
            ("rId3", f"{_REL}/extended-properties", "docProps/app.xml"),
        ]
    )
    document_rels = _rels(
        [
            ("rIdStyles", f"{_REL}/styles", "styles.xml"),
            ("rIdNumbering", f"{_REL}/numbering", "numbering.xml"),
            ("rIdSettings", f"{_REL}/settings", "settings.xml"),
            ("rIdFonts", f"{_REL}/fontTable", "fontTable.xml"),
            ("rIdHeaderDefault", f"{_REL}/header", "header1.xml"),
            ("rIdHeaderFirst", f"{_REL}/header", "header2.xml"),
        ]
    )
    return [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", package_rels),
        ("docProps/core.xml", core),
        ("docProps/app.xml", app),
        ("word/_rels/document.xml.rels", document_rels),
        ("word/document.xml", document_xml()),
        ("word/styles.xml", styles_xml()),
        ("word/numbering.xml", numbering_xml()),
        ("word/settings.xml", _settings_xml()),
        ("word/fontTable.xml", _font_table_xml()),
        ("word/header1.xml", page_number_header()),
        ("word/header2.xml", first_page_header()),
    ]


def normalise_zip(data: bytes, date_time: tuple[int, int, int, int, int, int]) -> bytes:
    """The same zip with every entry stamped ``date_time`` and fixed attributes, in the same order.

    python-docx stamps entries with the time of saving; a report built twice from the same inputs must give the
    same bytes (``SOURCE_DATE_EPOCH``).
    """
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.create_system = 3
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def reference_bytes() -> bytes:
    """The shipped reference template's bytes, as this module defines it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _parts():
            archive.writestr(zipfile.ZipInfo(name, _REFERENCE_DATE), text.encode("utf-8"))
    return normalise_zip(out.getvalue(), _REFERENCE_DATE)


def make_reference(path: Path | str = REFERENCE) -> Path:
    """Write the reference template (default: the one reportkit ships) and return its path."""
    from reportkit.core.atomic import write_atomic

    return Path(write_atomic(Path(path), reference_bytes()))
