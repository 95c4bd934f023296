"""The report notebook's parameters: one schema that the batch validation and the notebook side both call.

``period``, ``data``, ``texts``, ``document_number``, ``issued_on``, ``tone_style``, ``signer`` and ``heading`` are
checked here, once: ``reportkit run`` reports every problem of every params file with its file and key before a kernel
starts; ``reportkit.narrative.document()`` raises the same messages inside the notebook. A problem is
``(key path, message)``, e.g. ``("signer.name", "expected a non-empty text, got ''")``.

>>> values, problems = check({"period": "2022-h1", "issued_on": "2022-06-24", "tone_style": "fancy"})
>>> values["period"], values["issued_on"], problems
('2022-H1', '2022-06-24', [('tone_style', "expected one of classic, modern, got 'fancy'")])
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Mapping
from typing import Any

from reportkit.core.errors import Problem, ReportkitError
from reportkit.vn.text import TONE_STYLES

__all__ = [
    "HEADING_KEYS",
    "PARAMETERS",
    "SIGNER_KEYS",
    "TONE_STYLES",
    "ParameterError",
    "check",
    "document_number",
    "heading",
    "issued_on",
    "period",
    "signer",
    "texts",
    "tone_style",
]

SIGNER_KEYS = ("authority", "title", "name")
HEADING_KEYS = ("national_title", "motto")
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")

Problems = list[tuple[str, str]]


class ParameterError(ReportkitError, ValueError):
    """Parameters the notebook was given do not fit the schema; ``.problems`` lists every one."""

    def __init__(self, problems: Problems) -> None:
        located = [Problem(key, message) for key, message in problems]
        super().__init__("\n".join(map(str, located)), problems=located)


def period(value: Any, problems: Problems, key: str = "period") -> str | None:
    """A period spec, normalised: "2022-h1" → "2022-H1", 2022 → "2022"."""
    from reportkit.vn import Period

    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        problems.append((key, f"expected a period such as '2022-H1', got {type(value).__name__} {value!r}"))
        return None
    try:
        return Period(value.strip()).spec
    except ValueError as err:
        problems.append((key, f"{value!r} is not a period: {err}"))
        return None


def data(value: Any, problems: Problems, key: str = "data") -> str | None:
    """A data source: a folder (checked for existence by whoever knows the project) or a SQLAlchemy URL."""
    if not isinstance(value, str) or not value.strip():
        problems.append(
            (key, f"expected a folder (relative to the project root) or a SQLAlchemy URL, got {value!r}")
        )
        return None
    return value


def texts(value: Any, problems: Problems, key: str = "texts") -> str | None:
    """The analyst's own words for the period (đánh giá, phương hướng, kiến nghị): a Markdown file (checked for
    existence by whoever knows the project), or None for a report without them."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        problems.append(
            (key, f"expected a Markdown file (relative to the project root) or null, got {value!r}")
        )
        return None
    if not value.strip().lower().endswith((".md", ".markdown")):
        problems.append((key, f"expected a Markdown file ending in .md, got {value!r}"))
        return None
    return value.strip()


def document_number(value: Any, problems: Problems, key: str = "document_number") -> int | None:
    """The "Số" of the report: a whole number ≥ 1, or None to leave the gap the văn thư fills in by hand."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        problems.append((key, f"expected a whole number ≥ 1 (the 'Số' of the report) or null, got {value!r}"))
        return None
    return value


def issued_on(
    value: Any, problems: Problems, key: str = "issued_on", *, period_spec: str | None = None
) -> _dt.date | None:
    """The signing date (a date or "YYYY-MM-DD"), not before the period starts; None → the period's last day."""
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value.strip())
        except ValueError:
            problems.append((key, f"expected a date YYYY-MM-DD, got {value!r}"))
            return None
    if not isinstance(value, _dt.date):
        problems.append((key, f"expected a date YYYY-MM-DD, got {type(value).__name__} {value!r}"))
        return None
    if period_spec is not None:
        from reportkit.vn import Period

        try:
            start = Period(period_spec).start
        except ValueError:
            start = None
        if start is not None and value < start:
            problems.append(
                (key, f"{value.isoformat()} is before the period {period_spec} starts ({start.isoformat()})")
            )
            return None
    return value


def tone_style(value: Any, problems: Problems, key: str = "tone_style") -> str | None:
    """ "classic" (hòa, thủy) or "modern" (hoà, thuỷ)."""
    if value not in TONE_STYLES:
        problems.append((key, f"expected one of {', '.join(TONE_STYLES)}, got {value!r}"))
        return None
    return value


def _texts(value: Any, problems: Problems, key: str, keys: tuple[str, ...], what: str, *, empty_ok: bool):
    if value is None:
        return None
    if not isinstance(value, Mapping):
        problems.append((key, f"expected a mapping with keys {', '.join(keys)}, got {value!r}"))
        return None
    before = len(problems)
    for extra in sorted(set(map(str, value)) - set(keys)):
        problems.append((f"{key}.{extra}", f"unknown {what} key (expected {', '.join(keys)})"))
    for name in keys:
        if name not in value:
            continue
        text = value[name]
        if not isinstance(text, str) or (not empty_ok and not text.strip()):
            expected = "a text (empty to leave the line out)" if empty_ok else "a non-empty text"
            problems.append((f"{key}.{name}", f"expected {expected}, got {text!r}"))
    if len(problems) > before:
        return None
    return {name: value[name].strip() for name in keys if name in value}


def signer(value: Any, problems: Problems, key: str = "signer") -> dict[str, str] | None:
    """Any of authority, title, name replacing the ward's signer (null keeps the ward's)."""
    if isinstance(value, Mapping) and not value:
        problems.append(
            (key, f"expected at least one of {', '.join(SIGNER_KEYS)} (null keeps the ward's signer)")
        )
        return None
    return _texts(value, problems, key, SIGNER_KEYS, "signer", empty_ok=False)


def heading(value: Any, problems: Problems, key: str = "heading") -> dict[str, str] | None:
    """The right-hand heading where a body's own rules replace the Quốc hiệu ("" leaves a line out)."""
    return _texts(value, problems, key, HEADING_KEYS, "heading", empty_ok=True)


def _iso(day: _dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


PARAMETERS: dict[str, Callable[..., Any]] = {
    "period": period,
    "data": data,
    "texts": texts,
    "document_number": document_number,
    "issued_on": issued_on,
    "tone_style": tone_style,
    "signer": signer,
    "heading": heading,
}


def check(
    values: Mapping[str, Any], where: Mapping[str, str] | None = None
) -> tuple[dict[str, Any], Problems]:
    """Normalise the parameters the schema knows (others pass through) and list every problem.

    ``where`` maps a parameter to the key path its problems are reported under (``periods[2].issued_on``).
    Dates come back as ISO text, the form papermill injects.
    """
    where = where or {}
    out: dict[str, Any] = {}
    problems: Problems = []
    spec = None
    if "period" in values:
        spec = period(values["period"], [], "period")
    for name, value in values.items():
        checker = PARAMETERS.get(name)
        key = where.get(name, name)
        if checker is None:
            out[name] = value
        elif name == "issued_on":
            out[name] = _iso(issued_on(value, problems, key, period_spec=spec))
        else:
            out[name] = checker(value, problems, key)
    return out, problems
