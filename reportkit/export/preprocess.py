"""The nbconvert preprocessor behind the ``reportkit`` template (registered in its conf.json).

It turns an executed notebook into report content: tags honoured, papermill's parameter cells dropped, code,
stderr/stdout and plain-text reprs removed, every kept output reduced to one safe, self-contained HTML fragment, the
report record read, and the "Thông tin kỳ báo cáo" data prepared. Running it from the template means
``jupyter nbconvert --to html --template reportkit`` gives the same page as :class:`ReportExporter`.
"""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from reportkit.core import clock, content, redact
from reportkit.core import record as report
from reportkit.core.errors import ReportkitError
from reportkit.export.sanitize import add_end_mark, sanitize_fragment, shift_headings
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


def _show(value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool) or value is None:
        text = json.dumps(value)
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, default=str)
    return nfc(redact.mask_urls(text))


def _format_moment(moment: object) -> str:
    try:
        return clock.shown(moment if moment is None or hasattr(moment, "tzinfo") else str(moment))
    except ValueError:
        return nfc(str(moment))


def _short_path(value):
    """An absolute path papermill recorded, as a shared page may show it (never the machine's folder layout)."""
    if not isinstance(value, str) or "://" in value or not Path(value).is_absolute():
        return value
    return redact.shown_path(value, Path.cwd())


def run_info_view(nb, record: dict, run_info: dict | None) -> dict:
    """What the "Thông tin kỳ báo cáo" section shows: period, visible parameters, data files, time, version.

    Without ``run_info`` (e.g. ``jupyter nbconvert``) the parameters come from papermill's notebook metadata.
    """
    import reportkit

    run_info = dict(run_info or {})
    if "parameters" in run_info:
        parameters = dict(run_info.get("parameters") or {})
    else:
        parameters = {
            k: _short_path(v) for k, v in (nb.metadata.get("papermill", {}).get("parameters") or {}).items()
        }
    secret = set(run_info.get("secret") or []) | set(parameters.get("secret") or [])
    secret.add("secret")
    shown = [(nfc(str(k)), _show(v)) for k, v in parameters.items() if k not in secret]

    document = record.get("document") or {}
    period = document.get("period") or parameters.get("period")
    period_name = document.get("period_name")
    if period and not period_name:
        try:
            from reportkit.vn import Period

            period_name = Period(str(period)).name
        except ValueError:
            period_name = None
    if period_name and period and period_name != period:
        period_text = f"{period_name} ({period})"
    else:
        period_text = period_name or (str(period) if period else "")
    sources = [
        {"path": nfc(str(s.get("path"))), "sha256": str(s.get("sha256") or "")}
        for s in record.get("sources") or []
        if isinstance(s, dict)
    ]
    return {
        "period": nfc(period_text),
        "parameters": shown,
        "sources": sources,
        "generated_at": _format_moment(run_info.get("generated_at")),
        "version": nfc(str(run_info.get("version") or reportkit.__version__)),
    }
