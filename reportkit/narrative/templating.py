"""Markdown + Jinja2 narrative templates: escaping, rendering, and errors that point at the cell line.

Every value a template prints is text: it is escaped for HTML *and* for Markdown, so a tổ name such as
``<script>``, ``**x**`` or ``a | b`` reads exactly as written and never becomes markup, a table cell or emphasis.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import jinja2
import mistune
from markupsafe import Markup

from reportkit import vn
from reportkit.core.errors import ReportkitError
from reportkit.narrative import phrasing

TEMPLATE_FILENAME = (
    "<template>"  # what Jinja puts on the traceback frames of a template compiled from a string
)

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can start markup inline.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!{}])")
# Block markers that only matter at the start of a value (which may land at the start of a line).
_LEADING_BLOCK = re.compile(r"^(\s*)(?:([-+=])|(\d{1,9})([.)]))(?=\s|$)")
_WHITESPACE_RUN = re.compile(r"[\r\n\t\f\v]+")
_EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.S)
_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


class NarrativeError(ReportkitError):
    """A narrative cell could not be rendered; the message names the cell line and the expression."""

    def __init__(self, message: str, *, line: int | None = None, expression: str | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.expression = expression

    def _render_traceback_(self) -> list[str]:
        # IPython shows this instead of a traceback through Jinja's internals: the analyst needs the line only.
        return [f"{type(self).__name__}: {self}"]


def escape_markdown(value: object) -> str:
    """A value as literal Markdown text (also safe as HTML once rendered): ``a | b`` → ``a \\| b``.

    >>> escape_markdown("**Tổ 1** <b>")
    '\\\\*\\\\*Tổ 1\\\\*\\\\* \\\\<b\\\\>'
    """
    text = unicodedata.normalize("NFC", str(value))
    text = _WHITESPACE_RUN.sub(" ", text)
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    match = _LEADING_BLOCK.match(text)
    if match:
        start = match.start(2) if match.group(2) else match.start(4)
        text = text[:start] + "\\" + text[start:]
    return text


def _finalize(value: object) -> object:
    if isinstance(value, jinja2.Undefined):
        return value  # StrictUndefined raises when printed
    if value is None:
        raise ValueError(
            "the value is None (no data for it): test it with {% if … %} or use a phrasing helper"
        )
    if isinstance(value, Markup):
        return value
    if isinstance(value, bool):
        return Markup("có" if value else "không")
    if isinstance(value, int | float) or _is_number(value):
        return Markup(escape_markdown(vn.number(value)))
    if hasattr(value, "name") and isinstance(value, vn.Period):
        return Markup(escape_markdown(value.name))
    return Markup(escape_markdown(value))


def _is_number(value: object) -> bool:
    # numpy/pandas scalars, Decimal: print them in the official format too, not as "1236.0".
    from decimal import Decimal

    if isinstance(value, Decimal):
        return True
    return (
        type(value).__module__ == "numpy" and hasattr(value, "item") and isinstance(value.item(), int | float)
    )


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja environment of ``%%report`` cells: autoescaped, strict, with the vn filters and phrasing helpers."""
    env = jinja2.Environment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(vn.filters)
    env.filters.update(phrasing.FILTERS)
    env.globals.update(phrasing.GLOBALS)
    env.globals["vn"] = vn
    return env


@lru_cache(maxsize=1)
def _markdown() -> mistune.Markdown:
    # escape=True: raw HTML written in a narrative cell shows as text; a shared report carries no author markup.
    return mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])


def markdown_to_html(markdown: str) -> str:
    """Markdown → HTML exactly as the export shows it (mistune, the renderer nbconvert ships with)."""
    return _markdown()(markdown)


@dataclass(frozen=True)
class Rendered:
    markdown: str
    html: str


def render(
    source: str,
    namespace: Mapping[str, object],
    *,
    first_line: int = 1,
    tone_style: str = "classic",
    origin: str = "Ô %%report",
) -> Rendered:
    """Render a narrative template against ``namespace``.

    ``first_line`` is the line of the template's first line in what the analyst sees (2 in a ``%%report`` cell),
    and ``origin`` what that is ("Ô %%report", or the analyst's file "params/2022-H1.md"), so errors name both.
    ``tone_style`` ("classic"/"modern") is applied to the whole text.

    >>> render("Đã tổ chức {{ n | number }} buổi.", {"n": 11}).markdown
    'Đã tổ chức 11 buổi.'
    """
    try:
        template = _compiled(source)
    except jinja2.TemplateSyntaxError as exc:
        line = (exc.lineno or 1) + first_line - 1
        raise NarrativeError(
            f"{origin}, dòng {line}: lỗi cú pháp Jinja: {exc.message}\n  {line} | {_line_of(source, exc.lineno)}",
            line=line,
        ) from None
    context = dict(namespace)
    try:
        text = template.render(context)
    except Exception as exc:
        raise _located_error(exc, source, first_line, context, origin) from None
    text = vn.nfc(text)
    text = vn.tone_style(text, tone_style)
    return Rendered(markdown=text, html=markdown_to_html(text))


@lru_cache(maxsize=256)
def _compiled(source: str) -> jinja2.Template:
    # A batch renders the same cells for every report: compiling each once per kernel saves a tenth of a
    # report's cells. A Template renders any number of contexts and keeps no state between them.
    return environment().from_string(source)


def proofread(rendered: Rendered) -> list[vn.proof.Note]:
    """What ``vn.check`` finds in the rendered prose of a narrative cell, one note per problem, for the analyst.

    >>> [str(n) for n in proofread(render("Mt trn phường đã họp.", {}))]
    ['“Mt trn” → “Mặt trận” (âm tiết bị mất chữ)']
    """
    return vn.proof.notes(rendered.markdown)


def _line_of(source: str, lineno: int | None) -> str:
    lines = source.splitlines()
    if lineno is None or not 1 <= lineno <= len(lines):
        return ""
    return lines[lineno - 1].strip()


def _template_lineno(exc: BaseException) -> int | None:
    lineno = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == TEMPLATE_FILENAME:
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


def _failing(expressions: list[str], context: dict) -> str | None:
    """The first ``{{ … }}`` of a line that fails on its own (to name it when a line holds several)."""
    for expression in expressions:
        if not expression.startswith("{{"):
            continue
        try:
            environment().from_string(expression).render(context)
        except Exception:
            return expression
    return None


def _located_error(
    exc: Exception, source: str, first_line: int, context: dict, origin: str = "Ô %%report"
) -> NarrativeError:
    lineno = _template_lineno(exc)
    reason = f"{type(exc).__name__}: {exc}"
    if lineno is None:
        return NarrativeError(f"{origin}: {reason}")
    text = _line_of(source, lineno)
    expressions = _EXPRESSION.findall(text)
    expression = None
    names = [g for m in _UNDEFINED_NAME.finditer(str(exc)) for g in m.groups() if g]
    for name in names:
        hits = [
            e for e in expressions if re.search(rf"(?<![\w.]){re.escape(name)}\b|\.{re.escape(name)}\b", e)
        ]
        if hits:
            expression = hits[0]
            break
    if expression is None and len(expressions) == 1:
        expression = expressions[0]
    elif expression is None:
        expression = _failing(expressions, context)
    line = lineno + first_line - 1
    where = f"{origin}, dòng {line}"
    what = f", biểu thức {expression}" if expression else ""
    return NarrativeError(f"{where}{what}: {reason}\n  {line} | {text}", line=line, expression=expression)
