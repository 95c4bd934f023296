"""reportkit.export: executed report notebook → shareable HTML, official-layout PDF, web article, index page.

``ReportExporter`` keeps nbconvert's ``reportkit`` template and WeasyPrint's fonts warm across reports;
``report_record`` reads the notebook's report record; ``write_index`` writes ``outputs/index.html`` (and
``write_site`` returns every page, a page per unit for a province's batch).

The names are imported on first use, so that writing the index page (``write_index``) does not pay for importing
nbconvert, nbformat and WeasyPrint (about 2 s in a process that needs none of them).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "TEMPLATE_NAME": "exporter",
    "TEMPLATES_DIR": "exporter",
    "ReportExporter": "exporter",
    "IndexPageError": "index",
    "write_index": "index",
    "write_site": "index",
    "ExportError": "preprocess",
    "GlyphError": "typeface",
}

if TYPE_CHECKING:
    from reportkit.core.record import RECORD_MIME, RecordError
    from reportkit.core.record import read as report_record
    from reportkit.export.exporter import TEMPLATE_NAME, TEMPLATES_DIR, ReportExporter
    from reportkit.export.index import IndexPageError, write_index, write_site
    from reportkit.export.preprocess import ExportError
    from reportkit.export.typeface import GlyphError

__all__ = [
    "RECORD_MIME",
    "TEMPLATES_DIR",
    "TEMPLATE_NAME",
    "ExportError",
    "GlyphError",
    "IndexPageError",
    "RecordError",
    "ReportExporter",
    "report_record",
    "write_index",
    "write_site",
]


# The record has one owner, reportkit.core.record; the export room re-exports its reader under the old name.
_CORE = {"RECORD_MIME": "RECORD_MIME", "RecordError": "RecordError", "report_record": "read"}


def __getattr__(name: str) -> Any:
    if name in _CORE:
        value = getattr(importlib.import_module("reportkit.core.record"), _CORE[name])
        globals()[name] = value
        return value
    if name not in _WHERE:
        raise AttributeError(f"module 'reportkit.export' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"reportkit.export.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
