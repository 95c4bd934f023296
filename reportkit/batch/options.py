"""What ``reportkit run`` was asked to do, and the error that stops a batch before anything runs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from reportkit.batch.executors import MAX_REPORTS_PER_WORKER
from reportkit.batch.kernels import MAX_REPORTS_PER_KERNEL
from reportkit.core.errors import ReportkitError

__all__ = ["FORMATS", "BatchOptions", "SetupError"]

FORMATS = ("html", "pdf", "docx", "article")


class SetupError(ReportkitError):
    """The batch cannot start: no project, no notebook, bad options (exit code 2, nothing written)."""


@dataclass
class BatchOptions:
    """What ``reportkit run`` was asked to do; relative paths are relative to the working folder."""

    params: list[Path] = field(default_factory=list)  # empty → every params/*.yaml
    root: Path | None = None  # None → found from the cwd upwards
    notebook: Path | None = None  # None → notebooks/report.ipynb
    jobs: int | None = None  # None → one per core
    formats: tuple[str, ...] = FORMATS
    force: bool = False
    out: Path | str | None = None  # None → <root>/outputs; a str "s3://…" (any fsspec URL) publishes there
    scheduler: Any = None  # "tcp://host:8786" or a distributed.Client
    cell_timeout: float = 600.0  # seconds one cell may run (--cell-timeout)
    report_timeout: float = 1800.0  # seconds all the cells of one report may run together (--report-timeout)
    # A new kernel per report instead of one reset kernel per worker (slower; also REPORTKIT_FRESH_KERNELS=1).
    fresh_kernels: bool = field(
        default_factory=lambda: os.environ.get("REPORTKIT_FRESH_KERNELS", "") not in ("", "0")
    )
    kernel_max_reports: int = MAX_REPORTS_PER_KERNEL  # a reused kernel is replaced after this many reports
    worker_max_reports: int = MAX_REPORTS_PER_WORKER  # a local worker process is replaced after this many
    strict: bool = (
        False  # a run whose analyst's texts lack a required section fails (its previous report stays)
    )
    progress: TextIO | None = None  # where progress lines go (None → silent)
