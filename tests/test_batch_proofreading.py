"""The proofreader in the batch (issue 15): what a report's prose says is checked when it renders; the findings are
in the summary and --json, and --strict fails a report whose text lost letters, keeping its previous report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

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
    warned = reportkit(project)
    assert warned.returncode == 0, warned.stderr
    assert (
        "soát chính tả: ô " in warned.stdout and "“Mt trn” → “Mặt trận” (âm tiết bị mất chữ)" in warned.stdout
    )
    damaged = page.read_bytes()
    assert (
        damaged != good
    )  # built, as written: the proofreader reports, it never rewrites the analyst's words

    strict = reportkit(project, "--strict", "--force", "--json")
    assert strict.returncode == 1, strict.stderr
    (failed,) = json.loads(strict.stdout)["reports"]
    assert failed["status"] == "failed" and failed["error"]["kind"] == "proofreading"
    assert "“Mt trn” → “Mặt trận”" in failed["error"]["message"]
    assert {f["found"] for f in failed["findings"]} >= {"Mt trn"}
    assert page.read_bytes() == damaged  # the previous report stays in place

    unchanged = reportkit(project, "--strict")  # up to date, but --strict still may not pass it
    assert unchanged.returncode == 1 and "DamagedText" in unchanged.stdout, unchanged.stdout
