"""Planning a batch: find the project and notebook, validate every params file, fingerprint every report's
inputs, and decide which reports are up to date and which become tasks for the workers."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from reportkit.batch import params as P
from reportkit.batch import remote, store
from reportkit.batch.check import texts_missing
from reportkit.batch.kernels import notebook_imports
from reportkit.batch.options import FORMATS, BatchOptions, SetupError
from reportkit.batch.tasks import Failure, Outcome, ReportTask, WarmSpec
from reportkit.core import clock, redact

__all__ = ["Plan", "Planned", "Schedule", "data_digests", "fingerprint", "prepare", "schedule"]


@dataclass
class Plan:
    """A validated batch: the project, the runs its params files describe, and where the outputs go."""

    root: Path
    notebook: Path
    runs: list[P.Run]
    out_dir: Path  # for a URL --out: the local mirror the batch runs into
    cache_dir: Path
    target: remote.Remote | None  # where to publish, for a URL --out


def _resolve(path: Path) -> Path:
    return path if path.is_absolute() else (Path.cwd() / path)


def fingerprint(parts: dict[str, Any]) -> str:
    """A stable digest of JSON-able parts (the inputs of one report, or the entries of the index)."""
    text = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def prepare(options: BatchOptions) -> Plan:
    """Find the project and notebook, read and validate every params file; raises ParamsError/SetupError with
    nothing written."""
    try:
        root = (options.root or P.find_root()).resolve()
    except FileNotFoundError as err:
        raise SetupError(str(err)) from None
    try:  # the one clock every report is stamped with: a bad SOURCE_DATE_EPOCH stops the run before any kernel
        clock.now()
    except ValueError as err:
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
    for name in ("cell_timeout", "report_timeout"):
        value = getattr(options, name)
        if not isinstance(value, int | float) or not 0 < value < float("inf"):
            raise SetupError(f"--{name.replace('_', '-')} must be a number of seconds above 0, got {value!r}")
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
    files = (
        P.params_files([_resolve(p) for p in options.params])
        if options.params
        else P.default_params_files(root)
    )
    runs = P.load_runs(files, root, allowed, notebook)
    if isinstance(options.scheduler, str):
        _check_scheduler(options.scheduler)
    return Plan(root, notebook, runs, out_dir, cache_dir, target)


def _in_event_loop() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _check_scheduler(address: str, timeout: float = 5.0) -> None:
    """Reach the Dask scheduler before any kernel starts: a wrong address is a setup error, not a late traceback."""
    import asyncio

    from distributed import Client
    from distributed.comm import connect

    async def handshake() -> None:
        # distributed bounds the TCP connect by `timeout` but not the handshake after it: a port that accepts and
        # never speaks Dask (the dashboard's :8787, any HTTP server) kept Client() waiting for ever, and one that
        # answers in another protocol had it allocate what the first bytes said (a MemoryError of exabytes).
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        await comm.close()

    try:
        # From a notebook cell (a running event loop) asyncio.run cannot nest: Client's own timeout bounds it there.
        if not _in_event_loop():
            asyncio.run(handshake())
        client = Client(address, timeout=timeout, set_as_default=False)
    except Exception as err:  # whatever a wrong address makes distributed raise is a setup error
        if isinstance(err, TimeoutError) and not str(err):
            what = "the address accepted the connection but did not answer as a Dask scheduler"
        elif isinstance(err, MemoryError):
            what = "the address answered in another protocol than Dask's"
        else:
            what = f"{type(err).__name__}: {err}"
        raise SetupError(
            f"--scheduler {address}: no Dask scheduler answered there within {timeout:g} s ({what}); start one "
            f"(`dask scheduler`, then `dask worker {address}`) or check the address (the scheduler's port, 8786 "
            "by default, not the dashboard's)"
        ) from None
    client.close()


@dataclass
class Planned:
    """What the submitter keeps of a report it sent to a worker, to commit the files that come back."""

    run: P.Run
    run_dir: Path
    fingerprint: str
    shown: dict[str, Any]
    listing: dict[str, list]  # the data files watched for it (store.data_listing)
    data_digest: str | None  # the rows it reads in its database (data.sql.report_digests), when known


@dataclass
class Schedule:
    """The batch as scheduled: tasks for the workers, an outcome for every run, what the submitter keeps."""

    tasks: list[ReportTask]
    outcomes: dict[str, Outcome]
    planned: dict[str, Planned]


def schedule(plan: Plan, options: BatchOptions, code_digest: str, batch: str = "") -> Schedule:
    """Fingerprint every run; an unchanged one (unless ``force``) is an outcome "skipped", the rest are tasks.

    A report is unchanged when its fingerprint (notebook, code, formats, parameters) is, its files are all there,
    and its data are: the files of a data folder through the manifest's account of them, a database (SQLite or a
    server) through the digest of exactly the rows the report reads, one batched query per database
    (:func:`data_digests`). ``batch`` names this run for the workers (a remote worker's copy of the project).
    """
    import reportkit
    from reportkit.export.docx import PROJECT_TEMPLATE

    nb_bytes = plan.notebook.read_bytes()
    nb_sha = hashlib.sha256(nb_bytes).hexdigest()
    nb_json = json.loads(nb_bytes)
    notebook = notebook_place(plan.notebook, plan.root)
    word_template = plan.root / PROJECT_TEMPLATE
    template_sha = store.sha256_file(word_template) if word_template.is_file() else None
    base = {
        "notebook": nb_sha,
        "reportkit": code_digest,
        "formats": sorted(options.formats),
        # A project's own Word template shapes its .docx files: replacing it redoes them.
        "word_template": template_sha,
    }
    warm = WarmSpec(
        kernel_name=nb_json.get("metadata", {}).get("kernelspec", {}).get("name") or "python3",
        notebook_dir=PurePosixPath(notebook).parent.as_posix(),
        modules=tuple(notebook_imports(nb_json)),
        reuse=not options.fresh_kernels,
        max_reports=options.kernel_max_reports,
        formats=tuple(options.formats),
    )
    shipped = {notebook: nb_sha}
    if template_sha and "docx" in options.formats:
        shipped[PROJECT_TEMPLATE] = template_sha
    digests = data_digests(plan.runs)
    epoch = clock.epoch()
    listings: dict[str, dict[str, list]] = {}
    found = Schedule([], {}, {})
    for run in plan.runs:
        # The data enter through the manifest: the files the report named and those of the years it read.
        listing: dict[str, list] = {}
        for hint in run.sources_hint:
            if hint not in listings:
                listings[hint] = store.data_listing([hint], plan.root)
            listing.update(listings[hint])
        digest = digests.get(run.run_id)
        # A database file whose rows are digested is watched by its rows: another ward's change is not this one's.
        watched = {k: v for k, v in listing.items() if not (digest and k in _database_files(run, plan.root))}
        shown = run.shown_parameters(plan.root)
        fingerprint_ = fingerprint({**base, "parameters": shown})
        run_dir = plan.out_dir / run.run_id
        outcome = found.outcomes[run.run_id] = Outcome(run.run_id, params_file=run.params_file)
        made = store.read_manifest(run_dir) or {}
        if made.get("params_id") and made["params_id"] != run.params_id:  # another params file's report
            outcome.status = "failed"
            owner = str(made.get("params_file") or "another params file")
            outcome.error = Failure.from_taken_folder(
                P.display_path(run_dir, plan.root), owner, run.params_file
            )
            continue
        missing = texts_missing(run, plan.root)
        if missing:
            outcome.notes.append(missing)
            if options.strict:
                outcome.status = "failed"
                outcome.error = Failure.from_missing_texts(missing)
                continue
        if not options.force and store.up_to_date(run_dir, fingerprint_, plan.root, watched, digest):
            manifest = store.read_manifest(run_dir) or {}
            outcome.findings = list(manifest.get("findings") or [])
            damaged = Failure.damaged_prose(outcome.findings)
            if options.strict and damaged:  # the report stays as it is; --strict says it may not be signed
                outcome.status = "failed"
                outcome.error = Failure.from_damaged_text(damaged)
                continue
            outcome.status = "skipped"
            outcome.outputs = {n: str(run_dir / n) for n in manifest.get("files", {})}
            outcome.generated_at = manifest.get("generated_at")
            continue
        found.planned[run.run_id] = Planned(run, run_dir, fingerprint_, shown, watched, digest)
        found.tasks.append(
            ReportTask(
                run_id=run.run_id,
                stem=run.stem,
                params_file=run.params_file,
                notebook=notebook,
                parameters=_for_kernel(run.parameters, plan.root / notebook, plan.root),
                shown_parameters=shown,
                secret=secret_texts(run),
                secret_keys=tuple(run.secret),
                formats=tuple(options.formats),
                fingerprint=fingerprint_,
                version=reportkit.__version__,
                warm=warm,
                files={**shipped, **{k: v[0] for k, v in listing.items()}},
                batch=batch,
                clock=epoch,
                strict=options.strict,
                cell_timeout=options.cell_timeout,
                report_timeout=options.report_timeout,
            )
        )
    return found


def notebook_place(notebook: Path, root: Path) -> str:
    """Where the notebook runs, relative to the project: its own place when inside, else ``notebooks/<name>``
    (its content travels with each task; its folder is the kernel's working folder)."""
    try:
        return notebook.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return f"notebooks/{notebook.name}"


def _database_files(run: P.Run, root: Path) -> set[str]:
    data = run.parameters.get("data")
    local = P.local_database(data) if isinstance(data, str) else None
    if local is None or not local[1]:
        return set()
    return {store.data_key(local[1], root)}


def data_digests(runs: list[P.Run]) -> dict[str, str]:
    """{run id: digest of the database rows its report reads} for every run whose data is a database URL.

    One :func:`reportkit.data.report_digests` call per database (and kind of run: a ward's reports, or reports of
    a whole one-ward database), whatever number of wards and periods it serves. A database that cannot be asked
    (unreachable, a kind the digest does not know, a province read whole by a roll-up notebook) gives no digest:
    its reports are made every time, and a report of an unknown ward fails on its own.
    """
    groups: dict[tuple[str, bool], list[tuple[str, str | None, str]]] = {}
    for run in runs:
        data, period = run.parameters.get("data"), run.parameters.get("period")
        if not isinstance(data, str) or "://" not in data or not isinstance(period, str):
            continue
        from reportkit.data.sql import split_unit

        try:
            base, unit = split_unit(data)
        except ValueError:
            continue
        groups.setdefault((base, unit is None), []).append((run.run_id, unit, period))
    out: dict[str, str] = {}
    for (base, _), items in groups.items():
        out.update(_digests_of(base, items))
    return out


def _digests_of(url: str, items: list[tuple[str, str | None, str]]) -> dict[str, str]:
    from reportkit import vn
    from reportkit.data import UnitError, report_digests

    for _ in range(3):  # an unknown ward is left out (its report fails on its own), not every ward with it
        try:
            found = report_digests(url, [(unit, period) for _, unit, period in items])
        except UnitError as err:
            if err.unit is None or not any(unit == err.unit for _, unit, _ in items):
                return {}
            items = [item for item in items if item[1] != err.unit]
            continue
        except Exception:
            return {}
        return {run_id: found[(unit, vn.Period(period).spec)] for run_id, unit, period in items}
    return {}


def secret_texts(run: P.Run) -> tuple[str, ...]:
    """What must never appear in an output of ``run``: every text of its secret parameters, and the password and
    credential query values of any URL among its parameters, declared secret or not."""
    found = redact.texts_in([run.parameters.get(k) for k in run.secret])
    for text in redact.texts_in(list(run.parameters.values())):
        found += redact.url_credentials(text)
    return tuple(dict.fromkeys(t for t in found if t))


def _for_kernel(parameters: dict[str, Any], notebook: Path, root: Path) -> dict[str, Any]:
    """The parameters as the kernel gets them: a data path (and the analyst's texts) inside the project relative to
    the notebook's folder (the kernel's working folder), so the executed notebook names no folder of this machine,
    re-runs in place, and runs the same in a worker's copy of the project."""
    notebook_dir = notebook.parent
    out = dict(parameters)
    data = parameters.get("data")
    if isinstance(data, str):
        local = P.local_database(data)
        prefix, path, suffix = local if local is not None else ("", data, "")
        if (
            (local is not None or "://" not in data)
            and Path(path).is_absolute()
            and Path(path).is_relative_to(root)
        ):
            out["data"] = P.relative_prefix(prefix) + os.path.relpath(path, notebook_dir) + suffix
    texts = parameters.get("texts")
    if isinstance(texts, str) and Path(texts).is_absolute() and Path(texts).is_relative_to(root):
        out["texts"] = os.path.relpath(texts, notebook_dir)
    return out


def jobs_for(options: BatchOptions, tasks: list[ReportTask]) -> int:
    """Worker processes for a local batch: one per core by default, never more than there are reports."""
    return max(1, min(options.jobs or len(os.sched_getaffinity(0)), len(tasks)))
