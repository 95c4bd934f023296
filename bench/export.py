"""Benchmark: what the Word file and the PDF/A cost, side by side with the PDF as it was made before.

    .venv/bin/python bench/export.py                # 4 sample periods through `reportkit run`, 15 rounds in-process
    .venv/bin/python bench/export.py --rounds 5     # a quick check

(a) In one warm exporter, on the executed 2022-H1 notebook, alternating so load on the machine hits all alike:
    the PDF as before (WeasyPrint, no variant, untagged), the PDF/A-3b tagged with the record attached (what
    ``ReportExporter.pdf`` makes now), and the .docx. Median and best CPU time of each (``time.process_time``:
    the work is single-threaded, and CPU time does not count the other processes of a shared machine), the
    median wall time, and PDF/A ÷ PDF.
(b) Inside the batch: ``reportkit run --json --force --jobs 1`` on the sample's params files, and each report's
    own timings as the worker measured them (``docx``, ``pdf``), its exporter warm from the worker's start.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def make_project(folder: Path) -> Path:
    for name in ("notebooks", "params"):  # the params' .md texts too: the whole report, parts II–IV included
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copytree(ROOT / "data" / "duy-tan", folder / "data" / "duy-tan")
    return folder


def batch(project: Path) -> dict:
    proc = subprocess.run(
        [str(BIN / "reportkit"), "run", "--json", "--force", "--jobs", "1", "--to", "html,pdf,docx"],
        cwd=project,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        sys.exit(f"reportkit run failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


def old_pdf(exporter, html: str) -> bytes:
    """The PDF as ReportExporter.pdf made it before PDF/A: the glyph check, the same fonts, sheets and fetcher; no
    variant, no tags, no attachment."""
    from weasyprint import HTML

    from reportkit.export.sanitize import visible_text

    exporter.font.check(visible_text(html))
    font_config, css, fetcher = exporter._weasyprint()
    page, sheets = exporter._page_css(html)
    return HTML(string=page, url_fetcher=fetcher).write_pdf(
        stylesheets=[*sheets, css], font_config=font_config
    )


def side_by_side(notebook: Path, rounds: int) -> dict[str, list[float]]:
    import nbformat

    from reportkit.core import record as report
    from reportkit.export import ReportExporter

    nb = nbformat.read(str(notebook), as_version=4)
    exporter = ReportExporter()
    html = exporter.html(nb)
    sidecar = report.dumps(report.read(nb))
    jobs = {
        "PDF as before (untagged)": lambda: old_pdf(exporter, html),
        "PDF/A-3b, tagged, record attached": lambda: exporter.pdf(html, sidecar),
        ".docx": lambda: exporter.docx(nb),
    }
    for job in jobs.values():  # warm: fonts, templates, imports
        job()
    times: dict[str, list[float]] = {name: [] for name in jobs}
    walls: dict[str, list[float]] = {name: [] for name in jobs}
    sizes = {}
    for _ in range(rounds):
        for name, job in jobs.items():
            gc.collect()  # each job starts with no garbage of the one before it
            cpu, wall = time.process_time(), time.perf_counter()
            data = job()
            times[name].append(time.process_time() - cpu)
            walls[name].append(time.perf_counter() - wall)
            sizes[name] = len(data)
    print(f"(a) one warm exporter, {rounds} rounds on {notebook.name} (CPU seconds; wall median):")
    print(f"    {'':36}  {'median':>8}  {'best':>8}  {'wall':>8}  {'size':>9}")
    for name, values in times.items():
        print(
            f"    {name:36}  {statistics.median(values):7.3f}s  {min(values):7.3f}s  "
            f"{statistics.median(walls[name]):7.3f}s  {sizes[name] / 1024:7.1f} KB"
        )
    before, after = (statistics.median(times[k]) for k in list(jobs)[:2])
    best_before, best_after = (min(times[k]) for k in list(jobs)[:2])
    print(
        f"    PDF/A ÷ PDF: {after / before:.3f} (median), {best_after / best_before:.3f} (best)"
        f"  — the issue's bound is 1.25"
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="in-process rounds (default: 15)")
    parser.add_argument(
        "--keep", action="store_true", help="keep the temporary project (its path is printed)"
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="reportkit-bench-export-"))
    try:
        project = make_project(tmp / "project")
        result = batch(project)
        print(f"(b) reportkit run --jobs 1 --to html,pdf,docx: {len(result['reports'])} reports, warm worker")
        print(f"    {'report':10}  {'docx':>7}  {'pdf':>7}  {'html':>7}")
        docx = []
        for entry in result["reports"]:
            timings = entry.get("timings", {})
            docx.append(timings.get("docx", float("nan")))
            print(
                f"    {entry['run_id']:10}  {timings.get('docx', float('nan')):6.3f}s  "
                f"{timings.get('pdf', float('nan')):6.3f}s  {timings.get('html', float('nan')):6.3f}s"
            )
        print(
            f"    .docx: worst {max(docx):.3f} s, median {statistics.median(docx):.3f} s — the issue's bound is 0.2 s"
        )
        print()
        side_by_side(project / "outputs" / "2022-H1" / "report-2022-H1.ipynb", max(1, args.rounds))
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
