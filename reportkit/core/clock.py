"""The one clock of every time stamp reportkit writes into an output.

``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC — the reproducible-builds convention) fixes it, so two builds of the
same inputs are byte-identical; otherwise it is the system time. Times are shown in Vietnam's time zone (UTC+7, no
daylight saving), whatever the machine's zone: a report made on a cluster in UTC states the time its readers live.
"""

from __future__ import annotations

import datetime as _dt
import os

__all__ = ["VIETNAM", "now", "reproducible", "shown"]

VIETNAM = _dt.timezone(_dt.timedelta(hours=7), "ICT")


def reproducible() -> bool:
    """True when ``SOURCE_DATE_EPOCH`` fixes the clock (outputs then carry no run-dependent timing either)."""
    return bool(os.environ.get("SOURCE_DATE_EPOCH", "").strip())


def now() -> _dt.datetime:
    """The current time in Vietnam's zone, or ``SOURCE_DATE_EPOCH`` when it is set.

    >>> import os; os.environ["SOURCE_DATE_EPOCH"] = "1656032400"
    >>> now().isoformat()
    '2022-06-24T08:00:00+07:00'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return _dt.datetime.fromtimestamp(int(epoch), _dt.UTC).astimezone(VIETNAM)
        except (ValueError, OverflowError, OSError):
            raise ValueError(
                f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 UTC, got {epoch!r}"
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
