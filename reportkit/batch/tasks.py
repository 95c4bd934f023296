"""What travels between the runner and its workers: a :class:`ReportTask` out, an :class:`Outcome` back.

Both are plain dataclasses (picklable for a process pool and for Dask); a failure is always a :class:`Failure`,
built by one of its constructors, whatever went wrong and wherever.
"""

from __future__ import annotations

import dataclasses
import re
import traceback as _traceback
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "MAX_MESSAGE",
    "MAX_MESSAGE_LINES",
    "STATUSES",
    "Failure",
    "Outcome",
    "ReportTask",
    "WarmSpec",
    "cut",
]

STATUSES = ("ok", "failed", "skipped", "pending", "interrupted")
_CARRIED = frozenset({"files", "record", "failed_notebook"})  # what only travels back, never kept in a result
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# What a failure keeps of a message for the progress line, the summary, --json and the runner's records: a cell
# raising ValueError("y" * 30_000_000) printed 60 MB on the terminal, "line\n" * 2_000_000 four million lines. The
# executed notebook kept in .reportkit-cache/failed/ has more (worker.MAX_PRINTED).
MAX_MESSAGE = 2_000  # characters of a failure's message, the note of what was cut included
MAX_MESSAGE_LINES = 20  # lines of it, the note included
MAX_LINE = 500  # characters of a traceback line or of the cell's first line
MAX_TRACEBACK = 8  # traceback lines kept


@dataclass(frozen=True)
class WarmSpec:
    """How a worker prepares kernels before the parameters arrive: which kernel, in which folder of the project
    (relative to the project, e.g. "notebooks"), what to pre-import."""

    kernel_name: str
    notebook_dir: str
    modules: tuple[str, ...]
    reuse: bool = True
    max_reports: int = 25
    formats: tuple[str, ...] = (
        "html",
        "pdf",
        "docx",
    )  # the exporters to warm (a batch without Word skips it)


@dataclass(frozen=True)
class ReportTask:
    """One report to make: everything a worker needs, on whatever machine it runs, and nothing of the submitter's.

    No path of the submitting machine: the notebook and every file of the project the report reads (the analyst's
    texts, a local data folder or SQLite file, the project's Word template) are named relative to the project, with
    their sha256 in ``files``; a worker finds them in the project itself (a local worker) or is sent their bytes
    (a Dask worker, which writes them into a private copy of the project's layout). A data source on a server is a
    URL in ``parameters``. The worker sends the report's files back; the submitter commits them.

    ``parameters`` and ``secret`` hold secrets (a database password): they are left out of the task's repr, which
    Dask and loggers may print.
    """

    run_id: str
    stem: str  # file stem of the outputs, "report-2022-H1"
    params_file: str  # as the user wrote it, relative to the project
    notebook: (
        str  # the notebook's place in the project ("notebooks/report.ipynb"): its folder is the kernel's
    )
    parameters: dict[str, Any] = field(repr=False)  # injected into the notebook; paths relative to its folder
    # the same, secrets masked and paths relative, for anything a person reads
    shown_parameters: dict[str, Any] = field(default_factory=dict)
    # values never to appear in an output (every text of a secret parameter)
    secret: tuple[str, ...] = field(default=(), repr=False)
    secret_keys: tuple[str, ...] = ()  # the parameters they come from, shown as "***"
    formats: tuple[str, ...] = ()
    fingerprint: str = ""  # of notebook, code, formats, parameters; the data are checked through the manifest
    version: str = ""
    warm: WarmSpec | None = None
    files: dict[str, str] = field(
        default_factory=dict
    )  # project file (relative) → sha256: what the report reads
    batch: str = ""  # the run this task belongs to (a remote worker keeps one copy of the project per run)
    clock: str = (
        ""  # the submitter's SOURCE_DATE_EPOCH ("" : the time of day), so a cluster builds the same bytes
    )
    cell_timeout: float = 600.0
    report_timeout: float = 1800.0  # every cell of the report together
    more: bool = True  # more reports follow on this worker: start the next kernel early
    strict: bool = False  # --strict: text with lost letters fails the report (its previous report stays)

    @property
    def kernel_name(self) -> str:
        return self.warm.kernel_name if self.warm else "python3"

    @property
    def notebook_sha(self) -> str:
        return self.files[self.notebook]


def finding_place(finding: dict[str, Any]) -> str:
    """Where a proofreading finding is corrected: the analyst's file and line ("params/2022-H1.md, dòng 10") when
    the words are the analyst's, else the notebook cell that printed them ("ô 17")."""
    if finding.get("file") and finding.get("line"):
        return f"{finding['file']}, dòng {finding['line']}"
    return f"ô {finding.get('cell')}"


def cut(text: str, limit: int = MAX_MESSAGE, lines: int = MAX_MESSAGE_LINES) -> str:
    """``text`` kept to ``limit`` characters and ``lines`` lines, a note of what was left out on the last line.
    Mask secrets before: a secret split by the cut would not be recognised.

    >>> cut("dòng\\n" * 100, lines=3)
    'dòng\\ndòng\\n… [reportkit: đã lược bớt 491 ký tự, 98 dòng; xem notebook đã chạy]'
    """
    if len(text) <= limit and text.count("\n") < lines:
        return text
    from reportkit import vn

    head = "\n".join(text.split("\n", lines - 1)[: lines - 1]) if lines > 1 else ""
    head = head[: max(0, limit - 100)]
    chars, left = len(text) - len(head), text.rstrip("\n").count("\n") - head.count("\n")
    shown_lines = f", {vn.number(left)} dòng" if left > 1 else ""
    note = f"… [reportkit: đã lược bớt {vn.number(chars)} ký tự{shown_lines}; xem notebook đã chạy]"
    return (head + "\n" if head and lines > 1 else head) + note


@dataclass
class Failure:
    """Why a report failed, for a person: where (kind, cell), what (exception, message), a short traceback."""

    # "cell", "timeout", "kernel", "export", "setup", "worker", "publish"; with --strict "texts", "proofreading"
    kind: str
    exception: str
    message: str
    traceback: list[str] = field(default_factory=list)
    cell: int | None = None  # 1-based, as JupyterLab counts cells (the injected parameters cell not counted)
    execution_count: int | None = None
    cell_source: str | None = None  # the cell's first line
    notebook: str | None = None  # the executed notebook kept for the analyst
    local: str | None = None  # a local copy of a report that could not be published

    @classmethod
    def from_exception(cls, kind: str, err: BaseException, **extra: Any) -> Failure:
        lines = _traceback.format_exception(err)
        tail = [ln.rstrip() for chunk in lines[-3:] for ln in chunk.splitlines()][:8]
        return cls(kind, type(err).__name__, str(err).strip(), tail, **extra)

    @classmethod
    def from_cell(
        cls, err: BaseException, nb=None, cell_index: int | None = None, injected: int | None = None
    ):
        """A cell that raised: its exception as the kernel named it, and the cell as the analyst sees it."""
        text = _ANSI.sub("", str(getattr(err, "traceback", "") or ""))
        lines = [ln for ln in text.splitlines() if ln.strip() and not set(ln.strip()) <= {"-"}]
        failure = cls(
            "cell",
            str(getattr(err, "ename", type(err).__name__)),
            _ANSI.sub("", str(getattr(err, "evalue", ""))).strip(),
            lines[:8],
        )
        return failure._at(nb, cell_index, injected)

    @classmethod
    def from_timeout(
        cls, limit: str, seconds: float, nb=None, cell_index: int | None = None, injected: int | None = None
    ) -> Failure:
        """A cell still running when a limit ran out (``limit``: "cell" or "report"); its kernel was stopped."""
        what = "this cell" if limit == "cell" else "the report's cells together"
        message = f"{what} did not finish within {seconds:g} s (--{limit}-timeout {seconds:g}); the kernel was stopped"
        failure = cls("timeout", "CellTimeout" if limit == "cell" else "ReportTimeout", message)
        return failure._at(nb, cell_index, injected)

    @classmethod
    def from_dead_kernel(
        cls, returncode: int | None, nb=None, cell_index: int | None = None, injected: int | None = None
    ) -> Failure:
        """The kernel process died while a cell ran (``os._exit``, a crash in native code, out of memory)."""
        import signal

        if returncode is not None and returncode < 0:
            try:
                name = signal.Signals(-returncode).name
            except ValueError:
                name = f"signal {-returncode}"
            why = {"SIGSEGV": "a crash in native code", "SIGKILL": "killed, often for lack of memory",
                   "SIGABRT": "aborted by native code"}.get(name)  # fmt: skip
            how = f"killed by {name}" + (f": {why}" if why else "")
        elif returncode is not None:
            how = f"exit code {returncode}"
        else:
            how = "it stopped answering"
        message = f"the kernel died while running this cell ({how}); nothing after it ran"
        return cls("kernel", "DeadKernel", message)._at(nb, cell_index, injected)

    @classmethod
    def from_lost_worker(cls, err: BaseException) -> Failure:
        """The worker process running (or about to run) the report died: killed, or out of memory."""
        return cls("worker", type(err).__name__, f"the worker process died (killed, or out of memory): {err}")

    def _at(self, nb, cell_index: int | None, injected: int | None) -> Failure:
        """Locate the failure in its cell, numbered as JupyterLab numbers it (the injected cell not counted)."""
        if cell_index is not None and nb is not None and 0 <= cell_index < len(nb.cells):
            cell = nb.cells[cell_index]
            source = cell.source.splitlines()
            self.cell = cell_index + 1 - (1 if injected is not None and cell_index > injected else 0)
            self.execution_count = cell.get("execution_count")
            self.cell_source = source[0] if source else ""
        return self

    def redact(self, redactor) -> Failure:
        """Every text a person reads (message, traceback, the cell's first line) through the run's Redactor, then
        cut to a readable size (:func:`cut`): masked first, so a secret the cut falls in is masked whole. Every
        failure passes here before it is shown or kept; a second pass changes nothing."""
        if redactor:
            self.message = redactor.text(self.message)
            self.traceback = [redactor.text(line) for line in self.traceback[:MAX_TRACEBACK]]
            if self.cell_source:
                self.cell_source = redactor.text(self.cell_source)
        self.message = cut(self.message)
        self.traceback = [cut(line, MAX_LINE, 1) for line in self.traceback[:MAX_TRACEBACK]]
        if self.cell_source:
            self.cell_source = cut(self.cell_source, MAX_LINE, 1)
        return self

    @classmethod
    def from_taken_folder(cls, folder: str, owner: str, params_file: str) -> Failure:
        """The run's folder holds the report of another params file with the same run id: replacing it silently
        would lose a good report (a province roll-up named "2022-H1" beside the ward's own "2022-H1")."""
        return cls(
            "setup",
            "RunIdTaken",
            f"{folder}/ holds the report of {owner}, whose run id this run of {params_file} shares; nothing was "
            f"replaced — give one of them another run id (a 'units:' entry) or another --out, or remove {folder}/",
        )

    @classmethod
    def from_missing_texts(cls, missing: str) -> Failure:
        """--strict: the analyst's texts lack a required section ("chưa viết phần Ưu điểm …")."""
        return cls("texts", "MissingTexts", f"--strict: {missing}")

    @staticmethod
    def damaged_prose(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """What --strict fails a report on: lost letters in its prose, not in the data's notes it never prints."""
        return [f for f in findings if f.get("kind") == "damaged" and f.get("source") != "data"]

    @classmethod
    def from_damaged_text(cls, damaged: list[dict[str, Any]]) -> Failure:
        """--strict: the report's prose has syllables that lost letters (vn.check findings of kind "damaged")."""
        shown = "; ".join(
            f"{finding_place(f)}: “{f['found']}” → “{(f.get('suggestions') or ['?'])[0]}”"
            for f in damaged[:5]
        )
        more = f" và {len(damaged) - 5} chỗ khác" if len(damaged) > 5 else ""
        return cls("proofreading", "DamagedText", f"--strict: {len(damaged)} chỗ bị mất chữ: {shown}{more}")

    def line(self) -> str:
        """One line for the progress display and the summary: "cell 5 (In [4]): KeyError: 'x'"."""
        where = ""
        if self.cell is not None:
            where = (
                f"cell {self.cell}"
                + (f" (In [{self.execution_count}])" if self.execution_count else "")
                + ": "
            )
        elif self.kind in ("export", "publish", "worker", "timeout", "kernel"):
            where = f"{self.kind}: "
        return f"{where}{self.exception}: {self.message}".strip()

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


@dataclass
class Outcome:
    """What became of one report; ``outputs`` maps each file name to where it is."""

    run_id: str
    status: str = "pending"
    params_file: str | None = None
    seconds: float | None = None
    outputs: dict[str, str] = field(default_factory=dict)
    error: Failure | None = None
    timings: dict[str, float] = field(default_factory=dict)
    worker: int | None = None
    generated_at: str | None = None
    published: bool | None = None
    notes: list[str] = field(default_factory=list)  # for the person: e.g. the analyst's sections not written
    # From a worker to the submitter, which commits them and then drops them: the report's files (name → text or
    # bytes, every secret already masked), its record, and the executed notebook of a failed report.
    files: dict[str, str | bytes] = field(default_factory=dict, repr=False)
    record: dict[str, Any] | None = field(default=None, repr=False)
    failed_notebook: str | None = field(default=None, repr=False)
    # What the proofreader found in the report's prose: vn.Finding.as_dict() plus "cell" (as JupyterLab counts).
    findings: list[dict[str, Any]] = field(default_factory=list)

    def update(self, other: Outcome) -> None:
        """Take what a worker reported (everything it set) into the runner's entry."""
        for f in dataclasses.fields(other):
            if f.name in _CARRIED:
                continue
            value = getattr(other, f.name)
            if f.name != "run_id" and value not in (None, {}, [], "pending"):
                setattr(self, f.name, value)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"run_id": self.run_id, "status": self.status, "params_file": self.params_file,
                                "seconds": self.seconds, "outputs": dict(self.outputs)}  # fmt: skip
        for name in ("timings", "worker", "generated_at", "published", "notes", "findings"):
            value = getattr(self, name)
            if value not in (None, {}, []):
                data[name] = value
        if self.error is not None:
            data["error"] = self.error.as_json()
        return data
