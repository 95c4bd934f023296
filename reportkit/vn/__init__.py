"""reportkit.vn — the Vietnamese language layer: numbers, number words, dates, periods, text hygiene, proofreading.

Pure functions on the standard library only (no pandas, numpy or IPython), so ``import reportkit.vn`` is fast;
the proofreader's syllable statistics load on the first ``check``/``repair``.

>>> from reportkit import vn, Period
>>> vn.number(1236), vn.words(2022), Period("2022-H1").name
('1.236', 'hai nghìn không trăm hai mươi hai', '6 tháng đầu năm 2022')
"""

from reportkit.vn.dates import Period, date, months_text, place_date
from reportkit.vn.filters import filters
from reportkit.vn.legacy import detect_legacy, from_legacy, to_legacy
from reportkit.vn.names import admin_name, roman, unit_in_sentence
from reportkit.vn.numbers import about, change, number, of_plan, padded, parse_number, percent
from reportkit.vn.text import fold, join, lower_first, nfc, slug, sort_key, title, tone_style, upper_first
from reportkit.vn.words import money, words

__all__ = [
    "Change",
    "Finding",
    "Period",
    "Repaired",
    "about",
    "admin_name",
    "change",
    "check",
    "date",
    "detect_legacy",
    "filters",
    "fold",
    "from_legacy",
    "join",
    "lower_first",
    "money",
    "months_text",
    "nfc",
    "number",
    "of_plan",
    "padded",
    "parse_number",
    "percent",
    "place_date",
    "repair",
    "roman",
    "slug",
    "sort_key",
    "title",
    "to_legacy",
    "tone_style",
    "unit_in_sentence",
    "upper_first",
    "words",
]

# The proofreader (and its regular expressions and result classes) loads on first use: ``import reportkit.vn`` stays
# as light as the formatting functions need.
_LAZY = {"Change", "Finding", "Repaired", "check", "repair", "proof"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        proof = importlib.import_module("reportkit.vn.proof")
        return proof if name == "proof" else getattr(proof, name)
    raise AttributeError(f"module 'reportkit.vn' has no attribute {name!r}")
