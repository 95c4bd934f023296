"""Fixtures shared by the batch tests, and the property tests' settings."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import settings

# Dask's scratch root (a LocalCluster's scheduler and workers) in a folder of this session, removed at its end:
# by default distributed leaves /tmp/dask-scratch-space and its lock files behind. Set before dask is imported.
_DASK_SCRATCH = tempfile.mkdtemp(prefix="reportkit-tests-dask-")
os.environ["DASK_TEMPORARY_DIRECTORY"] = _DASK_SCRATCH

# The same examples on every run, no database in the checkout, and no deadline (a time limit per example fails a
# test when the machine is busy): a property test finds a bug once, in a run someone looks at, instead of turning
# one CI run red by chance. HYPOTHESIS_PROFILE=explore searches with new random examples each run.
settings.register_profile("reportkit", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "reportkit"))

TINY_NOTEBOOK = Path(__file__).parent / "data" / "notebooks" / "tiny.ipynb"


@pytest.fixture(scope="module")
def stable_code_digest():
    """Pin reportkit's code hash in the incremental fingerprint for one module.

    Other rooms of reportkit may change while the suite runs in a shared checkout; a module asks for it with
    ``pytestmark = pytest.mark.usefixtures("stable_code_digest")``.
    """
    from reportkit.batch import store

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store, "reportkit_digest", lambda: "pinned-for-tests")
        yield


def make_tiny_project(root: Path, figures: dict[str, int], *, issued: bool = False) -> Path:
    """A project of the tiny test notebook: one params file per period of ``figures`` (period → its one value)."""
    for folder in ("params", "notebooks", "data/ward", "outputs"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(TINY_NOTEBOOK, root / "notebooks" / "report.ipynb")
    (root / "data/ward/ward.yaml").write_text("name: Phường Thử Nghiệm\n", encoding="utf-8")
    (root / "data/ward/figures.json").write_text(json.dumps(figures), encoding="utf-8")
    for i, period in enumerate(figures):
        text = f"period: {period}\ndata: data/ward\ndocument_number: {40 + i}\n"
        if issued:
            text += f"issued_on: {period[:4]}-{'06-24' if period.endswith('H1') else '12-20'}\n"
        (root / f"params/{period}.yaml").write_text(text, encoding="utf-8")
    return root


def _adopt_orphans() -> bool:
    """Make this process the subreaper of everything it starts (Linux ``PR_SET_CHILD_SUBREAPER``): a process whose
    parent dies is re-parented here instead of to PID 1, so a leak of a killed command is still seen at the end."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except (OSError, AttributeError):
        return False


def _reap_zombies() -> None:
    """Collect adopted children that have exited (nobody else waits for them)."""
    import os

    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] > 0:
            pass


@pytest.fixture(scope="session", autouse=True)
def no_process_outlives_the_suite():
    """Fail the run if any process the test session started, or any process those left behind, is still alive at
    its end (a forkserver, a worker, a kernel, a Dask cluster): a user's command must not leave them either."""
    import psutil

    _adopt_orphans()
    yield
    # The resource tracker is the test process's own helper (it starts with the first multiprocessing queue and
    # exits with its parent, as it does after every `reportkit run`); stop it here so that what remains is a leak.
    from multiprocessing import resource_tracker

    with contextlib.suppress(Exception):
        resource_tracker._resource_tracker._stop()
    me = psutil.Process()

    def running() -> list:
        _reap_zombies()
        found = []
        for proc in me.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    found.append(proc)
        return found

    # Processes told to stop get a moment to finish exiting (tests/test_repo.py's inner suite, whose one leak
    # never exits, shortens it).
    deadline = time.monotonic() + float(os.environ.get("REPORTKIT_TEST_EXIT_GRACE", "10"))
    alive = running()
    while alive and time.monotonic() < deadline:
        _, alive = psutil.wait_procs(alive, timeout=0.5)
        alive = running()
    described = []
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            described.append(f"{proc.pid} {' '.join(proc.cmdline())[:160]}")
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    assert not described, "processes outlived the test session:\n  " + "\n  ".join(described)


def pytest_sessionfinish(session, exitstatus):
    """What the tests that SIGKILL a runner leave in the machine's temporary folder (its workers' folders, which
    the next run would remove) is removed when the suite ends."""
    from reportkit.batch.executors import remove_abandoned_scratch

    remove_abandoned_scratch()
    shutil.rmtree(_DASK_SCRATCH, ignore_errors=True)
