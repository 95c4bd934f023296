"""reportkit.vn legacy encodings: TCVN3, VNI, VIQR (reference §5)."""

import unicodedata

import pytest

from reportkit import vn

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
ALL_LOWER = [unicodedata.normalize("NFC", v + t) for v in VOWELS for t in TONES]  # 72 letters
ALL_UPPER = [c.upper() for c in ALL_LOWER]

# Every vowel × tone as a syllable, the way a document would carry them.
LOWER_TABLE = " ".join(f"b{c}n" for c in ALL_LOWER) + " đ"
TCVN3_TABLE = LOWER_TABLE + " Đ Ă Â Ê Ô Ơ Ư"
FULL_TABLE = TCVN3_TABLE + " " + " ".join(f"B{c}N" for c in ALL_UPPER)

PARAGRAPH = (
    "Ban Thường trực Ủy ban MTTQ Việt Nam phường Duy Tân báo cáo kết quả công tác Mặt trận 6 tháng đầu năm "
    "2022 như sau: đã tổ chức được 11 buổi tuyên truyền với trên 1.200 lượt người dân tham dự; Quỹ “Vì người "
    "nghèo” của phường đạt 102% so với kế hoạch vận động."
)


@pytest.mark.parametrize(
    ("legacy", "encoding", "unicode"),
    [
        ("§¶ng Céng s¶n ViÖt Nam", "tcvn3", "Đảng Cộng sản Việt Nam"),
        ("ph\u00adêng", "tcvn3", "phường"),
        ("B¸o c¸o", "tcvn3", "Báo cáo"),
        ("Ñaûng Coäng saûn Vieät Nam", "vni", "Đảng Cộng sản Việt Nam"),
        ("Baùo caùo", "vni", "Báo cáo"),
        ("BAÙO CAÙO", "vni", "BÁO CÁO"),
        ("Vie^.t Nam", "viqr", "Việt Nam"),
        ("DDa^y la` tie^'ng Vie^.t", "viqr", "Đây là tiếng Việt"),
    ],
)
def test_reference_sanity_strings(legacy, encoding, unicode):
    assert vn.detect_legacy(legacy) == encoding
    assert vn.from_legacy(legacy) == unicode
    assert vn.from_legacy(legacy, encoding) == unicode
    assert vn.to_legacy(unicode, encoding) == legacy


@pytest.mark.parametrize(
    ("encoding", "table"), [("tcvn3", TCVN3_TABLE), ("vni", FULL_TABLE), ("viqr", FULL_TABLE)]
)
def test_every_vowel_with_every_tone_round_trips(encoding, table):
    encoded = vn.to_legacy(table, encoding)
    assert encoded != table
    assert vn.from_legacy(encoded, encoding) == table
    assert vn.detect_legacy(encoded) == encoding
    assert vn.from_legacy(encoded) == table


def test_legacy_codes_are_distinct():
    for encoding in ("tcvn3", "vni"):
        codes = [vn.to_legacy(c, encoding) for c in ALL_LOWER]
        assert len(set(codes)) == len(codes) == 72
    # TCVN3 uses Latin-1 code points only (the font's bytes read as Windows-1252).
    assert all(ord(ch) <= 0xFF for ch in vn.to_legacy(TCVN3_TABLE, "tcvn3"))


def test_tcvn3_capitals_come_from_an_h_font():
    assert vn.from_legacy("B¸O C¸O", "tcvn3", capitals=True) == "BÁO CÁO"
    with pytest.raises(ValueError, match="no code for Á"):
        vn.to_legacy("BÁO", "tcvn3")


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "viqr"])
def test_a_real_paragraph_round_trips(encoding):
    text = PARAGRAPH.lower() if encoding == "tcvn3" else PARAGRAPH
    encoded = vn.to_legacy(text, encoding)
    assert vn.detect_legacy(encoded) == encoding
    assert vn.from_legacy(encoded) == text


def test_viqr_escapes_literal_punctuation():
    assert vn.from_legacy("ddi\\. Xong", "viqr") == "đi. Xong"
    assert vn.from_legacy("ca\\'c", "viqr") == "ca'c"
    text = "Mẹ đi chợ. Bà hỏi: có không? Giá 1.200đ (rẻ) — e^2 a+b add\\"
    assert vn.from_legacy(vn.to_legacy(text, "viqr"), "viqr") == text


@pytest.mark.parametrize(
    "text",
    [
        "",
        PARAGRAPH,
        "Báo cáo kết quả công tác Mặt trận",
        "có là và mà",  # Unicode Vietnamese using Latin-1 letters only
        "Tôi",
        unicodedata.normalize("NFD", "Ủy ban nhân dân phường"),
        "Hello world. I'm here, it's 25°C outside — isn't it?",
        "The quick brown fox jumps over the lazy dog.",
        "café, résumé, naïve, à la carte, São Paulo, Zürich",
        "e.g. i.e. a^2 + b^2 = c^2, C++ and x(y) vs. U.S.A.",
        "Mr. O'Neil's address: 12 Odd St.",
        "1.234,56",
        "1 236 — 102% — 2022-06-24 — © 2022 — ½ — ±5 — 10°",
        "Số: 47/BC-MTTQ-BTT",
        "“Vì người nghèo”",
        "Ça va très bien, merci à vous",
        "Ñandú, señor, año",
        "Größe, Straße, Übung",
        "data(x) + f(a^b)",
        "Bao cao ket qua cong tac",
    ],
)
def test_detection_does_not_fire_on_ordinary_text(text):
    assert vn.detect_legacy(text) is None
    assert vn.from_legacy(text) == unicodedata.normalize("NFC", text)


def test_errors_are_clear():
    with pytest.raises(ValueError, match="unknown encoding 'utf8'; expected one of tcvn3, vni, viqr"):
        vn.from_legacy("x", "utf8")
    with pytest.raises(ValueError, match="unknown encoding"):
        vn.to_legacy("x", "cp1258")
    with pytest.raises(TypeError, match="detect_legacy"):
        vn.detect_legacy(None)
    with pytest.raises(TypeError, match="from_legacy"):
        vn.from_legacy(b"B\xb8o")
