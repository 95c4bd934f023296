"""Where tasks run: a local pool of long-lived worker processes, or a Dask distributed cluster.

Both run :func:`reportkit.batch.worker.execute_run` and yield an
:class:`~reportkit.batch.tasks.Outcome` per task as reports finish, whatever order they finish in, carrying the
report's files for the submitter to commit. A local worker reads the project's files in place; a Dask worker is
sent them (each file's bytes scattered once, by content, whatever number of reports read it).
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing as mp
import os
import shutil
import signal
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import replace
from multiprocessing import connection as mp_connection
from pathlib import Path

from reportkit.batch.tasks import Failure, Outcome, ReportTask

__all__ = ["MAX_REPORTS_PER_WORKER", "WARM_UP_DEATHS", "run_dask", "run_local"]


MAX_REPORTS_PER_WORKER = 200
"""A local worker process is replaced after this many reports: WeasyPrint keeps about 40 KB of native memory per
PDF that no collection returns (docs/scale.md), so a long batch's workers would grow by a quarter over 1,000
reports; a new worker's warm-up (about 3 s of one core) every 200 reports costs under 2 %."""


WARM_UP_DEATHS = 2
"""Workers in a row that die before beginning a report, after which no more are started (the next would die too)."""


def run_local(
    tasks: list[ReportTask], jobs: int, progress, root: Path, max_reports: int = MAX_REPORTS_PER_WORKER
) -> Iterator[Outcome]:
    """Run on ``jobs`` worker processes of this machine, each warmed once and replaced every ``max_reports``.

    A worker that dies (killed, out of memory) fails the report it was making and only that one; a report it had
    not begun goes back to the queue, and another worker takes its place. A worker that cannot warm up (it says
    why: a missing kernel) is not replaced, nor one after :data:`WARM_UP_DEATHS` in a row died before beginning
    a report; once no worker is left, the remaining reports fail with that reason.
    """
    # spawn, not forkserver: a worker must be a child of the runner itself, so that it dies with the runner
    # (PR_SET_PDEATHSIG) and its kernels with it (ipykernel exits when its parent goes), and no server process
    # outlives the command; the warm-up a forkserver would share is paid once per worker either way.
    ctx = mp.get_context("spawn")
    remove_abandoned_scratch()
    todo = deque(tasks)
    running: list[_Worker] = []
    leaving: list[_Worker] = []
    warm_up_deaths = 0

    def hire() -> None:
        hand = _Worker(ctx, tasks[0].warm, root)
        running.append(hand)  # known to _stop before its process exists
        hand.start()
        give(hand)

    def give(hand: _Worker) -> None:
        task = todo.popleft()
        last = not todo or hand.reports + 1 >= max_reports  # no kernel to start early for a next report
        hand.give(replace(task, more=False) if last and task.more else task)

    def dismiss(hand: _Worker) -> None:
        leaving.append(hand)
        running.remove(hand)
        hand.dismiss()

    try:
        for _ in range(min(max(jobs, 1), len(todo))):
            hire()
        while running:
            ready = set(mp_connection.wait([h.conn for h in running] + [h.process.sentinel for h in running]))
            for hand in [h for h in running if h.conn in ready or h.process.sentinel in ready]:
                message = hand.receive()
                if message is None:  # gone: the report it was making failed; another worker makes the rest
                    running.remove(hand)
                    task, failure = hand.task, hand.lost()
                    if hand.broken is not None:  # it said it cannot warm up, and exits once its kernels close
                        leaving.append(hand)
                    if not hand.warmed:
                        warm_up_deaths += 1
                    if task is not None and not hand.began:
                        todo.appendleft(task)  # never begun: it is not this report's failure
                        task = None
                    if todo and hand.broken is None and warm_up_deaths < WARM_UP_DEATHS:
                        hire()
                    if task is not None:
                        yield Outcome(task.run_id, "failed", params_file=task.params_file, error=failure)
                    while todo and not running:  # no worker could warm up: the rest fail for the same reason
                        task = todo.popleft()
                        yield Outcome(task.run_id, "failed", params_file=task.params_file, error=failure)
                elif message[0] == "start":
                    hand.warmed = hand.began = True
                    warm_up_deaths = 0
                    progress.start(message[1])
                elif message[0] == "done":
                    hand.task = None
                    hand.reports += 1
                    # the next report first, so that the worker makes it while this one is committed
                    if todo and hand.reports < max_reports:
                        give(hand)
                    else:
                        dismiss(hand)
                        if todo:
                            hire()
                    yield message[1]
            leaving = [h for h in leaving if not h.gone()]
        for hand in leaving:
            hand.wait_gone()
    except BaseException:
        # Stopped (Ctrl-C, SIGTERM, an error): the runner has already revoked commits; the workers go now, and
        # their kernels with them (PR_SET_PDEATHSIG), before the summary is printed.
        _stop([h.process for h in running + leaving])
        for hand in running + leaving:
            hand.remove_scratch()
        raise


SCRATCH_PREFIX = "reportkit-worker-"
_SCRATCH_OWNER = ".owner"  # locked by the runner for as long as the folder is in use


_HELD: set[str] = set()  # the folders this process holds: a lock emulated per process (NFS) cannot tell them


def _scratch_folder() -> tuple[str, int | None]:
    """A new temporary folder for one worker, and the file descriptor of the lock that marks it in use.

    The lock is an ``flock`` the runner holds: the kernel drops it when the runner's process ends, however it
    ends, so a later run can tell an abandoned folder (a runner killed by SIGKILL) from one in use, even one of a
    runner in another PID namespace sharing ``/tmp``. A ``TMPDIR`` too deep for the kernels' sockets gives a
    folder in /tmp. Where the file system has no locks the folder is left unmarked (None): no run removes it.
    """
    from reportkit.batch.kernels import socket_temp_dir

    folder = tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=socket_temp_dir(f"{SCRATCH_PREFIX}xxxxxxxx"))
    # Locked under another name, then renamed: another run never sees the lock file before it is locked.
    claiming = os.path.join(folder, _SCRATCH_OWNER + ".new")
    fd = os.open(claiming, os.O_CREAT | os.O_EXCL | os.O_RDWR | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # no locks here (ENOLCK): unmarked, as before there were marks
        os.close(fd)
        os.unlink(claiming)
        return folder, None
    os.rename(claiming, os.path.join(folder, _SCRATCH_OWNER))
    _HELD.add(folder)
    return folder, fd


def remove_abandoned_scratch(base: str | None = None) -> list[str]:
    """Remove the workers' temporary folders whose runner is gone (killed by SIGKILL: nothing was left alive to
    remove them), in ``base`` (default: the temporary folder, and /tmp where a too deep one sends them); return
    them. A folder whose lock is held, or without a lock yet, is left alone."""
    removed = []
    bases = [base] if base else list(dict.fromkeys([tempfile.gettempdir(), "/tmp"]))
    candidates = []
    for folder in bases:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            candidates += [
                e.path
                for e in entries
                if e.name.startswith(SCRATCH_PREFIX) and e.is_dir(follow_symlinks=False)
            ]
    for folder in candidates:
        if folder in _HELD:
            continue
        try:
            fd = os.open(os.path.join(folder, _SCRATCH_OWNER), os.O_RDWR | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # in use
        else:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            os.close(fd)
    return removed


class _Worker:
    """One local worker process, the pipe to it, and the report it is making."""

    def __init__(self, ctx, warm, root: Path):
        from reportkit.batch import worker

        self.conn, self._theirs = ctx.Pipe()
        # The worker's and its kernels' temporary files (WeasyPrint's copies of the fonts, the kernels' sockets
        # and connection files) go in a folder of its own that the runner removes once the process is gone:
        # a worker killed by the out-of-memory killer, or dismissed, cannot clean up after itself.
        self.scratch, self._scratch_lock = _scratch_folder()
        self.process = ctx.Process(
            target=worker.serve_local,
            args=(self._theirs, warm, os.getpid(), str(root), self.scratch),
            name="reportkit-worker",
        )
        self.process.daemon = True  # never left behind by an interpreter that exits
        self.task: ReportTask | None = None
        self.reports = 0
        self.broken: Failure | None = None  # why it cannot warm up, as it said before exiting
        self.warmed = False  # it began a report
        self.began = False  # it began the report it was given last

    def start(self) -> None:
        # A Ctrl-C while the new interpreter still imports would print its traceback (or "Fatal Python error:
        # init_import_site"): it is born ignoring SIGINT (an ignored signal stays ignored across exec, and Python
        # then installs no KeyboardInterrupt handler), as it would once set up. A signal mask would not do: the
        # child of a fork_exec starts with an empty one.
        main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
        try:
            self.process.start()
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        self._theirs.close()

    def give(self, task: ReportTask) -> None:
        self.task, self.began = task, False
        with contextlib.suppress(OSError):  # it died meanwhile: the pipe's end and its sentinel say so next
            self.conn.send(task)

    def receive(self):
        """The worker's next message, or None once it is gone (or going: it cannot warm up)."""
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            return None
        if message[0] == "broken":
            self.broken = message[1]
            return None
        return message

    def lost(self) -> Failure:
        """Why it is gone: what it said, or how it died."""
        if self.broken is not None:
            return self.broken
        self.process.join(5)
        self.conn.close()
        self.remove_scratch()
        code = self.process.exitcode
        how = f"exit code {code}"
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                how = f"killed by {signal.Signals(-code).name}"
        return Failure.from_lost_worker(ChildProcessError(how))

    def dismiss(self) -> None:
        """No more reports for it: it closes its kernels and exits (reaped by :meth:`gone`)."""
        with contextlib.suppress(OSError):
            self.conn.send(None)

    def gone(self) -> bool:
        if self.process.is_alive():
            return False
        self.process.join()
        self.conn.close()
        self.remove_scratch()
        return True

    def wait_gone(self, grace: float = 30.0) -> None:
        self.process.join(grace)
        if self.process.is_alive():
            _stop([self.process])
        self.conn.close()
        self.remove_scratch()

    def remove_scratch(self) -> None:
        """Remove the worker's temporary folder, once its process (and so its kernels) is gone."""
        if self.process.pid is None or self.process.exitcode is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
            if self._scratch_lock is not None:
                os.close(self._scratch_lock)
                self._scratch_lock = None
                _HELD.discard(self.scratch)


def _stop(processes, grace: float = 3.0) -> None:
    """SIGTERM every worker, SIGKILL those still alive after ``grace`` seconds; return once all are gone."""
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in processes:
        with contextlib.suppress(Exception):
            proc.join(grace)
            if proc.is_alive():
                proc.kill()
                proc.join(grace)


def _outcome(fut, task: ReportTask) -> Outcome:
    try:
        return fut.result()
    except Exception as err:  # the worker process died (killed, out of memory): the report failed
        return Outcome(task.run_id, "failed", error=Failure.from_lost_worker(err))


def run_dask(tasks: list[ReportTask], scheduler, progress, root: Path) -> Iterator[Outcome]:
    """Run on a Dask cluster (an address or a ``distributed.Client``); each Dask worker thread warms itself.

    The project files the reports read are read here and scattered to the cluster once each (keyed by their
    content); a task names them by sha256, and Dask hands each worker the bytes of its tasks' files.
    """
    from distributed import Client, as_completed

    from reportkit.batch import worker

    own = not isinstance(scheduler, Client)
    client = Client(scheduler) if own else scheduler
    try:
        wanted: dict[str, str] = {}
        for task in tasks:
            for rel, sha in task.files.items():
                wanted.setdefault(sha, rel)
        blobs = {sha: (root / rel).read_bytes() for sha, rel in wanted.items()}
        scattered = (
            dict(zip(blobs, client.scatter(list(blobs.values()), hash=True), strict=True)) if blobs else {}
        )
        futures = {}
        for task in tasks:
            fut = client.submit(
                worker.execute_on_dask,
                task,
                {sha: scattered[sha] for sha in set(task.files.values())},
                pure=False,
                key=f"reportkit-{task.run_id}-{os.urandom(4).hex()}",
            )
            futures[fut] = task
        del blobs
        for fut in as_completed(futures):
            task = futures.pop(fut)
            yield _outcome(fut, task)
            fut.release()
    finally:
        if own:
            client.close()
