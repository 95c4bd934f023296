"""Precise inputs: the data layer names exactly the files behind a report's figures (comparisons included), and
the batch watches exactly those and the files of the years the report read (reportkit.core.inputs)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

import reportkit
from reportkit.batch import store
from reportkit.core import inputs
from reportkit.core import record as report
from reportkit.data import DataError
from reportkit.narrative import provenance, sources, year_to_date

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "duy-tan"


def read_like_the_notebook(ds, period: str):
    """What notebooks/report.ipynb asks the dataset: the period, its comparisons, year to date, the plan."""
    f = ds.figures(period)
    _ = f.last_year, f.previous
    f.plan("giam_ho_ngheo")
    year_to_date(ds, period, "quy_vnn")
    return f


def names(listed) -> set[str]:
    return {Path(s["path"]).name for s in listed}


@pytest.fixture()
def ward(tmp_path: Path) -> Path:
    folder = tmp_path / "duy-tan"
    shutil.copytree(SAMPLE, folder)
    return folder


def workbook_of_year(source: Path, target: Path, year: int) -> None:
    """A copy of a tổ's workbook relabelled as another year (title, "Năm:" cell and file name)."""
    wb = load_workbook(source)
    ws = wb.worksheets[0]
    old = ws["B3"].value
    ws["A1"] = str(ws["A1"].value).replace(str(old), str(year))
    ws["B3"] = year
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)


def test_year_in_name_and_what_a_report_watches():
    assert inputs.year_in_name("bao-cao/2022/to-04-2022.xlsx") == 2022
    assert inputs.year_in_name("bao-cao/2021/to-04.xlsx") == 2021  # the folder's year
    assert inputs.year_in_name("ke-hoach.xlsx") is None
    assert inputs.year_in_name("to-04-12022.xlsx") is None  # not a year on its own
    assert inputs.watched("bao-cao/2022/to-04-2022.xlsx", [2021, 2022])
    assert not inputs.watched("bao-cao/2023/to-04-2023.xlsx", [2021, 2022])
    assert inputs.watched("ward.yaml", [2021])  # no year: every report depends on it
    assert inputs.watched("bao-cao/2023/to-04-2023.xlsx", None)  # a report that read everything


def test_sources_are_exactly_the_files_behind_the_figures_and_comparisons():
    ds = reportkit.load(SAMPLE)
    f = read_like_the_notebook(ds, "2022-H1")
    listed = sources(ds)
    files = names(listed)
    assert {"ward.yaml", "catalog.yaml", "ke-hoach.xlsx"} <= files
    assert {f"to-{n:02d}-2021.xlsx" for n in range(1, 11)} <= files  # cùng kỳ and the period before
    assert {f"to-{n:02d}-2022.xlsx" for n in range(1, 11)} <= files
    assert not any("2023" in name for name in files)
    assert len(listed) == 23 and all(len(s["sha256"]) == 64 for s in listed)
    assert provenance(f) == {
        "data_from": "2021-01",
        "data_to": "2022-06",
        "years": [2021, 2022],
        "units": [f"Tổ {n}" for n in range(1, 11)],
        "missing": [],
    }
    ds = reportkit.load(SAMPLE)
    f = read_like_the_notebook(ds, "2021-H2")
    assert not any(("2022" in n or "2023" in n) for n in names(sources(ds)))
    assert provenance(f)["years"] == [2020, 2021]  # 2020-H2 was looked for: a 2020 workbook would matter


def test_plan_file_only_when_a_plan_is_read_and_everything_after_frame():
    ds = reportkit.load(SAMPLE)
    ds.figures("2022-Q1")
    assert "ke-hoach.xlsx" not in names(sources(ds))
    ds.frame()  # the analyst's long table reads every month
    assert ds.inputs().years is None
    assert any("2023" in n for n in names(sources(ds)))


def test_a_comparison_depends_on_its_own_months_only(ward: Path):
    before = reportkit.load(ward, cache=False).figures("2021-H1")
    assert before.last_year is None and before.previous is None
    # A whole year of data further back changes nothing about 2021-H1's comparisons (2020-H1, 2020-H2 are
    # still missing), so a report of 2021-H1 need not be redone when a 2019 workbook arrives.
    workbook_of_year(ward / "bao-cao/2021/to-01-2021.xlsx", ward / "bao-cao/2019/to-01-2019.xlsx", 2019)
    after = reportkit.load(ward, cache=False)
    assert after.first_month == (2019, 1)
    assert after.figures("2021-H1").last_year is None and after.figures("2021-H1").previous is None
    with pytest.raises(ValueError, match="Không có số liệu"):
        after.figures("2020-H1")


def test_a_workbook_holding_another_year_than_its_name_is_a_problem(ward: Path):
    shutil.copy(ward / "bao-cao/2021/to-01-2021.xlsx", ward / "bao-cao/to-01-2020.xlsx")
    with pytest.raises(DataError) as info:
        reportkit.load(ward, cache=False)
    kinds = {p.kind for p in info.value.problems}
    assert "year_not_in_name" in kinds
    problem = next(p for p in info.value.problems if p.kind == "year_not_in_name")
    assert problem.file.endswith("to-01-2020.xlsx") and "2020" in problem.expected


def test_sql_sources_are_the_tables_read(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'ward.db'}"
    reportkit.load(SAMPLE).to_sql(url)
    ds = reportkit.load(url)
    ds.figures("2022-Q1")
    assert [s["path"].rsplit("#", 1)[1] for s in sources(ds)] == ["bao_cao"]
    ds.figures("2022-Q1").plan("quy_vnn")
    assert [s["path"].rsplit("#", 1)[1] for s in sources(ds)] == ["bao_cao", "ke_hoach"]


def test_the_record_checks_provenance():
    good = {
        "data_from": "2021-01",
        "data_to": "2022-06",
        "years": [2021, 2022],
        "units": ["Tổ 1"],
        "missing": [],
    }
    assert report.problems({"provenance": good}) == []
    assert report.problems({"provenance": {**good, "years": None}}) == []
    bad = {
        "data_from": "2021-13",
        "data_to": 202206,
        "years": ["2021"],
        "units": "Tổ 1",
        "missing": [{"unit": "Tổ 4", "months": ["05/2022"]}],
    }
    found = "\n".join(report.problems({"provenance": bad}))
    for key in ("data_from", "data_to", "years", "units", "missing[0]"):
        assert f"provenance.{key}" in found
    assert "provenance: missing keys" in "\n".join(report.problems({"provenance": {}}, complete=True))
    assert report.problems({"provenance": []}) == ["provenance: expected an object with data_from, data_to, "
                                                     "years, units, missing, got []"]  # fmt: skip
    figure = {"id": "quy_vnn", "label": "Quỹ", "value": 1, "text": "1", "unit": 5}
    assert "key_figures[0].unit: expected a string" in report.problems({"key_figures": [figure]})[0]


# --- the batch's side: what a manifest watches -------------------------------------------------------------------


def manifest_for(record: dict, listing: dict) -> dict:
    return store.input_manifest(record, listing, Path("/project"))


def test_listing_names_years_from_below_the_data_folder(tmp_path: Path):
    root = tmp_path
    data = root / "data" / "2022-ward"  # a year in the folder's own name says nothing about its files
    (data / "bao-cao" / "2021").mkdir(parents=True)
    (data / "ward.yaml").write_text("name: X\n")
    (data / "bao-cao" / "2021" / "to-01.xlsx").write_bytes(b"x")
    (data / "bao-cao" / "2021" / "~$to-01.xlsx").write_bytes(b"lock")
    (data / ".DS_Store").write_bytes(b"")
    listing = store.data_listing([str(data)], root)
    assert {k: v[1] for k, v in listing.items()} == {
        "data/2022-ward/bao-cao/2021/to-01.xlsx": 2021,
        "data/2022-ward/ward.yaml": None,
    }
    assert store.data_listing([str(root / "missing")], root) == {}


def test_a_report_is_stale_only_for_files_of_its_years():
    listing = {
        "data/w/ward.yaml": ["a" * 64, None],
        "data/w/bao-cao/2021/to-01-2021.xlsx": ["b" * 64, 2021],
        "data/w/bao-cao/2022/to-04-2022.xlsx": ["c" * 64, 2022],
    }
    record = {
        "sources": [{"path": "data/w/ward.yaml"}, {"path": "data/w/bao-cao/2021/to-01-2021.xlsx"}],
        "provenance": {"years": [2020, 2021]},
    }
    manifest = manifest_for(record, listing)
    assert set(manifest["watch"]) == {"data/w/ward.yaml", "data/w/bao-cao/2021/to-01-2021.xlsx"}
    assert manifest["sources"][1] == {"path": "data/w/bao-cao/2021/to-01-2021.xlsx", "sha256": "b" * 64}
    root = Path("/project")
    assert store.inputs_current(manifest, root, listing)
    changed_2022 = {**listing, "data/w/bao-cao/2022/to-04-2022.xlsx": ["d" * 64, 2022]}
    assert store.inputs_current(manifest, root, changed_2022)  # 2021-H2 is skipped
    new_2020 = {**listing, "data/w/bao-cao/2020/to-01-2020.xlsx": ["e" * 64, 2020]}
    assert not store.inputs_current(manifest, root, new_2020)  # cùng kỳ 2020 may now exist
    new_no_year = {**listing, "data/w/notes.csv": ["f" * 64, None]}
    assert not store.inputs_current(manifest, root, new_no_year)
    changed_source = {**listing, "data/w/bao-cao/2021/to-01-2021.xlsx": ["0" * 64, 2021]}
    assert not store.inputs_current(manifest, root, changed_source)
    gone = {k: v for k, v in listing.items() if k != "data/w/ward.yaml"}
    assert not store.inputs_current(manifest, root, gone)
    assert not store.inputs_current({"sources": []}, root, listing)  # an old manifest: redo once


def test_a_record_without_years_watches_every_file():
    listing = {"data/w/bao-cao/2023/to-01-2023.xlsx": ["a" * 64, 2023]}
    manifest = manifest_for({"sources": [{"path": "figures.json"}]}, listing)
    assert manifest["years"] is None and set(manifest["watch"]) == set(listing)
    assert manifest["sources"] == [{"path": "figures.json", "sha256": None}]  # unknown: never unchanged
    assert not store.inputs_current(manifest, Path("/project"), listing)
    url = manifest_for({"sources": [{"path": "postgresql://u:***@db/w#bao_cao"}]}, {})
    assert url["sources"][0]["sha256"] is None
