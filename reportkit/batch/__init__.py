"""reportkit.batch: run the report notebook once per params file (per period, per unit) and export each report.

``run_batch(BatchOptions(...))`` validates every params file before a kernel starts (:class:`ParamsError` lists
every problem), skips reports whose inputs are unchanged, runs the rest on long-lived local worker processes or a
Dask cluster, writes each report's files atomically to ``outputs/<run id>/`` and the index page. The params file
format is described in :mod:`reportkit.batch.params`.
"""

from reportkit.batch.options import BatchOptions, SetupError
from reportkit.batch.params import ParamsError, Problem, Run, find_root, load_runs
from reportkit.batch.runner import run_batch
from reportkit.batch.store import RunLocked
from reportkit.batch.summary import BatchResult, format_summary
from reportkit.batch.tasks import Failure, Outcome, ReportTask

__all__ = [
    "BatchOptions",
    "BatchResult",
    "Failure",
    "Outcome",
    "ParamsError",
    "Problem",
    "ReportTask",
    "Run",
    "RunLocked",
    "SetupError",
    "find_root",
    "format_summary",
    "load_runs",
    "run_batch",
]
