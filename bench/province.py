"""Benchmark: a province's batch at scale — 1,000 ward reports on the local runner, 200 on a Dask LocalCluster.

    .venv/bin/python bench/province.py                      # 1,000 of 270 wards × 4 halves, HTML + PDF (20 min)
    .venv/bin/python bench/province.py --wards 10 --reports 40 --cluster 16 --naive 2   # a quick check
    .venv/bin/python bench/province.py --url postgresql://user:pw@host/db  # the province in PostgreSQL

In one run, on one copy of a sample province (``reportkit sample province``, SQLite unless ``--url``):
  (a) ``reportkit run --jobs 2`` of every ward × period: wall time per report overall and in the steady state
      (between the 100th and the last report), the failures, and the RSS of the worker processes and of their
      kernels near the 100th and the last report (a worker's RSS must stay flat: within 15 %);
  (b) ``reportkit run`` again, nothing changed (the no-op run of the whole batch);
  (c) ``reportkit run --scheduler`` of the first ``--cluster`` reports on a LocalCluster of 2 single-threaded
      workers;
  (d) the naive loop (papermill, nbconvert, weasyprint CLIs per report) on ``--naive`` of the same reports,
      and the ratio of (a)'s time per report to it.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PERIODS = ("2021-H1", "2021-H2", "2022-H1", "2022-H2")  # the halves every sample ward's data cover
FINISHED = re.compile(r"^\s+[✓✗] (\S+): (ok|failed)")


def make_project(folder: Path, wards: int, url: str | None) -> tuple[Path, str]:
    """A project of the report notebook and a sample province of ``wards`` wards; (project, database URL)."""
    from reportkit.data import sample_province

    shutil.copytree(ROOT / "notebooks", folder / "notebooks")
    (folder / "params").mkdir(parents=True)
    if url is None:
        db = folder / "data" / "province" / "province.db"
        db.parent.mkdir(parents=True)
        url = f"sqlite:///{db}"
        params_url = "sqlite:///data/province/province.db"
    else:
        params_url = url
    sample_province.write(wards, url, out=folder, params_url=params_url, periods=PERIODS, replace=True)
    return folder, url


def complete_runs(project: Path, url: str) -> tuple[list[tuple[str, str]], int]:
    """The province's ward × period runs whose ward sent every month the report reads (the period, the period
    before and the same period a year earlier, within the data), in the params file's order; and how many runs
    were left out. The sample province has wards that skipped a whole month, as real ones do: a report that reads
    that month fails by design ("Không có số liệu cho tháng …"); the benchmark measures reports, not that refusal."""
    import sqlalchemy as sa

    from reportkit import vn

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT DISTINCT phuong_xa, nam, thang FROM bao_cao")).all()
    finally:
        engine.dispose()
    sent: dict[str, set[tuple[int, int]]] = {}
    for code, year, month in rows:
        sent.setdefault(code, set()).add((int(year), int(month)))
    doc = _wards_params(project)
    runs = [(unit, period) for unit in doc["units"] for period in doc["periods"]]
    first = min(m for months in sent.values() for m in months)

    def read(period: str) -> set[tuple[int, int]]:  # the period, and the two it is compared with
        p = vn.Period(period)
        months = {*p.months, *p.previous().months, *p.same_period_last_year().months}
        return {m for m in months if m >= first}

    complete = [(u, p) for u, p in runs if read(p) <= sent.get(u, set())]
    return complete, len(runs) - len(complete)


def _wards_params(project: Path) -> dict:
    import yaml

    return yaml.safe_load((project / "params/province/wards.yaml").read_text(encoding="utf-8"))


def params_files(project: Path, runs: list[tuple[str, str]], name: str) -> list[Path]:
    """``runs`` as params files under params/province/<name>/, one per half-year (the params file's data and
    options, its units for that half-year)."""
    import yaml

    doc = _wards_params(project)
    files = []
    for period in doc["periods"]:
        units = [u for u, p in runs if p == period]
        if units:
            path = project / "params" / "province" / name / f"{period}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            part = {k: v for k, v in doc.items() if k not in ("periods", "units")}
            part.update(periods=[period], units=units)
            path.write_text(yaml.safe_dump(part, allow_unicode=True, sort_keys=False), encoding="utf-8")
            files.append(path)
    return files


class Watch:
    """Samples, every half second, how many reports have finished and the RSS of the batch's processes."""

    def __init__(self, root_pid: int | None = None):
        self.root_pid = root_pid  # None: the reportkit command's own process
        self.finished: list[float] = []  # the moment each report finished
        self.samples: list[
            tuple[int, float, float, int, int]
        ] = []  # (finished, workers MB, kernels MB, n, n)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Watch:
        self.t0 = time.perf_counter()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def report_finished(self) -> None:
        self.finished.append(time.perf_counter() - self.t0)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            try:
                procs = psutil.Process(self.root_pid).children(recursive=True)
            except psutil.Error:
                continue
            workers, kernels = [], []
            for p in procs:
                try:
                    cmd = " ".join(p.cmdline())
                    rss = p.memory_info().rss / 2**20
                except psutil.Error:
                    continue
                if "ipykernel_launcher" in cmd:
                    kernels.append(rss)
                elif "spawn_main" in cmd or "distributed" in cmd or "dask" in cmd:
                    workers.append(rss)
            if workers:
                self.samples.append(
                    (len(self.finished), sum(workers), sum(kernels), len(workers), len(kernels))
                )

    def steady_samples(self, workers: int | None) -> list[tuple[int, float, float, int, int]]:
        """Samples with ``workers`` worker processes and their kernels: not one taken while a worker was being
        replaced (the leaving one and its successor both alive) or the batch was closing its kernels."""
        return [s for s in self.samples if s[4] and (workers is None or s[3] == workers)] or self.samples

    def near(self, count: int, workers: int | None = None) -> tuple[int, float, float, int, int] | None:
        samples = self.steady_samples(workers)
        after = [s for s in samples if s[0] >= count]
        return after[0] if after else (samples[-1] if samples else None)

    def last(self, workers: int | None = None) -> tuple[int, float, float, int, int] | None:
        """The last steady sample (at the very end the kernels are shut down)."""
        samples = self.steady_samples(workers)
        return samples[-1] if samples else None


def run_reportkit(project: Path, args: list[str], watch: Watch | None = None) -> tuple[float, int, str]:
    """``reportkit run`` with per-report lines on stderr (not a terminal); (seconds, failed reports, summary)."""
    t = time.perf_counter()
    proc = subprocess.Popen(
        [str(BIN / "reportkit"), "run", *args], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    if watch is not None:
        watch.root_pid = watch.root_pid or proc.pid
        watch.start()
    failed = 0
    tail: list[str] = []
    for line in proc.stderr:
        m = FINISHED.match(line)
        if m:
            failed += m.group(2) == "failed"
            if watch is not None:
                watch.report_finished()
        tail = [*tail, line][-20:]
    summary = proc.stdout.read()
    proc.wait()
    seconds = time.perf_counter() - t
    if watch is not None:
        watch.stop()
    if proc.returncode not in (0, 1):
        sys.exit(f"reportkit run failed ({proc.returncode}):\n{''.join(tail)}\n{summary[-3000:]}")
    return seconds, failed, summary


def naive(project: Path, url: str, runs: list[tuple[str, str]]) -> float:
    """papermill, nbconvert and weasyprint CLIs per report, as bench/batch.py times them."""
    from reportkit.data.sql import with_unit

    out = project / "naive"
    out.mkdir()
    total = 0.0
    for unit, period in runs:
        nb = out / f"{unit}-{period}.ipynb"
        steps = [
            [str(BIN / "papermill"), "notebooks/report.ipynb", str(nb), "-p", "period", period,
             "-p", "data", with_unit(url, unit)],
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(nb)],
            [str(BIN / "weasyprint"), str(nb.with_suffix(".html")), str(nb.with_suffix(".pdf"))],
        ]  # fmt: skip
        for cmd in steps:
            t = time.perf_counter()
            proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True)
            total += time.perf_counter() - t
            if proc.returncode != 0:
                sys.exit(f"naive step failed: {' '.join(cmd[:2])}\n{proc.stderr[-2000:]}")
    return total


def rss_line(label: str, sample) -> str:
    if sample is None:
        return f"  {label}: (no sample)"
    count, workers, kernels, nw, nk = sample
    return (f"  {label} (after {count} reports): {nw} workers {workers:.0f} MB ({workers / nw:.0f} MB each), "
            f"their {nk} kernels {kernels:.0f} MB")  # fmt: skip


def steady(watch: Watch, start: int = 100) -> float | None:
    """Seconds per report between the ``start``-th report and the last one."""
    times = watch.finished
    if len(times) <= start:
        return None
    return (times[-1] - times[start - 1]) / (len(times) - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wards", type=int, default=270, help="wards of the sample province (default 270)")
    parser.add_argument("--reports", type=int, default=1000, help="ward reports to make (default 1,000)")
    parser.add_argument("--cluster", type=int, default=200, help="reports on the LocalCluster (default 200)")
    parser.add_argument("--naive", type=int, default=20, help="reports of the naive loop (default 20)")
    parser.add_argument("--jobs", type=int, default=2, help="local worker processes (default 2)")
    parser.add_argument("--url", help="a PostgreSQL URL to hold the province (default: an SQLite file)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary project (its path is printed)"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="reportkit-province-"))
    try:
        t = time.perf_counter()
        project, url = make_project(tmp / "project", args.wards, args.url)
        complete, left_out = complete_runs(project, url)
        chosen = complete[: args.reports]
        total = len(chosen)
        files = params_files(project, chosen, "bench")
        cores = len(os.sched_getaffinity(0))
        print(f"{total} reports (HTML + PDF) of notebooks/report.ipynb: {args.wards} wards × {len(PERIODS)} halves "
              f"less {left_out} a ward sent incomplete (a month skipped), {cores} cores; "
              f"province written in {time.perf_counter() - t:.0f} s to {project}", flush=True)  # fmt: skip
        common = ["--to", "html,pdf", *(str(f.relative_to(project)) for f in files)]

        watch = Watch()
        a, failed, summary = run_reportkit(
            project, [*common, "--jobs", str(args.jobs), "--force", "--out", "out-a"], watch
        )
        per, steady_per = a / total, steady(watch)
        line = (
            f"(a) local, --jobs {args.jobs}: {total} reports, {failed} failed, {a:.0f} s: {per:.3f} s/report"
        )
        print(line + (f", {steady_per:.3f} s/report after the 100th" if steady_per else ""), flush=True)
        early, late = watch.near(100, args.jobs), watch.last(args.jobs)
        for count in (100, total // 4, total // 2, 3 * total // 4):
            if 100 <= count < total:
                print(rss_line(f"RSS near report {count}", watch.near(count, args.jobs)))
        print(rss_line("RSS near the last report", late))
        if early and late:
            each = late[1] / late[3] / (early[1] / early[3]) - 1
            change = f"  a worker's RSS from report {early[0]} to {late[0]}: {100 * each:+.1f} %"
            highest = max(s[1] / s[3] for s in watch.steady_samples(args.jobs) if s[0] >= early[0])
            change += f" (highest {highest:.0f} MB, {100 * (highest / (early[1] / early[3]) - 1):+.1f} %)"
            if early[2] and early[4] and late[4]:
                change += f"; a kernel's {100 * (late[2] / late[4] / (early[2] / early[4]) - 1):+.1f} %"
            print(change)
        print(
            "  summary: " + " | ".join(line for line in summary.splitlines()[-3:] if line.strip()), flush=True
        )

        b, _, _ = run_reportkit(project, [*common, "--out", "out-a"])
        print(f"(b) the same command again, nothing changed: {b:.2f} s for {total} reports", flush=True)

        import distributed

        subset = chosen[: args.cluster]
        n_cluster = len(subset)
        subset_files = [str(f.relative_to(project)) for f in params_files(project, subset, "cluster")]
        with distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            local_directory=str(tmp / "dask"),  # removed with the rest, not left in /tmp/dask-scratch-space
        ) as cluster:
            watch_c = Watch(os.getpid())  # the cluster's workers are this process's children
            command = ["--to", "html,pdf", *subset_files, "--force", "--out", "out-c",
                       "--scheduler", cluster.scheduler_address]  # fmt: skip
            c, failed_c, _ = run_reportkit(project, command, watch_c)
        print(f"(c) LocalCluster, 2 workers: {n_cluster} reports, {failed_c} failed, {c:.0f} s: "
              f"{c / n_cluster:.3f} s/report", flush=True)  # fmt: skip
        print(rss_line("Dask workers' RSS near report 100", watch_c.near(100)))
        print(rss_line("Dask workers' RSS near the last report", watch_c.last()))

        runs = chosen[:: max(1, len(chosen) // max(1, args.naive))][: args.naive]  # spread over the batch
        d = naive(project, url, runs)
        print(
            f"(d) naive loop (papermill, nbconvert, weasyprint CLIs) on {args.naive} of them: {d:.0f} s: "
            f"{d / args.naive:.2f} s/report",
            flush=True,
        )
        print()
        print(
            f"per report: naive {d / args.naive:.2f} s; reportkit run {per:.3f} s (a, {total} reports: "
            f"{d / args.naive / per:.1f}× the naive loop), {c / n_cluster:.3f} s on the LocalCluster (c)"
        )
        if steady_per:
            print(f"marginal cost in the {total}-report batch (after the 100th): {steady_per:.3f} s/report")
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
