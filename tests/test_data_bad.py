"""Broken inputs (tests/data/bad/, made by make_bad.py): every problem found, located to the cell, in one pass."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import reportkit
from reportkit.data import DataError, load

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "duy-tan"
BAD = Path(__file__).resolve().parent / "data" / "bad"
SHEET = "Số liệu"


def ward_with(tmp_path: Path, *files: Path, names: tuple[str, ...] = ()) -> Path:
    """A copy of the sample ward's description whose bao-cao/ holds only the given files."""
    ward = tmp_path / "ward"
    (ward / "bao-cao").mkdir(parents=True)
    for n in ("ward.yaml", "catalog.yaml", "ke-hoach.xlsx"):
        shutil.copy(SAMPLE / n, ward / n)
    for i, f in enumerate(files):
        shutil.copy(f, ward / "bao-cao" / (names[i] if i < len(names) else f.name))
    return ward


def problems_of(tmp_path: Path, name: str) -> list[tuple]:
    with pytest.raises(DataError) as info:
        load(ward_with(tmp_path, BAD / name), cache=False)
    err = info.value
    for p in err.problems:
        assert p.file.endswith(f"bao-cao/{name}")
    return [(p.kind, p.sheet, p.row, p.column, p.value, p.cell) for p in err.problems]


CASES = {
    "unknown-column.xlsx": [("unknown_column", SHEET, 6, "Số hộ được thăm hỏi", "Số hộ được thăm hỏi", "V6")],
    "missing-column.xlsx": [
        ("missing_column", SHEET, 6, "Vụ việc ANTT xử lý từ tin báo của người dân", None, None),
    ],
    "non-numeric.xlsx": [("non_numeric", SHEET, 9, "Tuyên truyền / Số buổi (buổi)", "mười hai", "E9")],
    "negative.xlsx": [("negative", SHEET, 10, "Vì người nghèo / Hộ thoát nghèo (hộ)", -3, "J10")],
    "out-of-range.xlsx": [("out_of_range", SHEET, 11, "Tuyên truyền / Số buổi (buổi)", 25, "E11")],
    "not-integer.xlsx": [("not_integer", SHEET, 10, "Tuyên truyền / Lượt người dự (lượt người)", 1.2, "F10")],
    "unknown-unit.xlsx": [("unknown_unit", SHEET, 2, "Tổ dân phố", "Tổ 12", "B2")],
    "month-outside-year.xlsx": [("month_outside_year", SHEET, 8, "Tháng", "02/2021", "A8")],
    "bad-month.xlsx": [("bad_month", SHEET, 12, "Tháng", "Tháng 13", "A12")],
    "bad-date.xlsx": [("bad_date", SHEET, 9, "Ngày báo cáo", "31/02/2022", "T9")],
    "bad-yes-no.xlsx": [
        (
            "bad_yes_no",
            SHEET,
            7,
            "Tập huấn, sinh hoạt Ban CTMT / Ban CTMT họp trong tháng (Có/Không)",
            "có lẽ",
            "C7",
        ),
    ],
    "duplicate.xlsx": [("duplicate", SHEET, 13, "Tháng", "Tổ 3, 03/2022", "A13")],
    "several.xlsx": [
        ("unknown_column", SHEET, 6, "Số hộ được thăm hỏi", "Số hộ được thăm hỏi", "V6"),
        ("non_numeric", SHEET, 9, "Tuyên truyền / Số buổi (buổi)", "mười hai", "E9"),
        ("negative", SHEET, 10, "Vì người nghèo / Hộ thoát nghèo (hộ)", -3, "J10"),
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_broken_input_names_every_problem_exactly(tmp_path, name):
    assert problems_of(tmp_path, name) == CASES[name]


def test_duplicate_names_both_places(tmp_path):
    with pytest.raises(DataError) as info:
        load(ward_with(tmp_path, BAD / "duplicate.xlsx"), cache=False)
    (p,) = info.value.problems
    assert (p.other.sheet, p.other.row) == (SHEET, 9)
    assert p.other.file == p.file


def test_same_month_in_two_files_names_both_files(tmp_path):
    good = BAD / "good-to-03-2022.xlsx"
    ward = ward_with(tmp_path, good, good, names=("to-03-2022.xlsx", "to-03-2022-gui-lai.xlsx"))
    with pytest.raises(DataError) as info:
        load(ward, cache=False)
    probs = info.value.problems
    assert len(probs) == 12  # every month of 2022, twice
    assert {p.kind for p in probs} == {"duplicate"}
    assert all(
        p.file.endswith("to-03-2022.xlsx") and p.other.file.endswith("to-03-2022-gui-lai.xlsx") for p in probs
    )
    assert [p.row for p in probs] == [p.other.row for p in probs] == list(range(7, 19))


def test_error_message_is_a_readable_table(tmp_path):
    with pytest.raises(reportkit.DataError) as info:
        load(ward_with(tmp_path, BAD / "several.xlsx"), cache=False)
    text = str(info.value)
    assert text.startswith("Dữ liệu có 3 lỗi")
    header = text.splitlines()[1]
    assert [h.strip() for h in header.split("|")] == [
        "Tệp",
        "Trang",
        "Dòng",
        "Ô/Cột",
        "Giá trị",
        "Lỗi",
        "Cần",
    ]
    assert "E9 (Tuyên truyền / Số buổi (buổi))" in text and "'mười hai'" in text and "không phải số" in text
    assert "J10" in text and "số âm" in text and "V6" in text


@pytest.mark.parametrize(
    "name", ["tcvn3.xlsx", "nfd.xlsx", "to-03-2022-utf8-bom.csv", "to-03-2022-cp1258.csv"]
)
def test_legacy_nfd_and_csv_inputs_load_like_the_original(tmp_path, name):
    reference = load(ward_with(tmp_path / "ref", BAD / "good-to-03-2022.xlsx"), cache=False).figures(
        "2022-H1"
    )
    f = load(ward_with(tmp_path / "x", BAD / name), cache=False).figures("2022-H1")
    assert f.as_dict() == reference.as_dict()
    assert f.completeness.reported == 6 and f.completeness.missing_units == [
        f"Tổ {n}" for n in (1, 2, *range(4, 11))
    ]


def test_nothing_is_returned_when_one_file_is_bad(tmp_path):
    ward = ward_with(tmp_path, BAD / "good-to-03-2022.xlsx", BAD / "negative.xlsx",
                     names=("to-03-2022.xlsx", "to-04-2022.xlsx"))  # fmt: skip
    with pytest.raises(DataError) as info:
        load(ward, cache=False)
    # the negative file is Tổ 3 again: its good months are duplicates, and the bad cell is reported too
    kinds = [p.kind for p in info.value.problems]
    assert "negative" in kinds and "duplicate" in kinds


def test_damaged_file_and_missing_table(tmp_path):
    ward = ward_with(tmp_path)
    (ward / "bao-cao" / "hong.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (ward / "bao-cao" / "trong.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load(ward, cache=False)
    got = sorted((Path(p.file).name, p.kind) for p in info.value.problems)
    assert got == [("hong.xlsx", "unreadable_file"), ("trong.csv", "no_table")]


GOOD = BAD / "good-to-03-2022.xlsx"


@pytest.mark.parametrize(
    ("name", "named"),
    [
        ("to-03-2022.xml", "bảng tính XML 2003 (.xml)"),
        ("to-03-2022.txt", "tệp văn bản (.txt)"),
        ("to-03-2022.tsv", "tệp văn bản tách bằng tab (.tsv)"),
        ("to-03-2022.prn", "(.prn)"),
        ("to-03-2022.docx", "(.docx)"),
        ("to-03-2022", "không có đuôi"),
        ("README.md", "(.md)"),
    ],
)
def test_every_file_in_the_reports_folder_is_read_or_named(tmp_path, name, named):
    # A tổ's workbook saved by Excel as "XML Spreadsheet 2003" or "Text (Tab delimited)", or sent as a Word file:
    # skipped, the tổ would count as not reported (9/10) with exit 0. Whatever sits in bao-cao/ is data or an error.
    ward = ward_with(tmp_path, GOOD, GOOD, names=("to-03-2022.xlsx", name))
    with pytest.raises(DataError) as info:
        load(ward, cache=False)
    (p,) = info.value.problems
    assert p.kind == "unsupported_format" and p.file.endswith(f"bao-cao/{name}"), p
    assert named in p.expected and "mở bằng Excel và lưu lại dạng .xlsx" in p.expected
    if not name.startswith("to-"):
        assert "chuyển ra khỏi thư mục bao-cao/" in p.expected


def test_hidden_files_lock_files_and_windows_folder_files_are_not_data(tmp_path):
    ward = ward_with(tmp_path, GOOD, names=("to-03-2022.xlsx",))
    reports = ward / "bao-cao"
    for junk in ("~$to-03-2022.xlsx", ".~lock.to-03-2022.xlsx#", ".DS_Store", "._to-03-2022.xlsx", "Thumbs.db",
                 "desktop.ini"):  # fmt: skip
        (reports / junk).write_bytes(b"\x00junk")
    (reports / ".git").mkdir()
    (reports / ".git" / "config").write_text("[core]\n")
    assert load(ward, cache=False).completeness("2022-H1").units_reported == 1


def test_a_file_not_read_is_listed_with_every_other_problem(tmp_path):
    ward = ward_with(tmp_path, BAD / "negative.xlsx", GOOD, names=("to-03-2022.xlsx", "to-04-2022.txt"))
    with pytest.raises(DataError) as info:
        load(ward, cache=False)
    got = sorted((Path(p.file).name, p.kind) for p in info.value.problems)
    assert got == [("to-03-2022.xlsx", "negative"), ("to-04-2022.txt", "unsupported_format")]


def project_with_ward(tmp_path: Path) -> tuple[Path, Path]:
    """A project (params/, notebooks/) holding a copy of the sample ward under data/w; (project, ward)."""
    project = tmp_path / "du-an"
    for d in ("params", "notebooks"):
        (project / d).mkdir(parents=True)
    ward = project / "data" / "w"
    shutil.copytree(SAMPLE, ward)
    return project, ward


@pytest.mark.parametrize(
    "which", ["bao-cao/2022/to-03-2022.xlsx", "ke-hoach.xlsx", "catalog.yaml", "ward.yaml"]
)
def test_a_file_linked_from_outside_the_project_is_refused_and_its_path_never_shown(tmp_path, which):
    # A tổ's workbook that is a symlink to /tmp/…: it passed `reportkit check` and the shared HTML and JSON named
    # the machine's /tmp/… path. Files are resolved, links followed, before the inside-the-project check.
    _, ward = project_with_ward(tmp_path)
    outside = tmp_path / "ngoai-du-an"
    outside.mkdir()
    (ward / which).rename(outside / Path(which).name)
    (ward / which).symlink_to(outside / Path(which).name)
    with pytest.raises(DataError) as info:
        load(ward, cache=False)
    (p,) = info.value.problems
    assert (p.kind, p.file) == ("linked_file", f"data/w/{which}"), p
    assert "chép tệp vào đây" in p.expected
    assert "ngoai-du-an" not in str(info.value) and str(tmp_path) not in str(info.value)


def test_a_file_linked_inside_the_project_is_read_under_its_own_name(tmp_path):
    project, ward = project_with_ward(tmp_path)
    shared = project / "data" / "chung"
    shared.mkdir()
    to3 = ward / "bao-cao" / "2022" / "to-03-2022.xlsx"
    to3.rename(shared / to3.name)
    to3.symlink_to(shared / to3.name)
    ds = load(ward, cache=False)
    assert ds.figures("2022-H1").completeness.units_reported == 10
    assert "data/w/bao-cao/2022/to-03-2022.xlsx" in {s.path for s in ds.sources}


def test_a_broken_link_or_a_pipe_in_the_reports_folder_is_named_not_skipped(tmp_path):
    _, ward = project_with_ward(tmp_path)
    to3 = ward / "bao-cao" / "2022" / "to-03-2022.xlsx"
    to3.unlink()
    to3.symlink_to(ward / "bao-cao" / "2022" / "khong-co.xlsx")
    os.mkfifo(ward / "bao-cao" / "2022" / "to-04-2022.xlsx.tmp.xlsx")
    with pytest.raises(DataError) as info:
        load(ward, cache=False)
    got = sorted((p.kind, p.file) for p in info.value.problems)
    assert got == [
        ("unreadable_file", "data/w/bao-cao/2022/to-03-2022.xlsx"),
        ("unreadable_file", "data/w/bao-cao/2022/to-04-2022.xlsx.tmp.xlsx"),
    ]
