"""The report's content (reportkit.core.content): what a notebook shows, in order, body then phụ lục — the one
reading that the shared page and the Word file both use."""

from __future__ import annotations

import nbformat
import pandas as pd
from export_fixtures.synthetic import RECORD
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from reportkit.core import content
from reportkit.core.record import RECORD_MIME
from reportkit.narrative import setup, unit_table
from reportkit.narrative.charts import bar_chart
from reportkit.narrative.magic import Narrative
from reportkit.narrative.templating import render


def displayed(obj, *, result: bool = False):
    data, metadata = obj._repr_mimebundle_()
    kind = "execute_result" if result else "display_data"
    extra = {"execution_count": 1} if result else {}
    return new_output(kind, data=data, metadata=metadata, **extra)


def report_notebook():
    setup()
    text = Narrative(render("## I. KẾT QUẢ\n\nĐã tổ chức {{ n }} buổi tuyên truyền.", {"n": 11}))
    closing = Narrative(render("Trên đây là báo cáo kết quả công tác Mặt trận.", {}))
    table = unit_table(
        pd.DataFrame({"buoi": [2, 9]}, index=["Tổ 10", "Tổ 2"]), {"buoi": "Buổi"}, caption="Tuyên truyền"
    )
    chart = bar_chart({"Tổ 1": 84, "Tổ 2": 264}, caption="Lượt người dân", ylabel="Lượt người dân")
    cells = [
        new_code_cell("period = '2022-H1'", metadata={"tags": ["parameters"]}),
        new_code_cell("%%report …", outputs=[displayed(text)]),
        new_code_cell("f.completeness.to_frame()", metadata={"tags": ["remove-cell"]},
                      outputs=[new_output("execute_result", data={"text/html": "<table>analyst</table>"}, execution_count=2)]),
        new_code_cell("print('debug')", outputs=[new_output("stream", name="stdout", text="debug\n")]),
        new_markdown_cell("Ghi chú viết tay của người soạn."),
        new_code_cell("%%report …", outputs=[displayed(closing)]),
        new_code_cell("%%report\n## PHỤ LỤC", metadata={"tags": ["appendix"]},
                      outputs=[displayed(Narrative(render("## PHỤ LỤC\n\n(Kèm theo Báo cáo số 47/BC-MTTQ-BTT)", {})))]),
        new_code_cell("unit_table(…)", metadata={"tags": ["appendix"]}, outputs=[displayed(table, result=True)]),
        new_code_cell("display(bar_chart(…))", metadata={"tags": ["appendix"]}, outputs=[displayed(chart)]),
        new_code_cell("record(…)", outputs=[new_output("display_data", data={RECORD_MIME: RECORD, "text/plain": "…"},
                                                      metadata={"reportkit": {"kind": "record"}})]),
        new_code_cell("%%report …", metadata={"tags": ["remove-output"]}, outputs=[displayed(closing)]),
    ]  # fmt: skip
    nb = new_notebook(cells=cells)
    proofreading = new_output(
        "display_data",
        data={"text/plain": "Cảnh báo: “Mt trn”", "text/html": "<p>Cảnh báo</p>"},
        metadata={"reportkit": {"kind": "proofreading"}},
    )
    nb.cells[1].outputs.append(proofreading)
    return nbformat.from_dict(nb)


def test_blocks_are_the_report_in_order_with_the_appendix_marked():
    found = content.blocks(report_notebook())
    assert [(type(b).__name__, b.part) for b in found] == [
        ("Text", "body"),
        ("Text", "body"),  # the Markdown cell
        ("Text", "body"),
        ("Text", "appendix"),
        ("Table", "appendix"),
        ("Figure", "appendix"),
    ]
    text, note, _closing, _annex, table, figure = found
    assert text.markdown.startswith("## I. KẾT QUẢ") and "11 buổi" in text.markdown
    assert note.markdown == "Ghi chú viết tay của người soạn."
    assert table.title == "Bảng 1. Tuyên truyền" and table.header == ["Tổ dân phố", "Buổi"]
    assert table.rows == [["Tổ 2", "9"], ["Tổ 10", "2"]] and table.footer == ["Tổng cộng", "11"]
    assert table.numeric == [False, True]
    assert figure.mime == "image/svg+xml" and figure.data.startswith(b"<svg")  # the page's: vector
    assert figure.title == "Biểu đồ 1. Lượt người dân" and "tổ 2: 264" in figure.alt
    assert figure.width and figure.height and set(figure.images) == {"image/svg+xml", "image/png"}
    assert figure.images["image/png"].startswith(b"\x89PNG")  # the Word file's: a raster


def test_the_page_places_the_appendix_after_the_signature_and_hides_what_blocks_hide():
    from reportkit.export import ReportExporter

    page = ReportExporter().html(report_notebook())
    order = [
        page.index(s)
        for s in ("I. KẾT QUẢ", "Trên đây là báo cáo", "Nơi nhận:", "PHỤ LỤC", "Bảng 1.", "Biểu đồ 1.")
    ]
    assert order == sorted(order)
    assert "Trên đây là báo cáo kết quả công tác Mặt trận./." in page  # the body ends before the phụ lục
    for hidden in ("analyst", "debug", "Cảnh báo", "Mt trn"):
        assert hidden not in page
