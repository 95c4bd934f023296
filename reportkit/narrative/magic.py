"""``%load_ext reportkit``: the ``%%report`` cell magic.

```
%%report
Đã tổ chức {{ f.tuyen_truyen_buoi }} buổi tuyên truyền với {{ f.tuyen_truyen_luot | about }} lượt người dân.
```
The body is Markdown with Jinja2 expressions, rendered against the notebook's variables; the output carries
text/markdown and the same text as HTML (text/html), which is what the export shows.

When ``vn.check`` finds something in the rendered prose (lost letters "Mt trn", "1200 người", doubled spaces …),
a short Vietnamese note follows under the cell, listing each finding with its suggestion. It is a separate output
of kind "proofreading" (text/plain and text/html only), which no export shows.
"""

from __future__ import annotations

from IPython.core.magic import Magics, cell_magic, magics_class

from reportkit.core.notes import Proofreading
from reportkit.narrative import _state
from reportkit.narrative.templating import NarrativeError, Rendered, proofread, render

NARRATIVE_METADATA = {"reportkit": {"kind": "narrative"}}


class Narrative:
    """A rendered narrative cell (displayed as Markdown and HTML)."""

    def __init__(self, rendered: Rendered) -> None:
        self.rendered = rendered

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = {
            "text/markdown": self.rendered.markdown,
            "text/html": self.rendered.html,
            "text/plain": self.rendered.markdown,
        }
        return data, NARRATIVE_METADATA


@magics_class
class ReportMagics(Magics):
    @cell_magic
    def report(self, line: str, cell: str) -> None:
        """Render the cell body (Markdown + Jinja2, vn filters, phrasing helpers) as report prose."""
        if line.strip():
            raise NarrativeError(f"%%report takes no arguments, got {line.strip()!r}")
        from IPython.display import display

        state = _state.state()
        rendered = render(cell, self.shell.user_ns, first_line=2, tone_style=state.tone_style)
        if rendered.markdown.strip():  # a part the analyst has not written leaves no empty block behind
            display(Narrative(rendered))
        notes = proofread(rendered)
        if notes:
            display(Proofreading(notes))


def _pre_run_cell(info) -> None:
    _state.state().start_cell(getattr(info, "cell_id", None))


def load_ipython_extension(ipython) -> None:
    """Register ``%%report`` and the per-cell hook that keeps caption numbers stable when a cell is re-run."""
    ipython.register_magics(ReportMagics)
    if _pre_run_cell not in ipython.events.callbacks.get("pre_run_cell", []):
        ipython.events.register("pre_run_cell", _pre_run_cell)


def unload_ipython_extension(ipython) -> None:
    if _pre_run_cell in ipython.events.callbacks.get("pre_run_cell", []):
        ipython.events.unregister("pre_run_cell", _pre_run_cell)
