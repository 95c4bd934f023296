"""Vietnamese syllables: phonotactic validity, the damage model (lost U+1EA0–U+1EF9 letters), tokens of prose.

A syllable is onset + rime + tone. Validity is decided without a lexicon: the rime must be one Vietnamese spells,
"k", "gh", "ngh" only before i/e/ê, "c", "g", "ng" never before them, and a stop final (c, ch, p, t) takes only the
sắc or nặng tone. Conversions through a code page that lacks the precomposed letters ạ…ỹ (U+1EA0–U+1EF9) delete
them whole: "tục" → "tc", "Mặt trận" → "Mt trn", "ở" → "" (a syllable holds at most one such letter, its toned
vowel).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

__all__ = ["BLOCK", "damage", "has_block", "is_valid", "tone_of", "untoned"]

# The precomposed letters a lossy conversion deletes (every one carries a tone mark or ă/â/ê/ô/ơ/ư with a tone).
BLOCK = frozenset(chr(c) for c in range(0x1EA0, 0x1EFA))

_TONE_MARKS = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền hỏi ngã sắc nặng
_ONSETS = (
    "ngh",
    "ng",
    "nh",
    "ch",
    "gh",
    "gi",
    "kh",
    "ph",
    "th",
    "tr",
    "qu",
    "b",
    "c",
    "d",
    "đ",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
    "",
)
_RIMES = frozenset(
    [
        "a",
        "ac",
        "ach",
        "ai",
        "am",
        "an",
        "ang",
        "anh",
        "ao",
        "ap",
        "at",
        "au",
        "ay",
        "ăc",
        "ăm",
        "ăn",
        "ăng",
        "ăp",
        "ăt",
        "âc",
        "âm",
        "ân",
        "âng",
        "âp",
        "ât",
        "âu",
        "ây",
        "e",
        "ec",
        "em",
        "en",
        "eng",
        "eo",
        "ep",
        "et",
        "ê",
        "êch",
        "êm",
        "ên",
        "ênh",
        "êp",
        "êt",
        "êu",
        "i",
        "ia",
        "ich",
        "im",
        "in",
        "inh",
        "ip",
        "it",
        "iu",
        "iêc",
        "iêm",
        "iên",
        "iêng",
        "iêp",
        "iêt",
        "iêu",
        "o",
        "oc",
        "oi",
        "om",
        "on",
        "ong",
        "op",
        "ot",
        "ooc",
        "oong",
        "ô",
        "ôc",
        "ôi",
        "ôm",
        "ôn",
        "ông",
        "ôp",
        "ôt",
        "ơ",
        "ơi",
        "ơm",
        "ơn",
        "ơp",
        "ơt",
        "u",
        "ua",
        "uc",
        "ui",
        "um",
        "un",
        "ung",
        "up",
        "ut",
        "uôc",
        "uôi",
        "uôm",
        "uôn",
        "uông",
        "uôt",
        "ư",
        "ưa",
        "ưc",
        "ưi",
        "ưm",
        "ưn",
        "ưng",
        "ưt",
        "ưu",
        "ươc",
        "ươi",
        "ươm",
        "ươn",
        "ương",
        "ươp",
        "ươt",
        "ươu",
        "y",
        "yên",
        "yêt",
        "yêu",
        "yêm",
        "oa",
        "oac",
        "oach",
        "oai",
        "oam",
        "oan",
        "oang",
        "oanh",
        "oao",
        "oap",
        "oat",
        "oay",
        "oăc",
        "oăm",
        "oăn",
        "oăng",
        "oăt",
        "oe",
        "oen",
        "oeo",
        "oet",
        "uân",
        "uâng",
        "uât",
        "uây",
        "uê",
        "uêch",
        "uên",
        "uênh",
        "uêt",
        "uy",
        "uya",
        "uych",
        "uyn",
        "uynh",
        "uyp",
        "uyt",
        "uyu",
        "uyên",
        "uyêt",
        "uơ",
    ]
)
# After "qu" the u is the onset's: quà, quân, quyết, quê, quơ, quen.
_QU_RIMES = frozenset(r for r in _RIMES if r[0] in "aăâeêơy") | {
    "ynh",
    "ych",
    "yt",
    "yp",
    "yu",
    "ôc",
    "i",
    "in",
    "inh",
    "it",
}
_FRONT = ("i", "e", "ê", "y")
_STOPS = ("c", "ch", "p", "t")


@lru_cache(maxsize=65536)
def _parts(word: str) -> tuple[str, int] | None:
    """(the lower-case letters without the tone mark, tone 0–5), or None for more than one tone mark."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tone = 0
    rest = []
    for c in decomposed:
        t = _TONE_MARKS.get(c)
        if t is None:
            rest.append(c)
        elif tone:
            return None
        else:
            tone = t
    return unicodedata.normalize("NFC", "".join(rest)), tone


def untoned(word: str) -> str:
    """The syllable without its tone mark, lower case: "Việt" → "viêt"."""
    parts = _parts(word)
    return parts[0] if parts else word.lower()


def tone_of(word: str) -> int:
    """0 ngang, 1 huyền, 2 hỏi, 3 ngã, 4 sắc, 5 nặng."""
    parts = _parts(word)
    return parts[1] if parts else 0


@lru_cache(maxsize=65536)
def is_valid(word: str) -> bool:
    """Whether ``word`` is a well-formed Vietnamese syllable (spelling and tone rules, no lexicon).

    >>> is_valid("nghiêng"), is_valid("Tục"), is_valid("tc"), is_valid("hot"), is_valid("kinh"), is_valid("ke")
    (True, True, False, False, True, True)
    """
    parts = _parts(word)
    if parts is None or not parts[0]:
        return False
    base, tone = parts
    for onset in _ONSETS:
        if not base.startswith(onset):
            continue
        rime = base[len(onset) :]
        if not rime and onset == "gi":
            rime = "i"  # gì, gìn: the i of gi is the vowel
        if onset == "qu":
            if rime not in _QU_RIMES:
                continue
        elif rime not in _RIMES:
            continue
        if onset in ("k", "gh", "ngh") and not rime.startswith(_FRONT):
            continue
        if onset in ("c", "ng") and rime.startswith(_FRONT):
            continue
        if onset == "g" and rime.startswith(("e", "ê", "y")):
            continue  # "g" + i-rime is gi + the rime sharing its i: gìn, giêng
        if onset == "gi" and rime.startswith(("i", "y")) and base != "gi":
            continue
        if rime.endswith(_STOPS) and tone not in (4, 5):
            continue
        return True
    return False


def has_block(word: str) -> bool:
    """Whether ``word`` holds a letter of U+1EA0–U+1EF9 (so it cannot have lost one)."""
    return any(c in BLOCK for c in word)


def damage(text: str) -> str:
    """``text`` as a conversion that lacks U+1EA0–U+1EF9 leaves it (NFC first): "Mặt trận" → "Mt trn".

    >>> damage("Ủy ban Mặt trận Tổ quốc ở phường")
    'y ban Mt trn T quc  phưng'
    """
    return "".join(c for c in unicodedata.normalize("NFC", text) if c not in BLOCK)


# --- tokens of prose ------------------------------------------------------------------------------------------

# Kinds of token the language model knows: a boundary (punctuation, line break), a number, anything else that
# is not a Vietnamese syllable (abbreviations, symbols such as 62-KL/TW, foreign words), and the syllables.
BOUNDARY, NUMBER, OTHER = "<s>", "<num>", "<x>"
_EDGE = "*_"  # Markdown emphasis around a word is no boundary


def _is_letter_run(core: str) -> bool:
    return core.isalpha()


def _is_number(core: str) -> bool:
    return core[:1].isdigit() and all(c.isdigit() or c in ".,/%-" for c in core)


def chunks(text: str):
    """Yield ``(start, end, core, before, after)`` for each whitespace-separated chunk: ``core`` is the chunk
    without the punctuation at its edges, ``before``/``after`` that punctuation (Markdown ``*``/``_`` dropped)."""
    for m in _chunk_re().finditer(text):
        i, j = m.span()
        chunk = m.group()
        if chunk.isalnum():  # the usual case: a bare word or number
            yield i, j, chunk, "", ""
            continue
        a, b = 0, len(chunk)
        while a < b and not chunk[a].isalnum():
            a += 1
        while b > a and not chunk[b - 1].isalnum():
            b -= 1
        yield i + a, i + b, chunk[a:b], chunk[:a].strip(_EDGE), chunk[b:].strip(_EDGE)


@cache
def _chunk_re() -> re.Pattern[str]:
    return re.compile(r"\S+")


def classify(core: str) -> str:
    """The model's name for a chunk's core: its lower-case syllable, or BOUNDARY/NUMBER/OTHER."""
    if not core:
        return BOUNDARY
    if _is_letter_run(core):
        low = core.lower()
        return low if is_valid(low) else OTHER
    if _is_number(core):
        return NUMBER
    return OTHER


def stream(text: str):
    """The model's token stream of ``text``: syllables (lower case), NUMBER, OTHER, with BOUNDARY at punctuation
    and line breaks (used to train and to score)."""
    out = [BOUNDARY]
    last_end = 0
    for start, end, core, before, after in chunks(text):
        if (before or "\n" in text[last_end:start]) and out[-1] != BOUNDARY:
            out.append(BOUNDARY)
        kind = classify(core)
        if kind != BOUNDARY:
            out.append(kind)
        if after and out[-1] != BOUNDARY:
            out.append(BOUNDARY)
        last_end = end
    if out[-1] != BOUNDARY:
        out.append(BOUNDARY)
    return out
