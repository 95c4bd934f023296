"""Two builds of the same inputs with SOURCE_DATE_EPOCH are byte-identical, and a command leaves no process."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
REPORTKIT = [sys.executable, "-m", "reportkit.cli"]


def processes_in(folder: Path) -> list[str]:
    """Processes whose working folder is inside ``folder`` (a report's kernel runs in its notebooks/)."""
    found = []
    for proc in psutil.process_iter(["pid", "cwd", "cmdline"]):
        with contextlib.suppress(psutil.Error, TypeError):
            if proc.info["cwd"] and Path(proc.info["cwd"]).is_relative_to(folder):
                found.append(f"{proc.info['pid']} {' '.join(proc.info['cmdline'] or [])[:120]}")
    return found


def test_two_forced_builds_with_source_date_epoch_are_byte_identical(tmp_path: Path) -> None:
    project = tmp_path / "du-an"
    shutil.copytree(ROOT / "notebooks", project / "notebooks")
    shutil.copytree(ROOT / "data" / "duy-tan", project / "data" / "duy-tan")
    (project / "params").mkdir()
    shutil.copy(ROOT / "params" / "2022-H1.yaml", project / "params")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1656032400"}
    for out in ("a", "b"):
        proc = subprocess.run(
            [*REPORTKIT, "run", "--force", "--jobs", "1", "--out", out],
            cwd=project, env=env, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert not processes_in(project), "the command left processes behind"
    files = sorted(p.relative_to(project / "a") for p in (project / "a").rglob("*") if p.is_file())
    assert {f.name for f in files} >= {
        "report-2022-H1.html", "report-2022-H1.json", "report-2022-H1.pdf", "report-2022-H1.ipynb", "index.html",
        "report-2022-H1.docx",
    }  # fmt: skip
    differ = [str(f) for f in files if (project / "a" / f).read_bytes() != (project / "b" / f).read_bytes()]
    assert not differ, f"not byte-identical: {differ}"
    page = (project / "a/2022-H1/report-2022-H1.html").read_text(encoding="utf-8")
    assert "08:00, ngày 24/06/2022" in page  # the fixed clock, in Vietnam time
