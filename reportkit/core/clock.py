"""The one clock of every time stamp reportkit writes into an output.

``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC — the reproducible-builds convention) fixes it, so two builds of the
same inputs are byte-identical; otherwise it is the system time. Times are shown in Vietnam's time zone (UTC+7, no
daylight saving), whatever the machine's zone: a report made on a cluster in UTC states the time its readers live.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as _dt
import os
from collections.abc import Iterator

__all__ = ["VIETNAM", "epoch", "now", "reproducible", "shown", "using"]

VIETNAM = _dt.timezone(_dt.timedelta(hours=7), "ICT")
_FROM_ENVIRONMENT = object()
# A worker on another machine keeps the clock of the run that sent it the report, not its own environment's.
_EPOCH: contextvars.ContextVar = contextvars.ContextVar(
    "reportkit_source_date_epoch", default=_FROM_ENVIRONMENT
)


def epoch() -> str:
    """``SOURCE_DATE_EPOCH`` as this clock reads it ("" when the clock is the system time)."""
    value = _EPOCH.get()
    if value is _FROM_ENVIRONMENT:
        value = os.environ.get("SOURCE_DATE_EPOCH", "")
    return (value or "").strip()


@contextlib.contextmanager
def using(source_date_epoch: str | None) -> Iterator[None]:
    """Within the block (this thread or task), the clock is ``source_date_epoch`` ("" or None: the system time),
    whatever this process's environment says.

    >>> with using("1656032400"):
    ...     now().isoformat()
    '2022-06-24T08:00:00+07:00'
    """
    token = _EPOCH.set(source_date_epoch or "")
    try:
        yield
    finally:
        _EPOCH.reset(token)


def reproducible() -> bool:
    """True when ``SOURCE_DATE_EPOCH`` fixes the clock (outputs then carry no run-dependent timing either)."""
    return bool(epoch())


def now() -> _dt.datetime:
    """The current time in Vietnam's zone, or ``SOURCE_DATE_EPOCH`` when it is set.

    >>> import os; os.environ["SOURCE_DATE_EPOCH"] = "1656032400"
    >>> now().isoformat()
    '2022-06-24T08:00:00+07:00'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    fixed = epoch()
    if fixed:
        try:
            return _dt.datetime.fromtimestamp(int(fixed), _dt.UTC).astimezone(VIETNAM)
        except (ValueError, OverflowError, OSError):
            raise ValueError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, got {fixed!r}"
            ) from None
    return _dt.datetime.now(VIETNAM)


def shown(moment: _dt.datetime | str | None = None) -> str:
    """A moment as pages show it: "08:00, ngày 24/06/2022" (Vietnam time).

    >>> shown("2022-06-24T01:00:00+00:00")
    '08:00, ngày 24/06/2022'
    """
    from reportkit.vn import date

    if moment is None:
        when = now()
    elif isinstance(moment, str):
        when = _dt.datetime.fromisoformat(moment)
    else:
        when = moment
    if when.tzinfo is not None:
        when = when.astimezone(VIETNAM)
    return f"{when:%H:%M}, {date(when.date())}"
