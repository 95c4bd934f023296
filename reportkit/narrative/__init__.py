"""reportkit.narrative — the notebook side: ``%%report`` cells, phrasing helpers, tables, charts, the record.

>>> from reportkit.narrative import counted, at_units
>>> counted(3, "Ban CTMT"), at_units(["Tổ 10", "Tổ 1"])
('03 Ban CTMT', 'tại tổ 1 và tổ 10')
"""

from reportkit.narrative._state import setup as _setup_state
from reportkit.narrative.charts import THEME, bar_chart, chart, format_axis, theme, tick_label, use_theme
from reportkit.narrative.phrasing import (
    NO_LAST_YEAR,
    NO_PREVIOUS,
    annex_reference,
    at_units,
    change,
    compare,
    compare_plan,
    compare_previous,
    compare_same_period,
    completeness,
    counted,
    established,
    last_year_change,
    meetings,
    part_number,
    plan_reached,
    plan_result,
    ratio,
    ratio_named,
    report_subject,
    unit_name,
    units,
    units_in_months,
    units_without,
    year_to_date,
)
from reportkit.narrative.record import MIME, document, key_figures, record, sources
from reportkit.narrative.tables import unit_table
from reportkit.narrative.templating import NarrativeError, escape_markdown, markdown_to_html, render
from reportkit.narrative.texts import analyst_texts

__all__ = [
    "MIME",
    "NO_LAST_YEAR",
    "NO_PREVIOUS",
    "THEME",
    "NarrativeError",
    "analyst_texts",
    "annex_reference",
    "at_units",
    "bar_chart",
    "change",
    "chart",
    "compare",
    "compare_plan",
    "compare_previous",
    "compare_same_period",
    "completeness",
    "counted",
    "document",
    "escape_markdown",
    "established",
    "format_axis",
    "key_figures",
    "last_year_change",
    "markdown_to_html",
    "meetings",
    "part_number",
    "plan_reached",
    "plan_result",
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
    "year_to_date",
]


def setup(tone_style: str = "classic") -> None:
    """Start a report run: caption numbers restart at 1, the tone style is fixed, the chart theme is applied.

    Call it once near the top of the notebook (``setup(tone_style=tone_style)``), so a re-run or a reused kernel
    starts from the same state as a fresh one.
    """
    _setup_state(tone_style)
    use_theme()
