"""Incremental at scale (issue 16, point 3): a province's reports from a database are made again only when the rows
they read change. One ward's figure of September 2022 changes: that ward's 6 tháng cuối năm 2022 is made again,
and nothing else — not its other halves, not another ward's — in SQLite and on a PostgreSQL server alike."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from pg_server import new_schema
from province_checks import execute

from reportkit.batch import BatchOptions, format_summary, run_batch
from reportkit.data import sample_province as sample

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stable_code_digest")]

REPO = Path(__file__).resolve().parents[1]
WARDS = 3
PERIODS = ("2021-H2", "2022-H1", "2022-H2")


@pytest.fixture(params=["sqlite", "postgresql"])
def province(request, tmp_path):
    """(project, database URL as the tests reach it) for a 3-ward province."""
    root = tmp_path / "du-an"
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    if request.param == "sqlite":
        db = root / "data/province/province.db"
        db.parent.mkdir(parents=True)
        url = f"sqlite:///{db}"
        sample.write(WARDS, url, out=root, params_url="sqlite:///data/province/province.db", periods=PERIODS)
        yield root, url
        return
    with new_schema("reportkit_incremental") as url:
        sample.write(WARDS, url, out=root, periods=PERIODS)
        yield root, url


def statuses(result) -> dict[str, str]:
    return {r.run_id: r.status for r in result.reports}


def test_one_changed_figure_remakes_only_the_reports_that_read_it(province):
    root, url = province
    options = BatchOptions(root=root, params=[root / "params/province/wards.yaml"], formats=("html",), jobs=2)
    first = run_batch(options)
    assert first.exit_code == 0, format_summary(first)
    assert set(statuses(first).values()) == {"ok"} and len(first.reports) == WARDS * len(PERIODS)
    again = run_batch(options)
    assert set(statuses(again).values()) == {"skipped"}, format_summary(again)

    ward = sample.ward_names(WARDS)[1].code
    record = root / f"outputs/{ward}/2022-H2/report-{ward}-2022-H2.json"
    before = {f["id"]: f["value"] for f in json.loads(record.read_text(encoding="utf-8"))["key_figures"]}
    execute(url, f"UPDATE bao_cao SET vu_viec_antt = COALESCE(vu_viec_antt, 0) + 1 WHERE phuong_xa = '{ward}' "
                 "AND nam = 2022 AND thang = 9 AND id = (SELECT MIN(id) FROM bao_cao WHERE phuong_xa = "
                 f"'{ward}' AND nam = 2022 AND thang = 9)")  # fmt: skip
    changed = run_batch(options)
    assert changed.exit_code == 0, format_summary(changed)
    remade = {run_id for run_id, status in statuses(changed).items() if status == "ok"}
    assert remade == {f"{ward}/2022-H2"}, format_summary(changed)
    assert set(statuses(changed).values()) == {"ok", "skipped"}
    after = {f["id"]: f["value"] for f in json.loads(record.read_text(encoding="utf-8"))["key_figures"]}
    assert after["vu_viec_antt"] == (before["vu_viec_antt"] or 0) + 1
    assert {k: v for k, v in after.items() if k != "vu_viec_antt"} == {
        k: v for k, v in before.items() if k != "vu_viec_antt"
    }


def test_a_notebook_reading_more_than_a_wards_report_is_never_trusted_with_the_digest(province):
    """The digest covers the rows a ward's report reads; a report whose record says it read other years (here: a
    notebook that reads the whole database) keeps no digest in its manifest and is made every time."""
    root, _ = province
    nb = json.loads((root / "notebooks/report.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if "record(" in source and "provenance=provenance(f)" in source:
            cell["source"] = "ds.frame()  # every row, every year\n" + source
    (root / "notebooks/report.ipynb").write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    params = root / "params/one.yaml"
    data = json.dumps(sample.ward_names(WARDS)[0].code)
    text = (root / "params/province/wards.yaml").read_text(encoding="utf-8")
    params.write_text(text.split("periods:")[0] + f"period: 2022-H1\nunits: [{data}]\n", encoding="utf-8")
    options = BatchOptions(root=root, params=[params], formats=("html",), jobs=1)
    first = run_batch(options)
    assert first.exit_code == 0, format_summary(first)
    (manifest,) = (root / "outputs").rglob(".reportkit-run.json")
    assert json.loads(manifest.read_text(encoding="utf-8"))["data_digest"] is None
    assert set(statuses(run_batch(options)).values()) == {"ok"}


def test_the_planner_asks_each_database_once_and_an_unknown_ward_costs_only_its_report(monkeypatch):
    from reportkit.batch import plan
    from reportkit.batch.params import Run
    from reportkit.data import UnitError

    asked = []

    def digests(url, runs):
        runs = list(runs)
        asked.append((url, len(runs)))
        if any(unit == "nowhere" for unit, _ in runs):
            raise UnitError("no ward 'nowhere'", unit="nowhere", units=["a", "b"])
        return {(unit, period): f"{url}|{unit}|{period}" for unit, period in runs}

    monkeypatch.setattr("reportkit.data.report_digests", digests)
    runs = [Run(f"{db}-{u}/{p}", "params/w.yaml", {"period": p, "data": f"postgresql://h/{db}?unit={u}"})
            for db in ("one", "two") for u in ("a", "b", "nowhere") for p in ("2022-H1", "2022-H2")]  # fmt: skip
    runs.append(Run("2022-H1", "params/p.yaml", {"period": "2022-H1", "data": "data/duy-tan"}))
    found = plan.data_digests(runs)
    assert sorted(found) == sorted(r.run_id for r in runs if "nowhere" not in r.run_id and "/" in r.run_id)
    assert found["two-a/2022-H1"] == "postgresql://h/two|a|2022-H1"
    # one call per database, and one more without the ward it does not know
    assert asked == [("postgresql://h/one", 6), ("postgresql://h/one", 4), ("postgresql://h/two", 6),
                     ("postgresql://h/two", 4)]  # fmt: skip
