"""reportkit.vn as a package: light import, the documented API, docstring examples."""

import doctest
import importlib
import json
import subprocess
import sys

import pytest

from reportkit import vn

HEAVY = ("pandas", "numpy", "IPython", "ipykernel", "jinja2", "babel", "matplotlib", "nbformat")


@pytest.mark.parametrize("statement", ["import reportkit.vn", "from reportkit import vn, Period"])
def test_import_is_light(statement):
    code = f"import json, sys; {statement}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    loaded = set(json.loads(out))
    assert not {name for name in loaded if name.split(".")[0] in HEAVY}


def test_public_api():
    expected = {
        "number", "parse_number", "words", "money", "percent", "padded", "date", "place_date", "about", "change",
        "of_plan", "join", "sort_key", "nfc", "tone_style", "title", "detect_legacy", "from_legacy", "to_legacy",
        "fold", "filters", "Period", "check", "repair", "Finding", "Change", "Repaired", "upper_first", "lower_first",
        "admin_name", "roman", "months_text", "unit_in_sentence", "slug",
    }  # fmt: skip
    assert set(vn.__all__) == expected
    for name in expected:
        assert getattr(vn, name) is not None
    for name in expected - {"filters", "Period", "Finding", "Change", "Repaired"}:
        assert "Vietnamese" in (getattr(vn, name).__doc__ or "") or ">>>" in getattr(vn, name).__doc__, name


@pytest.mark.parametrize(
    "module",
    ["numbers", "words", "dates", "text", "names", "legacy", "filters", "syllable", "proof", "__init__"],
)
def test_docstring_examples(module):
    name = "reportkit.vn" if module == "__init__" else f"reportkit.vn.{module}"
    failures, _ = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert failures == 0
