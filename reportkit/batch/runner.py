"""The batch: plan (validate, fingerprint), run what is not up to date in parallel, write the index, publish.

The same runner drives a local pool of long-lived worker processes or a Dask distributed cluster
(``scheduler="tcp://…"`` or a ``distributed.Client``): see :mod:`reportkit.batch.executors`. With ``out="s3://…"``
(any fsspec URL) the batch runs into a local mirror and is then published (:mod:`reportkit.batch.publish`).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from reportkit.batch import store
from reportkit.batch.executors import run_dask, run_local
from reportkit.batch.options import FORMATS, BatchOptions, SetupError
from reportkit.batch.plan import Planned, jobs_for, prepare, schedule, secret_texts
from reportkit.batch.publish import collect_entries, publish_remote, write_site_index
from reportkit.batch.summary import BatchResult, Progress, format_summary
from reportkit.batch.tasks import Failure, Outcome
from reportkit.core.atomic import write_atomic
from reportkit.core.redact import Redactor, url_credentials

__all__ = [
    "FORMATS",
    "BatchOptions",
    "BatchResult",
    "SetupError",
    "Stopped",
    "collect_entries",
    "format_summary",
    "run_batch",
]


class Stopped(KeyboardInterrupt):
    """The batch was stopped by a signal (Ctrl-C: SIGINT, a supervisor or ``timeout``: SIGTERM); ``args[0]`` is the
    :class:`BatchResult` once there is one, ``signum`` the signal (the exit code is 128 + signum)."""

    def __init__(self, *args, signum: int = signal.SIGINT):
        super().__init__(*args)
        self.signum = int(signum)


@contextlib.contextmanager
def _stop_on_signals(lock: store.OutputLock) -> Iterator[None]:
    """SIGINT and SIGTERM stop the batch: commits are revoked first (none lands after the signal), then
    :class:`Stopped` unwinds the runner, which stops its workers and prints the summary. A second signal while
    stopping is ignored: the workers are going already."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread; an embedding program handles its own signals
        return
    stopping: list[int] = []

    def handler(signum, _frame):
        if stopping:
            return
        stopping.append(signum)
        lock.revoke()
        raise Stopped(signum=signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


class _Committer:
    """Puts the files a worker sent back in place: the report all or nothing (``store.commit_report``, under the
    output folder's lock and only while this run holds it), the executed notebook of a failed one in the cache."""

    def __init__(self, plan, lock: store.OutputLock, stage_root, redactor: Redactor):
        self.plan, self.lock, self.stage_root, self.redactor = plan, lock, stage_root, redactor

    def __call__(self, result: Outcome, planned: Planned) -> None:
        files, record, failed = result.files, result.record, result.failed_notebook
        result.files, result.record, result.failed_notebook = (
            {},
            None,
            None,
        )  # not kept for a 1,000-report run
        redactor = Redactor(secret_texts(planned.run), root=self.plan.root)
        failed_path = self._failed_notebook(planned)
        if failed is not None and result.error is not None:
            with contextlib.suppress(OSError):
                write_atomic(failed_path, redactor.text(failed))
                result.error.notebook = str(failed_path)
        if result.status != "ok":
            return
        try:
            manifest = store.report_manifest(
                planned, result.generated_at, record or {}, self.plan.root, result.findings
            )
            placed = store.commit_report(self.plan.out_dir, self.lock.token, self.stage_root, planned.run_dir,
                                         planned.run.stem, files, manifest, redactor)  # fmt: skip
        except store.RunnerGone:
            result.status = "interrupted"
            return
        except Exception as err:  # a full disk, a folder made read-only meanwhile
            result.status = "failed"
            result.error = Failure.from_exception("commit", err).redact(redactor)
            return
        result.outputs = {name: str(path) for name, path in placed.items()}
        self._forget_failure(failed_path)

    def _failed_notebook(self, planned: Planned) -> Path:
        return self.plan.cache_dir / "failed" / planned.run.run_id / f"{planned.run.stem}.ipynb"

    def _forget_failure(self, path: Path) -> None:
        """The executed notebook of an earlier failure of this report goes once the report is made: left there,
        it would be read as the state of a report that is now fine."""
        top = self.plan.cache_dir / "failed"
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
            for folder in path.parents:
                if folder == top or top not in folder.parents:
                    break
                folder.rmdir()  # only while empty: OSError ends the walk


def run_batch(options: BatchOptions) -> BatchResult:
    """Run a batch: raises ParamsError/SetupError before anything is written; otherwise returns every report.

    A Ctrl-C or SIGTERM stops it: finished reports stay in place, nothing partial is written, no worker or kernel
    is left, and :class:`Stopped` (a ``KeyboardInterrupt``) is raised with the :class:`BatchResult` as its
    argument.
    """
    t0 = time.monotonic()
    plan = prepare(options)
    out_dir = plan.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with store.run_lock(out_dir, plan.root) as lock, _stop_on_signals(lock):
        stage_root = store.staging_root(plan.cache_dir, out_dir)
        store.clean_stale_staging(stage_root)
        code_digest = store.reportkit_digest()
        scheduled = schedule(plan, options, code_digest, batch=lock.token)
        tasks, outcomes = scheduled.tasks, scheduled.outcomes
        # The --out URL's credentials too: a failed upload's message may quote them.
        out_secrets = url_credentials(plan.target.url) if plan.target is not None else []
        redactor = Redactor([*(t for task in tasks for t in task.secret), *out_secrets])
        progress = Progress(options.progress, len(plan.runs), redactor, to_make=len(tasks))
        for outcome in outcomes.values():
            if outcome.status in ("skipped", "failed"):  # failed before running: --strict, texts missing
                progress.finish(outcome)
        stopped: Stopped | None = None
        results = None
        commit = _Committer(plan, lock, stage_root, redactor)
        try:
            if tasks:
                if options.scheduler is not None:
                    results = run_dask(tasks, options.scheduler, progress, plan.root)
                else:
                    results = run_local(
                        tasks, jobs_for(options, tasks), progress, plan.root, options.worker_max_reports
                    )
                for result in results:
                    entry = outcomes[result.run_id]
                    commit(result, scheduled.planned[result.run_id])
                    entry.update(result)
                    progress.finish(entry)
        except KeyboardInterrupt as err:
            lock.revoke()
            stopped = err if isinstance(err, Stopped) else Stopped(signum=signal.SIGINT)
            for entry in outcomes.values():
                if entry.status == "pending":
                    entry.status = "interrupted"
        finally:
            if results is not None:
                results.close()  # a stop between two reports: the executor stops its workers here
            progress.close()
        if stopped is not None:
            store.clean_stale_staging(stage_root)  # what a killed earlier run had staged
        index, index_error = None, None
        if stopped is None:
            try:
                index = write_site_index(out_dir, code_digest, redactor)
            except Exception as err:  # the reports are in place; say why the index is not
                index_error = redactor.text(f"{type(err).__name__}: {err}")
            if plan.target is not None:
                index, index_error = publish_remote(
                    plan.target, plan.runs, outcomes, out_dir, index, index_error, progress, redactor
                )
    result = BatchResult(
        list(outcomes.values()),
        out_dir,
        index,
        time.monotonic() - t0,
        index_error,
        out_url=plan.target.display() if plan.target is not None else None,
        redactor=redactor,
    )
    if stopped is not None:
        raise Stopped(result, signum=stopped.signum)
    return result
