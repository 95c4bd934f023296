"""The sample project's four reports and the batch's precise inputs, as issue 14 accepts them: one figure changed
in a tổ's 2022 workbook re-runs only the reports that read 2022 data (2021-H2 is skipped); a workbook added for
2020 re-runs only the report whose comparison looked for 2020."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from reportkit.batch import BatchOptions, format_summary, run_batch

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stable_code_digest")]


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("incremental")
    for folder in ("data", "notebooks", "params"):
        shutil.copytree(ROOT / folder, root / folder)
    return root


def run(root: Path) -> dict[str, str]:
    result = run_batch(BatchOptions(root=root, jobs=2, formats=("html",)))
    assert result.exit_code == 0, format_summary(result)
    return {r.run_id: r.status for r in result.reports}


def edit(path: Path, cell: str, value) -> None:
    wb = load_workbook(path)
    wb.worksheets[0][cell] = value
    wb.save(path)


def test_only_the_reports_that_read_a_changed_year_run_again(project: Path):
    assert set(run(project).values()) == {"ok"}
    record = json.loads((project / "outputs/2022-H1/report-2022-H1.json").read_text(encoding="utf-8"))
    named = [s["path"] for s in record["sources"]]
    assert not any("2023" in p for p in named) and any(p.endswith("to-04-2022.xlsx") for p in named)
    assert run(project) == dict.fromkeys(("2021-H2", "2022-H1", "2022-H2", "2023-H1"), "skipped")

    edit(project / "data/duy-tan/bao-cao/2022/to-04-2022.xlsx", "F11", 280)  # Tổ 4, tháng 5: lượt người dự
    assert run(project) == {"2021-H2": "skipped", "2022-H1": "ok", "2022-H2": "ok", "2023-H1": "ok"}

    # A workbook for 2020: only 2021-H2 looked for 2020 (its cùng kỳ, 2020-H2).
    source = project / "data/duy-tan/bao-cao/2021/to-01-2021.xlsx"
    target = project / "data/duy-tan/bao-cao/2020/to-01-2020.xlsx"
    target.parent.mkdir()
    wb = load_workbook(source)
    ws = wb.worksheets[0]
    ws["A1"] = str(ws["A1"].value).replace("2021", "2020")
    ws["B3"] = 2020
    wb.save(target)
    assert run(project) == {"2021-H2": "ok", "2022-H1": "skipped", "2022-H2": "skipped", "2023-H1": "skipped"}
