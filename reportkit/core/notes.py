"""The proofreading note shown under a notebook cell: what to correct, with suggestions, never part of the report.

A note is a display output of kind "proofreading" (text/plain and text/html only; ``content`` hides that kind from
every export). Under a ``%%report`` cell it lists what ``vn.check`` found in the rendered prose; under the cell
that loads the data, what it found in the data's own texts (the ward's names, the tổ's "Ghi chú"), each with the
file and cell it is in. Those carry their findings in the output's metadata as well, for the batch summary.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

__all__ = ["SHOWN_NOTES", "Item", "Proofreading", "proofreading_metadata"]

SHOWN_NOTES = 30  # a pasted damaged page lists its first 30 problems and counts the rest


def proofreading_metadata(findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The output's metadata: its kind, and for the data's texts the findings themselves."""
    meta: dict[str, Any] = {"kind": "proofreading"}
    if findings is not None:
        meta["source"] = "data"
        meta["findings"] = findings
    return {"reportkit": meta}


@dataclass(frozen=True)
class Item:
    """One finding as the note shows it: “Mt trn” → “Mặt trận” (âm tiết bị mất chữ) — where."""

    found: str
    suggestion: str | None
    label: str
    where: str = ""

    def __str__(self) -> str:
        better = f" → “{self.suggestion}”" if self.suggestion else ""
        place = f" — {self.where}" if self.where else ""
        return f"“{self.found}”{better} ({self.label}){place}"


class Proofreading:
    """The note under a cell. ``notes``: ``vn.proof.Note`` or :class:`Item` (anything with ``found``,
    ``suggestion`` and ``label``, and optionally ``where``)."""

    _STYLE = (
        "border-left: 4px solid #b45309; background: #fffbeb; color: #422006; padding: 0.35em 0.8em; "
        "margin: 0.3em 0; font-size: 0.9em; line-height: 1.45"
    )

    def __init__(self, notes, *, subject: str = "", findings: list[dict[str, Any]] | None = None) -> None:
        self.notes = list(notes)
        self.subject = subject  # "trong dữ liệu": what was read, when it is not the cell's own prose
        self.findings = findings

    def _title(self) -> str:
        where = f" {self.subject}" if self.subject else ""
        return f"Soát chính tả{where}: {len(self.notes)} chỗ cần xem (ghi chú này không in trong báo cáo)"

    def _rest(self) -> str:
        hidden = len(self.notes) - SHOWN_NOTES
        return f"… và {hidden} chỗ khác" if hidden > 0 else ""

    def text(self) -> str:
        lines = [f"⚠ {self._title()}"] + [f"  • {n}" for n in self.notes[:SHOWN_NOTES]]
        if self._rest():
            lines.append(f"  {self._rest()}")
        return "\n".join(lines)

    def html(self) -> str:
        items = []
        for n in self.notes[:SHOWN_NOTES]:
            found = f'<span style="white-space: pre-wrap">“{html.escape(n.found)}”</span>'
            better = f" → <strong>“{html.escape(n.suggestion)}”</strong>" if n.suggestion else ""
            where = getattr(n, "where", "")
            place = f" — {html.escape(where)}" if where else ""
            items.append(
                f'<li>{found}{better} <span style="color: #78350f">({html.escape(n.label)})</span>{place}</li>'
            )
        if self._rest():
            items.append(f"<li>{html.escape(self._rest())}</li>")
        return (
            f'<div class="reportkit-proofreading" role="note" style="{self._STYLE}">'
            f"<strong>⚠ {html.escape(self._title())}</strong>"
            f'<ul style="margin: 0.2em 0 0.1em 1.2em; padding: 0">{"".join(items)}</ul></div>'
        )

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": self.text(), "text/html": self.html()}, proofreading_metadata(self.findings)
