"""One report, start to finish, inside a long-lived worker process (local pool or Dask worker).

The worker keeps a warm exporter (nbconvert templates and WeasyPrint fonts loaded once) and a warm kernel for the
next report. papermill injects the parameters; nbclient runs the cells on the warm kernel (papermill's own engine
would save the notebook at every cell start and end, which the batch does not need). The report's files go back to
the submitter in the :class:`Outcome` (every secret masked), which commits them: a worker writes nothing outside its
own copy of the project, so it needs no disk it shares with the submitter.

Where the project's files are: a local worker reads them in the project itself (:class:`Workspace`); a Dask worker,
which may be on another machine or run as a user who cannot read the project, gets their bytes with the task and
writes them into a private folder laid out like the project (:class:`RemoteWorkspace`), one per run.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import logging
import os
import posixpath
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar

from reportkit.batch.kernels import MAX_REPORTS_PER_KERNEL, notebook_client
from reportkit.batch.tasks import Failure, Outcome, ReportTask, WarmSpec
from reportkit.core.atomic import write_atomic

_TLS = threading.local()
_PROCESS: dict[str, Any] = {}
_QUIET = logging.getLogger("reportkit.batch.nbclient")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


def _state() -> dict[str, Any]:
    """Per-thread worker state (a Dask worker may run tasks on several threads; kernels are not shared)."""
    if not hasattr(_TLS, "state"):
        _TLS.state = {}
    return _TLS.state


def _linux_die_with_parent(parent: int | None = None) -> None:
    """Ask Linux to SIGKILL this worker when the runner dies, so a killed run stops writing at once.

    A runner that died before the request was made (between spawning the worker and here) left it to the init
    process already: then the worker exits now.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def skip_iri_format_checker() -> None:
    """Keep jsonschema from importing ``rfc3987_syntax`` in this process (a worker of ours, nothing else).

    nbformat imports jsonschema, whose optional IRI format checker compiles about 40 grammars on import: 1.3 s of
    CPU per process (python-jsonschema/jsonschema#1428, jupyter/nbformat#420). Notebook validation never checks
    the "iri" format; jsonschema treats the module as not installed.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]


class _SignalsBelongToTheRunner(asyncio.DefaultEventLoopPolicy):
    """Event loops that install no signal handler: nbclient's own SIGINT/SIGTERM handlers (a kernel clean-up
    that prints asyncio and ZMQ tracebacks, and keeps a SIGTERMed worker alive) are refused, as they are on a
    thread, so SIGINT stays ignored and SIGTERM ends the worker at once."""

    def new_event_loop(self):
        loop = super().new_event_loop()

        def refuse(*_args, **_kwargs):
            raise RuntimeError("a reportkit worker's signals are its runner's")

        loop.add_signal_handler = refuse  # type: ignore[method-assign]
        loop.remove_signal_handler = refuse  # type: ignore[method-assign]
        return loop


def serve_local(conn, warm: WarmSpec | None, parent: int, root: str, scratch: str | None = None) -> None:
    """A local worker process's life: warm up, then make each report the runner sends until it sends None.

    It tells the runner ("start", run_id) when it begins a report and ("done", outcome) when it has made it; a
    warm-up that fails is answered ("broken", failure) before the process exits.
    """
    try:
        init_local_worker(warm, conn, parent, root, scratch)
    except Exception as err:
        from reportkit.core.redact import Redactor

        conn.send(("broken", Failure.from_exception("setup", err).redact(Redactor(root=root))))
        return
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):  # the runner is gone
            return
        if task is None:
            return
        conn.send(("done", execute_run(task)))


def init_local_worker(
    warm: WarmSpec | None,
    runner=None,
    parent: int | None = None,
    root: str | None = None,
    scratch: str | None = None,
) -> None:
    """Set up a local worker process: die with the runner, then warm up before the first report.

    ``scratch``: the folder the runner gave it for its temporary files and its kernels' (``TMPDIR``), which the
    runner removes once the worker is gone.

    Ctrl-C reaches every process of the terminal's group: the runner alone handles it (it stops the workers and
    prints the summary), so a worker ignores it rather than print its ZMQ and asyncio tracebacks.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if scratch is not None:
        os.environ["TMPDIR"] = tempfile.tempdir = scratch
    asyncio.set_event_loop_policy(_SignalsBelongToTheRunner())
    _linux_die_with_parent(parent)
    skip_iri_format_checker()
    _PROCESS["parent"] = parent if parent is not None else os.getppid()
    _PROCESS["runner"] = runner  # the pipe to the runner, told when each report begins
    _PROCESS["workspace"] = Workspace(Path(root or os.getcwd()))
    warm_worker(warm, _PROCESS["workspace"].root)


def _exporter():
    ex = _state().get("exporter")
    if ex is None:
        from reportkit.export import ReportExporter

        ex = _state()["exporter"] = ReportExporter()
    return ex


def _pool(reuse: bool = True, max_reports: int = MAX_REPORTS_PER_KERNEL):
    pool = _state().get("pool")
    if pool is not None and pool.reuse != reuse:
        pool.close()
        pool = None
    if pool is None:
        from reportkit.batch.kernels import KernelPool

        # A local worker's kernels die with it (PR_SET_PDEATHSIG), even one stuck in native code; a Dask
        # worker's threads come and go, and a kernel must not die with the thread that started it.
        pool = _state()["pool"] = KernelPool(
            reuse=reuse, max_reports=max_reports, die_with_parent="parent" in _PROCESS
        )
        import multiprocessing.util

        multiprocessing.util.Finalize(pool, pool.close, exitpriority=100)
        import atexit

        atexit.register(pool.close)
    return pool


def execute_on_dask(task: ReportTask, blobs: dict[str, bytes] | None = None) -> Outcome:
    """Dask entry point: the project's files the report reads (``blobs``: sha256 → bytes) into this worker's copy
    of the project, this thread warmed on its first report, then the report."""
    try:
        workspace = RemoteWorkspace.of(task.batch)
        workspace.provide(task.files, blobs or {})
    except Exception as err:
        outcome = Outcome(task.run_id, "failed", params_file=task.params_file, worker=os.getpid())
        from reportkit.core.redact import Redactor

        outcome.error = Failure.from_exception("setup", err).redact(Redactor(task.secret))
        return outcome
    state = _state()
    if state.get("warm") != workspace.root:
        warm_worker(task.warm, workspace.root)
    return execute_run(task, workspace)


def warm_worker(warm: WarmSpec | None, root: Path | None = None) -> None:
    """Start the first kernel (it boots meanwhile), then import and warm the exporter."""
    _state()["warm"] = root
    if warm and root is not None:
        pool = _pool(warm.reuse, warm.max_reports)
        pool.prestart(warm.kernel_name, str(root / warm.notebook_dir), warm.modules)
    _warm_exporter(_exporter(), warm.formats if warm else ("html", "pdf", "docx"))
    import nbclient  # noqa: F401
    import papermill.parameterize  # noqa: F401


class Workspace:
    """The project as a worker finds it: a local worker reads the submitter's project folder itself."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def read(self, rel: str, sha: str) -> bytes:
        """The bytes of the project file ``rel``, which must still be those the batch was planned with."""
        data = (self.root / _inside(rel)).read_bytes()
        if hashlib.sha256(data).hexdigest() != sha:
            raise RuntimeError(f"{rel} changed while the batch ran; run reportkit again to report from it")
        return data


class RemoteWorkspace(Workspace):
    """A private copy of the project's layout on a worker that shares no disk with the submitter: the files each
    report reads, written once per run from the bytes its tasks carry. Named by this process and its run; a copy
    left by a process that died is removed when a later one starts."""

    _mine: ClassVar[dict[str, RemoteWorkspace]] = {}  # run → its copy, in this process
    _lock = threading.Lock()
    KEEP = 2  # copies of earlier runs kept (another run may still use this worker)

    @classmethod
    def of(cls, batch: str) -> RemoteWorkspace:
        with cls._lock:
            found = cls._mine.get(batch)
            if found is None:
                cls._clean_stale()
                found = cls._mine[batch] = cls(batch)
                for old in list(cls._mine)[: -cls.KEEP - 1]:
                    cls._mine.pop(old).remove()
            return found

    def __init__(self, batch: str):
        name = f"reportkit-project-{os.getpid()}-{''.join(c for c in batch if c.isalnum())[:12]}-"
        super().__init__(Path(tempfile.mkdtemp(prefix=name)))
        for folder in (
            "params",
            "notebooks",
        ):  # what makes a folder a project (reportkit.core.redact.find_root)
            (self.root / folder).mkdir()
        self.have: dict[str, str] = {}
        self._write = threading.Lock()
        import atexit

        atexit.register(self.remove)

    @staticmethod
    def _clean_stale() -> None:
        from reportkit.batch.store import pid_alive

        for entry in Path(tempfile.gettempdir()).glob("reportkit-project-*"):
            pid = entry.name.split("-")[2]
            if pid.isdigit() and not pid_alive(int(pid)):
                shutil.rmtree(entry, ignore_errors=True)

    def provide(self, files: dict[str, str], blobs: dict[str, bytes]) -> None:
        with self._write:
            for rel, sha in files.items():
                if self.have.get(rel) == sha:
                    continue
                data = blobs.get(sha)
                if data is None or hashlib.sha256(data).hexdigest() != sha:
                    raise RuntimeError(f"the submitter did not send {rel} (sha256 {sha[:12]}…)")
                target = self.root / _inside(rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(target, data)
                self.have[rel] = sha

    def read(self, rel: str, sha: str) -> bytes:
        return (
            (self.root / _inside(rel)).read_bytes() if self.have.get(rel) == sha else super().read(rel, sha)
        )

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _inside(rel: str) -> PurePosixPath:
    """A task's project-relative path, refused when it would lead out of the project."""
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"not a path inside the project: {rel!r}")
    return path


def _warm_exporter(ex, formats: tuple[str, ...]) -> None:
    """Load nbconvert's template and WeasyPrint's fonts now, not during the first report; only what the batch
    makes (python-docx and its template cost a second of start-up for nothing in an HTML+PDF batch)."""
    import nbformat

    page = None
    with contextlib.suppress(Exception):
        page = ex.html(nbformat.v4.new_notebook(), None)
    if "pdf" in formats:
        with contextlib.suppress(Exception):
            ex.pdf(page or '<!DOCTYPE html><html lang="vi"><body><p>Khởi động</p></body></html>')
    if "docx" in formats:
        with contextlib.suppress(Exception):
            ex.docx(nbformat.v4.new_notebook())


def _read_notebook(workspace: Workspace, rel: str, sha: str):
    import nbformat

    cache = _state().setdefault("notebooks", {})
    if sha not in cache:
        cache.clear()
        cache[sha] = nbformat.reads(workspace.read(rel, sha).decode("utf-8"), as_version=4)
    return copy.deepcopy(cache[sha])


def _coalesce_streams(nb) -> None:
    """One output per run of consecutive prints to the same stream, as JupyterLab shows them: a text printed in
    pieces (flushed halfway) is whole again, so a secret in it is found and masked."""
    for cell in nb.cells:
        outputs = cell.get("outputs") or []
        merged = []
        for output in outputs:
            last = merged[-1] if merged else None
            if (
                last is not None
                and output.get("output_type") == "stream"
                and last.get("output_type") == "stream"
                and last.get("name") == output.get("name")
            ):
                last["text"] = last.get("text", "") + output.get("text", "")
            else:
                merged.append(output)
        if len(merged) != len(outputs):
            cell["outputs"] = merged


# A printed text kept in the executed notebook: a cell printing 50 MB made a 52 MB notebook in outputs/, and 300
# displays of 99,000 characters each 30 MB. What is cut is printed output (streams, tracebacks, a plain-text-only
# result or display), never what the report shows (displayed tables, charts, the record).
MAX_PRINTED = (
    100_000  # characters of one stream output or traceback, and of a cell's printed outputs together
)
_KEEP_HEAD, _KEEP_TAIL = 80_000, 20_000
_NOTE_ROOM = 1_000  # what a note of a cut adds


def _cut_note(cut: int) -> str:
    from reportkit import vn

    return (
        f"\n… [reportkit: đã lược bớt {vn.number(cut)} ký tự ở đây; mỗi đầu ra chỉ giữ {vn.number(MAX_PRINTED)} "
        "ký tự. Chạy lại ô này trong JupyterLab để xem đầy đủ.]\n"
    )


def _plain_text(output) -> str | None:
    """The text of an output that is only printed text (a stream, a result or display with no other form)."""
    if output.get("output_type") == "stream":
        return output.get("text", "")
    data = output.get("data") or {}
    if output.get("output_type") in ("execute_result", "display_data") and set(data) == {"text/plain"}:
        plain = data["text/plain"]
        return "".join(plain) if isinstance(plain, list) else plain
    return None


def _with_text(output, text: str):
    import nbformat

    output = nbformat.NotebookNode(output)
    if output.get("output_type") == "stream":
        output["text"] = text
    else:
        output["data"] = nbformat.NotebookNode({**output["data"], "text/plain": text})
    return output


def _cap_cell(cell) -> None:
    """A cell's printed outputs over ``MAX_PRINTED`` characters together keep their first ``_KEEP_HEAD`` and last
    ``_KEEP_TAIL`` characters, one note where the rest was left out; its other outputs all stay, in order."""
    import nbformat

    from reportkit import vn

    outputs = list(cell.get("outputs") or [])
    texts = [_plain_text(o) for o in outputs]
    if sum(len(t) for t in texts if t) <= MAX_PRINTED + _NOTE_ROOM:  # one output cut alone, with its note
        return
    heads, tails = [0] * len(outputs), [0] * len(outputs)  # characters kept of each one's beginning and end
    left = _KEEP_HEAD
    for i, text in enumerate(texts):
        if text is not None and left:
            heads[i] = min(left, len(text))
            left -= heads[i]
    left = _KEEP_TAIL
    for i in range(len(outputs) - 1, -1, -1):
        if texts[i] is not None and left:
            tails[i] = min(left, len(texts[i]) - heads[i])
            left -= tails[i]
    new, cut, dropped = [], 0, 0
    for i, output in enumerate(outputs):
        text = texts[i]
        if text is None or heads[i] + tails[i] == len(text):
            new.append(output)
            continue
        cut += len(text) - heads[i] - tails[i]
        dropped += not (heads[i] or tails[i])
        if heads[i]:
            new.append(_with_text(output, text[: heads[i]]))
        if not any(o is None for o in new):
            new.append(None)  # the note, where the cut begins
        if tails[i]:
            new.append(_with_text(output, text[len(text) - tails[i] :]))
    text = (
        f"\n… [reportkit: đã lược bớt {vn.number(cut)} ký tự ở đây ({vn.number(dropped)} đầu ra bỏ hẳn); mỗi ô chỉ "
        f"giữ {vn.number(MAX_PRINTED)} ký tự đầu ra. Chạy lại ô này trong JupyterLab để xem đầy đủ.]\n"
    )
    note = nbformat.v4.new_output("stream", name="stdout", text=text)
    cell["outputs"] = [note if o is None else o for o in new]


def _cap_printed(nb) -> None:
    """Printed output over ``MAX_PRINTED`` characters keeps its beginning and end, with a note where it was cut:
    streams, tracebacks, and the plain-text form of a cell's result or display (no export shows it: a report shows
    its Markdown, HTML, tables and images)."""
    for cell in nb.cells:
        for output in cell.get("outputs") or []:
            data = output.get("data") or {}
            plain = data.get("text/plain")
            if isinstance(plain, list):
                plain = "".join(plain)
            if isinstance(plain, str) and len(plain) > MAX_PRINTED:
                cut = len(plain) - _KEEP_HEAD - _KEEP_TAIL
                data["text/plain"] = plain[:_KEEP_HEAD] + _cut_note(cut) + plain[-_KEEP_TAIL:]
            if output.get("output_type") == "stream":
                text = output.get("text", "")
                if len(text) > MAX_PRINTED:
                    cut = len(text) - _KEEP_HEAD - _KEEP_TAIL
                    output["text"] = text[:_KEEP_HEAD] + _cut_note(cut) + text[-_KEEP_TAIL:]
            elif output.get("output_type") == "error":
                lines = output.get("traceback") or []
                size = sum(len(line) for line in lines)
                if size > MAX_PRINTED:
                    head = "".join(lines)[:_KEEP_HEAD]
                    tail = "".join(lines)[-_KEEP_TAIL:]
                    output["traceback"] = [head, _cut_note(size - len(head) - len(tail)), tail]
                if len(output.get("evalue", "")) > MAX_PRINTED:
                    value = output["evalue"]
                    output["evalue"] = value[:_KEEP_HEAD] + _cut_note(len(value) - _KEEP_HEAD)
        if cell.get("outputs"):
            _cap_cell(cell)


def _redacted(nb, task: ReportTask, redactor):
    """The notebook with every secret masked wherever it landed: the injected parameters cell rewritten with
    "***" for each secret parameter, then every form of every secret value (outputs, tracebacks) masked, and the
    project's absolute path removed (the record's sources, any printed path). The files written from it are
    scrubbed as text once more."""
    import nbformat

    _coalesce_streams(nb)

    if task.secret_keys:
        from papermill.translators import translate_parameters

        from reportkit.core import redact

        masked = redact.masked(task.parameters, task.secret_keys)
        for cell in nb.cells:
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                cell.source = translate_parameters("python", "python", masked, "Parameters")
    if not redactor:
        return nb
    # Value by value: the notebook's keys (cell fields, MIME types) are read by the exporters. Then written and
    # read back as a saved notebook is: its keys in order, whatever order the kernel sent them in.
    return nbformat.reads(nbformat.writes(nbformat.from_dict(redactor.values(nb))), as_version=4)


def proofread(nb, injected: int | None, texts: tuple[str, str] | None = None) -> list[dict[str, Any]]:
    """What ``vn.check`` finds in the prose the report prints, as people read it (``vn.proof.notes``), each with the
    cell it is in (numbered as JupyterLab shows the notebook, without papermill's injected cell).

    ``texts``: the analyst's file (its project path and text). Words the cell's own source does not hold but a
    section of that file does are the analyst's: the finding names the file and line, where they are corrected
    ("params/2022-H1.md", line 10), as ``reportkit check`` does."""
    from reportkit.core.content import prose
    from reportkit.vn.proof import KINDS, notes

    def shown(index: int) -> int:
        return index + 1 - (1 if injected is not None and index > injected else 0)

    sections = []
    if texts is not None:
        from reportkit.narrative.texts import parse

        sections = [(s.body, s.first_line) for s in parse(texts[1], texts[0]).sections.values()]

    def in_texts(index: int, words: str) -> dict[str, Any]:
        source = nb.cells[index].get("source", "")
        if not sections or words in ("".join(source) if isinstance(source, list) else source):
            return {}
        for body, first_line in sections:
            at = body.find(words)
            if at >= 0:
                return {"file": texts[0], "line": first_line + body.count("\n", 0, at)}  # type: ignore[index]
        return {}

    kind_of = {label: kind for kind, label in KINDS.items()}
    found = []
    for index, text in prose(nb):
        for note in notes(text):  # neighbouring damaged words together: "Mt trn" → "Mặt trận"
            found.append({"cell": shown(index), "kind": kind_of.get(note.label, note.label), "found": note.found,
                          "suggestions": [note.suggestion] if note.suggestion else [], "message": str(note),
                          **in_texts(index, note.found)})  # fmt: skip
    # What the data's own texts hold (a tổ's "Ghi chú"), from the note under the cell that loaded them: located to
    # the file and cell, listed, but not the report's prose (--strict does not fail on a note no report prints).
    for index, cell in enumerate(nb.get("cells", [])):
        for output in cell.get("outputs", []):
            meta = (output.get("metadata") or {}).get("reportkit") or {}
            if meta.get("kind") == "proofreading" and meta.get("source") == "data":
                for finding in meta.get("findings") or []:
                    found.append({**finding, "cell": shown(index), "source": "data"})
    return found


def _analyst_texts(task: ReportTask, workspace: Workspace) -> tuple[str, str] | None:
    """The analyst's file the report rendered (``texts``), as (project path, text), or None."""
    texts = task.parameters.get("texts")
    if not isinstance(texts, str) or not texts:
        return None
    rel = posixpath.normpath(posixpath.join(posixpath.dirname(task.notebook), texts.replace("\\", "/")))
    if rel not in task.files:
        return None
    try:
        return rel, workspace.read(rel, task.files[rel]).decode("utf-8")
    except (OSError, ValueError, RuntimeError):  # unreadable, or changed since: the cell still locates it
        return None


def execute_run(task: ReportTask, workspace: Workspace | None = None) -> Outcome:
    """Produce one report; never raises for a report's own failure (the outcome says what failed, where).

    ``workspace``: where the project's files are (default: this local worker's project). The report's files come
    back in ``Outcome.files``; nothing is written outside the workspace.
    """
    from reportkit.core import clock

    workspace = workspace or _PROCESS.get("workspace") or Workspace(Path.cwd())
    with clock.using(task.clock):
        return _execute(task, workspace)


def _execute(task: ReportTask, workspace: Workspace) -> Outcome:
    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from papermill.parameterize import parameterize_notebook

    from reportkit.core import clock
    from reportkit.core import record as report
    from reportkit.core.redact import Redactor

    t0 = time.perf_counter()
    runner = _PROCESS.get("runner")
    if runner is not None:
        runner.send(("start", task.run_id))
    timings: dict[str, float] = {}
    outcome = Outcome(task.run_id, "failed", params_file=task.params_file, worker=os.getpid())
    root = workspace.root
    redactor = Redactor(task.secret, root=root)
    nb = None
    current: dict[str, int] = {}
    kernel = None
    try:
        nb = _read_notebook(workspace, task.notebook, task.notebook_sha)
        nb.metadata["papermill"] = nbformat.NotebookNode(parameters={})
        for cell in nb.cells:  # papermill expects every cell to carry a tags list
            cell.metadata.setdefault("tags", [])
        nb_dir = str(root / PurePosixPath(task.notebook).parent)
        nb = parameterize_notebook(nb, task.parameters, kernel_name=task.kernel_name, language="python")
        injected = next(
            (i for i, c in enumerate(nb.cells) if "injected-parameters" in c.metadata.get("tags", [])), None
        )
        if injected is not None and "id" in nb.cells[injected]:
            nb.cells[
                injected
            ].id = "injected-parameters"  # papermill's is random: the same run, the same bytes
        t = time.perf_counter()
        warm = task.warm or WarmSpec(task.kernel_name, str(PurePosixPath(task.notebook).parent), ())
        pool = _pool(warm.reuse, warm.max_reports)
        kernel = pool.take(task.kernel_name, nb_dir, warm.modules, prestart_next=task.more)
        timings["kernel_wait"] = time.perf_counter() - t

        def on_cell_execute(cell, cell_index):
            current["index"] = cell_index

        deadline = time.monotonic() + task.report_timeout
        limits: dict[str, str] = {}

        def timeout_for(cell) -> float:
            """The cell's own limit, or what is left of the report's when that is sooner."""
            left = deadline - time.monotonic()
            limits["now"] = "cell" if task.cell_timeout <= left else "report"
            return max(0.1, min(task.cell_timeout, left))

        started = clock.now()
        client = notebook_client(
            nb,
            kernel,
            kernel_name=task.kernel_name,
            timeout_func=timeout_for,
            startup_timeout=120,
            resources={"metadata": {"path": nb_dir}},
            on_cell_execute=on_cell_execute,
            record_timing=not clock.reproducible(),  # SOURCE_DATE_EPOCH: byte-identical notebooks
            log=_QUIET,  # the failure says what nbclient would log ("Kernel died …"), with the cell
        )
        t = time.perf_counter()
        healthy = False
        try:
            client.execute()
            healthy = True
        except CellExecutionError as err:
            outcome.error = Failure.from_cell(err, nb, current.get("index"), injected)
            return outcome
        except CellTimeoutError:
            limit = limits.get("now", "cell")
            seconds = task.cell_timeout if limit == "cell" else task.report_timeout
            outcome.error = Failure.from_timeout(limit, seconds, nb, current.get("index"), injected)
            return outcome
        except DeadKernelError:
            outcome.error = Failure.from_dead_kernel(kernel.exit_code(), nb, current.get("index"), injected)
            return outcome
        finally:
            timings["execute"] = time.perf_counter() - t
            if client.kc is not None:
                client.kc.stop_channels()
            # A failed, timed-out or interrupted report's kernel is never reused.
            pool.release(kernel, healthy, more=task.more)
            kernel = None
            nb.metadata.papermill.update(
                start_time=started.isoformat(),
                end_time=clock.now().isoformat(),
                input_path=task.notebook,
                exception=outcome.error is not None,
            )
            if not clock.reproducible():
                nb.metadata.papermill["duration"] = round(time.perf_counter() - t, 3)
            nb.metadata.papermill["parameters"] = task.shown_parameters
            nb = _redacted(nb, task, redactor)
            _cap_printed(nb)
            if outcome.error is not None:
                outcome.failed_notebook = redactor.text(nbformat.writes(nb))
                outcome.error.redact(redactor)

        outcome.findings = proofread(nb, injected, _analyst_texts(task, workspace))
        damaged = Failure.damaged_prose(outcome.findings)
        if task.strict and damaged:
            outcome.error = Failure.from_damaged_text(damaged)
            return outcome

        t = time.perf_counter()
        record = report.read(nb, source=task.notebook)
        if not record:
            raise RuntimeError(
                f"the notebook displayed no report record ({report.RECORD_MIME}); "
                "it must call reportkit.narrative.record(...)"
            )
        exporter = _exporter()
        formats = task.formats
        generated_at = clock.now().isoformat(timespec="seconds")
        run_info = {
            "parameters": task.shown_parameters,
            "generated_at": generated_at,
            "version": task.version,
        }
        stem = task.stem
        files: dict[str, str | bytes] = {f"{stem}.ipynb": redactor.text(nbformat.writes(nb))}
        sidecar = redactor.text(report.dumps(record))
        if "html" in formats or "pdf" in formats:
            html = redactor.text(exporter.html(nb, run_info))
            timings["html"] = time.perf_counter() - t
            if "html" in formats:
                files[f"{stem}.html"] = html
            if "pdf" in formats:
                t = time.perf_counter()
                files[f"{stem}.pdf"] = exporter.pdf(html, sidecar, attachment_name=f"{stem}.json")
                timings["pdf"] = time.perf_counter() - t
        if "docx" in formats:
            from reportkit.export.docx import template_for

            t = time.perf_counter()
            files[f"{stem}.docx"] = exporter.docx(nb, template=template_for(root))
            timings["docx"] = time.perf_counter() - t
        if "article" in formats:
            files[f"{stem}.article.html"] = redactor.text(exporter.article(nb))
        files[f"{stem}.json"] = sidecar
        outcome.files = files
        outcome.record = redactor.tree(record)  # type: ignore[assignment]
        outcome.generated_at = generated_at
        outcome.status = "ok"
        return outcome
    except BaseException as err:
        if outcome.error is None:
            kind = "export" if nb is not None and "execute" in timings else "setup"
            outcome.error = Failure.from_exception(kind, err).redact(redactor)
        if isinstance(err, KeyboardInterrupt | SystemExit):
            raise
        return outcome
    finally:
        if kernel is not None:
            kernel.shutdown()
        outcome.timings = {k: round(v, 3) for k, v in timings.items()}
        outcome.seconds = round(time.perf_counter() - t0, 3)
