"""outputs/index.html: every report with its files, and the key figures of every period side by side."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import jinja2

from reportkit.core import clock
from reportkit.core import record as report
from reportkit.core.atomic import write_atomic
from reportkit.core.errors import ReportkitError
from reportkit.vn.text import nfc

_TEMPLATES = Path(__file__).with_name("templates") / "site"
_FILE_KINDS = ("html", "pdf", "ipynb")


class IndexPageError(ReportkitError, ValueError):
    """Entries given to :func:`write_index` are unusable; lists every problem at once."""


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined
    )


def _period_key(spec: str):
    from reportkit.vn import Period

    try:
        period = Period(spec)
    except (ValueError, TypeError):
        return (1, spec, "")
    return (0, period.start.isoformat(), period.end.isoformat())


def _figure_text(figure: Mapping) -> str:
    from reportkit import vn

    if isinstance(figure.get("text"), str):
        return nfc(figure["text"])
    value = figure.get("value")
    if isinstance(value, bool) or value is None:
        return "—" if value is None else str(value)
    if isinstance(value, int | float):
        return vn.number(value)
    return nfc(str(value))


def _check(out_dir: Path, entries) -> list[str]:
    problems = []
    for i, entry in enumerate(entries):
        where = f"entry {i}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected an object with run_id, record, files, got {entry!r:.60}")
            continue
        if isinstance(entry.get("run_id"), str) and entry["run_id"]:
            where = f"entry {i} ({entry['run_id']})"
        else:
            problems.append(f"{where}: run_id: expected a non-empty string, got {entry.get('run_id')!r}")
        if not isinstance(entry.get("record"), Mapping):
            problems.append(
                f"{where}: record: expected the report record object, got {entry.get('record')!r:.60}"
            )
        else:
            problems.extend(f"{where}: record: {p}" for p in report.problems(entry["record"]))
        files = entry.get("files", {})
        if not isinstance(files, Mapping):
            problems.append(f"{where}: files: expected {{html, pdf, ipynb}} paths, got {files!r:.60}")
            continue
        for kind, rel in files.items():
            if kind not in _FILE_KINDS:
                problems.append(
                    f"{where}: files.{kind}: unknown kind, expected one of {', '.join(_FILE_KINDS)}"
                )
            elif not isinstance(rel, str) or not rel or "://" in rel or os.path.isabs(rel):
                problems.append(f"{where}: files.{kind}: expected a path relative to {out_dir}, got {rel!r}")
            elif not (out_dir / rel).is_file():
                problems.append(f"{where}: files.{kind}: {out_dir / rel} does not exist")
    return problems


def write_index(out_dir, entries) -> Path:
    """Write ``out_dir/index.html`` atomically and return its path.

    Each entry is ``{"run_id", "record", "files": {"html": relpath, "pdf": …, "ipynb": …}}``; the page lists the
    reports (sorted by unit, then period) and a table "Số liệu chính qua các kỳ" per unit, e.g. the row
    "Lượt người dân dự tuyên truyền | 1.236 | 1.310".
    """
    import reportkit
    from reportkit import vn

    out_dir = Path(out_dir)
    entries = list(entries)
    problems = _check(out_dir, entries)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise IndexPageError(f"cannot write {out_dir / 'index.html'}:\n{lines}")

    reports = []
    for entry in entries:
        document = entry["record"].get("document") or {}
        period = str(document.get("period") or entry["run_id"])
        reports.append(
            {
                "run_id": entry["run_id"],
                "period": period,
                "period_name": vn.upper_first(
                    nfc(document.get("period_name") or period)
                ),  # a cell starts a line
                "unit": nfc(document.get("unit") or ""),
                "number": nfc(document.get("number") or ""),
                "subject": nfc(document.get("subject") or document.get("title") or ""),
                "files": {
                    k: quote(PurePosixPath(*Path(v).parts).as_posix()) for k, v in entry["files"].items()
                },
                "figures": entry["record"].get("key_figures") or [],
            }
        )
    reports.sort(key=lambda r: (vn.sort_key(r["unit"]), _period_key(r["period"]), r["run_id"]))

    units = []
    for name in dict.fromkeys(r["unit"] for r in reports):
        mine = [r for r in reports if r["unit"] == name]
        labels: dict[str, str] = {}
        for r in mine:
            for figure in r["figures"]:
                labels.setdefault(figure["id"], nfc(figure["label"]))
        rows = []
        for fid, label in labels.items():
            cells = []
            for r in mine:
                found = next((f for f in r["figures"] if f["id"] == fid), None)
                cells.append(None if found is None else _figure_text(found))
            rows.append({"label": label, "cells": cells})
        units.append({"name": name, "periods": [r["period_name"] for r in mine], "rows": rows})

    names = [u["name"] for u in units if u["name"]]
    title = "Báo cáo định kỳ" + (f" — {names[0]}" if len(names) == 1 else "")
    page = (
        _environment()
        .get_template("index.html.j2")
        .render(
            title=title,
            reports=reports,
            units=units,
            many_units=len(units) > 1,
            generated_at=clock.shown(),
            version=reportkit.__version__,
        )
    )
    return write_atomic(out_dir / "index.html", nfc(page))
