"""Benchmark reportkit.vn: import time and formatting throughput.

Run: .venv/bin/python bench/vn.py            (about 10 s; prints a table, asserts nothing)

Import time is measured in fresh interpreters with ``-X importtime`` (cumulative microseconds of the
``reportkit.vn`` import, median of several runs), once with bytecode compiled and cached in a temporary
``pycache_prefix`` (the normal case for an installed package), once with bytecode writing disabled (what
``PYTHONDONTWRITEBYTECODE=1`` gives: every module is compiled from source).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import timeit
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def import_time_us(cache_dir: str | None, runs: int = 7) -> float:
    env = dict(os.environ)
    args = [sys.executable]
    if cache_dir is None:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        args += ["-X", f"pycache_prefix={cache_dir}"]
    args += ["-X", "importtime", "-c", "import reportkit.vn"]
    samples = []
    for _ in range(runs + 1):  # the first run fills the bytecode cache
        err = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, env=env, check=True).stderr
        total = next(
            int(line.split("|")[1])
            for line in err.splitlines()[::-1]
            if line.rstrip().endswith("| reportkit.vn") or line.rstrip().endswith("|   reportkit")
        )
        samples.append(total)
    return statistics.median(samples[1:])


def rate(func, number: int = 50_000, repeat: int = 5) -> float:
    best = min(timeit.repeat(func, number=number, repeat=repeat))
    return number / best


def main() -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as cache:
        cached = import_time_us(cache)
    uncached = import_time_us(None)
    print(f"import reportkit.vn (bytecode cached):      {cached / 1000:6.1f} ms")
    print(f"import reportkit.vn (compiled from source): {uncached / 1000:6.1f} ms")

    from reportkit import Period, vn

    day = dt.date(2022, 3, 5)
    cases = [
        ("number(1236)", lambda: vn.number(1236)),
        ("number(-1234567)", lambda: vn.number(-1234567)),
        ("number(1234.56)", lambda: vn.number(1234.56)),
        ("number(1234.565, decimals=2)", lambda: vn.number(1234.565, decimals=2)),
        ("number(Decimal('1234.56'))", lambda: vn.number(Decimal("1234.56"))),
        ("parse_number('1.234,56')", lambda: vn.parse_number("1.234,56")),
        ("percent(0.155)", lambda: vn.percent(0.155)),
        ("words(2022)", lambda: vn.words(2022)),
        ("words(472036953)", lambda: vn.words(472_036_953)),
        ("date(d)", lambda: vn.date(day)),
        ("date(d, long=True)", lambda: vn.date(day, long=True)),
        ("Period('2022-H1').name", lambda: Period("2022-H1").name),
        (
            "tone_style(sentence, 'modern')",
            lambda: vn.tone_style("Ủy ban hòa giải sức khỏe thủy lợi", "modern"),
        ),
    ]
    print(f"\n{'call':34} {'calls/s':>12}")
    for label, func in cases:
        print(f"{label:34} {rate(func):12,.0f}")
    print("\ntarget: number() > 200,000 calls/s")


if __name__ == "__main__":
    main()
