"""The report record: the JSON object a notebook displays for export, batch and the index page."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

RECORD_MIME = "application/vnd.reportkit.report+json"

# The record's contract (docs/architecture.md, "Report record"): the notebook side writes it with these keys.
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
)
SIGNATURE_KEYS = ("authority", "title", "name")
_DOCUMENT_LIST_KEYS = ("parent_body", "recipients")
_DOCUMENT_STR_KEYS = tuple(k for k in DOCUMENT_KEYS if k not in (*_DOCUMENT_LIST_KEYS, "signature"))


class RecordError(ValueError):
    """A report record in a notebook does not have the agreed shape; lists every problem at once."""

    def __init__(self, problems: list[str], source: str = "notebook"):
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: report record ({RECORD_MIME}) is invalid:\n{lines}")


def _merge(base: dict, update: Mapping) -> dict:
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def _record_outputs(nb) -> list[tuple[int, Any]]:
    found = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data") or {}
            if RECORD_MIME in data:
                found.append((index, data[RECORD_MIME]))
    return found


def report_record(nb, source: str = "notebook") -> dict:
    """Merge every report record output of an executed notebook (later keys win; nested objects merge).

    Returns ``{}`` when the notebook displays no record. Raises :class:`RecordError` naming the cell and key of
    every value that does not fit the contract, e.g. ``cell 7: document.recipients: expected a list of strings,
    got 'Lưu: VT.'``.
    """
    merged: dict = {}
    problems: list[str] = []
    origin: dict[str, int] = {}
    for index, value in _record_outputs(nb):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as err:
                problems.append(f"cell {index}: not valid JSON ({err})")
                continue
        if not isinstance(value, Mapping):
            problems.append(f"cell {index}: expected a JSON object, got {type(value).__name__} {value!r:.60}")
            continue
        for key in _leaf_keys(value):
            origin[key] = index
        _merge(merged, value)
    problems.extend(_validate(merged, origin))
    if problems:
        raise RecordError(problems, source)
    return merged


def _leaf_keys(value: Mapping, prefix: str = "") -> list[str]:
    keys = []
    for key, item in value.items():
        path = f"{prefix}{key}"
        keys.append(path)
        if isinstance(item, Mapping):
            keys.extend(_leaf_keys(item, path + "."))
    return keys


def _validate(record: dict, origin: dict[str, int]) -> list[str]:
    problems: list[str] = []

    def bad(key: str, expected: str, value: Any) -> None:
        where = f"cell {origin[key]}: " if key in origin else ""
        problems.append(f"{where}{key}: expected {expected}, got {value!r:.80}")

    document = record.get("document", {})
    if not isinstance(document, Mapping):
        bad("document", "an object", document)
        document = {}
    for key in _DOCUMENT_STR_KEYS:
        if key in document and not isinstance(document[key], str):
            bad(f"document.{key}", "a string", document[key])
    for key in _DOCUMENT_LIST_KEYS:
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
        bad("key_figures", "a list of objects", figures)
        figures = []
    for i, figure in enumerate(figures):
        key = f"key_figures[{i}]"
        if not isinstance(figure, Mapping):
            bad(key, "an object with id, label, value, text", figure)
            continue
        for field in ("id", "label"):
            if not isinstance(figure.get(field), str) or not figure.get(field):
                where = f"cell {origin['key_figures']}: " if "key_figures" in origin else ""
                problems.append(
                    f"{where}{key}.{field}: expected a non-empty string, got {figure.get(field)!r}"
                )
        if "text" in figure and not isinstance(figure["text"], str):
            bad("key_figures", f"{key}.text to be a string", figure["text"])

    sources = record.get("sources", [])
    if not isinstance(sources, list):
        bad("sources", "a list of {path, sha256}", sources)
        sources = []
    for i, src in enumerate(sources):
        if not (isinstance(src, Mapping) and isinstance(src.get("path"), str)):
            where = f"cell {origin['sources']}: " if "sources" in origin else ""
            problems.append(f"{where}sources[{i}]: expected an object with a string path, got {src!r:.80}")
    return problems
