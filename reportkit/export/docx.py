"""The editable Word file: the report record's document block and the report's content as a .docx in the layout of
Nghị định 30/2020/NĐ-CP (Phụ lục I, Mẫu 1.4), built with python-docx on a reference template.

It is built from the record and :func:`reportkit.core.content.blocks` alone, never from the HTML page: Markdown is
parsed with mistune (the parser nbconvert uses) into Word paragraphs, headings and lists with bold and italic runs;
tables become Word tables, charts pictures with their alt text. Raw HTML in the Markdown stays text, and nothing is
ever fetched.

Every size and font lives in the template's styles (``reference.py``; a project may ship its own as
``templates/reference.docx``); the document itself carries only style names, the header block's rule lengths, table
widths and list numbering, so a template whose body font differs changes the body font and nothing else.
"""

from __future__ import annotations

import copy
import datetime as dt
import html as html_lib
import io
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from reportkit.core import clock, content
from reportkit.export import reference
from reportkit.export.typeface import text_width_pt
from reportkit.vn.text import keep_together, nfc, nfc_tree

__all__ = ["PROJECT_TEMPLATE", "WordBuilder", "build_docx", "template_for"]

# Where a project keeps its own template, relative to its folder.
PROJECT_TEMPLATE = Path("templates") / "reference.docx"
_END_MARK = "./."
_EMU_PER_MM = 36000
_EMU_PER_PX = 9525  # 914400 EMU per inch / 96 CSS px per inch
NO_BREAK_SPACE = "\u00a0"
# Paragraphs whose lines are not running text: the header block, the signature block, table cells.
_AS_TYPED = frozenset(
    {
        "RkParent", "RkIssuer", "RkNational", "RkMotto", "RkNumber", "RkPlaceDate", "RkRule", "RkRecipientsLabel",
        "RkRecipient", "RkSigner", "RkSignerName", "RkTableHeading", "RkTableNumber", "RkTableText",
    }
)  # fmt: skip


# Paragraphs that are titles: a period's whole name stays on one line ("6 THÁNG ĐẦU NĂM 2022").
_TITLE_STYLES = ("Heading", "RkType", "RkSubject", "RkTableTitle")


def kept_together(pieces: list[str], *, heading: bool = False) -> list[str]:
    """The runs' texts of one paragraph with a no-break space inside every group of words ``vn.text.keep_together``
    keeps on one line ("6 tháng", "tổ 5"), across runs: Word and LibreOffice honour U+00A0, and it is no invisible
    character (the proofreader flags those); it exists in the Word file only, the record keeps plain spaces.

    >>> kept_together(["nhiệm vụ 6 ", "tháng", " cuối năm 2022"])
    ['nhiệm vụ 6\xa0', 'tháng', ' cuối năm\xa02022']
    """
    whole = "".join(pieces)
    spans = keep_together(whole, heading=heading)
    if not spans:
        return pieces
    chars = list(whole)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] == " ":
                chars[i] = NO_BREAK_SPACE
    out, at = [], 0
    for piece in pieces:
        out.append("".join(chars[at : at + len(piece)]))
        at += len(piece)
    return out


def template_for(project: Path | str | None) -> Path:
    """The reference template of a project: its own ``templates/reference.docx``, else the one reportkit ships."""
    if project is not None:
        own = Path(project) / PROJECT_TEMPLATE
        if own.is_file():
            return own
    return reference.REFERENCE


def _w(tag: str) -> str:
    from docx.oxml.ns import qn

    return qn(f"w:{tag}")


def _el(tag: str, **attrs: str):
    from docx.oxml import OxmlElement

    element = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        element.set(_w(key), str(value))
    return element


class WordBuilder:
    """Builds .docx files; keeps each template's bytes and the reference's styles across reports (one per worker)."""

    def __init__(self) -> None:
        self._templates: dict[tuple[str, int, int], bytes] = {}
        self._reference_styles: dict[str, Any] | None = None
        self._reference_numbering: Any = None

    # --- the template ------------------------------------------------------------------------------------------

    def _template_bytes(self, path: Path) -> bytes:
        stat = os.stat(path)
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key not in self._templates:
            if len(self._templates) >= 8:
                self._templates.clear()
            self._templates[key] = Path(path).read_bytes()
        return self._templates[key]

    def _reference(self) -> tuple[dict[str, Any], Any]:
        if self._reference_styles is None:
            from lxml import etree

            styles = etree.fromstring(reference.styles_xml().encode("utf-8"))
            self._reference_styles = {s.get(_w("styleId")): s for s in styles.iter(_w("style"))}
            self._reference_numbering = etree.fromstring(reference.numbering_xml().encode("utf-8"))
        return self._reference_styles, self._reference_numbering

    def _complete_styles(self, doc) -> None:
        """Add to a project's template the reportkit styles it lacks (with their list numbering)."""
        ours, numbering = self._reference()
        styles = doc.styles.element
        have = {s.get(_w("styleId")) for s in styles.iter(_w("style"))}
        for style_id, element in ours.items():
            if style_id in have:
                continue
            added = copy.deepcopy(element)
            styles.append(added)
            num = added.find(f"{_w('pPr')}/{_w('numPr')}/{_w('numId')}")
            if num is not None:
                num.set(_w("val"), str(self._copy_numbering(doc, numbering, num.get(_w("val")))))

    @staticmethod
    def _copy_numbering(doc, numbering, num_id: str) -> int:
        ours = next(n for n in numbering.iter(_w("num")) if n.get(_w("numId")) == num_id)
        abstract_id = ours.find(_w("abstractNumId")).get(_w("val"))
        abstract = next(
            a for a in numbering.iter(_w("abstractNum")) if a.get(_w("abstractNumId")) == abstract_id
        )
        target = doc.part.numbering_part.element
        new_abstract = (
            max([int(a.get(_w("abstractNumId"))) for a in target.iter(_w("abstractNum"))] + [-1]) + 1
        )
        new_num = max([int(n.get(_w("numId"))) for n in target.iter(_w("num"))] + [0]) + 1
        added = copy.deepcopy(abstract)
        added.set(_w("abstractNumId"), str(new_abstract))
        existing = list(target.iter(_w("abstractNum")))
        if existing:
            existing[-1].addnext(added)
        else:
            target.insert(0, added)
        num = _el("num", numId=str(new_num))
        num.append(_el("abstractNumId", val=str(new_abstract)))
        target.append(num)
        return new_num

    # --- the document ------------------------------------------------------------------------------------------

    def build(
        self, record: Mapping, blocks: Iterable[content.Block], template: Path | str | None = None
    ) -> bytes:
        """The .docx bytes of a report: ``record`` (the report record, possibly partial) and its content blocks.

        Byte-identical for the same inputs under ``SOURCE_DATE_EPOCH`` (zip times and document dates from
        :mod:`reportkit.core.clock`).
        """
        import docx

        path = Path(template) if template is not None else reference.REFERENCE
        doc = docx.Document(io.BytesIO(self._template_bytes(path)))
        self._complete_styles(doc)
        body = doc.element.body
        section = body.find(_w("sectPr"))
        for child in list(body):
            if child is not section:
                body.remove(child)
        if section is None:
            section = copy.deepcopy(
                docx.oxml.parse_xml(
                    f'<w:body xmlns:w="{reference.W}" xmlns:r="{reference.R}">{reference.section_xml()}</w:body>'
                )[0]
            )
            for ref in section.findall(_w("headerReference")):
                section.remove(ref)
            body.append(section)

        document = nfc_tree(dict(record.get("document") or {})) if isinstance(record, Mapping) else {}
        blocks = list(blocks)
        writer = _Writer(doc, section, text_width_mm=_text_width_mm(section))
        writer.header_block(document)
        writer.title(document, record)
        levels = [
            level
            for block in blocks
            if isinstance(block, content.Text)
            for level in _heading_levels(block.markdown)
        ]
        writer.heading_shift = 1 - min(levels) if levels else 0
        for block in blocks:
            if block.part == content.BODY:
                writer.block(block)
        writer.end_mark()
        writer.signature(document)
        appendix = [block for block in blocks if block.part == content.APPENDIX]
        if appendix:
            writer.new_section()
            for block in appendix:
                writer.block(block)
        _core_properties(doc, document, record)

        out = io.BytesIO()
        doc.save(out)
        moment = clock.now().astimezone(clock.VIETNAM)
        stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
        return reference.normalise_zip(out.getvalue(), stamp)


def build_docx(record: Mapping, blocks: Iterable[content.Block], template: Path | str | None = None) -> bytes:
    """One .docx without keeping anything warm (see :class:`WordBuilder`)."""
    return WordBuilder().build(record, blocks, template)


def _text_width_mm(section) -> float:
    size = section.find(_w("pgSz"))
    margins = section.find(_w("pgMar"))
    try:
        width = int(size.get(_w("w"))) - int(margins.get(_w("left"))) - int(margins.get(_w("right")))
        return width / 1440 * 25.4
    except (AttributeError, TypeError, ValueError):
        return reference.TEXT_WIDTH_MM


def _core_properties(doc, document: Mapping, record: Mapping) -> None:
    props = doc.core_properties
    title = document.get("title") or " ".join(x for x in (document.get("type"), document.get("subject")) if x)
    props.title = title or "Báo cáo"
    props.subject = document.get("subject") or ""
    props.author = document.get("unit") or document.get("issuing_body") or ""
    props.keywords = document.get("period_name") or ""
    props.category = document.get("type") or "Báo cáo"
    props.language = "vi-VN"
    props.last_modified_by = "reportkit"
    props.comments = ""
    props.revision = 1
    # python-docx writes these as UTC ("…Z") whatever the zone: give it UTC.
    moment = clock.now().astimezone(dt.UTC).replace(tzinfo=None)
    props.created = moment
    props.modified = moment


_HEADING_LINE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)", re.MULTILINE)


def _markdown():
    import mistune

    return mistune.create_markdown(renderer=None, plugins=["table", "strikethrough"])


def _heading_levels(markdown: str) -> list[int]:
    if "#" not in markdown:
        return []
    return [tok["attrs"]["level"] for tok in _markdown()(nfc(markdown)) if tok.get("type") == "heading"]


def end_marked(text: str) -> str:
    """``text`` ending in the "./." of Nghị định 30 (as :func:`reportkit.export.sanitize.add_end_mark` on the page):
    "… thực hiện." → "… thực hiện./."; a text that already ends so is unchanged."""
    stripped = text.rstrip()
    if stripped.endswith("/."):
        return text
    return stripped + ("/." if stripped.endswith(".") else _END_MARK) + text[len(stripped) :]


class _Writer:
    """Appends the parts of the document, in order, before the final section properties."""

    def __init__(self, doc, section, text_width_mm: float) -> None:
        self.doc = doc
        self.body = doc.element.body
        self.section = section
        self.text_width_mm = text_width_mm
        self.heading_shift = 0
        self.annex_opening = False  # the phụ lục's first block: its heading lines are centred, as on the page
        self.parse = _markdown()
        self.last_body_paragraph = (
            None  # the paragraph that takes "./." (None: a table, chart or list ended it)
        )
        self.numbering = None

    # --- elements ----------------------------------------------------------------------------------------------

    def _append(self, element, container=None) -> None:
        if container is None:
            self.section.addprevious(element)
        else:
            container.append(element)

    def paragraph(self, style: str, text: str = "", container=None, *, bold: bool = False, keep: bool = True):
        p = _el("p")
        ppr = _el("pPr")
        ppr.append(_el("pStyle", val=style))
        p.append(ppr)
        if text:
            if keep and style not in _AS_TYPED:
                (text,) = kept_together([text], heading=style.startswith(_TITLE_STYLES))
            self.run(p, text, bold=bold)
        self._append(p, container)
        return p

    @staticmethod
    def run(p, text: str, *, bold: bool = False, italic: bool = False, strike: bool = False):
        r = _el("r")
        if bold or italic or strike:
            rpr = _el("rPr")
            if bold:
                rpr.append(_el("b"))
            if italic:
                rpr.append(_el("i"))
            if strike:
                rpr.append(_el("strike"))
            r.append(rpr)
        for index, line in enumerate(text.split("\n")):
            if index:
                r.append(_el("br"))
            if line:
                t = _el("t")
                t.text = line
                t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                r.append(t)
        p.append(r)
        return r

    def _ppr(self, p, *children) -> None:
        """Direct paragraph properties after the style, in the schema's order (keepNext, numPr, ind…)."""
        ppr = p.find(_w("pPr"))
        order = [
            "pStyle",
            "keepNext",
            "keepLines",
            "pageBreakBefore",
            "numPr",
            "pBdr",
            "spacing",
            "ind",
            "jc",
        ]
        for child in children:
            name = child.tag.split("}")[1]
            existing = ppr.find(child.tag)
            if existing is not None:
                ppr.remove(existing)
            rank = order.index(name)
            after = None
            for sibling in ppr:
                sibling_name = sibling.tag.split("}")[1]
                if sibling_name in order and order.index(sibling_name) < rank:
                    after = sibling
            if after is None:
                ppr.insert(0, child)
            else:
                after.addnext(child)

    def rule(self, container, width_mm: float, length_mm: float, *, after_pt: float | None = None):
        """A short solid rule of ``length_mm``, centred in ``width_mm``: a bottom border shortened by indents."""
        p = self.paragraph("RkRule", container=container)
        side = max(0, reference.twips((width_mm - length_mm) / 2))
        self._ppr(p, _el("ind", left=str(side), right=str(side), firstLine="0"))
        if after_pt is not None:
            self._ppr(p, _el("spacing", after=str(round(after_pt * 20))))
        return p

    def table(self, widths_mm: list[float], style: str, container=None):
        tbl = _el("tbl")
        tblpr = _el("tblPr")
        tblpr.append(_el("tblStyle", val=style))
        tblpr.append(_el("tblW", w=str(reference.twips(sum(widths_mm))), type="dxa"))
        tblpr.append(_el("tblLayout", type="fixed"))
        look = _el(
            "tblLook",
            val="04A0",
            firstRow="1",
            lastRow="0",
            firstColumn="1",
            lastColumn="0",
            noHBand="0",
            noVBand="1",
        )
        tblpr.append(look)
        tbl.append(tblpr)
        grid = _el("tblGrid")
        for width in widths_mm:
            grid.append(_el("gridCol", w=str(reference.twips(width))))
        tbl.append(grid)
        self._append(tbl, container)
        return tbl

    @staticmethod
    def row(tbl, widths_mm: list[float], *, header: bool = False, keep: bool = True):
        tr = _el("tr")
        trpr = _el("trPr")
        if keep:
            trpr.append(_el("cantSplit"))
        if header:
            trpr.append(_el("tblHeader"))
        tr.append(trpr)
        cells = []
        for width in widths_mm:
            tc = _el("tc")
            tcpr = _el("tcPr")
            tcpr.append(_el("tcW", w=str(reference.twips(width)), type="dxa"))
            tc.append(tcpr)
            tr.append(tc)
            cells.append(tc)
        tbl.append(tr)
        return cells

    @staticmethod
    def close_cells(cells) -> None:
        """A cell must end with a paragraph (Word refuses the file otherwise)."""
        for tc in cells:
            if tc.find(_w("p")) is None:
                p = _el("p")
                ppr = _el("pPr")
                ppr.append(_el("pStyle", val="RkTableText"))
                p.append(ppr)
                tc.append(p)

    # --- the NĐ 30 parts ---------------------------------------------------------------------------------------

    def header_block(self, document: Mapping) -> None:
        """Mẫu 1.4: a borderless two-column table: parent and issuing body (with its rule) over "Số: …" on the
        left; Quốc hiệu and the underlined Tiêu ngữ over the place-and-date line on the right."""
        if not document:
            return
        parents = [p for p in document.get("parent_body") or [] if isinstance(p, str) and p.strip()]
        issuer = document.get("issuing_body") or ""
        national = document.get("national_title", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
        motto = document.get("motto", "Độc lập - Tự do - Hạnh phúc")
        number = document.get("number") or ""
        if number and not number.startswith("Số"):
            number = "Số: " + number
        place_date = document.get("place_date") or ""
        # The page's proportions (38% / 62%).
        left = round(self.text_width_mm * 0.38, 1)
        widths = [left, round(self.text_width_mm - left, 1)]
        tbl = self.table(widths, "RkLayout")
        first = self.row(tbl, widths)
        for line in parents:
            self.paragraph("RkParent", line, first[0])
        if issuer:
            self.paragraph("RkIssuer", issuer, first[0])
            # Phụ lục I: a solid rule 1/3–1/2 of the issuing body's length, centred under it (40%, as the page).
            length = min(text_width_pt(issuer, 12) * 25.4 / 72, widths[0] - 4) * 0.4
            self.rule(first[0], widths[0] - 2, length)
        if national:
            self.paragraph("RkNational", national, first[1])
        if motto:
            self.paragraph("RkMotto", motto, first[1])
        second = self.row(tbl, widths)
        if number:
            self.paragraph("RkNumber", number, second[0])
        if place_date:
            self.paragraph("RkPlaceDate", place_date, second[1])
        self.close_cells(first + second)

    def title(self, document: Mapping, record: Mapping) -> None:
        """ "BÁO CÁO" over the summary (trích yếu) and its rule; a record without a document block gets its title."""
        if not document:
            title = "Báo cáo"
            self.paragraph("RkType", title)
            return
        self.paragraph("RkType", document.get("type") or "BÁO CÁO")
        subject = document.get("subject") or ""
        if subject:
            self.paragraph("RkSubject", subject)
            length = min(text_width_pt(subject, 14) * 25.4 / 72, self.text_width_mm) * 0.4
            self.rule(None, self.text_width_mm, length, after_pt=12)

    def signature(self, document: Mapping) -> None:
        """Nơi nhận on the left, the signer's authority, title, signature space and name on the right."""
        recipients = [r for r in document.get("recipients") or [] if isinstance(r, str) and r.strip()]
        signer = document.get("signature") if isinstance(document.get("signature"), Mapping) else {}
        if not recipients and not signer:
            return
        half = round(self.text_width_mm / 2, 1)
        widths = [half, round(self.text_width_mm - half, 1)]
        spacer = self.paragraph("RkPlain")
        self._ppr(spacer, _el("keepNext"), _el("spacing", after="0"))
        tbl = self.table(widths, "RkLayout")
        cells = self.row(tbl, widths)
        if recipients:
            self.paragraph("RkRecipientsLabel", "Nơi nhận:", cells[0])
            for item in recipients:
                self.paragraph("RkRecipient", item if item.startswith("-") else f"- {item}", cells[0])
        for key, style in (("authority", "RkSigner"), ("title", "RkSigner")):
            if signer.get(key):
                self.paragraph(style, signer[key], cells[1])
        if signer:
            self.paragraph("RkSignerName", signer.get("name") or "", cells[1])
        self.close_cells(cells)

    def end_mark(self) -> None:
        """Nghị định 30: the body ends with "./." — on its last paragraph, or on a line of its own after a table,
        chart or list, exactly as the page puts it."""
        p = self.last_body_paragraph
        runs = [] if p is None else [t for t in p.iter(_w("t")) if t.text and t.text.strip()]
        if runs:
            runs[-1].text = end_marked(runs[-1].text)
        else:
            p = self.paragraph("RkPlain", _END_MARK)
        self._ppr(p, _el("keepNext"))

    def new_section(self) -> None:
        """The phụ lục on a new page, numbered on its own (Phụ lục I: each annex is numbered on its own)."""
        ended = copy.deepcopy(self.section)
        p = _el("p")
        ppr = _el("pPr")
        ppr.append(ended)
        p.append(ppr)
        self.section.addprevious(p)
        number = self.section.find(_w("pgNumType"))
        if number is None:
            number = _el("pgNumType")
            anchor = next(
                (
                    self.section.find(_w(t))
                    for t in ("cols", "formProt", "vAlign", "titlePg", "docGrid")
                    if self.section.find(_w(t)) is not None
                ),
                None,
            )
            if anchor is None:
                self.section.append(number)
            else:
                anchor.addprevious(number)
        number.set(_w("start"), "1")
        self.last_body_paragraph = None
        self.annex_opening = True

    # --- content blocks ----------------------------------------------------------------------------------------

    def block(self, block: content.Block) -> None:
        if isinstance(block, content.Text):
            self.markdown(block.markdown)
        elif isinstance(block, content.Table):
            self.report_table(block)
        elif isinstance(block, content.Figure):
            self.figure(block)
        elif isinstance(block, content.Html):
            self.html(block.html)

    def markdown(self, text: str) -> None:
        tokens = [t for t in self.parse(nfc(text)) if t.get("type") != "blank_line"]
        opening, self.annex_opening = self.annex_opening, False
        after_heading = False
        for token in tokens:
            self.last_body_paragraph = None
            p = self._block_token(token, None)
            # NĐ 30, Phụ lục I: "Phụ lục", the annex's title and the "(Kèm theo …)" line under them, centred, as
            # the page centres them; the body's headings stay where their style puts them.
            heading = token.get("type") == "heading"
            if opening and p is not None and (heading or after_heading):
                self._ppr(p, _el("ind", firstLine="0"), _el("jc", val="center"))
            after_heading = heading

    def _block_token(self, token: Mapping, container, *, style: str | None = None, depth: int = 0):
        """Write one Markdown block; returns the paragraph a heading or paragraph became (else None)."""
        kind = token.get("type")
        if kind == "heading":
            level = max(1, min(6, token["attrs"]["level"] + self.heading_shift))
            return self.inline_paragraph(f"Heading{level}", token.get("children", []), container)
        elif kind in ("paragraph", "block_text"):
            p = self.inline_paragraph(style or "Normal", token.get("children", []), container)
            self.last_body_paragraph = p if container is None and style is None else None
            return p
        elif kind == "list":
            self.list(token, container, depth)
        elif kind == "block_quote":
            for child in token.get("children", []):
                self._block_token(child, container, style="Quote", depth=depth)
        elif kind in ("block_code", "block_html"):
            # Raw HTML and code stay text, as the narrative's page shows them.
            raw = str(token.get("raw", "")).rstrip("\n")
            if raw.strip():
                self.paragraph("RkPlain", raw, container, keep=False)
        elif kind == "table":
            self.markdown_table(token, container)
        elif kind == "thematic_break":
            return
        else:
            children = token.get("children")
            if isinstance(children, list):
                for child in children:
                    self._block_token(child, container, style=style, depth=depth)
            elif token.get("raw"):
                self.paragraph(style or "Normal", str(token["raw"]), container)

    def list(self, token: Mapping, container, depth: int) -> None:
        attrs = token.get("attrs") or {}
        ordered = bool(attrs.get("ordered"))
        style = "ListNumber" if ordered else "ListBullet"
        num_id = self._list_number(style, int(attrs.get("start") or 1)) if ordered else None
        for item in token.get("children", []):
            first = True
            for child in item.get("children", []):
                if child.get("type") in ("paragraph", "block_text") and first:
                    p = self.inline_paragraph(style, child.get("children", []), container)
                    if num_id is not None or depth:
                        num = num_id if num_id is not None else self._style_num_id(style)
                        if num is not None:
                            numpr = _el("numPr")
                            numpr.append(_el("ilvl", val=str(min(depth, 8))))
                            numpr.append(_el("numId", val=str(num)))
                            self._ppr(p, numpr)
                    first = False
                elif child.get("type") == "list":
                    self.list(child, container, depth + 1)
                else:
                    self._block_token(child, container, style="RkPlain", depth=depth)

    def _style_num_id(self, style_id: str) -> int | None:
        style = next(
            (s for s in self.doc.styles.element.iter(_w("style")) if s.get(_w("styleId")) == style_id), None
        )
        num = None if style is None else style.find(f"{_w('pPr')}/{_w('numPr')}/{_w('numId')}")
        return None if num is None else int(num.get(_w("val")))

    def _list_number(self, style_id: str, start: int) -> int | None:
        """A new numbering instance of the style's list, so each numbered list starts at its own first number."""
        base = self._style_num_id(style_id)
        if base is None:
            return None
        numbering = self.doc.part.numbering_part.element
        source = next((n for n in numbering.iter(_w("num")) if n.get(_w("numId")) == str(base)), None)
        if source is None:
            return None
        new_id = max(int(n.get(_w("numId"))) for n in numbering.iter(_w("num"))) + 1
        num = _el("num", numId=str(new_id))
        num.append(_el("abstractNumId", val=source.find(_w("abstractNumId")).get(_w("val"))))
        override = _el("lvlOverride", ilvl="0")
        override.append(_el("startOverride", val=str(start)))
        num.append(override)
        numbering.append(num)
        return new_id

    def inline_paragraph(self, style: str, children: list, container):
        p = self.paragraph(style, container=container)
        runs = list(_inline(children))
        if container is None:  # running text, not a table cell
            kept = kept_together([text for text, _ in runs], heading=style.startswith(_TITLE_STYLES))
            runs = list(zip(kept, [m for _, m in runs], strict=True))
        for text, marks in runs:
            self.run(p, text, bold="b" in marks, italic="i" in marks, strike="s" in marks)
        return p

    def markdown_table(self, token: Mapping, container) -> None:
        head, rows, aligns = [], [], []
        for part in token.get("children", []):
            if part.get("type") == "table_head":
                head = [_plain(cell.get("children", [])) for cell in part.get("children", [])]
                aligns = [(cell.get("attrs") or {}).get("align") for cell in part.get("children", [])]
            elif part.get("type") == "table_body":
                for row in part.get("children", []):
                    rows.append([_plain(cell.get("children", [])) for cell in row.get("children", [])])
        numeric = [a == "right" for a in aligns]
        self.grid_table("", head, rows, None, numeric, container)

    def report_table(self, table: content.Table) -> None:
        self.grid_table(table.title, table.header, table.rows, table.footer, table.numeric, None)

    def grid_table(self, title: str, header, rows, footer, numeric, container) -> None:
        """A report table: its title above, the header row repeated on every page, numbers right-aligned, the
        "Tổng cộng" row in bold; a row never splits across pages."""
        header = [nfc(str(h)) for h in header or []]
        rows = [[nfc(str(c)) for c in row] for row in rows or []]
        footer = None if footer is None else [nfc(str(c)) for c in footer]
        columns = max([len(header), len(footer or []), *(len(r) for r in rows)])
        if columns == 0:
            return
        if title:
            self.paragraph("RkTableTitle", nfc(title), container)
        numeric = [bool(n) for n in list(numeric or [])[:columns]] + [False] * max(
            0, columns - len(numeric or [])
        )
        first = min(self.text_width_mm * 0.22, 40.0) if columns > 1 else self.text_width_mm
        rest = (self.text_width_mm - first) / max(1, columns - 1)
        widths = [round(first, 1)] + [round(rest, 1)] * (columns - 1)
        tbl = self.table(widths, "TableGrid", container)
        if header:
            cells = self.row(tbl, widths, header=True)
            for index, tc in enumerate(cells):
                text = header[index] if index < len(header) else ""
                p = self.paragraph("RkTableHeading", text, tc)
                if index and numeric[index]:
                    self._ppr(p, _el("jc", val="right"))
            self.close_cells(cells)
        for values, bold in [*((r, False) for r in rows), *([(footer, True)] if footer is not None else [])]:
            cells = self.row(tbl, widths)
            for index, tc in enumerate(cells):
                text = values[index] if index < len(values) else ""
                style = "RkTableNumber" if index and numeric[index] else "RkTableText"
                # The first column names the row (a header cell on the page): bold, as the page shows it.
                self.paragraph(style, text, tc, bold=bold or index == 0)
            self.close_cells(cells)
        self.last_body_paragraph = None

    def figure(self, figure: content.Figure) -> None:
        """The chart's PNG (or JPEG/GIF) at its size, never wider than the text, with its alt text in the
        picture's description; a chart with no raster image keeps its alt text as a line of text."""
        data = next(
            (figure.images.get(m) for m in ("image/png", "image/jpeg", "image/gif") if figure.images.get(m)),
            None,
        )
        if data is None and figure.mime in ("image/png", "image/jpeg", "image/gif"):
            data = figure.data
        alt = nfc(figure.alt or figure.title or "Hình ảnh")
        p = self.paragraph("RkFigure")
        placed = False
        if data:
            from docx.image.exceptions import UnrecognizedImageError
            from docx.text.paragraph import Paragraph

            limit = round(self.text_width_mm * _EMU_PER_MM)
            width = (
                figure.width * _EMU_PER_PX
                if isinstance(figure.width, int | float) and figure.width > 0
                else None
            )
            try:
                paragraph = Paragraph(p, self.doc._body)
                run = paragraph.add_run()
                shape = run.add_picture(
                    io.BytesIO(data), width=None if width is None else min(int(width), limit)
                )
                if shape.width > limit:
                    shape.height = round(shape.height * limit / shape.width)
                    shape.width = limit
                inline = shape._inline
                inline.docPr.set("descr", alt)
                inline.docPr.set("title", nfc(figure.title or ""))
                for c_nv_pr in inline.iter("{http://schemas.openxmlformats.org/drawingml/2006/picture}cNvPr"):
                    c_nv_pr.set("descr", alt)
                placed = True
            except (UnrecognizedImageError, ValueError, OSError, IndexError, KeyError):
                for r in p.findall(_w("r")):
                    p.remove(r)
        if not placed:
            self.run(p, f"[{alt}]", italic=True)
        if figure.title:
            self.paragraph("Caption", nfc(figure.title))
        self.last_body_paragraph = None

    def html(self, fragment: str) -> None:
        """Other HTML a cell displayed (e.g. a DataFrame): its tables as Word tables, the text of its other blocks
        as paragraphs (the outermost block carries the text of those inside it); "./." as the page puts it."""
        from bs4 import BeautifulSoup, Tag

        blocks = [
            "table",
            "p",
            "li",
            "dt",
            "dd",
            "pre",
            "blockquote",
            "figcaption",
            *(f"h{n}" for n in range(1, 7)),
        ]
        soup = BeautifulSoup(nfc(fragment), "html.parser")
        for tag in soup.find_all(["script", "style", "template"]):
            tag.decompose()
        written = {}
        for node in soup.find_all(blocks):
            if node.find_parent(blocks) is not None:
                continue
            if node.name == "table":
                caption = node.find("caption")
                head: list[str] = []
                rows = []
                for tr in node.find_all("tr"):
                    cells = [" ".join(c.get_text(" ").split()) for c in tr.find_all(["th", "td"])]
                    if not head and not rows and tr.find("td") is None:
                        head = cells
                    else:
                        rows.append(cells)
                title = " ".join(caption.get_text(" ").split()) if caption else ""
                self.grid_table(title, head, rows, None, [], None)
                continue
            text = " ".join(node.get_text(" ").split())
            if text:
                written[id(node)] = self.paragraph("Normal" if node.name == "p" else "RkPlain", text)
        top = [n for n in soup.contents if isinstance(n, Tag)]
        self.last_body_paragraph = written.get(id(top[-1])) if top and top[-1].name == "p" else None


def _inline(children: list, marks: frozenset[str] = frozenset()):
    """(text, marks) runs of Markdown inline tokens: "b" bold, "i" italic, "s" struck through."""
    for token in children:
        kind = token.get("type")
        if kind == "text":
            yield html_lib.unescape(str(token.get("raw", ""))), marks
        elif kind == "strong":
            yield from _inline(token.get("children", []), marks | {"b"})
        elif kind == "emphasis":
            yield from _inline(token.get("children", []), marks | {"i"})
        elif kind == "strikethrough":
            yield from _inline(token.get("children", []), marks | {"s"})
        elif kind == "codespan":
            yield str(token.get("raw", "")), marks
        elif kind == "linebreak":
            yield "\n", marks
        elif kind == "softbreak":
            yield " ", marks
        elif kind == "inline_html":
            yield str(token.get("raw", "")), marks  # shown as typed, never markup
        elif isinstance(token.get("children"), list):  # link text, image alt text: no URL is kept or fetched
            yield from _inline(token["children"], marks)
        elif token.get("raw"):
            yield str(token["raw"]), marks


def _plain(children: list) -> str:
    return "".join(text for text, _ in _inline(children))
