"""The nbconvert preprocessor behind the ``reportkit`` template (registered in its conf.json).

It turns an executed notebook into report content: tags honoured, papermill's parameter cells dropped, code,
stderr/stdout and plain-text reprs removed, every kept output reduced to one safe, self-contained HTML fragment, the
report record read, and the page's closing note about the data prepared. Running it from the template means
``jupyter nbconvert --to html --template reportkit`` gives the same page as :class:`ReportExporter`.
"""

from __future__ import annotations

import base64
import contextlib
import html
import os
from pathlib import Path
from typing import Any

from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from reportkit import vn
from reportkit.core import clock, content, redact
from reportkit.core import record as report
from reportkit.core.errors import ReportkitError
from reportkit.export.sanitize import add_end_mark, keep_lines_together, sanitize_fragment, shift_headings
from reportkit.vn.text import nfc, nfc_tree

REMOVE_INPUT_TAGS = {"remove-input"}

# Kept output kinds, best first. Plain text, LaTeX, JavaScript and widgets are analyst-facing: never shown.
_PRIORITY = ("text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "image/gif")


class ExportError(ReportkitError, ValueError):
    """The notebook cannot become a report (e.g. a cell ended in an error); names every offending cell."""


class ReportPreprocessor(Preprocessor):
    """Prepare an executed notebook for the ``reportkit`` template (see module docstring)."""

    def preprocess(self, nb, resources):
        resources = resources if resources is not None else {}
        meta = resources.setdefault("metadata", {})
        source = meta.get("name") or "notebook"
        record = report.read(nb, source=source)
        raise_on_errors(nb, source)

        tags = TagRemovePreprocessor(
            remove_cell_tags=set(content.REMOVE_CELL_TAGS),
            remove_all_outputs_tags=set(content.REMOVE_OUTPUT_TAGS),
            remove_input_tags=REMOVE_INPUT_TAGS,
        )
        nb, resources = tags.preprocess(nb, resources)

        base = Path(meta.get("path") or ".")
        for cell in nb.cells:
            self._cell(cell, base)
        shown = [cell for cell in nb.cells if cell.metadata.get("reportkit", {}).get("html")]
        fragments = shift_headings([cell.metadata["reportkit"]["html"] for cell in shown])
        for cell, fragment in zip(shown, fragments, strict=True):
            cell.metadata["reportkit"]["html"] = fragment
        # The body, then the phụ lục (cells tagged "appendix"), which the template places after the signature.
        nb.cells = [cell for cell in shown if content.part_of(cell) == content.BODY]
        appendix = [
            cell.metadata["reportkit"]["html"] for cell in shown if content.part_of(cell) == content.APPENDIX
        ]
        if resources.get("reportkit_end_mark", True) and nb.cells:
            last = nb.cells[-1].metadata["reportkit"]
            last["html"] = add_end_mark(last["html"])
        # A number and what it counts, a noun and its number, never split across lines (the page's text only).
        for cell in nb.cells:
            cell.metadata["reportkit"]["html"] = keep_lines_together(cell.metadata["reportkit"]["html"])
        appendix = [keep_lines_together(fragment) for fragment in appendix]

        document = nfc_tree(record.get("document") or {})
        title = (
            document.get("title")
            or " ".join(x for x in (document.get("type"), document.get("subject")) if x)
            or nfc(str(nb.metadata.get("title") or "")).strip()
            or meta.get("name")
            or "Báo cáo"
        )
        resources["reportkit"] = {
            "record": record,
            "document": document or None,
            "title": title,
            "runinfo": run_info_view(nb, record, resources.get("reportkit_run_info")),
            "appendix": appendix,
            "subject_html": keep_lines_together(
                html.escape(str(document.get("subject") or ""), quote=False), heading=True
            ),
        }
        return nb, resources

    def _cell(self, cell, base: Path) -> None:
        removed = cell.metadata.get("transient", {}).get("remove_source", False)
        if cell.cell_type == "markdown":
            if removed or not cell.source.strip():
                return
            renderer = IPythonRenderer(
                escape=False,
                attachments=cell.get("attachments", {}),
                embed_images=True,
                path=str(base),
                exclude_anchor_links=True,
            )
            rendered = MarkdownWithMath(renderer=renderer).render(nfc(cell.source))
            cell.metadata["reportkit"] = {"html": sanitize_fragment(rendered, base)}
        elif cell.cell_type == "code":
            fragments = [f for f in (_output_html(o, base) for o in content.kept_outputs(cell)) if f]
            cell.outputs = []
            cell.execution_count = None
            if fragments:
                cell.metadata["reportkit"] = {"html": "\n".join(fragments)}


def raise_on_errors(nb, source: str) -> None:
    problems = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                problems.append(f"cell {index}: {output.get('ename')}: {output.get('evalue')}")
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ExportError(
            f"{source}: the notebook ended cells in errors; a report cannot be exported from it:\n{lines}"
        )


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _output_html(output, base: Path) -> str:
    data = output.get("data", {})
    mime = next((m for m in _PRIORITY if m in data), None)
    if mime is None:
        return ""
    meta = output.get("metadata", {}) or {}
    info = meta.get("reportkit") if isinstance(meta.get("reportkit"), dict) else {}
    if info.get("kind") == "chart":  # a report chart: its best image (SVG before PNG), not its notebook HTML
        image = next((m for m in content.IMAGE_MIMES if m in data), None)
        if image is not None:
            return _figure(image, data[image], {**meta, "caption": info.get("caption") or ""})
    if mime == "text/html":
        return sanitize_fragment(_text(data[mime]), base)
    if mime == "text/markdown":
        rendered = MarkdownWithMath(renderer=IPythonRenderer(escape=False, exclude_anchor_links=True)).render(
            nfc(_text(data[mime]))
        )
        return sanitize_fragment(rendered, base)
    return _figure(mime, data[mime], meta)


def _figure(mime: str, payload: Any, meta: dict) -> str:
    mime_meta = meta.get(mime, {}) if isinstance(meta.get(mime), dict) else {}
    alt = nfc(str(meta.get("alt") or mime_meta.get("alt") or meta.get("caption") or "Biểu đồ")).strip()
    caption = nfc(str(meta.get("caption") or mime_meta.get("caption") or "")).strip()
    if mime == "image/svg+xml":
        encoded = base64.b64encode(_text(payload).encode("utf-8")).decode("ascii")
    else:
        encoded = "".join(_text(payload).split())
    size = ""
    for key in ("width", "height"):
        value = mime_meta.get(key)
        if isinstance(value, int | float) and value > 0:
            size += f' {key}="{int(value)}"'
    img = f'<img src="data:{mime};base64,{encoded}" alt="{html.escape(alt)}"{size}>'
    figcaption = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure class="rk-figure">{img}{figcaption}</figure>'


def _format_moment(moment: object) -> str:
    try:
        return clock.shown(moment if moment is None or hasattr(moment, "tzinfo") else str(moment))
    except ValueError:
        return nfc(str(moment))


def _month(text: object) -> tuple[int, int] | None:
    try:
        year, month = str(text).split("-")
        return int(year), int(month)
    except (TypeError, ValueError):
        return None


def _noun(units: list[str]) -> str:
    """The word the units share ("Tổ 1" … "Tổ 10" → "tổ"), else "đơn vị"."""
    first = {u.split()[0] for u in units if u.split()}
    return next(iter(first)).lower() if len(first) == 1 else "đơn vị"


def _data_note(provenance: object) -> dict:
    """The sentences of the closing note about the data (empty when the record carries no provenance)."""
    if not isinstance(provenance, dict):
        return {}
    note: dict[str, str] = {}
    start, end = _month(provenance.get("data_from")), _month(provenance.get("data_to"))
    if start and end:
        note["span"] = f"từ {vn.months_text([start])} đến {vn.months_text([end])}"
    units = [nfc(str(u)) for u in provenance.get("units") or []]
    gaps = [g for g in provenance.get("missing") or [] if isinstance(g, dict)]
    if units:
        noun = note["noun"] = _noun(units)
        reported = len(units) - len({str(g.get("unit")) for g in gaps})
        note["reported"] = vn.upper_first(f"{reported}/{len(units)} {noun} đã gửi đủ báo cáo của kỳ")
        if gaps:
            note["missing"] = "; ".join(
                " ".join(
                    [
                        f"{vn.unit_in_sentence(str(g.get('unit')))} chưa gửi báo cáo",
                        vn.months_text([m for m in map(_month, g.get("months") or []) if m]),
                    ]
                ).strip()
                for g in gaps
            )
    return note


def _files(sources: list[dict]) -> tuple[str, list[str]]:
    """The folder the data files share (as a shared page may name it) and each file's path below it."""
    local = [s["path"] for s in sources if "://" not in s["path"]]
    folder = ""
    if len(local) > 1:
        with contextlib.suppress(ValueError):
            folder = os.path.commonpath(local)
    elif local:
        folder = os.path.dirname(local[0])
    shown = []
    for s in sources:
        path = s["path"]
        if "://" in path:
            shown.append(redact.mask_url(path))
        else:
            shown.append(Path(os.path.relpath(path, folder)).as_posix() if folder else Path(path).as_posix())
    return (redact.shown_path(folder, Path.cwd()) if folder else ""), shown


def run_info_view(nb, record: dict, run_info: dict | None) -> dict:
    """What the page's closing note says: the period, the data's span, who reported, when and with which version
    reportkit made the page, and the data files behind the figures (paths only: hashes stay in the JSON record).

    No parameter is shown (their names are the notebook's, in English); ``run_info`` gives the time and version.
    """
    import reportkit

    run_info = dict(run_info or {})
    document = record.get("document") or {}
    parameters = nb.metadata.get("papermill", {}).get("parameters") or {}
    period = document.get("period") or parameters.get("period")
    period_name = document.get("period_name")
    if period and not period_name:
        try:
            period_name = vn.Period(str(period)).name
        except ValueError:
            period_name = None
    sources = [
        {"path": nfc(str(s.get("path"))), "sha256": str(s.get("sha256") or "")}
        for s in record.get("sources") or []
        if isinstance(s, dict) and s.get("path") and s.get("role") != report.TEXTS_ROLE
    ]
    folder, files = _files(sources)
    return {
        "period": nfc(period_name or (str(period) if period else "")),
        "data": _data_note(record.get("provenance")),
        "folder": nfc(folder),
        "files": [nfc(f) for f in files],
        "generated_at": _format_moment(run_info.get("generated_at")),
        "version": nfc(str(run_info.get("version") or reportkit.__version__)),
    }
