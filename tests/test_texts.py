"""The analyst's own words (params/<run>.md): sections by heading, rendered like %%report cells, errors located."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from reportkit.narrative import NarrativeError, analyst_texts, setup
from reportkit.narrative.texts import parse

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("module", ["phrasing", "texts"])
def test_docstring_examples(module):
    failures, _ = doctest.testmod(importlib.import_module(f"reportkit.narrative.{module}"))
    assert failures == 0


def test_sections_by_heading_whatever_their_typing():
    text = (
        "<!-- ghi chú cho người viết,\nkhông in ra -->\n"
        "# Đánh giá chung\n"
        "## Ưu điểm\n\nĐoạn một.\n\nĐoạn hai.\n\n"
        "## TỒN TẠI, HẠN CHẾ\n- một\n- hai\n"
        "## Nguyên nhân của hạn chế\nDo …\n"
        "## Phương hướng, nhiệm vụ 6 tháng cuối năm 2022 ##\n1. Làm.\n### Một điểm riêng\nChi tiết.\n"
        "## Kiến nghị\n\n"
    )
    parsed = parse(text, "params/x.md")
    assert parsed.problems == []
    assert list(parsed.sections) == ["strengths", "shortcomings", "causes", "tasks"]
    strengths = parsed.sections["strengths"]
    assert (strengths.line, strengths.first_line, strengths.body) == (4, 6, "Đoạn một.\n\nĐoạn hai.")
    assert "### Một điểm riêng" in parsed.sections["tasks"].body  # deeper headings belong to their section
    assert parsed.missing == [] and parsed.optional_missing == ["Kiến nghị, đề xuất"]  # empty: not written


def test_structural_problems_are_listed_with_their_line():
    text = "Lời mở đầu.\n## Ưu điểm\nMột.\n## Ưu điểm\nHai.\n## Kết luận\nBa.\n<!-- chưa đóng\n"
    parsed = parse(text, "params/x.md")
    assert [line for line, _ in parsed.problems] == [8, 1, 4, 6]
    messages = parsed.messages()
    assert messages[0] == "params/x.md, dòng 8: chú thích “<!--” chưa được đóng bằng “-->”"
    assert "dòng 1: đoạn văn nằm ngoài các phần" in messages[1]
    assert "dòng 4: phần “Ưu điểm” đã viết ở dòng 2" in messages[2]
    assert "dòng 6: tiêu đề “Kết luận” không phải một phần" in messages[3]


def test_an_invisible_or_control_character_is_a_problem_on_its_line():
    # A right-to-left override prints the rest of the line reversed in the PDF; a line separator breaks it unseen.
    text = "## Ưu điểm\r\nĐã làm tốt.\r\n\r\n## Nguyên nhân\nSau đại h\u202eội.\nMột\u2028hai\u200b.\n"
    messages = parse(text, "params/x.md").messages()
    assert messages == [
        "params/x.md, dòng 5: có ký tự ẩn hoặc ký tự điều khiển ở vị trí 10 (U+202E RIGHT-TO-LEFT OVERRIDE): "
        "gõ lại dòng này",
        "params/x.md, dòng 6: có ký tự ẩn hoặc ký tự điều khiển ở vị trí 4 (U+2028 LINE SEPARATOR): gõ lại dòng này",
    ]  # one per line, and a Windows line end is no problem


def test_rendered_like_a_report_cell_values_escaped(tmp_path: Path):
    setup(tone_style="modern")
    for folder in ("params", "notebooks"):
        (tmp_path / folder).mkdir()
    path = tmp_path / "params" / "2022-H1.md"
    path.write_text(
        "## Ưu điểm\nQuỹ được {{ f.quy_vnn | number }} đồng; **hòa** {{ f.name }}.\n", encoding="utf-8"
    )
    f = SimpleNamespace(quy_vnn=153_000_000, name="<b>**Tổ 1**</b>")
    texts = analyst_texts(str(path), {"f": f})
    setup()
    assert texts.strengths == "Quỹ được 153.000.000 đồng; **hoà** \\<b\\>\\*\\*Tổ 1\\*\\*\\</b\\>."
    assert texts.tasks is None and texts.missing == [
        "Hạn chế, khuyết điểm",
        "Nguyên nhân",
        "Phương hướng, nhiệm vụ",
    ]
    assert texts.assessment == [("Ưu điểm", texts.strengths)]
    assert texts.sources[0]["path"] == "params/2022-H1.md"  # relative to the project, as the analyst knows it


def test_an_expression_that_fails_names_the_file_and_its_line(tmp_path: Path):
    path = tmp_path / "2022-H1.md"
    path.write_text("## Ưu điểm\n\nMột.\nQuỹ còn {{ con_lai | number }} đồng.\n", encoding="utf-8")
    with pytest.raises(NarrativeError) as info:
        analyst_texts(str(path), {})
    assert "2022-H1.md, dòng 4, biểu thức {{ con_lai | number }}" in str(info.value)
    path.write_text("## Ưu điểm\nMột.\n## Kết luận\nHai.\n", encoding="utf-8")
    with pytest.raises(NarrativeError, match="dòng 3: tiêu đề “Kết luận”"):
        analyst_texts(str(path), {})


def test_no_file_gives_a_report_without_the_analysts_parts(tmp_path: Path):
    empty = analyst_texts(None)
    assert empty.strengths is None and empty.assessment == [] and len(empty.missing) == 4
    assert "chưa viết" in empty._repr_markdown_()
    with pytest.raises(NarrativeError, match="Không tìm thấy tệp bài viết"):
        analyst_texts(str(tmp_path / "khong-co.md"))
    with pytest.raises(ValueError, match="Markdown"):
        analyst_texts(str(tmp_path / "bai-viet.docx"))


@pytest.mark.parametrize("period", ["2021-H2", "2022-H1", "2022-H2", "2023-H1"])
def test_every_sample_period_has_its_own_whole_text(period):
    parsed = parse((ROOT / "params" / f"{period}.md").read_text(encoding="utf-8"), period)
    assert parsed.problems == [] and parsed.missing == []
    words = " ".join(s.body for s in parsed.sections.values())
    assert "{{" in words  # figures come from the data
    assert "lorem" not in words.lower()
