"""What the seed article (shared/seed/000_9b841f12d25bf327.txt) pins for the 2022-H1 report, shared by the tests."""

# Every figure of DESIGN.md's table, as the report must write it (official format, in sentences).
SEED_FIGURES = [
    "11 lượt",
    "10/10",
    "11 buổi",
    "trên 1.200 lượt",
    "102%",
    "1.483",
    "12 vụ",
    "20 hội nghị",
    "trên 1.100 lượt cử tri",  # the seed's "trên 1100 cử tri", with one noun for the figure (issue 12)
    "03 Ban CTMT",
    "13 hộ nghèo",
]

# Syllables as the seed article lost them (and other damage seen in it): never in our prose.
DAMAGED = [
    "tiếp tc",
    "hướng dn",
    "ch đạo",
    "t chc",
    "Mt trn",
    "ca B Chính tr",
    "Kết lun",
    "thc hin",
    "Kp thi",
]
