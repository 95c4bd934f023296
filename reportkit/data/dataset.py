"""Dataset, Figures and their companions: the ward's validated months, aggregated per period, with provenance."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from reportkit import vn
from reportkit.core import redact
from reportkit.core.inputs import month_text, year_in_name
from reportkit.data import cache, readers
from reportkit.data.errors import DataError, Location, Problem
from reportkit.data.kinds import UnitCount
from reportkit.data.model import Catalog, UnsafeYaml, Ward, load_yaml

# The sample project (notebook, params, the sample ward's data): the repository itself in a checkout, its copy
# reportkit/_sample/ in an installed wheel (pyproject.toml maps the one onto the other).
_PACKAGED = Path(__file__).resolve().parents[1] / "_sample"
PROJECT_ROOT = _PACKAGED if (_PACKAGED / "data").is_dir() else Path(__file__).resolve().parents[2]
SAMPLE_WARD = PROJECT_ROOT / "data" / "duy-tan"
Month = tuple[int, int]


@dataclass(frozen=True)
class Source:
    """A file (or SQL table) the dataset was read from, with the sha256 of its content."""

    path: str
    sha256: str


@dataclass(frozen=True)
class Inputs:
    """What a report read from the dataset so far: see :meth:`Dataset.inputs`."""

    months: tuple[Month, ...]  # every month read or looked for (the period, comparisons, year to date)
    years: tuple[int, ...] | None  # the years of those months and of the plans read; None: all of them
    sources: list[Source]  # exactly the files (SQL tables) that held those months and plans
    first_month: Month | None  # the first and last of those months that held data
    last_month: Month | None

    def as_dict(self) -> dict:
        """The record's form: {"data_from": "2021-01", "data_to": "2022-06", "years": [2021, 2022]}."""
        return {
            "data_from": month_text(self.first_month) if self.first_month else None,
            "data_to": month_text(self.last_month) if self.last_month else None,
            "years": None if self.years is None else list(self.years),
        }


@dataclass
class Completeness:
    """Which tổ reported which month of a period; ``str()`` is "9/10" (tổ that reported every month)."""

    reported: int
    expected: int
    missing: list[tuple[str, Month]]
    units_reported: int
    units_total: int
    months: tuple[Month, ...] = ()
    units: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.units_reported}/{self.units_total}"

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def missing_units(self) -> list[str]:
        """Tổ with at least one month missing, in natural order, e.g. ["Tổ 9"]."""
        seen = dict.fromkeys(u for u, _ in self.missing)
        return [u for u in self.units if u in seen]

    def to_frame(self) -> pd.DataFrame:
        """Tổ × month table for the analyst: "có" where the month was reported, "thiếu" where not."""
        gone = set(self.missing)
        cols = [f"{m:02d}/{y}" for y, m in self.months]
        data = [["thiếu" if (u, ym) in gone else "có" for ym in self.months] for u in self.units]
        return pd.DataFrame(data, index=pd.Index(self.units, name="Tổ dân phố"), columns=cols)


@dataclass(frozen=True)
class BlankCell:
    """An indicator's cell left blank in a month its tổ reported: "not reported", never 0, so the period's figure
    for that indicator leaves it out — the report and ``reportkit check`` say which."""

    unit: str
    month: Month
    indicator: str
    file: str
    sheet: str | None
    cell: str

    @property
    def where(self) -> str:
        """ "trang Số liệu, ô I12": the cell in its file."""
        return f"trang {self.sheet}, ô {self.cell}" if self.sheet else f"ô {self.cell}"


def _display(path: Path) -> str:
    """Path as reports and errors show it: relative to the project the file belongs to ("data/duy-tan/ward.yaml"),
    else to the working folder, else absolute (a ward folder outside any project, read from a script)."""
    project = redact.project_of(path)
    if project is not None:
        return redact.shown_path(Path(path).resolve(), project)
    return redact.terminal_path(path)


def _shown(path: Path) -> str:
    """A file of the ward as the ward has it: a symbolic link by its own name, never by where it points."""
    parent = _display(path.parent)
    return path.name if parent == "." else f"{parent}/{path.name}"


def _home(folder: Path) -> Path:
    """Where every file a ward reads must lie once links are followed: its project, else its own folder (a ward
    read from a script outside any project)."""
    return Path(os.path.realpath(redact.project_of(folder) or folder))


def _outside(path: Path, home: Path) -> bool:
    real = Path(os.path.realpath(path))
    return real != home and home not in real.parents


def _linked_out(path: Path) -> Problem:
    # Never the target: a shared file, the terminal or a cached failure would carry the machine's folders.
    return Problem("linked_file", _shown(path), None, None, None, None,
                   "chép tệp vào đây thay cho liên kết (reportkit chỉ đọc số liệu nằm trong dự án)")  # fmt: skip


class Figures:
    """The ward's figures for one period: ``f.tuyen_truyen_luot`` → 1236, ``str(f.hop_ban_ctmt)`` → "10/10"."""

    unit_noun = "tổ"  # what its units are called in a sentence ("tính trên 09 tổ …")

    def __init__(self, dataset: Dataset, period: vn.Period, units: tuple[str, ...] | None = None):
        self._ds = dataset
        self.period = period
        self.ward = dataset.ward
        self.catalog = dataset.catalog
        self.units = tuple(dataset.ward.units) if units is None else tuple(units)  # the tổ these figures sum
        self.available = dataset.covers(period)
        self.completeness = dataset.completeness(period, self.units)
        per_unit, values = dataset._compute(period, self.units)
        self.values: dict[str, object] = values
        self.by_unit = pd.DataFrame(
            [[per_unit[u].get(i) for i in self.catalog.ids] for u in self.units],
            index=pd.Index(self.units, name="Tổ dân phố"),
            columns=self.catalog.ids,
            dtype=object,
        )

    def __getattr__(self, name: str):
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(f"no indicator {name!r} in the catalog; known: {', '.join(values or ())}")

    def __getitem__(self, ident: str):
        return self.values[ident]

    def __dir__(self):
        return [*super().__dir__(), *self.values]

    def __repr__(self) -> str:
        return f"<Figures {self.period} ({self.period.name}), {len(self.values)} chỉ tiêu>"

    @property
    def previous(self) -> Figures | None:
        """The period just before (2022-H1 → 2021-H2), or None when the data do not cover it."""
        return self._ds._figures_if_covered(self.period.previous(), self.units)

    @property
    def last_year(self) -> Figures | None:
        """The same period last year ("cùng kỳ"), over the same tổ, or None when the data do not cover it."""
        return self._ds._figures_if_covered(self.period.same_period_last_year(), self.units)

    @property
    def like_for_like(self) -> Figures | None:
        """These figures over the tổ that reported every month of the period and of the same period last year —
        what a change against last year compares (``compare_same_period``, ``last_year_change``): a tổ with June
        missing counts whole last year and in part now, a fall that is only a late tổ. The figures themselves
        when no tổ is missing (or there is no last year); None when every tổ is."""
        return self.whole_with(self.period.same_period_last_year())

    def whole_with(self, period) -> Figures | None:
        """These figures over the tổ that reported every month of this period and of ``period`` (what a comparison
        with ``period`` sets against them): :attr:`like_for_like` for last year, the previous period for
        ``compare_previous``."""
        other = vn.Period(period)
        if not self._ds.covers(other):
            return self
        gaps = set(self.completeness.missing_units) | set(
            self._ds.completeness(other, self.units).missing_units
        )
        if not gaps:
            return self
        kept = tuple(u for u in self.units if u not in gaps)
        return self._ds._part(self.period, kept) if kept else None

    @property
    def inputs(self) -> Inputs:
        """What the dataset has been asked so far (this period, its comparisons …): :meth:`Dataset.inputs`."""
        return self._ds.inputs()

    def plan(self, ident: str):
        """The year's plan target for an indicator (ke-hoach.xlsx), or None."""
        self.catalog[ident]
        return self._ds._plan(self.period.year).get(ident)

    def of_plan(self, ident: str) -> float | None:
        """actual / the year's plan (1.02 for "đạt 102% kế hoạch"), or None without a plan or a value."""
        plan, actual = self.plan(ident), self.values.get(ident)
        if not plan or actual is None:
            return None
        return self.catalog[ident].units_agg.of_plan(actual, plan)

    def as_dict(self) -> dict:
        """{id: plain JSON value}; a UnitCount becomes {"count", "total", "units"}."""
        return {k: v.as_dict() if isinstance(v, UnitCount) else v for k, v in self.values.items()}


class Dataset:
    """Validated monthly figures of one ward: ``load()`` builds it, ``figures(period)`` aggregates it.

    It remembers every month and plan year it was asked about (:meth:`inputs`), so a report can name exactly the
    files behind its figures and the batch can tell which changes concern which report.
    """

    def __init__(self, ward: Ward, catalog: Catalog, rows: list[tuple[readers.Row, str]],
                 plans: dict[int, dict[str, object]], sources: list[Source], origin: str = "", *,
                 plan_files: dict[int, str] | None = None, context: tuple[str, ...] = (),
                 source_of: dict[str, str] | None = None, plan_source_of: dict[str, str] | None = None):  # fmt: skip
        self.ward = ward
        self.catalog = catalog
        self.sources = sources
        self.plans = plans
        self.origin = origin
        self._rows: dict[tuple[str, Month], tuple[readers.Row, str]] = {}
        for row, file in rows:
            self._rows[(row.unit, (row.year, row.month))] = (row, file)
        months = sorted({ym for (_, ym), (r, _) in self._rows.items() if r.reported})
        self.first_month: Month | None = months[0] if months else None
        self.last_month: Month | None = months[-1] if months else None
        self._figures: dict[str, Figures] = {}
        # Provenance: which source holds each month's rows and each year's plan, and what has been read.
        source_of = source_of or {}
        self._month_sources: dict[Month, set[str]] = {}
        for (_, ym), (r, file) in self._rows.items():
            if r.reported:
                self._month_sources.setdefault(ym, set()).add(source_of.get(file, file))
        plan_source_of = plan_source_of or {}
        self._plan_sources = {y: plan_source_of.get(f, f) for y, f in (plan_files or {}).items()}
        self._context = context
        self._read_months: set[Month] = set()
        self._read_plans: set[int] = set()
        self._read_all = False

    def __repr__(self) -> str:
        span = ""
        if self.first_month:
            span = f", {self.first_month[1]:02d}/{self.first_month[0]}–{self.last_month[1]:02d}/{self.last_month[0]}"
        return f"<Dataset {self.ward.name}: {len(self.ward.units)} {self.ward.unit_noun}{span}>"

    # ------------------------------------------------------------ periods

    def _read(self, period: vn.Period) -> None:
        self._read_months.update(period.months)

    def covers(self, period) -> bool:
        """Whether every month of the period holds a report of at least one tổ.

        The answer depends on the period's own months only (not on data before or after it), so a report's
        inputs are the months it read: a workbook added for another year never changes it.
        """
        p = vn.Period(period)
        self._read(p)
        return all(ym in self._month_sources for ym in p.months)

    def shortfall(self, period) -> str | None:
        """Why the data do not cover the period, naming the months no tổ reported; None when they cover it.

        "dữ liệu của Phường Xuân Tây có từ tháng 01/2021 đến tháng 06/2023 nhưng thiếu tháng 05/2021" — a ward
        that skipped a month is not described by its first and last months alone.
        """
        p = vn.Period(period)
        self._read(p)
        missing = [ym for ym in p.months if ym not in self._month_sources]
        if not missing:
            return None
        if self.first_month is None:
            return f"{vn.upper_first(self.ward.in_text)} chưa có số liệu tháng nào"
        held = (f"dữ liệu của {self.ward.in_text} có từ tháng {month_label(self.first_month)} đến tháng "
                f"{month_label(self.last_month)}")  # fmt: skip
        inside = [ym for ym in missing if self.first_month < ym < self.last_month]
        if not inside:
            return held
        months = ", ".join(month_label(ym) for ym in inside)
        return f"{held} nhưng thiếu {'các tháng' if len(inside) > 1 else 'tháng'} {months}"

    def _figures_if_covered(self, period, units: tuple[str, ...] | None = None) -> Figures | None:
        if not self.covers(period):
            return None
        return self.figures(period) if units is None else self._part(vn.Period(period), units)

    def _part(self, period: vn.Period, units: tuple[str, ...]) -> Figures:
        """The figures of a period over some of the tổ (every tổ: :meth:`figures`)."""
        if tuple(units) == tuple(self.ward.units):
            return self.figures(period)
        self._read(period)
        key = f"{period.spec}|{'|'.join(units)}"
        if key not in self._figures:
            self._figures[key] = Figures(self, period, tuple(units))
        return self._figures[key]

    def _plan(self, year: int) -> dict[str, object]:
        self._read_plans.add(year)
        return self.plans.get(year, {})

    def inputs(self) -> Inputs:
        """What has been read so far: every month asked about (the figures of a period, its comparisons, the
        months of a year-to-date total, a completeness check), every plan year looked up, and exactly the
        sources that held them (plus ward.yaml and catalog.yaml, which shape every figure).

        >>> ds = load(); f = ds.figures("2022-H1"); _ = f.last_year   # doctest: +SKIP
        >>> [s.path for s in ds.inputs().sources][-1]                 # doctest: +SKIP
        'data/duy-tan/bao-cao/2022/to-10-2022.xlsx'
        """
        months = tuple(sorted(self._read_months))
        held = [ym for ym in months if ym in self._month_sources]
        if self._read_all:
            years = None
            used = {p for files in self._month_sources.values() for p in files} | set(
                self._plan_sources.values()
            )
        else:
            years = tuple(sorted({y for y, _ in months} | self._read_plans))
            used = {p for ym in held for p in self._month_sources[ym]}
            used |= {self._plan_sources[y] for y in self._read_plans if y in self._plan_sources}
        used |= set(self._context)
        return Inputs(
            months=months,
            years=years,
            sources=[s for s in self.sources if s.path in used],
            first_month=held[0] if held else None,
            last_month=held[-1] if held else None,
        )

    def figures(self, period) -> Figures:
        """Figures of one period ("2022-H1", a Period …); raises ValueError when no month of it holds data."""
        p = vn.Period(period)
        self._read(p)
        if p.spec not in self._figures:
            if not any(ym in self._month_sources for ym in p.months):
                raise ValueError(
                    f"Không có số liệu cho {p.name} ({p.spec}): {self.shortfall(p)} (no data for {p.spec})"
                )
            self._figures[p.spec] = Figures(self, p)
        return self._figures[p.spec]

    def _unit_values(self, period: vn.Period, ident: str, units=None) -> dict[str, tuple[object, list]]:
        """Per tổ: (aggregated value, [(row, file, value)] in month order) for one indicator."""
        ind = self.catalog[ident]
        out = {}
        for u in self.ward.units if units is None else units:
            found = []
            for ym in period.months:
                hit = self._rows.get((u, ym))
                if hit and hit[0].values.get(ident) is not None:
                    found.append((hit[0], hit[1], hit[0].values[ident]))
            agg = ind.months_agg([v for *_, v in found], len(period.months))
            out[u] = (agg, found)
        return out

    def _compute(self, period: vn.Period, units=None):
        units = self.ward.units if units is None else units
        per_unit: dict[str, dict[str, object]] = {u: {} for u in units}
        values: dict[str, object] = {}
        for ind in self.catalog:
            aggs = {u: agg for u, (agg, _) in self._unit_values(period, ind.id, units).items()}
            for u, agg in aggs.items():
                per_unit[u][ind.id] = agg
            values[ind.id] = ind.units_agg(aggs)
        return per_unit, values

    def blank_cells(self, period) -> list[BlankCell]:
        """The indicator cells left blank in the months of the period a tổ reported (a workbook's cell: a
        database's empty value has no cell to name), in tổ and month order."""
        p = vn.Period(period)
        self._read(p)
        found = []
        for unit in self.ward.units:
            for ym in p.months:
                hit = self._rows.get((unit, ym))
                if not hit or not hit[0].reported:
                    continue
                row, file = hit
                for ident in self.catalog.ids:
                    if row.values.get(ident) is None and row.cells.get(ident):
                        found.append(BlankCell(unit, ym, ident, file, row.sheet, row.cells[ident]))
        return found

    def last_report(self, period) -> tuple[object, str, Month] | None:
        """The latest "Ngày báo cáo" among the tổ's reports of the period: (date, tổ, month), or None when no row
        gives a date. A report signed before it states figures that did not exist yet on its date."""
        p = vn.Period(period)
        found = [
            (row.report_date, unit, ym)
            for (unit, ym), (row, _) in self._rows.items()
            if ym in p.months and row.reported and row.report_date is not None
        ]
        return max(found, key=lambda hit: (hit[0], vn.sort_key(hit[1]))) if found else None

    def completeness(self, period, units=None) -> Completeness:
        """Which tổ (of ``units``, default every tổ) has not reported which month of the period (never silently
        zero)."""
        p = vn.Period(period)
        self._read(p)
        units = list(self.ward.units if units is None else units)
        missing = []
        for u in units:
            for ym in p.months:
                hit = self._rows.get((u, ym))
                if not hit or not hit[0].reported:
                    missing.append((u, ym))
        gone = {u for u, _ in missing}
        expected = len(units) * len(p.months)
        return Completeness(expected - len(missing), expected, missing, len(units) - len(gone), len(units),
                            p.months, units)  # fmt: skip

    def explain(self, ident: str, period) -> pd.DataFrame:
        """The source rows behind one figure; ``.attrs["total"]`` is the figure.

        For a sum the values add up to it; for a "number of tổ" figure, the rows that make each counted tổ count.
        """
        p = vn.Period(period)
        ind = self.catalog[ident]
        total = self.figures(p).values[ident]
        recs = []
        for u, (agg, found) in self._unit_values(p, ident).items():
            for row, file, value in ind.units_agg.evidence(agg, found, ind.months_agg):
                recs.append({"file": file, "sheet": row.sheet, "row": row.row, "cell": row.cells.get(ident),
                             "unit": u, "month": f"{row.year}-{row.month:02d}", "value": value,
                             "raw": row.raw.get(ident)})  # fmt: skip
        cols = ["file", "sheet", "row", "cell", "unit", "month", "value", "raw"]
        df = pd.DataFrame(recs, columns=cols)
        df.attrs.update(total=total, indicator=ident, period=p.spec, label=ind.label)
        return df

    def proofread(self) -> list[Problem]:
        """What the proofreader (``vn.check``) finds in the texts of the data that reports print or people read:
        ward.yaml's names, bodies, signer and recipients, and the tổ's notes ("Ghi chú"), each located to its key or
        cell, e.g. ``to-03-2022.xlsx, trang Số liệu, dòng 9, ô L9 (Ghi chú): 'Mt trn': chữ cần xem lại; cần
        “Mặt trận” (âm tiết bị mất chữ)``. Not errors: the data load as they are."""
        return [problem for _, problem in self._proofreading()]

    def _proofreading(self):
        """(vn.proof.Note, Problem) for every finding in the data's texts, in file and row order."""
        from reportkit.vn.proof import notes

        def located(note, file, sheet=None, row=None, column=None, cell=None):
            expected = f"“{note.suggestion}” ({note.label})" if note.suggestion else note.label
            return note, Problem("proofreading", file, sheet, row, column, note.found, expected, cell=cell)

        for key, text in self.ward.texts():
            # Names ("Phường Hưng Lợi", the signer's, "PHƯỜNG HƯNG LỢI"): a real syllable there is the name's own.
            name = key.split("[", 1)[0] in _NAME_KEYS or key.startswith("signer.")
            for note in notes(text, names=name):
                yield located(note, self.ward.file, column=key)
        for (_, _), (row, file) in sorted(self._rows.items(), key=lambda kv: (kv[1][1], kv[1][0].row)):
            if row.note:
                for note in notes(row.note):
                    yield located(note, file, row.sheet, row.row, "Ghi chú", row.note_cell)

    def show_proofreading(self) -> None:
        """In a notebook kernel, the note under the cell that loaded the data: what the proofreader found in its
        texts, each with its file and cell ("“Mt trn” → “Mặt trận” (âm tiết bị mất chữ) — to-03-2022.xlsx, trang Số
        liệu, dòng 9, ô L9 (Ghi chú)"); the batch lists them in its summary. Nothing outside a kernel or when the
        texts are clean."""
        import sys

        ipython = sys.modules.get("IPython")
        shell = ipython.get_ipython() if ipython is not None else None
        if shell is None or getattr(shell, "kernel", None) is None:
            return
        found = list(self._proofreading())
        if not found:
            return
        from IPython.display import display

        from reportkit.core.notes import Item, Proofreading
        from reportkit.vn.proof import KINDS

        kind_of = {label: kind for kind, label in KINDS.items()}
        items = [Item(note.found, note.suggestion, note.label, problem.where) for note, problem in found]
        findings = [
            {"kind": kind_of.get(note.label, note.label), "found": note.found,
             "suggestions": [note.suggestion] if note.suggestion else [], "message": str(item)}
            for (note, _), item in zip(found, items, strict=True)
        ]  # fmt: skip
        display(Proofreading(items, subject="trong dữ liệu", findings=findings))

    def frame(self) -> pd.DataFrame:
        """Every reported month as one long table (unit, year, month, indicator ids …, file, sheet, row)."""
        self._read_all = True
        recs = []
        for (u, (y, m)), (row, file) in sorted(
            self._rows.items(), key=lambda kv: (vn.sort_key(kv[0][0]), kv[0][1])
        ):
            recs.append({"unit": u, "year": y, "month": m, **row.values, "report_date": row.report_date,
                         "note": row.note, "file": file, "sheet": row.sheet, "row": row.row})  # fmt: skip
        return pd.DataFrame(recs)

    def to_sql(self, url: str, *, replace: bool = False, unit: str | None = None) -> None:
        """Write the dataset to a database in the layout ``load(url)`` reads (see reportkit.data.sql); with
        ``unit``, as that ward of a province database (``load(url, unit=…)`` reads it back)."""
        from reportkit.data.sql import write_sql

        self._read_all = True
        write_sql(self, url, replace=replace, unit=unit)


# ---------------------------------------------------------------- loading


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_yaml(path: Path, kind: str) -> dict:
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(
            [Problem("unreadable_file", _display(path), None, None, None, None, f"tệp {path.name}")]
        ) from None
    except UnsafeYaml as exc:
        raise DataError(exc.problems(kind, _display(path))) from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataError(
            [Problem(kind, _display(path), None, None, None, str(exc), "YAML hợp lệ, UTF-8")]
        ) from None
    if not isinstance(doc, dict):
        raise DataError([Problem(kind, _display(path), None, None, None, doc, "một bảng khóa: giá trị")])
    return doc


def _parse_file(path: Path, data: bytes, display: str, kind: str, ward: Ward, catalog: Catalog):
    try:
        grids = readers.grids_of(path.suffix, data)
    except readers.Unreadable as err:
        return readers.FileResult(problems=[replace(p, file=display) for p in err.problems])
    except Exception as exc:  # openpyxl raises many types on a damaged file
        return readers.FileResult(problems=[Problem("unreadable_file", display, None, None, None,
                                                    type(exc).__name__, "tệp .xlsx hoặc .csv đọc được (tệp này hỏng hoặc không phải "
                                                    "sổ làm việc Excel: mở bằng Excel và lưu lại dạng .xlsx, hoặc xin tổ gửi lại)")])  # fmt: skip
    if kind == "plan":
        return readers.read_plan(grids, display, catalog)
    return readers.read_reports(path, grids, display, ward, catalog)


def combine(ward: Ward, catalog: Catalog, results: list[tuple[readers.FileResult, str]], sources: list[Source],
            origin: str, **where) -> Dataset:  # fmt: skip
    """Cross-file checks (the same tổ and month twice, plan years twice), then the Dataset — or DataError."""
    problems: list[Problem] = []
    rows: list[tuple[readers.Row, str]] = []
    plans: dict[int, dict[str, object]] = {}
    plan_at: dict[int, Location] = {}
    seen: dict[tuple[str, Month], Location] = {}
    for res, file in results:
        problems.extend(res.problems)
        for r in res.rows:
            if not r.reported:  # an empty month row (a template's future months) is not a report
                continue
            k = (r.unit, (r.year, r.month))
            here = Location(file, r.sheet, r.row)
            if k in seen:
                problems.append(Problem("duplicate", file, r.sheet, r.row, "Tháng", f"{r.unit}, {r.month:02d}/{r.year}",
                                        "mỗi tổ mỗi tháng một dòng", seen[k], r.month_cell))  # fmt: skip
                continue
            seen[k] = here
            rows.append((r, file))
        for pr in res.plans:
            if pr.year in plan_at and plan_at[pr.year].file != file:
                problems.append(Problem("duplicate_plan", file, pr.sheet, pr.row, "Năm", pr.year,
                                        "mỗi năm một dòng", plan_at[pr.year]))  # fmt: skip
                continue
            plan_at[pr.year] = Location(file, pr.sheet, pr.row)
            plans[pr.year] = pr.values
    if problems:
        raise DataError(problems)
    plan_files = {year: at.file for year, at in plan_at.items()}
    return Dataset(ward, catalog, rows, plans, sources, origin, plan_files=plan_files, **where)


def _check_name_year(res: readers.FileResult, rel: Path, display: str) -> readers.FileResult:
    """A workbook whose name names a year holds that year's months only: the batch tells from names alone which
    files a report depends on (reportkit.core.inputs), so a file named 2020 holding 2021 rows is a problem."""
    year = year_in_name(rel)
    wrong = next((r for r in res.rows if r.reported and year is not None and r.year != year), None)
    if wrong is None:
        return res
    problem = Problem("year_not_in_name", display, wrong.sheet, wrong.row, "Tháng", f"{wrong.month:02d}/{wrong.year}",
                      f"tháng của năm {year} (năm ở tên tệp {rel.as_posix()}); đổi tên tệp hoặc sửa năm",
                      cell=wrong.month_cell)  # fmt: skip
    return readers.FileResult(rows=res.rows, plans=res.plans, problems=[*res.problems, problem])


def load_folder(folder: Path, *, use_cache: bool = True) -> Dataset:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no ward folder {folder} (a folder holding ward.yaml, or a SQLAlchemy URL)")
    # Every file read is inside the project once links are followed, like the data folder itself (batch.params):
    # a link out of it would be read, and its machine path shown in the shared report.
    home = _home(folder)
    ward_path = folder / "ward.yaml"
    if _outside(ward_path, home):
        raise DataError([_linked_out(ward_path)])
    ward = Ward.from_mapping(_read_yaml(ward_path, "bad_ward"), _shown(ward_path))
    catalog_path = folder / ward.catalog_file
    if _outside(catalog_path, home):
        raise DataError([_linked_out(catalog_path)])
    if not catalog_path.is_file():
        raise DataError([Problem("unreadable_file", _display(catalog_path), None, None, None, None,
                                 "danh mục chỉ tiêu (catalog.yaml)")])  # fmt: skip
    catalog = Catalog.from_yaml(catalog_path)
    files: list[tuple[Path, str]] = []
    refused = []
    if ward.plan_file:
        plan = folder / ward.plan_file
        if _outside(plan, home):
            refused.append(_linked_out(plan))
        elif plan.is_file():
            files.append((plan, "plan"))
    report_dir = folder / ward.reports
    for p in sorted(report_dir.rglob("*")) if report_dir.is_dir() else []:
        if not all(readers.is_data(part) for part in p.relative_to(report_dir).parts):
            continue  # hidden, a lock file, Windows' own: what the batch does not watch either (batch.store)
        shown = _shown(p)
        if (
            p.is_symlink() and p.is_dir()
        ):  # rglob does not go into it: its tổ would silently count as not reported
            refused.append(Problem("linked_folder", shown, None, None, None, None,
                                   "chép các tệp vào thư mục này (reportkit không đọc thư mục liên kết)"))  # fmt: skip
        elif p.is_dir():
            continue
        elif _outside(p, home):
            refused.append(_linked_out(p))
        elif (todo := readers.unsupported(p.name, ward.reports)) is not None:
            # Every file here is read or named: skipped, its tổ would count as not reported (9/10, exit 0).
            refused.append(Problem("unsupported_format", shown, None, None, None, p.suffix or None, todo))
        elif p.is_file():
            files.append((p, "reports"))
        else:  # a link to no file, a pipe: skipped, its tổ would count as not reported
            what = "liên kết (symlink) tới tệp không có" if p.is_symlink() else "không phải tệp thường"
            refused.append(Problem("unreadable_file", shown, None, None, None, what, "tệp .xlsx hoặc .csv"))
    context = [_sha(catalog.text.encode()), "|".join(ward.units), ward.unit_noun]
    sources = [Source(_shown(ward_path), _sha(ward_path.read_bytes())),
               Source(_shown(catalog_path), _sha(catalog.text.encode()))]  # fmt: skip
    results = [(readers.FileResult(problems=refused), "")]  # named with every other problem, all at once
    for path, kind in files:
        data = path.read_bytes()
        sha = _sha(data)
        display = _shown(path)
        sources.append(Source(display, sha))
        k = cache.entry_key(sha, kind, path.name, path.parent.name, *context)
        res = cache.get(k) if use_cache else None
        if res is None:
            res = _parse_file(path, data, display, kind, ward, catalog)
            if use_cache and not res.problems:
                cache.put(k, res)
        if kind == "reports":
            res = _check_name_year(res, path.relative_to(folder), display)
        results.append((res, display))
    shaping = (sources[0].path, sources[1].path)  # ward.yaml and catalog.yaml shape every figure
    return combine(ward, catalog, results, sources, _display(folder), context=shaping)


def load(source: str | os.PathLike | None = None, *, cache: bool = True, unit: str | None = None) -> Dataset:
    """Load a ward: a folder holding ward.yaml (default: the sample ward Phường Duy Tân, shipped with reportkit),
    or a SQLAlchemy URL.

    A province database holds many wards: ``unit="duy-tan"`` (or ``…?unit=duy-tan`` in the URL) chooses one;
    without it the error lists them. All or nothing: any problem in any file raises DataError listing every
    problem found.

    >>> ds = load()                                  # doctest: +SKIP
    >>> ds.figures("2022-H1").tuyen_truyen_luot       # doctest: +SKIP
    1236
    """
    if isinstance(source, str) and "://" in source:
        from reportkit.data.sql import load_sql

        dataset = load_sql(source, unit=unit)
    elif unit is not None:
        raise ValueError(
            f"unit={unit!r} chooses a ward of a province database (a SQLAlchemy URL); a folder is one ward"
        )
    else:
        dataset = load_folder(SAMPLE_WARD if source is None else Path(source), use_cache=cache)
    dataset.show_proofreading()  # in JupyterLab: damaged text in the data, under the cell that loaded it
    return dataset


_NAME_KEYS = frozenset({"name", "short_name", "place", "parent_body", "units", "issuing_body"})


def month_label(month: Month) -> str:
    """(2021, 5) → "05/2021", as the ward's monthly reports are dated."""
    return f"{month[1]:02d}/{month[0]}"
