"""reportkit.narrative — the notebook side: ``%%report`` cells, phrasing helpers, tables, charts, the record.

>>> from reportkit.narrative import counted, at_units
>>> counted(3, "Ban CTMT"), at_units(["Tổ 10", "Tổ 1"])
('03 Ban CTMT', 'tại tổ 1 và tổ 10')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from reportkit.narrative.phrasing import (
    MISSING_MARK,
    NO_LAST_YEAR,
    NO_PREVIOUS,
    annex_reference,
    at_units,
    blank_data,
    change,
    compare,
    compare_plan,
    compare_previous,
    compare_same_period,
    compared_with_last_year,
    comparison_basis,
    completeness,
    counted,
    established,
    last_year_change,
    last_year_opening,
    marked_units,
    meetings,
    missing_data,
    missing_note,
    of_year_plan,
    part_number,
    period_opening,
    plan_reached,
    plan_result,
    ratio,
    ratio_named,
    report_subject,
    unit_name,
    units,
    units_in_months,
    units_without,
    year_elapsed,
    year_to_date,
)

# Imported now, not on first use, because the function ``record`` shares its name with the module: loaded later,
# the module would replace the function as this package's attribute.
from reportkit.narrative.record import MIME, document, key_figures, provenance, record, sources

# Imported on first use: charts need matplotlib, tables pandas, narrative cells Jinja and mistune; phrasing and the
# record need none of them (together about a second to import).
_WHERE = {
    **dict.fromkeys(
        ["THEME", "bar_chart", "chart", "format_axis", "theme", "tick_label", "use_theme"], "charts"
    ),
    "unit_table": "tables",
    "analyst_texts": "texts",
    **dict.fromkeys(["NarrativeError", "escape_markdown", "markdown_to_html", "render"], "templating"),
}

if TYPE_CHECKING:
    from reportkit.narrative.charts import THEME, bar_chart, chart, format_axis, theme, tick_label, use_theme
    from reportkit.narrative.tables import unit_table
    from reportkit.narrative.templating import NarrativeError, escape_markdown, markdown_to_html, render
    from reportkit.narrative.texts import analyst_texts

__all__ = [
    "MIME",
    "MISSING_MARK",
    "NO_LAST_YEAR",
    "NO_PREVIOUS",
    "THEME",
    "NarrativeError",
    "analyst_texts",
    "annex_reference",
    "at_units",
    "bar_chart",
    "blank_data",
    "change",
    "chart",
    "compare",
    "compare_plan",
    "compare_previous",
    "compare_same_period",
    "compared_with_last_year",
    "comparison_basis",
    "completeness",
    "counted",
    "document",
    "escape_markdown",
    "established",
    "format_axis",
    "key_figures",
    "last_year_change",
    "last_year_opening",
    "markdown_to_html",
    "marked_units",
    "meetings",
    "missing_data",
    "missing_note",
    "of_year_plan",
    "part_number",
    "period_opening",
    "plan_reached",
    "plan_result",
    "provenance",
    "ratio",
    "ratio_named",
    "record",
    "render",
    "report_subject",
    "setup",
    "sources",
    "theme",
    "tick_label",
    "unit_name",
    "unit_table",
    "units",
    "units_in_months",
    "units_without",
    "use_theme",
    "year_elapsed",
    "year_to_date",
]


def setup(tone_style: str = "classic") -> None:
    """Start a report run: caption numbers restart at 1, the tone style is fixed, the chart theme is applied.

    Call it once near the top of the notebook (``setup(tone_style=tone_style)``), so a re-run or a reused kernel
    starts from the same state as a fresh one.
    """
    from reportkit.narrative import _state, charts

    _state.setup(tone_style)
    # matplotlib is imported here even when the notebook draws no chart: a theme applied only to an already
    # imported matplotlib would make a reused kernel's pyplot charts differ from a fresh kernel's.
    charts.use_theme()


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'reportkit.narrative' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"reportkit.narrative.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
