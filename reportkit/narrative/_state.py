"""Per-run state of a report notebook: tone style and caption numbering.

The state lives in the IPython user namespace (under ``__reportkit__``), so it belongs to one notebook run: a
kernel restart, ``%reset -f`` (how a batch runner reuses a kernel) or ``setup()`` starts a fresh one. Outside
IPython a module-level state is used.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from reportkit.core import params as schema

STATE_KEY = "__reportkit__"

_fallback: RunState | None = None
_anonymous = itertools.count()


@dataclass
class RunState:
    tone_style: str = "classic"
    counters: dict[str, int] = field(default_factory=dict)
    # (cell id, kind, index within the cell) -> number: re-running a cell in JupyterLab keeps its caption number.
    numbers: dict[tuple, int] = field(default_factory=dict)
    cell_id: str | None = None
    cell_index: dict[str, int] = field(default_factory=dict)

    def next_number(self, kind: str) -> int:
        """The next caption number of ``kind`` ("table", "chart") in this run."""
        index = self.cell_index.get(kind, 0)
        self.cell_index[kind] = index + 1
        key = (self.cell_id, kind, index) if self.cell_id is not None else (next(_anonymous), kind)
        if key not in self.numbers:
            self.counters[kind] = self.counters.get(kind, 0) + 1
            self.numbers[key] = self.counters[kind]
        return self.numbers[key]

    def start_cell(self, cell_id: str | None) -> None:
        self.cell_id = cell_id
        self.cell_index = {}


def _shell():
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    return get_ipython()


def state() -> RunState:
    """The state of the current run (created on first use)."""
    global _fallback
    shell = _shell()
    if shell is not None:
        current = shell.user_ns.get(STATE_KEY)
        if not isinstance(current, RunState):
            current = RunState()
            shell.user_ns[STATE_KEY] = current
        return current
    if _fallback is None:
        _fallback = RunState()
    return _fallback


def check_tone_style(tone_style: object) -> str:
    problems: list[tuple[str, str]] = []
    schema.tone_style(tone_style, problems)
    if problems:
        raise schema.ParameterError(problems)
    return tone_style  # type: ignore[return-value]


def setup(tone_style: str = "classic") -> RunState:
    """Start a report run: reset caption numbers and fix the tone style of every text it writes."""
    global _fallback
    fresh = RunState(tone_style=check_tone_style(tone_style))
    shell = _shell()
    if shell is not None:
        shell.user_ns[STATE_KEY] = fresh
    else:
        _fallback = fresh
    return fresh
