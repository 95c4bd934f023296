"""A province of wards: its figures per period summed over its wards, who has not reported, who leads and trails.

``load_province(url)`` reads every ward of a province database (reportkit.data.sql, province layout). The
province's sub-units are its wards: ``figures(period).by_unit`` has one row per ward, in natural Vietnamese order,
so the same tables and charts that show a ward's tổ show a province's wards.

>>> prov = load_province("sqlite:///data/province/province.db")   # doctest: +SKIP
>>> f = prov.figures("2022-H1")                                    # doctest: +SKIP
>>> f.tuyen_truyen_luot, str(f.completeness), f.ranking("quy_vnn", 1, by="of_plan").leaders   # doctest: +SKIP
(171131, '117/120', [('Phường Duy Tân', 1.02)])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from reportkit import vn
from reportkit.data.dataset import Completeness, Dataset, Figures, Month, Source, month_label
from reportkit.data.errors import DataError, Problem
from reportkit.data.kinds import UnitCount
from reportkit.data.model import Catalog, Ward
from reportkit.data.sql import WardEntry, in_sentence
from reportkit.vn.names import unit_in_sentence

NOT_SENT, PARTIAL, COMPLETE = "chưa gửi", "thiếu", "đủ"


@dataclass
class ProvinceCompleteness:
    """Which wards have reported the period: ``str()`` is "117/120" (wards whose every tổ sent every month).

    A ward either sent nothing for a month (``not_sent``: the ward is late) or sent it with some tổ missing
    (``partial``: the ward's own completeness says which).
    """

    months: tuple[Month, ...]
    wards: list[str]
    by_ward: dict[str, Completeness]

    def _sent(self, ward: str) -> set[Month]:
        c = self.by_ward[ward]
        return {ym for ym in c.months if sum(1 for u, m in c.missing if m == ym) < len(c.units)}

    @property
    def not_sent(self) -> dict[str, list[Month]]:
        """{ward: the months it sent nothing for}, wards in natural order."""
        out = {}
        for w in self.wards:
            sent = self._sent(w)
            gone = [ym for ym in self.months if ym not in sent]
            if gone:
                out[w] = gone
        return out

    @property
    def partial(self) -> dict[str, Completeness]:
        """{ward: its completeness} for the wards that sent every month of the period, some tổ missing."""
        late = self.not_sent
        return {w: c for w, c in self.by_ward.items() if c.missing and w not in late}

    @property
    def missing(self) -> list[tuple[str, Month]]:
        """(ward, month) for every month a ward sent nothing."""
        return [(w, ym) for w, months in self.not_sent.items() for ym in months]

    @property
    def missing_units(self) -> list[str]:
        """Wards with anything missing (late or partial), in natural order."""
        return [w for w in self.wards if self.by_ward[w].missing]

    @property
    def units_total(self) -> int:
        return len(self.wards)

    @property
    def units_reported(self) -> int:
        return self.units_total - len(self.missing_units)

    @property
    def complete(self) -> bool:
        return not self.missing_units

    @property
    def sub_units_total(self) -> int:
        """Tổ dân phố of all wards."""
        return sum(c.units_total for c in self.by_ward.values())

    @property
    def sub_units_reported(self) -> int:
        """Tổ dân phố that sent every month of the period."""
        return sum(c.units_reported for c in self.by_ward.values())

    def __str__(self) -> str:
        return f"{self.units_reported}/{self.units_total}"

    def to_frame(self) -> pd.DataFrame:
        """Ward × month: "đủ", "thiếu 2 tổ" or "chưa gửi" — for the analyst, not for the report."""
        cols = [f"{m:02d}/{y}" for y, m in self.months]
        data = []
        for w in self.wards:
            c = self.by_ward[w]
            row = []
            for ym in self.months:
                n = sum(1 for _, m in c.missing if m == ym)
                row.append(COMPLETE if n == 0 else NOT_SENT if n == len(c.units) else f"{PARTIAL} {n} tổ")
            data.append(row)
        return pd.DataFrame(data, index=pd.Index(self.wards, name="Phường"), columns=cols)


@dataclass
class Ranking:
    """The leading and trailing wards on one figure: ``leaders`` highest first, ``trailers`` lowest first, each
    ``(ward, value)``; ``left_out`` the wards not ranked because their data for the period are incomplete."""

    indicator: str
    by: str
    leaders: list[tuple[str, object]] = field(default_factory=list)
    trailers: list[tuple[str, object]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def _qualified(ward: str, unit: str) -> str:
    return f"{ward} / {unit}"


class ProvinceFigures:
    """The province's figures for one period: ``f.tuyen_truyen_luot`` is the sum over its wards; ``f.by_unit`` one
    row per ward; ``f.hop_ban_ctmt`` counts the tổ of every ward ("1.350/1.375")."""

    def __init__(self, province: Province, period: vn.Period):
        self._prov = province
        self.period = period
        self._against: list[vn.Period] = []  # for a part: what its wards are whole in besides the period
        self.ward = province.ward
        self.catalog = province.catalog
        self.available = province.covers(period)
        self.wards: dict[str, Figures | None] = {}
        for entry in province.wards:
            ds = province.datasets[entry.code]
            try:
                self.wards[entry.name] = ds.figures(period)
            except ValueError:  # the ward has no month of the period
                self.wards[entry.name] = None
        self.completeness = province.completeness(period)
        names = [e.name for e in province.wards]
        self.by_unit = pd.DataFrame(
            [[None if self.wards[w] is None else self.wards[w].values.get(i) for i in self.catalog.ids]
             for w in names],
            index=pd.Index(names, name="Phường"),
            columns=self.catalog.ids,
            dtype=object,
        )  # fmt: skip
        self.values: dict[str, object] = {}
        for ind in self.catalog:
            per_unit: dict[str, object] = {}
            reported = False
            for entry in province.wards:
                f = self.wards[entry.name]
                if f is None:  # its tổ count as not reported ("not met" in a count of tổ), as within a ward
                    for u in province.datasets[entry.code].ward.units:
                        per_unit[_qualified(entry.name, u)] = None
                    continue
                reported = True
                for u, v in f.by_unit[ind.id].items():
                    per_unit[_qualified(entry.name, u)] = v
            self.values[ind.id] = ind.units_agg(per_unit) if reported else None

    def __getattr__(self, name: str):
        values = self.__dict__.get("values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(f"no indicator {name!r} in the catalog; known: {', '.join(values or ())}")

    def __getitem__(self, ident: str):
        return self.values[ident]

    def __repr__(self) -> str:
        return f"<ProvinceFigures {self.period} ({self.period.name}), {len(self.wards)} phường>"

    unit_noun = "phường"  # what its units are called in a sentence ("tính trên 11 phường …")

    @property
    def units(self) -> tuple[str, ...]:
        """The wards these figures sum (all of the province's, or those of a part: :attr:`like_for_like`)."""
        return tuple(self.wards)

    @property
    def province(self) -> Province:
        """The province (or the part of it, :attr:`like_for_like`) these figures sum."""
        return self._prov

    @property
    def like_for_like(self) -> ProvinceFigures | None:
        """These figures over the wards whose every tổ sent every month of the period and of the same period last
        year — whose comparison with last year (``last_year``) sets like against like. A ward with a month missing
        would otherwise count whole on one side and in part on the other: a drop that is only a late ward. The
        figures themselves when every ward sent everything; None when none did."""
        return self.whole_with(self.period.same_period_last_year())

    def whole_with(self, period) -> ProvinceFigures | None:
        """These figures over the wards with nothing missing in this period and in ``period``."""
        return self._whole_over([vn.Period(period)])

    @property
    def for_plan(self) -> ProvinceFigures | None:
        """These figures over the wards whose every tổ sent every month of this year up to the period's end: the
        year to date they judge against the year's plan (``plan``, ``of_plan``). Last year's gaps do not matter
        here: a ward late in 2021 counts whole in the 2022 plan ratio."""
        p = self.period
        return self._whole_over([vn.Period(f"{p.year}-{m:02d}") for m in range(1, p.start.month)])

    def left_out(self, part: ProvinceFigures | None) -> dict[str, list[Month]]:
        """{ward: the months it did not send whole} for each ward that sent this whole period but is not in ``part``
        (:attr:`like_for_like` or :attr:`for_plan`): left out for a gap in what the period is compared with
        ("phường Xuân Tây": [(2021, 5)]). Wards late in the period itself are in ``completeness``."""
        kept = set(part.wards) if part is not None else set()
        late = set(self.completeness.missing_units)
        against = part._against if part is not None and part is not self else []
        out: dict[str, list[Month]] = {}
        for entry in self._prov.wards:
            if entry.name in kept or entry.name in late:
                continue
            months: set[Month] = set()
            for other in against:
                if self._prov.covers(other):
                    gaps = self._prov.completeness(other).by_ward.get(entry.name)
                    months |= {m for _, m in gaps.missing} if gaps is not None else set()
            out[entry.name] = sorted(months)
        return out

    def _whole_over(self, others: list[vn.Period]) -> ProvinceFigures | None:
        """These figures over the wards with nothing missing in the period and in ``others`` (where the data cover
        them); ``self`` when no ward is left out."""
        missing = set(self.completeness.missing_units)
        for other in others:
            if self._prov.covers(other):
                missing |= set(self._prov.completeness(other).missing_units)
        if not missing:
            return self
        whole = [e.code for e in self._prov.wards if e.name not in missing]
        if not whole:
            return None
        part = self._prov.only(whole).figures(self.period)
        part._against = others
        return part

    @property
    def previous(self) -> ProvinceFigures | None:
        return self._prov._figures_if_covered(self.period.previous())

    @property
    def last_year(self) -> ProvinceFigures | None:
        return self._prov._figures_if_covered(self.period.same_period_last_year())

    def plan(self, ident: str):
        """The wards' plan targets for the year, summed (None when no ward has one)."""
        self.catalog[ident]
        plans = [ds.plans.get(self.period.year, {}).get(ident) for ds in self._prov.datasets.values()]
        plans = [p for p in plans if p is not None]
        return sum(plans) if plans else None

    def of_plan(self, ident: str) -> float | None:
        plan, actual = self.plan(ident), self.values.get(ident)
        if not plan or actual is None:
            return None
        return self.catalog[ident].units_agg.of_plan(actual, plan)

    def as_dict(self) -> dict:
        return {k: v.as_dict() if isinstance(v, UnitCount) else v for k, v in self.values.items()}

    def ranking(self, ident: str, n: int = 3, *, by: str = "value") -> Ranking:
        """The ``n`` leading and ``n`` trailing wards on one figure, among the wards that reported the whole period.

        ``by``: "value" (the figure; for a count of tổ, the share of the ward's tổ), "per_unit" (the figure per
        tổ dân phố) or "of_plan" (January to the end of the period against the year's plan; among the wards whole
        from January, :attr:`for_plan`: a ward short in May ranks low on a year to date that is only short). Ties
        go in natural order of the wards' names; a ward is never both leading and trailing.
        """
        if by not in ("value", "per_unit", "of_plan"):
            raise ValueError(f"ranking(by={by!r}): expected value, per_unit or of_plan")
        self.catalog[ident]
        incomplete = set(self.completeness.missing_units)
        if by == "of_plan":
            whole = self.for_plan
            incomplete |= {e.name for e in self._prov.wards} - set(whole.wards if whole is not None else ())
        scored = []
        for entry in self._prov.wards:
            w, f = entry.name, self.wards[entry.name]
            if w in incomplete or f is None or f.values.get(ident) is None:
                continue
            value = f.values[ident]
            if by == "of_plan":
                value = self._prov.ward_year_to_date_of_plan(entry.code, self.period, ident)
                if value is None:
                    continue
                score = value
            elif isinstance(value, UnitCount):
                score = value.count / value.total if value.total else 0
            else:
                score = value / len(f.ward.units) if by == "per_unit" else value
                value = score if by == "per_unit" else value
            scored.append((score, w, value))
        order = sorted(scored, key=lambda s: (-s[0], vn.sort_key(s[1])))
        leaders = order[:n]
        rest = order[len(leaders) :]
        trailers = sorted(rest, key=lambda s: (s[0], vn.sort_key(s[1])))[:n]
        left_out = [e.name for e in self._prov.wards if e.name in incomplete]
        return Ranking(ident, by, [(w, v) for _, w, v in leaders], [(w, v) for _, w, v in trailers], left_out)


class Province:
    """Every ward of a province database, validated: ``figures(period)`` rolls them up."""

    def __init__(self, ward: Ward, catalog: Catalog, wards: list[tuple[WardEntry, Dataset]], origin: str = "",
                 named_after: str | None = None):  # fmt: skip
        self.ward = ward
        self.named_after = named_after
        self.catalog = catalog
        self.origin = origin
        self.wards: list[WardEntry] = [e for e, _ in wards]
        self.datasets: dict[str, Dataset] = {e.code: ds for e, ds in wards}
        self.sources: list[Source] = [s for _, ds in wards for s in ds.sources]
        months = [m for ds in self.datasets.values() for m in (ds.first_month, ds.last_month) if m]
        self.first_month: Month | None = min(months) if months else None
        self.last_month: Month | None = max(months) if months else None
        self._figures: dict[str, ProvinceFigures] = {}

    def __repr__(self) -> str:
        return f"<Province {self.ward.name}: {len(self.wards)} phường>"

    @property
    def in_sentence(self) -> str:
        """The province's name inside a sentence: "tỉnh Bình Sơn" (named after a place)."""
        return in_sentence(self.ward.name, self.named_after)

    def entry(self, unit: str) -> WardEntry:
        """The ward of code or name ``unit``."""
        for e in self.wards:
            if unit in (e.code, e.name):
                return e
        raise KeyError(
            f"no ward {unit!r} in {self.ward.name}; known: {', '.join(e.code for e in self.wards)}"
        )

    def dataset(self, unit: str) -> Dataset:
        return self.datasets[self.entry(unit).code]

    def only(self, units) -> Province:
        """The province's figures over some of its wards (codes or names), e.g. those that have reported."""
        keep = {self.entry(u).code for u in units}
        if not keep:
            raise ValueError(f"{self.ward.name}: no ward left to sum")
        chosen = [(e, self.datasets[e.code]) for e in self.wards if e.code in keep]
        return Province(self.ward, self.catalog, chosen, self.origin, self.named_after)

    def last_report(self, period) -> tuple[object, str, Month] | None:
        """The latest "Ngày báo cáo" of any ward's tổ in the period: (date, "tổ 3 của Phường Duy Tân", month)."""
        found = []
        for entry in self.wards:
            hit = self.datasets[entry.code].last_report(period)
            if hit is not None:
                found.append((hit[0], f"{unit_in_sentence(hit[1])} của {entry.in_sentence}", hit[2]))
        return max(found, key=lambda hit: hit[0]) if found else None

    def covers(self, period) -> bool:
        p = vn.Period(period)
        return bool(self.first_month) and self.first_month <= p.months[0] and p.months[-1] <= self.last_month

    def shortfall(self, period) -> str | None:
        """Why the data do not cover the period, or None when they do: "dữ liệu của Tỉnh Bình Sơn có từ tháng
        01/2021 đến tháng 06/2023" (a ward's own gaps are its report's, and the roll-up names the late wards)."""
        if self.covers(period):
            return None
        if self.first_month is None:
            return f"{vn.upper_first(self.in_sentence)} chưa có số liệu tháng nào"
        return (f"dữ liệu của {self.in_sentence} có từ tháng {month_label(self.first_month)} đến tháng "
                f"{month_label(self.last_month)}")  # fmt: skip

    def proofread(self) -> list[Problem]:
        """What the proofreader finds in every ward's texts (:meth:`Dataset.proofread`), ward after ward."""
        return [problem for e in self.wards for problem in self.datasets[e.code].proofread()]

    def _figures_if_covered(self, period) -> ProvinceFigures | None:
        return self.figures(period) if self.covers(period) else None

    def figures(self, period) -> ProvinceFigures:
        """The province's figures of one period; ValueError when no ward has data for any of its months."""
        p = vn.Period(period)
        if p.spec not in self._figures:
            if not self.first_month or p.months[-1] < self.first_month or p.months[0] > self.last_month:
                raise ValueError(
                    f"Không có số liệu cho {p.name} ({p.spec}): {self.shortfall(p)} (no data for {p.spec})"
                )
            self._figures[p.spec] = ProvinceFigures(self, p)
        return self._figures[p.spec]

    def completeness(self, period) -> ProvinceCompleteness:
        p = vn.Period(period)
        by_ward = {e.name: self.datasets[e.code].completeness(p) for e in self.wards}
        return ProvinceCompleteness(p.months, [e.name for e in self.wards], by_ward)

    def ward_year_to_date_of_plan(self, unit: str, period, ident: str) -> float | None:
        """One ward's figure from January to the end of ``period`` against its plan for the year, or None."""
        p = vn.Period(period)
        ds = self.dataset(unit)
        plan = ds.plans.get(p.year, {}).get(ident)
        if not plan:
            return None
        # January to the end of the period is itself a period when it ends a quarter: one figure, not months
        whole = {3: "Q1", 6: "H1", 9: "9M", 12: ""}.get(p.end.month)
        specs = (
            [f"{p.year}-{whole}".rstrip("-")]
            if whole is not None
            else [f"{p.year}-{m:02d}" for m in range(1, p.end.month + 1)]
        )
        total = 0
        for spec in specs:
            try:
                value = ds.figures(spec).values.get(ident)
            except ValueError:
                return None
            if value is None:
                return None
            total += value
        return self.catalog[ident].units_agg.of_plan(total, plan)


def load_province(url: str) -> Province:
    """Every ward of a province database (all or nothing: DataError lists every problem of every ward)."""
    from reportkit.data.sql import load_wards

    doc, catalog, wards, shown = load_wards(url)
    if not wards:
        raise DataError([Problem("no_table", shown, "phuong_xa", None, "ma", None, "ít nhất một phường")])
    described = dict(doc)
    described["units"] = [e.name for e, _ in wards]
    described.setdefault("unit_noun", "phường")
    province = Ward.from_mapping(described, f"{shown}#reportkit_meta.province")
    named = doc.get("named_after")
    return Province(province, catalog, wards, shown, str(named) if named else None)
