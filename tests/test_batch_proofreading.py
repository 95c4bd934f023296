"""The proofreader in the batch (issue 15): what a report's prose says is checked when it renders; the findings are
in the summary and --json, and --strict fails a report whose text lost letters, keeping its previous report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PASTED = "Mt trn phường đã phối hợp tốt với các đoàn thể trong kỳ."  # last year's paragraph, pasted


def reportkit(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportkit.cli", "run", "--jobs", "1", "--to", "html", *args],
        cwd=project, capture_output=True, text=True, timeout=600,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1656032400"},
    )  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("proofreading")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "data" / "duy-tan", root / "data" / "duy-tan")
    (root / "params").mkdir()
    for name in ("2022-H1.yaml", "2022-H1.md"):
        shutil.copy(ROOT / "params" / name, root / "params" / name)
    return root


def test_findings_are_listed_and_strict_keeps_the_previous_report(project: Path) -> None:
    clean = reportkit(project, "--json")
    assert clean.returncode == 0, clean.stderr
    (report,) = json.loads(clean.stdout)["reports"]
    assert "findings" not in report  # the sample's own prose: nothing to correct
    page = project / "outputs/2022-H1/report-2022-H1.html"
    good = page.read_bytes()

    texts = project / "params/2022-H1.md"
    texts.write_text(texts.read_text(encoding="utf-8").replace("## Nguyên nhân\n", f"## Nguyên nhân\n\n{PASTED}\n", 1),
                     encoding="utf-8")  # fmt: skip
    line = texts.read_text(encoding="utf-8").split("\n").index(PASTED) + 1
    # ... and a sentence of the notebook's own, typed through the same code page.
    notebook = project / "notebooks/report.ipynb"
    nb = nbformat.read(notebook, as_version=4)
    (closing,) = [c for c in nb.cells if "".join(c.source).startswith("%%report\nTrên đây là báo cáo")]
    closing.source = closing.source.replace(
        "Trên đây là báo cáo", "Các Ban CTMT tiếp tc phối hợp tốt. Trên đây là báo cáo", 1
    )
    nbformat.write(nb, notebook)
    cell = nb.cells.index(closing) + 1
    warned = reportkit(project)
    assert warned.returncode == 0, warned.stderr
    # Each where it is corrected: the analyst's words in their file and line, the notebook's in its cell.
    assert (
        f"soát chính tả: params/2022-H1.md, dòng {line}: “Mt trn” → “Mặt trận” (âm tiết bị mất chữ)"
        in warned.stdout
    ), warned.stdout
    assert f"soát chính tả: ô {cell}: “tc” → “tục” (âm tiết bị mất chữ)" in warned.stdout
    damaged = page.read_bytes()
    assert (
        damaged != good
    )  # built, as written: the proofreader reports, it never rewrites the analyst's words

    strict = reportkit(project, "--strict", "--force", "--json")
    assert strict.returncode == 1, strict.stderr
    (failed,) = json.loads(strict.stdout)["reports"]
    assert failed["status"] == "failed" and failed["error"]["kind"] == "proofreading"
    assert f"params/2022-H1.md, dòng {line}: “Mt trn” → “Mặt trận”" in failed["error"]["message"]
    pasted = [f for f in failed["findings"] if f["found"] == "Mt trn"]
    assert [(f["file"], f["line"]) for f in pasted] == [("params/2022-H1.md", line)]
    assert [f for f in failed["findings"] if f["found"] == "tc" and "file" not in f]
    assert page.read_bytes() == damaged  # the previous report stays in place

    unchanged = reportkit(project, "--strict")  # up to date, but --strict still may not pass it
    assert unchanged.returncode == 1 and "DamagedText" in unchanged.stdout, unchanged.stdout


def test_damaged_text_in_the_data_is_shown_on_load_located_to_its_cell(tmp_path: Path) -> None:
    """A tổ typed its note through a code page that lost letters: the note under the notebook's loading cell and the
    batch summary name the file and cell; the report is built (the note is never printed), even with --strict."""
    import nbformat
    import openpyxl

    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks")
    shutil.copytree(ROOT / "data" / "duy-tan", tmp_path / "data" / "duy-tan")
    (tmp_path / "params").mkdir()
    for name in ("2022-H1.yaml", "2022-H1.md"):
        shutil.copy(ROOT / "params" / name, tmp_path / "params" / name)
    workbook = tmp_path / "data/duy-tan/bao-cao/2022/to-01-2022.xlsx"
    book = openpyxl.load_workbook(workbook)
    book["Số liệu"]["U8"] = "Ban CTMT t chc hp đủ"
    book.save(workbook)

    run = reportkit(tmp_path, "--strict", "--json")
    assert run.returncode == 0, run.stdout + run.stderr
    (report,) = json.loads(run.stdout)["reports"]
    assert report["status"] == "ok"
    data = [f for f in report["findings"] if f.get("source") == "data"]
    assert {f["found"] for f in data} >= {"t chc hp"}, data
    assert all("to-01-2022.xlsx, trang Số liệu, dòng 8, ô U8 (Ghi chú)" in f["message"] for f in data), data
    assert not any(f.get("source") != "data" for f in report["findings"])  # the report's own prose is clean

    summary = reportkit(tmp_path, "--force")
    assert "soát chính tả: ô " in summary.stdout and "ô U8 (Ghi chú)" in summary.stdout, summary.stdout
    assert (
        "/tmp" not in summary.stdout and str(tmp_path) not in summary.stdout
    )  # the file as the project names it

    executed = nbformat.read(tmp_path / "outputs/2022-H1/report-2022-H1.ipynb", as_version=4)
    (loading,) = [c for c in executed.cells if "reportkit.load(" in "".join(c.source)]
    (note,) = [
        o for o in loading.outputs if o.get("metadata", {}).get("reportkit", {}).get("kind") == "proofreading"
    ]
    assert "Soát chính tả trong dữ liệu" in note["data"]["text/plain"] and "ô U8" in note["data"]["text/html"]
    page = (tmp_path / "outputs/2022-H1/report-2022-H1.html").read_text(encoding="utf-8")
    assert "t chc" not in page and "Soát chính tả" not in page  # never part of the shared report
