"""Benchmark: the naive shell loop against ``reportkit run``, on synthetic periods of the real report notebook.

    .venv/bin/python bench/batch.py              # 22 reports: every quarter 2021-Q1…2023-Q2, every month of 2022
    .venv/bin/python bench/batch.py --reports 4  # a quick check

Times, in the same run and on the same copy of the project (HTML + PDF for every report):
  (a) the naive loop: ``papermill`` CLI, ``jupyter nbconvert --to html --no-input`` CLI, ``weasyprint`` CLI;
  (b) ``reportkit run --jobs 1``;  (c) ``reportkit run`` (one job per core);  (d) (c) again, nothing changed;
  with ``--fresh-kernels`` also (e): (c) with a new kernel per report instead of one reused kernel per worker.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def periods() -> list[str]:
    quarters = [f"{y}-Q{q}" for y in (2021, 2022, 2023) for q in (1, 2, 3, 4)][:10]  # up to 2023-Q2
    months = [f"2022-{m:02d}" for m in range(1, 13)]
    return quarters + months


def make_project(folder: Path, specs: list[str]) -> Path:
    """A copy of the project (notebook, sample ward) with one params file per synthetic period."""
    (folder / "params").mkdir(parents=True)
    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    shutil.copytree(ROOT / "data" / "duy-tan", folder / "data" / "duy-tan")
    for spec in specs:
        (folder / "params" / f"{spec}.yaml").write_text(
            f"period: {spec}\ndata: data/duy-tan\n", encoding="utf-8"
        )
    return folder


def timed(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    timed.stderr = proc.stderr  # type: ignore[attr-defined]
    return elapsed


def naive(project: Path, specs: list[str]) -> float:
    out = project / "naive"
    out.mkdir()
    data = str(project / "data" / "duy-tan")
    total = 0.0
    for spec in specs:
        nb = out / f"{spec}.ipynb"
        total += timed(
            [
                str(BIN / "papermill"),
                "notebooks/report.ipynb",
                str(nb),
                "-p",
                "period",
                spec,
                "-p",
                "data",
                data,
            ],
            project,
        )
        total += timed([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)], project)
        total += timed(
            [str(BIN / "weasyprint"), str(out / f"{spec}.html"), str(out / f"{spec}.pdf")], project
        )
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=len(periods()), help="number of reports (default: 22)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary project (its path is printed)"
    )
    parser.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="also time (c) with a new kernel per report (REPORTKIT_FRESH_KERNELS=1) instead of reused kernels",
    )
    args = parser.parse_args()
    specs = periods()[: max(1, args.reports)]
    tmp = Path(tempfile.mkdtemp(prefix="reportkit-bench-"))
    project = make_project(tmp / "project", specs)
    cores = len(os.sched_getaffinity(0))
    run = [str(BIN / "reportkit"), "run", "--to", "html,pdf"]
    print(
        f"{len(specs)} reports of notebooks/report.ipynb (HTML + PDF), {cores} cores, in {project}",
        flush=True,
    )
    try:
        rows = []
        a = naive(project, specs)
        rows.append(("(a) naive loop: papermill, nbconvert, weasyprint CLIs", a))
        print(f"  (a) done: {a:.1f} s", flush=True)
        b = timed([*run, "--jobs", "1", "--force", "--out", "out-b"], project)
        rows.append(("(b) reportkit run --jobs 1", b))
        print(f"  (b) done: {b:.1f} s", flush=True)
        c = timed([*run, "--force", "--out", "out-c"], project)
        rows.append((f"(c) reportkit run (--jobs {cores})", c))
        d = timed([*run, "--out", "out-c"], project)
        rows.append(("(d) reportkit run again, nothing changed", d))
        redone = timed.stderr.count(": ok")  # type: ignore[attr-defined]
        if args.fresh_kernels:
            e = timed(
                [*run, "--force", "--out", "out-e"],
                project,
                env={**os.environ, "REPORTKIT_FRESH_KERNELS": "1"},
            )
            rows.append(("(e) as (c), a fresh kernel per report", e))
        print()
        print(f"{'':52}  {'seconds':>8}  {'× (a)':>7}  {'faster':>7}")
        for label, seconds in rows:
            print(f"{label:52}  {seconds:8.1f}  {seconds / a:7.3f}  {a / seconds:6.1f}×")
        print(f"\nper report: (a) {a / len(specs):.2f} s, (c) {c / len(specs):.2f} s; (d) {d:.2f} s in all")
        if redone:
            print(
                f"(d) re-ran {redone} report(s): reportkit's code changed between (c) and (d) "
                "(a shared checkout being edited), so they were not up to date"
            )
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
