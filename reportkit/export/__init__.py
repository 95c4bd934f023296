"""reportkit.export: executed report notebook → shareable HTML, official-layout PDF, web article, index page.

``ReportExporter`` keeps nbconvert's ``reportkit`` template and WeasyPrint's fonts warm across reports;
``report_record`` reads the notebook's report record; ``write_index`` writes ``outputs/index.html``.
"""

from reportkit.export.exporter import TEMPLATE_NAME, TEMPLATES_DIR, ReportExporter
from reportkit.export.index import IndexPageError, write_index
from reportkit.export.preprocess import ExportError
from reportkit.export.record import RECORD_MIME, RecordError, report_record
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
]
