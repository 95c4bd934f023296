"""The batch: plan (validate, fingerprint), run what is not up to date in parallel, write the index, publish.

The same runner drives a local pool of long-lived worker processes or a Dask distributed cluster
(``scheduler="tcp://…"`` or a ``distributed.Client``): see :mod:`reportkit.batch.executors`. With ``out="s3://…"``
(any fsspec URL) the batch runs into a local mirror and is then published (:mod:`reportkit.batch.publish`).
"""

from __future__ import annotations

import time

from reportkit.batch import store
from reportkit.batch.executors import run_dask, run_local
from reportkit.batch.options import FORMATS, BatchOptions, SetupError
from reportkit.batch.plan import jobs_for, prepare, schedule
from reportkit.batch.publish import collect_entries, publish_remote, write_site_index
from reportkit.batch.summary import BatchResult, Progress, format_summary

__all__ = [
    "FORMATS",
    "BatchOptions",
    "BatchResult",
    "SetupError",
    "collect_entries",
    "format_summary",
    "run_batch",
]


def run_batch(options: BatchOptions) -> BatchResult:
    """Run a batch: raises ParamsError/SetupError before anything is written; otherwise returns every report.

    A Ctrl-C stops it: finished reports stay in place, nothing partial is written, and ``KeyboardInterrupt`` is
    raised with the :class:`BatchResult` as its argument.
    """
    t0 = time.monotonic()
    plan = prepare(options)
    out_dir = plan.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    with store.run_lock(plan.cache_dir, out_dir):
        stage_root = store.staging_root(plan.cache_dir, out_dir)
        store.clean_stale_staging(stage_root)
        code_digest = store.reportkit_digest()
        tasks, outcomes = schedule(plan, options, stage_root, code_digest)
        progress = Progress(options.progress, len(plan.runs))
        for outcome in outcomes.values():
            if outcome.status in ("skipped", "failed"):  # failed before running: --strict, texts missing
                progress.finish(outcome)
        interrupted = False
        try:
            if tasks:
                if options.scheduler is not None:
                    results = run_dask(tasks, options.scheduler, progress)
                else:
                    results = run_local(tasks, jobs_for(options, tasks), progress)
                for result in results:
                    entry = outcomes[result.run_id]
                    entry.update(result)
                    progress.finish(entry)
        except KeyboardInterrupt:
            interrupted = True
            for entry in outcomes.values():
                if entry.status == "pending":
                    entry.status = "interrupted"
        finally:
            progress.close()
        index, index_error = None, None
        if not interrupted:
            try:
                index = write_site_index(out_dir, code_digest)
            except Exception as err:  # the reports are in place; say why the index is not
                index_error = f"{type(err).__name__}: {err}"
            if plan.target is not None:
                index, index_error = publish_remote(
                    plan.target, plan.runs, outcomes, out_dir, index, index_error, progress
                )
    result = BatchResult(
        list(outcomes.values()),
        out_dir,
        index,
        time.monotonic() - t0,
        index_error,
        out_url=plan.target.url if plan.target is not None else None,
    )
    if interrupted:
        raise KeyboardInterrupt(result)
    return result
