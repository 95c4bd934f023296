"""Reading a report back from its archival PDF: the JSON record the PDF/A carries as an attached file.

An archive or a province that holds only the PDF gets the figures from it (``reportkit figures FILE.pdf``), without
the notebook, the data or the sidecar JSON. pypdf (BSD) reads the attachment; it is pure Python, so this works
wherever reportkit installs.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

from reportkit.core import record as report
from reportkit.core.errors import ReportkitError

__all__ = ["ArchiveError", "embedded_record", "figure_lines"]


class ArchiveError(ReportkitError, ValueError):
    """The file is not a PDF, or carries no report record."""


def _attachments(reader) -> list[tuple[str, str, bytes]]:
    """(name, AFRelationship, bytes) of every embedded file, the catalog's /AF ones first."""
    found: list[tuple[str, str, bytes]] = []
    seen: set[tuple[str, bytes]] = set()
    root = reader.trailer["/Root"]
    for spec in root.get("/AF", []) or []:
        spec = spec.get_object()
        stream = (spec.get("/EF") or {}).get("/F")
        if stream is None:
            continue
        name = str(spec.get("/UF") or spec.get("/F") or "")
        data = stream.get_object().get_data()
        found.append((name, str(spec.get("/AFRelationship", "")), data))
        seen.add((name, data))
    for name, items in reader.attachments.items():
        for data in items:
            if (name, data) not in seen:
                found.append((name, "", data))
    return found


def embedded_record(pdf: Path | str | bytes) -> dict:
    """The report record embedded in a reportkit PDF (a ``Data`` attachment holding the JSON record).

    Raises :class:`ArchiveError` when the file is not a PDF or carries no record.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    where = "PDF" if isinstance(pdf, bytes) else str(pdf)
    try:
        reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else str(pdf))
        files = _attachments(reader)
    except (OSError, PdfReadError, ValueError, KeyError, TypeError) as err:
        raise ArchiveError(f"{where}: cannot read it as a PDF ({type(err).__name__}: {err})") from None
    problems = []
    for name, _relationship, data in sorted(files, key=lambda f: f[1] != "/Data"):
        try:
            record = report.loads(data.decode("utf-8"), name)
        except (UnicodeDecodeError, report.RecordError) as err:
            lines = str(err).splitlines()
            problems.append(f"{name}: {'; '.join(line.strip(' -') for line in lines[1:]) or lines[0]}")
            continue
        if isinstance(record, Mapping) and ("document" in record or "key_figures" in record):
            return record
        problems.append(f"{name}: not a report record")
    detail = f" ({'; '.join(problems)})" if problems else ""
    raise ArchiveError(
        f"{where}: no report record is attached{detail}; only PDFs made by reportkit (PDF/A-3b) carry one"
    )


def figure_lines(record: Mapping) -> list[str]:
    """The key figures as a reader wants them: the report's title, number and period, then one figure a line.

    >>> figure_lines({"document": {"title": "Báo cáo quý I năm 2023", "number": "Số: 05/BC-MTTQ-BTT",
    ...               "period_name": "quý I năm 2023"},
    ...               "key_figures": [{"id": "a", "label": "Buổi tuyên truyền", "value": 11, "text": "11"}]})
    ['Báo cáo quý I năm 2023', 'Số: 05/BC-MTTQ-BTT · quý I năm 2023', '', 'Buổi tuyên truyền: 11']
    """
    from reportkit import vn

    document = record.get("document") or {}
    lines = []
    title = document.get("title") or " ".join(x for x in (document.get("type"), document.get("subject")) if x)
    if title:
        lines.append(vn.nfc(title))
    about = " · ".join(vn.nfc(str(x)) for x in (document.get("number"), document.get("period_name")) if x)
    if about:
        lines.append(about)
    figures = record.get("key_figures") or []
    if lines:
        lines.append("")
    if not figures:
        lines.append("(báo cáo không có số liệu chính)")
    for figure in figures:
        text = figure.get("text")
        if not isinstance(text, str):
            value = figure.get("value")
            text = (
                vn.number(value)
                if isinstance(value, int | float) and not isinstance(value, bool)
                else str(value)
            )
        lines.append(f"{vn.nfc(str(figure.get('label') or figure.get('id')))}: {vn.nfc(text)}")
    return lines
