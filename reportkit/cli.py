"""``reportkit`` commands: ``run`` (the batch), ``template`` (the blank collection workbook) and ``sample province``
(a deterministic province of wards in SQLite or PostgreSQL).

Exit codes of ``reportkit run``: 0 every report made or up to date, 1 some report failed, 2 bad params or options
(nothing written), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import re
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
    sample = sub.add_parser(
        "sample",
        help="write sample data: a province of wards in a database",
        description="Write sample data to try reportkit at scale.",
    )
    kinds = sample.add_subparsers(dest="sample", required=True)
    prov = kinds.add_parser(
        "province",
        help="a deterministic province of wards (tổ, plans, 30 months of figures) in SQLite or PostgreSQL",
        description="Write a deterministic sample province (Tỉnh Bình Sơn: Phường Duy Tân and generated wards, "
        "January 2021 – June 2023) into a database, and into the project folder the ward list "
        "(data/province/wards.yaml) and two params files: params/province/wards.yaml (every ward × period, for "
        "notebooks/report.ipynb) and params/province/province.yaml (the roll-up, notebooks/province.ipynb).",
    )
    prov.add_argument("--wards", type=int, default=120, help="number of wards (default: 120)")
    prov.add_argument(
        "--periods",
        type=_formats,
        help="periods of the params files, e.g. 2022-H1,2022-H2 (default: every half-year all wards cover)",
    )
    where = prov.add_mutually_exclusive_group(required=True)
    where.add_argument("--sqlite", type=Path, help="the SQLite file to write, e.g. data/province/province.db")
    where.add_argument("--url", help="a SQLAlchemy URL to write to, e.g. postgresql://user:pw@host/db")
    prov.add_argument(
        "--out", type=Path, help="the project folder for the ward list and params files (default: the cwd)"
    )
    prov.add_argument("--replace", action="store_true", help="overwrite the reportkit tables already there")
    return parser


def _cmd_sample(args) -> int:
    import os
    import time

    from reportkit import vn
    from reportkit.data import DataError
    from reportkit.data import sample_province as sample

    try:
        periods = tuple(vn.Period(p).spec for p in args.periods) if args.periods else None
    except ValueError as err:
        print(f"reportkit sample province: --periods: {err}", file=sys.stderr)
        return 2
    out = (args.out or Path.cwd()).resolve()
    note = made = None
    if args.sqlite is not None:
        path = args.sqlite.resolve()
        made = None if path.exists() else path
        if path.exists() and not args.replace:
            print(
                f"reportkit sample province: {args.sqlite} exists; pass --replace to overwrite it",
                file=sys.stderr,
            )
            return 2
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
        try:
            params_url = f"sqlite:///{path.relative_to(out).as_posix()}"
        except ValueError:
            params_url = url
            note = f"{args.sqlite} is outside {out}: reportkit run reads data inside the project only"
    else:
        url = params_url = args.url
    started = time.perf_counter()
    try:
        written = sample.write(args.wards, url, replace=args.replace, out=out, params_url=params_url,
                               periods=periods)  # fmt: skip
    except (DataError, ValueError, FileExistsError, ConnectionError, ModuleNotFoundError, OSError) as err:
        if made is not None:  # nothing was written: no empty database left behind
            made.unlink(missing_ok=True)
        print(f"reportkit sample province: {err}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(
        f"Wrote {sample.PROVINCE['name']}: {vn.number(written.wards)} phường, {vn.number(written.units)} tổ dân "
        f"phố, {vn.number(written.rows)} rows (01/2021–06/2023) to {written.url} in {seconds:.1f} s"
    )
    for path in written.files:
        print(f"  {os.path.relpath(path)}")
    runs = written.wards * len(written.periods)
    print(
        f"  params/province/wards.yaml: {runs} reports ({written.wards} wards × {', '.join(written.periods)})"
    )
    if written.late:
        both = sum(1 for months in written.late.values() if len(months) > 1)
        print(
            f"  {len(written.late)} wards have not yet sent 06/2023 ({both} neither 05/2023): no report for "
            "2023-H1 from them; data/province/wards.yaml lists them"
        )
    if note:
        print(f"  note: {note}")
    return 0


def _cmd_run(args) -> int:
    if sys.platform == "win32":  # fcntl locks, forkserver workers, POSIX signals
        print(
            "reportkit run: the batch runner needs Linux or macOS; on Windows run it inside WSL "
            "(the notebook itself runs in JupyterLab on Windows)",
            file=sys.stderr,
        )
        return 2
    from reportkit.batch import BatchOptions, ParamsError, RunLocked, SetupError, format_summary, run_batch
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
    except KeyboardInterrupt:
        print(
            "reportkit run: interrupted; finished reports are in place, nothing partial was written",
            file=sys.stderr,
        )
        return 130
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
    if args.command == "sample":
        return _cmd_sample(args)
    return _cmd_template(args)


if __name__ == "__main__":
    sys.exit(main())
