"""Text hygiene: NFC, header folding, tone-mark style, name capitalisation, lists and dictionary order."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "TONE_STYLES",
    "fold",
    "hidden_characters",
    "join",
    "keep_together",
    "lower_first",
    "nfc",
    "sort_key",
    "title",
    "tone_style",
    "upper_first",
]

# "classic": hòa, thủy, khỏe (mark on the first vowel); "modern": hoà, thuỷ, khoẻ (Unikey "kiểu mới").
TONE_STYLES = ("classic", "modern")

# Combining tone marks in the order of the tones: huyền, hỏi, ngã, sắc, nặng (ngang has none).
TONE_MARKS = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_TONE_INDEX = {m: i + 1 for i, m in enumerate(TONE_MARKS)}


def _require_text(text: object, what: str) -> str:
    if not isinstance(text, str):
        raise TypeError(f"{what}() expects text, got {type(text).__name__} {text!r}")
    return text


def nfc(text: str) -> str:
    """Unicode NFC, the form every string reportkit writes (also repairs Unikey's "Unicode tổ hợp").

    >>> nfc("Vie\u0302\u0323t") == "Việt"
    True
    """
    _require_text(text, "nfc")
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def nfc_tree(value: object) -> object:
    """NFC for every string (keys included) in nested dicts and lists, e.g. a params file or a report record.

    >>> nfc_tree({"Vie\u0302\u0323t": ["Nam", 1]}) == {"Việt": ["Nam", 1]}
    True
    """
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc_tree(k): nfc_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfc_tree(v) for v in value]
    return value


# Characters no Vietnamese text needs and a reader cannot see: controls (NUL, escape …), format characters
# (right-to-left overrides and isolates, zero-width spaces and joiners, the BOM, soft hyphens), line and paragraph
# separators, private-use, surrogate and unassigned code points. A right-to-left override in a name makes the PDF
# show it reversed; a zero-width space makes two equal-looking names differ.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
# Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt) is Other_Default_Ignorable_Code_Point, the
# format characters (Cf) and the variation selectors, less a few Cf: the categories above cover the Cf, a variation
# selector is found by its name (U+FE00–FE0F, U+E0100–E01EF, the Mongolian ones), and of Other_Default_Ignorable
# (PropList.txt) what is not unassigned (Cn) is these: the combining grapheme joiner, the Hangul fillers, the
# Khmer inherent vowels and the halfwidth Hangul filler. Then characters that draw a blank glyph but are not spaces:
# the Braille blank, the musical null notehead. A space (U+0020, the no-break and the typographic spaces) is
# visible as a space and not flagged. None of these is in NFC Vietnamese (its marks are U+0300–U+0323, not these).
_IGNORABLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
_BLANK = frozenset("\u2800\U0001d159")
_CONTROL_NAMES = {"\0": "NULL", "\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN", "\x1b": "ESCAPE"}


def _hidden(ch: str, category: str) -> bool:
    if category in _HIDDEN_CATEGORIES or ch in _IGNORABLE or ch in _BLANK:
        return True
    return category == "Mn" and "VARIATION SELECTOR" in unicodedata.name(ch, "")


def hidden_characters(text: str, *, newlines: bool = False) -> list[tuple[int, str]]:
    """The invisible or control characters of ``text`` as (position, "U+202E RIGHT-TO-LEFT OVERRIDE"): every
    default-ignorable code point, control, unassigned or private-use one, and the blank-looking non-spaces.

    ``newlines`` allows line breaks (and tabs) in a text of several lines.

    >>> hidden_characters("Nguy\u202eễn Văn A")
    [(4, 'U+202E RIGHT-TO-LEFT OVERRIDE')]
    >>> hidden_characters("Nguy\u1ec5n\u034f V\u0103n A\u3164")
    [(6, 'U+034F COMBINING GRAPHEME JOINER'), (13, 'U+3164 HANGUL FILLER')]
    >>> hidden_characters("Tổ 3")
    []
    """
    if text.isascii() and text.isprintable():
        return []
    found = []
    for i, ch in enumerate(text):
        if newlines and ch in "\n\t":
            continue
        if _hidden(ch, unicodedata.category(ch)):
            name = unicodedata.name(ch, "") or _CONTROL_NAMES.get(ch, "CONTROL CHARACTER")
            found.append((i, f"U+{ord(ch):04X} {name}"))
    return found


_WS_RE = re.compile(r"\s+")


def fold(text: str) -> str:
    """A matching key: lower case, no diacritics (đ → d), whitespace collapsed, NFC.

    >>> fold("  Lượt người\u00a0dân  ĐẾN dự ")
    'luot nguoi dan den du'
    """
    _require_text(text, "fold")
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", _WS_RE.sub(" ", stripped).strip().lower())


_NOT_SLUG_RE = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A name as a file or folder name: folded, every run of other characters one hyphen.

    >>> slug("Phường Duy Tân"), slug("Tổ 4A"), slug("Khu Hòa Bình")
    ('phuong-duy-tan', 'to-4a', 'khu-hoa-binh')
    """
    return _NOT_SLUG_RE.sub("-", fold(text)).strip("-")


# --- tone style ---------------------------------------------------------------------------------------------

# A word with the combining marks NFC leaves in it (a second tone mark, "OẸ̀"): such a syllable is left as it is,
# not given a tone its stray mark would then combine with.
_WORD_RE = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")
_VOWELS = set("aăâeêioôơuưy")


@lru_cache(maxsize=65536)
def _split_tone(ch: str) -> tuple[str, int]:
    """(the letter without its tone mark, tone 0–5)."""
    decomposed = unicodedata.normalize("NFD", ch)
    tone = 0
    rest = []
    for c in decomposed:
        if c in _TONE_INDEX:
            tone = _TONE_INDEX[c]
        else:
            rest.append(c)
    return unicodedata.normalize("NFC", "".join(rest)), tone


def _with_tone(base: str, tone: int) -> str:
    return unicodedata.normalize("NFC", base + TONE_MARKS[tone - 1]) if tone else base


@lru_cache(maxsize=65536)
def _restyle_word(word: str, style: str) -> str:
    # Only oa, oe, uy with no final consonant differ between the styles (reference §4).
    if any(unicodedata.combining(c) for c in word):  # a mark NFC could not compose: not a syllable to restyle
        return word
    bases_tones = [_split_tone(c) for c in word]
    if any(_with_tone(b, t) != c for c, (b, t) in zip(word, bases_tones, strict=True)):
        return word  # a letter that is not one base and one tone ("ṍ", two tones): neither is to be dropped
    lower = "".join(b for b, _ in bases_tones).lower()
    i = 0
    while i < len(lower) and lower[i] not in _VOWELS:
        i += 1
    if i < len(lower) - 1 and lower[i] == "u" and i > 0 and lower[i - 1] == "q":
        i += 1  # the u of "qu" belongs to the consonant
    if lower[i : i + 2] not in ("oa", "oe", "uy") or i + 2 != len(lower):
        return word
    first, second = bases_tones[i][1], bases_tones[i + 1][1]
    if not (first or second) or (first and second):  # no mark, or two marks: nothing sensible to move
        return word
    tone = first or second
    target = i if style == "classic" else i + 1
    chars = list(word)
    for k in (i, i + 1):
        base = bases_tones[k][0]
        chars[k] = _with_tone(base, tone) if k == target else base
    return "".join(chars)


def tone_style(text: str, style: str = "classic") -> str:
    """Put tone marks in one style: "classic" hòa, thủy, khỏe or "modern" (Unikey "kiểu mới") hoà, thuỷ, khoẻ.

    Only oa, oe, uy without a final consonant change; quá, giữa, hoàng, thuyền, quý stay as they are.

    >>> tone_style("Ủy ban hoà giải", "classic"), tone_style("hòa thủy khỏe quý", "modern")
    ('Ủy ban hòa giải', 'hoà thuỷ khoẻ quý')
    """
    if style not in TONE_STYLES:
        raise ValueError(f"tone_style(): style must be 'classic' or 'modern', got {style!r}")
    text = nfc(text)
    if text.isascii():
        return text
    return _WORD_RE.sub(lambda m: _restyle_word(m.group(), style), text)


def title(text: str) -> str:
    """Capitalise each syllable of a name; whitespace collapsed.

    >>> title("nguyễn thị  kim dung")
    'Nguyễn Thị Kim Dung'
    """
    words = nfc(_require_text(text, "title")).split()
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


def upper_first(text: str) -> str:
    """Text at the start of a sentence or a table cell: its first letter in capitals, the rest as it is.

    >>> upper_first("năm 2022"), upper_first("quý III năm 2022"), upper_first("đợt 1"), upper_first("6 tháng")
    ('Năm 2022', 'Quý III năm 2022', 'Đợt 1', '6 tháng')
    """
    text = nfc(_require_text(text, "upper_first"))
    for i, char in enumerate(text):
        if char.isalpha():
            return text[:i] + char.upper() + text[i + 1 :]
        if not char.isspace() and char not in "“\"'(«":
            return text
    return text


def lower_first(text: str) -> str:
    """A label inside a sentence: its first letter in lower case, unless its first word opens a name.

    A label written for a table cell ("Lượt cử tri tham dự") reads in lower case after "Xu hướng" or "Biểu đồ cột:";
    an organisation's name keeps its capital (Nghị định 30/2020, Phụ lục II: "Ban CTMT", "Quỹ “Vì người nghèo”"),
    and so does an abbreviation. For an administrative unit use ``admin_name``.

    >>> lower_first("Lượt cử tri tham dự"), lower_first("Tổ 9"), lower_first("Ban CTMT họp đủ hàng tháng")
    ('lượt cử tri tham dự', 'tổ 9', 'Ban CTMT họp đủ hàng tháng')
    >>> lower_first("Quỹ “Vì người nghèo” vận động được"), lower_first("MTTQ phường")
    ('Quỹ “Vì người nghèo” vận động được', 'MTTQ phường')
    """
    text = nfc(_require_text(text, "lower_first"))
    words = text.split(maxsplit=3)[:3]
    if not words or not words[0][:1].isupper():
        return text
    first = words[0]
    abbreviation = len(first) > 1 and first.isupper()
    # "Ban CTMT", "Quỹ “Vì…”", "Ủy ban Mặt trận…" open names; "Vụ việc ANTT…" does not (an abbreviation is no name).
    opens_name = any(
        word[0] in "“\"«'" or (word[0].isupper() and (i == 1 or not word.isupper()))
        for i, word in enumerate(words[1:], start=1)
    )
    if abbreviation or opens_name:
        return text
    start = text.index(first)
    return text[:start] + first[:1].lower() + text[start + 1 :]


def join(items: object, last: str = "và", *, sep: str = ", ") -> str:
    """A list in a sentence: "tổ 1, tổ 3 và tổ 6" (``last="hoặc"`` for alternatives).

    >>> join(["tổ 1", "tổ 3", "tổ 6"]), join(["Tổ 6", "Tổ 8"]), join(["Tổ 5"])
    ('tổ 1, tổ 3 và tổ 6', 'Tổ 6 và Tổ 8', 'Tổ 5')
    """
    if isinstance(items, str) or not hasattr(items, "__iter__"):
        raise TypeError(f"join() expects a list of items, got {type(items).__name__} {items!r}")
    parts = [nfc(str(x)) for x in items]
    if len(parts) <= 1:
        return "".join(parts)
    return f"{sep.join(parts[:-1])} {last} {parts[-1]}"


# --- collation ----------------------------------------------------------------------------------------------

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {c: i for i, c in enumerate(_ALPHABET)}
_TOKEN_RE = re.compile(r"[0-9]+|.", re.DOTALL)


@lru_cache(maxsize=4096)
def _char_weights(ch: str) -> tuple[tuple, int, int]:
    """(primary, secondary = tone, tertiary = case) for one NFC character."""
    if ch.isspace():
        return (0, 32), 0, 0
    base, tone = _split_tone(ch)
    low = base.lower()
    case = 1 if base != low else 0
    if low in _LETTER_RANK:
        return (2, _LETTER_RANK[low]), tone, case
    if low.isalpha():  # a foreign letter: é → e, ç → c; else after z
        plain = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
        if plain in _LETTER_RANK:
            return (2, _LETTER_RANK[plain]), tone, case
        return (2, 1000 + ord(low)), tone, case
    return (0, ord(ch)), 0, 0


@lru_cache(maxsize=16384)
def sort_key(text: object) -> tuple:
    """A key for dictionary order: a ă â b c d đ e ê …, then tones (ngang < huyền < hỏi < ngã < sắc < nặng),
    then case (lower first); digits inside names compare as numbers ("Tổ 2" < "Tổ 10"); "Ủy"/"Uỷ" equal.

    >>> sorted(["Tổ 10", "Tổ 2", "Đông", "Zô", "ăn", "bà", "ba"], key=sort_key)
    ['ăn', 'ba', 'bà', 'Đông', 'Tổ 2', 'Tổ 10', 'Zô']
    """
    s = tone_style(text if isinstance(text, str) else str(text), "classic")
    primary, secondary, tertiary = [], [], []
    for tok in _TOKEN_RE.findall(s):
        if "0" <= tok[0] <= "9":
            primary.append((1, int(tok), len(tok)))
            continue
        p, t, c = _char_weights(tok)
        primary.append(p)
        secondary.append(t)
        tertiary.append(c)
    return tuple(primary), tuple(secondary), tuple(tertiary), s


# --- line breaking ---------------------------------------------------------------------------------------------

# Common nouns that a number names rather than counts ("tổ 5", "Quận 1", "năm 2022", "Bảng 1", "quý III"): the noun
# and its number stay on one line. Any other number counts the word after it ("6 tháng", "03 Ban CTMT").
_NAMING_NOUNS = (
    "tổ", "khu", "khối", "thôn", "ấp", "xóm", "bản", "buôn", "phường", "quận", "xã", "huyện", "thị trấn", "tỉnh",
    "ngày", "tháng", "năm", "quý", "tuần", "kỳ", "khóa", "khoá", "đợt", "lần", "số", "điều", "khoản", "mục", "chương",
    "phần", "phụ lục", "bảng", "biểu đồ", "biểu", "hình", "mẫu", "giai đoạn",
)  # fmt: skip
# Words after a number that it does not count ("tổ 2 và tổ 5", "giảm 4 so với"): no glue to them.
_NOT_COUNTED = frozenset(
    {
        "và", "với", "so", "hoặc", "hay", "là", "của", "cho", "trên", "dưới", "đến", "tới", "từ", "trong", "ngoài",
        "ở", "tại", "khi", "thì", "mà", "nhưng", "nên", "vì", "cùng", "được", "bị", "đã", "sẽ", "đang",
    }
)  # fmt: skip
_NUMBER = r"\d+(?:[.,/]\d+)*"
_NAMED_RE = re.compile(
    r"(?<![^\W_])(?:" + "|".join(sorted(map(re.escape, _NAMING_NOUNS), key=len, reverse=True)) + r")"
    r" (?:" + _NUMBER + r"|[IVXLC]+)(?![\w%/])",
    re.IGNORECASE,
)
_COUNT_RE = re.compile(r"(?<![\w.,/])" + _NUMBER + r"(?![\w%/]|[.,]\d) ([^\W\d_]+)")
_RANGE_RE = re.compile(r"(?<![\w.,/])" + _NUMBER + r" [-–] " + _NUMBER + r"(?![\w%/])")
_RATIO_RE = re.compile(r"(?<![\w/])[^\W\d_]+(?:/[^\W\d_]+)+(?![\w/])")
_SPACE_RE = re.compile(r"\s")


_HALF_RE = re.compile(r"\s+(?:đầu|cuối)\b", re.IGNORECASE)  # "6 tháng đầu năm", "9 THÁNG ĐẦU NĂM"
_PERIOD_RE = re.compile(r"(?<![\w.,/])\d+ tháng (?:đầu|cuối) năm(?: \d{4})?(?![\w%/])", re.IGNORECASE)


def keep_together(text: str, *, heading: bool = False) -> list[tuple[int, int]]:
    """The (start, end) spans of ``text`` that a line must not break inside, widened to whole words (with the
    punctuation they carry), in order and never overlapping: a number and the word it counts ("6 tháng", "03 Ban
    CTMT"), a common noun and the number that names it ("tổ 5", "Quận 1", "năm 2022", "quý III"), a unit ratio
    ("người/tổ") and a range ("2022 - 2025"). The exports render them (nowrap in HTML, no-break spaces in Word); the
    text itself stays plain.

    >>> text = "Phương hướng 6 tháng cuối năm 2022 (tổ 5, 148,3 người/tổ)."
    >>> [text[a:b] for a, b in keep_together(text)]
    ['6 tháng', 'năm 2022', '(tổ 5,', '148,3 người/tổ).']

    A heading (``heading=True``) keeps a period's whole name on one line, as a văn thư breaks a title: "… CÁC
    PHƯỜNG / 6 THÁNG ĐẦU NĂM 2022", never "… 6 THÁNG ĐẦU / NĂM 2022" (in running text the line would stretch).

    >>> text = "II. KẾT QUẢ CÔNG TÁC MẶT TRẬN CÁC PHƯỜNG 6 THÁNG ĐẦU NĂM 2022"
    >>> [text[a:b] for a, b in keep_together(text, heading=True)]
    ['6 THÁNG ĐẦU NĂM 2022']
    """
    _require_text(text, "keep_together")
    if not any(ch.isdigit() or ch == "/" for ch in text):
        return []
    periods = [m.span() for m in _PERIOD_RE.finditer(text)] if heading else []
    # in a heading "PHƯỜNG 6 THÁNG ĐẦU NĂM" the 6 is the period's, not a ward's: the line may break before it
    spans = [m.span() for m in _NAMED_RE.finditer(text) if not any(a < m.end() <= b for a, b in periods)]
    for m in _COUNT_RE.finditer(text):
        # a number that a noun names ("tổ 2 và"), or followed by a word it does not count, is glued to nothing
        # more — but for a period's months after a noun ("CÁC PHƯỜNG 6 THÁNG ĐẦU NĂM"): the three hold together
        named = any(a < m.start() < b for a, b in spans)
        months_of_a_period = m.group(1).lower() == "tháng" and _HALF_RE.match(text, m.end())
        if (named and not months_of_a_period) or m.group(1).lower() in _NOT_COUNTED:
            continue
        spans.append(m.span())
    spans += [m.span() for m in _RANGE_RE.finditer(text)]
    spans += [m.span() for m in _RATIO_RE.finditer(text)]
    spans += periods
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        # widen to the whole words at either end: "(tổ 5," — punctuation never starts or ends a line apart
        while start > 0 and not _SPACE_RE.match(text[start - 1]):
            start -= 1
        while end < len(text) and not _SPACE_RE.match(text[end]):
            end += 1
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]
