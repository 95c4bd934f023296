"""The report's content: what an executed report notebook shows, as typed blocks, in order, body then phụ lục.

The notebook side writes outputs with ``metadata["reportkit"]["kind"]`` (and, for tables and charts, their parts);
every export reads them through :func:`blocks`, so the shared page and the Word file show the same things in the
same order, and a cell the analyst hides (``remove-cell``), a proofreading note or the record never reach either.

Cell tags:
- ``remove-cell`` (and papermill's ``parameters`` / ``injected-parameters``): the cell is not part of the report;
- ``remove-output``: the cell's outputs are not shown;
- ``appendix``: the cell belongs to the phụ lục, after the signature block (NĐ 30/2020, Phụ lục I).
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from reportkit.core.record import RECORD_MIME

__all__ = [
    "APPENDIX",
    "BODY",
    "Block",
    "Figure",
    "Html",
    "Table",
    "Text",
    "blocks",
    "figure_metadata",
    "kept_cells",
    "kept_outputs",
    "part_of",
    "prose",
    "table_metadata",
]

BODY, APPENDIX = "body", "appendix"
APPENDIX_TAG = "appendix"
REMOVE_CELL_TAGS = frozenset({"remove-cell", "injected-parameters", "parameters"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output"})
# Outputs meant for the analyst in JupyterLab only.
HIDDEN_KINDS = frozenset({"record", "proofreading"})
IMAGE_MIMES = ("image/svg+xml", "image/png", "image/jpeg", "image/gif")


@dataclass(frozen=True)
class Text:
    """Prose in Markdown: a narrative cell's text, or a Markdown cell."""

    markdown: str
    part: str = BODY


@dataclass(frozen=True)
class Table:
    """A numbered report table: ``title`` "Bảng 1. …", text cells, which columns are numbers, a "Tổng cộng" row."""

    title: str
    header: list[str]
    rows: list[list[str]]
    footer: list[str] | None
    numeric: list[bool]
    html: str = ""
    part: str = BODY


@dataclass(frozen=True)
class Figure:
    """A chart or picture: its bytes, type, alt text and caption ("Biểu đồ 1. …"); size in CSS pixels.

    ``mime``/``data`` is the best form for a page (SVG before PNG); ``images`` holds every form the output has,
    so an export that needs a raster (a Word file) takes ``images["image/png"]``.
    """

    mime: str
    data: bytes
    alt: str
    title: str = ""
    width: int | None = None
    height: int | None = None
    part: str = BODY
    images: dict[str, bytes] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Html:
    """Any other HTML a cell displayed (a DataFrame, a widget's static view): shown by the page as it is."""

    html: str
    part: str = BODY


Block = Text | Table | Figure | Html


def table_metadata(*, title: str, header: list[str], rows: list[list[str]], footer: list[str] | None,
                   numeric: list[bool], number: int) -> dict[str, Any]:  # fmt: skip
    """The output metadata of a report table (what :func:`blocks` reads back as a :class:`Table`)."""
    return {"reportkit": {"kind": "table", "number": number, "caption": title, "header": header, "rows": rows,
                          "footer": footer, "numeric": numeric}}  # fmt: skip


def figure_metadata(
    *, mime: str, title: str, alt: str, number: int, width: int, height: int
) -> dict[str, Any]:
    """The output metadata of a report chart (what :func:`blocks` reads back as a :class:`Figure`)."""
    return {
        mime: {"alt": alt, "width": width, "height": height},
        "alt": alt,
        "reportkit": {"kind": "chart", "number": number, "caption": title},
    }


def _tags(cell: Mapping) -> set[str]:
    return set((cell.get("metadata") or {}).get("tags") or [])


def part_of(cell: Mapping) -> str:
    """ "appendix" for a cell tagged ``appendix``, else "body"."""
    return APPENDIX if APPENDIX_TAG in _tags(cell) else BODY


def kept_cells(nb: Mapping) -> Iterator[Mapping]:
    """The cells that are part of the report, in order."""
    for cell in nb.get("cells", []):
        if not (_tags(cell) & REMOVE_CELL_TAGS):
            yield cell


def kept_outputs(cell: Mapping) -> Iterator[Mapping]:
    """The outputs of a code cell that the report shows: displayed data, not the record, not analyst notes."""
    if cell.get("cell_type") != "code" or _tags(cell) & REMOVE_OUTPUT_TAGS:
        return
    for output in cell.get("outputs", []):
        if output.get("output_type") not in ("display_data", "execute_result"):
            continue
        data = output.get("data") or {}
        kind = ((output.get("metadata") or {}).get("reportkit") or {}).get("kind")
        if RECORD_MIME in data or kind in HIDDEN_KINDS:
            continue
        yield output


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _image(mime: str, payload: Any) -> bytes:
    if mime == "image/svg+xml":
        return _text(payload).encode("utf-8")
    return base64.b64decode("".join(_text(payload).split()))


def _block(output: Mapping, part: str) -> Block | None:
    data = output.get("data") or {}
    meta = output.get("metadata") or {}
    info = meta.get("reportkit") or {}
    kind = info.get("kind")
    if kind == "table" and "rows" in info:
        return Table(
            title=str(info.get("caption", "")),
            header=[str(h) for h in info.get("header", [])],
            rows=[[str(c) for c in row] for row in info.get("rows", [])],
            footer=None if info.get("footer") is None else [str(c) for c in info["footer"]],
            numeric=[bool(n) for n in info.get("numeric", [])],
            html=_text(data.get("text/html", "")),
            part=part,
        )
    image = next((m for m in IMAGE_MIMES if m in data), None)
    if image is not None and (kind == "chart" or "text/html" not in data or kind is None):
        sizes = meta.get(image) if isinstance(meta.get(image), Mapping) else {}
        alt = str(meta.get("alt") or sizes.get("alt") or info.get("caption") or "Hình ảnh")
        return Figure(
            mime=image,
            data=_image(image, data[image]),
            alt=alt,
            title=str(info.get("caption") or ""),
            width=sizes.get("width"),
            height=sizes.get("height"),
            part=part,
            images={m: _image(m, data[m]) for m in IMAGE_MIMES if m in data},
        )
    if "text/markdown" in data and (kind == "narrative" or "text/html" not in data):
        return Text(_text(data["text/markdown"]), part)
    if "text/html" in data:
        return Html(_text(data["text/html"]), part)
    return None


def prose(nb: Mapping) -> Iterator[tuple[int, str]]:
    """(cell index, Markdown) of every text the report prints: its narrative outputs and Markdown cells, in order
    (what the proofreader reads; tables and charts hold the data's own names)."""
    for index, cell in enumerate(nb.get("cells", [])):
        if _tags(cell) & REMOVE_CELL_TAGS:
            continue
        if cell.get("cell_type") == "markdown":
            source = _text(cell.get("source", ""))
            if source.strip():
                yield index, source
            continue
        for output in kept_outputs(cell):
            block = _block(output, part_of(cell))
            if isinstance(block, Text):
                yield index, block.markdown


def blocks(nb: Mapping) -> list[Block]:
    """The report's content in order: every kept Markdown cell and displayed output, body and phụ lục alike
    (``block.part``). Plain-text, error and stream outputs are the analyst's, never the report's."""
    found: list[Block] = []
    for cell in kept_cells(nb):
        part = part_of(cell)
        if cell.get("cell_type") == "markdown":
            source = _text(cell.get("source", ""))
            if source.strip():
                found.append(Text(source, part))
            continue
        for output in kept_outputs(cell):
            block = _block(output, part)
            if block is not None:
                found.append(block)
    return found
