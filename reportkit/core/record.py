"""The report record: the JSON object a report notebook displays, and everything downstream reads.

The notebook side writes it (``reportkit.narrative.record`` → :func:`build`); the exporter, the index page and the
batch runner read it (:func:`read` from an executed notebook, :func:`loads` from the JSON sidecar). Its form is in
docs/architecture.md ("Report record"); this module is the only place that knows its keys and checks them.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from reportkit.core.errors import Problem, ReportkitError
from reportkit.core.params import SIGNER_KEYS

__all__ = [
    "DOCUMENT_KEYS",
    "FIGURE_KEYS",
    "PROVENANCE_KEYS",
    "RECORD_MIME",
    "SIGNATURE_KEYS",
    "SOURCE_KEYS",
    "RecordError",
    "build",
    "dumps",
    "loads",
    "problems",
    "read",
]

RECORD_MIME = "application/vnd.reportkit.report+json"
DOCUMENT_KEYS = (
    "parent_body",
    "issuing_body",
    "number",
    "national_title",
    "motto",
    "place_date",
    "type",
    "subject",
    "signature",
    "recipients",
    "title",
    "unit",
    "period",
    "period_name",
    "issued_on",
    "issuer",
)
SIGNATURE_KEYS = SIGNER_KEYS
FIGURE_KEYS = ("id", "label", "value", "text")  # and "unit" ("đồng", "lượt"…), which records before 0.2 lack
SOURCE_KEYS = ("path", "sha256")
# A source may say what it is: "texts" for the analyst's own words (watched by the batch like the data, but not a
# file the figures came from, so the page's list of data files leaves it out).
TEXTS_ROLE = "texts"
# What the data a report read were: the span of months that held data, every year read or looked for (None: all),
# the tổ expected and, per tổ, the months of the period it did not report (docs/architecture.md).
PROVENANCE_KEYS = ("data_from", "data_to", "years", "units", "missing")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_LIST_KEYS = ("parent_body", "recipients")
_TEXT_KEYS = tuple(k for k in DOCUMENT_KEYS if k not in (*_LIST_KEYS, "signature"))


class RecordError(ReportkitError, ValueError):
    """A report record does not have the agreed shape; ``.problems`` lists every problem at once."""

    def __init__(self, problems: list[str], source: str = "notebook") -> None:
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"{source}: report record ({RECORD_MIME}) is invalid:\n{lines}",
            problems=[Problem(source, p) for p in problems],
        )


def problems(record: object, origin: Mapping[str, int] | None = None, *, complete: bool = False) -> list[str]:
    """Every way ``record`` departs from the contract (``[]`` when it fits).

    ``complete`` (what a notebook writes) also requires every document key and every key of each figure and
    source; a record read back from several outputs may be partial. ``origin`` maps a key to the notebook cell
    that set it, so a message can name the cell ("cell 7: document.recipients: …").
    """
    origin = origin or {}
    found: list[str] = []

    def bad(key: str, expected: str, value: Any) -> None:
        where = f"cell {origin[key]}: " if key in origin else ""
        found.append(f"{where}{key}: expected {expected}, got {value!r:.80}")

    if not isinstance(record, Mapping):
        return [f"expected a JSON object with document, key_figures, sources, got {record!r:.80}"]
    document = record.get("document", {})
    if not isinstance(document, Mapping):
        bad("document", "an object", document)
        document = {}
    elif complete:
        missing = [k for k in DOCUMENT_KEYS if k not in document]
        if missing:
            found.append(f"document: missing keys {', '.join(missing)}")
    for key in _TEXT_KEYS:
        if key in document and not isinstance(document[key], str):
            bad(f"document.{key}", "a string", document[key])
    for key in _LIST_KEYS:
        if key in document and not (
            isinstance(document[key], list) and all(isinstance(x, str) for x in document[key])
        ):
            bad(f"document.{key}", "a list of strings", document[key])
    signature = document.get("signature")
    if signature is not None:
        if not isinstance(signature, Mapping):
            bad("document.signature", "an object with authority, title, name", signature)
        else:
            for key in SIGNATURE_KEYS:
                if key in signature and not isinstance(signature[key], str):
                    bad(f"document.signature.{key}", "a string", signature[key])

    figures = record.get("key_figures", [])
    if not isinstance(figures, list):
        bad("key_figures", "a list", figures)
        figures = []
    for i, figure in enumerate(figures):
        key = f"key_figures[{i}]"
        if not isinstance(figure, Mapping) or (complete and not set(FIGURE_KEYS) <= set(figure)):
            bad(key, "{id, label, value, text}", figure)
            continue
        for field in ("id", "label"):
            if not isinstance(figure.get(field), str) or not figure.get(field):
                bad(f"{key}.{field}", "a non-empty string", figure.get(field))
        for field in ("text", "unit"):
            if field in figure and not isinstance(figure[field], str):
                bad(f"{key}.{field}", "a string", figure[field])

    sources = record.get("sources", [])
    if not isinstance(sources, list):
        bad("sources", "a list", sources)
        sources = []
    for i, source in enumerate(sources):
        key = f"sources[{i}]"
        if (
            not isinstance(source, Mapping)
            or not isinstance(source.get("path"), str)
            or (complete and not set(SOURCE_KEYS) <= set(source))
        ):
            bad(key, "{path, sha256}", source)
    if "provenance" in record:
        found.extend(_provenance_problems(record["provenance"], bad, complete))
    return found


def _is_month(value: object) -> bool:
    return isinstance(value, str) and bool(_MONTH.match(value))


def _provenance_problems(value: object, bad, complete: bool) -> list[str]:
    if not isinstance(value, Mapping):
        bad("provenance", "an object with " + ", ".join(PROVENANCE_KEYS), value)
        return []
    if complete:
        missing = [k for k in PROVENANCE_KEYS if k not in value]
        if missing:
            return [f"provenance: missing keys {', '.join(missing)}"]
    for key in ("data_from", "data_to"):
        if value.get(key) is not None and not _is_month(value[key]):
            bad(f"provenance.{key}", 'a month "YYYY-MM" or null', value[key])
    years = value.get("years")
    if years is not None and not (
        isinstance(years, list) and all(isinstance(y, int) and not isinstance(y, bool) for y in years)
    ):
        bad("provenance.years", "a list of years or null (every year)", years)
    units = value.get("units", [])
    if not (isinstance(units, list) and all(isinstance(u, str) for u in units)):
        bad("provenance.units", "a list of strings", units)
    gaps = value.get("missing", [])
    if not isinstance(gaps, list):
        bad("provenance.missing", "a list of {unit, months}", gaps)
        gaps = []
    for i, gap in enumerate(gaps):
        if not (
            isinstance(gap, Mapping)
            and isinstance(gap.get("unit"), str)
            and isinstance(gap.get("months"), list)
            and all(_is_month(m) for m in gap["months"])
        ):
            bad(f"provenance.missing[{i}]", '{unit, months: ["YYYY-MM", …]}', gap)
    return []


def _json_safe(value: object, where: str) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        raise RecordError([f"{where} is {value!r}, which JSON cannot hold"], "record()")
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v, f"{where}[{i}]") for i, v in enumerate(value)]
    return value


def build(*, document: Mapping, key_figures: list, sources: list, provenance: Mapping | None = None) -> dict:
    """A complete, JSON-safe record from its parts, or :class:`RecordError` listing every problem.

    ``provenance`` (what the shared page's closing note says about the data) is left out when None.
    """
    record = {"document": document, "key_figures": key_figures, "sources": sources}
    if provenance is not None:
        record["provenance"] = provenance
    found = problems(record, complete=True)
    if found:
        raise RecordError(found, "record()")
    data = _json_safe({**record, "document": dict(document)}, "record")
    json.dumps(data, ensure_ascii=False, allow_nan=False)  # fail here, not in the exporter
    return data  # type: ignore[return-value]


def _merge(base: dict, update: Mapping) -> dict:
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _leaf_keys(value: Mapping, prefix: str = "") -> list[str]:
    keys = []
    for key, item in value.items():
        path = f"{prefix}{key}"
        keys.append(path)
        if isinstance(item, Mapping):
            keys.extend(_leaf_keys(item, path + "."))
    return keys


def read(nb: Mapping, source: str = "notebook") -> dict:
    """The record of an executed notebook: every record output merged in order (later keys win, nested objects
    merge); ``{}`` when there is none. Raises :class:`RecordError` naming the cell and key of every misfit, e.g.
    ``cell 7: document.recipients: expected a list of strings, got 'Lưu: VT.'``."""
    merged: dict = {}
    found: list[str] = []
    origin: dict[str, int] = {}
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            value = (output.get("data") or {}).get(RECORD_MIME)
            if value is None:
                continue
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except json.JSONDecodeError as err:
                    found.append(f"cell {index}: not valid JSON ({err})")
                    continue
            if not isinstance(value, Mapping):
                found.append(
                    f"cell {index}: expected a JSON object, got {type(value).__name__} {value!r:.60}"
                )
                continue
            for key in _leaf_keys(value):
                origin[key] = index
            _merge(merged, value)
    found.extend(problems(merged, origin))
    if found:
        raise RecordError(found, source)
    return merged


def dumps(record: Mapping) -> str:
    """The JSON sidecar's text (``report-<run id>.json``): UTF-8, indented, stable."""
    return json.dumps(record, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def loads(text: str, source: str = "record") -> dict:
    """A record read back from its JSON text, checked like one read from a notebook."""
    try:
        record = json.loads(text)
    except json.JSONDecodeError as err:
        raise RecordError([f"not valid JSON ({err})"], source) from None
    found = problems(record)
    if found:
        raise RecordError(found, source)
    return record
