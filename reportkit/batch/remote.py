"""Publishing a batch to an fsspec URL (``--out s3://bucket/reports``): a local mirror, then all-or-nothing uploads.

The batch runs exactly as for a local folder, into a mirror ``.reportkit-cache/remote/<hash of the URL>/`` of the
project, so skipping, the lock, staging and the index work unchanged. Every report folder whose manifest differs
from the remote one is then uploaded under ``<url>/.reportkit-staging/<token>/new/`` and, only once every file is
there, moved into ``<url>/<run id>/``: the old manifest is removed first and the new one placed last, so a manifest
at the destination always describes a complete report. The files a move replaces are first copied to
``<token>/old/`` and put back if a move fails, so a failed publication leaves the earlier report as it was.
``index.html`` is published last. Object stores have no atomic rename of several objects: a run killed *during
the moves* (not the uploads) leaves a folder without a manifest, which the next run publishes again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reportkit.batch.store import MANIFEST, pid_alive
from reportkit.core import redact
from reportkit.core.errors import ReportkitError

STAGING = ".reportkit-staging"
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)(://|::)")
_COMMON = ("s3", "gs", "abfs", "az", "file", "memory", "sftp", "hdfs")


class RemoteSetupError(ReportkitError, ValueError):
    """The URL cannot be published to (unknown protocol, missing backend package, unreachable)."""


class PublishError(ReportkitError, RuntimeError):
    """A report could not be published, and the earlier remote report could not be put back either."""


def is_url(text: str) -> bool:
    """True for ``s3://…``, ``memory://…``, ``simplecache::s3://…``; False for plain (even odd) paths."""
    return bool(_URL.match(text))


def mangled_url(path: Path) -> str | None:
    """The protocol when ``Path("s3://b/x")`` collapsed the URL to ``s3:/b/x`` (a URL passed as a Path)."""
    first = path.parts[0] if path.parts else ""
    if first.endswith(":") and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.\-]*:", first):
        from fsspec.registry import known_implementations, registry

        proto = first[:-1].lower()
        if proto in known_implementations or proto in registry:
            return proto
    return None


def open_remote(url: str) -> Remote:
    """The file system of ``url``; raises :class:`RemoteSetupError` naming the URL (its password masked, as in the
    exception it quotes) and what to install."""
    try:
        return _open_remote(url)
    except RemoteSetupError as err:
        raise RemoteSetupError(shown(url, str(err))) from None


def shown(url: str, text: str) -> str:
    """``text`` (an error about ``url``) as a person may read it: the URL's credentials masked in every form."""
    return redact.mask_urls(redact.Redactor(redact.url_credentials(url)).text(text))


def _open_remote(url: str) -> Remote:
    import fsspec
    from fsspec.registry import known_implementations

    proto = _URL.match(url).group(1).lower()
    try:
        fs, path = fsspec.core.url_to_fs(url)
    except ImportError as err:
        proto, package = _missing_backend(url) or (proto, "")
        if not package:
            raise RemoteSetupError(f"--out {url}: {err}") from None
        raise RemoteSetupError(
            f"--out {url}: the {proto}:// protocol needs the Python package {package}, which is not installed "
            f"(install it into reportkit's environment: pip install {package})"
        ) from None
    except ValueError as err:
        if "not known" in str(err).lower() or "protocol" in str(err).lower():
            known = sorted(set(known_implementations))
            raise RemoteSetupError(
                f"--out {url}: unknown protocol {proto!r}; expected a local folder or a URL fsspec knows, e.g. "
                f"{', '.join(p + '://' for p in _COMMON)} ({len(known)} protocols in all)"
            ) from None
        raise RemoteSetupError(f"--out {url}: {err}") from None
    except Exception as err:  # bad storage options, credentials
        raise RemoteSetupError(
            f"--out {url}: cannot open the file system: {type(err).__name__}: {err}"
        ) from None
    root = path.rstrip("/")
    if not root.strip("/"):
        raise RemoteSetupError(
            f"--out {url}: name a folder (or bucket) to publish to, e.g. {proto}://reports/ward"
        )
    try:
        fs.exists(root)  # reaches the store now: bad credentials fail before any kernel starts
    except Exception as err:
        raise RemoteSetupError(f"--out {url}: cannot reach it: {type(err).__name__}: {err}") from None
    return Remote(url.rstrip("/"), fs, root)


def _missing_backend(url: str) -> tuple[str, str] | None:
    """(protocol, package) of the first protocol in ``url`` (chained with ``::``) whose package is missing."""
    import importlib.util

    from fsspec.registry import known_implementations

    for part in url.split("::"):
        proto = part.split("://", 1)[0].lower()
        package = known_implementations.get(proto, {}).get("class", "").split(".")[0]
        if package and importlib.util.find_spec(package) is None:
            return proto, package
    return None


class Remote:
    """An fsspec destination: ``url`` as the user wrote it, ``fs`` and ``root`` (the path inside ``fs``)."""

    def __init__(self, url: str, fs: Any, root: str):
        self.url, self.fs, self.root = url, fs, root
        self._dirs: set[str] = set()

    @property
    def key(self) -> str:
        """Name of the local mirror folder: one per URL."""
        return hashlib.sha256(self.url.encode()).hexdigest()[:16]

    def path(self, rel: str) -> str:
        return f"{self.root}/{rel}"

    def display(self, rel: str = "") -> str:
        """Where ``rel`` is, for a person: the URL with its credentials masked."""
        url = redact.mask_url(self.url)
        return f"{url}/{rel}" if rel else url

    def _ensure_dirs(self, paths: Iterable[str]) -> None:
        # Local and SFTP-like file systems need parent folders; object stores ignore this (cached, one call each).
        for parent in {p.rsplit("/", 1)[0] for p in paths}:
            if parent not in self._dirs:
                self.fs.makedirs(parent, exist_ok=True)
                self._dirs.add(parent)

    def _sizes(self, rel: str) -> dict[str, int]:
        try:
            listing = self.fs.ls(self.path(rel), detail=True)
        except (FileNotFoundError, NotADirectoryError):
            return {}
        base = self.path(rel).rstrip("/")
        return {
            e["name"].rstrip("/").rsplit("/", 1)[-1]: e.get("size")
            for e in listing
            if e.get("type") == "file" and e["name"].rstrip("/") != base
        }

    def is_current(self, run_id: str, local_dir: Path) -> bool:
        """True when the remote report has the same manifest as the local one and all its files, same sizes."""
        try:
            remote = self.fs.cat_file(self.path(f"{run_id}/{MANIFEST}"))
        except FileNotFoundError:
            return False
        if remote != (local_dir / MANIFEST).read_bytes():
            return False
        sizes = self._sizes(run_id)
        return all(sizes.get(n) == s for n, s in json.loads(remote).get("files", {}).items())

    def _token(self) -> str:
        return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:12]}"

    def clean_stale_staging(self) -> list[str]:
        """Remove staging prefixes left by killed runs of this host (other hosts' may still be uploading)."""
        removed = []
        try:
            entries = self.fs.ls(self.path(STAGING), detail=False)
        except (FileNotFoundError, NotADirectoryError):
            return removed
        host = socket.gethostname()
        for entry in entries:
            name = entry.rstrip("/").rsplit("/", 1)[-1]
            owner, _, rest = name.rpartition("-")[0].rpartition("-")
            if owner != host or not rest.isdigit() or pid_alive(int(rest)):
                continue
            with contextlib.suppress(FileNotFoundError):
                self.fs.rm(entry, recursive=True)
            removed.append(entry)
        return removed

    def drop_empty_staging(self) -> None:
        with contextlib.suppress(Exception):
            if not self.fs.ls(self.path(STAGING), detail=False):
                self.fs.rmdir(self.path(STAGING))

    def publish_report(self, run_id: str, stem: str, local_dir: Path) -> list[str]:
        """Upload ``local_dir`` to ``<url>/<run id>/``, all or nothing; returns the published file names."""
        manifest = json.loads((local_dir / MANIFEST).read_text(encoding="utf-8"))
        names = list(manifest.get("files", {}))
        stage = self.path(f"{STAGING}/{self._token()}")
        new = {n: f"{stage}/new/{n}" for n in [*names, MANIFEST]}
        keep_stage = False
        try:
            self._ensure_dirs(new.values())
            self.fs.put([str(local_dir / n) for n in new], list(new.values()))
            existing = self._sizes(run_id)
            replaced = [n for n in existing if n in new or n.startswith(stem + ".")]
            old = {n: f"{stage}/old/{n}" for n in replaced}
            self._ensure_dirs([*old.values(), self.path(f"{run_id}/{MANIFEST}")])
            for n in replaced:
                self.fs.copy(self.path(f"{run_id}/{n}"), old[n])
            try:
                if MANIFEST in existing:  # no manifest may claim a mixture of old and new files
                    self.fs.rm(self.path(f"{run_id}/{MANIFEST}"))
                for n in names:
                    self.fs.mv(new[n], self.path(f"{run_id}/{n}"))
                for n in replaced:
                    if n not in new:  # a format no longer produced
                        self.fs.rm(self.path(f"{run_id}/{n}"))
                self.fs.mv(new[MANIFEST], self.path(f"{run_id}/{MANIFEST}"))
            except BaseException as err:
                try:
                    self._restore(run_id, names, old)
                except Exception as undo:
                    keep_stage = True
                    raise PublishError(
                        f"{type(err).__name__}: {err}; putting the earlier report back failed too "
                        f"({type(undo).__name__}: {undo}); its files are in {self.display(stage[len(self.root) + 1 :])}"
                        "/old/"
                    ) from err
                raise
        finally:
            if not keep_stage:
                with contextlib.suppress(Exception):
                    self.fs.rm(stage, recursive=True)
        return names

    def _restore(self, run_id: str, names: list[str], old: dict[str, str]) -> None:
        for n in [*names, MANIFEST]:
            if n not in old:
                with contextlib.suppress(FileNotFoundError):
                    self.fs.rm(self.path(f"{run_id}/{n}"))
        for n in sorted(old, key=lambda n: n == MANIFEST):  # the manifest last
            self.fs.copy(old[n], self.path(f"{run_id}/{n}"))

    def read_file(self, rel: str) -> bytes | None:
        """The remote file's bytes, or None when there is none."""
        try:
            return self.fs.cat_file(self.path(rel))
        except FileNotFoundError:
            return None

    def remove_file(self, rel: str) -> None:
        """Remove one remote file (none there is no error)."""
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm(self.path(rel))

    def publish_file(self, local: Path, rel: str) -> bool:
        """Upload one file via the staging prefix, if it differs from the remote one; returns whether it did."""
        data = local.read_bytes()
        with contextlib.suppress(FileNotFoundError):
            if self.fs.cat_file(self.path(rel)) == data:
                return False
        stage = self.path(f"{STAGING}/{self._token()}")
        try:
            self._ensure_dirs([f"{stage}/{rel}", self.path(rel)])
            self.fs.put_file(str(local), f"{stage}/{rel}")
            self.fs.mv(f"{stage}/{rel}", self.path(rel))
        finally:
            with contextlib.suppress(Exception):
                self.fs.rm(stage, recursive=True)
        return True
