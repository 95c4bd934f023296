"""Synthetic executed report notebooks for the export tests (built with nbformat, no kernel needed)."""

from __future__ import annotations

import base64
import io

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

RECORD_MIME = "application/vnd.reportkit.report+json"

RECORD = {
    "document": {
        "parent_body": ["ỦY BAN MTTQ VIỆT NAM", "PHƯỜNG HÒA BÌNH"],
        "issuing_body": "BAN THƯỜNG TRỰC",
        "number": "Số: 05/BC-MTTQ-BTT",
        "national_title": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "place_date": "Hòa Bình, ngày 05 tháng 01 năm 2023",
        "type": "BÁO CÁO",
        "subject": "Kết quả công tác Mặt trận 6 tháng cuối năm 2022",
        "signature": {"authority": "TM. BAN THƯỜNG TRỰC", "title": "CHỦ TỊCH", "name": "Trần Thị Ánh Tuyết"},
        "recipients": ["Ban Thường trực UBMTTQ thành phố;", "Đảng ủy, UBND phường;", "Lưu: VT."],
        "title": "Báo cáo kết quả công tác Mặt trận 6 tháng cuối năm 2022 — Phường Hòa Bình",
        "unit": "Phường Hòa Bình",
        "period": "2022-H2",
        "period_name": "6 tháng cuối năm 2022",
    },
    "key_figures": [
        {
            "id": "tuyen_truyen_luot",
            "label": "Lượt người dân dự tuyên truyền",
            "value": 1310,
            "text": "1.310",
        },
        {"id": "quy_vnn", "label": "Quỹ “Vì người nghèo” so với kế hoạch", "value": 1.05, "text": "105%"},
    ],
    "sources": [
        {"path": "data/hoa-binh/bao-cao/2022/to-01-2022.xlsx", "sha256": "a" * 64},
        {"path": "data/hoa-binh/ke-hoach.xlsx", "sha256": "b" * 64},
    ],
    "provenance": {
        "data_from": "2021-07",
        "data_to": "2022-12",
        "years": [2021, 2022],
        "units": ["Tổ 1", "Tổ 2", "Tổ 3"],
        "missing": [{"unit": "Tổ 3", "months": ["2022-11", "2022-12"]}],
    },
}

PARAGRAPHS = [
    "Căn cứ chương trình phối hợp thống nhất hành động toàn khóa của Ủy ban MTTQ Việt Nam phường Hòa Bình và "
    "định hướng nhiệm vụ trọng tâm công tác năm 2022 tại địa phương, Ban Thường trực Mặt trận phường tiếp tục "
    "hướng dẫn, chỉ đạo tổ chức triển khai thực hiện các chương trình, kế hoạch đã đề ra.",
    "Mặt trận phường đã cử 14 lượt cán bộ mặt trận phường và Ban Công tác Mặt trận các tổ dân phố tham dự các "
    "lớp tập huấn về công tác mặt trận; 10/10 Ban Công tác Mặt trận đều tổ chức họp hàng tháng, nội dung họp "
    "cơ bản bảo đảm theo hướng dẫn, chỉ đạo của Ban Thường trực Mặt trận phường.",
    "Đã tổ chức được 12 buổi tuyên truyền với trên 1.300 lượt người dân tham dự, vận động các tầng lớp nhân dân "
    "nghiêm túc chấp hành chủ trương, đường lối của Đảng, chính sách pháp luật của Nhà nước; thường xuyên "
    "tuyên truyền, vận động nhân dân nâng cao ý thức cảnh giác, giữ gìn an ninh trật tự ở khu dân cư.",
    "Xây dựng Quỹ “Vì người nghèo” của phường đạt 105% so với kế hoạch vận động; triển khai Cuộc vận động "
    "“Người Việt Nam ưu tiên dùng hàng Việt Nam” với sự tham gia của 1.512 người dân, gắn với thực hiện "
    "chương trình bình ổn thị trường tại địa phương, củng cố mô hình “Tôi dùng hàng Việt Nam” tại khu dân cư.",
]

MONTHS = ["Tháng 7", "Tháng 8", "Tháng 9", "Tháng 10", "Tháng 11", "Tháng 12"]
WIDE_COLUMNS = ["Tổ dân phố", *[f"{m} (buổi)" for m in MONTHS], *[f"{m} (lượt)" for m in MONTHS], "Tổng cộng"]


def wide_table_html() -> str:
    head = "".join(f'<th scope="col">{c}</th>' for c in WIDE_COLUMNS)
    rows = []
    for unit in range(1, 11):
        cells = [f"{(unit * 7 + m) % 5 + 1}" for m in range(6)] + [f"{100 + unit * 11 + m}" for m in range(6)]
        cells.append(f"{sum(int(c) for c in cells):,}".replace(",", "."))
        rows.append(f'<tr><th scope="row">Tổ {unit}</th>' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    rows.append('<tr><th scope="row">Tổng cộng</th>' + "<td>—</td>" * 13 + "</tr>")
    return (
        '<table class="dataframe"><caption>Bảng 1. Tuyên truyền theo tổ dân phố, 6 tháng cuối năm 2022</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def chart_png() -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 2.6), dpi=80)
    ax.bar([f"Tổ {i}" for i in range(1, 11)], [121, 98, 143, 110, 135, 127, 90, 151, 117, 118], color="#555")
    ax.set_ylabel("lượt")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _display(data: dict, metadata: dict | None = None):
    return new_output("display_data", data=data, metadata=metadata or {})


def _code(source: str, outputs: list, tags: list[str] | None = None, count: int = 1):
    cell = new_code_cell(source, outputs=outputs, execution_count=count)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def report_notebook(record: dict | None = RECORD, long: bool = True, extra_tail: list | None = None):
    """An executed report notebook exercising every path of the export."""
    body_paragraphs = "\n\n".join(PARAGRAPHS * (3 if long else 1))
    narrative_html = "".join(f"<p>{p}</p>" for p in PARAGRAPHS * (2 if long else 1))
    notes = new_markdown_cell("# Sổ tay người phân tích REMOVED-CELL-MARKER")
    notes.metadata["tags"] = ["remove-cell"]
    cells = [
        notes,
        _code("period = '2022-H2'  # CODE-MARKER", [], ["parameters"]),
        _code(
            'period = "2022-H2"\ndocument_number = 5  # INJECTED-MARKER',
            [new_output("stream", name="stdout", text="INJECTED-OUTPUT-MARKER\n")],
            ["injected-parameters"],
        ),
        _code(
            "import reportkit  # CODE-MARKER",
            [new_output("stream", name="stderr", text="UserWarning: STDERR-MARKER\n")],
            count=2,
        ),
    ]
    if record is not None:
        cells.append(
            _code("record(...)", [_display({RECORD_MIME: record, "text/plain": "<record>"})], count=3)
        )
    cells += [
        new_markdown_cell(f"# I. KẾT QUẢ ĐẠT ĐƯỢC\n\n## 1. Công tác tuyên truyền\n\n{body_paragraphs}"),
        _code(
            "%%report\nnarrative",
            [_display({"text/markdown": "markdown fallback MARKDOWN-FALLBACK", "text/html": narrative_html})],
            count=4,
        ),
        _code(
            "unit_table(...)", [_display({"text/html": wide_table_html(), "text/plain": "table"})], count=5
        ),
        _code(
            "chart(...)",
            [
                _display(
                    {"image/png": chart_png(), "text/plain": "<Figure size 480x208 with 1 Axes>"},
                    {
                        "alt": "Biểu đồ cột: lượt người dân dự tuyên truyền theo tổ",
                        "caption": "Biểu đồ 1. Lượt người dân dự tuyên truyền theo tổ dân phố",
                    },
                )
            ],
            count=6,
        ),
        _code(
            "show()  # CODE-MARKER",
            [_display({"text/html": "<p>Đoạn văn giữ lại REMOVE-INPUT-KEPT.</p>"})],
            ["remove-input"],
            count=7,
        ),
        _code(
            "debug()  # CODE-MARKER",
            [_display({"text/html": "<p>REMOVE-OUTPUT-MARKER</p>"})],
            ["remove-output"],
            count=8,
        ),
        _code(
            "figures.shape",
            [new_output("execute_result", data={"text/plain": "TEXTPLAIN-MARKER"}, execution_count=9)],
            count=9,
        ),
        _code("print('x')", [new_output("stream", name="stdout", text="STDOUT-MARKER\n")], count=10),
        new_markdown_cell(
            "# II. PHƯƠNG HƯỚNG NHIỆM VỤ\n\n"
            "- Tiếp tục củng cố, kiện toàn Ban Công tác Mặt trận;\n- Tổ chức Ngày hội Đại đoàn kết toàn dân tộc.\n\n"
            "Trên đây là báo cáo kết quả công tác Mặt trận 6 tháng cuối năm 2022 của Ban Thường trực Ủy ban "
            "MTTQ Việt Nam phường Hòa Bình."
        ),
        *(extra_tail or []),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["title"] = "Báo cáo thử nghiệm"
    nb.metadata["papermill"] = {"parameters": {"period": "2022-H2", "document_number": 5}}
    nbformat.validate(nb)
    return nb


RUN_INFO = {
    "parameters": {
        "period": "2022-H2",
        "data": "data/hoa-binh",
        "document_number": 5,
        "issued_on": "2023-01-05",
        "db_password": "SECRET-VALUE-MARKER",
    },
    "secret": ["db_password"],
    "generated_at": "2023-01-05T09:30:00+07:00",
    "version": "0.1.0",
}
