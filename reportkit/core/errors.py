"""One exception family: :class:`ReportkitError` at the root, every problem located and listed.

Each subclass keeps the constructor its callers know (``DataError(problems)``, ``ParamsError(problems)``,
``NarrativeError(message, line=…)``) and carries ``.problems``: a list whose items read "where: what" as text.
Every one pickles (a Dask worker or a process pool hands errors back to the runner) whatever its constructor.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["Problem", "ReportkitError", "problem_json"]


class Problem(NamedTuple):
    """A problem located by a free-form place: ``Problem("params/2022-H1.yaml: period", "not a period")``.

    A named tuple, not a dataclass: this module is imported by every room, and ``dataclasses`` (with ``inspect``)
    would triple the import time of ``reportkit.vn``.
    """

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def _rebuild(cls: type, args: tuple, state: dict[str, Any]) -> ReportkitError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ReportkitError(Exception):
    """The root of reportkit's exceptions; ``.problems`` lists every problem found, not only the first.

    >>> err = ReportkitError("hai lỗi", problems=[Problem("a.yaml: period", "sai"), Problem("", "thiếu dữ liệu")])
    >>> [str(p) for p in err.problems]
    ['a.yaml: period: sai', 'thiếu dữ liệu']
    """

    problems: list

    def __init__(self, message: str = "", *, problems: list | None = None) -> None:
        super().__init__(message)
        self.problems = (
            list(problems) if problems is not None else ([Problem("", message)] if message else [])
        )

    def __reduce__(self):
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))

    def problems_json(self) -> list[dict[str, Any]]:
        """Every problem as a JSON object (for ``--json`` output)."""
        return [problem_json(p) for p in self.problems]


def problem_json(problem: object) -> dict[str, Any]:
    """A problem as plain JSON: its fields (locations as text), plus ``message``, the line a person reads."""
    if isinstance(problem, Problem):
        return problem._asdict()
    fields = getattr(problem, "__dataclass_fields__", None)
    if fields is None:
        return {"message": str(problem)}
    out: dict[str, Any] = {}
    for name in fields:
        value = getattr(problem, name)
        if value is not None and not isinstance(value, str | int | float | bool):
            value = str(value)
        out[name] = value
    out.setdefault("message", str(problem))
    return out
