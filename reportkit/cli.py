"""``reportkit`` commands: ``run`` (the batch) and ``template`` (the blank collection workbook).

Exit codes of ``reportkit run``: 0 every report made or up to date, 1 some report failed, 2 bad params or options
(nothing written), 130 interrupted (Ctrl-C), 143 stopped by SIGTERM (a supervisor, ``timeout``).
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
from pathlib import Path


def _formats(text: str) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))
    return items


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="reportkit", description="Vietnamese narrative reports from notebooks."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run the report notebook for every params file and export each report",
        description="Run the report notebook once per params file (per period, per unit), export HTML, PDF and "
        "article, and write outputs/index.html. Every params file is checked before any kernel starts.",
    )
    run.add_argument("params", nargs="*", type=Path, help="params files (default: every params/*.yaml)")
    run.add_argument("--notebook", type=Path, help="the report notebook (default: notebooks/report.ipynb)")
    run.add_argument("--jobs", "-j", type=int, help="reports run at once (default: one per core)")
    run.add_argument(
        "--to",
        type=_formats,
        default=("html", "pdf", "article"),
        help="formats besides the executed notebook and the JSON record: html,pdf,article (default: all)",
    )
    run.add_argument("--force", action="store_true", help="re-run reports whose inputs are unchanged")
    run.add_argument(
        "--out",
        help="output folder (default: outputs/ of the project), or an fsspec URL to publish to (s3://bucket/reports, "
        "gs://…, abfs://…, file://…): the batch runs into a local mirror in .reportkit-cache/remote/ and each "
        "report is uploaded all or nothing",
    )
    run.add_argument(
        "--scheduler", help="a Dask scheduler address (tcp://host:8786): run the batch on that cluster"
    )
    run.add_argument("--root", type=Path, help="the project folder (default: found from the cwd upwards)")
    run.add_argument("--json", action="store_true", help="print the summary as JSON on stdout")
    run.add_argument(
        "--cell-timeout",
        type=float,
        default=600.0,
        metavar="SECONDS",
        help="stop a report whose cell runs longer than this (default: 600)",
    )
    run.add_argument(
        "--report-timeout",
        type=float,
        default=1800.0,
        metavar="SECONDS",
        help="stop a report whose cells run longer than this together (default: 1800)",
    )
    run.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="start a new kernel for every report instead of resetting the worker's kernel between reports "
        "(slower; for notebooks that change installed modules). Also REPORTKIT_FRESH_KERNELS=1",
    )

    tpl = sub.add_parser(
        "template",
        help="write the blank Excel workbook a unit fills in",
        description="Write the blank collection workbook (Vietnamese headers, one row per month) for one unit "
        "and year.",
    )
    tpl.add_argument("--unit", help='the unit the workbook is for, e.g. "Tổ 3"')
    tpl.add_argument("--year", type=int, help="the year of the monthly rows, e.g. 2024")
    tpl.add_argument("--catalog", type=Path, help="indicator catalog YAML (default: the sample ward's)")
    tpl.add_argument(
        "-o", "--output", type=Path, help="where to write (default: bieu-mau[-<unit>][-<year>].xlsx)"
    )
    return parser


def _cmd_run(args) -> int:
    if sys.platform == "win32":  # fcntl locks, forkserver workers, POSIX signals
        print(
            "reportkit run: the batch runner needs Linux or macOS; on Windows run it inside WSL "
            "(the notebook itself runs in JupyterLab on Windows)",
            file=sys.stderr,
        )
        return 2
    from reportkit.batch import (
        BatchOptions,
        BatchResult,
        ParamsError,
        RunLocked,
        SetupError,
        format_summary,
        run_batch,
    )
    from reportkit.core.errors import ReportkitError

    fresh = {"fresh_kernels": True} if args.fresh_kernels else {}  # absent: REPORTKIT_FRESH_KERNELS decides
    options = BatchOptions(
        params=list(args.params),
        root=args.root,
        notebook=args.notebook,
        jobs=args.jobs,
        formats=tuple(args.to),
        force=args.force,
        out=args.out,
        scheduler=args.scheduler,
        cell_timeout=args.cell_timeout,
        report_timeout=args.report_timeout,
        progress=sys.stderr,
        **fresh,
    )
    try:
        result = run_batch(options)
    except (ParamsError, SetupError, RunLocked, ReportkitError) as err:
        if args.json:
            problems = err.problems_json() or [{"message": str(err)}]
            print(json.dumps({"status": "invalid", "problems": problems}, ensure_ascii=False, indent=2))
        print(f"reportkit run: {err}", file=sys.stderr)
        return 2
    except (
        KeyboardInterrupt
    ) as err:  # Ctrl-C or SIGTERM (Stopped): the summary of what was done, nothing else
        result = err.args[0] if err.args and isinstance(err.args[0], BatchResult) else None
        signum = getattr(err, "signum", signal.SIGINT)
        if result is not None:
            if args.json:
                print(json.dumps({**result.as_json(), "status": "interrupted"}, ensure_ascii=False, indent=2))
            else:
                print(format_summary(result))
        what = "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
        print(
            f"reportkit run: {what}; finished reports are in place, nothing partial was written",
            file=sys.stderr,
        )
        return 128 + signum
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print(format_summary(result))
    return result.exit_code


def _slug(text: str) -> str:
    from reportkit.vn import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _cmd_template(args) -> int:
    from reportkit.data import DataError, write_template

    output = args.output
    if output is None:
        parts = (
            ["bieu-mau"] + ([_slug(args.unit)] if args.unit else []) + ([str(args.year)] if args.year else [])
        )
        output = Path("-".join(parts) + ".xlsx")
    try:
        write_template(output, catalog=args.catalog, unit=args.unit, year=args.year)
    except (DataError, ValueError, OSError) as err:
        print(f"reportkit template: {err}", file=sys.stderr)
        return 2
    print(f"Wrote {output}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return _cmd_run(args)
    return _cmd_template(args)


if __name__ == "__main__":
    sys.exit(main())
