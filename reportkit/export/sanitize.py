"""HTML hygiene for shared reports: no script, no external reference of any kind, embedded images, clean article.

Built on BeautifulSoup (nbconvert depends on it) and tinycss2 (WeasyPrint's CSS parser), so CSS escapes such as
``u\\72l(…)`` are decoded before a ``url()`` is judged.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path

import tinycss2
from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from reportkit.vn.text import keep_together, nfc

# Elements that load, run or submit something; they never belong in a shared report.
_DROP_TAGS = {
    "script",
    "noscript",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "link",
    "meta",
    "base",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "template",
    "audio",
    "video",
    "source",
    "track",
    "canvas",
    "portal",
}
_URL_ATTRS = {"href", "xlink:href", "src"}
# Attributes whose only job is to point somewhere else.
_DROP_ATTRS = {"srcset", "action", "formaction", "poster", "background", "ping", "cite", "longdesc", "usemap"}
_EXTERNAL = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:|//|\\\\)", re.IGNORECASE)
_URL_LIKE = re.compile(r"^\s*(?:(?:https?|ftp|file|mailto|javascript|vbscript|wss?|data):|//)", re.IGNORECASE)
_DATA_IMAGE = re.compile(r"^data:image/(?:png|jpeg|gif|webp|svg\+xml)[;,]", re.IGNORECASE)
_BAD_AT_RULES = {"import", "font-face", "namespace"}
_URL_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "element"}


def _tokens_fetch(tokens) -> bool:
    for token in tokens:
        if token.type == "url":
            return True
        if token.type == "function" and token.lower_name in _URL_FUNCTIONS:
            return True
        if token.type in ("function", "() block", "[] block", "{} block") and _tokens_fetch(
            token.arguments if token.type == "function" else token.content
        ):
            return True
    return False


def clean_css(css: str) -> str:
    """A stylesheet without ``@import``, ``@font-face`` or any declaration that fetches a URL."""
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    out = []
    for rule in rules:
        if rule.type == "at-rule":
            if rule.lower_at_keyword in _BAD_AT_RULES:
                continue
            if rule.content is None:
                out.append(tinycss2.serialize([rule]))
                continue
            inner = clean_css(tinycss2.serialize(rule.content))
            out.append(f"@{rule.at_keyword} {tinycss2.serialize(rule.prelude).strip()} {{{inner}}}")
        elif rule.type == "qualified-rule":
            body = clean_declarations(tinycss2.serialize(rule.content))
            out.append(f"{tinycss2.serialize(rule.prelude).strip()} {{{body}}}")
    return "\n".join(out)


def clean_declarations(css: str) -> str:
    """A ``style`` attribute value without declarations that fetch a URL."""
    kept = []
    for decl in tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True):
        if decl.type != "declaration" or _tokens_fetch(decl.value):
            continue
        important = " !important" if decl.important else ""
        kept.append(f"{decl.name}:{tinycss2.serialize(decl.value).strip()}{important}")
    return ";".join(kept)


def _embed_local(src: str, base: Path | None) -> str | None:
    if base is None or _EXTERNAL.match(src) or not src.strip():
        return None
    path = (base / src.split("#")[0].split("?")[0]).resolve()
    mime = mimetypes.guess_type(path.name)[0]
    if not (mime and mime.startswith("image/") and path.is_file()):
        return None
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def sanitize_fragment(html: str, base: Path | None = None) -> str:
    """A safe, self-contained HTML fragment from notebook output or rendered Markdown.

    Drops scripts and embedded objects, event handlers and every external reference (links to other sites lose
    their ``href`` but keep their text; remote images are replaced by their alt text); embeds local images as data
    URIs; gives tables a header row and a wrapper for narrow screens (a labelled region the keyboard can scroll).
    """
    soup = BeautifulSoup(nfc(html), "html.parser")
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for style in soup.find_all("style"):
        style.string = clean_css(style.get_text())
    for tag in soup.find_all(True):
        _clean_attrs(tag, base)
    for img in soup.find_all("img"):
        if not _DATA_IMAGE.match(img.get("src", "")):
            alt = img.get("alt", "").strip()
            if alt:
                img.replace_with(NavigableString(alt))
            else:
                img.decompose()
    for table in soup.find_all("table"):
        _ensure_header_row(soup, table)
        _mark_width(table)
        wrapper = table.parent
        if not (isinstance(wrapper, Tag) and "rk-table" in (wrapper.get("class") or [])):
            wrapper = table.wrap(soup.new_tag("div", attrs={"class": "rk-table"}))
        # A box that scrolls sideways on a phone must be reachable from the keyboard, and say what it holds.
        caption = table.find("caption")
        wrapper["role"] = "region"
        wrapper["tabindex"] = "0"
        wrapper["aria-label"] = " ".join(caption.get_text(" ").split()) if caption else "Bảng số liệu"
    return str(soup)


_HEADING = re.compile(r"<h([1-6])[\s>]", re.IGNORECASE)


def shift_headings(fragments: list[str]) -> list[str]:
    """Renumber the body's headings so its top level is h2 (the page's one h1 is the report title), keeping their
    relative levels: a body of "# I. …" / "## 1. …" and one of "## I. …" / "### 1. …" both give h2 / h3."""
    levels = [int(m) for fragment in fragments for m in _HEADING.findall(fragment)]
    if not levels or min(levels) == 2:
        return fragments
    shift = 2 - min(levels)
    shifted = []
    for fragment in fragments:
        if not _HEADING.search(fragment):
            shifted.append(fragment)
            continue
        soup = BeautifulSoup(fragment, "html.parser")
        for heading in soup.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
            heading.name = f"h{min(6, int(heading.name[1]) + shift)}"
        shifted.append(str(soup))
    return shifted


def _clean_attrs(tag: Tag, base: Path | None) -> None:
    for name in list(tag.attrs):
        value = tag.attrs[name]
        text = " ".join(value) if isinstance(value, list) else str(value)
        lower = name.lower()
        if lower.startswith("on") or lower in _DROP_ATTRS or lower.startswith("xmlns"):
            del tag.attrs[name]
        elif lower == "style":
            cleaned = clean_declarations(text)
            if cleaned:
                tag.attrs[name] = cleaned
            else:
                del tag.attrs[name]
        elif lower == "src" and tag.name == "img":
            if _DATA_IMAGE.match(text):
                continue
            embedded = _embed_local(text, base)
            if embedded:
                tag.attrs[name] = embedded
            else:
                del tag.attrs[name]
        elif lower in _URL_ATTRS:
            if text.startswith("#"):
                continue
            del tag.attrs[name]
            if tag.name == "a":
                tag.unwrap()
                return
        elif "://" in text or _URL_LIKE.match(text):
            del tag.attrs[name]


def _ensure_header_row(soup: BeautifulSoup, table: Tag) -> None:
    """Give a table without any ``th`` a header row made of its first row (screen readers need one)."""
    if table.find("th"):
        return
    first = table.find("tr")
    if first is None:
        return
    for cell in first.find_all("td", recursive=False):
        cell.name = "th"
        cell["scope"] = "col"
    if first.parent is not None and first.parent.name != "thead":
        thead = soup.new_tag("thead")
        first.extract()
        thead.append(first)
        table.insert(0 if table.find("caption") is None else 1, thead)


# A4 portrait minus the 30 mm and 15 mm side margins, in points; table font sizes of report.css by class.
_PRINT_WIDTH_PT = (210 - 30 - 15) / 25.4 * 72
_TABLE_PT = {None: 12.0, "rk-wide": 10.0, "rk-xwide": 9.0}
_CELL_PADDING_PT = {None: 2 * 0.3 * 14, "rk-wide": 2 * 0.3 * 14, "rk-xwide": 2 * 0.15 * 14}
_BORDER_PT = 0.75


def _mark_width(table: Tag) -> None:
    """Fit tables to A4 portrait: smaller type for many columns, and words broken anywhere only for tables whose
    narrowest layout (longest word of every column) would still be wider than the page."""
    from reportkit.export.typeface import text_width_pt

    rows = []
    for row in table.find_all("tr"):
        cells = []
        for cell in row.find_all(["td", "th"], recursive=False):
            try:
                span = max(1, int(cell.get("colspan", 1)))
            except ValueError:
                span = 1
            cells.append((cell, span))
        rows.append(cells)
    columns = max((sum(span for _, span in cells) for cells in rows), default=0)
    size = "rk-xwide" if columns >= 12 else "rk-wide" if columns >= 8 else None
    longest = [0.0] * columns
    for cells in rows:
        col = 0
        for cell, span in cells:
            words = cell.get_text(" ").split() or [""]
            need = max(text_width_pt(w, _TABLE_PT[size]) for w in words) / span + _CELL_PADDING_PT[size]
            for c in range(col, min(col + span, columns)):
                longest[c] = max(longest[c], need)
            col += span
    classes = [size] if size else []
    if sum(longest) > _PRINT_WIDTH_PT:
        classes.append("rk-tight")
    elif columns > 1:
        # The first column names the row ("Phường Trần Cao Vân"): on one line when the other columns, at their
        # narrowest, leave it the room on A4 (a name split over two lines reads as two rows).
        names = [
            cells[0][0]
            for cells in rows
            if cells and cells[0][1] == 1 and cells[0][0].find_parent("thead") is None
        ]
        whole = max(
            (text_width_pt(" ".join(c.get_text(" ").split()), _TABLE_PT[size]) for c in names), default=0.0
        )
        need = whole + _CELL_PADDING_PT[size]
        if need > longest[0] and need + sum(longest[1:]) + columns * _BORDER_PT <= _PRINT_WIDTH_PT:
            classes.append("rk-names")
    if classes:
        table["class"] = [*(table.get("class") or []), *classes]


_END_MARK = "./."


def add_end_mark(html: str) -> str:
    """End the body with "./." as Nghị định 30 requires: "… tổ chức thực hiện./." (added only when missing)."""
    soup = BeautifulSoup(html, "html.parser")
    blocks = [node for node in soup.contents if isinstance(node, Tag)]
    last = blocks[-1] if blocks else None
    if last is not None and last.name == "p":
        texts = [s for s in last.find_all(string=True) if s.strip()]
        if texts:
            tail = texts[-1]
            stripped = str(tail).rstrip()
            if stripped.endswith(_END_MARK):
                return html
            if stripped.endswith("/."):
                return html
            ending = "/." if stripped.endswith(".") else _END_MARK
            tail.replace_with(NavigableString(stripped + ending + str(tail)[len(stripped) :]))
            return str(soup)
    end = soup.new_tag("p", attrs={"class": "rk-end"})
    end.string = _END_MARK
    soup.append(end)
    return str(soup)


def article_fragment(body_html: str) -> str:
    """Clean HTML for a CMS: only semantic elements and the attributes that carry content (alt, src, colspan…).

    ``<div class="rk-table"><table class="dataframe">…`` becomes ``<table>…``; headings, paragraphs, lists,
    tables with captions and figures with their images stay.
    """
    keep_attrs = {"img": {"src", "alt", "width", "height"}, "th": {"colspan", "rowspan", "scope"}}
    keep_attrs["td"] = {"colspan", "rowspan"}
    soup = BeautifulSoup(body_html, "html.parser")
    for tag in soup.find_all(["style", "script"]):
        tag.decompose()
    for tag in soup.find_all(["div", "span", "section", "article", "main", "font"]):
        tag.unwrap()
    for tag in soup.find_all(True):
        allowed = keep_attrs.get(tag.name, set())
        tag.attrs = {k: v for k, v in tag.attrs.items() if k in allowed}
    for p in soup.find_all("p"):
        if not p.get_text(strip=True) and not p.find("img"):
            p.decompose()
    blocks = []
    for node in soup.contents:
        if isinstance(node, Tag):
            blocks.append(str(node))
        elif isinstance(node, NavigableString) and node.strip():
            blocks.append(f"<p>{node.strip()}</p>")
    return nfc("\n".join(blocks) + "\n")


_SKIP_TEXT = {"head", "style", "script", "title", "template"}


def visible_text(html: str, skip_class: str = "rk-screen-only") -> str:
    """The text a reader sees on the printed page (no head, style, or elements of class ``skip_class``)."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_SKIP_TEXT):
        tag.decompose()
    for tag in soup.find_all(class_=skip_class):
        tag.decompose()
    # The spans that keep words on one line are no words of their own: "(<span>tổ 5,</span>" reads "(tổ 5,".
    for tag in soup.find_all("span", class_=KEEP_CLASS):
        tag.unwrap()
    soup.smooth()
    return nfc(soup.get_text(" "))


KEEP_CLASS = "rk-nb"
# Text a line may break anywhere in (table cells fit their column; code is shown as typed), or not text at all.
_NO_KEEP = {"td", "th", "pre", "code", "style", "script", "template", "textarea"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "caption"}  # a period's whole name kept on one line


_KEPT_RE = re.compile(rf'<span class="{KEEP_CLASS}">([^<]*)</span>')


def no_break_spaces(page: str) -> str:
    """The page for WeasyPrint: each kept group's spaces as U+00A0 instead of its nowrap span, as the Word file
    has them — 130 inline boxes made the 2022-H1 PDF's layout 0.37 → 0.53 s; a group with "/" ("người/tổ") keeps
    its span, a slash being a place a line may break."""

    def joined(match: re.Match) -> str:
        words = match.group(1)
        return match.group(0) if "/" in words else words.replace(" ", "\u00a0")

    return _KEPT_RE.sub(joined, page)


def keep_lines_together(html: str, *, heading: bool = False) -> str:
    """The fragment with the words that must not be split across lines (``vn.text.keep_together``: "6 tháng",
    "tổ 5", "người/tổ") each in a ``<span class="rk-nb">`` the stylesheet sets ``white-space:nowrap``.

    Only the page carries the spans (the article unwraps them, the record and the index never see them): the text
    stays plain, with no no-break or zero-width character a proofreader or a comparison would trip on. Table
    cells are left as they are (a caption is not), and so is text already kept. In a heading (or the whole
    fragment, ``heading=True``: the title's trích yếu) a period's whole name is one group."""
    if not any(ch.isdigit() or ch == "/" for ch in html):
        return html
    soup = BeautifulSoup(html, "html.parser")
    changed = False
    for node in list(soup.find_all(string=True)):
        if isinstance(node, Comment) or not node.strip():
            continue
        parents = {p.name for p in node.parents}
        if parents & _NO_KEEP or node.find_parent("span", class_=KEEP_CLASS) is not None:
            continue
        text = str(node)
        spans = keep_together(text, heading=heading or bool(parents & _HEADINGS))
        if not spans:
            continue
        pieces: list = []
        at = 0
        for start, end in spans:
            if start > at:
                pieces.append(NavigableString(text[at:start]))
            kept = soup.new_tag("span", attrs={"class": KEEP_CLASS})
            kept.string = text[start:end]
            pieces.append(kept)
            at = end
        if at < len(text):
            pieces.append(NavigableString(text[at:]))
        node.replace_with(*pieces)
        changed = True
    return str(soup) if changed else html
