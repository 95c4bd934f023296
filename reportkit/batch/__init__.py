"""reportkit.batch: run the report notebook once per params file (per period, per unit) and export each report.

``run_batch(BatchOptions(...))`` validates every params file before a kernel starts (:class:`ParamsError` lists
every problem), skips reports whose inputs are unchanged, runs the rest on long-lived local worker processes or a
Dask cluster, writes each report's files atomically to ``outputs/<run id>/`` and the index page. The params file
format is described in :mod:`reportkit.batch.params`.
"""

from reportkit.batch.params import ParamsError, Problem, Run, find_root, load_runs
from reportkit.batch.runner import BatchOptions, BatchResult, SetupError, format_summary, run_batch
from reportkit.batch.store import RunLocked

__all__ = [
    "BatchOptions",
    "BatchResult",
    "ParamsError",
    "Problem",
    "Run",
    "RunLocked",
    "SetupError",
    "find_root",
    "format_summary",
    "load_runs",
    "run_batch",
]
