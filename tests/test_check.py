"""``reportkit check``: params, data, the analyst's texts and the notebook's narrative, read without a kernel;
every problem in Vietnamese with its file and line, exit code 2."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reportkit.batch.check import check_project
from reportkit.cli import main

ROOT = Path(__file__).resolve().parents[1]
GOOD_TEXTS = """\
<!-- bài viết thử -->
## Ưu điểm
Quỹ “Vì người nghèo” vận động được {{ f.quy_vnn | number }} đồng, {{ compare_plan(f, "quy_vnn") }}.

## Hạn chế, khuyết điểm
{{ units_without(f, "tuyen_truyen_buoi") | units | upper_first }} chưa tổ chức tuyên truyền.

## Nguyên nhân
Một số Ban CTMT chưa chủ động.

## Phương hướng, nhiệm vụ
1. Đẩy mạnh tuyên truyền {{ p.next_name }}.
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The report notebook on the small second unit (Phường Hải Châu, January–June 2022)."""
    for folder in ("params", "notebooks", "data"):
        (tmp_path / folder).mkdir()
    shutil.copy(ROOT / "notebooks" / "report.ipynb", tmp_path / "notebooks" / "report.ipynb")
    shutil.copytree(ROOT / "tests" / "data" / "hai-chau", tmp_path / "data" / "hai-chau")
    (tmp_path / "params" / "2022-H1.yaml").write_text(
        "period: 2022-H1\ndata: data/hai-chau\ndocument_number: 12\n", encoding="utf-8"
    )
    (tmp_path / "params" / "2022-H1.md").write_text(GOOD_TEXTS, encoding="utf-8")
    return tmp_path


def check(project: Path, capsys, *args: str) -> tuple[int, str]:
    code = main(["check", "--root", str(project), *args])
    return code, capsys.readouterr().out


def test_a_good_project_passes(project: Path, capsys) -> None:
    code, out = check(project, capsys)
    assert code == 0, out
    assert "params/2022-H1.yaml" in out and "params/2022-H1.md" in out and "notebooks/report.ipynb" in out
    assert "lưu ý: params/2022-H1.md: chưa viết phần Kiến nghị, đề xuất (không bắt buộc" in out
    assert out.rstrip().endswith("Không có lỗi.")


def test_an_undefined_name_in_the_texts_exits_2_naming_the_file_and_line(project: Path, capsys) -> None:
    texts = project / "params" / "2022-H1.md"
    texts.write_text(
        GOOD_TEXTS.replace("Một số Ban CTMT chưa chủ động.", "Quỹ còn {{ so_tien_con_lai | number }}.")
    )
    code, out = check(project, capsys)
    assert code == 2
    assert "lỗi: params/2022-H1.md, dòng 9: tên “so_tien_con_lai” chưa được định nghĩa" in out
    assert "Có 1 lỗi" in out


def test_a_misspelt_filter_or_test_inside_an_if_is_found_before_the_run(project: Path, capsys) -> None:
    """Jinja itself only finds an unknown filter at the top level: inside {% if %} it fails at run time."""
    texts = project / "params" / "2022-H1.md"
    texts.write_text(
        GOOD_TEXTS.replace(
            "Một số Ban CTMT chưa chủ động.",
            "{% if ly %}Có {{ ly.tuyen_truyen_buoi | khong_co_bo_loc }} buổi.{% endif %}\n"
            "{% if f.tuyen_truyen_buoi is khong_co_phep_thu %}Có.{% endif %}\n"
            "{% if ly %}{{ ly.tuyen_truyen_buoi | khong_co_bo_loc }}{% endif %}",
        )
    )
    code, out = check(project, capsys)
    assert code == 2, out
    assert (
        "lỗi: params/2022-H1.md, dòng 9: không có bộ lọc “khong_co_bo_loc” (xem docs/guide.md, mục 2)" in out
    )
    assert "lỗi: params/2022-H1.md, dòng 10: không có phép thử “khong_co_phep_thu”" in out
    assert "dòng 11" not in out  # the same misspelling is reported once
    assert "Có 2 lỗi" in out


def test_an_indicator_the_catalog_does_not_have(project: Path, capsys) -> None:
    texts = project / "params" / "2022-H1.md"
    texts.write_text(GOOD_TEXTS.replace("f.quy_vnn | number", "f.quy_vn | number"))
    code, out = check(project, capsys)
    assert code == 2
    assert "params/2022-H1.md, dòng 3: “f.quy_vn”: danh mục chỉ tiêu không có chỉ tiêu “quy_vn”" in out


def test_unbalanced_tags_and_stray_headings_in_the_texts(project: Path, capsys) -> None:
    texts = project / "params" / "2022-H1.md"
    broken = GOOD_TEXTS.replace("## Nguyên nhân\n", "## Nguyên nhân\n{% if ly %}Có so sánh.\n")
    texts.write_text(broken + "\n## Kết luận\nHết.\n", encoding="utf-8")
    code, out = check(project, capsys)
    assert code == 2
    assert "params/2022-H1.md, dòng 9: thẻ {% if %} mở ở dòng này chưa được đóng (thiếu {% endif %})" in out
    assert "params/2022-H1.md, dòng 15: tiêu đề “Kết luận” không phải một phần của báo cáo" in out
    assert "dòng 16" not in out  # the text under it is not reported a second time


def test_a_notebook_cell_with_an_unclosed_tag_or_an_unknown_name(project: Path, capsys) -> None:
    path = project / "notebooks" / "report.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if "".join(c["source"]).startswith("%%report")]
    number = nb["cells"].index(cells[1]) + 1
    cells[1]["source"] = [
        "%%report\n",
        "### 1. Tập huấn\n",
        "\n",
        "{% if f.tap_huan_luot %}\n",
        "Đã cử cán bộ.\n",
    ]
    cells[2]["source"] = [
        "%%report\n",
        "Đã tổ chức {{ so_buoi | counted('buổi') }} và {{ x | khong_co_bo_loc }}.\n",
    ]
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    code, out = check(project, capsys)
    assert code == 2
    assert f"notebooks/report.ipynb, ô {number}, dòng 4: thẻ {{% if %}} mở ở dòng này chưa được đóng" in out
    assert f"notebooks/report.ipynb, ô {number + 1}, dòng 2: không có bộ lọc “khong_co_bo_loc”" in out


def test_bad_params_are_listed_in_vietnamese_with_their_line(project: Path, capsys) -> None:
    (project / "params" / "2022-H1.yaml").write_text(
        "# kỳ 6 tháng đầu năm\nperiod: 2022-H1\ndata: data/hai-chau\ndocument_number: bốn mươi\n"
        "issued_on: 2022-02-30\nmau_chu: đỏ\n",
        encoding="utf-8",
    )
    code, out = check(project, capsys)
    assert code == 2
    assert "params/2022-H1.yaml, dòng 4: document_number: số văn bản phải là số nguyên từ 1 trở lên" in out
    assert "đang ghi: bốn mươi" in out
    assert (
        "params/2022-H1.yaml, dòng 5: issued_on: ngày ký không có trong lịch: tháng đó không có ngày này; đang ghi: 2022-02-30"
        in out
    )
    assert "params/2022-H1.yaml, dòng 6: mau_chu: notebook không có tham số “mau_chu”" in out
    assert "expected" not in out  # the schema's English stays out of the Vietnamese listing


@pytest.mark.parametrize(
    "params, said",
    [
        (
            "period: 2022-H1\ndata: sqlite:///data/khong-co.db\n",
            "data: không có cơ sở dữ liệu SQLite “data/khong-co.db”",
        ),
        (
            "period: 2022-H1\nperiod: 2022-H2\ndata: data/hai-chau\n",
            "period: khóa này ghi hai lần (dòng 1 và dòng 2)",
        ),
        ("period: 2022-H1\ndata: data/hai-chau\ndocument_number: 1000000\n", "(tối đa 999.999)"),
        ("period: 2022-H1\ndata: sqlite://\n", "địa chỉ SQLite phải là sqlite:///"),
    ],
)
def test_params_problems_are_said_in_vietnamese_without_the_machine_path(
    project: Path, capsys, params: str, said: str
) -> None:
    (project / "params" / "2022-H1.yaml").write_text(params, encoding="utf-8")
    code, out = check(project, capsys)
    assert code == 2 and said in out, out
    assert "tham số không hợp lệ (" not in out and str(project) not in out, out


def test_a_params_file_for_another_notebook_names_both(project: Path, capsys) -> None:
    shutil.copy(project / "notebooks" / "report.ipynb", project / "notebooks" / "province.ipynb")
    (project / "params" / "2022-H1.yaml").write_text(
        "notebook: notebooks/province.ipynb\nperiod: 2022-H1\ndata: data/hai-chau\n", encoding="utf-8"
    )
    code, out = check(project, capsys)
    assert code == 2
    assert "dành cho notebooks/province.ipynb, không phải notebooks/report.ipynb" in out, out


def test_missing_texts_are_a_note_and_strict_makes_them_a_problem(project: Path, capsys) -> None:
    (project / "params" / "2022-H1.md").unlink()
    code, out = check(project, capsys)
    assert code == 0
    assert "lưu ý: params/2022-H1.yaml: chưa có tệp bài viết params/2022-H1.md: báo cáo thiếu các phần" in out
    code, out = check(project, capsys, "--strict")
    assert code == 2 and "lỗi: params/2022-H1.yaml: chưa có tệp bài viết" in out


def test_data_that_do_not_cover_the_period(project: Path, capsys) -> None:
    (project / "params" / "2023-H1.yaml").write_text(
        "period: 2023-H1\ndata: data/hai-chau\n", encoding="utf-8"
    )
    code, out = check(project, capsys, str(project / "params" / "2023-H1.yaml"))
    assert code == 2
    assert (
        "params/2023-H1.yaml: dữ liệu của phường Hải Châu có từ tháng 01/2022 đến tháng 06/2022: "
        "chưa đủ cho 6 tháng đầu năm 2023" in out
    )


def test_a_province_checks_as_its_notebooks_read_it(tmp_path: Path, capsys) -> None:
    """The roll-up reads the whole database (load_province): no "choose a ward" error; a ward's runs are named by
    their run id; a ward's own name is never a "damaged" syllable ("Hưng Lợi" is not "hưởng lợi")."""
    from province_checks import execute

    from reportkit.data import sample_province as sample

    db = tmp_path / "data" / "province" / "province.db"
    db.parent.mkdir(parents=True)
    sample.write(8, f"sqlite:///{db}", out=tmp_path, params_url="sqlite:///data/province/province.db",
                 periods=("2022-H1",))  # fmt: skip
    execute(f"sqlite:///{db}", "DELETE FROM bao_cao WHERE phuong_xa = 'duy-tan' AND nam = 2022 AND thang = 5",
            "UPDATE phuong_xa SET ten = REPLACE(ten, 'Tây Lập', 'Hưng Lợi'), mo_ta = REPLACE(REPLACE(mo_ta, "
            "'Tây Lập', 'Hưng Lợi'), 'TÂY LẬP', 'HƯNG LỢI') WHERE ma = 'tay-lap'")  # fmt: skip
    code, out = check(tmp_path, capsys, "--notebook", str(tmp_path / "notebooks/province.ipynb"),
                      str(tmp_path / "params/province/province.yaml"))  # fmt: skip
    assert code == 0, out
    assert "tinh-binh-son/2022-H1: 6 tháng đầu năm 2022: 7/8 phường đã gửi đầy đủ báo cáo" in out
    assert "chưa đủ: Phường Duy Tân" in out and "chọn một phường" not in out
    code, out = check(tmp_path, capsys, str(tmp_path / "params/province/wards.yaml"))
    assert code == 2
    assert (
        "lỗi: params/province/wards.yaml: duy-tan/2022-H1: dữ liệu của Phường Duy Tân có từ tháng 01/2021 đến "
        "tháng 06/2023 nhưng thiếu tháng 05/2022: chưa đủ cho 6 tháng đầu năm 2022 (2022-H1)"
    ) in out
    assert "“Hưng”" not in out and "“HƯNG”" not in out
    # Eight wards without their texts yet: one note naming three files and counting the rest, not eight lines.
    assert out.count("chưa có tệp bài viết") == 1
    assert (
        "lưu ý: params/province/wards.yaml: chưa có tệp bài viết params/province/wards/duy-tan/2022-H1.md, "
        "params/province/wards/my-thuan/2022-H1.md, params/province/wards/phu-quang/2022-H1.md và 5 tệp khác "
        "(8 báo cáo): báo cáo thiếu các phần Ưu điểm;"
    ) in out
    code, out = check(tmp_path, capsys, "--strict", str(tmp_path / "params/province/wards.yaml"))
    assert code == 2 and out.count("chưa có tệp bài viết") == 1
    assert (
        "lỗi: params/province/wards.yaml: chưa có tệp bài viết params/province/wards/duy-tan/2022-H1.md"
        in out
    )
    from reportkit.data import load
    from reportkit.vn import check as proofread

    ward = load(f"sqlite:///{db}?unit=tay-lap").ward
    assert ward.name == "Phường Hưng Lợi" and ward.parent_body[1] == "PHƯỜNG HƯNG LỢI"
    assert [f.found for f in proofread(ward.name)] == ["Hưng"]  # as prose it would be: "hưởng lợi"


def test_the_sample_project_checks_clean() -> None:
    result = check_project(root=ROOT)
    assert result.exit_code == 0, [str(f) for f in result.problems]
    notes = [str(f) for f in result.findings]
    assert any("tổ 9 chưa gửi báo cáo tháng 6 năm 2023" in n for n in notes)  # 2023-H1: a note, not a problem
    assert not any("sớm hơn ngày" in n for n in notes)  # every sample report is dated after its tổ's reports


def test_a_report_dated_before_a_tor_report_it_sums_is_a_note(tmp_path: Path, capsys) -> None:
    """A văn thư's reading: the 2022-H2 report was dated 16/12 while the tổ's December reports, whose figures it
    states, are dated 24–28/12 — on the date it carries those figures did not exist yet."""
    import reportkit

    for folder in ("notebooks", "data/duy-tan"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "params").mkdir()
    for name in ("2022-H1.yaml", "2022-H1.md"):
        shutil.copy(ROOT / "params" / name, tmp_path / "params" / name)
    day, unit, month = reportkit.load(tmp_path / "data/duy-tan").last_report("2022-H1")
    assert month == (2022, 6) and unit.startswith("Tổ ")
    params = tmp_path / "params/2022-H1.yaml"
    text = "\n".join(
        line for line in params.read_text(encoding="utf-8").splitlines() if "issued_on" not in line
    )
    before = day.fromordinal(day.toordinal() - 1)
    params.write_text(f"{text}\nissued_on: {before.isoformat()}\n", encoding="utf-8")
    code, out = check(tmp_path, capsys)
    assert code == 0, out  # a note: an office may date it so on purpose, with "ước thực hiện" figures
    assert (
        f"ngày ký {before:%d/%m/%Y} (issued_on) sớm hơn ngày {unit.lower()} lập báo cáo tháng 6 năm 2022"
        in out
    )
    assert f"({day:%d/%m/%Y}): báo cáo nêu số liệu chưa có vào ngày ký" in out
    params.write_text(f"{text}\nissued_on: {day.isoformat()}\n", encoding="utf-8")
    code, out = check(tmp_path, capsys)
    assert code == 0 and "sớm hơn ngày" not in out, out
    # without issued_on the report is dated 30/06/2022: a tổ's June report of 05/07 is after it
    import openpyxl

    book = tmp_path / "data/duy-tan/bao-cao/2022/to-03-2022.xlsx"
    wb = openpyxl.load_workbook(book)
    ws = wb["Số liệu"]
    (row,) = [r for r in ws.iter_rows() if r[0].value == 6]
    (date_cell,) = [
        c for c in row if c.value == "26/06/2022"
    ]  # the "Ngày báo cáo" column, as the tổ typed it
    date_cell.value = "05/07/2022"
    wb.save(book)
    params.write_text(f"{text}\n", encoding="utf-8")
    code, out = check(tmp_path, capsys)
    assert (
        "ngày ký 30/06/2022 (ngày cuối kỳ: chưa ghi issued_on) sớm hơn ngày tổ 3 lập báo cáo tháng 6" in out
    ), out


def test_the_texts_of_a_params_file_with_problems_are_still_read(project: Path, capsys) -> None:
    (project / "params" / "2022-H1.yaml").write_text(
        "period: 2022-H3\ndata: data/hai-chau\n", encoding="utf-8"
    )
    (project / "params" / "2022-H1.md").write_text(
        GOOD_TEXTS.replace("p.next_name", "ky_sau"), encoding="utf-8"
    )
    code, out = check(project, capsys)
    assert code == 2
    assert "params/2022-H1.yaml, dòng 1: period: kỳ báo cáo không hợp lệ" in out
    assert "params/2022-H1.md, dòng 12: tên “ky_sau” chưa được định nghĩa" in out


def test_damaged_text_is_found_in_the_texts_the_notebook_and_the_data_with_its_place(
    project: Path, capsys
) -> None:
    """Issue 15: text with lost letters is found before it is signed — in the analyst's file, in a %%report cell, in
    ward.yaml and in a tổ's note — each with its file and line, key or cell; --strict makes lost letters a problem."""
    texts = project / "params" / "2022-H1.md"
    texts.write_text(GOOD_TEXTS.replace("Một số Ban CTMT chưa chủ động.", "Mt trn phường chưa chủ động."),
                     encoding="utf-8")  # fmt: skip
    ward = project / "data" / "hai-chau" / "ward.yaml"
    ward.write_text(ward.read_text(encoding="utf-8").replace("Thường trực Đảng ủy phường;", "Thường trc Đảng ủy phường;"),
                    encoding="utf-8")  # fmt: skip
    notebook = project / "notebooks" / "report.ipynb"
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "".join(c["source"]).startswith("%%report"))
    cell["source"] = ["%%report\n", "Ban Thường trực đã hướng dn các tổ.\n", *cell["source"][1:]]
    notebook.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    sheet = project / "data/hai-chau/bao-cao/2022/to-01-2022.xlsx"
    from openpyxl import load_workbook

    wb = load_workbook(sheet)
    ws = wb.worksheets[0]
    note_col = next(c.column for row in ws.iter_rows(max_row=12) for c in row if c.value == "Ghi chú")
    note_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value in (1, "1"))
    ws.cell(note_row, note_col, "Kin toàn Ban CTMT")
    wb.save(sheet)

    code, out = check(project, capsys)
    assert code == 0, out  # found and shown, but only notes without --strict
    assert (
        "lưu ý: params/2022-H1.md, dòng 9: soát chính tả: “Mt trn” → “Mặt trận” (âm tiết bị mất chữ)" in out
    )
    assert "notebooks/report.ipynb, ô " in out and "dòng 2: soát chính tả: “dn” → “dẫn”" in out
    assert "data/hai-chau/ward.yaml, recipients[" in out and "“trc” → “trực”" in out
    letter = chr(64 + note_col)
    assert (
        f"to-01-2022.xlsx, trang Số liệu, dòng {note_row}, ô {letter}{note_row} (Ghi chú): soát chính tả: “Kin” → “Kiện”"
        in out
    )
    code, out = check(project, capsys, "--strict")
    assert code == 2
    assert "lỗi: params/2022-H1.md, dòng 9: soát chính tả: “Mt trn”" in out


def test_what_check_knows_of_a_figures_object_is_what_it_answers():
    """`reportkit check` reads `f.<name>` as an indicator unless a Figures object answers it: a new attribute of
    Figures (``units``, ``like_for_like``) it did not know was reported as "không có chỉ tiêu"."""
    import reportkit
    from reportkit.batch.check import FIGURES_ATTRIBUTES
    from reportkit.data import Figures

    f = reportkit.load(ROOT / "data/duy-tan").figures("2022-H1")
    answered = {n for n in vars(f) if not n.startswith("_")} | {
        n for n in vars(Figures) if not n.startswith("_") and n not in f.values
    }
    assert answered == FIGURES_ATTRIBUTES


def test_a_folder_of_params_files_is_its_yaml_files(project: Path, capsys) -> None:
    """`reportkit run params/province` (the sample province's two files): a folder stood for nothing and failed
    with "Is a directory"."""
    from reportkit.batch.params import params_files

    (project / "params" / "later.yml").write_text("period: 2022-Q1\ndata: data/hai-chau\n", encoding="utf-8")
    (project / "params" / "notes.txt").write_text("not a params file", encoding="utf-8")
    folder = project / "params"
    assert params_files([folder, folder / "none.yaml"]) == [folder / "2022-H1.yaml", folder / "later.yml",
                                                            folder / "none.yaml"]  # fmt: skip
    code = main(["check", "--root", str(project), str(folder)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "params/2022-H1.yaml" in out and "params/later.yml" in out and "Is a directory" not in out
