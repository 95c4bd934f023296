"""Legacy Vietnamese encodings: TCVN3 (ABC, .VnTime fonts), VNI-Windows and VIQR (RFC 1456).

Text typed with a legacy font reaches us as the font's byte values read as Latin-1 ("B¸o c¸o" for "Báo cáo" in
TCVN3, "Baùo caùo" in VNI). Tables: reference §5 (cross-checked in xvnkb, VBKey and vietnamese-conversion).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from reportkit.vn.text import nfc

__all__ = ["detect_legacy", "from_legacy", "is_syllable", "to_legacy"]

ENCODINGS = ("tcvn3", "vni", "viqr")
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")  # ngang huyền hỏi ngã sắc nặng
_VOWELS = "aăâeêioôơuưy"

# Rows: the 12 vowels; columns: the 6 tones in the order above (reference §5).
_TCVN3_ROWS = {
    "a": "61 B5 B6 B7 B8 B9",
    "ă": "A8 BB BC BD BE C6",
    "â": "A9 C7 C8 C9 CA CB",
    "e": "65 CC CE CF D0 D1",
    "ê": "AA D2 D3 D4 D5 D6",
    "i": "69 D7 D8 DC DD DE",
    "o": "6F DF E1 E2 E3 E4",
    "ô": "AB E5 E6 E7 E8 E9",
    "ơ": "AC EA EB EC ED EE",
    "u": "75 EF F1 F2 F3 F4",
    "ư": "AD F5 F6 F7 F8 F9",
    "y": "79 FA FB FC FD FE",
}
_TCVN3_SPECIAL = {"đ": "AE", "Đ": "A7", "Ă": "A1", "Â": "A2", "Ê": "A3", "Ô": "A4", "Ơ": "A5", "Ư": "A6"}

_VNI_ROWS = {
    "a": "61 61F8 61FB 61F5 61F9 61EF",
    "ă": "61EA 61E8 61FA 61FC 61E9 61EB",
    "â": "61E2 61E0 61E5 61E3 61E1 61E4",
    "e": "65 65F8 65FB 65F5 65F9 65EF",
    "ê": "65E2 65E0 65E5 65E3 65E1 65E4",
    "i": "69 EC E6 F3 ED F2",
    "o": "6F 6FF8 6FFB 6FF5 6FF9 6FEF",
    "ô": "6FE2 6FE0 6FE5 6FE3 6FE1 6FE4",
    "ơ": "F4 F4F8 F4FB F4F5 F4F9 F4EF",
    "u": "75 75F8 75FB 75F5 75F9 75EF",
    "ư": "F6 F6F8 F6FB F6F5 F6F9 F6EF",
    "y": "79 79F8 79FB 79F5 79F9 EE",
}
_VNI_SPECIAL = {"đ": "F1", "Đ": "D1"}

_VIQR_MOD = {"ă": "a(", "â": "a^", "ê": "e^", "ô": "o^", "ơ": "o+", "ư": "u+"}
_VIQR_TONE = ("", "`", "?", "~", "'", ".")


def _toned(vowel: str, tone: int) -> str:
    return unicodedata.normalize("NFC", vowel + _TONES[tone])


def _hex(codes: str) -> str:
    return "".join(chr(int(codes[i : i + 2], 16)) for i in range(0, len(codes), 2))


def _vni_upper(seq: str) -> str:
    # Capitals: base A–Z and every byte from 0xC0 up moved down by 0x20 (Á = 41 D9).
    return "".join(c.upper() if c.isascii() else chr(ord(c) - 0x20) if ord(c) >= 0xC0 else c for c in seq)


@lru_cache(maxsize=1)
def _tables() -> dict[str, dict[str, str]]:
    """encoding → {Unicode letter: legacy sequence}, built on first use to keep import light."""
    tcvn3: dict[str, str] = {}
    vni: dict[str, str] = {}
    viqr: dict[str, str] = {}
    for vowel in _VOWELS:
        t_codes = _TCVN3_ROWS[vowel].split()
        v_codes = _VNI_ROWS[vowel].split()
        for tone in range(6):
            letter = _toned(vowel, tone)
            tcvn3[letter] = _hex(t_codes[tone])
            vni[letter] = _hex(v_codes[tone])
            vni[letter.upper()] = _vni_upper(_hex(v_codes[tone]))
            base = _VIQR_MOD.get(vowel, vowel)
            viqr[letter] = base + _VIQR_TONE[tone]
            viqr[letter.upper()] = base[0].upper() + base[1:] + _VIQR_TONE[tone]
    for letter, code in _TCVN3_SPECIAL.items():
        tcvn3[letter] = _hex(code)
    for letter, code in _VNI_SPECIAL.items():
        vni[letter] = _hex(code)
    viqr["đ"], viqr["Đ"] = "dd", "DD"
    # ASCII letters stand for themselves; non-ASCII identities (TCVN3 ý = FD) stay so encoding can check them.
    return {
        name: {k: v for k, v in table.items() if not (k == v and k.isascii())}
        for name, table in (("tcvn3", tcvn3), ("vni", vni), ("viqr", viqr))
    }


@lru_cache(maxsize=2)
def _decoder(encoding: str) -> tuple[re.Pattern[str], dict[str, str]]:
    reverse = {v: k for k, v in _tables()[encoding].items()}
    keys = sorted(reverse, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys)), reverse


_VIQR_SRC = (
    r"\\(.)|([dD][dD])|([aA])(\(|\^)?([`?~'.])?|([eE])(\^)?([`?~'.])?|([oO])(\^|\+)?([`?~'.])?"
    r"|([uU])(\+)?([`?~'.])?|([iIyY])([`?~'.])?"
)
_VIQR_MODS = {"(": "\u0306", "^": "\u0302", "+": "\u031b"}
_VIQR_TONES = {m: _TONES[i] for i, m in enumerate(_VIQR_TONE) if m}


def _viqr_sub(m: re.Match[str]) -> str:
    if m.group(1) is not None:  # "\." is a literal "."
        return m.group(1)
    if m.group(2):
        return "Đ" if m.group(2)[0] == "D" else "đ"
    groups = list(m.groups()[2:])
    for base_i, mod_i, tone_i in ((0, 1, 2), (3, 4, 5), (6, 7, 8), (9, 10, 11)):
        if groups[base_i]:
            base, mod, tone = groups[base_i], groups[mod_i], groups[tone_i]
            break
    else:
        base, mod, tone = groups[12], None, groups[13]
    text = base + (_VIQR_MODS[mod] if mod else "") + (_VIQR_TONES[tone] if tone else "")
    return unicodedata.normalize("NFC", text)


def from_legacy(text: str, encoding: str | None = None, *, capitals: bool = False) -> str:
    """Legacy-encoded text → NFC Unicode. ``encoding=None`` detects it (and returns plain text unchanged, as NFC).

    ``capitals=True`` upper-cases the result: TCVN3 has no codes for toned capitals, which come from typing
    lower-case codes in an upper-case font (.VnTimeH). VIQR follows RFC 1456: a mark after a vowel is always a
    diacritic; "\\." is a literal full stop.

    >>> from_legacy("B¸o c¸o"), from_legacy("Baùo caùo"), from_legacy("Vie^.t Nam"), from_legacy("BAÙO", "vni")
    ('Báo cáo', 'Báo cáo', 'Việt Nam', 'BÁO')
    """
    if not isinstance(text, str):
        raise TypeError(f"from_legacy() expects text, got {type(text).__name__} {text!r}")
    if encoding is None:
        encoding = detect_legacy(text)
        if encoding is None:
            return nfc(text.upper() if capitals else text)
    elif encoding not in ENCODINGS:
        raise ValueError(
            f"from_legacy(): unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)} or None"
        )
    if encoding == "viqr":
        out = _rx("viqr").sub(_viqr_sub, text)
    else:
        pattern, reverse = _decoder(encoding)
        out = pattern.sub(lambda m: reverse[m.group()], text)
    out = unicodedata.normalize("NFC", out)
    return out.upper() if capitals else out


def to_legacy(text: str, encoding: str) -> str:
    """Unicode → legacy encoding (for tests and for feeding old tools). TCVN3 cannot hold toned capitals.

    >>> to_legacy("Báo cáo", "tcvn3"), to_legacy("Báo cáo", "vni"), to_legacy("Việt Nam", "viqr")
    ('B¸o c¸o', 'Baùo caùo', 'Vie^.t Nam')
    """
    if encoding not in ENCODINGS:
        raise ValueError(
            f"to_legacy(): unknown encoding {encoding!r}; expected one of {', '.join(ENCODINGS)}"
        )
    table = _tables()[encoding]
    text = nfc(text)
    if encoding == "viqr":
        out = []
        prev_vowel = False
        for ch in text:
            if prev_vowel and ch in "`?~'.(^+\\":
                out.append("\\" + ch)  # keep punctuation after a vowel literal (RFC 1456 escape)
            elif ch == "\\":
                out.append("\\\\")
            elif ch in "dD" and out and out[-1] in ("d", "D"):
                out.append("\\" + ch)  # "dd" typed as two letters is not đ
            else:
                out.append(table.get(ch, ch))
            prev_vowel = ch.lower() in _VOWELS_TONED
        return "".join(out)
    missing = sorted(
        {ch for ch in text if ch.lower() in _VOWELS_TONED and ch not in table and not ch.isascii()}
    )
    if missing:
        raise ValueError(
            f"to_legacy(): {encoding} has no code for {', '.join(missing)}; TCVN3 toned capitals are typed as lower "
            f"case in a .VnTimeH font"
        )
    return "".join(table.get(ch, ch) for ch in text)


_VOWELS_TONED = frozenset(_toned(v, t) for v in _VOWELS for t in range(6))

# --- detection ----------------------------------------------------------------------------------------------

_NUCLEI = sorted(
    [
        "a",
        "ă",
        "â",
        "e",
        "ê",
        "i",
        "o",
        "ô",
        "ơ",
        "u",
        "ư",
        "y",
        "ai",
        "ao",
        "au",
        "ay",
        "âu",
        "ây",
        "eo",
        "êu",
        "ia",
        "iê",
        "iu",
        "oa",
        "oă",
        "oe",
        "oi",
        "ôi",
        "ơi",
        "oo",
        "ua",
        "uâ",
        "uê",
        "ui",
        "uô",
        "uơ",
        "uy",
        "ưa",
        "ưi",
        "ươ",
        "ưu",
        "yê",
        "iêu",
        "yêu",
        "oai",
        "oao",
        "oay",
        "oeo",
        "uây",
        "uôi",
        "uya",
        "uyê",
        "uyu",
        "ươi",
        "ươu",
    ],
    key=len,
    reverse=True,
)
_SYLLABLE_SRC = (
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdđghklmnprstvx])?(?:"
    + "|".join(_NUCLEI)
    + r")(?:ch|nh|ng|[cmnpt])?$"
)


@lru_cache(maxsize=8192)
def is_syllable(word: str) -> bool:
    """Whether ``word`` is shaped like a Vietnamese syllable (onset, vowel nucleus, final, at most one tone).

    >>> is_syllable("nghiêng"), is_syllable("Báo"), is_syllable("café"), is_syllable("B¸o")
    (True, True, False, False)
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(decomposed.count(t) for t in _TONES[1:])
    if tones > 1:
        return False
    for t in _TONES[1:]:
        decomposed = decomposed.replace(t, "")
    return _rx("syllable").match(unicodedata.normalize("NFC", decomposed)) is not None


_UNICODE_VN_SRC = "[\u0100-\u01b0\u0300-\u036f\u1ea0-\u1ef9]"  # letters and marks no legacy text holds
_EDGE_PUNCT = "\"'()[]{}<>,;:!?.…“”‘’–—-"
_VIQR_HINT_SRC = r"[aeiouyAEIOUY](?:[(^+]|[`'?~.](?=[A-Za-z]))|\b[dD][dD][aeiouAEIOU]"
_VIQR_STRONG_SRC = r"[(^+]|[aeiouyAEIOUY][`'?~.][A-Za-z]|^[dD][dD]"


_PATTERNS = {
    "viqr": (_VIQR_SRC, re.DOTALL),
    "syllable": (_SYLLABLE_SRC, 0),
    "unicode_vn": (_UNICODE_VN_SRC, 0),
    "viqr_hint": (_VIQR_HINT_SRC, 0),
    "viqr_strong": (_VIQR_STRONG_SRC, 0),
    "viqr_modifier": (r"[(^+]|^[dD][dD]", 0),
}


@cache
def _rx(name: str) -> re.Pattern[str]:
    """Patterns are compiled on first use: ``import reportkit.vn`` stays light."""
    source, flags = _PATTERNS[name]
    return re.compile(source, flags)


def _words_ok(token: str) -> bool:
    parts = [p for p in token.split("-") if p]
    return bool(parts) and all(is_syllable(p) for p in parts)


def detect_legacy(text: str) -> str | None:
    """Which legacy encoding ``text`` is in: "tcvn3", "vni", "viqr", or None for Unicode, English, numbers.

    A reading wins when more of the words become Vietnamese syllables under it than as they are.

    >>> detect_legacy("B¸o c¸o kÕt qu¶"), detect_legacy("Baùo caùo keát quaû"), detect_legacy("Ba'o ca'o"), detect_legacy("Báo cáo")
    ('tcvn3', 'vni', 'viqr', None)
    """
    if not isinstance(text, str):
        raise TypeError(f"detect_legacy() expects text, got {type(text).__name__} {text!r}")
    if _rx("unicode_vn").search(text):
        return None
    if not text.isascii():
        found = _detect_latin1(text)
        if found:
            return found
    return _detect_viqr(text)


def _detect_latin1(text: str) -> str | None:
    """TCVN3 or VNI: the reading under which more words become syllables than as they stand."""
    tokens = [t.strip(_EDGE_PUNCT) for t in text.split()]
    # A word needs a plain letter too: lone symbols (© = TCVN3 â, ½ = ẵ) prove nothing.
    candidates = [t for t in tokens if not t.isascii() and any("a" <= c <= "z" or "A" <= c <= "Z" for c in t)]
    if not candidates:
        return None
    scores = {"unicode": 0, "tcvn3": 0, "vni": 0}
    for token in candidates:
        scores["unicode"] += _words_ok(token)
        for enc in ("tcvn3", "vni"):
            pattern, reverse = _decoder(enc)
            decoded = unicodedata.normalize("NFC", pattern.sub(lambda m, r=reverse: r[m.group()], token))
            scores[enc] += decoded != token and _words_ok(decoded)
    best = max(("tcvn3", "vni"), key=lambda e: scores[e])
    other = "vni" if best == "tcvn3" else "tcvn3"
    if (
        scores[best] > scores["unicode"]
        and scores[best] > scores[other]
        and 2 * scores[best] >= len(candidates)
    ):
        return best
    return None


def _detect_viqr(text: str) -> str | None:
    if not _rx("viqr_hint").search(text):
        return None
    words = [t.strip(_EDGE_PUNCT.replace(".", "").replace("?", "").replace("'", "")) for t in text.split()]
    alphabetic = [w for w in words if any(c.isalpha() for c in w)]
    strong = modifiers = 0
    for w in alphabetic:
        core = w.rstrip(',;:!"”)')
        if not _rx("viqr_strong").search(core):
            continue
        decoded = _rx("viqr").sub(_viqr_sub, core)
        if decoded != core and _words_ok(decoded.rstrip(".?")):
            strong += 1
            modifiers += bool(_rx("viqr_modifier").search(core))
    if strong >= 2 or modifiers >= 1:
        return "viqr" if 3 * strong >= len(alphabetic) or strong >= 3 else None
    return None
