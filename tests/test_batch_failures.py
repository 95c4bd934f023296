"""Failures say what a person needs (issue 11): a dead kernel or a timeout names the cell and the report, the limits
are options, a cell's huge output is cut with a note, and Ctrl-C or SIGTERM print only the summary and leave no
process behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import psutil
import pytest
from conftest import TINY_NOTEBOOK, make_tiny_project

from reportkit.batch import BatchOptions, format_summary, run_batch
from reportkit.cli import main

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("stable_code_digest")]

PERIODS = {"2022-H1": 1236, "2022-H2": 1310}
CRASH_CELL = 4  # as JupyterLab numbers the cells of the notebook below
SLEEP_CELLS = (3, 4)


def project_with(root: Path, figures: dict[str, int] = PERIODS, **params: str) -> Path:
    """The tiny project of ``figures`` whose notebook can crash its kernel or its worker, sleep twice and print a
    lot, per period (``params``: period → lines added to its params file)."""
    make_tiny_project(root, figures)
    nb = nbformat.read(TINY_NOTEBOOK, as_version=4)
    nb.cells[1].source += '\ncrash = ""\nsleep_again = 0.0\nspam = 0\nspam_result = 0\n'
    nb.cells.insert(
        3,
        nbformat.v4.new_code_cell(
            'if crash == "exit":\n    import os\n    os._exit(3)\n'
            'if crash == "segfault":\n    import ctypes\n    ctypes.string_at(0)\n'
            'if crash == "worker":  # what the out-of-memory killer does to a worker\n'
            "    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n    time.sleep(30)\n"
            "time.sleep(float(sleep_again))"
        ),
    )
    nb.cells.insert(4, nbformat.v4.new_code_cell('print("x" * int(spam))'))
    nb.cells.insert(5, nbformat.v4.new_code_cell('("y" * int(spam_result)) if spam_result else None'))
    nbformat.write(nb, root / "notebooks" / "report.ipynb")
    for period, extra in params.items():
        path = root / "params" / f"{period}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return root


def run(root: Path, **kw):
    kw.setdefault("jobs", 1)
    kw.setdefault("formats", ("html",))
    return run_batch(BatchOptions(root=root, **kw))


def failure(result, run_id: str) -> dict:
    (report,) = [r for r in result.reports if r.run_id == run_id]
    assert report.status == "failed", format_summary(result)
    return report.error.as_json()


@pytest.mark.parametrize(("crash", "how"), [("exit", "exit code 3"), ("segfault", "killed by SIGSEGV")])
def test_a_dead_kernel_names_the_cell_and_the_report(tmp_path, crash, how):
    root = project_with(tmp_path, **{"2022-H1": f"crash: {crash}\n"})
    result = run(root)
    error = failure(result, "2022-H1")
    assert (error["kind"], error["exception"], error["cell"]) == ("kernel", "DeadKernel", CRASH_CELL)
    assert error["cell_source"] == 'if crash == "exit":'
    assert how in error["message"] and "the kernel died while running this cell" in error["message"]
    assert Path(error["notebook"]).is_file()  # what ran before the crash, for the analyst
    summary = format_summary(result)
    assert "2022-H1" in summary and f"cell {CRASH_CELL}" in summary and "DeadKernel" in summary
    assert "Traceback" not in summary
    assert {r.run_id: r.status for r in result.reports}[
        "2022-H2"
    ] == "ok"  # the next report gets a new kernel


def test_a_killed_worker_fails_its_report_only_and_another_makes_the_rest(tmp_path, monkeypatch, request):
    root = project_with(tmp_path, {"2021-H2": 1100, **PERIODS}, **{"2022-H1": "crash: worker\n"})
    # the machine's temporary folder, for this run alone (short: a kernel's socket path has at most 107 bytes)
    scratch = Path(tempfile.mkdtemp(prefix="rk-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(scratch, ignore_errors=True))
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    result = run(root, formats=("html", "pdf"))
    # neither the killed worker nor its kernel, nor the ones that finished, left a file (WeasyPrint's fonts, the
    # kernels' sockets and connection files) in the temporary folder
    assert list(scratch.iterdir()) == []
    error = failure(result, "2022-H1")
    assert (error["kind"], error["exception"]) == ("worker", "ChildProcessError")
    assert "the worker process died (killed, or out of memory): killed by SIGKILL" in error["message"]
    statuses = {r.run_id: r.status for r in result.reports}
    assert statuses == {"2021-H2": "ok", "2022-H1": "failed", "2022-H2": "ok"}
    assert not (root / "outputs/2022-H1/report-2022-H1.html").exists()
    workers = {r.run_id: r.worker for r in result.reports if r.status == "ok"}
    assert workers["2021-H2"] != workers["2022-H2"]  # the replacement, not the dead one


def test_a_temporary_folder_too_deep_for_a_kernel_socket_still_makes_the_reports(
    tmp_path, monkeypatch, request
):
    """A TMPDIR 90 characters deep: the kernels' sockets (at most 107 bytes) would not fit in a worker's folder
    there, so the runner gives its workers folders in /tmp; every report is made, and nothing is left in either
    place, not even by a worker killed halfway."""
    from reportkit.batch import executors, kernels

    root = project_with(tmp_path, {"2021-H2": 1100, **PERIODS}, **{"2022-H1": "crash: worker\n"})
    scratch = Path(tempfile.mkdtemp(prefix="rk-", dir="/tmp")) / ("d" * 90)
    scratch.mkdir()
    request.addfinalizer(lambda: shutil.rmtree(scratch.parent, ignore_errors=True))
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    assert not kernels.sockets_fit(str(scratch / "reportkit-worker-xxxxxxxx"))
    before = set(Path("/tmp").glob("reportkit-kernels-*"))
    made = []
    folder_for = executors._scratch_folder

    def noted():
        made.append(folder_for())
        return made[-1]

    monkeypatch.setattr(executors, "_scratch_folder", noted)
    result = run(root)
    statuses = {r.run_id: r.status for r in result.reports}
    assert statuses == {"2021-H2": "ok", "2022-H1": "failed", "2022-H2": "ok"}
    assert len(made) == 2 and all(Path(folder).parent == Path("/tmp") for folder, _ in made)
    assert list(scratch.iterdir()) == []
    # the workers' own folders gone (another reportkit run on the machine may have its own in /tmp meanwhile),
    # and no kernel made a fallback folder of its own there
    assert not [folder for folder, _ in made if Path(folder).exists()]
    assert set(Path("/tmp").glob("reportkit-kernels-*")) <= before


def test_a_kernel_its_client_cannot_reach_does_not_outlive_the_failure(tmp_path, monkeypatch):
    """The client's sockets cannot be opened (a path too long, no file descriptor left): the kernel already
    started is stopped at once, not left running until it notices its parent is gone."""
    import errno

    import jupyter_client
    import zmq

    from reportkit.batch import kernels

    def cannot_connect(self, *args, **kwargs):
        raise zmq.ZMQError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(jupyter_client.BlockingKernelClient, "start_channels", cannot_connect)
    pool = kernels.KernelPool()
    before = {c.pid for c in psutil.Process().children(recursive=True)}
    try:
        with pytest.raises(zmq.ZMQError):
            pool.take("python3", str(tmp_path), ())
        started = [c for c in psutil.Process().children(recursive=True) if c.pid not in before]
        _, alive = psutil.wait_procs(started, timeout=5)
        assert alive == []
    finally:
        for child in psutil.Process().children(recursive=True):
            if child.pid not in before:
                child.kill()
        pool.close()


def test_a_later_run_removes_only_the_temporary_folders_their_runner_abandoned(request):
    """A runner killed by SIGKILL cannot remove its workers' folders; the next run does, and never a folder whose
    runner is alive (its lock is held) or one not yet marked (being created)."""
    from reportkit.batch import executors

    tmp_path = Path(
        tempfile.mkdtemp(prefix="rk-", dir="/tmp")
    )  # short: the folders are made in it, not in /tmp
    request.addfinalizer(lambda: shutil.rmtree(tmp_path, ignore_errors=True))

    def runner(then: str) -> subprocess.Popen:
        code = (
            "import os, sys; from reportkit.batch import executors as e; folder, _ = e._scratch_folder(); "
            f"open(os.path.join(folder, 'tmp.json'), 'w').write('{{}}'); print(folder, flush=True); {then}"
        )
        env = {**os.environ, "TMPDIR": str(tmp_path)}
        return subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )

    dead = runner("os._exit(0)")
    abandoned = dead.stdout.readline().strip()
    dead.wait()
    alive = runner("sys.stdin.read()")  # holds its folder until its stdin closes
    in_use = alive.stdout.readline().strip()
    unmarked = tmp_path / f"{executors.SCRATCH_PREFIX}new"
    unmarked.mkdir()
    other = tmp_path / "someone-else"
    other.mkdir()
    try:
        assert executors.remove_abandoned_scratch(str(tmp_path)) == [abandoned]
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
            [Path(in_use).name, unmarked.name, other.name]
        )
    finally:
        alive.communicate("")
    assert executors.remove_abandoned_scratch(str(tmp_path)) == [in_use]  # its runner is gone now
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([unmarked.name, other.name])


def test_the_folders_a_runner_holds_are_never_its_own_sweeps(monkeypatch, request):
    """Where locks are per process (NFS emulates flock with POSIX locks), the runner's own lock does not stop its
    own sweep: the folders it holds are known without one. Where there are no locks, folders are unmarked."""
    import errno

    from reportkit.batch import executors

    tmp_path = Path(tempfile.mkdtemp(prefix="rk-", dir="/tmp"))
    request.addfinalizer(lambda: shutil.rmtree(tmp_path, ignore_errors=True))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    folder, lock = executors._scratch_folder()
    try:
        monkeypatch.setattr(executors.fcntl, "flock", lambda fd, how: None)  # every lock granted
        assert executors.remove_abandoned_scratch(str(tmp_path)) == []
        assert Path(folder).is_dir()
    finally:
        os.close(lock)
        executors._HELD.discard(folder)

    def no_locks(fd, how):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(executors.fcntl, "flock", no_locks)
    unmarked, none = executors._scratch_folder()
    assert none is None and list(Path(unmarked).iterdir()) == []


@pytest.mark.parametrize(("jobs", "max_reports", "killed"), [(2, 200, 1), (1, 1, 2)])
def test_a_worker_killed_while_warming_up_costs_no_report(tmp_path, monkeypatch, jobs, max_reports, killed):
    """The out-of-memory killer during a warm-up (the first worker, or the successor of a replaced one): its
    report was never begun, so another worker makes it."""
    from reportkit.batch import executors

    root = make_tiny_project(tmp_path, {"2021-H2": 1100, **PERIODS})
    started, hired = executors._Worker.start, []

    def start_and_maybe_kill(hand):
        started(hand)
        hired.append(hand.process.pid)
        if len(hired) == killed:
            os.kill(hand.process.pid, signal.SIGKILL)

    monkeypatch.setattr(executors._Worker, "start", start_and_maybe_kill)
    result = run(root, jobs=jobs, worker_max_reports=max_reports)
    assert {r.run_id: r.status for r in result.reports} == dict.fromkeys(("2021-H2", *PERIODS), "ok")
    assert hired[killed - 1] not in {r.worker for r in result.reports}


def test_workers_dying_at_every_warm_up_are_not_started_forever(tmp_path, monkeypatch):
    from reportkit.batch import executors

    root = make_tiny_project(tmp_path, {"2021-H2": 1100, **PERIODS})
    started, hired = executors._Worker.start, []

    def start_and_kill(hand):
        started(hand)
        hired.append(hand.process.pid)
        os.kill(hand.process.pid, signal.SIGKILL)

    monkeypatch.setattr(executors._Worker, "start", start_and_kill)
    result = run(root, jobs=1)
    errors = [failure(result, period) for period in ("2021-H2", *PERIODS)]
    assert {e["message"] for e in errors} == {
        "the worker process died (killed, or out of memory): killed by SIGKILL"
    }
    assert len(hired) == executors.WARM_UP_DEATHS


def test_workers_that_cannot_warm_up_fail_every_report_with_the_reason_and_are_not_retried(tmp_path):
    root = make_tiny_project(tmp_path, {"2021-H2": 1100, **PERIODS})
    nb = nbformat.read(root / "notebooks" / "report.ipynb", as_version=4)
    nb.metadata.kernelspec = {"name": "no-such-kernel", "display_name": "?", "language": "python"}
    nbformat.write(nb, root / "notebooks" / "report.ipynb")
    result = run(root, jobs=2)
    errors = [failure(result, period) for period in ("2021-H2", *PERIODS)]
    assert {(e["kind"], e["exception"], e["message"]) for e in errors} == {
        ("setup", "NoSuchKernel", "No such kernel named no-such-kernel")
    }
    assert not list((root / "outputs").glob("*/report-*"))


def test_a_worker_is_replaced_after_its_reports_and_the_reports_do_not_change(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1656028800")
    figures = {"2021-H2": 1100, **PERIODS}
    kept = make_tiny_project(tmp_path / "kept", figures)
    replaced = make_tiny_project(tmp_path / "replaced", figures)
    one = run(kept, jobs=1)
    other = run(replaced, jobs=1, worker_max_reports=2)
    assert {r.status for r in one.reports + other.reports} == {"ok"}
    assert len({r.worker for r in one.reports}) == 1
    by_run = {r.run_id: r.worker for r in other.reports}
    assert by_run["2021-H2"] == by_run["2022-H1"] != by_run["2022-H2"]
    for period in figures:
        name = f"{period}/report-{period}.html"
        assert (kept / "outputs" / name).read_bytes() == (replaced / "outputs" / name).read_bytes()


def test_a_cell_timeout_names_the_cell_and_the_option(tmp_path):
    root = project_with(tmp_path, **{"2022-H1": "sleep_again: 60\n"})
    result = run(root, cell_timeout=2)
    error = failure(result, "2022-H1")
    assert (error["kind"], error["exception"], error["cell"]) == ("timeout", "CellTimeout", CRASH_CELL)
    assert (
        error["message"] == "this cell did not finish within 2 s (--cell-timeout 2); the kernel was stopped"
    )
    assert {r.run_id: r.status for r in result.reports}["2022-H2"] == "ok"


def test_a_report_timeout_covers_the_cells_together(tmp_path):
    # Each sleep is well within the cell limit; together they pass the report's.
    root = project_with(tmp_path, **{"2022-H1": "sleep: 3\nsleep_again: 3\n"})
    result = run(root, report_timeout=4)
    error = failure(result, "2022-H1")
    assert (error["kind"], error["exception"]) == ("timeout", "ReportTimeout")
    assert error["cell"] in SLEEP_CELLS
    assert "did not finish within 4 s (--report-timeout 4)" in error["message"]


def test_timeout_options_and_their_checks(tmp_path, capsys):
    root = project_with(tmp_path)
    assert main(["run", "--root", str(root), "--cell-timeout", "0"]) == 2
    assert "--cell-timeout must be a number of seconds above 0, got 0.0" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["run", "--root", str(root), "--report-timeout", "lâu"])
    assert info.value.code == 2
    from reportkit.cli import build_parser

    args = build_parser().parse_args(["run"])
    assert (args.cell_timeout, args.report_timeout) == (600.0, 1800.0)  # the defaults the README documents


def test_a_bad_source_date_epoch_stops_the_run_before_any_kernel(tmp_path, capsys, monkeypatch):
    root = project_with(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "abc")
    assert main(["run", "--root", str(root)]) == 2  # every report failed with a traceback, after the kernels
    err = capsys.readouterr().err
    assert err.strip() == (
        "reportkit run: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, got 'abc'"
    )
    assert not (root / "outputs").exists() or not any((root / "outputs").iterdir())


def test_a_cell_printing_megabytes_keeps_a_short_notebook_with_a_note(tmp_path):
    root = project_with(tmp_path, **{"2022-H1": "spam: 20000000\n"})
    result = run(root)
    assert result.exit_code == 0, format_summary(result)
    path = root / "outputs/2022-H1/report-2022-H1.ipynb"
    assert path.stat().st_size < 1_000_000  # 20 MB before
    nb = nbformat.read(path, as_version=4)
    (text,) = [o["text"] for c in nb.cells for o in c.get("outputs", []) if "xxxx" in o.get("text", "")]
    assert "[reportkit: đã lược bớt 19.900.001 ký tự ở đây; mỗi đầu ra chỉ giữ 100.000 ký tự." in text
    assert text.startswith("x" * 80_000) and text.endswith("x" * 19_999 + "\n")


def test_a_cell_whose_value_is_megabytes_long_is_cut_too(tmp_path):
    root = project_with(tmp_path, **{"2022-H1": "spam_result: 20000000\n"})
    result = run(root)
    assert result.exit_code == 0, format_summary(result)
    path = root / "outputs/2022-H1/report-2022-H1.ipynb"
    assert path.stat().st_size < 1_000_000  # 20 MB before: the cell's value as text, which no export shows
    nb = nbformat.read(path, as_version=4)
    (text,) = [
        o["data"]["text/plain"]
        for c in nb.cells
        for o in c.get("outputs", [])
        if "yyyy" in str(o.get("data"))
    ]
    assert "[reportkit: đã lược bớt" in text and text.startswith("'" + "y" * 79_999)


def _with_cell(root: Path, source: str, defaults: str) -> None:
    """One more cell (after those of :func:`project_with`) and the defaults of its parameters."""
    path = root / "notebooks" / "report.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source += defaults
    nb.cells.insert(6, nbformat.v4.new_code_cell(source))
    nbformat.write(nb, path)


def _printed(output) -> int:
    if output.get("output_type") == "stream":
        return len(output.get("text", ""))
    return len((output.get("data") or {}).get("text/plain", ""))


def test_a_cell_printing_many_outputs_keeps_a_short_total_with_a_note(tmp_path):
    # The cap was per output: 300 displays of 99,000 characters made a 30 MB notebook in outputs/.
    root = project_with(tmp_path, **{"2022-H1": "displays: 300\n", "2022-H2": "interleaved: 300\n"})
    _with_cell(
        root,
        "import sys\nfor _ in range(int(displays)):\n    display('z' * 99_000)\n"
        "for _ in range(int(interleaved)):\n    print('a' * 99_000)\n    print('b' * 99_000, file=sys.stderr)\n"
        "print('the end')",
        "\ndisplays = 0\ninterleaved = 0\n",
    )
    result = run(root)
    assert result.exit_code == 0, format_summary(result)
    for period in ("2022-H1", "2022-H2"):
        path = root / f"outputs/{period}/report-{period}.ipynb"
        assert path.stat().st_size < 400_000, (period, path.stat().st_size)
        nb = nbformat.read(path, as_version=4)
        (cell,) = [c for c in nb.cells if "range(int(displays))" in c.source]
        kept = "".join(
            o.get("text", "") + str((o.get("data") or {}).get("text/plain", "")) for o in cell.outputs
        )
        assert sum(map(_printed, cell.outputs)) < 100_000 + 1_000
        assert "mỗi ô chỉ giữ 100.000 ký tự" in kept and "[reportkit: đã lược bớt" in kept
        if (
            period == "2022-H1"
        ):  # (stdout and stderr interleaved are flushed each on its own: their order varies)
            assert cell.outputs[-1]["text"] == "the end\n"  # the end of what the cell printed is kept


def test_a_huge_failure_message_is_cut_everywhere_it_goes(tmp_path):
    # 30 MB in the message: 60 MB on the terminal, 90 MB of --json; two million lines printed four million.
    root = project_with(tmp_path, **{"2022-H1": "big_error: chars\n", "2022-H2": "big_error: lines\n"})
    _with_cell(
        root,
        'if big_error == "chars":\n    raise ValueError("y" * 30_000_000)\n'
        'if big_error == "lines":\n    raise ValueError("line\\n" * 2_000_000)',
        '\nbig_error = ""\n',
    )
    proc = _start(root, "--jobs", "1", "--json")
    stdout, stderr = proc.communicate(timeout=600)
    assert proc.returncode == 1, stderr[-2000:]
    assert len(stdout) < 30_000 and len(stderr) < 30_000, (len(stdout), len(stderr))
    assert stderr.count("\n") < 150
    import json

    reports = {r["run_id"]: r["error"] for r in json.loads(stdout)["reports"]}
    assert reports["2022-H1"]["message"].startswith("y" * 1000)
    assert "đã lược bớt 29.99" in reports["2022-H1"]["message"]
    assert reports["2022-H2"]["message"].count("\n") <= 20
    assert "1.999.9" in reports["2022-H2"]["message"]  # the lines left out, counted
    for error in reports.values():
        assert len(error["message"]) <= 2_000 and all(len(line) <= 500 for line in error["traceback"])
        assert Path(error["notebook"]).stat().st_size < 400_000


@pytest.mark.parametrize("shift", range(-12, 2))
def test_a_failure_is_masked_before_it_is_cut(shift):
    from reportkit.batch.tasks import MAX_MESSAGE, Failure
    from reportkit.core.redact import Redactor

    secret = "Kin-S3cr@t-pw"
    at = MAX_MESSAGE // 2 + shift
    failure = Failure(
        "cell", "ValueError", "y" * at + secret + "y" * 50_000, ["ValueError: " + "y" * at + secret]
    )
    failure.redact(Redactor([secret]))
    for text in (failure.message, *failure.traceback, failure.line()):
        assert "Kin" not in text and "S3cr" not in text, text[at - 20 : at + 40]
    assert len(failure.message) <= MAX_MESSAGE


def _start(root: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reportkit.cli",
            "run",
            "--root",
            str(root),
            "--jobs",
            "2",
            "--to",
            "html",
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a group of its own, like a command typed at a terminal
    )


def _wait_running(proc: subprocess.Popen) -> list[str]:
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if ": running" in line:
            return seen
    raise AssertionError("".join(seen))


@pytest.mark.parametrize(
    ("signum", "group", "code"),
    [(signal.SIGINT, True, 130), (signal.SIGTERM, False, 143), (signal.SIGTERM, True, 143)],
    ids=["ctrl-c", "sigterm-runner", "sigterm-group"],
)
def test_a_stopped_run_prints_only_the_summary_and_leaves_no_process(tmp_path, signum, group, code):
    root = project_with(tmp_path, **{p: "sleep: 20\n" for p in PERIODS})
    proc = _start(root)
    seen = _wait_running(proc)
    tree = psutil.Process(proc.pid).children(recursive=True)
    assert len(tree) >= 2  # the workers, the kernels (and multiprocessing's resource tracker)
    if group:  # what Ctrl-C at a terminal and `timeout` do: the whole foreground group
        os.killpg(proc.pid, signum)
    else:  # what `kill PID` and a supervisor do
        os.kill(proc.pid, signum)
    out, err = proc.communicate(timeout=120)
    err = "".join(seen) + err
    assert proc.returncode == code, err
    for noise in ("Traceback", "ZMQ", "asyncio", "Task exception", "Error"):
        assert noise not in err, err
    assert "interrupted" in out and "reportkit run: " in err and "nothing partial was written" in err
    _, alive = psutil.wait_procs(tree, timeout=10)
    assert alive == [], alive
    assert not list((root / "outputs").glob("*/report-*"))  # the reports still sleeping committed nothing


def test_ctrl_c_before_the_first_report_prints_one_line(tmp_path):
    # While the runner still imports and sets up (its first second): a Ctrl-C there printed a traceback.
    root = project_with(tmp_path)
    code = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"  # a background job starts with it ignored
        "from reportkit import cli\n"
        "def interrupted(args):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(30)\n"
        "cli._run = interrupted\n"
        f"sys.exit(cli.main(['run', '--root', {str(root)!r}]))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert (
        proc.stderr
        == "reportkit run: interrupted; finished reports are in place, nothing partial was written\n"
    )


def test_ctrl_c_while_the_command_line_is_read_prints_one_line():
    # Before `run` takes over its own Ctrl-C: argparse (its gettext imports locale) takes the first tenths of a
    # second, where a Ctrl-C printed a traceback and the process died by the signal.
    code = (
        "import os, signal, sys, time\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"  # as at a terminal (see above)
        "from reportkit import cli\n"
        "def interrupted():\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(30)\n"
        "cli.build_parser = interrupted\n"
        "sys.exit(cli.main(['run']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "reportkit: interrupted\n"


def test_a_worker_is_born_ignoring_ctrl_c():
    # A Ctrl-C reaches the whole terminal group; a worker still importing would print its traceback (or "Fatal
    # Python error: init_import_site").
    import multiprocessing as mp

    from reportkit.batch.executors import _Worker

    def ignored(pid: int) -> bool:
        (line,) = [x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("SigIgn:")]
        return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))

    handler = signal.getsignal(signal.SIGINT)
    worker = _Worker(mp.get_context("spawn"), None, Path(__file__).resolve().parents[1])
    worker.start()
    try:
        assert ignored(worker.process.pid)  # at once: the interpreter has not even begun its imports
        assert signal.getsignal(signal.SIGINT) is handler  # the runner's own Ctrl-C is as it was
    finally:
        worker.process.kill()
        worker.process.join(10)
        worker.remove_scratch()
    assert not Path(worker.scratch).exists()


def test_a_worker_writes_nothing_and_a_run_that_lost_its_folder_commits_nothing(tmp_path):
    """A worker sends the report's files back and writes nothing; the submitter commits them under the output
    folder's lock, and only while its run holds the folder: once a later run owns it, or nobody does (the runner
    stopped), nothing of the old run lands — whichever machine its worker ran on."""
    from reportkit.batch import store, worker
    from reportkit.batch.plan import prepare, schedule
    from reportkit.batch.store import RunnerGone

    root = project_with(tmp_path)
    options = BatchOptions(root=root, formats=("html",))
    plan = prepare(options)
    stage_root = store.staging_root(plan.cache_dir, plan.out_dir)
    scheduled = schedule(plan, options, "pinned-for-tests")
    try:
        made = [worker.execute_run(task, worker.Workspace(root)) for task in scheduled.tasks]
    finally:
        pool = worker._state().pop("pool", None)
        if pool is not None:
            pool.close()
    assert [m.status for m in made] == ["ok", "ok"] and all(m.files for m in made)
    assert not list((root / "outputs").rglob("*"))  # nothing written by the workers

    def commit(outcome, token):
        planned = scheduled.planned[outcome.run_id]
        manifest = store.report_manifest(planned, outcome.generated_at, outcome.record, root)
        store.commit_report(plan.out_dir, token, stage_root, planned.run_dir, planned.run.stem, outcome.files,
                            manifest)  # fmt: skip

    with (
        store.run_lock(plan.out_dir, root),  # a later run owns the folder now
        pytest.raises(RunnerGone, match="another run holds the output folder now"),
    ):
        commit(made[0], "a-run-that-died")
    with pytest.raises(RunnerGone, match="has stopped"):  # nobody holds the folder: the runner is gone
        commit(made[1], "a-run-that-died")
    assert not list((root / "outputs").glob("*/report-*")) and not any(stage_root.iterdir())
    with store.run_lock(plan.out_dir, root) as lock:
        commit(made[0], lock.token)
    assert (root / "outputs/2022-H1/report-2022-H1.html").is_file()
