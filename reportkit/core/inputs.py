"""Which data files a report reads: the contract between the data layer (what it read) and the batch (what to watch).

The data layer records every month a report's figures read or looked for (its period, the comparisons, the
year-to-date months, the plans of their years) and lists, in the record, exactly the files that held those rows.
The batch re-runs a report when one of those files changes, or when a file appears, changes or goes that *could*
hold one of the years it read. It tells that from the file's name alone, without opening a workbook: the year in
a file's name (or, failing that, in its folder's name) is the year it holds — ``bao-cao/2022/to-04-2022.xlsx``
holds 2022. A file whose name names no year (``ward.yaml``, ``catalog.yaml``, ``ke-hoach.xlsx``) may hold any year
and is watched by every report. Pure (no pandas), so the planner of a no-op ``reportkit run`` stays fast.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePath

__all__ = ["month_text", "watched", "year_in_name"]

_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


def year_in_name(path: str | PurePath) -> int | None:
    """The year a data file's name says it holds: its stem's, else its folder's; None when neither names one.

    >>> year_in_name("data/duy-tan/bao-cao/2022/to-04-2022.xlsx"), year_in_name("bao-cao/2021/to-03.xlsx")
    (2022, 2021)
    >>> year_in_name("data/duy-tan/ke-hoach.xlsx") is None
    True
    """
    path = PurePath(path)
    match = _YEAR.search(path.stem) or _YEAR.search(path.parent.name)
    return int(match.group(1)) if match else None


def watched(path: str | PurePath, years: Iterable[int] | None) -> bool:
    """Whether a report that read ``years`` depends on the file at ``path`` (``years`` None: it may read any)."""
    if years is None:
        return True
    year = year_in_name(path)
    return year is None or year in set(years)


def month_text(month: tuple[int, int]) -> str:
    """(2022, 6) → "2022-06", the form months take in the record."""
    return f"{month[0]:04d}-{month[1]:02d}"
