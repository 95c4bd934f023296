"""The batch: validate every params file, skip what is up to date, run the rest in parallel, write the index.

The same runner drives a local pool of long-lived worker processes or a Dask distributed cluster
(``scheduler="tcp://…"`` or a ``distributed.Client``): both are ``concurrent.futures``-style executors of
:func:`reportkit.batch.worker.execute_run`. With ``out="s3://…"`` (any fsspec URL) the batch runs into a local
mirror and is then published by :mod:`reportkit.batch.remote`.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import json
import multiprocessing as mp
import os
import queue
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from reportkit.batch import params as P
from reportkit.batch import remote, store
from reportkit.batch.kernels import MAX_REPORTS_PER_KERNEL
from reportkit.core.errors import ReportkitError

FORMATS = ("html", "pdf", "article")


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
    cell_timeout: float = 600.0
    # A new kernel per report instead of one reset kernel per worker (slower; also REPORTKIT_FRESH_KERNELS=1).
    fresh_kernels: bool = field(
        default_factory=lambda: os.environ.get("REPORTKIT_FRESH_KERNELS", "") not in ("", "0")
    )
    kernel_max_reports: int = MAX_REPORTS_PER_KERNEL  # a reused kernel is replaced after this many reports
    progress: TextIO | None = None  # where progress lines go (None → silent)


@dataclass
class BatchResult:
    reports: list[dict[str, Any]]
    out_dir: Path  # for a URL: the local mirror the batch ran into
    index: Path | str | None  # a str URL when published
    seconds: float
    index_error: str | None = None
    out_url: str | None = None  # the fsspec URL the reports were published to

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [r for r in self.reports if r["status"] == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.index_error else 0

    def as_json(self) -> dict[str, Any]:
        counts: dict[str, int] = {}
        for r in self.reports:
            counts[r["status"]] = counts.get(r["status"], 0) + 1
        return {
            "status": "failed" if self.failed else "ok",
            "counts": counts,
            "seconds": round(self.seconds, 3),
            "out_dir": self.out_url or str(self.out_dir),
            **({"mirror": str(self.out_dir)} if self.out_url else {}),
            "index": str(self.index) if self.index else None,
            "index_error": self.index_error,
            "reports": self.reports,
        }


def _resolve(path: Path) -> Path:
    return path if path.is_absolute() else (Path.cwd() / path)


def _fingerprint(parts: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()


class _Progress:
    """Per-report lines, plus a redrawn status bar on a terminal."""

    def __init__(self, stream: TextIO | None, total: int):
        self.stream = stream
        self.tty = bool(stream) and stream.isatty()
        self.total = total
        self.done: dict[str, int] = {}
        self.running: dict[str, float] = {}
        self.t0 = time.monotonic()

    def _bar(self) -> str:
        n = sum(self.done.values())
        width = 24
        filled = int(width * n / self.total) if self.total else width
        counts = " ".join(f"{k} {v}" for k, v in sorted(self.done.items()))
        running = ", ".join(list(self.running)[:4]) + ("…" if len(self.running) > 4 else "")
        elapsed = time.monotonic() - self.t0
        line = f"[{'#' * filled}{'.' * (width - filled)}] {n}/{self.total} {counts} {elapsed:.0f}s"
        return line + (f" · running: {running}" if running else "")

    def line(self, text: str) -> None:
        if not self.stream:
            return
        if self.tty:
            self.stream.write("\r\x1b[2K" + text + "\n" + self._bar())
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def start(self, run_id: str) -> None:
        self.running[run_id] = time.monotonic()
        self.line(f"  … {run_id}: running")

    def finish(self, report: dict[str, Any]) -> None:
        self.running.pop(report["run_id"], None)
        self.done[report["status"]] = self.done.get(report["status"], 0) + 1
        mark = {"ok": "✓", "failed": "✗", "skipped": "="}.get(report["status"], "?")
        extra = f" {report['seconds']:.1f} s" if report.get("seconds") is not None else ""
        if report["status"] == "failed":
            extra += " — " + _problem_line(report.get("error") or {})
        elif report["status"] == "skipped":
            self.line(f"  {mark} {report['run_id']}: unchanged, skipped")
            return
        self.line(f"  {mark} {report['run_id']}: {report['status']}{extra}")

    def close(self) -> None:
        if self.stream and self.tty:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def _problem_line(error: dict[str, Any]) -> str:
    where = ""
    if error.get("cell") is not None:
        count = error.get("execution_count")
        where = f"cell {error['cell']}" + (f" (In [{count}])" if count else "") + ": "
    elif error.get("kind") in ("export", "publish"):
        where = f"{error['kind']}: "
    msg = error.get("message", "")
    return f"{where}{error.get('exception', 'Error')}: {msg}".strip()


def prepare(options: BatchOptions) -> tuple[Path, Path, list[P.Run], Path, Path, Any]:
    """Find the project and notebook, read and validate every params file (raises ParamsError/SetupError).

    Returns root, notebook, runs, the output folder (for a URL ``--out``, its local mirror), the cache folder and
    the :class:`reportkit.batch.remote.Remote` to publish to (or None).
    """
    try:
        root = (options.root or P.find_root()).resolve()
    except FileNotFoundError as err:
        raise SetupError(str(err)) from None
    notebook = _resolve(options.notebook) if options.notebook else root / "notebooks" / "report.ipynb"
    if not notebook.is_file():
        raise SetupError(f"the notebook {notebook} does not exist")
    unknown = [f for f in options.formats if f not in FORMATS]
    if unknown or not options.formats:
        raise SetupError(
            f"--to: unknown format(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}"
        )
    if options.jobs is not None and options.jobs < 1:
        raise SetupError(f"--jobs must be at least 1, got {options.jobs}")
    cache_dir = root / ".reportkit-cache"
    target = None
    if isinstance(options.out, str) and remote.is_url(options.out):
        try:
            target = remote.open_remote(options.out)
        except remote.RemoteSetupError as err:
            raise SetupError(str(err)) from None
        out_dir = cache_dir / "remote" / target.key
    elif options.out:
        out = Path(options.out)
        if remote.mangled_url(out):
            raise SetupError(
                f"--out {out}: this looks like a URL whose '//' a Path collapsed; pass the URL as a str"
            )
        out_dir = _resolve(out)
    else:
        out_dir = root / "outputs"
    try:
        allowed = set(P.notebook_parameters(notebook, cache_dir))
    except (ValueError, OSError) as err:
        raise SetupError(str(err)) from None
    files = [_resolve(p) for p in options.params] if options.params else P.default_params_files(root)
    runs = P.load_runs(files, root, allowed)
    if isinstance(options.scheduler, str):
        _check_scheduler(options.scheduler)
    return root, notebook, runs, out_dir, cache_dir, target


def _check_scheduler(address: str, timeout: float = 5.0) -> None:
    """Reach the Dask scheduler before any kernel starts: a wrong address is a setup error, not a late traceback."""
    from distributed import Client

    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as err:
        raise SetupError(
            f"--scheduler {address}: no Dask scheduler answered there within {timeout:g} s "
            f"({type(err).__name__}: {err}); start one (`dask scheduler`, then `dask worker {address}`) "
            "or check the address"
        ) from None
    client.close()


def run_batch(options: BatchOptions) -> BatchResult:
    """Run a batch: raises ParamsError/SetupError before anything is written; otherwise returns every report."""
    t0 = time.monotonic()
    root, notebook, runs, out_dir, cache_dir, target = prepare(options)
    import reportkit

    out_dir.mkdir(parents=True, exist_ok=True)
    with store.run_lock(cache_dir, out_dir):
        stage_root = store.staging_root(cache_dir, out_dir)
        store.clean_stale_staging(stage_root)
        nb_bytes = notebook.read_bytes()
        nb_json = json.loads(nb_bytes)
        code_digest = store.reportkit_digest()
        tree_cache: dict[str, str] = {}
        base = {
            "notebook": hashlib.sha256(nb_bytes).hexdigest(),
            "reportkit": code_digest,
            "formats": sorted(options.formats),
        }
        tasks, reports = [], {}
        from reportkit.batch.kernels import notebook_imports

        modules = notebook_imports(nb_json)
        kernel_name = nb_json.get("metadata", {}).get("kernelspec", {}).get("name") or "python3"
        warm = {
            "kernel_name": kernel_name,
            "cwd": str(notebook.parent),
            "modules": modules,
            "reuse": not options.fresh_kernels,
            "max_reports": options.kernel_max_reports,
        }
        for run in runs:
            for hint in run.sources_hint:
                if hint not in tree_cache:
                    tree_cache[hint] = store.tree_digest([Path(hint)])
            shown_params = {
                k: (
                    os.path.relpath(v, root)
                    if k == "data" and isinstance(v, str) and v.startswith(str(root))
                    else v
                )
                for k, v in run.parameters.items()
            }
            fp = _fingerprint(
                {**base, "parameters": shown_params, "data": [tree_cache[h] for h in run.sources_hint]}
            )
            run_dir = out_dir / run.run_id
            entry = {
                "run_id": run.run_id,
                "params_file": run.params_file,
                "status": "pending",
                "seconds": None,
                "outputs": {},
            }
            reports[run.run_id] = entry
            if not options.force and store.up_to_date(run_dir, fp, root):
                manifest = store.read_manifest(run_dir) or {}
                entry.update(
                    status="skipped",
                    outputs={n: str(run_dir / n) for n in manifest.get("files", {})},
                    generated_at=manifest.get("generated_at"),
                )
                continue
            tasks.append(
                {
                    "run_id": run.run_id,
                    "stem": run.stem,
                    "params_file": run.params_file,
                    "notebook": str(notebook),
                    "notebook_display": P.display_path(notebook, root),
                    "kernel_name": kernel_name,
                    "modules": modules,
                    "parameters": run.parameters,
                    "shown_parameters": run.shown_parameters(root),
                    "secret": list(run.secret),
                    "formats": list(options.formats),
                    "run_dir": str(run_dir),
                    "stage_root": str(stage_root),
                    "failed_dir": str(cache_dir / "failed" / run.run_id),
                    "fingerprint": fp,
                    "version": reportkit.__version__,
                    "root": str(root),
                    "cell_timeout": options.cell_timeout,
                    "warm": warm,
                }
            )
        progress = _Progress(options.progress, len(runs))
        for entry in reports.values():
            if entry["status"] == "skipped":
                progress.finish(entry)
        interrupted = False
        try:
            if tasks:
                executor = _run_dask if options.scheduler is not None else _run_local
                for result in executor(tasks, options, warm, progress):
                    entry = reports[result["run_id"]]
                    entry.update({k: v for k, v in result.items() if k != "run_id"})
                    progress.finish(entry)
        except KeyboardInterrupt:
            interrupted = True
            for entry in reports.values():
                if entry["status"] == "pending":
                    entry["status"] = "interrupted"
        finally:
            progress.close()
        index, index_error = None, None
        if not interrupted:
            try:
                index = _write_index(out_dir, stage_root, code_digest, progress)
            except Exception as err:  # the reports are in place; say why the index is not
                index_error = f"{type(err).__name__}: {err}"
            if target is not None:
                index, index_error = _publish(target, runs, reports, out_dir, index, index_error, progress)
    result = BatchResult(
        list(reports.values()),
        out_dir,
        index,
        time.monotonic() - t0,
        index_error,
        out_url=target.url if target is not None else None,
    )
    if interrupted:
        raise KeyboardInterrupt(result)
    return result


def _run_local(tasks, options: BatchOptions, warm, progress: _Progress):
    jobs = min(options.jobs or len(os.sched_getaffinity(0)), len(tasks))
    ctx = mp.get_context("forkserver")
    events = ctx.Queue()
    from reportkit.batch import worker

    with cf.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=ctx,
        initializer=worker.init_local_worker,
        initargs=(warm, events),
    ) as pool:
        futures = {pool.submit(worker.execute_run, {**task, "more": True}): task for task in tasks}
        pending = set(futures)
        try:
            while pending:
                done, pending = cf.wait(pending, timeout=0.2, return_when=cf.FIRST_COMPLETED)
                _drain(events, progress)
                for fut in done:
                    yield _future_result(fut, futures[fut])
        except BaseException:
            for fut in pending:
                fut.cancel()
            for proc in list(getattr(pool, "_processes", {}).values()):
                with contextlib.suppress(Exception):
                    proc.terminate()
            raise


def _drain(events, progress: _Progress) -> None:
    while True:
        try:
            kind, run_id, _pid = events.get_nowait()
        except (queue.Empty, OSError, ValueError):
            return
        if kind == "start":
            progress.start(run_id)


def _future_result(fut, task) -> dict[str, Any]:
    try:
        return fut.result()
    except Exception as err:  # the worker process died (killed, out of memory): the report failed
        return {
            "run_id": task["run_id"],
            "status": "failed",
            "seconds": None,
            "error": {
                "kind": "worker",
                "exception": type(err).__name__,
                "message": str(err),
                "traceback": [],
            },
        }


def _run_dask(tasks, options: BatchOptions, warm, progress: _Progress):
    from distributed import Client, as_completed

    from reportkit.batch import worker

    own = not isinstance(options.scheduler, Client)
    client = Client(options.scheduler) if own else options.scheduler
    try:
        futures = {}
        for task in tasks:
            fut = client.submit(
                worker.execute_on_dask,
                task,
                pure=False,
                key=f"reportkit-{task['run_id']}-{os.urandom(4).hex()}",
            )
            futures[fut] = task
        for fut in as_completed(futures):
            yield _future_result(fut, futures[fut])
    finally:
        if own:
            client.close()


def collect_entries(out_dir: Path) -> list[dict[str, Any]]:
    """Index entries for every report in ``out_dir`` that has a manifest (``<run id>/`` or ``<unit>/<run id>/``)."""
    entries = []
    for manifest_path in sorted(
        [*out_dir.glob(f"*/{store.MANIFEST}"), *out_dir.glob(f"*/*/{store.MANIFEST}")]
    ):
        run_dir = manifest_path.parent
        manifest = store.read_manifest(run_dir)
        if not manifest:
            continue
        files = {}
        record = None
        for name in manifest.get("files", {}):
            kind = next((k for k, suffix in store.REPORT_SUFFIXES.items() if name.endswith(suffix)), None)
            if name.endswith(".article.html"):
                kind = "article"
            if kind in ("html", "pdf", "ipynb"):  # the kinds the index page links
                files[kind] = os.path.relpath(run_dir / name, out_dir)
            if kind == "json":
                with contextlib.suppress(OSError, ValueError):
                    record = json.loads((run_dir / name).read_text(encoding="utf-8"))
        if record is not None:
            entries.append({"run_id": manifest.get("run_id", run_dir.name), "record": record, "files": files})
    return entries


def _write_index(out_dir: Path, stage_root: Path, code_digest: str, progress) -> Path | None:
    entries = collect_entries(out_dir)
    index = out_dir / "index.html"
    stamp = out_dir / ".reportkit-index.json"
    digest = _fingerprint({"entries": entries, "code": code_digest})
    try:
        current = json.loads(stamp.read_text(encoding="utf-8")).get("digest")
    except (OSError, ValueError):
        current = None
    if current == digest and index.is_file():
        return index
    if not entries:
        return None
    from reportkit.export import write_index

    written = Path(write_index(out_dir, entries))
    tmp = stage_root / f"index-stamp-{os.getpid()}.json"
    tmp.parent.mkdir(parents=True, exist_ok=True)
    tmp.write_text(json.dumps({"digest": digest}), encoding="utf-8")
    os.replace(tmp, stamp)
    return written


def format_summary(result: BatchResult, cwd: Path | None = None) -> str:
    """The terminal table: one row per report; a failure adds its cell, exception and first traceback lines."""
    cwd = cwd or Path.cwd()

    def rel(p: str | Path) -> str:
        """Short when below the cwd; absolute otherwise ("../../tmp/out" helps nobody find a report)."""
        if remote.is_url(str(p)):
            return str(p)
        with contextlib.suppress(ValueError):
            relative = os.path.relpath(p, cwd)
            if not relative.startswith(".."):
                return relative
        return str(Path(p).resolve())

    rows = []
    for r in result.reports:
        secs = f"{r['seconds']:.1f} s" if r.get("seconds") is not None else "—"
        outs = r.get("outputs") or {}
        main = next(
            (p for n, p in outs.items() if n.endswith(".html") and not n.endswith(".article.html")), None
        )
        main = main or next(iter(outs.values()), "")
        if r["status"] == "failed":
            what = _problem_line(r.get("error") or {})
        else:
            others = sorted(Path(p).name.split(".", 1)[1] for p in outs.values() if p != main)
            what = rel(main) + (f" (+ {', '.join(others)})" if others else "") if main else ""
        rows.append((r["run_id"], r["status"], secs, what, r))
    widths = [
        max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(("report", "status", "time"))
    ]
    head = f"{'report':<{widths[0]}}  {'status':<{widths[1]}}  {'time':>{widths[2]}}  outputs / problem"
    lines = [head, "-" * len(head)]
    for run_id, status, secs, what, r in rows:
        lines.append(f"{run_id:<{widths[0]}}  {status:<{widths[1]}}  {secs:>{widths[2]}}  {what}")
        if status == "failed":
            err = r.get("error") or {}
            pad = " " * (widths[0] + widths[1] + widths[2] + 6)
            if err.get("cell_source"):
                lines.append(f"{pad}  in: {err['cell_source']}")
            for tb in (err.get("traceback") or [])[:5]:
                lines.append(f"{pad}  | {tb}")
            if err.get("notebook"):
                lines.append(f"{pad}  executed notebook: {rel(err['notebook'])}")
            if err.get("local"):
                lines.append(f"{pad}  local copy: {rel(err['local'])}")
    counts = result.as_json()["counts"]
    lines.append("")
    lines.append(
        f"{len(result.reports)} reports: "
        + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        + f" in {result.seconds:.1f} s"
    )
    if result.index_error:
        lines.append(f"The index page could not be written: {result.index_error}")
    if result.index:
        lines.append(f"Reports are in {rel(result.out_url or result.out_dir)}/ — index: {rel(result.index)}")
    else:
        lines.append(f"Reports are in {rel(result.out_url or result.out_dir)}/")
    return "\n".join(lines)


def _publish(target, runs, reports, out_dir: Path, index, index_error, progress: _Progress):
    """Publish every report made or up to date in the mirror whose remote copy differs, then the index page.

    A report that cannot be published is marked failed (the others go on); the index is published only when every
    report is, so it never links a report the destination does not have. Returns the index URL and index error.
    """
    import traceback

    target.clean_stale_staging()
    unpublished = 0
    for run in runs:
        entry = reports[run.run_id]
        if entry["status"] not in ("ok", "skipped"):
            continue
        run_dir = out_dir / run.run_id
        try:
            if target.is_current(run.run_id, run_dir):
                entry["published"] = False
                names = list((store.read_manifest(run_dir) or {}).get("files", {}))
            else:
                names = target.publish_report(run.run_id, run.stem, run_dir)
                entry["published"] = True
                progress.line(f"  ↑ {run.run_id}: published to {target.display(run.run_id)}/")
        except Exception as err:
            unpublished += 1
            lines = traceback.format_exception(err)
            entry.update(
                status="failed",
                published=False,
                outputs={},
                error={
                    "kind": "publish",
                    "exception": type(err).__name__,
                    "message": f"{target.display(run.run_id)}/: {err}".strip(),
                    "traceback": [ln.rstrip() for chunk in lines[-3:] for ln in chunk.splitlines()][:8],
                    "local": str(run_dir),
                },
            )
            progress.line(f"  ✗ {run.run_id}: publish — {_problem_line(entry['error'])}")
            continue
        entry["outputs"] = {n: target.display(f"{run.run_id}/{n}") for n in names}
    try:
        if index is None:
            return None, index_error
        if unpublished:
            return None, f"index.html was not published: {unpublished} report(s) could not be published"
        try:
            if target.publish_file(Path(index), "index.html"):
                progress.line(f"  ↑ index.html: published to {target.display('index.html')}")
        except Exception as err:
            return None, (
                f"index.html could not be published to {target.display('index.html')}: "
                f"{type(err).__name__}: {err}"
            )
        return target.display("index.html"), index_error
    finally:
        target.drop_empty_staging()
