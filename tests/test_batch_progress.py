"""What a person sees of a long batch (issue 16, point 5): one live line on a terminal, plain lines in a log, and a
summary that groups 1,000 reports' failures by cause while --json still names every failed report."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

from reportkit.batch import BatchResult, Failure, Outcome, format_summary
from reportkit.batch.summary import TABLE_MAX, Progress
from reportkit.core.redact import Redactor


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def made(run_id: str, status: str = "ok", error: Failure | None = None, notes=()) -> Outcome:
    return Outcome(run_id, status, params_file="params/province/wards.yaml", seconds=0.4, error=error,
                   outputs={f"report-{run_id}.html": f"/p/outputs/{run_id}/report-{run_id}.html"} if status == "ok"
                   else {}, notes=list(notes))  # fmt: skip


def unit_error(ward: str) -> Failure:
    failure = Failure(
        "cell", "UnitError", f"no ward {ward!r} in postgresql://u:***@db/tinh", ["UnitError: …"]
    )
    failure.cell, failure.execution_count, failure.cell_source = 3, 3, "ds = reportkit.load(data)"
    failure.notebook = f"/p/.reportkit-cache/failed/{ward}/2022-H1/report-{ward}-2022-H1.ipynb"
    return failure


def batch(n: int) -> list[Outcome]:
    reports = []
    for i in range(n):
        run_id = f"phuong-{i:03d}/2022-H1"
        if i % 100 == 7:
            reports.append(made(run_id, "failed", unit_error(f"phuong-{i:03d}")))
        elif i == 500:
            reports.append(made(run_id, "failed", Failure.from_dead_kernel(-9)))
        else:
            note = f"chưa có tệp bài viết params/province/wards/phuong-{i:03d}/2022-H1.md: báo cáo thiếu các phần Ưu điểm"
            reports.append(made(run_id, notes=[note] if i % 2 else []))
    return reports


def test_a_log_gets_one_plain_line_per_report():
    log = io.StringIO()
    progress = Progress(log, 3, Redactor(["S3cret"]), to_make=2)
    progress.start("a/2022-H1")
    progress.finish(made("a/2022-H1"))
    progress.finish(Outcome("b/2022-H1", "skipped"))
    progress.start("c/2022-H1")
    progress.finish(made("c/2022-H1", "failed", Failure("export", "OSError", "disk full at S3cret")))
    progress.close()
    assert log.getvalue().splitlines() == [
        "  … a/2022-H1: running",
        "  ✓ a/2022-H1: ok 0.4 s",
        "  = b/2022-H1: unchanged, skipped",
        "  … c/2022-H1: running",
        "  ✗ c/2022-H1: failed 0.4 s — export: OSError: disk full at ***",
    ]


def test_a_terminal_gets_one_live_line_with_counts_rate_and_time_left():
    screen = Terminal()
    progress = Progress(screen, 1000, Redactor(), to_make=990)
    progress.finish(Outcome("a/2021-H2", "skipped"))
    for i in range(40):
        progress.start(f"w{i}/2022-H1")
        progress.finish(
            made(f"w{i}/2022-H1", "failed" if i == 3 else "ok", unit_error("w3") if i == 3 else None)
        )
    progress.close()
    text = screen.getvalue()
    last = re.split(r"[\r\n]", text.rstrip())[-1]
    assert "40/990 finished, 39 made, 1 failed, 950 left, 1 up to date" in last
    assert re.search(r"<\d\d:\d\d", last)  # the time left
    assert "reports/s" in last or "s/ reports" in last  # the rate
    # only the failure has a line of its own; no "running" or "ok" lines scroll by
    lines = [ln for ln in text.replace("\r", "\n").splitlines() if "%|" not in ln and ln.strip()]
    assert lines == [
        "  ✗ w3/2022-H1: failed 0.4 s — cell 3 (In [3]): UnitError: no ward 'w3' in postgresql://u:***@db/tinh"
    ]


def test_a_thousand_reports_are_summed_up_by_cause():
    reports = batch(1000)
    result = BatchResult(reports, Path("/p/outputs"), Path("/p/outputs/index.html"), 812.3)
    text = format_summary(result, cwd=Path("/p"))
    lines = text.splitlines()
    assert len(lines) < 30, text
    assert lines[0] == "Failed reports, by cause (2):"
    assert (
        lines[1]
        == "  10 × cell 3 (In [3]): UnitError: no ward 'phuong-007' in postgresql://u:***@db/tinh (and 9 other messages)"
    )
    assert lines[2].strip().startswith("phuong-007/2022-H1, phuong-107/2022-H1,") and lines[2].endswith(
        "and 2 more"
    )
    assert "      in: ds = reportkit.load(data)" in lines
    assert "      executed notebooks: .reportkit-cache/failed/" in lines
    assert any(line.startswith("  1 × kernel: DeadKernel: the kernel died") for line in lines)
    # 490 notes of one kind, once
    (note,) = [line for line in lines if "lưu ý" in line]
    assert note == "  490 × lưu ý: chưa có tệp bài viết …: báo cáo thiếu các phần Ưu điểm"
    assert "1000 reports: 11 failed, 989 ok in 812.3 s" in lines
    assert "Reports are in outputs/ — index: outputs/index.html" in lines
    one = BatchResult(batch(1000)[-1:], Path("/p/outputs"), Path("/p/outputs/index.html"), 6.1)
    assert "1 report: 1 ok in 6.1 s" in format_summary(one, cwd=Path("/p")).splitlines()
    # --json still names every failed report, in its row and in its cause
    data = json.loads(json.dumps(result.as_json()))
    failed = sorted(r["run_id"] for r in data["reports"] if r["status"] == "failed")
    assert len(failed) == 11 and sorted(i for g in data["failures"] for i in g["run_ids"]) == failed
    assert [g["count"] for g in data["failures"]] == [10, 1]


def test_a_small_batch_keeps_its_table():
    reports = batch(TABLE_MAX)
    text = format_summary(BatchResult(reports, Path("/p/outputs"), None, 3.0), cwd=Path("/p"))
    assert text.splitlines()[0].startswith("report ") and "phuong-029/2022-H1" in text
