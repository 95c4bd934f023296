"""vn.check and vn.repair: what an analyst relies on when damaged or inconsistent text reaches a report."""

import importlib.util
import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seed import DAMAGED

from reportkit import vn
from reportkit.vn.syllable import damage, is_valid

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent.parent / "shared" / "seed" / "000_9b841f12d25bf327.txt"
if not SEED.exists():
    SEED = Path("/work/shared/seed/000_9b841f12d25bf327.txt")
GOLDEN = (ROOT / "tests" / "golden" / "2022-H1.txt").read_text(encoding="utf-8")


def _bench():
    spec = importlib.util.spec_from_file_location("bench_proof", ROOT / "bench" / "proof.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _seed() -> str:
    if not SEED.exists():
        pytest.skip("the seed article (shared/seed) is not beside the repository")
    return SEED.read_text(encoding="utf-8")


# --- the acceptance ---------------------------------------------------------------------------------


def test_repair_restores_the_seed_article():
    text, changes = vn.repair(_seed())
    for phrase in (
        "tiếp tục hướng dẫn, chỉ đạo tổ chức triển khai thực hiện",
        "Kết luận số 62-KL/TW",
        "của Bộ Chính trị về Tiếp tục đổi mới nội dung",
        "Mặt trận Tổ quốc Việt Nam",
    ):
        assert phrase in text
    assert changes and all(c.before != c.after and 0 < c.confidence <= 1 for c in changes)


def test_check_flags_tiep_tuc_typo_in_the_seed():
    seed = vn.nfc(_seed())
    typos = [f for f in vn.check(seed) if f.kind == "typo"]
    assert [(f.found, f.suggestions[0]) for f in typos] == [("tực", "tục")]
    assert seed[typos[0].start - 5 : typos[0].end] == "tiếp tực"


def test_check_finds_every_damaged_span_the_seed_is_known_for():
    seed = vn.nfc(_seed())
    found = {(f.start, f.end) for f in vn.check(seed) if f.kind == "damaged"}
    for phrase in DAMAGED:
        at = seed.index(phrase)
        for word in phrase.split():
            if not is_valid(word) or word in ("tc", "ca", "thi", "lun", "hin", "trin"):
                start = seed.index(word, at)
                assert any(a <= start < b for a, b in found), (phrase, word)


def test_mt_trn_is_named_with_its_suggestion():
    findings = vn.check("Mt trn phường đã tổ chức hội nghị.")
    assert [(f.kind, f.found, f.suggestions[0]) for f in findings] == [
        ("damaged", "Mt", "Mặt"),
        ("damaged", "trn", "trận"),
    ]
    assert "Mặt" in findings[0].message


# --- measured targets (bench/proof.py prints the same figures) ---------------------------------------------


def test_seed_targets_every_damaged_syllable_found_and_90_percent_restored():
    bench = _bench()
    r = bench.score_seed(_seed())
    assert r["damaged"] >= 100
    assert r["found"] == r["damaged"]
    assert r["restored"] >= 0.9 * r["damaged"]


@pytest.mark.parametrize("name", ["eval-ward-report.txt", "eval-front-documents.txt"])
def test_unseen_text_85_percent_restored_and_no_whole_syllable_changed(name):
    bench = _bench()
    original = (ROOT / "bench" / "proof_data" / name).read_text(encoding="utf-8")
    r = bench.score(original)
    assert r["damaged"] > 300
    assert r["restored"] >= 0.85 * r["damaged"]
    assert r["changed"] == 0, [e for e in r["errors"] if e[0] == e[1]]


def test_partly_damaged_text_keeps_its_whole_syllables():
    bench = _bench()
    original = (ROOT / "bench" / "proof_data" / "eval-ward-report.txt").read_text(encoding="utf-8")
    r = bench.score(original, kept=bench.partial(original))
    assert r["changed"] == 0
    assert r["restored"] >= 0.85 * r["damaged"]


@pytest.mark.parametrize("rel", ["README.md", "docs/guide.md", "tests/golden/2022-H1.txt"])
def test_no_findings_on_correct_text(rel):
    findings = vn.check((ROOT / rel).read_text(encoding="utf-8"))
    assert findings == [], [(f.kind, f.found) for f in findings]


def test_repair_leaves_correct_text_unchanged():
    text, changes = vn.repair(GOLDEN)
    assert changes == [] and text == GOLDEN


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_a_whole_passage_is_never_changed(data):
    lines = [line for line in GOLDEN.splitlines() if len(line) > 40]
    start = data.draw(st.integers(0, len(lines) - 1))
    passage = "\n".join(lines[start : start + data.draw(st.integers(1, 4))])
    assert vn.repair(passage).changes == []
    assert [f for f in vn.check(passage) if f.kind in ("damaged", "typo", "stripped")] == []


# --- every kind the issue lists ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "found", "suggestion"),
    [
        (
            "Ủy ban Mat tran To quoc Viet Nam phường",
            "stripped",
            "Mat tran To quoc Viet",
            "Mặt trận Tổ quốc Việt",
        ),
        ("Công tác hòa giải và hoà giải viên, thủy lợi.", "tone_style", "hoà", "hòa"),
        ("Báo cáo của phường: B¸o c¸o kÕt qu¶ gửi lên.", "legacy", "B¸o c¸o kÕt qu¶", "Báo cáo kết quả"),
        ("Đã vận động trên 1200 người dân tham gia.", "number", "1200", "1.200"),
        ("Quỹ đạt 2.5% kế hoạch năm.", "number", "2.5", "2,5"),
        ("Quỹ tăng 12,5 % so với cùng kỳ.", "number", "12,5 %", "12,5%"),
        ("Quỹ đạt 102\u00a0% kế hoạch.", "number", "102\u00a0%", "102%"),
        ("Quỹ tăng 2.5 % so với cùng kỳ.", "number", "2.5 %", "2,5%"),
        ("Ban CTMT đã họp  đủ các tháng.", "space", "  ", " "),
        ("Ban CTMT đã họp đủ , đúng hạn.", "space", " ", ""),
        ("Ban\u200b CTMT đã họp.", "invisible", "\u200b", ""),
        ("Ban CTMT \u202eđã họp.", "invisible", "\u202e", ""),
        ("Ban Thường trực tiếp tực triển khai thực hiện.", "typo", "tực", "tục"),
        ("Ban Thường trực tiếp tc triển khai.", "damaged", "tc", "tục"),
    ],
)
def test_each_kind_is_found_with_its_suggestion(text, kind, found, suggestion):
    hits = [f for f in vn.check(text) if f.kind == kind]
    assert hits, vn.check(text)
    assert (hits[0].found, hits[0].suggestions[0]) == (found, suggestion)
    assert text[hits[0].start : hits[0].end] == found
    assert hits[0].message


@pytest.mark.parametrize(
    "text",
    [
        "Ban CTMT, MTTQ, HĐND, UBND, KDC, ATGT, ANTT, CLB và TW đã họp.",
        "Theo Kết luận số 62-KL/TW và Số: 47/BC-MTTQ-BTT ngày 24/6/2022.",
        "Phường Duy Tân, tổ 3, Tổ 10; Tin, ảnh: Kim Dung.",
        "Năm 2022 có 10/10 tổ, 1.236 lượt, đạt 102% kế hoạch, 15,5%.",
        "Xem https://mattran.org.vn/tin-tuc hoặc gửi thư tới a.b@mattran.org.vn.",
        "Run the notebook in JupyterLab with `reportkit run --strict` and Python 3.11.",
        "Khóa XII, Phần VI, điểm a) và đ) của khoản 2; đánh dấu (x) vào ô.",
        "Số:     /BC-MTTQ-BTT",
    ],
)
def test_names_abbreviations_symbols_numbers_english_and_urls_are_not_flagged(text):
    assert vn.check(text) == []
    assert vn.repair(text).changes == []


# --- the result types ---------------------------------------------------------------------------------------


def test_findings_and_changes_serialise_to_json():
    findings = vn.check("Mt trn phường vận động 1200 người  tham gia.")
    payload = json.dumps([f.as_dict() for f in findings], ensure_ascii=False)
    assert json.loads(payload)[0] == {
        "start": 0,
        "end": 2,
        "kind": "damaged",
        "found": "Mt",
        "suggestions": ["Mặt"],
        "message": findings[0].message,
    }
    assert {f.kind for f in findings} <= set(vn.proof.KINDS)
    _, changes = vn.repair("Mt trn phường")
    assert json.loads(json.dumps([c.as_dict() for c in changes]))[0]["after"] == "Mặt"
    assert changes[0].span == (0, 2)


def test_repair_changes_apply_to_the_input():
    source = "Kp thi cng c, kin toàn đội ngũ cán b Mt trn."
    text, changes = vn.repair(source)
    rebuilt, pos = [], 0
    for c in changes:
        assert source[c.start : c.end] == c.before
        rebuilt += [source[pos : c.start], c.after]
        pos = c.end
    assert "".join([*rebuilt, source[pos:]]) == text == "Kịp thời củng cố, kiện toàn đội ngũ cán bộ Mặt trận."


def test_undecidable_words_are_reported_not_guessed():
    # "v" at the end could be về, vị, vụ …; "bin" before "của cả nước" biển or biện: left as written, reported
    # with the readings in order.
    assert vn.repair("Mt trn v").text == "Mặt trận v"
    assert [f.suggestions for f in vn.check("Mt trn v") if f.found == "v"] == [("về", "vị", "vụ")]
    text, _ = vn.repair("quy hoch s dng bin ca c nưc")
    assert text == "quy hoạch sử dụng bin của cả nước"
    assert {"biển", "biện"} <= set(
        next(f for f in vn.check("quy hoch s dng bin ca c nưc") if f.found == "bin").suggestions
    )


# --- bad inputs and Unicode forms ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, 12, b"Mt trn", ["Mt trn"]])
def test_non_text_is_refused(bad):
    with pytest.raises(TypeError, match="expects text"):
        vn.check(bad)
    with pytest.raises(TypeError, match="expects text"):
        vn.repair(bad)


@pytest.mark.parametrize("text", ["", "   ", "\n\n", "...", "12345", "—", "🙂", "a" * 5000, "Mt" * 300])
def test_odd_text_does_not_break(text):
    assert isinstance(vn.check(text), list)
    assert isinstance(vn.repair(text).text, str)


def test_nfd_input_is_checked_and_repaired_as_nfc():
    source = "Mt trn phường hoà giải và hòa giải, tiếp tc triển khai."
    nfd = unicodedata.normalize("NFD", source)
    assert [f.as_dict() for f in vn.check(nfd)] == [f.as_dict() for f in vn.check(source)]
    assert vn.repair(nfd) == vn.repair(source)


def test_damage_model_deletes_only_the_unicode_block():
    assert damage("Mặt trận Tổ quốc Việt Nam, ở phường") == "Mt trn T quc Vit Nam,  phưng"
    assert damage("Đông Hà Nội, tháng Tư") == "Đông Hà Ni, tháng Tư"


def test_import_stays_light_and_the_model_loads_on_first_use():
    import subprocess
    import sys

    code = (
        "import sys, reportkit.vn as vn; a = {m for m in sys.modules if m.startswith('reportkit.vn.')}; "
        "vn.check('Mt trn'); b = {m for m in sys.modules if m.startswith('reportkit.vn.')}; "
        "print(sorted(b - a))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['reportkit.vn.lexicon', 'reportkit.vn.proof', 'reportkit.vn.syllable']"


def test_english_prose_keeps_english_numbers():
    """The house rule: English number format in English prose (README, docs); the official one in Vietnamese."""
    assert vn.check("The first run took 1.5 min; 92.7% of the syllables, 1200 reports.") == []
    assert [f.found for f in vn.check("Đã tổ chức 11 buổi với 1200 người dân, đạt 2.5% kế hoạch.")] == [
        "1200",
        "2.5",
    ]


def test_a_name_keeps_its_real_syllables_and_still_shows_lost_letters():
    """ward.yaml's names: "Hưng Lợi" is a ward, not "hưởng lợi" — a syllable that is a word is the name's; a
    syllable that is none ("Mt") is still damaged."""
    from reportkit.vn.proof import check

    assert [f.found for f in check("Phường Hưng Lợi")] == ["Hưng"]  # as prose, the model would rather read it
    assert check("Phường Hưng Lợi", names=True) == [] and check("PHƯỜNG HƯNG LỢI", names=True) == []
    assert [f.found for f in check("Phường Mt Trn", names=True)] == ["Mt", "Trn"]


# --- what a tester found in report-register text (the rules, on sentences of my own) -------------------------


def test_a_word_left_with_no_vowel_is_reported_even_where_a_name_is_expected():
    """ "Thịnh" → "Thnh": no syllable, no abbreviation (not in capitals); reported whatever the model thinks of
    the restorations (a name is rare in legal text)."""
    text = damage("Bà Lê Thị Thịnh, tổ trưởng tổ 5, cho biết bà Thịnh sẽ tiếp tục vận động.")
    assert {f.found for f in vn.check(text) if f.kind == "damaged"} >= {"Thnh"}
    assert [f.found for f in vn.check("Phường Thnh Lợi", names=True)] == ["Thnh"]


def test_a_valid_looking_word_more_likely_damaged_than_whole_is_reported():
    """ "ti" (tới, tại, tối): no single reading wins, but the word is far likelier damaged than meant as "ti"."""
    findings = vn.check(damage("Thời gian tới, Ban Thường trực tiếp tục triển khai thực hiện."))
    ti = [f for f in findings if f.found == "ti"]
    assert ti and "tới" in ti[0].suggestions


def test_a_typo_at_the_edge_of_a_sentence_is_flagged():
    assert [(f.kind, f.found, f.suggestions[0]) for f in vn.check("tiếp tực")] == [("typo", "tực", "tục")]
    assert [f.found for f in vn.check("Ban Thường trực tiếp tực.") if f.kind == "typo"] == ["tực"]


def test_no_half_repaired_pair_a_change_must_hold_whatever_its_undecided_neighbour_is():
    """When one word of a damaged pair stays undecided, its neighbour is not changed on the strength of one reading
    of it: both are left as written and reported, each with the readings that fit the other's ("lợi" with
    "thắng")."""
    text = "Tổ chức thi đua thc hin thng li các mc tiêu phát trin kinh tế"
    repaired, changes = vn.repair(text)
    assert "thng li" in repaired and not any(c.before in ("thng", "li") for c in changes)
    found = {f.found: f.suggestions for f in vn.check(text) if f.kind == "damaged"}
    assert "thắng" in found["thng"] and "lợi" in found["li"]


def test_repair_of_the_seed_leaves_no_silent_half_pair(tmp_path, capsys):
    from reportkit.cli import main

    source = tmp_path / "seed.txt"
    source.write_text(_seed(), encoding="utf-8")
    assert main(["repair", str(source)]) == 0
    out = capsys.readouterr().out
    assert "thống li" not in (tmp_path / "seed.repaired.txt").read_text(encoding="utf-8")
    assert "“thng li”" in out.split("Cần xem lại", 1)[1]


def test_a_lost_capital_inside_a_sentence_is_restored_where_legal_text_writes_one():
    """ "Ủ" lost: the case of the word is not in the text; legal text writes "Ủy ban" with a capital inside a
    sentence (reportkit/vn/data/proof-caps.bin) and "ủy quyền" without one."""
    text, _ = vn.repair(damage("Theo chỉ đạo của Ủy ban nhân dân quận, phường đã triển khai thực hiện."))
    assert "của Ủy ban nhân dân quận" in text
    text, _ = vn.repair(damage("Người được ủy quyền phải nộp hồ sơ tại bộ phận một cửa của phường."))
    assert "Ủy quyền" not in text


def test_a_capital_is_never_invented_where_the_text_kept_its_first_letter():
    text, changes = vn.repair("cán b Mt trn phường và các y viên")
    assert all(
        c.after[:1].islower() for c in changes if c.before[:1].islower() and c.before[:1] == c.after[:1]
    )
    assert "Mặt trận" in text


def test_the_model_split_into_seen_pairs_and_a_shared_part_gives_the_same_probabilities():
    """The proofreader's forward-backward sums P(b | a) as the part only pairs seen in training have plus a weight
    times b's continuation (Model.split); it must be P(b | a) exactly, or the sums would read the text differently
    from the model."""
    import random

    from reportkit.vn.lexicon import model

    m = model()
    rng = random.Random(7)
    frequent = sorted(range(m.V), key=m.counts.__getitem__)[-50:]
    sources = [0, 1, 2, *frequent, *(rng.randrange(m.V) for _ in range(200))]
    for a in sources:
        discounted, weight = m.split(a)
        seen = rng.sample(sorted(discounted), min(20, len(discounted)))
        for b in [*seen, *(rng.randrange(m.V) for _ in range(20))]:
            assert discounted.get(b, 0.0) + weight * m.continuation[b] == m.prob(a, b), (a, b)
        assert discounted.get(m.V, 0.0) + weight * m.continuation[m.V] == m.prob(a, None), a
