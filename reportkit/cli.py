"""``reportkit`` commands: ``init`` (a new project), ``run`` (the batch), ``check`` (the same inputs, read without
a kernel), ``template`` (the blank collection workbook), ``repair`` (restore the letters a damaged text lost, into a
copy beside it), ``figures`` (the key figures a report's PDF carries) and ``sample province`` (a deterministic
province of wards in SQLite or PostgreSQL).

Exit codes of ``reportkit run``: 0 every report made or up to date, 1 some report failed, 2 bad params or options
(nothing written), 130 interrupted (Ctrl-C), 143 stopped by SIGTERM (a supervisor, ``timeout``).
``reportkit check``: 0 nothing wrong (notes may be listed), 2 problems.
"""

from __future__ import annotations

import argparse
import json
import os
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

    init = sub.add_parser(
        "init",
        help="create a new report project in DIR, from the sample ward",
        description="Create a report project in DIR (a new or empty folder): params, the report notebook, the "
        "sample ward's data (ward description, catalog, the tổ workbooks) so that `reportkit run` builds its reports "
        "at once, blank workbooks for each tổ to fill in next, and a README saying what to change.",
    )
    init.add_argument("dir", type=Path, help="the project folder, e.g. ~/bao-cao-phuong")
    init.add_argument(
        "--year",
        type=int,
        help="year of the blank tổ workbooks (default: the year after the sample's reports)",
    )

    run = sub.add_parser(
        "run",
        help="run the report notebook for every params file and export each report",
        description="Run the report notebook once per params file (per period, per unit), export HTML, PDF/A, "
        "Word and article, and write outputs/index.html. Every params file is checked before any kernel starts.",
    )
    run.add_argument(
        "params", nargs="*", type=Path, help="params files, or folders of them (default: every params/*.yaml)"
    )
    run.add_argument("--notebook", type=Path, help="the report notebook (default: notebooks/report.ipynb)")
    run.add_argument("--jobs", "-j", type=int, help="reports run at once (default: one per core)")
    run.add_argument(
        "--to",
        type=_formats,
        default=("html", "pdf", "docx", "article"),
        help="formats besides the executed notebook and the JSON record: html,pdf,docx,article (default: all)",
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
        "--strict",
        action="store_true",
        help="fail a report whose analyst's texts (params/<run>.md) lack a required section or whose prose has "
        "lost letters (damaged syllables); its previous report is kept",
    )
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

    chk = sub.add_parser(
        "check",
        help="check params files, their data, the analyst's texts and the notebook's narrative without running",
        description="Read every params file, the data of each run, the analyst's texts and the %%report cells of "
        "the notebook, and list every problem in Vietnamese with its file and line (exit code 2). No kernel starts "
        "and nothing is written.",
    )
    chk.add_argument(
        "params", nargs="*", type=Path, help="params files, or folders of them (default: every params/*.yaml)"
    )
    chk.add_argument("--notebook", type=Path, help="the report notebook (default: notebooks/report.ipynb)")
    chk.add_argument("--root", type=Path, help="the project folder (default: found from the cwd upwards)")
    chk.add_argument("--strict", action="store_true", help="a required section of the analyst's texts not written "
                     "is a problem, not a note")  # fmt: skip

    tpl = sub.add_parser(
        "template",
        help="write the blank Excel workbook a unit fills in",
        description="Write the blank collection workbook (Vietnamese headers, one row per month) for one unit "
        "and year.",
    )
    tpl.add_argument("--unit", help='the unit the workbook is for, e.g. "Tổ 3"')
    tpl.add_argument("--year", type=int, help="the year of the monthly rows, e.g. 2024")
    tpl.add_argument(
        "--catalog",
        type=Path,
        help="indicator catalog YAML (default: the catalog of the ward of the project the command runs in)",
    )
    tpl.add_argument(
        "-o", "--output", type=Path, help="where to write (default: bieu-mau[-<unit>][-<year>].xlsx)"
    )

    rep = sub.add_parser(
        "repair",
        help="restore lost Vietnamese letters in a text, Markdown or Word file, into a copy beside it",
        description='Restore the letters a lossy conversion deleted ("Mt trn" → "Mặt trận") where the evidence '
        "is strong, write the result beside the original (name.repaired.txt, .md, .docx; the original is never "
        "changed) and print every change, then what still needs a look.",
    )
    rep.add_argument("file", type=Path, help="a .txt, .md or .docx file")
    rep.add_argument("-o", "--output", type=Path, help="where to write (default: <name>.repaired<suffix>)")
    rep.add_argument("--json", action="store_true", help="print the changes and remaining findings as JSON")
    figures = sub.add_parser(
        "figures",
        help="print the key figures a reportkit PDF carries (its embedded JSON record)",
        description="Print the report's title, number, period and key figures from the PDF alone: a reportkit "
        "PDF/A-3b carries the report's JSON record as an attached file.",
    )
    figures.add_argument("pdf", type=Path, help="a report PDF, e.g. outputs/2022-H1/report-2022-H1.pdf")
    figures.add_argument("--json", action="store_true", help="print the whole embedded record as JSON")
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


def _cmd_figures(args) -> int:
    from reportkit.export.archive import ArchiveError, embedded_record, figure_lines

    try:
        record = embedded_record(args.pdf)
    except ArchiveError as err:
        print(f"reportkit figures: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        print("\n".join(figure_lines(record)))
    return 0


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
        # the library's words, the command's flag
        said = str(err).replace("pass replace=True", "pass --replace")
        print(f"reportkit sample province: {said}", file=sys.stderr)
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
        has = "has" if len(written.late) == 1 else "have"
        then = (
            "their 2023-H1 reports stop, naming the month"
            if "2023-H1" in written.periods
            else "the params files leave 2023-H1 out"
        )
        print(
            f"  {_wards(len(written.late))} {has} not yet sent 06/2023 ({both} neither 05/2023): {then}; "
            "data/province/wards.yaml lists them"
        )
    if written.skipped:
        named = "; ".join(f"{code}: {', '.join(months)}" for code, months in sorted(written.skipped.items()))
        print(
            f"  {_wards(len(written.skipped))} skipped a whole month ({named}): their reports that read it stop, "
            "naming the month, rather than sum one month short"
        )
    if note:
        print(f"  note: {note}")
    return 0


def _wards(n: int) -> str:
    return f"{n} ward" if n == 1 else f"{n} wards"


def _cmd_run(args) -> int:
    if sys.platform == "win32":  # fcntl locks, forkserver workers, POSIX signals
        print(
            "reportkit run: the batch runner needs Linux or macOS; on Windows run it inside WSL "
            "(the notebook itself runs in JupyterLab on Windows)",
            file=sys.stderr,
        )
        return 2
    try:
        return _run(args)
    except KeyboardInterrupt as err:  # Ctrl-C or SIGTERM (Stopped), even while it still imports: the summary
        result = err.args[0] if err.args and hasattr(err.args[0], "as_json") else None
        signum = getattr(err, "signum", signal.SIGINT)
        if result is not None:
            from reportkit.batch import format_summary

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


def _run(args) -> int:
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
        strict=args.strict,
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
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print(format_summary(result))
    return result.exit_code


def _cmd_check(args) -> int:
    from reportkit.batch.check import check_project, format_check

    try:
        result = check_project(list(args.params), root=args.root, notebook=args.notebook, strict=args.strict)
    except FileNotFoundError as err:
        print(f"reportkit check: {err}", file=sys.stderr)
        return 2
    print(format_check(result))
    return result.exit_code


def _cmd_init(args) -> int:
    from reportkit.data import DataError
    from reportkit.project import ProjectError, init

    try:
        created = init(args.dir, year=args.year)
    except (ProjectError, DataError, OSError) as err:
        print(f"reportkit init: {err}", file=sys.stderr)
        return 2
    ward = created.ward_folder.as_posix()
    blank = created.blank_workbooks[0].parent.as_posix() if created.blank_workbooks else ward
    rows = [
        ("params/", ", ".join(p.stem for p in created.params)),
        ("notebooks/report.ipynb", "the report"),
        ("notebooks/province.ipynb", "a province's roll-up of its wards (reportkit sample province)"),
        (f"{ward}/", "ward.yaml, catalog.yaml, ke-hoach.xlsx, the tổ workbooks in bao-cao/"),
        (f"{blank}/", f"blank workbooks for the {len(created.blank_workbooks)} tổ to fill in"),
        ("README.md", "what to change for your own ward"),
    ]
    width = max(len(name) for name, _ in rows) + 2
    print(f"Created the report project {args.dir} ({created.ward_name}, the sample ward):")
    for name, what in rows:
        print(f"  {name:<{width}}{what}")
    print(f"Next: cd {args.dir} && reportkit run")
    return 0


def _cmd_template(args) -> int:
    from reportkit.data import DataError, write_template
    from reportkit.vn import slug

    catalog = args.catalog
    if catalog is None:
        from reportkit.project import ProjectError, project_catalog

        try:
            catalog = project_catalog()
        except (ProjectError, DataError) as err:
            print(f"reportkit template: {err}", file=sys.stderr)
            return 2
    output = args.output
    if output is None:
        parts = (
            ["bieu-mau"] + ([slug(args.unit)] if args.unit else []) + ([str(args.year)] if args.year else [])
        )
        output = Path("-".join(parts) + ".xlsx")
    try:
        write_template(output, catalog=catalog, unit=args.unit, year=args.year)
    except (DataError, ValueError, OSError) as err:
        print(f"reportkit template: {err}", file=sys.stderr)
        return 2
    print(f"Wrote {output} (catalog: {args.catalog or _shown(catalog)})")
    return 0


def _shown(path: Path) -> str:
    """The catalog as the user can find it from here: "../data/duy-tan/catalog.yaml" within a project."""
    return Path(os.path.relpath(path.resolve(), Path.cwd().resolve())).as_posix()


def _cmd_repair(args) -> int:
    from reportkit.proofread import ProofreadError, repair_file
    from reportkit.vn import number

    try:
        result = repair_file(args.file, args.output)
    except (ProofreadError, OSError) as err:
        print(f"reportkit repair: {err}", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                {
                    "source": str(result.source),
                    "output": str(result.output),
                    "changes": [vars(c) for c in result.changes],
                    "remaining": [vars(f) for f in result.remaining],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"{result.source} → {result.output}: {len(result.changes)} chỗ đã sửa")
    width = max((len(c.where) for c in result.changes), default=0)
    for c in result.changes:
        change = f"{c.before.strip() or '␣'} → {c.after.strip()}"
        print(f"  {c.where:<{width}}  {change:<18} {number(c.confidence, decimals=2)}  …{c.context}…")
    if result.remaining:
        print(f"Cần xem lại ({len(result.remaining)} chỗ chưa sửa):")
        for f in result.remaining:
            print(f"  {f.where}: {f.message}")
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return _dispatch(args)
    except KeyboardInterrupt:
        # Ctrl-C while the command line is still read (argparse's gettext imports locale) or during another
        # command than `run` (which prints its own summary): a line, not a traceback.
        print("reportkit: interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except BrokenPipeError:
        # The reader stopped reading (``reportkit repair file | head``): what was written stays written; no
        # traceback, and the status a shell gives a command that SIGPIPE stopped (128 + 13).
        try:  # Python flushes stdout once more at exit: into nothing, not into the closed pipe
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        except (OSError, ValueError):  # no real stdout (called in-process)
            pass
        return 141


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "init":
        return _cmd_init(args)
    if args.command == "run":
        return _cmd_run(args)
    if args.command == "repair":
        return _cmd_repair(args)
    if args.command == "figures":
        return _cmd_figures(args)
    if args.command == "sample":
        return _cmd_sample(args)
    if args.command == "check":
        return _cmd_check(args)
    return _cmd_template(args)


if __name__ == "__main__":
    sys.exit(main())
