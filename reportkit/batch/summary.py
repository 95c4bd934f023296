"""What a person sees of a batch: the progress lines while it runs, and the summary table (or JSON) after it."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from reportkit.batch import remote
from reportkit.batch.tasks import Outcome
from reportkit.core.redact import Redactor, terminal_path

__all__ = ["BatchResult", "Progress", "format_summary"]


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
            "reports": [r.as_json() for r in self.reports],
        }


class Progress:
    """Per-report lines, plus a redrawn status bar on a terminal."""

    def __init__(self, stream: TextIO | None, total: int, redactor: Redactor | None = None):
        self.stream = stream
        self.redactor = redactor
        self.tty = bool(stream) and stream.isatty()
        self.total = total
        self.done: dict[str, int] = {}
        self.running: dict[str, float] = {}
        self.t0 = time.monotonic()

    def _bar(self) -> str:
        n = sum(self.done.values())
        width = 24
        filled = int(width * n / self.total) if self.total else width
        counts = " ".join(f"{k} {v}" for k, v in sorted(self.done.items()))
        running = ", ".join(list(self.running)[:4]) + ("…" if len(self.running) > 4 else "")
        elapsed = time.monotonic() - self.t0
        line = f"[{'#' * filled}{'.' * (width - filled)}] {n}/{self.total} {counts} {elapsed:.0f}s"
        return line + (f" · running: {running}" if running else "")

    def line(self, text: str) -> None:
        if not self.stream:
            return
        if self.redactor:
            text = self.redactor.text(text)
        if self.tty:
            self.stream.write("\r\x1b[2K" + text + "\n" + self._bar())
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def start(self, run_id: str) -> None:
        self.running[run_id] = time.monotonic()
        self.line(f"  … {run_id}: running")

    def finish(self, report: Outcome) -> None:
        self.running.pop(report.run_id, None)
        self.done[report.status] = self.done.get(report.status, 0) + 1
        mark = {"ok": "✓", "failed": "✗", "skipped": "="}.get(report.status, "?")
        if report.status == "skipped":
            self.line(f"  {mark} {report.run_id}: unchanged, skipped")
            return
        extra = f" {report.seconds:.1f} s" if report.seconds is not None else ""
        if report.status == "failed" and report.error is not None:
            extra += " — " + report.error.line()
        self.line(f"  {mark} {report.run_id}: {report.status}{extra}")

    def close(self) -> None:
        if self.stream and self.tty:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()


def format_summary(result: BatchResult, cwd: Path | None = None) -> str:
    """The terminal table: one row per report; a failure adds its cell, exception and first traceback lines.

    Paths read as the terminal shows them: relative below the working folder, absolute elsewhere.
    """

    def rel(p: str | Path) -> str:
        return str(p) if remote.is_url(str(p)) else terminal_path(p, cwd=cwd)

    rows = []
    for r in result.reports:
        secs = f"{r.seconds:.1f} s" if r.seconds is not None else "—"
        main = next(
            (p for n, p in r.outputs.items() if n.endswith(".html") and not n.endswith(".article.html")), None
        )
        main = main or next(iter(r.outputs.values()), "")
        if r.status == "failed":
            what = r.error.line() if r.error else ""
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
            err = r.error
            if err.cell_source:
                lines.append(f"{pad}  in: {err.cell_source}")
            for tb in err.traceback[:5]:
                lines.append(f"{pad}  | {tb}")
            if err.notebook:
                lines.append(f"{pad}  executed notebook: {rel(err.notebook)}")
            if err.local:
                lines.append(f"{pad}  local copy: {rel(err.local)}")
    counts = result.counts()
    lines.append("")
    lines.append(
        f"{len(result.reports)} reports: "
        + ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
        + f" in {result.seconds:.1f} s"
    )
    if result.index_error:
        lines.append(f"The index page could not be written: {result.index_error}")
    if result.index:
        lines.append(f"Reports are in {rel(result.out_url or result.out_dir)}/ — index: {rel(result.index)}")
    else:
        lines.append(f"Reports are in {rel(result.out_url or result.out_dir)}/")
    text = "\n".join(lines)
    return result.redactor.text(text) if result.redactor else text


def _finding_line(finding: dict[str, Any]) -> str:
    """ "ô 5: “Mt trn” → “Mặt trận” (âm tiết bị mất chữ)"."""
    return f"ô {finding.get('cell')}: {finding.get('message') or finding.get('found')}"
