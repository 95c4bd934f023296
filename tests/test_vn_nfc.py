"""Every reportkit.vn function that compares or sorts text normalises first: NFD input (macOS file names, some
PDF copies) and Unikey's "Unicode tổ hợp" (precomposed letter + combining tone) sort and match exactly as NFC."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportkit import vn
from reportkit.vn.filters import join_filter, vsort
from reportkit.vn.legacy import is_syllable
from reportkit.vn.syllable import damage, is_valid

NAMES = [
    "Ủy ban",
    "Uỷ ban",
    "Đông",
    "Tổ 10",
    "Tổ 2",
    "hoà giải",
    "Hòa",
    "Nguyễn Thị Kim Dung",
    "Việt",
    "ba",
    "bà",
]


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def unikey_composite(text: str) -> str:
    """Unikey's "Unicode tổ hợp": the letter with its vowel mark precomposed, the tone as a combining mark."""
    out = []
    for ch in unicodedata.normalize("NFD", text):
        if out and unicodedata.combining(ch) and ch not in "\u0300\u0301\u0303\u0309\u0323":
            out[-1] = unicodedata.normalize("NFC", out[-1] + ch)
        else:
            out.append(ch)
    return "".join(out)


FORMS = [nfd, unikey_composite]


@pytest.mark.parametrize("form", FORMS)
def test_sorting_is_the_same_in_every_form(form):
    expected = sorted(NAMES, key=vn.sort_key)
    assert [unicodedata.normalize("NFC", x) for x in sorted(map(form, NAMES), key=vn.sort_key)] == [
        unicodedata.normalize("NFC", x) for x in expected
    ]
    assert vsort([form(x) for x in NAMES]) == [unicodedata.normalize("NFC", x) for x in vsort(NAMES)]


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("name", NAMES)
def test_keys_and_matching_are_the_same_in_every_form(form, name):
    other = form(name)
    assert vn.sort_key(other) == vn.sort_key(name)
    assert vn.fold(other) == vn.fold(name)
    assert vn.title(other) == vn.title(name)
    assert vn.tone_style(other, "modern") == vn.tone_style(name, "modern")
    assert vn.join([other, "Tổ 3"]) == vn.join([name, "Tổ 3"])
    assert join_filter([other, "Tổ 3"], ", ") == join_filter([name, "Tổ 3"], ", ")
    assert vn.detect_legacy(other) == vn.detect_legacy(name)
    assert vn.from_legacy(other) == vn.from_legacy(name)
    for word in name.split():
        assert is_syllable(form(word)) == is_syllable(word)
        assert is_valid(form(word)) == is_valid(word)
    assert damage(other) == damage(name)


@pytest.mark.parametrize("form", FORMS)
def test_proofreading_is_the_same_in_every_form(form):
    text = "Mt trn phường, hoà giải và hòa giải, tiếp tực triển khai, vận động 1200 người."
    assert [f.as_dict() for f in vn.check(form(text))] == [f.as_dict() for f in vn.check(text)]
    assert vn.repair(form(text)) == vn.repair(text)


@given(st.lists(st.sampled_from(NAMES), min_size=2, max_size=8))
def test_mixed_forms_sort_together(names):
    mixed = [nfd(x) if i % 2 else x for i, x in enumerate(names)]
    by_key = [unicodedata.normalize("NFC", x) for x in sorted(mixed, key=vn.sort_key)]
    assert by_key == sorted((unicodedata.normalize("NFC", x) for x in names), key=vn.sort_key)
