"""Proofreading: find damaged and inconsistent Vietnamese text before it is signed, and restore lost letters.

``check(text)`` lists findings; ``repair(text)`` restores the letters a lossy conversion deleted (U+1EA0–U+1EF9:
"tiếp tc" → "tiếp tục", "Mt trn" → "Mặt trận") where the evidence is strong, and leaves the rest as it is.

How a damaged syllable is decided: a syllable that holds a letter of U+1EA0–U+1EF9 cannot have lost one and is
never touched. Any other word may be the damaged spelling of the syllables that give it back once one such letter
is inserted ("tc" ← tục, tộc, tấc …; "ca" ← của). Each reading is scored by a syllable-pair language model over the
sentence (forward-backward, so "t chc" is decided as a pair) times the chance that the text around it is damaged:
a window of prose where every word is whole makes a change to a valid syllable all but impossible, which is what
keeps correct text free of findings.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from operator import mul
from typing import NamedTuple

from reportkit.vn.syllable import NUMBER, OTHER, chunks, has_block, is_valid
from reportkit.vn.text import fold, nfc, tone_style

__all__ = ["KINDS", "Change", "Finding", "Note", "Repaired", "check", "notes", "repair"]

KINDS = {
    "damaged": "âm tiết bị mất chữ",
    "stripped": "thiếu dấu",
    "tone_style": "kiểu đặt dấu không thống nhất",
    "legacy": "đoạn văn bản mã cũ (TCVN3, VNI, VIQR)",
    "number": "số viết sai quy cách",
    "space": "khoảng trắng thừa",
    "invisible": "ký tự ẩn hoặc ký tự điều khiển hướng",
    "typo": "có thể gõ nhầm",
}

# --- decisions (tuned on bench/proof_data/dev-legal.txt, never on the evaluation texts or the seed) -----------
WINDOW = 12  # words either side whose state tells how damaged the text around a word is
VALID_SHARE = 0.5  # damaged syllables that still look valid, per damaged syllable that does not (measured)
PRIOR_DAMAGED, PRIOR_WHOLE = 0.1, 1.0  # pseudo-counts of the local damage rate
QUIET = 0.02  # below this damage rate a valid-looking word is taken as written without scoring it
NAME_FACTOR = 0.2  # a capitalised valid word inside a sentence is often a name: less likely damaged
FOREIGN = 1e-3  # weight of "an invalid word is meant as written" (an abbreviation, a foreign word)
BARE = (
    1e-5  # … of a word of two letters or more with no vowel at all ("Thnh", "sch"): seldom meant as written
)

PAIR_SUGGEST = 0.25  # … and a reading of a word this likely given one of them is suggested too
PAIR_MIN = 0.01  # a neighbour's reading this likely counts when a change must hold whatever the neighbour is
CAPITAL = 0.5  # share of capitals (legal text, inside a sentence) above which a lost first letter is restored
CHANGE_INVALID = 0.6  # posterior a restoration of an invalid word needs to be applied
CHANGE_VALID = 0.9  # … of a word that is a valid syllable as it stands
REPORT_VALID = 0.5  # posterior at which a valid-looking word is reported as damaged
TYPO_RARE = 30  # a syllable seen more often than this in the training text is no typo of a neighbour
GAP_MIN_DAMAGE = 0.3
STRIPPED_INVALID, STRIPPED_VALID = 1e4, 1e8  # how much likelier the diacritised words must be
CHANGE_GAP = 0.8  # posterior a lost whole syllable needs to be put back
GAP_TYPO = 0.05  # chance that an odd space (doubled, before a comma, opening a line) is a mere slip  # a doubled space is read as a lost syllable ("ở") only in damaged text

# English function words that are no Vietnamese syllable Vietnamese prose uses ("do", "so", "an", "in", "may"
# are left out: "do đó", "so với", "an ninh").
_ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "is",
        "are",
        "for",
        "with",
        "from",
        "that",
        "this",
        "these",
        "those",
        "its",
        "be",
        "been",
        "was",
        "were",
        "will",
        "would",
        "should",
        "could",
        "has",
        "have",
        "had",
        "not",
        "or",
        "if",
        "when",
        "which",
        "what",
        "where",
        "who",
        "how",
        "into",
        "each",
        "every",
        "than",
        "then",
        "there",
        "their",
        "they",
        "them",
        "you",
        "your",
        "we",
        "our",
        "can't",
        "don't",
        "doesn't",
        "isn't",
        "it's",
        "file",
        "files",
        "run",
        "runs",
        "test",
        "tests",
        "using",
        "used",
        "use",
        "see",
        "also",
        "only",
        "more",
        "most",
        "other",
        "such",
        "one",
        "two",
        "per",
        "via",
        "about",
        "after",
        "before",
        "between",
        "both",
        "same",
        "any",
        "all",
        "some",
        "new",
        "copy",
        "edit",
        "write",
        "read",
        "open",
        "add",
        "set",
        "get",
        "make",
        "like",
        "just",
        "here",
        "now",
        "but",
        "does",
        "done",
        "note",
        "it",
        "is",
        "as",
        "at",
        "she",
        "his",
        "her",
        "there's",
        "let's",
        "must",
        "might",
        "shall",
        "over",
        "under",
        "out",
        "down",
        "off",
        "why",
        "yes",
    ]
)
_UNITS = frozenset(
    [
        "người",
        "lượt",
        "hộ",
        "cử",
        "tri",
        "đồng",
        "buổi",
        "vụ",
        "hội",
        "nghị",
        "suất",
        "phần",
        "quà",
        "học",
        "sinh",
        "em",
        "gia",
        "đình",
        "trường",
        "hợp",
        "đảng",
        "viên",
        "hội",
        "viên",
        "đoàn",
        "viên",
        "cán",
        "bộ",
        "nhân",
        "khẩu",
        "khẩu",
        "ngày",
        "công",
        "lao",
        "động",
        "cháu",
        "cụ",
        "tấn",
        "kg",
        "ha",
        "km",
        "m2",
        "mét",
        "lít",
        "con",
        "cây",
        "chiếc",
        "căn",
        "nhà",
        "tổ",
        "ban",
        "đơn",
        "thư",
        "ý",
        "kiến",
        "kiến",
        "nghị",
        "lần",
        "cuộc",
        "bài",
        "tin",
        "triệu",
        "tỷ",
        "nghìn",
        "ngàn",
    ]
)
_NOT_QUANTITY = frozenset(
    [
        "năm",
        "số",
        "mã",
        "khóa",
        "khoá",
        "kỳ",
        "tháng",
        "ngày",
        "điều",
        "khoản",
        "quyết",
        "định",
        "nghị",
        "định",
        "thông",
        "tư",
        "hotline",
    ]
)
_MENTION = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"|‘[^’\n]*’|\([^()\n]*\)")
_SI_UNITS = frozenset(
    [
        "mm",
        "cm",
        "dm",
        "km",
        "m",
        "m2",
        "m3",
        "kg",
        "g",
        "mg",
        "t",
        "s",
        "ms",
        "h",
        "min",
        "ha",
        "ml",
        "l",
        "kw",
        "kwh",
        "mw",
        "pt",
        "px",
        "kb",
        "mb",
        "gb",
    ]
)
_CHUNK = re.compile(r"\S+")
_VIQR_MARK = re.compile(r"[aeiouyAEIOUY](?:[(^+]|[`'?~.](?=[A-Za-z]|$))|^[dD][dD][aeiou]")
_ROMAN = re.compile(r"^[IVXLC]+$")  # "Phần VI", "khóa X": numerals, not damaged "VỚI", "Xứ"
_CLOSING = frozenset(",.;:!?)]”’»")
_LATIN_WORD = re.compile(r"[A-Za-z']+")
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_DOUBLE_SPACE = re.compile(
    r"(?<=\S)(?:[ \u00a0]{2}|\t)(?=\S)"
)  # three spaces or more are deliberate ("Số:     /BC-…")
_SPACE_BEFORE = re.compile(r"(?<=\S)[ \t\u00a0]+(?=[,.;:!?)\]”’»](?:[\s,.;:!?)\]”’»]|$))")
_DECIMAL_DOT = re.compile(r"^\d+\.\d{1,2}$")
_PERCENT_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")  # a figure a percent sign may follow: 12, 12,5 (or 12.5)
_MASK = re.compile(
    r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]*`|\{\{.*?\}\}|\{%.*?%\}|<[^>\n]*>|https?://\S+|www\.\S+"
    r"|\b[\w.+-]+@[\w-]+\.[\w.]+",
    re.S,
)


@lru_cache(maxsize=1)
def _legacy_char_re() -> re.Pattern[str]:
    return re.compile("[" + re.escape("".join(sorted(_LEGACY_ONLY))) + "]")


_LEGACY_ONLY = frozenset("¡¢£¤¥¦§¨©ª«¬®¯°±²³´µ¶·¸¹º»¼½¾¿ÆÇÈËÎÏÐÑÒÖ×ØÛÜÞßåæçëîïðñö÷øûüþÿ")


@dataclass(frozen=True)
class Finding:
    """One problem in a text: ``span`` (start, end) in the NFC text, ``kind`` (a key of ``KINDS``), ``found``
    (the text as written), ``suggestions`` (best first; may be empty) and a short Vietnamese ``message``."""

    start: int
    end: int
    kind: str
    found: str
    suggestions: tuple[str, ...] = ()
    message: str = ""

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end

    def as_dict(self) -> dict:
        """A JSON-ready dict (for the batch summary and ``--json``)."""
        return {
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "found": self.found,
            "suggestions": list(self.suggestions),
            "message": self.message,
        }


@dataclass(frozen=True)
class Change:
    """One restoration made by ``repair``: ``span`` in the input (NFC), ``before``, ``after``, ``confidence``."""

    start: int
    end: int
    before: str
    after: str
    confidence: float

    @property
    def span(self) -> tuple[int, int]:
        return self.start, self.end

    def as_dict(self) -> dict:
        return {
            "start": self.start,
            "end": self.end,
            "before": self.before,
            "after": self.after,
            "confidence": round(self.confidence, 3),
        }


class Repaired(NamedTuple):
    """The repaired text and the changes made (``text, changes = vn.repair(...)``)."""

    text: str
    changes: list[Change]


# --- tokens -----------------------------------------------------------------------------------------------


class _Token:
    """A chunk of the text: "word", NUMBER or OTHER, with the readings the analysis gives it. The class holds the
    defaults (a report has thousands of tokens, most of which keep them)."""

    key = ""  # lower case, classic tone style: the model's spelling
    whole = True  # holds a U+1EA0–U+1EF9 letter (cannot be damaged), or is no word at all
    valid = True
    fixed = True  # nothing to decide: a single reading
    sentence_start = False
    unit = False  # a unit's symbol after a number ("25 h"): as written unless the text is damaged
    word_index = -1  # its place among the words of the text (for the local damage rate)
    options: tuple | list = ()  # [(model id or None, weight, surface)], set where a sentence is decoded
    posterior: tuple | list = ()
    alpha: tuple | list = ()  # forward and backward scores of the options (normalised), for pairs of readings
    beta: tuple | list = ()

    def __init__(self, start: int, end: int, core: str, kind: str, lower: str = "") -> None:
        self.start, self.end, self.core, self.kind, self.lower = start, end, core, kind, lower


class _Spans:
    """Sorted, non-overlapping (start, end) spans with a fast overlap test."""

    def __init__(self, spans) -> None:
        merged: list[list[int]] = []
        for a, b in sorted(spans):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        self.starts = [a for a, _ in merged]
        self.ends = [b for _, b in merged]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def __iter__(self):
        return iter(zip(self.starts, self.ends, strict=True))

    def hit(self, start: int, end: int) -> bool:
        i = bisect_right(self.starts, end - 1) - 1 if end > start else bisect_right(self.starts, start) - 1
        return i >= 0 and self.ends[i] > start


def _masked(text: str) -> _Spans:
    return _Spans(m.span() for m in _MASK.finditer(text)) if any(c in text for c in "`{<@:w") else _Spans(())


def _in(spans: _Spans, start: int, end: int) -> bool:
    return spans.hit(start, end)


@lru_cache(maxsize=65536)
def _word(core: str) -> tuple[str, str, str, bool, bool]:
    """(lower case, the model's spelling, the modern-style spelling, valid syllable, holds a U+1EA0–U+1EF9 letter)."""
    lower = core.lower()
    classic = tone_style(core, "classic") if not core.isascii() else core
    modern = tone_style(core, "modern") if not core.isascii() else core
    return lower, classic.lower(), modern, is_valid(lower), has_block(core)


def _segments(text: str, masked: _Spans) -> list[list[_Token]]:
    """Sentences (runs of tokens between punctuation and line breaks) of ``text``."""
    segments: list[list[_Token]] = []
    current: list[_Token] = []
    last_end = 0
    any_masked = bool(masked)
    for start, end, core, before, after in chunks(text):
        if any_masked and masked.hit(start, end):
            if current:
                segments.append(current)
                current = []
            last_end = end
            continue
        if current and (before or text.find("\n", last_end, start) >= 0):
            segments.append(current)
            current = []
        if core:
            if core.isalpha():
                tok = _Token(start, end, core, "word", lower=core.lower())
            elif core[:1].isdigit() and all(c.isdigit() or c in ".,/%-" for c in core):
                tok = _Token(start, end, core, NUMBER)
            else:
                tok = _Token(start, end, core, OTHER)
            current.append(tok)
        if after and current:
            segments.append(current)
            current = []
        last_end = end
    if current:
        segments.append(current)
    return segments


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at ``start`` opens a sentence (start of text or line, after . ! ? and opening marks)."""
    i = start - 1
    while i >= 0 and (text[i] in " \t\u00a0*_“\"‘'([«" or (text[i] == "-" and i + 1 < start)):
        i -= 1
    return i < 0 or text[i] in ".!?\n…:"


def _caps(surface: str, like: str) -> str:
    """``surface`` with the capitalisation of ``like``: ("mặt", "Mt") → "Mặt", ("trận", "TRN") → "TRẬN"."""
    if like.isupper() and len(like) > 1:
        return surface.upper()
    if like[:1].isupper():
        return surface[:1].upper() + surface[1:]
    return surface


def _english(segment: list[_Token]) -> bool:
    words = [t.lower for t in segment if t.kind == "word"]
    hits = sum(w in _ENGLISH for w in words)
    return hits >= 2 or (hits == 1 and len(words) <= 4)


def _english_lines(text: str) -> _Spans:
    """Lines with English in them (two English function words or more): no syllable there is Vietnamese prose."""
    out = []
    pos = 0
    for line in text.split("\n"):
        hits = sum(w.lower() in _ENGLISH for w in _LATIN_WORD.findall(line))
        if hits >= 2:
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return _Spans(out)


# --- analysis (shared by check and repair) ----------------------------------------------------------------


@dataclass
class _Analysis:
    text: str
    segments: list[list[_Token]]
    gaps: list[
        tuple[int, int, float, str]
    ]  # (start, end, posterior, syllable) of doubled spaces in damaged text
    decoded: list[list[_Token]]  # the segments with a reading to decide (the others have nothing to report)
    masked: _Spans  # code, URLs, e-mail addresses: not prose
    english_words: list[bool]  # per segment: English words in it ("the", "of" …)
    english: list[bool]  # per segment: English words in it or on its line, so no Vietnamese prose


def _marker(tok: _Token, text: str, seg: list[_Token], k: int) -> bool:
    """A letter that is a symbol, not a damaged syllable: a list marker ("a)", "đ)", "c." opening a line), a mark
    in a form ("(x)"), an initial or a variable ("N."), a unit after a number ("25 mm", "1,46 s"), a letter alone
    between punctuation (a table cell)."""
    if _unit(tok, seg, k):
        return True
    if len(tok.core) != 1:
        return False
    after = text[tok.end : tok.end + 1]
    before = text[tok.start - 1 : tok.start] if tok.start else "\n"
    if after == ")" or before == "(" or (after == "." and (before in ("\n", "") or tok.core.isupper())):
        return True
    return not any(t.kind == "word" for j, t in enumerate(seg) if j != k)


def _unit(tok: _Token, seg: list[_Token], k: int) -> bool:
    """A unit's symbol after a number ("25 mm", "1,46 s")."""
    return len(seg) >= 2 and k > 0 and seg[k - 1].kind == NUMBER and tok.lower in _SI_UNITS


def _bare(tok: _Token) -> bool:
    """Two letters or more and no vowel, not in capitals: no syllable, no abbreviation, a syllable that lost its
    vowel ("Thnh" ← Thịnh, "sch" ← sạch)."""
    return len(tok.core) >= 2 and not tok.core.isupper() and not any(c in "aeiouy" for c in fold(tok.core))


def _prepare(text: str, segments: list[list[_Token]], m) -> tuple[list[_Token], list[bool], list[bool]]:
    """The words of the text with their spelling and candidate readings; per segment, whether it has English
    words, and whether it is English (its words or its line)."""
    restorations = m.restorations
    english_lines = _english_lines(text)
    words: list[_Token] = []
    english_words: list[bool] = []
    english_segments: list[bool] = []
    for seg in segments:
        has_english = _english(seg)
        english = has_english or bool(english_lines and _in(english_lines, seg[0].start, seg[-1].end))
        english_words.append(has_english)
        english_segments.append(english)
        for k, tok in enumerate(seg):
            if tok.kind != "word":
                continue
            tok.word_index = len(words)
            words.append(tok)
            _, tok.key, _, tok.valid, tok.whole = _word(tok.core)
            if (
                tok.whole
                or english
                or (tok.core.isupper() and ((len(tok.core) > 1 and not tok.valid) or _ROMAN.match(tok.core)))
            ):
                continue
            cands = restorations.get(tok.lower)
            if _marker(tok, text, seg, k):
                if not (cands and _unit(tok, seg, k)):
                    continue
                tok.unit = True  # "25 h" is hours in whole text, "25 hộ" where the text around is damaged
            if cands:
                tok.sentence_start = _starts_sentence(text, tok.start)
                tok.fixed = False
                tok.options = cands  # filled with weights once the damage rate is known
    return words, english_words, english_segments


def _damage_rates(words: list[_Token]):
    """The local chance that a syllable of the text lost its letter, from the words around it: a function of a
    word's index (asked only for the words whose reading is open and the spaces where a syllable may be lost)."""
    n = len(words)
    bad = list(accumulate((not t.fixed and not t.valid and not t.unit for t in words), initial=0))
    whole = list(accumulate((t.whole and t.valid for t in words), initial=0))

    def rate(i: int) -> float:
        a, b = max(0, i - WINDOW), min(n, i + WINDOW + 1)
        damaged = (bad[b] - bad[a]) * (1 + VALID_SHARE)
        return (damaged + PRIOR_DAMAGED) / (damaged + whole[b] - whole[a] + PRIOR_DAMAGED + PRIOR_WHOLE)

    rate.any_damage = bad[-1] > 0  # type: ignore[attr-defined]
    return rate


def _options(tok: _Token, rate: float, m, nxt: _Token | None = None) -> list:
    """The readings of a word whose reading is open: [(model id or None, weight, surface)], as written first."""
    own = m.id(tok.key) if tok.valid else 2
    weight = rate
    if tok.valid and tok.core[:1].isupper() and not tok.sentence_start:
        weight *= NAME_FACTOR
    # a unit after a number is meant as written as much as a valid syllable is
    as_written = 1.0 if tok.valid or tok.unit else BARE if _bare(tok) else FOREIGN
    # the next word as written, when it is settled (a damaged one could be read several ways)
    following = nxt.key if nxt is not None and nxt.kind == "word" and (nxt.fixed or nxt.whole) else None
    return [(own, as_written, tok.core)] + [
        (i, weight, surface)
        for i, surface in _restored_forms(tok.core, tok.lower, tok.sentence_start, following)
    ]


@lru_cache(maxsize=4096)  # a few MB at most: a report repeats its damaged spellings
def _restored_forms(core: str, lower: str, sentence_start: bool, following: str | None) -> tuple:
    """(model id, surface) of every restoration of a damaged word as written (``core``), capitalised as the text
    needs it: "Mt" → "Mặt", "TRN" → "TRẬN", "y ban" opening a sentence → "Ủy ban"."""
    from reportkit.vn.lexicon import model

    m = model()
    out = []
    for i, form in m.restorations.get(lower, ()):
        surface = _caps(form, core)
        if form[:1] != lower[:1] and (sentence_start or _capital(m.vocab[i], following)):
            # the lost letter was a capital: the sentence's ("y ban" → "Ủy ban"), or a word legal text writes with
            # one inside a sentence too ("của y ban nhân dân" → "của Ủy ban nhân dân")
            surface = surface[:1].upper() + surface[1:]
        out.append((i, surface))
    return tuple(out)


def _capital(word: str, following: str | None) -> bool:
    """Whether legal text mostly writes ``word`` (classic style, lower case) with a capital inside a sentence: before
    ``following`` when that pair was counted (reportkit/vn/data/proof-caps.bin), else anywhere; never when the next
    word is unsettled (None)."""
    if following is None:
        return False
    from reportkit.vn.lexicon import capitals

    table = capitals()
    counts = table.pairs.get((word, following)) or table.words.get(word)
    return counts is not None and counts[1] > CAPITAL * (counts[0] + counts[1])


_CERTAIN = (1.0,)


def _decode(seg: list[_Token], m) -> None:
    """Forward-backward over the sentence: the posterior of every reading of every token (and its forward and
    backward scores, for pairs of readings).

    P(b | a) is a part only the pairs seen in the model have plus weight(a) * continuation(b) (``Model.split``),
    so a step sums over the pairs that met and adds the shared part once, instead of over every pair of readings.
    A token with a single reading (``fixed``) has forward, backward and posterior scores of exactly 1 whatever its
    neighbours read: only its transitions from an open reading before it are kept (that reading's backward
    scores)."""
    split, continuation, unknown = m.split, m.continuation, m.V  # V: a syllable the model never saw (None)
    prev_ids = [0]  # the opening boundary
    prev_alpha: list[float] | tuple[float, ...] = _CERTAIN
    steps: list = []  # per token, for the backward pass: what its scores were summed from
    for tok in seg:
        if tok.fixed:
            own = _own_id(tok, m)
            if len(prev_ids) > 1:  # after an open reading: P(this token | each reading)
                b = unknown if own is None else own
                cb = continuation[b]
                steps.append([d.get(b, 0.0) + weight * cb for d, weight in map(split, prev_ids)])
            else:
                steps.append(None)
            tok.alpha = prev_alpha = _CERTAIN
            prev_ids = [2 if own is None else own]
            continue
        opts = tok.options
        ids = [unknown if oid is None else oid for oid, _, _ in opts]
        index = {b: i for i, b in enumerate(ids)}
        n = len(ids)
        unique = len(index) == n
        seen = [0.0] * n  # sum over previous readings of alpha * the pair's own part
        shared = 0.0  # sum over previous readings of alpha * weight
        pairs = []  # per previous reading: ([(i, own part)], weight)
        for pid, a in zip(prev_ids, prev_alpha, strict=True):
            discounted, weight = split(pid)
            shared += a * weight
            hits = []
            if len(discounted) < n and unique:
                for b, x in discounted.items():
                    i = index.get(b)
                    if i is not None:
                        hits.append((i, x))
            else:
                get = discounted.get
                for i, b in enumerate(ids):
                    x = get(b)
                    if x is not None:
                        hits.append((i, x))
            for i, x in hits:
                seen[i] += a * x
            pairs.append((hits, weight))
        cs = [continuation[b] for b in ids]
        cur = [(s + c * shared) * w for s, c, (_, w, _) in zip(seen, cs, opts, strict=True)]
        total = sum(cur) or 1e-300
        tok.alpha = prev_alpha = [s / total for s in cur]
        steps.append((pairs, cs))
        prev_ids = [2 if oid is None else oid for oid, _, _ in opts]
    after = [m.prob(src, 0) for src in prev_ids]  # to the closing boundary
    for k in range(len(seg) - 1, -1, -1):
        tok = seg[k]
        if tok.fixed:
            tok.beta = tok.posterior = _CERTAIN
            after = steps[k]
            continue
        total = sum(after) or 1e-300
        tok.beta = cur = [b / total for b in after]
        post = list(map(mul, tok.alpha, cur))
        total = sum(post) or 1e-300
        tok.posterior = [p / total for p in post]
        weighted = [w * b for (_, w, _), b in zip(tok.options, cur, strict=True)]
        pairs, cs = steps[k]
        common = sum(map(mul, cs, weighted))
        after = [sum([x * weighted[i] for i, x in hits]) + weight * common for hits, weight in pairs]


def _own_id(tok: _Token, m) -> int | None:
    """The model's id of a token as written: a number, another symbol, a word that is no syllable (2), None for
    a syllable the model never saw."""
    if tok.kind != "word":
        return 1 if tok.kind == NUMBER else 2
    return m.id(tok.key) if tok.valid else 2


def _gaps(text: str, segments: list[list[_Token]], rate, m) -> list:
    """Where a whole syllable such as "ở" most likely vanished in damaged text: a doubled space between two words,
    a space before closing punctuation, a space opening a line. (start, end, posterior, replacement)."""
    out = []
    lost = m.restorations.get("", [])
    if not lost or not rate.any_damage:
        return out  # no damaged word anywhere: no local damage rate reaches GAP_MIN_DAMAGE
    tokens = [t for seg in segments for t in seg]
    last_of_segment = {id(seg[-1]) for seg in segments}
    for k, tok in enumerate(tokens):
        if tok.word_index < 0:
            continue  # not a word: no damage rate of its own
        local = rate(tok.word_index)
        if local < GAP_MIN_DAMAGE:
            continue
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        gap = None
        if nxt is not None and id(tok) not in last_of_segment and _is_double(text[tok.end : nxt.start]):
            gap = (tok.end, nxt.start, _best_id(tok, m), _best_id(nxt, m), " {} ")
        elif text[tok.end : tok.end + 1] in " \u00a0" and text[tok.end + 1 : tok.end + 2] in _CLOSING:
            gap = (tok.end, tok.end + 1, _best_id(tok, m), 0, " {}")
        opens_line = tok.start == 1 or (tok.start >= 2 and text[tok.start - 2] == "\n")
        if gap is None and opens_line and text[tok.start - 1] == " ":
            gap = (tok.start - 1, tok.start, 0, _best_id(tok, m), "{} ")
        if gap is None:
            continue
        start, end, a, b, shape = gap
        direct = GAP_TYPO * m.prob(a, b)
        best, best_score, total = "", 0.0, 0.0
        for i, form in lost:
            score = local * m.prob(a, i) * m.prob(i, b)
            total += score
            if score > best_score:
                best, best_score = form, score
        if a == 0:
            best = best[:1].upper() + best[1:]
        out.append((start, end, best_score / (direct + total) if best else 0.0, shape.format(best)))
    return out


def _is_double(space: str) -> bool:
    return len(space) == 2 and all(c in " \u00a0" for c in space)


def _best_id(tok: _Token, m) -> int:
    if tok.fixed or not tok.options:  # a single reading: the token as written
        oid = _own_id(tok, m)
    else:
        k = max(range(len(tok.options)), key=tok.posterior.__getitem__) if tok.posterior else 0
        oid = tok.options[k][0]
    return 2 if oid is None else oid


@lru_cache(maxsize=8)
def _analyse(text: str) -> _Analysis:
    from reportkit.vn.lexicon import model

    m = model()
    masked = _masked(text)
    segments = _segments(text, masked)
    words, english_words, english = _prepare(text, segments, m)
    rate = _damage_rates(words)
    decoded = []
    for seg in segments:
        open_reading = False
        for j, tok in enumerate(seg):
            if tok.fixed:
                continue
            local = rate(tok.word_index)
            if (tok.valid or tok.unit) and local < QUIET:
                tok.fixed = True  # a valid word among whole ones: no reading could reach a threshold
                tok.options = ()
                continue
            tok.options = _options(tok, local, m, seg[j + 1] if j + 1 < len(seg) else None)
            open_reading = True
        if open_reading:  # a sentence with nothing to decide keeps no scores (the class defaults)
            _decode(seg, m)
            decoded.append(seg)
    return _Analysis(text, segments, _gaps(text, segments, rate, m), decoded, masked, english_words, english)


def _damaged(tok: _Token) -> bool:
    """Whether ``check`` reports a token as damaged: a word that is no syllable and more likely a damaged one than
    meant as written, or a valid-looking word that is more likely damaged than whole (whichever reading it was)."""
    if tok.fixed or tok.kind != "word" or len(tok.posterior) < 2:
        return False
    return 1.0 - tok.posterior[0] >= (0.5 if not tok.valid else REPORT_VALID)


def _given(seg: list[_Token], k: int, n: int, m) -> list[tuple[int, list[float]]]:
    """[(j, P(reading i of seg[k] | reading j of its neighbour seg[n]) for every i)] for the neighbour's readings j
    at least PAIR_MIN likely, n = k ± 1, from the forward and backward scores of the sentence."""
    tok, nb = seg[k], seg[n]
    out = []
    for j, (nid, _, _) in enumerate(nb.options):
        if nb.posterior[j] < PAIR_MIN:
            continue
        if n < k:  # alpha(j) P(i | j) w_i beta(i), over i
            src = 2 if nid is None else nid
            row = [m.prob(src, oid) * w * b for (oid, w, _), b in zip(tok.options, tok.beta, strict=True)]
        else:  # alpha(i) P(j | i), over i (the neighbour's own weight and beta are the same for every i)
            row = [a * m.prob(2 if oid is None else oid, nid) for (oid, _, _), a in zip(tok.options, tok.alpha, strict=True)]  # fmt: skip
        total = sum(row) or 1e-300
        out.append((j, [x / total for x in row]))
    return out


def _neighbours(seg: list[_Token], k: int):
    """The neighbours of seg[k] reported as damaged whose reading is still open (a second one PAIR_MIN likely)."""
    for n in (k - 1, k + 1):
        nb = seg[n] if 0 <= n < len(seg) else None
        if (
            nb is not None
            and nb.alpha
            and seg[k].alpha
            and _damaged(nb)
            and max(nb.posterior) <= 1.0 - PAIR_MIN
        ):
            yield n


def _readings(tok: _Token, n: int) -> list[tuple[float, str]]:
    """(posterior, surface) of the ``n`` likeliest restorations of a token, best first."""
    return sorted(
        zip(tok.posterior[1:], [surface for _, _, surface in tok.options[1:]], strict=True), reverse=True
    )[:n]


# --- public API -------------------------------------------------------------------------------------------


def repair(text: str) -> Repaired:
    """Restore letters lost in a conversion (U+1EA0–U+1EF9 deleted) where the evidence is strong.

    A syllable that is valid and whole is never changed; a word that cannot be decided is left as it is
    (``check`` reports it). Returns the repaired text (NFC) and the changes, with spans in the NFC input.

    >>> text, changes = repair("Ban Thường trực Mặt trận phường tiếp tc hướng dn, ch đạo t chc trin khai thc hin")
    >>> text
    'Ban Thường trực Mặt trận phường tiếp tục hướng dẫn, chỉ đạo tổ chức triển khai thực hiện'
    >>> changes[0].before, changes[0].after
    ('tc', 'tục')
    """
    if not isinstance(text, str):
        raise TypeError(f"repair() expects text, got {type(text).__name__} {text!r}")
    text = nfc(text)
    if not text.strip():
        return Repaired(text, [])
    analysis = _analyse(text)
    from reportkit.vn.lexicon import model

    m = model()
    changes: list[Change] = []
    for seg in analysis.decoded:
        changes += _decided(seg, m)
    for start, end, p, replacement in analysis.gaps:
        if p >= CHANGE_GAP:
            changes.append(Change(start, end, text[start:end], replacement, p))
    changes.sort(key=lambda c: c.start)
    out = []
    pos = 0
    for c in changes:
        out.append(text[pos : c.start])
        out.append(c.after)
        pos = c.end
    out.append(text[pos:])
    return Repaired("".join(out), changes)


def _decided(seg: list[_Token], m) -> list[Change]:
    """The changes ``repair`` makes in a sentence. A reading must reach its threshold, and when a neighbour is left
    undecided (reported, not changed) it must reach it whatever that neighbour turns out to be: "thng li" is
    "thắng lợi" or "thống lại", so "thng" stays too rather than become "thống li"."""
    chosen: dict[int, tuple[int, float]] = {}  # token → (option, confidence)
    for k, tok in enumerate(seg):
        if tok.fixed or tok.kind != "word" or len(tok.posterior) < 2:
            continue
        best = max(range(1, len(tok.posterior)), key=tok.posterior.__getitem__)
        p = tok.posterior[best]
        if p >= (CHANGE_VALID if tok.valid else CHANGE_INVALID):
            chosen[k] = (best, p)
    changed = True
    while changed:  # an abstention can leave another neighbour undecided
        changed = False
        for k in list(chosen):
            best, p = chosen[k]
            need = CHANGE_VALID if seg[k].valid else CHANGE_INVALID
            for n in _neighbours(seg, k):
                if n not in chosen:
                    p = min(p, min(row[best] for _, row in _given(seg, k, n, m)))
            if p < need:
                del chosen[k]
                changed = True
            else:
                chosen[k] = (best, p)
    out = []
    for k, (best, p) in sorted(chosen.items()):
        tok = seg[k]
        out.append(Change(tok.start, tok.end, tok.core, tok.options[best][2], p))
    return out


def check(text: str, *, names: bool = False) -> list[Finding]:
    """Every problem found in ``text``, in reading order (spans refer to the NFC text).

    ``names=True``: the text is a name (a ward's, a person's, a heading of names such as "PHƯỜNG HƯNG LỢI"), where
    a syllable that is a word as written is the name's whatever the model would rather read ("Hưng Lợi" is not
    "hưởng lợi"); only syllables that are no word ("Mt") are damaged there.

    Kinds: damaged syllables ("Mt trn" → "Mặt trận"), stripped diacritics ("Mat tran"), mixed tone styles ("hòa"
    and "hoà"), legacy-encoded fragments ("B¸o c¸o"), numbers against the official format ("1200 người",
    "2.5%"), doubled spaces and spaces before closing punctuation, invisible and bidi control characters, and
    unlikely pairs from a known typo ("tiếp tực"). Code spans, URLs and e-mail addresses are skipped.

    >>> [(f.kind, f.found, f.suggestions[0]) for f in check("Mt trn phường đã vận động 1200 người.")]
    [('damaged', 'Mt', 'Mặt'), ('damaged', 'trn', 'trận'), ('number', '1200', '1.200')]
    >>> check("Ủy ban Mặt trận Tổ quốc Việt Nam phường Duy Tân.")
    []
    """
    if not isinstance(text, str):
        raise TypeError(f"check() expects text, got {type(text).__name__} {text!r}")
    text = nfc(text)
    if not text.strip():
        return []
    analysis = _analyse(text)
    masked = analysis.masked
    findings: list[Finding] = []
    findings += _legacy_findings(analysis)
    legacy_spans = _Spans((f.start, f.end) for f in findings)
    findings += [f for f in _damaged_findings(analysis, names) if not _in(legacy_spans, f.start, f.end)]
    from reportkit.vn.lexicon import model

    m = model()
    findings += _stripped_findings(analysis, m)
    findings += _typo_findings(analysis, m)
    findings += _tone_style_findings(analysis)
    findings += _number_findings(analysis)
    gap_spans = {(s, e) for f in findings if f.kind == "damaged" for s, e in [(f.start, f.end)]}
    findings += _space_findings(text, masked, gap_spans)
    findings += [
        Finding(
            mt.start(),
            mt.end(),
            "invisible",
            mt.group(),
            ("",),
            f"ký tự ẩn U+{ord(mt.group()):04X}: nên xóa",
        )
        for mt in _INVISIBLE.finditer(text)
        if not _in(legacy_spans, mt.start(), mt.end())
    ]
    findings.sort(key=lambda f: (f.start, f.end))
    return findings


def _damaged_findings(analysis: _Analysis, names: bool = False) -> list[Finding]:
    out = []
    from reportkit.vn.lexicon import model

    m = model()
    for seg in analysis.decoded:
        for k, tok in enumerate(seg):
            if tok.fixed or (names and tok.valid) or not _damaged(tok):
                continue
            readings = _readings(tok, 3)
            suggestions = [s for p, s in readings if p >= 0.05] or [readings[0][1]]
            for n in _neighbours(
                seg, k
            ):  # what fits each likely reading of an open neighbour: "thắng" → "lợi"
                for _, row in _given(seg, k, n, m):
                    for i in sorted(range(1, len(row)), key=row.__getitem__, reverse=True)[:2]:
                        if row[i] >= PAIR_SUGGEST and tok.options[i][2] not in suggestions:
                            suggestions.append(tok.options[i][2])
            out.append(
                Finding(
                    tok.start,
                    tok.end,
                    "damaged",
                    tok.core,
                    tuple(suggestions),
                    f"“{tok.core}” bị mất chữ, có lẽ là “{suggestions[0]}”",
                )
            )
    for start, end, p, replacement in analysis.gaps:
        if p >= REPORT_VALID:
            out.append(
                Finding(
                    start,
                    end,
                    "damaged",
                    analysis.text[start:end],
                    (replacement,),
                    f"có lẽ mất cả âm tiết “{replacement.strip()}”",
                )
            )
    return out


def _legacy_findings(analysis: _Analysis) -> list[Finding]:
    """Runs of words typed in a legacy font (TCVN3 "B¸o c¸o", VNI "Baùo caùo", VIQR "Vie^.t") inside Unicode text."""
    from reportkit.vn.legacy import detect_legacy, from_legacy

    out = []
    text = analysis.text
    if not (_legacy_char_re().search(text) or _VIQR_MARK.search(text)):
        return out  # no mark of a legacy font anywhere: nothing to decode
    group: list[re.Match] = []

    def flush() -> None:
        if not group:
            return
        marked = any(c in _LEGACY_ONLY for mt in group for c in mt.group()) or len(group) >= 2
        start, end = group[0].start(), group[-1].end()
        while start < end and text[start] in "(“\"'«[":
            start += 1
        while end > start and text[end - 1] in ",.;:!?)”\"'»]":
            end -= 1
        fragment = text[start:end]
        encoding = detect_legacy(fragment) if marked or _VIQR_MARK.search(fragment) else None
        if encoding:
            fixed = from_legacy(fragment, encoding)
            if fixed != fragment:
                out.append(
                    Finding(
                        start, end, "legacy", fragment, (fixed,), f"đoạn mã {encoding.upper()}: “{fixed}”"
                    )
                )
        group.clear()

    for mt in _CHUNK.finditer(text):
        chunk = mt.group()
        letters = chunk.strip(",.;:!?()[]“”\"'«»")
        suspect = (
            any(c in _LEGACY_ONLY for c in chunk)
            or (not chunk.isascii() and not (letters.isalpha() and is_valid(letters)))
            or bool(_VIQR_MARK.search(chunk))
        )
        if suspect and not (chunk[:1].isdigit()):
            if group and "\n" in text[group[-1].end() : mt.start()]:
                flush()
            group.append(mt)
        else:
            flush()
    flush()
    return out


def _stripped_findings(analysis: _Analysis, m) -> list[Finding]:
    """Runs of words typed without diacritics ("Mat tran To quoc") whose diacritised reading is far likelier."""
    out = []
    for seg, english in zip(analysis.segments, analysis.english_words, strict=True):
        if english:
            continue
        run: list[_Token] = []
        for tok in [*seg, None]:
            if (
                tok is not None
                and tok.kind == "word"
                and tok.core.isascii()
                and not (tok.core.isupper() and len(tok.core) > 1)
            ):
                run.append(tok)
                continue
            if len(run) >= 2 and not any(_foreign(t, m) for t in run):
                out += _stripped_run(analysis.text, run, m)
            run = []
    return out


def _foreign(tok: _Token, m) -> bool:
    """A word no Vietnamese spelling explains ("last", "code"): the run around it is not stripped Vietnamese."""
    return (
        not tok.valid
        and len(tok.core) >= 3
        and tok.lower not in m.siblings
        and tok.lower not in m.restorations
    )


def _stripped_run(text: str, run: list[_Token], m) -> list[Finding]:
    siblings = m.siblings
    lattice = []
    for tok in run:
        own = m.id(tok.lower) if tok.valid else None
        opts = [(own, tok.core)]
        opts += [(i, _caps(m.vocab[i], tok.core)) for i in siblings.get(tok.lower, ()) if i != own]
        lattice.append(opts)
    # Viterbi over the readings (the best score ending in each reading, and where it came from), and the score
    # of the text as written
    prob = m.prob
    scores = [prob(0, oid) for oid, _ in lattice[0]]
    written = scores[0]
    back: list[list[int]] = []
    for pos in range(1, len(lattice)):
        sources = [2 if pid is None else pid for pid, _ in lattice[pos - 1]]
        step, came_from = [], []
        for oid, _ in lattice[pos]:
            cands = [score * prob(pid, oid) for score, pid in zip(scores, sources, strict=True)]
            j = max(range(len(cands)), key=cands.__getitem__)
            step.append(cands[j])
            came_from.append(j)
        written *= prob(sources[0], lattice[pos][0][0])
        scores = step
        back.append(came_from)
    k = max(range(len(scores)), key=scores.__getitem__)
    score = scores[k]
    path = [k]
    for came_from in reversed(back):
        path.append(came_from[path[-1]])
    path.reverse()
    changed = [k for k, choice in enumerate(path) if choice != 0]
    if not changed or written <= 0:
        return []
    ratio = score / written
    invalid = any(not run[k].valid for k in changed)
    if ratio < (STRIPPED_INVALID if invalid else STRIPPED_VALID):
        return []
    out = []
    groups: list[list[int]] = []
    for k in changed:
        if groups and k == groups[-1][-1] + 1:
            groups[-1].append(k)
        else:
            groups.append([k])
    for group in groups:
        first, last = run[group[0]], run[group[-1]]
        fixed = " ".join(lattice[k][path[k]][1] for k in group)
        found = text[first.start : last.end]
        out.append(
            Finding(first.start, last.end, "stripped", found, (fixed,), f"thiếu dấu, có lẽ là “{fixed}”")
        )
    return out


def _typo_findings(analysis: _Analysis, m) -> list[Finding]:
    out = []
    siblings = m.siblings
    for seg in analysis.segments:
        if len(seg) < 2:
            continue
        padded = [None, *seg, None]  # a sentence's edge is a neighbour too: "tiếp tực." alone
        for left, tok, right in zip(padded, padded[1:], padded[2:], strict=False):
            if tok.kind != "word" or not tok.fixed or not tok.valid or tok.core[:1].isupper():
                continue
            t = m.id(tok.key)
            count = m.counts[t] if t is not None else 0
            if count > TYPO_RARE:
                continue  # a common syllable is meant as written
            if (left is not None and left.kind != "word") or (right is not None and right.kind != "word"):
                continue
            a = 0 if left is None else m.id(left.key)  # 0: the boundary
            c = 0 if right is None else m.id(right.key)
            if a is None or c is None or (t is not None and (m.pair(a, t) or m.pair(t, c))):
                continue
            best, best_id = 0, None
            for s in siblings.get(fold(tok.key), ()):
                if s == t or m.counts[s] < 20 * max(count, 1):
                    continue
                left_pair, right_pair = m.pair(a, s), m.pair(s, c)
                if not (left_pair and right_pair):
                    continue  # the other reading must fit both neighbours
                # the evidence is a neighbouring word's (any syllable may open or close a sentence)
                support = max(left_pair if left is not None else 0, right_pair if right is not None else 0)
                if support > best:
                    best, best_id = support, s
            if best_id is None or best < 20:
                continue
            fixed = m.vocab[best_id]
            if tok.core != tok.key:  # keep the document's tone style
                fixed = tone_style(fixed, "modern")
            out.append(
                Finding(
                    tok.start,
                    tok.end,
                    "typo",
                    tok.core,
                    (fixed,),
                    f"“{left.core} {tok.core}”: có thể gõ nhầm, có lẽ là “{left.core} {fixed}”"
                    if left is not None
                    else f"“{tok.core} {right.core}”: có thể gõ nhầm, có lẽ là “{fixed} {right.core}”",
                )
            )
    return out


def _mentions(text: str) -> _Spans:
    """Short quotations and asides ("hòa", (hoà, thuỷ)): words cited as examples, not written in the text's style."""
    return _Spans(mt.span() for mt in _MENTION.finditer(text) if len(mt.group().split()) <= 8)


def _tone_style_findings(analysis: _Analysis) -> list[Finding]:
    classic: list[_Token] = []
    modern: list[_Token] = []
    mentions = _mentions(analysis.text)
    for seg in analysis.segments:
        for tok in seg:
            if tok.kind != "word" or tok.core.isascii():
                continue
            _, key, modern_key, _, _ = _word(tok.core)
            c = _caps(key, tok.core)
            mo = modern_key
            if c == mo or (mentions and _in(mentions, tok.start, tok.end)):
                continue
            (classic if tok.core == c else modern).append(tok)
    if not classic or not modern:
        return []
    minority, style = (modern, "classic") if len(classic) >= len(modern) else (classic, "modern")
    name = "hòa, thủy" if style == "classic" else "hoà, thuỷ"
    return [
        Finding(
            t.start,
            t.end,
            "tone_style",
            t.core,
            (tone_style(t.core, style),),
            f"văn bản đặt dấu kiểu “{name}”: nên viết “{tone_style(t.core, style)}”",
        )
        for t in minority
    ]


def _number_findings(analysis: _Analysis) -> list[Finding]:
    from reportkit.vn.numbers import number

    out = []
    text = analysis.text
    for seg, english in zip(analysis.segments, analysis.english, strict=True):
        # English prose writes English numbers ("92.7%", "1,000"): the official format is Vietnamese prose's rule.
        if english:
            continue
        for i, tok in enumerate(seg):
            if tok.kind != NUMBER:
                continue
            nxt = seg[i + 1] if i + 1 < len(seg) else None
            prev = seg[i - 1] if i > 0 else None
            unit = nxt is not None and nxt.kind == "word" and nxt.lower in _UNITS
            if prev is not None and prev.kind == "word" and prev.lower in _NOT_QUANTITY:
                continue
            core = tok.core
            after = text[tok.end : tok.end + 1]
            if after in " \u00a0" and text[tok.end + 1 : tok.end + 2] == "%" and _PERCENT_NUMBER.match(core):
                fixed = (core.replace(".", ",") if _DECIMAL_DOT.match(core) else core) + "%"
                out.append(
                    Finding(
                        tok.start,
                        tok.end + 2,
                        "number",
                        text[tok.start : tok.end + 2],
                        (fixed,),
                        f"tỷ lệ phần trăm viết liền: “{fixed}”",
                    )
                )
            elif core.isdigit() and len(core) >= 4 and core[0] != "0" and unit:
                fixed = number(int(core))
                out.append(
                    Finding(
                        tok.start,
                        tok.end,
                        "number",
                        core,
                        (fixed,),
                        f"số nên viết “{fixed}” (dấu chấm ngăn nghìn)",
                    )
                )
            elif _DECIMAL_DOT.match(core) and (after == "%" or unit):
                fixed = core.replace(".", ",")
                out.append(
                    Finding(
                        tok.start,
                        tok.end,
                        "number",
                        core,
                        (fixed,),
                        f"số thập phân nên viết “{fixed}” (dấu phẩy)",
                    )
                )
    return out


def _space_findings(text: str, masked: _Spans, skip: set[tuple[int, int]]) -> list[Finding]:
    out = []
    for mt in _DOUBLE_SPACE.finditer(text):
        if mt.span() in skip or (masked and _in(masked, mt.start() - 1, mt.end() + 1)):
            continue
        line_start = text.rfind("\n", 0, mt.start()) + 1
        if text[line_start : line_start + 1] == "|":  # a Markdown table aligned by hand
            continue
        out.append(Finding(mt.start(), mt.end(), "space", mt.group(), (" ",), "hai khoảng trắng liền nhau"))
    for mt in _SPACE_BEFORE.finditer(text):
        if masked and _in(masked, mt.start() - 1, mt.end() + 1):
            continue
        mark = text[mt.end()]
        out.append(
            Finding(mt.start(), mt.end(), "space", mt.group(), ("",), f"khoảng trắng trước dấu {mark}")
        )
    return out


# --- for people: one line per problem ------------------------------------------------------------------------


class Note(NamedTuple):
    """A finding as a person reads it: the words as written, the suggestion, what is wrong (Vietnamese)."""

    found: str
    suggestion: str
    label: str
    start: int = 0  # where the words begin in the NFC text

    def __str__(self) -> str:
        if self.suggestion:
            return f"“{self.found}” → “{self.suggestion}” ({self.label})"
        return f"“{self.found}” ({self.label})"


_MERGED = ("damaged", "stripped")


def notes(text: str, findings: list[Finding] | None = None, *, names: bool = False) -> list[Note]:
    """The findings of ``check(text)`` for people: neighbouring damaged words together, spaces and invisible
    characters shown with the words around them.

    >>> [str(n) for n in notes("Mt trn phường đã họp  đủ.")]
    ['“Mt trn” → “Mặt trận” (âm tiết bị mất chữ)', '“họp  đủ.” → “họp đủ.” (khoảng trắng thừa)']
    """
    text = nfc(text)
    findings = check(text, names=names) if findings is None else findings
    groups: list[list[Finding]] = []
    for f in findings:
        last = groups[-1][-1] if groups else None
        if (
            last is not None
            and f.kind == last.kind
            and f.kind in _MERGED
            and f.suggestions
            and last.suggestions
            and not text[last.end : f.start].strip()
        ):
            groups[-1].append(f)
        else:
            groups.append([f])
    out = []
    for group in groups:
        first, last = group[0], group[-1]
        label = KINDS.get(first.kind, first.kind)
        if first.kind in ("space", "invisible"):
            a = _word_start(text, first.start)
            b = _word_end(text, last.end)
            shown = text[a:b]
            fixed = (
                shown[: first.start - a]
                + (first.suggestions[0] if first.suggestions else "")
                + shown[first.end - a :]
            )
            if first.kind == "invisible":
                shown = shown.replace(first.found, f"⟨U+{ord(first.found):04X}⟩")
            out.append(Note(" ".join(shown.split("\n")), " ".join(fixed.split("\n")), label, a))
            continue
        if first.kind == "typo":  # with the word it does not fit: "tiếp tực" → "tiếp tục"
            a = _word_start(text, first.start)
            if a == first.start:
                a = _word_start(text, max(first.start - 1, 0))
            before = text[a : first.start]
            out.append(Note(before + first.found, before + first.suggestions[0], label, a))
            continue
        found = text[first.start : last.end]
        if len(group) == 1:
            suggestion = first.suggestions[0] if first.suggestions else ""
        else:
            parts = []
            pos = first.start
            for f in group:
                parts.append(text[pos : f.start])
                parts.append(f.suggestions[0])
                pos = f.end
            suggestion = "".join(parts)
        out.append(Note(found, suggestion.strip(), label, first.start))
    return out


def _word_start(text: str, i: int) -> int:
    j = i
    while j > 0 and text[j - 1].isspace() and text[j - 1] != "\n":
        j -= 1
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    return j


def _word_end(text: str, i: int) -> int:
    j = i
    while j < len(text) and text[j].isspace() and text[j] != "\n":
        j += 1
    while j < len(text) and not text[j].isspace():
        j += 1
    return j
