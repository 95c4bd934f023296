"""Atomic report outputs, the run manifest and the input fingerprints of the incremental runner.

A report's files are written to a private staging folder outside ``outputs/<run id>/`` (in ``.reportkit-cache/``
when it lives on the same file system as the outputs, else in a hidden ``<out>/.reportkit-staging/``), and moved
into place with ``os.replace`` only once every file of the report exists. The hidden manifest
``outputs/<run id>/.reportkit-run.json`` is moved last: it says which files belong together and what they were made
from. A killed run leaves at most a staging folder, removed at the next start.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from reportkit.core import inputs
from reportkit.core.errors import ReportkitError
from reportkit.core.redact import Redactor

MANIFEST = ".reportkit-run.json"
REPORT_SUFFIXES = {
    "ipynb": ".ipynb",
    "html": ".html",
    "pdf": ".pdf",
    "docx": ".docx",
    "article": ".article.html",
    "json": ".json",
}


def kind_of(name: str) -> str | None:
    """The kind of a report file from its name: "report-2022-H1.article.html" → "article"."""
    if name.endswith(".article.html"):
        return "article"
    return next((k for k, suffix in REPORT_SUFFIXES.items() if name.endswith(suffix)), None)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def data_key(path: Path | str, root: Path) -> str:
    """A data file as the manifest names it: relative to the project root when inside it, else absolute."""
    full = Path(path) if Path(path).is_absolute() else root / path
    full = Path(os.path.normpath(full))
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        return full.as_posix()


def data_listing(hints: Iterable[str], root: Path) -> dict[str, list]:
    """{file: [sha256, year its name says it holds or None]} for every data file a run's data hints name.

    A folder hint lists every file under it (hidden files and spreadsheet lock files ``~$…`` aside) with the year
    of its name (:func:`reportkit.core.inputs.year_in_name`, the part below the folder only); a file hint (an
    SQLite database) is one file of no particular year. No workbook is opened: a no-op run stays fast.
    """
    listing: dict[str, list] = {}
    for hint in hints:
        top = Path(hint)
        if top.is_file():
            listing[data_key(top, root)] = [sha256_file(top), None]
            continue
        if not top.is_dir():
            continue
        for path in sorted(top.rglob("*")):
            rel = path.relative_to(top)
            if any(part.startswith((".", "~$")) or part == "__pycache__" for part in rel.parts):
                continue
            if path.is_file():
                listing[data_key(path, root)] = [sha256_file(path), inputs.year_in_name(rel)]
    return listing


def _watched(entry: list, years: list[int] | None) -> bool:
    year = entry[1]
    return years is None or year is None or year in years


def input_manifest(
    record: dict,
    listing: dict[str, list],
    root: Path,
    data_digest: str | None = None,
    period: str | None = None,
) -> dict[str, Any]:
    """The manifest's account of a report's inputs, from its record and the data listing made when it was planned.

    ``sources``: the files the record names, with their hash when the report was planned (a file changed during
    the run is then seen as changed next time); ``years``: every year the report read or looked for (None: any);
    ``watch``: every listed file of those years, or of no year, with its hash — a file among them that appears,
    changes or goes makes the report stale, a file of another year never does. ``data_digest``: the digest of the
    database rows a ward's report for ``period`` reads (``reportkit.data.report_digests``), kept only when the
    years the record says it read are among those rows' years: a notebook that reads more of the database than a
    ward's report does is made again every time rather than trusted with a digest of less than it read.
    """
    sources = []
    for source in record.get("sources", []) or []:
        path = str(source.get("path", ""))
        key = data_key(path, root) if "://" not in path else path
        if key in listing:
            sources.append({"path": path, "sha256": listing[key][0]})
            continue
        full = Path(path) if Path(path).is_absolute() else root / path
        sha = sha256_file(full) if "://" not in path and full.is_file() else None
        sources.append({"path": path, "sha256": sha})  # None: unknown, never counts as unchanged
    years = (record.get("provenance") or {}).get("years")
    years = sorted(years) if isinstance(years, list) else None
    watch = {key: entry[0] for key, entry in listing.items() if _watched(entry, years)}
    if data_digest is not None and not _digest_covers(period, years):
        data_digest = None
    return {"sources": sources, "years": years, "watch": watch, "data_digest": data_digest}


def _digest_covers(period: str | None, years: list[int] | None) -> bool:
    if period is None or years is None:
        return False
    from reportkit.data.sql import report_reads

    try:
        _, read = report_reads(period)
    except ValueError:
        return False
    return set(years) <= set(read)


def report_manifest(
    planned, generated_at: str | None, record: dict, root: Path, findings: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The manifest of a report the submitter commits (``planned``: a :class:`reportkit.batch.plan.Planned`);
    ``findings``: what the proofreader found, shown again when a later run skips the report."""
    run = planned.run
    inputs = input_manifest(record, planned.listing, root, planned.data_digest, run.parameters.get("period"))
    return {
        "fingerprint": planned.fingerprint,
        "run_id": run.run_id,
        "params_file": run.params_file,
        "params_id": run.params_id,
        "parameters": planned.shown,
        "generated_at": generated_at,
        "findings": list(findings or []),
        **inputs,
    }


def inputs_current(
    manifest: dict[str, Any], root: Path, listing: dict[str, list], data_digest: str | None = None
) -> bool:
    """True when no input of the manifest's report changed: every source as it was, no file of the years it read
    (or of no year) appeared, changed or went since, and the database rows it read (``data_digest`` now) hash as
    they did."""
    watch = manifest.get("watch")
    if not isinstance(watch, dict):
        return False  # a manifest from before reports named their years: redo it once
    years = manifest.get("years")
    years = years if isinstance(years, list) else None
    for key, entry in listing.items():
        if _watched(entry, years) and watch.get(key) != entry[0]:
            return False
    if any(listing.get(key, [None])[0] != sha for key, sha in watch.items()):
        return False
    rows_same = data_digest is not None and manifest.get("data_digest") == data_digest
    for source in manifest.get("sources", []):
        path = str(source.get("path", ""))
        if "://" in path and rows_same:
            continue  # a table of the database: its rows are the digest's
        key = data_key(path, root) if "://" not in path else path
        if key in listing:
            current = listing[key][0]
        else:
            full = Path(path) if Path(path).is_absolute() else root / path
            try:
                current = sha256_file(full)
            except OSError:
                return False
        if current != source.get("sha256"):
            return False
    return True


def reportkit_digest() -> str:
    """Hash of reportkit's version and of every file that shapes a report (all rooms but batch/ and cli.py)."""
    import reportkit

    pkg = Path(reportkit.__file__).parent
    files = [
        p
        for p in pkg.rglob("*")
        if p.is_file()
        and "__pycache__" not in p.parts
        and p.relative_to(pkg).parts[0] not in ("batch", "cli.py")
        and p.suffix != ".pyc"
    ]
    h = hashlib.sha256(f"reportkit {reportkit.__version__}\n".encode())
    for p in sorted(files):
        h.update(f"{p.relative_to(pkg)}\0{sha256_file(p)}\n".encode())
    return h.hexdigest()


def read_manifest(run_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((run_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def up_to_date(
    run_dir: Path,
    fingerprint: str,
    root: Path,
    listing: dict[str, list] | None = None,
    data_digest: str | None = None,
) -> bool:
    """True when the report in ``run_dir`` was made with the same notebook, code and parameters, from the same
    data (:func:`inputs_current` against ``listing`` (see :func:`data_listing`) and the database rows'
    ``data_digest``), and all its files are still there."""
    manifest = read_manifest(run_dir)
    if not manifest or manifest.get("fingerprint") != fingerprint:
        return False
    for name, size in manifest.get("files", {}).items():
        try:
            if (run_dir / name).stat().st_size != size:
                return False
        except OSError:
            return False
    return inputs_current(manifest, root, listing or {}, data_digest)


def _same_device(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


def staging_root(cache_dir: Path, out_dir: Path) -> Path:
    """Where staged files live: the cache folder when a rename from it into ``out_dir`` is atomic."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    if _same_device(cache_dir, out_dir):
        return cache_dir / "staging"
    return out_dir / ".reportkit-staging"


def pid_alive(pid: int) -> bool:
    """True when process ``pid`` of this host exists and runs, the current process included.

    Staging cleanup must never remove a folder still in use, and the current process may be using its own
    (another run in a thread, an in-process Dask worker): a leftover of a dead process whose pid was reused
    merely waits for a later run. A zombie (a killed worker whose new parent never reaps it, as on machines
    whose PID 1 is not an init) runs nothing and counts as dead.
    """
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        pass
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): kill(pid, 0) is all there is
    return state not in (b"Z", b"X")


def clean_stale_staging(stage_root: Path) -> list[Path]:
    """Remove staging folders left by runs whose process is gone (killed runs); returns what was removed."""
    removed = []
    if not stage_root.is_dir():
        return removed
    for entry in stage_root.iterdir():
        pid = entry.name.split("-", 1)[0]
        if pid.isdigit() and pid_alive(int(pid)):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


class Staging:
    """A private folder for one report's files; :meth:`commit` moves them into place, all or nothing.

    Every text file written passes through the run's :class:`~reportkit.core.redact.Redactor`: whatever produced
    it, no secret value of the run reaches ``outputs/``.
    """

    def __init__(self, stage_root: Path, run_id: str, redactor: Redactor | None = None):
        stage_root.mkdir(parents=True, exist_ok=True)
        self.path = stage_root / f"{os.getpid()}-{uuid.uuid4().hex[:12]}-{run_id.replace('/', '-')}"
        self.path.mkdir()
        self.files: dict[str, Path] = {}
        self.redactor = redactor or Redactor()

    def write(self, name: str, data: bytes | str) -> None:
        target = self.path / name
        if isinstance(data, str):
            data = self.redactor.text(data).encode("utf-8")
        with open(target, "wb") as f:
            f.write(data)
        self.files[name] = target

    def commit(self, run_dir: Path, manifest: dict[str, Any], stem: str) -> dict[str, Path]:
        """Move every staged file into ``run_dir``, then the manifest; drop report files no longer produced."""
        run_dir.mkdir(parents=True, exist_ok=True)
        manifest = {**manifest, "files": {n: p.stat().st_size for n, p in self.files.items()}}
        self.write(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        # Remove the old manifest first: a kill between the renames then leaves no manifest claiming the
        # mixture is up to date, so the next run redoes the report.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(run_dir / MANIFEST)
        placed = {}
        for name, path in self.files.items():
            if name == MANIFEST:
                continue
            os.replace(path, run_dir / name)
            placed[name] = run_dir / name
        for old in run_dir.glob(f"{stem}.*"):
            if old.name not in self.files and old.name.startswith(stem + "."):
                with contextlib.suppress(FileNotFoundError):
                    old.unlink()
        os.replace(self.files[MANIFEST], run_dir / MANIFEST)
        self.discard()
        return placed

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


class RunLocked(ReportkitError, RuntimeError):
    """Another ``reportkit run`` holds the lock of the same output folder (or the folder cannot be locked)."""


class RunnerGone(RuntimeError):
    """A worker may not commit: the run that scheduled its report no longer holds the output folder."""


LOCK = ".reportkit-run.lock"  # in the output folder: whoever writes there, from whichever project, takes it
COMMIT_LOCK = (
    ".reportkit-commit.lock"  # held for the few milliseconds of one commit (its check and its renames)
)


def _holder(info: dict[str, Any]) -> str:
    """ "pid 4242 on host may-1, started 2024-06-24T08:00:00+07:00, project /home/an/bao-cao"."""
    parts = [f"pid {info.get('pid', '?')} on host {info.get('host', '?')}"]
    if info.get("started"):
        parts.append(f"started {info['started']}")
    if info.get("project"):
        parts.append(f"project {info['project']}")
    return ", ".join(parts)


def _read_info(path: Path) -> dict[str, Any]:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return info if isinstance(info, dict) else {}


def _flock(fd: int, flags: int, path: Path) -> bool:
    """True when the lock was taken, False when another process holds it; RunLocked when locks do not work."""
    try:
        fcntl.flock(fd, flags)
    except OSError as err:
        if err.errno in (errno.EAGAIN, errno.EACCES):
            return False
        if err.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
            raise RunLocked(
                f"cannot lock {path}: the file system of the output folder does not support file locks "
                f"({os.strerror(err.errno)}); write to a local folder (--out) and copy the reports from there"
            ) from None
        raise
    return True


class OutputLock:
    """The output folder's lock: one ``reportkit run`` at a time writes into a folder, whichever project it runs.

    ``<out>/.reportkit-run.lock`` is held (``flock``) by the runner for the whole run and names it (pid, host, start
    time, project, a token of the run). The kernel drops a dead process's lock, so a killed run's lock is taken
    over by the next run at once; its leftover text is only overwritten. A worker commits only while the lock holds
    its run's token (:func:`commit_guard`): after the runner is gone, or once a later run owns the folder, nothing
    of the old run lands.
    """

    def __init__(self, out_dir: Path, project: Path | None = None):
        self.out_dir = Path(out_dir)
        self.path = self.out_dir / LOCK
        self.project = project
        self.token = uuid.uuid4().hex
        self._file = None

    def acquire(self, attempts: int = 20) -> OutputLock:
        import datetime
        import socket
        import time

        self.out_dir.mkdir(parents=True, exist_ok=True)
        for attempt in range(attempts):
            f = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 — held open for the whole run
            try:
                taken = _flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB, self.path)
            except BaseException:
                f.close()
                raise
            if taken and _same_file(f, self.path):
                break
            f.close()
            if taken:  # the file was removed or replaced while we took it: lock the one that is there now
                continue
            # A worker checking its run's lock holds it for microseconds; a lock held longer belongs to a run.
            if attempt < attempts - 1:
                time.sleep(0.05)
                continue
            info = _read_info(self.path)
            who = _holder(info) if info.get("pid") else "another reportkit run"
            raise RunLocked(
                f"another reportkit run is writing to {self.out_dir}: {who} (lock {self.path}); wait for it to "
                "finish, or write elsewhere with --out"
            )
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            # the real time, whatever SOURCE_DATE_EPOCH says: it tells a person when the holder started
            "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
            "project": str(self.project) if self.project else None,
            "token": self.token,
        }
        f.seek(0)
        f.truncate()
        f.write(json.dumps(info, ensure_ascii=False))
        f.flush()
        self._file = f
        return self

    def revoke(self) -> None:
        """From now on no worker of this run commits: the token is cleared under the commit lock, so a commit in
        progress finishes first and none starts after."""
        if self._file is None or self._file.closed:
            return
        with _commit_lock(self.out_dir):
            self._file.seek(0)
            self._file.truncate()
            self._file.flush()

    def release(self) -> None:
        if self._file is None or self._file.closed:
            return
        try:
            self.revoke()  # an empty lock file: no run in progress, and byte-identical between runs
        finally:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()


def _same_file(f, path: Path) -> bool:
    try:
        return os.fstat(f.fileno()).st_ino == os.stat(path).st_ino
    except OSError:
        return False


@contextlib.contextmanager
def _commit_lock(out_dir: Path) -> Iterator[None]:
    with open(Path(out_dir) / COMMIT_LOCK, "a+") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)  # blocking: a commit is a few renames
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def commit_guard(out_dir: Path, token: str | None) -> Iterator[None]:
    """Hold the commit lock and check that the run of ``token`` still owns the output folder; else RunnerGone.

    Works the same for a local worker and a Dask worker on another machine that writes to the same folder: the
    check is on the folder's lock, not on a process id.
    """
    if token is None:  # a task made without a runner (tests, tools): nothing to check
        yield
        return
    out_dir = Path(out_dir)
    path = out_dir / LOCK
    with _commit_lock(out_dir):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            raise RunnerGone(f"the output lock {path} is gone; not committing") from None
        try:
            if _flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB, path):  # nobody holds the folder: the runner is gone
                fcntl.flock(fd, fcntl.LOCK_UN)
                raise RunnerGone("the run that scheduled this report has stopped; not committing")
        finally:
            os.close(fd)
        if _read_info(path).get("token") != token:
            raise RunnerGone(
                "another run holds the output folder now, or this run was stopped; not committing"
            )
        yield


@contextlib.contextmanager
def run_lock(out_dir: Path, project: Path | None = None) -> Iterator[OutputLock]:
    """One ``reportkit run`` at a time per output folder: a second one raises :class:`RunLocked` at once, naming
    the run that holds it."""
    lock = OutputLock(out_dir, project).acquire()
    try:
        yield lock
    finally:
        lock.release()


def commit_report(
    out_dir: Path,
    token: str | None,
    stage_root: Path,
    run_dir: Path,
    stem: str,
    files: dict[str, str | bytes],
    manifest: dict[str, Any],
    redactor: Redactor | None = None,
) -> dict[str, Path]:
    """Stage a report's files (as a worker sent them back) and move them into ``run_dir`` all together, under the
    output folder's commit lock and only while the run of ``token`` holds the folder (else :class:`RunnerGone`)."""
    staging = Staging(stage_root, manifest.get("run_id") or run_dir.name, redactor)
    try:
        for name, data in files.items():
            if "/" in name or name.startswith(".") or not name.startswith(stem + "."):
                raise ValueError(f"a report file must be named {stem}.<format>, not {name!r}")
            staging.write(name, data)
        with commit_guard(out_dir, token):
            return staging.commit(run_dir, manifest, stem)
    finally:
        staging.discard()
