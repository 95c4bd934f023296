"""Benchmark: what a reader downloads, and what a no-op run costs, on 20 synthetic periods of the real notebook.

    .venv/bin/python bench/pages.py            # 20 reports: 10 quarters, 5 halves, 2 years, 3 months
    .venv/bin/python bench/pages.py --jobs 1

Writes one params file per period into a copy of the project, runs ``reportkit run --to html,article``, then prints
the size of the 2022-H1 page (budget 80 KB, chart included) and of the index (budget 120 KB for 20 periods), and
the wall time of a second, no-op ``reportkit run`` (every report skipped: manifests read, the data folder hashed,
no workbook opened, no pandas imported).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch import make_project

BIN = Path(sys.executable).parent


def periods() -> list[str]:
    quarters = [f"{y}-Q{q}" for y in (2021, 2022, 2023) for q in (1, 2, 3, 4)][:10]
    halves = ["2021-H1", "2021-H2", "2022-H1", "2022-H2", "2023-H1"]
    return [*quarters, *halves, "2021", "2022", "2022-03", "2022-09", "2023-03"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reportkit-pages-") as tmp:
        root = make_project(Path(tmp), periods())
        command = [str(BIN / "reportkit"), "run", "--to", "html,article", "--root", str(root)]
        if args.jobs:
            command += ["--jobs", str(args.jobs)]
        first = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        if first.returncode:
            sys.exit(first.stdout + first.stderr)
        out = root / "outputs"
        page = out / "2022-H1" / "report-2022-H1.html"
        index = out / "index.html"
        print(f"2022-H1 page: {page.stat().st_size / 1000:.1f} KB (budget 80 KB)")
        print(f"index, {len(periods())} periods: {index.stat().st_size / 1000:.1f} KB (budget 120 KB)")
        times = []
        for _ in range(5):
            t = time.perf_counter()
            again = subprocess.run(command, capture_output=True, text=True, timeout=120)
            times.append(time.perf_counter() - t)
            assert again.returncode == 0 and "skipped" in again.stdout, again.stdout + again.stderr
        times.sort()
        print(
            f"no-op reportkit run, {len(periods())} reports: median {times[2]:.2f} s (min {times[0]:.2f} s)"
        )


if __name__ == "__main__":
    main()
