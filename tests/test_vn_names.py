"""Administrative units in running text (Nghị định 30/2020, Phụ lục II), a capital at the start of a cell, Roman
numerals."""

import pytest

from reportkit import vn


@pytest.mark.parametrize(
    ("name", "named_after", "in_sentence"),
    [
        # any other name: the common noun is lower case inside a sentence (the decree's own examples first)
        ("Thành phố Thái Nguyên", None, "thành phố Thái Nguyên"),
        ("Tỉnh Nam Định", "place", "tỉnh Nam Định"),
        ("Phường Hải Châu", "place", "phường Hải Châu"),
        ("Xã Kim Liên", None, "xã Kim Liên"),
        ("Thị trấn Đông Anh", None, "thị trấn Đông Anh"),
        ("Thị xã Sơn Tây", None, "thị xã Sơn Tây"),
        ("Huyện Gia Lâm", None, "huyện Gia Lâm"),
        ("TỈNH Nam Định", None, "tỉnh Nam Định"),
        # named after a person, a number or a historical event: the noun keeps its capital
        ("Phường Duy Tân", "person", "Phường Duy Tân"),
        ("phường Duy Tân", "person", "Phường Duy Tân"),
        ("Xã Phan Bội Châu", "person", "Xã Phan Bội Châu"),
        ("Thị trấn Trần Cao", "person", "Thị trấn Trần Cao"),
        ("Phường Điện Biên Phủ", "event", "Phường Điện Biên Phủ"),
        ("Quận 1", None, "Quận 1"),
        ("Phường 12", None, "Phường 12"),
        ("Tỉnh Hải Dương", "place", "tỉnh Hải Dương"),
        # the decree's special cases
        ("Thủ đô Hà Nội", None, "Thủ đô Hà Nội"),
        ("thành phố Hồ Chí Minh", None, "Thành phố Hồ Chí Minh"),
        ("Thành phố Hồ Chí Minh", "person", "Thành phố Hồ Chí Minh"),
        # not an administrative unit: as written
        ("Khu phố Hòa Bình", None, "Khu phố Hòa Bình"),
        ("Tổ 3", None, "Tổ 3"),
    ],
)
def test_admin_name_in_a_sentence(name, named_after, in_sentence):
    assert vn.admin_name(name, named_after) == in_sentence


def test_admin_name_at_the_start_of_a_sentence_and_its_inputs():
    assert vn.admin_name("Phường Hải Châu", "place", start=True) == "Phường Hải Châu"
    assert vn.admin_name("xã  Kim   Liên", start=True) == "Xã Kim Liên"  # spaces collapsed
    assert vn.admin_name("Phu\u031bo\u031b\u0300ng Hải Châu") == "phường Hải Châu"  # NFD in, NFC out
    with pytest.raises(ValueError, match="named_after"):
        vn.admin_name("Phường Duy Tân", "king")
    with pytest.raises(ValueError, match="name of a unit"):
        vn.admin_name("  ")
    assert vn.filters["admin_name"]("Tỉnh Nam Định") == "tỉnh Nam Định"


def test_upper_first_keeps_the_rest():
    assert vn.upper_first("quý III năm 2022") == "Quý III năm 2022"
    assert vn.upper_first("đạt 102%") == "Đạt 102%"
    assert vn.upper_first("6 tháng đầu năm 2022") == "6 tháng đầu năm 2022"
    with pytest.raises(TypeError):
        vn.upper_first(None)


def test_roman():
    assert [vn.roman(n) for n in (1, 2, 3, 4, 5, 6)] == ["I", "II", "III", "IV", "V", "VI"]
    for bad in (0, -1, 4000, 2.0, True, "3"):
        with pytest.raises(ValueError):
            vn.roman(bad)


@pytest.mark.parametrize(
    ("name", "in_sentence"),
    [
        ("Tổ 10", "tổ 10"),
        ("Tổ dân phố 3", "tổ dân phố 3"),
        ("Khu 2A", "khu 2A"),
        ("To\u0302\u0309 4", "tổ 4"),  # decomposed input comes out NFC
        ("Khu Hòa Bình", "Khu Hòa Bình"),  # named after a place, not numbered: as written
        ("tổ 5", "tổ 5"),
    ],
)
def test_a_numbered_unit_reads_in_lower_case_inside_a_sentence(name, in_sentence):
    assert vn.unit_in_sentence(name) == in_sentence
