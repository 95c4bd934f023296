"""What a person sees of a batch: the progress lines while it runs, and the summary table (or JSON) after it."""

from __future__ import annotations

import dataclasses
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from reportkit.batch import remote
from reportkit.batch.tasks import Failure, Outcome, finding_place
from reportkit.core.redact import Redactor, terminal_path

__all__ = ["TABLE_MAX", "BatchResult", "Progress", "failure_groups", "format_summary", "shown_failure"]

TABLE_MAX = 30  # a batch of more reports is summarised by cause, not listed report by report
LISTED = 8  # run ids named per cause in the terminal (--json names them all)
GROUPS_SHOWN = 20  # proofreading messages shown in a summarised batch (--json lists them all)
TEXT_FILE = re.compile(r"[^\s:,]+\.md\b")  # an analyst's text file named in a note


@dataclass
class BatchResult:
    reports: list[Outcome]
    out_dir: Path  # for a URL: the local mirror the batch ran into
    index: Path | str | None  # a str URL when published
    seconds: float
    index_error: str | None = None
    out_url: str | None = None  # the fsspec URL the reports were published to
    redactor: Redactor | None = None  # the run's secrets: the summary and its JSON never show one

    @property
    def failed(self) -> list[Outcome]:
        return [r for r in self.reports if r.status == "failed"]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.index_error else 0

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.reports:
            counts[r.status] = counts.get(r.status, 0) + 1
        return counts

    def as_json(self) -> dict[str, Any]:
        data = self._json()
        return self.redactor.tree(data) if self.redactor else data  # type: ignore[return-value]

    def _json(self) -> dict[str, Any]:
        return {
            "status": "failed" if self.failed else "ok",
            "counts": self.counts(),
            "seconds": round(self.seconds, 3),
            "out_dir": self.out_url or str(self.out_dir),
            **({"mirror": str(self.out_dir)} if self.out_url else {}),
            "index": str(self.index) if self.index else None,
            "index_error": self.index_error,
            "failures": failure_groups(self.reports, self.redactor),
            "reports": [self._report_json(r) for r in self.reports],
        }

    def _report_json(self, report: Outcome) -> dict[str, Any]:
        data = report.as_json()
        if report.error is not None:
            data["error"] = shown_failure(report.error, self.redactor).as_json()
        return data


def shown_failure(error: Failure, redactor: Redactor | None = None) -> Failure:
    """A copy of ``error`` as a person may see it: masked with the run's secrets, then cut to a readable size
    (:meth:`Failure.redact`, masking before cutting) — whoever built it, whatever its message held."""
    return dataclasses.replace(error, traceback=list(error.traceback)).redact(redactor)


class Progress:
    """What a person sees while the batch runs.

    On a terminal, one live line (tqdm): how many reports are made, failed and left, the rate and the time left;
    a failed report also gets a line of its own above it. Elsewhere (a log file, CI), one plain line per report
    as it starts and ends, so ``grep`` and ``tail -f`` work.
    """

    def __init__(
        self, stream: TextIO | None, total: int, redactor: Redactor | None = None, to_make: int | None = None
    ):
        self.stream = stream
        self.redactor = redactor
        self.tty = bool(stream) and stream.isatty()
        self.total = total
        self.to_make = total if to_make is None else to_make
        self.done: dict[str, int] = {}
        self.finished = 0  # of the reports to make
        self.running: dict[str, float] = {}
        self.t0 = time.monotonic()
        self.bar = None
        if self.tty and self.to_make:
            from tqdm import tqdm

            self.bar = tqdm(
                total=self.to_make,
                file=stream,
                unit=" reports",
                dynamic_ncols=True,
                mininterval=0.5,
                smoothing=0.1,  # the rate of the last few dozen reports, not of the kernels' start
                bar_format="{percentage:3.0f}%|{bar:16}| {n_fmt}/{total_fmt} finished{postfix} "
                "[{elapsed}<{remaining}, {rate_fmt}]",
            )
            self._postfix()

    def _counts(self) -> str:
        made, failed = self.done.get("ok", 0), self.done.get("failed", 0)
        left = max(0, self.to_make - self.finished)
        parts = [f"{made} made", f"{failed} failed", f"{left} left"]
        if self.done.get("skipped"):
            parts.append(f"{self.done['skipped']} up to date")
        return ", ".join(parts)

    def _postfix(self) -> None:
        if self.bar is not None:
            self.bar.set_postfix_str(self._counts(), refresh=False)

    def line(self, text: str) -> None:
        if not self.stream:
            return
        if self.redactor:
            text = self.redactor.text(text)
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
            return
        self.stream.write(text + "\n")
        self.stream.flush()

    def start(self, run_id: str) -> None:
        self.running[run_id] = time.monotonic()
        if self.bar is None:
            self.line(f"  … {run_id}: running")

    def finish(self, report: Outcome) -> None:
        self.running.pop(report.run_id, None)
        self.done[report.status] = self.done.get(report.status, 0) + 1
        mark = {"ok": "✓", "failed": "✗", "skipped": "="}.get(report.status, "?")
        made_here = report.status != "skipped" and report.seconds is not None  # by a worker, not the planner
        self.finished += made_here
        if self.bar is not None:
            if made_here:
                self.bar.update(1)  # what the rate and the time left are of
            self._postfix()
            self.bar.refresh()
            if report.status != "failed":
                return
        if report.status == "skipped":
            self.line(f"  {mark} {report.run_id}: unchanged, skipped")
            return
        extra = f" {report.seconds:.1f} s" if report.seconds is not None else ""
        if report.status == "failed" and report.error is not None:
            extra += " — " + shown_failure(report.error, self.redactor).line()
        self.line(f"  {mark} {report.run_id}: {report.status}{extra}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def failure_groups(reports: list[Outcome], redactor: Redactor | None = None) -> list[dict[str, Any]]:
    """The failed reports grouped by cause (kind, cell, exception), the commonest first: {"cause", "count",
    "run_ids", "messages", "cell_source", "traceback", "notebooks"} — one cell failing for 300 wards is one cause,
    not 300 rows; ``messages`` counts the different messages among them."""
    groups: dict[tuple, dict[str, Any]] = {}
    messages: dict[tuple, set[str]] = {}
    for r in reports:
        if r.status != "failed":
            continue
        err = shown_failure(r.error, redactor) if r.error is not None else None
        key = (err.kind, err.cell, err.exception) if err else ("?", None, "?")
        if key not in groups:
            notebooks = None
            if err is not None and err.notebook:  # .reportkit-cache/failed/<run id>/<stem>.ipynb
                notebooks = str(Path(err.notebook).parents[len(r.run_id.split("/"))])
            groups[key] = {"cause": err.line() if err else "failed", "count": 0, "run_ids": [],
                           "cell_source": err.cell_source if err else None,
                           "traceback": err.traceback[:5] if err else [], "notebooks": notebooks}  # fmt: skip
            messages[key] = set()
        groups[key]["count"] += 1
        groups[key]["run_ids"].append(r.run_id)
        messages[key].add(err.message if err else "")
    for key, group in groups.items():
        group["messages"] = len(messages[key])
    return sorted(groups.values(), key=lambda g: -g["count"])


def _note_groups(reports: list[Outcome]) -> list[tuple[str, list[str]]]:
    found: dict[str, list[str]] = {}
    for r in reports:
        for note in r.notes:
            found.setdefault(TEXT_FILE.sub("…", note), []).append(r.run_id)
    return sorted(found.items(), key=lambda item: -len(item[1]))


def _finding_groups(reports: list[Outcome]) -> list[tuple[str, list[str]]]:
    """What the proofreader found, each message once with the reports it is in (a ward's damaged name shows in
    every period), the most widespread first."""
    found: dict[str, list[str]] = {}
    for r in reports:
        for finding in r.findings:
            message = str(finding.get("message") or finding.get("found"))
            reports_of = found.setdefault(message, [])
            if not reports_of or reports_of[-1] != r.run_id:
                reports_of.append(r.run_id)
    return sorted(found.items(), key=lambda item: -len(item[1]))


def _named(run_ids: list[str]) -> str:
    shown = ", ".join(run_ids[:LISTED])
    return shown + (f" and {len(run_ids) - LISTED} more" if len(run_ids) > LISTED else "")


def format_summary(result: BatchResult, cwd: Path | None = None) -> str:
    """The terminal table: one row per report; a failure adds its cell, exception and first traceback lines.
    A batch of more than ``TABLE_MAX`` reports is summarised instead: its counts, its failures grouped by cause
    (each cause once, with the reports it failed), its notes grouped alike; ``--json`` still lists every report.

    Paths read as the terminal shows them: relative below the working folder, absolute elsewhere.
    """

    def rel(p: str | Path) -> str:
        return str(p) if remote.is_url(str(p)) else terminal_path(p, cwd=cwd)

    if len(result.reports) > TABLE_MAX:
        return _grouped_summary(result, rel)

    rows = []
    for r in result.reports:
        secs = f"{r.seconds:.1f} s" if r.seconds is not None else "—"
        main = next(
            (p for n, p in r.outputs.items() if n.endswith(".html") and not n.endswith(".article.html")), None
        )
        main = main or next(iter(r.outputs.values()), "")
        if r.status == "failed":
            what = shown_failure(r.error, result.redactor).line() if r.error else ""
        else:
            others = sorted(Path(p).name.split(".", 1)[1] for p in r.outputs.values() if p != main)
            what = rel(main) + (f" (+ {', '.join(others)})" if others else "") if main else ""
        rows.append((r.run_id, r.status, secs, what, r))
    widths = [
        max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(("report", "status", "time"))
    ]
    head = f"{'report':<{widths[0]}}  {'status':<{widths[1]}}  {'time':>{widths[2]}}  outputs / problem"
    lines = [head, "-" * len(head)]
    for run_id, status, secs, what, r in rows:
        lines.append(f"{run_id:<{widths[0]}}  {status:<{widths[1]}}  {secs:>{widths[2]}}  {what}")
        pad = " " * (widths[0] + widths[1] + widths[2] + 6)
        for note in r.notes:
            lines.append(f"{pad}  lưu ý: {note}")
        for finding in r.findings[:10]:
            lines.append(f"{pad}  soát chính tả: {_finding_line(finding)}")
        if len(r.findings) > 10:
            lines.append(f"{pad}  soát chính tả: … và {len(r.findings) - 10} chỗ khác (xem --json)")
        if status == "failed" and r.error is not None:
            err = shown_failure(r.error, result.redactor)
            if err.cell_source:
                lines.append(f"{pad}  in: {err.cell_source}")
            for tb in err.traceback[:5]:
                lines.append(f"{pad}  | {tb}")
            if err.notebook:
                lines.append(f"{pad}  executed notebook: {rel(err.notebook)}")
            if err.local:
                lines.append(f"{pad}  local copy: {rel(err.local)}")
    lines.append("")
    _closing(result, rel, lines)
    text = "\n".join(lines)
    return result.redactor.text(text) if result.redactor else text


def _grouped_summary(result: BatchResult, rel) -> str:
    lines: list[str] = []
    groups = failure_groups(result.reports, result.redactor)
    if groups:
        lines.append(f"Failed reports, by cause ({len(groups)}):")
        for group in groups:
            other = group["messages"] - 1
            lines.append(
                f"  {group['count']} × {group['cause']}" + (f" (and {other} other messages)" if other else "")
            )
            lines.append(f"      {_named(group['run_ids'])}")
            if group["cell_source"]:
                lines.append(f"      in: {group['cell_source']}")
            for tb in group["traceback"][:3]:
                lines.append(f"      | {tb}")
            if group["notebooks"]:
                lines.append(f"      executed notebooks: {rel(group['notebooks'])}/")
    notes = _note_groups(result.reports)
    if notes:
        lines.append("Notes, by kind:")
        for note, run_ids in notes:
            lines.append(f"  {len(run_ids)} × lưu ý: {note}")
            lines.append(f"      {_named(run_ids)}")
    findings = _finding_groups(result.reports)
    if findings:
        lines.append("Proofreading, by word:")
        for message, run_ids in findings[:GROUPS_SHOWN]:
            lines.append(f"  {len(run_ids)} × soát chính tả: {message}")
            lines.append(f"      {_named(run_ids)}")
        if len(findings) > GROUPS_SHOWN:
            lines.append(f"  … and {len(findings) - GROUPS_SHOWN} more words (reportkit run … --json)")
    if lines:
        lines.append("")
    _closing(result, rel, lines)
    if result.failed:
        lines.append("Every report, with its error: reportkit run … --json")
    text = "\n".join(lines)
    return result.redactor.text(text) if result.redactor else text


def _closing(result: BatchResult, rel, lines: list[str]) -> None:
    counts = result.counts()
    lines.append(
        f"{len(result.reports)} report{'' if len(result.reports) == 1 else 's'}: "
        + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        + f" in {result.seconds:.1f} s"
    )
    if result.index_error:
        lines.append(f"The index page could not be written: {result.index_error}")
    if result.index:
        lines.append(f"Reports are in {rel(result.out_url or result.out_dir)}/ — index: {rel(result.index)}")
    else:
        lines.append(f"Reports are in {rel(result.out_url or result.out_dir)}/")


def _finding_line(finding: dict[str, Any]) -> str:
    """ "ô 5: “Mt trn” → “Mặt trận” (âm tiết bị mất chữ)", "params/2022-H1.md, dòng 10: “dn” → “dẫn” (…)"."""
    return f"{finding_place(finding)}: {finding.get('message') or finding.get('found')}"
