"""Replacing a file all or nothing: readers see the old file or the new one, never a part, never a temporary left.

>>> import tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as name:
...     folder = pathlib.Path(name)
...     print(write_atomic(folder / "a.txt", "Báo cáo").read_text(encoding="utf-8"))
...     print(sorted(p.name for p in folder.iterdir()))
Báo cáo
['a.txt']
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path", "umask", "write_atomic"]


def umask() -> int:
    """The process umask, read without changing it where /proc allows (changing it races with other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, mode: int | None = 0o666) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path``, on any failure it is removed.

    ``mode`` (after the umask, like an ordinary new file; ``None`` keeps mkstemp's private 0600) is set before the
    rename, so the file never appears with the wrong permissions.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        if mode is not None:
            os.chmod(tmp, mode & ~umask())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: str | os.PathLike, data: bytes | str, *, mode: int | None = 0o666) -> Path:
    """Write ``data`` (text is written as UTF-8) to ``path`` all or nothing; returns the path."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_path(path, mode=mode) as tmp:
        # No fsync: a killed process loses nothing the page cache holds, and ext4/xfs order a rename-replace
        # after its data; a batch writes hundreds of files.
        tmp.write_bytes(payload)
    return Path(path)
