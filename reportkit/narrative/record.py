"""The report record: one ``application/vnd.reportkit.report+json`` output per executed notebook.

The exporter reads the document block (header, number, date line, signature, recipients), the index page reads the
key figures, the batch runner writes the whole record as the JSON sidecar and uses ``sources`` for incremental
runs. The form is in docs/architecture.md ("Report record") and docs/guide.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from reportkit import vn
from reportkit.core import params as schema
from reportkit.core import record as report
from reportkit.core.record import RECORD_MIME

MIME = RECORD_MIME
SIGNER_KEYS = schema.SIGNER_KEYS


def _number_line(document_number: int | None, symbol: str) -> str:
    if document_number is None:
        return f"Số:     /{symbol}"  # left blank for the number the văn thư writes by hand
    # Nghị định 30: numbers below 10 take a leading 0; document numbers are never grouped ("Số: 1234/…").
    return f"Số: {document_number:02d}/{symbol}"


def _styled(value: object, tone_style: str) -> object:
    if isinstance(value, str):
        return vn.tone_style(vn.nfc(value), tone_style)
    if isinstance(value, list):
        return [_styled(v, tone_style) for v in value]
    if isinstance(value, dict):
        return {k: _styled(v, tone_style) for k, v in value.items()}
    return value


def document(
    data: object,
    period: object,
    *,
    subject: str | None = None,
    document_number: int | None = None,
    issued_on: object = None,
    signer: Mapping[str, str] | None = None,
    tone_style: str = "classic",
    report_type: str = "BÁO CÁO",
    heading: Mapping[str, str] | None = None,
) -> dict:
    """The ``document`` block of the record from the ward's description, the period and the run's params.

    ``data``: a Dataset (its ``.ward`` is used) or a Ward. ``subject`` defaults to "Kết quả công tác <period>".
    ``issued_on`` None → the last day of the period. E.g. ``number`` "Số: 47/BC-MTTQ-BTT", ``place_date``
    "Duy Tân, ngày 30 tháng 6 năm 2022", ``issued_on`` "2022-06-30", ``issuer`` (the issuing body as a sentence
    names it, for the phụ lục's "Kèm theo …" line) "Ban Thường trực Ủy ban MTTQ Việt Nam Phường Duy Tân". ``heading`` replaces the Quốc hiệu and Tiêu ngữ where a body's own
    rules say so, e.g. ``{"national_title": "ĐẢNG CỘNG SẢN VIỆT NAM", "motto": ""}`` (an empty text leaves the line
    out).
    """
    ward = getattr(data, "ward", data)
    period = period if isinstance(period, vn.Period) else vn.Period(period)
    problems: list[tuple[str, str]] = []
    number = schema.document_number(document_number, problems)
    issued = schema.issued_on(issued_on, problems, period_spec=period.spec)
    schema.tone_style(tone_style, problems)
    override = schema.signer(signer, problems)
    heading = schema.heading(heading, problems)
    if problems:
        raise schema.ParameterError(problems)
    subject = vn.nfc(subject.strip()) if subject else f"Kết quả công tác {period.name}"
    kind = report_type.strip()
    title_subject = vn.lower_first(subject)
    signature = {k: str(ward.signer.get(k, "")) for k in SIGNER_KEYS}
    signature.update(override or {})
    day = issued or period.end
    issuer = (
        getattr(ward, "issuer_in_text", None) or f"{vn.upper_first(ward.issuing_body.lower())} {ward.name}"
    )
    doc = {
        "parent_body": list(ward.parent_body),
        "issuing_body": ward.issuing_body,
        "number": _number_line(number, ward.document_symbol),
        "national_title": ward.national_title,
        "motto": ward.motto,
        "place_date": vn.place_date(ward.place, day),
        "type": kind,
        "subject": subject,
        "signature": signature,
        "recipients": list(ward.recipients),
        "title": f"{kind[:1]}{kind[1:].lower()} {title_subject} — {ward.name}",
        "unit": ward.name,
        "period": period.spec,
        "period_name": period.name,
        "issued_on": day.isoformat(),
        "issuer": issuer,
    }
    doc.update({k: vn.nfc(v) for k, v in (heading or {}).items()})
    return _styled(doc, tone_style)  # type: ignore[return-value]


def _plain(value: object) -> object:
    if hasattr(value, "count") and hasattr(value, "total") and hasattr(value, "units"):
        return {"count": int(value.count), "total": int(value.total), "units": [str(u) for u in value.units]}
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _text(value: object) -> str:
    if hasattr(value, "count") and hasattr(value, "total"):
        return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return vn.number(value)
    return vn.nfc(str(value))


def _unit_of(catalog: object, ident: str) -> str:
    if catalog is None:
        return ""
    try:
        return vn.nfc(str(getattr(catalog[ident], "unit", "") or ""))
    except (KeyError, TypeError):
        return ""


def key_figures(
    figures: object, indicators: Mapping[str, str] | Sequence[str], catalog: object = None
) -> list[dict]:
    """Key figures for the index page: [{"id", "label", "value", "text", "unit"}], e.g. the fund's unit "đồng".

    ``indicators``: {id: label}, or ids whose labels come from ``catalog`` (``dataset.catalog``). The unit comes
    from ``catalog``, else from the figures' own catalog ("" when neither knows it). A figure the period has no
    data for is left out rather than shown as 0.
    """
    catalog = catalog if catalog is not None else getattr(figures, "catalog", None)
    if not isinstance(indicators, Mapping):
        if catalog is None:
            raise ValueError("key_figures(): give {id: label} or pass catalog= to take the labels from it")
        indicators = {i: catalog[i].label for i in indicators}
    out = []
    for ident, label in indicators.items():
        try:
            value = getattr(figures, ident)
        except AttributeError:
            raise KeyError(f"key_figures(): the figures have no indicator {ident!r}") from None
        if value is None:
            continue
        out.append(
            {
                "id": ident,
                "label": vn.nfc(str(label)),
                "value": _plain(value),
                "text": _text(value),
                "unit": _unit_of(catalog, ident),
            }
        )
    return out


def _source_path(path: object) -> str:
    """A URL as it is; a file as the data layer shows it (already relative to the project or the working folder)."""
    text = str(path)
    return text if "://" in text else Path(text).as_posix()


def _inputs(data: object):
    """The data layer's record of what was read (a Dataset's ``inputs()``, a Figures' ``inputs``), or None."""
    inputs = getattr(data, "inputs", None)
    return inputs() if callable(inputs) else inputs


def sources(data: object, *more: object) -> list[dict]:
    """The files the report's figures came from, as {"path", "sha256"}: exactly those that held a month or a plan
    the notebook read (its period, the comparisons, the year to date), and the ward's description and catalog.

    ``data``: the Dataset (or the period's Figures). Call it after the figures are read (the record cell is the
    last one). Paths inside the project are relative to its root; a SQL source is its URL (password masked) and
    table. A dataset that keeps no such account gives every file it read. ``more``: other inputs with
    ``.sources`` of their own, e.g. the analyst's texts (``analyst_texts``).
    """
    inputs = _inputs(data)
    listed = inputs.sources if inputs is not None else getattr(data, "sources", [])
    found = [{"path": _source_path(s.path), "sha256": s.sha256} for s in listed]
    for other in more:
        found += [dict(s) for s in getattr(other, "sources", [])]
    return found


def provenance(figures: object) -> dict:
    """What the shared page's closing note says about the data (record key ``provenance``):

    {"data_from": "2021-01", "data_to": "2022-06", "years": [2021, 2022], "units": ["Tổ 1", …],
    "missing": [{"unit": "Tổ 4", "months": ["2022-05", "2022-06"]}]} — the span of the months read that held
    data, every year read or looked for (the batch watches those years' files), the tổ expected, and per tổ the
    months of the period it did not report. ``figures``: the period's Figures, after every figure is read.
    """
    inputs = _inputs(figures)
    read = inputs.as_dict() if inputs is not None else {"data_from": None, "data_to": None, "years": None}
    completeness = figures.completeness
    gaps: dict[str, list[str]] = {}
    for unit, (year, month) in completeness.missing:
        gaps.setdefault(str(unit), []).append(f"{year:04d}-{month:02d}")
    units = [vn.nfc(str(u)) for u in completeness.units]
    missing = [{"unit": vn.nfc(u), "months": sorted(gaps[u])} for u in sorted(gaps, key=vn.sort_key)]
    return {**read, "units": units, "missing": missing}


class Record:
    """The displayed report record (``_repr_mimebundle_`` gives the output)."""

    def __init__(self, data: dict) -> None:
        self.data = data

    def _repr_mimebundle_(self, include=None, exclude=None):
        doc = self.data["document"]
        summary = (
            f"Hồ sơ báo cáo: {doc['title']} — {len(self.data['key_figures'])} số liệu chính, "
            f"{len(self.data['sources'])} tệp nguồn."
        )
        return {MIME: self.data, "text/plain": summary}, {"reportkit": {"kind": "record"}}


def record(*, document: Mapping, key_figures: list, sources: list, provenance: Mapping | None = None) -> None:
    """Display the report record of this notebook run (see docs/guide.md, "Hồ sơ báo cáo")."""
    data = report.build(document=document, key_figures=key_figures, sources=sources, provenance=provenance)
    from IPython.display import display

    display(Record(data))  # type: ignore[arg-type]
