"""A report whose lines test the layout: analyst's lists long enough to wrap, and one sentence of kept words
("6 tháng", "tổ 5", "người/tổ") set after prefixes of every length, so that a line ends at each of its words."""

from __future__ import annotations

import importlib.util
import itertools
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

from reportkit.vn.text import keep_together

_spec = importlib.util.spec_from_file_location("export_synthetic", Path(__file__).with_name("synthetic.py"))
synthetic = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(synthetic)

ITEM = (
    "Tiếp tục thực hiện Quy chế hoạt động của Ban Công tác Mặt trận, duy trì nền nếp họp hàng tháng; bồi dưỡng "
    "nghiệp vụ cho cán bộ mới kiện toàn, hướng dẫn xây dựng kế hoạch tuyên truyền riêng của từng khu dân cư ngay "
    "từ đầu kỳ"
)
SENTENCE = (
    "Phương hướng, nhiệm vụ 6 tháng cuối năm 2022 của Ban CTMT tổ 5 và Tổ 9, bình quân 148,3 người/tổ, "
    "Quận 1 đạt 10/10 tổ dân phố."
)
SHIFTS = range(1, 61)


def markdown() -> str:
    items = "\n".join(f"- {ITEM} ({n});" for n in range(1, 3))
    numbered = "\n".join(f"{n}. {ITEM} ({n})." for n in range(1, 3))
    shifted = "\n\n".join(f"{'x' * k} {SENTENCE}" for k in SHIFTS)
    return f"# III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2022\n\n{items}\n\n{numbered}\n\n{shifted}"


def notebook():
    nb = synthetic.report_notebook(long=False)
    nb.cells.insert(-1, new_markdown_cell(markdown()))
    nbformat.validate(nb)
    return nb


def kept_pairs() -> set[tuple[str, str]]:
    """Neighbouring words that must share a line (in SENTENCE and the heading)."""
    pairs = set()
    for text in (SENTENCE, "III. PHƯƠNG HƯỚNG, NHIỆM VỤ 6 THÁNG CUỐI NĂM 2022"):
        for start, end in keep_together(text):
            words = text[start:end].split()
            pairs |= set(itertools.pairwise(words))
    return pairs


def lines(pages, top: float) -> list[list[tuple[str, float, float, float, float]]]:
    """The lines of text below ``top`` (the page number's margin), page after page, each left to right."""
    found = []
    for words in pages:
        rows: dict[int, list] = {}
        for word in words:
            if word[4] < top:
                continue
            key = next((k for k in rows if abs(k - word[2]) < 2), round(word[2]))
            rows.setdefault(key, []).append(word)
        found += [sorted(rows[k], key=lambda w: w[1]) for k in sorted(rows)]
    return found


def split_pairs(pages, top: float) -> list[tuple[str, str]]:
    """Kept words that a line end separates ("6" / "tháng"), and ratios broken after their "/"."""
    pairs = kept_pairs()
    rows = lines(pages, top)
    bad = []
    for line, after in itertools.pairwise(rows):
        last, first = line[-1][0], after[0][0]
        if (last, first) in pairs or last.endswith("/"):
            bad.append((last, first))
    return bad


def list_lines(pages, top: float) -> list[tuple[float, float]]:
    """For each list item (a line starting with "-" or "1."), the left edges of its first and second lines."""
    rows = lines(pages, top)
    found = []
    for line, after in itertools.pairwise(rows):
        if line[0][0] in ("-", "1.", "2.") and [w[0] for w in line[1:4]] == ["Tiếp", "tục", "thực"]:
            found.append((line[0][1], after[0][1]))
    return found
