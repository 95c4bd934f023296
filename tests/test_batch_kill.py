"""Issue 11's acceptance on the real sample project: `reportkit run --force`, then SIGKILL or SIGTERM of that one
process (not its group) while reports run: no process of the run stays, nothing is committed after the signal, and
the next run rebuilds what was interrupted. The shared files of that run name no folder of this machine."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]


def sample_project(root: Path) -> Path:
    for name in ("notebooks", "params"):
        shutil.copytree(REPO / name, root / name)
    shutil.copytree(REPO / "data" / "duy-tan", root / "data" / "duy-tan")
    return root


def cli(root: Path, *args: str, **kw):
    command = [sys.executable, "-m", "reportkit.cli", "run", "--root", str(root), "--jobs", "2", *args]
    return command, {"cwd": root, "text": True, **kw}


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["kill", "term"])
def test_killing_the_runner_alone_stops_the_whole_run(tmp_path, signum):
    root = sample_project(tmp_path)
    command, kw = cli(root, "--force")
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True, **kw
    )
    seen = []
    for (
        line
    ) in proc.stderr:  # as soon as reports run (the acceptance waits 8 s; this is the same moment, sooner)
        seen.append(line)
        if ": running" in line:
            break
    run = psutil.Process(proc.pid).children(recursive=True)  # workers, their kernels, the resource tracker
    assert sum("ipykernel" in " ".join(p.cmdline()) for p in run) >= 1, "".join(seen)
    scratch = {t for t in (p.environ().get("TMPDIR", "") for p in run) if "reportkit-worker-" in t}
    stamp = root / "killed.stamp"
    stamp.touch()
    kill_time = stamp.stat().st_mtime
    os.kill(proc.pid, signum)  # the runner alone: what `kill PID`, a supervisor, an OOM killer do
    proc.communicate(timeout=120)
    _, alive = psutil.wait_procs(run, timeout=30)
    assert alive == [], [" ".join(p.cmdline())[:120] for p in alive]
    outputs = root / "outputs"
    late = [
        str(p.relative_to(root))
        for p in outputs.rglob("*")
        if p.is_file()
        and p.name.startswith(("report-", ".reportkit-run.json"))
        and p.stat().st_mtime > kill_time
    ]
    assert late == []
    for folder in (p for p in outputs.iterdir() if p.is_dir()):  # what was committed is whole
        manifest = json.loads((folder / ".reportkit-run.json").read_text(encoding="utf-8"))
        assert {p.name for p in folder.iterdir()} - {".reportkit-run.json"} == set(manifest["files"])
    done = {p.name for p in outputs.iterdir() if p.is_dir()}

    command, kw = cli(root, "--json")
    again = subprocess.run(command, capture_output=True, timeout=900, **kw)
    assert again.returncode == 0, again.stderr
    statuses = {r["run_id"]: r["status"] for r in json.loads(again.stdout)["reports"]}
    # the workers' temporary folders: removed by the runner (SIGTERM) or, abandoned by SIGKILL, by the next run
    assert scratch and not [folder for folder in scratch if Path(folder).exists()]
    assert set(statuses) == {"2021-H2", "2022-H1", "2022-H2", "2023-H1"}
    assert all(statuses[r] == "ok" for r in set(statuses) - done), statuses  # the interrupted ones, rebuilt
    # The shared files name the data relative to the project, never by this machine's folders.
    for period in statuses:
        for name in (f"report-{period}.html", f"report-{period}.json", f"report-{period}.article.html"):
            assert str(tmp_path) not in (outputs / period / name).read_text(encoding="utf-8"), name
    assert str(tmp_path) not in (outputs / "index.html").read_text(encoding="utf-8")
