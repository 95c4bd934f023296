"""Per-tổ tables in the report's format: Vietnamese headers, official numbers, "Tổng cộng", natural tổ order.

The HTML is written here rather than by ``pandas.Styler``: the Styler emits a ``<style>`` block keyed by a random
id (different bytes on every run, so papermill and nbclient runs would not compare equal) and has no ``<tfoot>`` or
``scope`` on header cells. The output is a plain semantic table that JupyterLab and the export render alike.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from reportkit import vn
from reportkit.core import content
from reportkit.narrative import _state
from reportkit.narrative.templating import escape_markdown

MISSING = "–"
TOTAL_LABEL = "Tổng cộng"
_NUM_STYLE = "text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap"


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def format_cell(value: object) -> str:
    """One table cell: "1.236", "2,5", "Có"/"Không" for yes/no, "–" for no data.

    >>> format_cell(1236), format_cell(2.5), format_cell(True), format_cell(None)
    ('1.236', '2,5', 'Có', '–')
    """
    if _is_missing(value):
        return MISSING
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalar → Python
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int | float):
        return vn.number(value)
    text = str(value)
    if hasattr(value, "count") and hasattr(value, "total"):
        return text  # UnitCount: "10/10"
    return vn.nfc(text)


def _column_total(series: pd.Series) -> str:
    present = series[[not _is_missing(v) for v in series]]
    if present.empty:
        return MISSING
    values = [v.item() if hasattr(v, "item") and not isinstance(v, str) else v for v in present]
    if all(isinstance(v, bool) for v in values):
        return f"{sum(values)}/{len(series)}"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        total = sum(values)
        if isinstance(total, float) and math.isfinite(total) and total.is_integer():
            total = int(total)
        return vn.number(total)
    return ""


@dataclass
class Table:
    """A numbered report table; displays as HTML (with a Markdown/plain fallback)."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    footer: list[str] | None
    numeric: list[bool]
    number: int
    tone_style: str = "classic"
    metadata: dict = field(default_factory=dict)

    @property
    def title(self) -> str:
        return vn.tone_style(f"Bảng {self.number}. {self.caption}", self.tone_style)

    def _text(self, s: str) -> str:
        return vn.tone_style(s, self.tone_style)

    def to_html(self) -> str:
        e = html.escape

        def cells(values: list[str], tag_first: str, tag: str) -> str:
            out = []
            for i, v in enumerate(values):
                style = f' style="{_NUM_STYLE}"' if (i > 0 and self.numeric[i]) else ""
                if i == 0:
                    scope = ' scope="row"' if tag_first == "th" else ""
                    out.append(
                        f'<{tag_first}{scope} style="text-align:left">{e(self._text(v))}</{tag_first}>'
                    )
                else:
                    out.append(f"<{tag}{style}>{e(self._text(v))}</{tag}>")
            return "".join(out)

        right = ' style="text-align:right"'
        head = "".join(
            f'<th scope="col"{right if (i and self.numeric[i]) else ""}>{e(self._text(h))}</th>'
            for i, h in enumerate(self.header)
        )
        body = "\n".join(f"<tr>{cells(r, 'th', 'td')}</tr>" for r in self.rows)
        parts = [
            '<table class="reportkit-table" style="border-collapse:collapse">',
            f"<caption>{e(self.title)}</caption>",
            f"<thead><tr>{head}</tr></thead>",
            f"<tbody>\n{body}\n</tbody>",
        ]
        if self.footer is not None:
            parts.append(f'<tfoot><tr style="font-weight:bold">{cells(self.footer, "th", "td")}</tr></tfoot>')
        parts.append("</table>")
        return "\n".join(parts)

    def to_markdown(self) -> str:
        def row(values: list[str], strong: bool = False) -> str:
            cells = [escape_markdown(self._text(v)) for v in values]
            if strong:
                cells = [f"**{c}**" if c else c for c in cells]
            return "| " + " | ".join(cells) + " |"

        align = ["---:" if (i and n) else ":---" for i, n in enumerate(self.numeric)]
        lines = [f"**{escape_markdown(self.title)}**", "", row(self.header), "| " + " | ".join(align) + " |"]
        lines += [row(r) for r in self.rows]
        if self.footer is not None:
            lines.append(row(self.footer, strong=True))
        return "\n".join(lines) + "\n"

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            "text/html": self.to_html(),
            "text/markdown": self.to_markdown(),
            "text/plain": self.to_markdown(),
        }
        meta = content.table_metadata(
            title=self.title,
            header=[self._text(h) for h in self.header],
            rows=[[self._text(c) for c in row] for row in self.rows],
            footer=None if self.footer is None else [self._text(c) for c in self.footer],
            numeric=list(self.numeric),
            number=self.number,
        )
        meta["reportkit"].update(self.metadata)
        return data, meta


def unit_table(
    data: object,
    columns: Mapping[str, str] | Sequence[str] | None = None,
    *,
    caption: str,
    unit_header: str = "Tổ dân phố",
    total: bool = True,
    drop_empty: bool = False,
) -> Table | None:
    """A per-tổ table, numbered "Bảng N." in the order of the run.

    ``data``: a DataFrame indexed by tổ (e.g. ``f.by_unit``) or anything with ``.by_unit``. ``columns``: ids to
    show, or {id: Vietnamese header}; a column of yes/no totals as "9/10", numbers add up in "Tổng cộng".
    ``drop_empty``: a column with nothing in it (every tổ 0, "Không" or blank) is left out, the text saying none
    was held; None (no table, no number used) when no column is left.

    >>> t = unit_table(pd.DataFrame({"buoi": [2, 1]}, index=["Tổ 10", "Tổ 2"]), {"buoi": "Buổi"}, caption="Tuyên truyền")
    >>> [r[0] for r in t.rows], t.footer
    (['Tổ 2', 'Tổ 10'], ['Tổng cộng', '3'])
    """
    frame = getattr(data, "by_unit", data)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"unit_table(): expected a DataFrame indexed by tổ (or Figures), got {type(data).__name__}"
        )
    if columns is None:
        columns = {c: str(c) for c in frame.columns}
    elif not isinstance(columns, Mapping):
        columns = {c: str(c) for c in columns}
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        raise KeyError(
            f"unit_table(): no column {', '.join(map(repr, unknown))}; the data have: {', '.join(map(str, frame.columns))}"
        )
    if not caption or not str(caption).strip():
        raise ValueError("unit_table(): a caption is required (it reads 'Bảng N. <caption>')")
    if drop_empty:
        columns = {c: h for c, h in columns.items() if any(not _is_missing(v) and v for v in frame[c])}
        if not columns:
            return None
    ordered = sorted(frame.index, key=lambda u: vn.sort_key(str(u)))
    frame = frame.loc[ordered, list(columns)]
    rows = [[vn.nfc(str(unit)), *(format_cell(frame.at[unit, c]) for c in columns)] for unit in ordered]
    numeric = [False] + [
        all(_is_missing(v) or isinstance(v, int | float) or hasattr(v, "item") for v in frame[c])
        for c in columns
    ]
    footer = [TOTAL_LABEL, *(_column_total(frame[c]) for c in columns)] if total else None
    state = _state.state()
    return Table(
        caption=vn.nfc(str(caption).strip()),
        header=[unit_header, *map(str, columns.values())],
        rows=rows,
        footer=footer,
        numeric=numeric,
        number=state.next_number("table"),
        tone_style=state.tone_style,
    )
