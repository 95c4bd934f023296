"""An executed report notebook made of the outputs reportkit.narrative really displays (narrative cells, a unit
table, a bar chart, the record), without a kernel: what the Word file and the PDF are built from in the tests."""

from __future__ import annotations

import copy

import nbformat
import pandas as pd
from export_fixtures.synthetic import RECORD as _SYNTHETIC_RECORD
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from reportkit import narrative
from reportkit.core.record import RECORD_MIME
from reportkit.narrative.magic import Narrative

# The record of the synthetic page fixture: the Word file and the page are built from the same report.
RECORD = copy.deepcopy(_SYNTHETIC_RECORD)

PARAGRAPHS = [
    "Căn cứ chương trình phối hợp thống nhất hành động toàn khóa của Ủy ban MTTQ Việt Nam phường Hòa Bình và "
    "định hướng nhiệm vụ trọng tâm công tác năm 2022 tại địa phương, Ban Thường trực Mặt trận phường tiếp tục "
    "hướng dẫn, chỉ đạo tổ chức triển khai thực hiện các chương trình, kế hoạch đã đề ra.",
    "Mặt trận phường đã cử **14 lượt cán bộ** mặt trận phường và Ban Công tác Mặt trận các tổ dân phố tham dự các "
    "lớp tập huấn về công tác mặt trận; 10/10 Ban Công tác Mặt trận đều tổ chức họp hàng tháng, nội dung họp "
    "cơ bản bảo đảm theo hướng dẫn, chỉ đạo của Ban Thường trực Mặt trận phường.",
    "*Số liệu trong báo cáo được tổng hợp từ báo cáo hàng tháng của Ban Công tác Mặt trận các tổ dân phố; "
    "10/10 tổ đã báo cáo đầy đủ số liệu.*",
    "Xây dựng Quỹ “Vì người nghèo” của phường đạt 105% so với kế hoạch vận động; triển khai Cuộc vận động "
    "“Người Việt Nam ưu tiên dùng hàng Việt Nam” với sự tham gia của 1.512 người dân, gắn với thực hiện "
    "chương trình bình ổn thị trường tại địa phương, củng cố mô hình “Tôi dùng hàng Việt Nam” tại khu dân cư.",
]

BY_UNIT = pd.DataFrame(
    {
        "buoi": [1, 2, 0, 3, 1, 1, 0, 2, 1, 1],
        "luot": [121, 98, 143, 110, 135, 127, 90, 151, 117, 118],
    },
    index=[f"Tổ {i}" for i in range(1, 11)],
)
ALT = "Biểu đồ cột, lượt người dân theo tổ dân phố"


def _display(obj, tags: list[str] | None = None, count: int = 1):
    data, metadata = obj._repr_mimebundle_()
    cell = new_code_cell(
        "…", outputs=[new_output("display_data", data=data, metadata=metadata)], execution_count=count
    )
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _narrative(text: str, count: int):
    return _display(Narrative(narrative.render(text, {})), count=count)


def report_notebook(record: dict | None = None, *, long: bool = True) -> nbformat.NotebookNode:
    """Body: headings, paragraphs with bold and italic, a list, a numbered list, the closing sentence; phụ lục:
    its heading, a unit table (numbers, "Tổng cộng") and a bar chart (PNG with alt text)."""
    narrative.setup()
    record = copy.deepcopy(RECORD if record is None else record)
    repeat = 3 if long else 1
    body = "\n\n".join(PARAGRAPHS * repeat)
    cells = [
        new_code_cell("period = '2022-H2'", metadata={"tags": ["parameters"]}),
        new_code_cell(
            "record(...)",
            outputs=[new_output("display_data", data={RECORD_MIME: record, "text/plain": "<record>"})],
            execution_count=1,
        ),
        new_markdown_cell(f"## I. KẾT QUẢ ĐẠT ĐƯỢC\n\n### 1. Công tác tuyên truyền\n\n{body}"),
        _narrative(
            "### 2. Phương hướng, nhiệm vụ\n\n"
            "- Tiếp tục củng cố, kiện toàn Ban Công tác Mặt trận;\n"
            "- Tổ chức Ngày hội Đại đoàn kết toàn dân tộc.\n\n"
            "1. Rà soát hộ nghèo, hộ cận nghèo;\n2. Vận động Quỹ “Vì người nghèo”.\n\n"
            "Trên đây là báo cáo kết quả công tác Mặt trận 6 tháng cuối năm 2022 của Ban Thường trực Ủy ban "
            "MTTQ Việt Nam phường Hòa Bình.",
            count=2,
        ),
        new_markdown_cell(
            "## Phụ lục\n\n*(Kèm theo Báo cáo số 05/BC-MTTQ-BTT ngày 05 tháng 01 năm 2023 của Ban Thường trực "
            "Ủy ban MTTQ Việt Nam phường Hòa Bình)*",
            metadata={"tags": ["appendix"]},
        ),
        _display(
            narrative.unit_table(
                BY_UNIT,
                {"buoi": "Buổi tuyên truyền", "luot": "Lượt người dân"},
                caption="Kết quả theo tổ dân phố",
            ),
            ["appendix"],
            count=3,
        ),
        _display(
            narrative.bar_chart(
                BY_UNIT["luot"], caption="Lượt người dân theo tổ dân phố", ylabel="Lượt người dân", alt=ALT
            ),
            ["appendix"],
            count=4,
        ),
    ]
    nb = new_notebook(cells=cells)
    nbformat.validate(nb)
    return nb
