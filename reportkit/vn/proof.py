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
    """A chunk of the text: "word", NUMBER or OTHER, with the readings the analysis gives it."""

    __slots__ = ("alpha", "beta", "core", "end", "fixed", "key", "kind", "lower", "options", "posterior",
                 "sentence_start", "start", "unit", "valid", "whole")  # fmt: skip

    def __init__(self, start: int, end: int, core: str, kind: str, lower: str = "") -> None:
        self.start, self.end, self.core, self.kind, self.lower = start, end, core, kind, lower
        self.key = ""  # lower case, classic tone style: the model's spelling
        self.whole = True  # holds a U+1EA0–U+1EF9 letter (cannot be damaged), or is no word at all
        self.valid = True
        self.fixed = True  # nothing to decide: a single reading
        self.sentence_start = False
        self.unit = False  # a unit's symbol after a number ("25 h"): as written unless the text is damaged
        self.options: list = []  # [(model id or None, weight, surface)]
        self.posterior: list = []
        self.alpha: list = []  # forward and backward scores of the options (normalised), for pairs of readings
        self.beta: list = []


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
    for start, end, core, before, after in chunks(text):
        if masked and _in(masked, start, end):
            if current:
                segments.append(current)
                current = []
            last_end = end
            continue
        if current and (before or "\n" in text[last_end:start]):
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


def _prepare(text: str, segments: list[list[_Token]], m) -> list[_Token]:
    restorations = m.restorations
    english_lines = _english_lines(text)
    words: list[_Token] = []
    for seg in segments:
        english = _english(seg) or (english_lines and _in(english_lines, seg[0].start, seg[-1].end))
        for k, tok in enumerate(seg):
            if tok.kind != "word":
                continue
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
    return words


def _damage_rates(words: list[_Token]) -> list[float]:
    """The local chance that a syllable of the text lost its letter, from the words around each word."""
    n = len(words)
    bad = [0] * (n + 1)
    whole = [0] * (n + 1)
    for i, t in enumerate(words):
        bad[i + 1] = bad[i] + (not t.fixed and not t.valid and not t.unit)
        whole[i + 1] = whole[i] + (t.whole and t.valid)
    rates = []
    for i in range(n):
        a, b = max(0, i - WINDOW), min(n, i + WINDOW + 1)
        damaged = (bad[b] - bad[a]) * (1 + VALID_SHARE)
        rates.append(
            (damaged + PRIOR_DAMAGED) / (damaged + whole[b] - whole[a] + PRIOR_DAMAGED + PRIOR_WHOLE)
        )
    return rates


def _options(tok: _Token, rate: float, m, nxt: _Token | None = None) -> list:
    own = m.id(tok.key) if tok.valid else 2
    if tok.fixed:
        return [(own if tok.kind == "word" else (1 if tok.kind == NUMBER else 2), 1.0, tok.core)]
    weight = rate
    if tok.valid and tok.core[:1].isupper() and not tok.sentence_start:
        weight *= NAME_FACTOR
    # a unit after a number is meant as written as much as a valid syllable is
    as_written = 1.0 if tok.valid or tok.unit else BARE if _bare(tok) else FOREIGN
    opts = [(own, as_written, tok.core)]
    # the next word as written, when it is settled (a damaged one could be read several ways)
    following = nxt.key if nxt is not None and nxt.kind == "word" and (nxt.fixed or nxt.whole) else None
    for i, form in tok.options:
        surface = _caps(form, tok.core)
        if form[:1] != tok.lower[:1] and (tok.sentence_start or _capital(m.vocab[i], following)):
            # the lost letter was a capital: the sentence's ("y ban" → "Ủy ban"), or a word legal text writes with
            # one inside a sentence too ("của y ban nhân dân" → "của Ủy ban nhân dân")
            surface = surface[:1].upper() + surface[1:]
        opts.append((i, weight, surface))
    return opts


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


def _decode(seg: list[_Token], m) -> None:
    """Forward-backward over the sentence: the posterior of every reading of every token (and its forward and
    backward scores, for pairs of readings)."""
    prob = m.prob
    prev_ids = [0]  # the opening boundary
    prev_alpha = [1.0]
    steps = []  # per token: the transition rows P(option | previous option), kept for the backward pass
    for tok in seg:
        opts = tok.options
        rows = [[prob(pid, oid) for oid, _, _ in opts] for pid in prev_ids]
        cur = [0.0] * len(opts)
        for pa, row in zip(prev_alpha, rows, strict=True):
            for i, p in enumerate(row):
                cur[i] += pa * p
        cur = [s * w for s, (_, w, _) in zip(cur, opts, strict=True)]
        total = sum(cur) or 1e-300
        tok.alpha = prev_alpha = [s / total for s in cur]
        steps.append(rows)
        prev_ids = [2 if oid is None else oid for oid, _, _ in opts]
    after = [prob(src, 0) for src in prev_ids]  # to the closing boundary
    for k in range(len(seg) - 1, -1, -1):
        tok = seg[k]
        total = sum(after) or 1e-300
        tok.beta = cur = [b / total for b in after]
        post = [a * b for a, b in zip(tok.alpha, cur, strict=True)]
        total = sum(post) or 1e-300
        tok.posterior = [p / total for p in post]
        weighted = [w * b for (_, w, _), b in zip(tok.options, cur, strict=True)]
        after = [sum(p * wb for p, wb in zip(row, weighted, strict=True)) for row in steps[k]]


def _gaps(text: str, segments: list[list[_Token]], rates: dict[int, float], m) -> list:
    """Where a whole syllable such as "ở" most likely vanished in damaged text: a doubled space between two words,
    a space before closing punctuation, a space opening a line. (start, end, posterior, replacement)."""
    out = []
    lost = m.restorations.get("", [])
    tokens = [t for seg in segments for t in seg]
    if not lost or not tokens:
        return out
    last_of_segment = {id(seg[-1]) for seg in segments}
    for k, tok in enumerate(tokens):
        rate = rates.get(id(tok), 0.0)
        nxt = tokens[k + 1] if k + 1 < len(tokens) else None
        gap = None
        if nxt is not None and id(tok) not in last_of_segment and _is_double(text[tok.end : nxt.start]):
            gap = (tok.end, nxt.start, _best_id(tok), _best_id(nxt), " {} ")
        elif text[tok.end : tok.end + 1] in " \u00a0" and text[tok.end + 1 : tok.end + 2] in _CLOSING:
            gap = (tok.end, tok.end + 1, _best_id(tok), 0, " {}")
        opens_line = tok.start == 1 or (tok.start >= 2 and text[tok.start - 2] == "\n")
        if gap is None and opens_line and text[tok.start - 1] == " ":
            gap = (tok.start - 1, tok.start, 0, _best_id(tok), "{} ")
        if gap is None or rate < GAP_MIN_DAMAGE:
            continue
        start, end, a, b, shape = gap
        direct = GAP_TYPO * m.prob(a, b)
        best, best_score, total = "", 0.0, 0.0
        for i, form in lost:
            score = rate * m.prob(a, i) * m.prob(i, b)
            total += score
            if score > best_score:
                best, best_score = form, score
        if a == 0:
            best = best[:1].upper() + best[1:]
        out.append((start, end, best_score / (direct + total) if best else 0.0, shape.format(best)))
    return out


def _is_double(space: str) -> bool:
    return len(space) == 2 and all(c in " \u00a0" for c in space)


def _best_id(tok: _Token) -> int:
    if tok.kind != "word":
        return 1 if tok.kind == NUMBER else 2
    k = max(range(len(tok.options)), key=tok.posterior.__getitem__) if tok.posterior else 0
    oid = tok.options[k][0] if tok.options else None
    return 2 if oid is None else oid


@lru_cache(maxsize=8)
def _analyse(text: str) -> _Analysis:
    from reportkit.vn.lexicon import model

    m = model()
    masked = _masked(text)
    segments = _segments(text, masked)
    words = _prepare(text, segments, m)
    rates = _damage_rates(words)
    rate_of = {id(t): r for t, r in zip(words, rates, strict=True)}
    for seg in segments:
        for j, tok in enumerate(seg):
            rate = rate_of.get(id(tok), 0.0)
            if not tok.fixed and (tok.valid or tok.unit) and rate < QUIET:
                tok.fixed = True  # a valid word among whole ones: no reading could reach a threshold
            tok.options = _options(tok, rate, m, seg[j + 1] if j + 1 < len(seg) else None)
        if any(not t.fixed for t in seg):
            _decode(seg, m)
        else:
            for tok in seg:
                tok.posterior = [1.0]
    return _Analysis(text, segments, _gaps(text, segments, rate_of, m))


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


def _readings(tok: _Token) -> list[tuple[float, str]]:
    """(posterior, surface) of the restorations of a token, best first."""
    return sorted(
        ((p, surface) for (_, _, surface), p in zip(tok.options[1:], tok.posterior[1:], strict=True)),
        reverse=True,
    )


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
    for seg in analysis.segments:
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
    masked = _masked(text)
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
    for seg in analysis.segments:
        for k, tok in enumerate(seg):
            if (names and tok.valid) or not _damaged(tok):
                continue
            readings = _readings(tok)
            suggestions = [s for p, s in readings[:3] if p >= 0.05] or [readings[0][1]]
            for n in _neighbours(
                seg, k
            ):  # what fits each likely reading of an open neighbour: "thắng" → "lợi"
                for _, row in _given(seg, k, n, m):
                    for i in sorted(range(1, len(row)), key=row.__getitem__, reverse=True)[:2]:
                        if row[i] >= PAIR_SUGGEST and tok.options[i][2] not in suggestions:
                            suggestions.append(tok.options[i][2])
            suggestions = tuple(suggestions)
            if True:
                out.append(
                    Finding(
                        tok.start,
                        tok.end,
                        "damaged",
                        tok.core,
                        suggestions,
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
    for seg in analysis.segments:
        if _english(seg):
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
    # Viterbi over the readings, and the score of the text as written
    best = [
        (m.prob(0, oid if oid is not None else 2) if oid is not None else m.prob(0, None), [k])
        for k, (oid, _) in enumerate(lattice[0])
    ]
    written = best[0][0]
    for pos in range(1, len(lattice)):
        prev_opts = lattice[pos - 1]
        step = []
        for k, (oid, _) in enumerate(lattice[pos]):
            cands = []
            for score, path in best:
                pid = prev_opts[path[-1]][0]
                pid = 2 if pid is None else pid
                cands.append((score * m.prob(pid, oid), path))
            score, path = max(cands, key=lambda x: x[0])
            step.append((score, [*path, k]))
        own_prev = lattice[pos - 1][0][0]
        written *= m.prob(2 if own_prev is None else own_prev, lattice[pos][0][0])
        best = step
    score, path = max(best, key=lambda x: x[0])
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
            if (
                tok.kind != "word"
                or not tok.fixed
                or any(x is not None and x.kind != "word" for x in (left, right))
            ):
                continue
            if tok.core[:1].isupper() or not tok.valid:
                continue
            t = m.id(tok.key)
            a = 0 if left is None else m.id(left.key)  # 0: the boundary
            c = 0 if right is None else m.id(right.key)
            if a is None or c is None:
                continue
            count = m.counts[t] if t is not None else 0
            if count > TYPO_RARE or (t is not None and (m.pair(a, t) or m.pair(t, c))):
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
            c = _caps(_word(tok.core)[1], tok.core)
            mo = _word(tok.core)[2]
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
    english_lines = _english_lines(text)
    for seg in analysis.segments:
        # English prose writes English numbers ("92.7%", "1,000"): the official format is Vietnamese prose's rule.
        if seg and (_english(seg) or (english_lines and _in(english_lines, seg[0].start, seg[-1].end))):
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
            if core.isdigit() and len(core) >= 4 and core[0] != "0" and unit:
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
