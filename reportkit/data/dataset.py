"""Dataset, Figures and their companions: the ward's validated months, aggregated per period, with provenance."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import yaml

from reportkit import vn
from reportkit.data import cache, readers
from reportkit.data.errors import DataError, Location, Problem
from reportkit.data.kinds import UnitCount
from reportkit.data.model import Catalog, Ward

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SAMPLE_WARD = PROJECT_ROOT / "data" / "duy-tan"
Month = tuple[int, int]


@dataclass(frozen=True)
class Source:
    """A file (or SQL table) the dataset was read from, with the sha256 of its content."""

    path: str
    sha256: str


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


def _display(path: Path) -> str:
    """Path as reports and errors show it: relative to the working folder or the project, else absolute."""
    path = path.resolve()
    for base in (Path.cwd().resolve(), PROJECT_ROOT):
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            continue
    return path.as_posix()


class Figures:
    """The ward's figures for one period: ``f.tuyen_truyen_luot`` → 1236, ``str(f.hop_ban_ctmt)`` → "10/10"."""

    def __init__(self, dataset: Dataset, period: vn.Period):
        self._ds = dataset
        self.period = period
        self.ward = dataset.ward
        self.catalog = dataset.catalog
        self.available = dataset.covers(period)
        self.completeness = dataset.completeness(period)
        per_unit, values = dataset._compute(period)
        self.values: dict[str, object] = values
        self.by_unit = pd.DataFrame(
            [[per_unit[u].get(i) for i in self.catalog.ids] for u in self.ward.units],
            index=pd.Index(self.ward.units, name="Tổ dân phố"),
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
        return self._ds._figures_if_covered(self.period.previous())

    @property
    def last_year(self) -> Figures | None:
        """The same period last year ("cùng kỳ"), or None when the data do not cover it."""
        return self._ds._figures_if_covered(self.period.same_period_last_year())

    def plan(self, ident: str):
        """The year's plan target for an indicator (ke-hoach.xlsx), or None."""
        self.catalog[ident]
        return self._ds.plans.get(self.period.year, {}).get(ident)

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
    """Validated monthly figures of one ward: ``load()`` builds it, ``figures(period)`` aggregates it."""

    def __init__(self, ward: Ward, catalog: Catalog, rows: list[tuple[readers.Row, str]],
                 plans: dict[int, dict[str, object]], sources: list[Source], origin: str = ""):  # fmt: skip
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

    def __repr__(self) -> str:
        span = ""
        if self.first_month:
            span = f", {self.first_month[1]:02d}/{self.first_month[0]}–{self.last_month[1]:02d}/{self.last_month[0]}"
        return f"<Dataset {self.ward.name}: {len(self.ward.units)} {self.ward.unit_noun}{span}>"

    # ------------------------------------------------------------ periods

    def covers(self, period) -> bool:
        p = vn.Period(period)
        return bool(self.first_month) and self.first_month <= p.months[0] and p.months[-1] <= self.last_month

    def _figures_if_covered(self, period) -> Figures | None:
        return self.figures(period) if self.covers(period) else None

    def figures(self, period) -> Figures:
        """Figures of one period ("2022-H1", a Period …); raises ValueError when the data hold none of it."""
        p = vn.Period(period)
        if p.spec not in self._figures:
            if not self.first_month or p.months[-1] < self.first_month or p.months[0] > self.last_month:
                span = (f"{self.first_month[1]:02d}/{self.first_month[0]}–{self.last_month[1]:02d}/"
                        f"{self.last_month[0]}") if self.first_month else "không có tháng nào"  # fmt: skip
                raise ValueError(
                    f"Không có số liệu cho {p.name} ({p.spec}): dữ liệu của {self.ward.name} có từ {span} "
                    f"(no data for {p.spec})"
                )
            self._figures[p.spec] = Figures(self, p)
        return self._figures[p.spec]

    def _unit_values(self, period: vn.Period, ident: str) -> dict[str, tuple[object, list]]:
        """Per tổ: (aggregated value, [(row, file, value)] in month order) for one indicator."""
        ind = self.catalog[ident]
        out = {}
        for u in self.ward.units:
            found = []
            for ym in period.months:
                hit = self._rows.get((u, ym))
                if hit and hit[0].values.get(ident) is not None:
                    found.append((hit[0], hit[1], hit[0].values[ident]))
            agg = ind.months_agg([v for *_, v in found], len(period.months))
            out[u] = (agg, found)
        return out

    def _compute(self, period: vn.Period):
        per_unit: dict[str, dict[str, object]] = {u: {} for u in self.ward.units}
        values: dict[str, object] = {}
        for ind in self.catalog:
            aggs = {u: agg for u, (agg, _) in self._unit_values(period, ind.id).items()}
            for u, agg in aggs.items():
                per_unit[u][ind.id] = agg
            values[ind.id] = ind.units_agg(aggs)
        return per_unit, values

    def completeness(self, period) -> Completeness:
        """Which tổ has not reported which month of the period (never silently zero)."""
        p = vn.Period(period)
        missing = []
        for u in self.ward.units:
            for ym in p.months:
                hit = self._rows.get((u, ym))
                if not hit or not hit[0].reported:
                    missing.append((u, ym))
        gone = {u for u, _ in missing}
        expected = len(self.ward.units) * len(p.months)
        return Completeness(expected - len(missing), expected, missing, len(self.ward.units) - len(gone),
                            len(self.ward.units), p.months, list(self.ward.units))  # fmt: skip

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

    def frame(self) -> pd.DataFrame:
        """Every reported month as one long table (unit, year, month, indicator ids …, file, sheet, row)."""
        recs = []
        for (u, (y, m)), (row, file) in sorted(
            self._rows.items(), key=lambda kv: (vn.sort_key(kv[0][0]), kv[0][1])
        ):
            recs.append({"unit": u, "year": y, "month": m, **row.values, "report_date": row.report_date,
                         "note": row.note, "file": file, "sheet": row.sheet, "row": row.row})  # fmt: skip
        return pd.DataFrame(recs)

    def to_sql(self, url: str, *, replace: bool = False) -> None:
        """Write the dataset to a database in the layout ``load(url)`` reads (see reportkit.data.sql)."""
        from reportkit.data.sql import write_sql

        write_sql(self, url, replace=replace)


# ---------------------------------------------------------------- loading


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_yaml(path: Path, kind: str) -> dict:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataError(
            [Problem("unreadable_file", _display(path), None, None, None, None, f"tệp {path.name}")]
        ) from None
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
                                                    type(exc).__name__, "tệp .xlsx hoặc .csv đọc được")])  # fmt: skip
    if kind == "plan":
        return readers.read_plan(grids, display, catalog)
    return readers.read_reports(path, grids, display, ward, catalog)


def combine(ward: Ward, catalog: Catalog, results: list[tuple[readers.FileResult, str]], sources: list[Source],
            origin: str) -> Dataset:  # fmt: skip
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
    return Dataset(ward, catalog, rows, plans, sources, origin)


def load_folder(folder: Path, *, use_cache: bool = True) -> Dataset:
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no ward folder {folder} (a folder holding ward.yaml, or a SQLAlchemy URL)")
    ward_path = folder / "ward.yaml"
    ward = Ward.from_mapping(_read_yaml(ward_path, "bad_ward"), _display(ward_path))
    catalog_path = folder / ward.catalog_file
    if not catalog_path.is_file():
        raise DataError([Problem("unreadable_file", _display(catalog_path), None, None, None, None,
                                 "danh mục chỉ tiêu (catalog.yaml)")])  # fmt: skip
    catalog = Catalog.from_yaml(catalog_path)
    files: list[tuple[Path, str]] = []
    if ward.plan_file:
        plan = folder / ward.plan_file
        if plan.is_file():
            files.append((plan, "plan"))
    report_dir = folder / ward.reports
    for p in sorted(report_dir.rglob("*")) if report_dir.is_dir() else []:
        if p.is_file() and p.suffix.lower() in readers.SPREADSHEETS and not p.name.startswith(("~$", ".")):
            files.append((p, "reports"))
    context = [_sha(catalog.text.encode()), "|".join(ward.units), ward.unit_noun]
    sources = [Source(_display(ward_path), _sha(ward_path.read_bytes())),
               Source(_display(catalog_path), _sha(catalog.text.encode()))]  # fmt: skip
    results = []
    for path, kind in files:
        data = path.read_bytes()
        sha = _sha(data)
        display = _display(path)
        sources.append(Source(display, sha))
        k = cache.entry_key(sha, kind, path.name, path.parent.name, *context)
        res = cache.get(k) if use_cache else None
        if res is None:
            res = _parse_file(path, data, display, kind, ward, catalog)
            if use_cache and not res.problems:
                cache.put(k, res)
        results.append((res, display))
    return combine(ward, catalog, results, sources, _display(folder))


def load(source: str | os.PathLike | None = None, *, cache: bool = True) -> Dataset:
    """Load a ward: a folder holding ward.yaml (default: the sample ward), or a SQLAlchemy URL.

    All or nothing: any problem in any file raises DataError listing every problem found.

    >>> ds = load()                                  # doctest: +SKIP
    >>> ds.figures("2022-H1").tuyen_truyen_luot       # doctest: +SKIP
    1236
    """
    if source is None:
        return load_folder(SAMPLE_WARD, use_cache=cache)
    if isinstance(source, str) and "://" in source:
        from reportkit.data.sql import load_sql

        return load_sql(source)
    return load_folder(Path(source), use_cache=cache)
