"""outputs/index.html, the ward's dashboard: every report with every format it comes in, and each key figure's
trend across the periods of one kind (halves with halves, quarters with quarters), as a small picture and a table.

A batch of a few units shows each unit's dashboard on the one page. A province's batch of hundreds of wards gets a
page per unit (``<unit>/index.html``, beside its reports) and an ``index.html`` listing the units in natural
order, with a jump list by first letter: each page stays the size of one ward's.

Self-contained like the reports: inline CSS and inline SVG, no script, no external URL.
"""

from __future__ import annotations

import contextlib
import html
import os
import posixpath
import unicodedata
from collections.abc import Mapping
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import jinja2

from reportkit.core import clock
from reportkit.core import record as report
from reportkit.core.atomic import write_atomic
from reportkit.core.errors import ReportkitError
from reportkit.vn.text import lower_first, nfc

_TEMPLATES = Path(__file__).with_name("templates") / "site"
# Every format of a report, in the order the page links them, with the word a reader sees.
FORMATS = (
    ("html", "Trang web"),
    ("pdf", "PDF"),
    ("docx", "Word"),
    ("article", "Bài viết"),
    ("ipynb", "Notebook"),
    ("json", "Dữ liệu JSON"),
)
_FILE_KINDS = tuple(kind for kind, _ in FORMATS)
# Periods of one kind compare with each other; the page shows the longest first.
KINDS = (
    ("year", "Các năm"),
    ("9m", "Các kỳ 9 tháng"),
    ("half", "Các kỳ 6 tháng"),
    ("quarter", "Các quý"),
    ("month", "Các tháng"),
    ("other", "Các kỳ khác"),
)
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 160, 44, 5
UNITS_ON_ONE_PAGE = 5  # more units than this: a page per unit, and index.html lists them
# Words before a unit's own name, left out of the letter it is found under ("Phường Hòa Khánh" is under H).
_UNIT_WORDS = (
    "tỉnh",
    "thành phố",
    "phường",
    "xã",
    "thị trấn",
    "đặc khu",
    "tổ dân phố",
    "tổ",
    "thôn",
    "ấp",
    "bản",
    "khu phố",
)


class IndexPageError(ReportkitError, ValueError):
    """Entries given to :func:`write_index` are unusable; lists every problem at once."""


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)), autoescape=True, undefined=jinja2.StrictUndefined
    )


def _period(spec: str):
    from reportkit.vn import Period

    try:
        return Period(spec)
    except (ValueError, TypeError):
        return None


def _period_key(spec: str):
    period = _period(spec)
    if period is None:
        return (1, spec, "")
    return (0, period.start.isoformat(), period.end.isoformat())


def _ends_first(spec: str):
    """Newest first means the period that ended last (a half-year before the year that ends with it)."""
    key = _period_key(spec)
    return (key[0] * -1, key[2], key[1])


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


def _figure_number(figure: Mapping) -> float | None:
    """The number a trend draws: the value, or the count of a "10/10" figure."""
    value = figure.get("value")
    if isinstance(value, Mapping):
        value = value.get("count")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _number_only(number: str) -> str:
    """ "Số: 58/BC-MTTQ-BTT" → "58/BC-MTTQ-BTT" (the column header says "Số, ký hiệu"); a blank number stays blank."""
    text = nfc(number).strip()
    if text.lower().startswith("số"):
        text = text[2:].lstrip(" :").strip()
    return "" if text.startswith("/") else text


def _spark(points: list[float | None]) -> dict | None:
    """A small line chart of ``points`` (None: no figure that period) as SVG coordinates, or None below two."""
    known = [(i, v) for i, v in enumerate(points) if v is not None]
    if len(known) < 2:
        return None
    low, high = min(v for _, v in known), max(v for _, v in known)
    span = high - low or 1.0
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(1, len(points) - 1)

    def y(v: float) -> float:
        return round(SPARK_HEIGHT - SPARK_PAD - (v - low) / span * (SPARK_HEIGHT - 2 * SPARK_PAD), 1)

    dots = [(round(SPARK_PAD + i * step, 1), y(v)) for i, v in known]
    return {
        "points": " ".join(f"{x},{yy}" for x, yy in dots),
        "dots": dots,
        "last": dots[-1],
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
    }


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


def _report(entry: Mapping, base: str = "") -> dict:
    """The page's view of one entry; its links relative to ``base``, the folder of the page that shows it."""
    from reportkit import vn

    document = entry["record"].get("document") or {}
    period = str(document.get("period") or entry["run_id"])
    parsed = _period(period)
    name = nfc(document.get("period_name") or (parsed.name if parsed else period))
    links = []
    for kind, label in FORMATS:
        rel = entry["files"].get(kind)
        if rel:
            links.append({"href": _href(_posix(rel), base), "label": label})
    return {
        "run_id": entry["run_id"],
        "period": period,
        "kind": parsed.kind if parsed else "other",
        "name": name,
        "period_name": vn.upper_first(name),
        "unit": nfc(document.get("unit") or ""),
        "number": _number_only(document.get("number") or ""),
        "subject": nfc(document.get("subject") or document.get("title") or ""),
        "links": links,
        "files": entry["files"],
        "figures": entry["record"].get("key_figures") or [],
    }


def _trends(reports: list[dict]) -> list[dict]:
    """Per kind of period (longest first): the periods in time order and, per key figure, its cells and trend."""

    groups = []
    for kind, heading in KINDS:
        mine = [r for r in reports if r["kind"] == kind]
        if not mine:
            continue
        mine.sort(key=lambda r: (_period_key(r["period"]), r["run_id"]))
        # One column per period: two reports of a period (the ward made from its workbooks and from the province
        # database) that state the same figures are one point of the trend; reports that differ keep a column each.
        seen: set[tuple] = set()
        kept = []
        for r in mine:
            key = (r["period"], tuple(sorted((str(f.get("id")), _figure_text(f)) for f in r["figures"]
                                              if isinstance(f, Mapping))))  # fmt: skip
            if key not in seen:
                seen.add(key)
                kept.append(r)
        mine = kept
        labels: dict[str, tuple[str, str]] = {}
        for r in mine:
            for figure in r["figures"]:
                if isinstance(figure, Mapping) and figure.get("id"):
                    labels.setdefault(
                        figure["id"], (nfc(figure["label"]), nfc(str(figure.get("unit") or "")))
                    )
        rows = []
        for fid, (label, unit) in labels.items():
            found = [next((f for f in r["figures"] if f.get("id") == fid), None) for r in mine]
            cells = [None if f is None else _figure_text(f) for f in found]
            numbers = [None if f is None else _figure_number(f) for f in found]
            latest = next(((i, c) for i, c in reversed(list(enumerate(cells))) if c is not None), None)
            described = "; ".join(f"{r['period_name']}: {c}" for r, c in zip(mine, cells, strict=True) if c)
            rows.append(
                {
                    "id": fid,
                    "label": label,
                    "unit": unit,
                    "cells": cells,
                    "latest": None
                    if latest is None
                    else {"text": latest[1], "period": mine[latest[0]]["period_name"]},
                    "spark": _spark(numbers),
                    "alt": f"Xu hướng {lower_first(label)}"
                    + (f" ({unit})" if unit else "")
                    + f" qua {len(mine)} kỳ: {described}",
                }
            )
        groups.append(
            {
                "kind": kind,
                "heading": heading,
                "periods": [r["period_name"] for r in mine],
                "first": mine[0]["name"],
                "last": mine[-1]["name"],
                "rows": rows,
            }
        )
    return groups


def _posix(rel: str) -> str:
    return PurePosixPath(*Path(rel).parts).as_posix()


def _href(target: str, base: str) -> str:
    return quote(posixpath.relpath(target, base or ".") if base else target)


def write_index(out_dir, entries) -> Path:
    """Write ``out_dir/index.html`` (and, for more than ``UNITS_ON_ONE_PAGE`` units, a page per unit) atomically
    and return the path of index.html; :func:`write_site` returns every page.

    Each entry is ``{"run_id", "record", "files": {"html": relpath, "pdf": …, "docx": …, "article": …,
    "ipynb": …, "json": …}}`` (any of them). Per unit (a batch of several units shows each under its name): the
    reports, newest first, with a link to every format each comes in; then per kind of period, every key figure
    with its unit, its latest value, a small trend picture and a table of every period's value, e.g. the row
    "Lượt người dân dự tuyên truyền (lượt người) | 1.302 | 1.236 | 1.417 | 1.402".
    """
    return write_site(out_dir, entries)[0]


def write_site(out_dir, entries) -> list[Path]:
    """Every page of the index (index.html first), written atomically: see :func:`write_index`."""
    from reportkit import vn

    out_dir = Path(out_dir)
    entries = list(entries)
    problems = _check(out_dir, entries)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise IndexPageError(f"cannot write {out_dir / 'index.html'}:\n{lines}")

    names = sorted(dict.fromkeys(nfc(_unit_of(e)) for e in entries), key=vn.sort_key)
    if len(names) <= UNITS_ON_ONE_PAGE:
        reports = [_report(entry) for entry in entries]
        units = [_unit(name, [r for r in reports if r["unit"] == name]) for name in names]
        page = _write_page(out_dir, "index.html", units=units, count=len(reports))
        _remove_stale_pages(out_dir, set())
        return [page]

    pages, listed, taken = [], [], set()
    for name in names:
        mine = [e for e in entries if nfc(_unit_of(e)) == name]
        page = _unit_page(mine, name, taken)
        base = posixpath.dirname(page)
        reports = [_report(entry, base) for entry in mine]
        unit = _unit(name, reports)
        pages.append(_write_page(out_dir, page, units=[unit], count=len(reports),
                                 up=posixpath.relpath("index.html", base or "."), units_count=len(names)))  # fmt: skip
        latest = unit["reports"][0] if unit["reports"] else None
        page_of = latest and latest["files"].get("html")
        listed.append(
            {
                "name": name or "Đơn vị chưa ghi tên",
                "href": quote(page),
                "count_text": f"{vn.number(len(reports))} báo cáo",
                "latest": {"name": latest["period_name"], "href": _href(_posix(page_of), "")}
                if page_of
                else None,
            }
        )
    index = _write_units(out_dir, listed, len(entries))
    _remove_stale_pages(out_dir, taken)
    return [index, *pages]


INDEX_PAGE_MARK = b'<meta name="reportkit-page" content="index">'
"""What every page of the index carries and nothing else reportkit writes: a page is removed as stale only when it
has it (a report, the user's own file, anything a hostile list of pages names, stays)."""


def is_index_page(data: bytes | None) -> bool:
    """Whether a file's bytes are a page of the index (head only: the mark is in the first lines)."""
    return bool(data) and INDEX_PAGE_MARK in data[:4096]


def _remove_stale_pages(out_dir: Path, kept: set[str]) -> None:
    """A unit page of an earlier run whose unit is gone, moved to its own folder or now on index.html itself:
    removed, never left to be found with old figures."""
    for old in out_dir.glob(f"{_PAGE_PREFIX}*.html"):
        if old.name not in kept and old.is_file() and not old.is_symlink():
            with contextlib.suppress(OSError):
                if is_index_page(old.read_bytes()):
                    old.unlink(missing_ok=True)


def _unit_of(entry: Mapping) -> str:
    return (entry["record"].get("document") or {}).get("unit") or ""


def _unit(name: str, reports: list[dict]) -> dict:
    listed = sorted(reports, key=lambda r: (_ends_first(r["period"]), r["run_id"]), reverse=True)
    return {"name": name, "reports": listed, "trends": _trends(reports)}


_PAGE_PREFIX = "don-vi-"


def _unit_page(entries: list[Mapping], name: str, taken: set[str]) -> str:
    """Where a unit's page goes: ``<unit>/index.html`` beside its reports when they all lie in one folder of the
    output folder (a batch's ``<unit>/<period>/``), else ``don-vi-<its name>.html`` at the top ("don-vi-phuong-
    duy-tan.html": the same page whatever the other units, so a shared link stays right)."""
    from reportkit import vn

    tops = {PurePosixPath(*Path(rel).parts).parts[0] for e in entries for rel in e["files"].values()}
    deep = all(len(Path(rel).parts) > 2 for e in entries for rel in e["files"].values())
    if len(tops) == 1 and deep:
        return f"{next(iter(tops))}/index.html"
    stem = vn.slug(name) or "khong-ten"
    page, n = f"{_PAGE_PREFIX}{stem}.html", 1
    while page in taken:  # two names that fold alike ("Hòa", "Hoà")
        n += 1
        page = f"{_PAGE_PREFIX}{stem}-{n}.html"
    taken.add(page)
    return page


def _write_page(out_dir: Path, page: str, *, units: list[dict], count: int, up: str | None = None,
                units_count: int = 0) -> Path:  # fmt: skip
    import reportkit

    names = [u["name"] for u in units if u["name"]]
    title = "Báo cáo định kỳ" + (f" — {names[0]}" if len(names) == 1 else "")
    text = (
        _environment()
        .get_template("index.html.j2")
        .render(
            title=title,
            count=count,
            units=units,
            many_units=len(units) > 1,
            generated_at=clock.shown(),
            version=reportkit.__version__,
            escape=html.escape,
            up=up,
            units_count=units_count,
        )
    )
    return write_atomic(out_dir / page, nfc(text))


def _letter(name: str) -> str:
    """The letter a unit is listed under: the first of its own name ("Phường Hòa Khánh" → "H", "Xã Đông Hà" →
    "Đ", "Phường 3" → "0–9")."""
    text = nfc(name).strip()
    folded = text.lower()
    for word in sorted(_UNIT_WORDS, key=len, reverse=True):
        if folded.startswith(word + " "):
            text = text[len(word) + 1 :].strip()
            break
    if not text:
        return "#"
    first = text[0]
    if first.isdigit():
        return "0–9"
    if first in "đĐ":
        return "Đ"
    return unicodedata.normalize("NFD", first)[0].upper()


def _write_units(out_dir: Path, units: list[dict], count: int) -> Path:
    import reportkit
    from reportkit import vn

    groups: list[dict] = []
    for unit in units:  # already in natural order
        letter = _letter(unit["name"])
        found = next((g for g in groups if g["letter"] == letter), None)
        if found is None:
            found = {"letter": letter, "units": []}
            groups.append(found)
        found["units"].append(unit)
    groups.sort(key=lambda g: (g["letter"] != "0–9", vn.sort_key(g["letter"])))
    text = (
        _environment()
        .get_template("units.html.j2")
        .render(
            title="Báo cáo định kỳ",
            units_text=f"{vn.number(len(units))} đơn vị",
            reports_text=f"{vn.number(count)} báo cáo",
            groups=groups,
            count=count,
            generated_at=clock.shown(),
            version=reportkit.__version__,
        )
    )
    return write_atomic(out_dir / "index.html", nfc(text))
