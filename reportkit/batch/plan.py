"""Planning a batch: find the project and notebook, validate every params file, fingerprint every report's
inputs, and decide which reports are up to date and which become tasks for the workers."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportkit.batch import params as P
from reportkit.batch import remote, store
from reportkit.batch.check import texts_missing
from reportkit.batch.kernels import notebook_imports
from reportkit.batch.options import FORMATS, BatchOptions, SetupError
from reportkit.batch.tasks import Failure, Outcome, ReportTask, WarmSpec
from reportkit.core import redact

__all__ = ["Plan", "fingerprint", "prepare", "schedule"]


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
    files = [_resolve(p) for p in options.params] if options.params else P.default_params_files(root)
    runs = P.load_runs(files, root, allowed)
    if isinstance(options.scheduler, str):
        _check_scheduler(options.scheduler)
    return Plan(root, notebook, runs, out_dir, cache_dir, target)


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


def schedule(
    plan: Plan, options: BatchOptions, stage_root: Path, code_digest: str, lock_token: str | None = None
) -> tuple[list[ReportTask], dict[str, Outcome]]:
    """Fingerprint every run; an unchanged one (unless ``force``) is an outcome "skipped", the rest are tasks.

    ``lock_token`` is the run's token in the output folder's lock: a worker commits only while it is there.
    """
    import reportkit
    from reportkit.export.docx import PROJECT_TEMPLATE

    nb_bytes = plan.notebook.read_bytes()
    nb_json = json.loads(nb_bytes)
    word_template = plan.root / PROJECT_TEMPLATE
    base = {
        "notebook": hashlib.sha256(nb_bytes).hexdigest(),
        "reportkit": code_digest,
        "formats": sorted(options.formats),
        # A project's own Word template shapes its .docx files: replacing it redoes them.
        "word_template": store.sha256_file(word_template) if word_template.is_file() else None,
    }
    warm = WarmSpec(
        kernel_name=nb_json.get("metadata", {}).get("kernelspec", {}).get("name") or "python3",
        cwd=str(plan.notebook.parent),
        modules=tuple(notebook_imports(nb_json)),
        reuse=not options.fresh_kernels,
        max_reports=options.kernel_max_reports,
    )
    listings: dict[str, dict[str, list]] = {}
    tasks: list[ReportTask] = []
    outcomes: dict[str, Outcome] = {}
    for run in plan.runs:
        # The data enter through the manifest: the files the report named and those of the years it read.
        listing: dict[str, list] = {}
        for hint in run.sources_hint:
            if hint not in listings:
                listings[hint] = store.data_listing([hint], plan.root)
            listing.update(listings[hint])
        shown = run.shown_parameters(plan.root)
        digest = fingerprint({**base, "parameters": shown})
        run_dir = plan.out_dir / run.run_id
        outcome = outcomes[run.run_id] = Outcome(run.run_id, params_file=run.params_file)
        missing = texts_missing(run, plan.root)
        if missing:
            outcome.notes.append(missing)
            if options.strict:
                outcome.status = "failed"
                outcome.error = Failure("texts", "MissingTexts", f"--strict: {missing}")
                continue
        if not options.force and store.up_to_date(run_dir, digest, plan.root, listing):
            manifest = store.read_manifest(run_dir) or {}
            outcome.findings = list(manifest.get("findings") or [])
            damaged = [f for f in outcome.findings if f.get("kind") == "damaged"]
            if options.strict and damaged:  # the report stays as it is; --strict says it may not be signed
                outcome.status = "failed"
                outcome.error = Failure.from_damaged_text(damaged)
                continue
            outcome.status = "skipped"
            outcome.outputs = {n: str(run_dir / n) for n in manifest.get("files", {})}
            outcome.generated_at = manifest.get("generated_at")
            continue
        tasks.append(
            ReportTask(
                run_id=run.run_id,
                stem=run.stem,
                params_file=run.params_file,
                notebook=str(plan.notebook),
                notebook_display=P.display_path(plan.notebook, plan.root),
                parameters=_for_kernel(run.parameters, plan.notebook.parent, plan.root),
                shown_parameters=shown,
                secret=secret_texts(run),
                secret_keys=tuple(run.secret),
                formats=tuple(options.formats),
                run_dir=str(run_dir),
                stage_root=str(stage_root),
                failed_dir=str(plan.cache_dir / "failed" / run.run_id),
                fingerprint=digest,
                data_listing=listing,
                version=reportkit.__version__,
                root=str(plan.root),
                warm=warm,
                strict=options.strict,
                cell_timeout=options.cell_timeout,
                report_timeout=options.report_timeout,
                out_dir=str(plan.out_dir),
                lock_token=lock_token,
            )
        )
    return tasks, outcomes


def secret_texts(run: P.Run) -> tuple[str, ...]:
    """What must never appear in an output of ``run``: every text of its secret parameters, and the password and
    credential query values of any URL among its parameters, declared secret or not."""
    found = _texts([run.parameters.get(k) for k in run.secret])
    for text in _texts(list(run.parameters.values())):
        found += redact.url_credentials(text)
    return tuple(dict.fromkeys(t for t in found if t))


def _texts(value: Any) -> list[str]:
    """Every text inside a parameter value (a signer mapping's names as well as a URL)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


def _for_kernel(parameters: dict[str, Any], notebook_dir: Path, root: Path) -> dict[str, Any]:
    """The parameters as the kernel gets them: a data path (and the analyst's texts) inside the project relative to
    the notebook's folder (the kernel's working folder), so the executed notebook names no folder of this machine
    and re-runs in place."""
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
