"""Where tasks run: a local pool of long-lived worker processes, or a Dask distributed cluster.

Both are ``concurrent.futures``-style executors of :func:`reportkit.batch.worker.execute_run`; each yields an
:class:`~reportkit.batch.tasks.Outcome` per task as reports finish, whatever order they finish in, carrying the
report's files for the submitter to commit. A local worker reads the project's files in place; a Dask worker is
sent them (each file's bytes scattered once, by content, whatever number of reports read it).
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import os
import queue
from collections.abc import Iterator
from pathlib import Path

from reportkit.batch.tasks import Failure, Outcome, ReportTask

__all__ = ["run_dask", "run_local"]


def run_local(tasks: list[ReportTask], jobs: int, progress, root: Path) -> Iterator[Outcome]:
    """Run on ``jobs`` worker processes of this machine, each warmed once and kept for the whole batch."""
    from reportkit.batch import worker

    # spawn, not forkserver: a worker must be a child of the runner itself, so that it dies with the runner
    # (PR_SET_PDEATHSIG) and its kernels with it (ipykernel exits when its parent goes), and no server process
    # outlives the command; the warm-up a forkserver would share is paid once per worker either way.
    ctx = mp.get_context("spawn")
    events = ctx.Queue()
    with cf.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=ctx,
        initializer=worker.init_local_worker,
        initargs=(tasks[0].warm, events, os.getpid(), str(root)),
    ) as pool:
        futures = {pool.submit(worker.execute_run, task): task for task in tasks}
        pending = set(futures)
        try:
            while pending:
                done, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_COMPLETED)
                _drain(events, progress)
                for fut in done:
                    yield _outcome(fut, futures[fut])
        except BaseException:
            # Stopped (Ctrl-C, SIGTERM, an error): the runner has already revoked commits; the workers go now,
            # and their kernels with them (PR_SET_PDEATHSIG), before the summary is printed. The pending futures
            # are left to the pool, which fails them as broken (cancelling them first makes Python 3.11's pool
            # thread print an InvalidStateError traceback).
            _stop(list(getattr(pool, "_processes", {}).values()))
            raise


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


def _drain(events, progress) -> None:
    while True:
        try:
            kind, run_id, _pid = events.get_nowait()
        except (queue.Empty, OSError, ValueError):
            return
        if kind == "start":
            progress.start(run_id)


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
