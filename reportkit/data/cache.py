"""Parsed-file cache keyed on content: sha256 of the file + reportkit version + catalog + ward units.

A changed byte, a new catalog or a new reportkit version is a new key, so a stale entry is never used. Entries
are pickles written atomically; a corrupt or unreadable entry is ignored and rebuilt.
Location: ``$REPORTKIT_CACHE`` or ``~/.cache/reportkit`` (``data/`` below it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
from pathlib import Path

from reportkit.core.atomic import write_atomic

FORMAT = 4  # bump when FileResult changes shape or a reading rule changes (3: formulas, merged cells; 4: note cell)


def cache_dir() -> Path:
    base = os.environ.get("REPORTKIT_CACHE") or Path.home() / ".cache" / "reportkit"
    return Path(base) / "data"


def entry_key(*parts: str) -> str:
    from reportkit import __version__

    h = hashlib.sha256()
    for p in (str(FORMAT), __version__, *parts):
        h.update(p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def get(k: str):
    path = cache_dir() / k[:2] / f"{k}.pickle"
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None


def put(k: str, value) -> None:
    path = cache_dir() / k[:2] / f"{k}.pickle"
    with contextlib.suppress(OSError):  # a read-only home must not stop a report
        write_atomic(path, pickle.dumps(value, pickle.HIGHEST_PROTOCOL), mode=None)
