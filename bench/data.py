"""Load the sample ward cold (every workbook parsed) and warm (served from the content-keyed cache).

    .venv/bin/python bench/data.py [--repeat 5]

Prints the median of each and the speed-up. Uses a throw-away cache folder, so it never touches your own cache.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    cache = tempfile.mkdtemp(prefix="reportkit-bench-")
    os.environ["REPORTKIT_CACHE"] = cache
    from reportkit.data import load

    try:
        load(cache=False)  # imports and first-call costs out of the way
        cold, warm = [], []
        for _ in range(args.repeat):
            shutil.rmtree(os.path.join(cache, "data"), ignore_errors=True)
            t = time.perf_counter()
            ds = load()
            cold.append(time.perf_counter() - t)
            t = time.perf_counter()
            ds2 = load()
            warm.append(time.perf_counter() - t)
            assert ds2.figures("2022-H1").as_dict() == ds.figures("2022-H1").as_dict()
        c, w = statistics.median(cold), statistics.median(warm)
        print(f"sample ward: {len(ds.sources)} files, median of {args.repeat}")
        print(f"cold load (parse every workbook): {c * 1000:8.1f} ms")
        print(f"warm load (content-keyed cache):  {w * 1000:8.1f} ms")
        print(f"speed-up: {c / w:.1f}x")
    finally:
        shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
