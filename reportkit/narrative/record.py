"""The report record: one ``application/vnd.reportkit.report+json`` output per executed notebook.

The exporter reads the document block (header, number, date line, signature, recipients), the index page reads the
key figures, the batch runner writes the whole record as the JSON sidecar and uses ``sources`` for incremental
runs. The form is in docs/architecture.md ("Report record") and docs/guide.md.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from reportkit import vn
from reportkit.export.record import DOCUMENT_KEYS, RECORD_MIME, SIGNATURE_KEYS
from reportkit.narrative import _state

# The record's form is the exporter's contract: one definition, in reportkit.export.record (a light module).
MIME = RECORD_MIME
SIGNER_KEYS = SIGNATURE_KEYS
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _issued_on(issued_on: object, period: vn.Period) -> _dt.date:
    if issued_on is None:
        return period.end
    if isinstance(issued_on, _dt.datetime):
        return issued_on.date()
    if isinstance(issued_on, _dt.date):
        return issued_on
    if isinstance(issued_on, str) and _ISO_DATE.match(issued_on.strip()):
        try:
            return _dt.date.fromisoformat(issued_on.strip())
        except ValueError:
            pass
    raise ValueError(
        f"issued_on: expected a date 'YYYY-MM-DD' (e.g. '2022-06-24') or None, got {issued_on!r}"
    )


def _number_line(document_number: object, symbol: str) -> str:
    if document_number is None:
        return f"Số:     /{symbol}"  # left blank for the number the văn thư writes by hand
    if isinstance(document_number, bool) or not isinstance(document_number, int) or document_number < 1:
        raise ValueError(f"document_number: expected a whole number ≥ 1 or None, got {document_number!r}")
    # Nghị định 30: numbers below 10 take a leading 0; document numbers are never grouped ("Số: 1234/…").
    return f"Số: {document_number:02d}/{symbol}"


def _signer(ward_signer: Mapping[str, str], override: object) -> dict[str, str]:
    signer = {k: str(ward_signer.get(k, "")) for k in SIGNER_KEYS}
    if override is None:
        return signer
    if not isinstance(override, Mapping):
        raise ValueError(f"signer: expected a mapping with keys {', '.join(SIGNER_KEYS)}, got {override!r}")
    unknown = sorted(set(override) - set(SIGNER_KEYS))
    if unknown:
        raise ValueError(f"signer: unknown keys {unknown}; expected some of {', '.join(SIGNER_KEYS)}")
    for key, value in override.items():
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"signer[{key!r}]: expected non-empty text, got {value!r}")
        signer[key] = value.strip()
    return signer


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
    "Duy Tân, ngày 30 tháng 6 năm 2022". ``heading`` replaces the Quốc hiệu and Tiêu ngữ where a body's own
    rules say so, e.g. ``{"national_title": "ĐẢNG CỘNG SẢN VIỆT NAM", "motto": ""}`` (an empty text leaves the line
    out).
    """
    ward = getattr(data, "ward", data)
    period = period if isinstance(period, vn.Period) else vn.Period(period)
    _state.check_tone_style(tone_style)
    subject = vn.nfc(subject.strip()) if subject else f"Kết quả công tác {period.name}"
    kind = report_type.strip()
    title_subject = subject[:1].lower() + subject[1:]
    doc = {
        "parent_body": list(ward.parent_body),
        "issuing_body": ward.issuing_body,
        "number": _number_line(document_number, ward.document_symbol),
        "national_title": ward.national_title,
        "motto": ward.motto,
        "place_date": vn.place_date(ward.place, _issued_on(issued_on, period)),
        "type": kind,
        "subject": subject,
        "signature": _signer(dict(ward.signer), signer),
        "recipients": list(ward.recipients),
        "title": f"{kind[:1]}{kind[1:].lower()} {title_subject} — {ward.name}",
        "unit": ward.name,
        "period": period.spec,
        "period_name": period.name,
    }
    unknown = sorted(set(heading or {}) - {"national_title", "motto"})
    if unknown:
        raise ValueError(f"heading: unknown keys {unknown}; expected some of national_title, motto")
    doc.update({k: vn.nfc(str(v)) for k, v in (heading or {}).items()})
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


def key_figures(
    figures: object, indicators: Mapping[str, str] | Sequence[str], catalog: object = None
) -> list[dict]:
    """Key figures for the index page: [{"id", "label", "value", "text"}].

    ``indicators``: {id: label}, or ids whose labels come from ``catalog`` (``dataset.catalog``). A figure the
    period has no data for is left out rather than shown as 0.
    """
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
        out.append({"id": ident, "label": vn.nfc(str(label)), "value": _plain(value), "text": _text(value)})
    return out


def _source_path(path: object) -> str:
    """A URL as it is; a file as the data layer shows it (already relative to the project or the working folder)."""
    text = str(path)
    return text if "://" in text else Path(text).as_posix()


def sources(dataset: object) -> list[dict]:
    """Every file the data came from, as {"path", "sha256"}; paths inside the project are relative to its root."""
    return [{"path": _source_path(s.path), "sha256": s.sha256} for s in dataset.sources]


def _check(document: object, key_figures: object, sources: object) -> list[str]:
    problems = []
    if not isinstance(document, Mapping):
        problems.append(f"document: expected a mapping, got {type(document).__name__}")
    else:
        missing = [k for k in DOCUMENT_KEYS if k not in document]
        if missing:
            problems.append(f"document: missing keys {', '.join(missing)}")
    if not isinstance(key_figures, list):
        problems.append(f"key_figures: expected a list, got {type(key_figures).__name__}")
    else:
        for i, fig in enumerate(key_figures):
            if not isinstance(fig, Mapping) or not {"id", "label", "value", "text"} <= set(fig):
                problems.append(f"key_figures[{i}]: expected {{id, label, value, text}}, got {fig!r}")
    if not isinstance(sources, list):
        problems.append(f"sources: expected a list, got {type(sources).__name__}")
    else:
        for i, src in enumerate(sources):
            if not isinstance(src, Mapping) or not {"path", "sha256"} <= set(src):
                problems.append(f"sources[{i}]: expected {{path, sha256}}, got {src!r}")
    return problems


def _json_safe(value: object, where: str) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"record(): {where} is {value!r}, which JSON cannot hold")
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


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


def record(*, document: Mapping, key_figures: list, sources: list) -> None:
    """Display the report record of this notebook run (see docs/guide.md, "Hồ sơ báo cáo")."""
    problems = _check(document, key_figures, sources)
    if problems:
        raise ValueError("record(): the report record is not valid:\n  " + "\n  ".join(problems))
    data = _json_safe({"document": dict(document), "key_figures": key_figures, "sources": sources}, "record")
    json.dumps(data, ensure_ascii=False, allow_nan=False)  # fail here, not in the exporter
    from IPython.display import display

    display(Record(data))  # type: ignore[arg-type]
