"""The report notebook's parameters: one schema that the batch validation and the notebook side both call.

``period``, ``data``, ``texts``, ``document_number``, ``issued_on``, ``tone_style``, ``signer`` and ``heading`` are
checked here, once: ``reportkit run`` reports every problem of every params file with its file and key before a kernel
starts; ``reportkit.narrative.document()`` raises the same messages inside the notebook. A problem is
``(key path, message)``, e.g. ``("signer.name", "expected a non-empty text, got ''")``.

Texts that reach the official document are one line of visible characters, at most ``MAX_TEXT`` long: a NUL, a
right-to-left override or a zero-width space in a signer's name would print (reversed, or invisibly different) in
the PDF. A document number has at most six digits; a unit name becomes a folder and file names, so it is a short
name of letters, digits, '-', '_' and '.', whose UTF-8 bytes fit the longest file name it becomes (``NAME_MAX``).
Every message quotes a value at most ``QUOTE`` characters long.

>>> values, problems = check({"period": "2022-h1", "issued_on": "2022-06-24", "tone_style": "fancy"})
>>> values["period"], values["issued_on"], problems
('2022-H1', '2022-06-24', [('tone_style', "expected one of classic, modern, got 'fancy'")])
"""

from __future__ import annotations

import datetime as _dt
import re
import reprlib
from collections.abc import Callable, Mapping
from typing import Any

from reportkit.core.errors import Problem, ReportkitError
from reportkit.vn.text import TONE_STYLES, hidden_characters

__all__ = [
    "HEADING_KEYS",
    "MAX_DOCUMENT_NUMBER",
    "MAX_TEXT",
    "MAX_UNIT",
    "MAX_UNIT_BYTES",
    "PARAMETERS",
    "SIGNER_KEYS",
    "TONE_STYLES",
    "ParameterError",
    "brief",
    "check",
    "document_number",
    "heading",
    "issued_on",
    "period",
    "signer",
    "text_problem",
    "texts",
    "tone_style",
    "unit_name",
]

SIGNER_KEYS = ("authority", "title", "name")
HEADING_KEYS = ("national_title", "motto")
URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
MAX_TEXT = 200  # characters of a name, title or heading line (the longest real ones are about 80)
MAX_DOCUMENT_NUMBER = 999_999  # "Số: 47/BC-…": numbered per year and issuing body
MAX_UNIT = 64  # characters of a unit name: a folder, and part of every output file's name
NAME_MAX = 255  # bytes of one file name (Linux)
# The longest file name a unit's name becomes: the temporary of an atomic write of its article (the staging folder,
# "<pid>-<12 hex>-<unit>-<period>", is shorter); a period spec is at most 7 characters ("2022-H1", "2022-9M").
LONGEST_NAME = ".report-{unit}-2022-H1.article.html.XXXXXXXX.tmp"
MAX_UNIT_BYTES = NAME_MAX - len(LONGEST_NAME.format(unit="").encode())  # 213: 53 letters of four bytes
MAX_PATH = 4096  # bytes of a data path or URL (Linux PATH_MAX)
QUOTE = 80  # characters of a value quoted in a message
_UNIT = re.compile(r"\w[\w.-]*")

_repr = reprlib.Repr()
_repr.maxstring = _repr.maxother = QUOTE
_repr.maxlevel, _repr.maxlist, _repr.maxdict, _repr.maxtuple, _repr.maxset = 3, 6, 6, 6, 6

Problems = list[tuple[str, str]]


class ParameterError(ReportkitError, ValueError):
    """Parameters the notebook was given do not fit the schema; ``.problems`` lists every one."""

    def __init__(self, problems: Problems) -> None:
        located = [Problem(key, message) for key, message in problems]
        super().__init__("\n".join(map(str, located)), problems=located)


def brief(value: Any) -> str:
    """``repr(value)`` cut to a readable length, without building the whole of a huge value's repr first.

    >>> brief("47"), brief("x" * 500)[:12], len(brief(list(range(10**6)))) < 100
    ("'47'", "'xxxxxxxxxxx", True)
    """
    return _repr.repr(value)


def text_problem(text: str, *, limit: int = MAX_TEXT) -> str | None:
    """Why ``text`` cannot be printed in an official document (too long, a control or invisible character), or None.

    >>> text_problem("Nguy\u202eễn Văn A")
    'contains an invisible or control character at position 5: U+202E RIGHT-TO-LEFT OVERRIDE; retype the text'
    """
    if len(text) > limit:
        return f"is {len(text)} characters long; at most {limit}"
    hidden = hidden_characters(text)
    if hidden:
        (at, name), more = hidden[0], len(hidden) - 1
        also = f" (and {more} more)" if more else ""
        return (
            f"contains an invisible or control character at position {at + 1}: {name}{also}; retype the text"
        )
    return None


def period(value: Any, problems: Problems, key: str = "period") -> str | None:
    """A period spec, normalised: "2022-h1" → "2022-H1", 2022 → "2022"."""
    from reportkit.vn import Period

    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        problems.append(
            (key, f"expected a period such as '2022-H1', got {type(value).__name__} {brief(value)}")
        )
        return None
    if len(value) > 32:
        problems.append((key, f"expected a period such as '2022-H1', got a text of {len(value)} characters"))
        return None
    try:
        return Period(value.strip()).spec
    except ValueError as err:
        problems.append((key, f"{brief(value)} is not a period: {err}"))
        return None


def data(value: Any, problems: Problems, key: str = "data") -> str | None:
    """A data source: a folder (checked for existence by whoever knows the project) or a SQLAlchemy URL."""
    if not isinstance(value, str) or not value.strip():
        problems.append(
            (key, f"expected a folder (relative to the project root) or a SQLAlchemy URL, got {brief(value)}")
        )
        return None
    if len(value.encode("utf-8", "surrogatepass")) > MAX_PATH:
        problems.append((key, f"is {len(value)} characters long; a path or URL has at most {MAX_PATH} bytes"))
        return None
    if hidden_characters(value):
        (at, name), *_ = hidden_characters(value)
        problems.append((key, f"contains a control or invisible character at position {at + 1}: {name}"))
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
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DOCUMENT_NUMBER:
        problems.append(
            (
                key,
                f"expected a whole number from 1 to {MAX_DOCUMENT_NUMBER:,} (the 'Số' of the report) or null, "
                f"got {brief(value)}",
            )
        )
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
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):  # the form is right, the day is not
                problems.append((key, f"no such day in the calendar: {brief(value)}"))
            else:
                problems.append((key, f"expected a date YYYY-MM-DD, got {brief(value)}"))
            return None
    if not isinstance(value, _dt.date):
        problems.append((key, f"expected a date YYYY-MM-DD, got {type(value).__name__} {brief(value)}"))
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
        problems.append((key, f"expected one of {', '.join(TONE_STYLES)}, got {brief(value)}"))
        return None
    return value


def _texts(value: Any, problems: Problems, key: str, keys: tuple[str, ...], what: str, *, empty_ok: bool):
    if value is None:
        return None
    if not isinstance(value, Mapping):
        problems.append((key, f"expected a mapping with keys {', '.join(keys)}, got {brief(value)}"))
        return None
    before = len(problems)
    for extra in sorted(set(map(str, value)) - set(keys))[:6]:
        problems.append((f"{key}.{brief(extra)[1:-1]}", f"unknown {what} key (expected {', '.join(keys)})"))
    for name in keys:
        if name not in value:
            continue
        text = value[name]
        if not isinstance(text, str) or (not empty_ok and not text.strip()):
            expected = "a text (empty to leave the line out)" if empty_ok else "a non-empty text"
            problems.append((f"{key}.{name}", f"expected {expected}, got {brief(text)}"))
        elif (why := text_problem(text)) is not None:
            problems.append((f"{key}.{name}", why))
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


def unit_name(value: Any, problems: Problems, key: str = "unit") -> str | None:
    """A unit of a params file's ``units`` list: its run id, output folder and part of every output's file name.

    >>> unit_name("duy-tan", [])
    'duy-tan'
    """
    size = len(value.encode("utf-8", "surrogatepass")) if isinstance(value, str) else 0
    if (
        not isinstance(value, str)
        or not _UNIT.fullmatch(value)
        or len(value) > MAX_UNIT
        or size > MAX_UNIT_BYTES
    ):
        if isinstance(value, str) and len(value) > MAX_UNIT:
            got = f"a name of {len(value)} characters"
        elif size > MAX_UNIT_BYTES:
            got = f"a name of {size} bytes"
        else:
            got = brief(value)
        problems.append(
            (
                key,
                f"expected a unit name of at most {MAX_UNIT} letters, digits, '-', '_' or '.' and {MAX_UNIT_BYTES} "
                f"bytes in UTF-8 (used as a folder and in file names), got {got}",
            )
        )
        return None
    return value


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
