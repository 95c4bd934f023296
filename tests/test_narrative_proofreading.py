"""A %%report cell warns the analyst under the cell about damaged or inconsistent prose; the report never shows it."""

import pytest
from IPython.testing import globalipapp
from IPython.utils.capture import capture_output

from reportkit.core import content
from reportkit.core.notes import SHOWN_NOTES, Proofreading
from reportkit.narrative import setup
from reportkit.narrative.templating import proofread, render


@pytest.fixture(scope="module")
def ip():
    shell = globalipapp.start_ipython() or globalipapp.get_ipython()  # one test shell, whoever started it
    shell.run_line_magic("load_ext", "reportkit")
    return shell


def run_report(ip, body: str, **namespace):
    ip.user_ns.update(namespace)
    with capture_output() as captured:
        result = ip.run_cell("%%report\n" + body)
    assert result.error_in_exec is None
    return captured.outputs


def test_damaged_words_are_named_with_their_suggestion(ip):
    setup()
    narrative, note = run_report(ip, "Mt trn phường đã vận động {{ n }} người dân tham gia.", n=1483)
    assert narrative.metadata == {"reportkit": {"kind": "narrative"}}
    assert (
        "Mt trn phường" in narrative.data["text/markdown"]
    )  # the prose is shown as written, never rewritten
    assert note.metadata == {"reportkit": {"kind": "proofreading"}}
    assert set(note.data) == {"text/plain", "text/html"}
    plain = note.data["text/plain"]
    assert plain.splitlines()[0] == "⚠ Soát chính tả: 1 chỗ cần xem (ghi chú này không in trong báo cáo)"
    assert "“Mt trn” → “Mặt trận” (âm tiết bị mất chữ)" in plain
    html = note.data["text/html"]
    assert "“Mt trn”" in html and "<strong>“Mặt trận”</strong>" in html and 'role="note"' in html


def test_every_kind_of_finding_is_listed(ip):
    setup()
    _, note = run_report(ip, "Ban\u200b CTMT đã họp  đủ, vận động 1200 người ; tiếp tực triển khai.")
    plain = note.data["text/plain"]
    assert "“Ban⟨U+200B⟩ CTMT” → “Ban CTMT”" in plain
    assert "“họp  đủ,” → “họp đủ,” (khoảng trắng thừa)" in plain
    assert "“1200” → “1.200” (số viết sai quy cách)" in plain
    assert "“tiếp tực” → “tiếp tục” (có thể gõ nhầm)" in plain


def test_clean_prose_has_no_note(ip):
    setup()
    outputs = run_report(
        ip, "Ủy ban Mặt trận Tổ quốc Việt Nam phường đã vận động {{ n | number }} người.", n=1483
    )
    assert len(outputs) == 1


def test_values_are_checked_as_rendered(ip):
    setup()
    _, note = run_report(ip, "Tổ trưởng {{ name }} đã báo cáo.", name="B¸o c¸o viªn")
    assert "TCVN3" in note.data["text/plain"] or "mã cũ" in note.data["text/plain"]


def test_the_export_does_not_show_the_note(ip):
    setup()
    outputs = run_report(ip, "Mt trn phường đã họp.")
    cell = {
        "cell_type": "code",
        "source": "%%report\nMt trn phường đã họp.",
        "metadata": {},
        "outputs": [
            {"output_type": "display_data", "data": dict(o.data), "metadata": dict(o.metadata)}
            for o in outputs
        ],
    }
    kept = list(content.kept_outputs(cell))
    assert [o["metadata"]["reportkit"]["kind"] for o in kept] == ["narrative"]


def test_a_long_damaged_paste_lists_the_first_notes_and_counts_the_rest():
    notes = proofread(render(" ".join(["Mt trn phường"] * 20 + ["tiếp tc"] * 20), {}))
    assert len(notes) == 40
    shown = Proofreading(notes)
    assert shown.text().count("  • ") == SHOWN_NOTES
    assert shown.text().endswith(f"… và {40 - SHOWN_NOTES} chỗ khác")
    assert "<script>" not in Proofreading(proofread(render("{{ x }} Mt trn", {"x": "<script>"}))).html()
