"""Indicator kinds and aggregations (reportkit.data.kinds): the catalog's rules, and a new kind added as one class."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

import reportkit
from reportkit.data import DataError, UnitCount, kinds
from reportkit.data.model import Catalog
from reportkit.data.template import write_template
from reportkit.data.values import CellError

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "duy-tan"
SHEET = "Số liệu"


@pytest.fixture
def registry():
    """The registries as they are now; whatever a test registers is gone after it."""
    saved = [(r, dict(r)) for r in (kinds.KINDS, kinds.OVER_MONTHS, kinds.OVER_UNITS)]
    yield kinds
    for r, before in saved:
        r.clear()
        r.update(before)


def catalog_problems(text: str) -> list[tuple]:
    with pytest.raises(DataError) as info:
        Catalog.from_text(text)
    return [(p.kind, p.column, p.value, p.expected) for p in info.value.problems]


# ------------------------------------------------------------ the catalog's rules, located and in Vietnamese


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("kind: money", [("x.kind", "money", "một trong: count, amount, yesno, text")]),
        ("kind: [count]", [("x.kind", ["count"], "một trong: count, amount, yesno, text")]),
        ("over_months: avg", [("x.over_months", "avg", "một trong: sum, last, every, any, max")]),
        ("kind: yesno, over_units: sum", [("x.over_units", "sum", "count cho chỉ tiêu có/không")]),
        ("kind: yesno, over_months: sum", [("x.over_months", "sum", "last, every hoặc any cho chỉ tiêu có/không")]),
        ("kind: yesno, over_months: max, over_units: sum",
         [("x.over_months", "max", "last, every hoặc any cho chỉ tiêu có/không"),
          ("x.over_units", "sum", "count cho chỉ tiêu có/không")]),
        ("kind: count, over_months: every", [("x.over_months", "every", "sum, last hoặc max")]),
        ("kind: amount, over_months: any, over_units: sum", [("x.over_months", "any", "sum, last hoặc max")]),
        # text has nothing to add: a sum of words used to fail later, when the figures were computed
        ("kind: text, over_months: sum",
         [("x.over_months", "sum", "last, every, any hoặc max cho chỉ tiêu chữ")]),
        ("kind: text, over_units: sum", [("x.over_units", "sum", "count cho chỉ tiêu chữ")]),
    ],
)  # fmt: skip
def test_a_kind_refuses_what_it_cannot_aggregate_with_a_located_problem(entry, expected):
    text = f"indicators:\n  - {{id: x, label: X, {entry}}}\n"
    assert catalog_problems(text) == [("bad_catalog", *e) for e in expected]


@pytest.mark.parametrize(
    ("kind", "over_months", "over_units", "minimum"),
    [("count", "sum", "sum", 0), ("amount", "sum", "sum", 0), ("yesno", "last", "count", None),
     ("text", "last", "count", None)],
)  # fmt: skip
def test_each_kind_has_its_defaults(kind, over_months, over_units, minimum):
    ind = Catalog.from_text(f"indicators: [{{id: x, label: X, kind: {kind}}}]")["x"]
    assert (ind.over_months, ind.over_units, ind.min) == (over_months, over_units, minimum)
    assert (ind.type.name, ind.months_agg.name, ind.units_agg.name) == (kind, over_months, over_units)


def test_what_a_kind_reads_and_refuses():
    count, amount, yesno, text = (kinds.KINDS[k] for k in ("count", "amount", "yesno", "text"))
    assert [count.read(c) for c in ("1.200", "-", None, " ")] == [1200, 0, None, None]
    assert amount.read("2,5", amount.scale("Quỹ vận động được (triệu đồng)")) == 2_500_000
    assert [yesno.read(c) for c in ("Có", "x", "-", "Không", None)] == [True, True, False, False, None]
    assert text.read("  Ra mắt mô hình  ") == "Ra mắt mô hình" and text.read("") is None
    for kind, cell, problem in ((count, 1.2, "not_integer"), (amount, 4.3, "not_integer"),
                                (count, "mười", "non_numeric"), (yesno, "có lẽ", "bad_yes_no")):  # fmt: skip
        with pytest.raises(CellError) as info:
            kind.read(cell)
        assert info.value.kind == problem


def test_aggregations_never_turn_a_missing_month_into_a_value():
    every, last, any_ = (kinds.OVER_MONTHS[n] for n in ("every", "last", "any"))
    assert every([True, True, None], 3) is False  # a month not reported cannot count as met
    assert every([True, True, True], 3) is True
    assert last([True, False, None], 3) is False and any_([False, None, True], 3) is True
    assert all(agg([None, None], 2) is None for agg in kinds.OVER_MONTHS.values())  # blank is never 0
    assert kinds.OVER_UNITS["sum"]({"Tổ 1": None, "Tổ 2": None}) is None
    assert kinds.OVER_UNITS["count"]({"Tổ 1": True, "Tổ 2": None, "Tổ 3": True}) == UnitCount(
        2, 3, ["Tổ 1", "Tổ 3"]
    )


def test_only_kinds_and_aggregations_register(registry):
    with pytest.raises(TypeError, match="neither a Kind"):
        registry.register(type("Loose", (), {"name": "loose"}))


# ------------------------------------------------------------ the template and SQL columns follow the kind


def test_the_guide_sheet_says_how_to_fill_each_kind(tmp_path):
    guide = load_workbook(write_template(tmp_path / "t.xlsx"))["Hướng dẫn"]
    how = {row[1]: row[3] for row in guide.iter_rows(values_only=True) if row[1] and row[3]}
    assert how["Lượt cán bộ dự tập huấn nghiệp vụ"] == "số nguyên ≥ 0 (từ 0 đến 20)"
    assert how["Quỹ “Vì người nghèo” vận động được"] == "số tiền (đồng)"
    assert how["Ban CTMT họp đủ hàng tháng"] == "Có / Không"


def test_sql_columns_have_the_kinds_types(tmp_path):
    ds = reportkit.load(SAMPLE)
    url = f"sqlite:///{tmp_path / 'w.db'}"
    ds.to_sql(url)
    engine = sa.create_engine(url)
    try:
        types = {c["name"]: str(c["type"]) for c in sa.inspect(engine).get_columns("bao_cao")}
    finally:
        engine.dispose()
    assert (types["tuyen_truyen_buoi"], types["quy_vnn"], types["hop_ban_ctmt"]) == (
        "INTEGER",
        "BIGINT",
        "INTEGER",
    )


# ------------------------------------------------------------ a new kind is one class


def _register_percent(kinds):
    @kinds.register
    class Percent(kinds.Number):
        """Tỉ lệ phần trăm: "85%", "92,5", 90."""

        name, noun = "percent", "tỉ lệ"
        over_months = ("last", "max")
        over_units = ("mean",)

        def read(self, cell, scale=1):
            if isinstance(cell, str) and cell.strip().endswith("%"):
                cell = cell.strip()[:-1]
            return super().read(cell, scale)

        def header_unit(self, ind, money_unit="đồng"):
            return "%"

        def validation(self, ind):
            return kinds.Validation(
                "decimal", "0", "nhập tỉ lệ từ 0 đến 100", operator="between", formula2="100"
            )

        def how(self, ind):
            return "tỉ lệ phần trăm, vd. 92,5"

    @kinds.register
    class MeanOfUnits(kinds.UnitAggregation):
        """The mean of the tổ that reported (an aggregation is one class too)."""

        name = "mean"

        def __call__(self, per_unit):
            present = [v for v in per_unit.values() if v is not None]
            return sum(present) / len(present) if present else None


CATALOG = """\
indicators:
  - {id: tuyen_truyen_buoi, label: Buổi tuyên truyền, unit: buổi, kind: count, max: 10}
  - {id: ho_van_hoa, label: Tỉ lệ hộ gia đình văn hóa, unit: "%", kind: percent, max: 100}
"""


def test_a_kind_registered_in_a_test_loads_end_to_end(registry, tmp_path):
    _register_percent(registry)
    ward = tmp_path / "ward"
    shutil.copytree(SAMPLE, ward, ignore=shutil.ignore_patterns("bao-cao", "ke-hoach.xlsx"))
    (ward / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    plan = Workbook()
    plan.active.append(["Năm", "Buổi tuyên truyền", "Tỉ lệ hộ gia đình văn hóa (%)"])
    plan.active.append([2022, 20, "90%"])
    plan.save(ward / "ke-hoach.xlsx")
    for unit, cells in (("Tổ 1", ["85%", "90,5"]), ("Tổ 2", [80, None])):
        path = write_template(ward / "bao-cao" / f"{unit}.xlsx", ward / "catalog.yaml", unit=unit, year=2022)
        wb = load_workbook(path)
        ws = wb[SHEET]
        assert ws["C5"].value == "Tỉ lệ hộ gia đình văn hóa (%)"  # the kind writes its header …
        (rule,) = [dv for dv in ws.data_validations.dataValidation if "C7" in str(dv.sqref)]
        assert (rule.type, rule.operator, rule.formula2) == (
            "decimal",
            "between",
            "100",
        )  # … and its validation
        assert "nhập tỉ lệ từ 0 đến 100" in rule.error
        assert "tỉ lệ phần trăm, vd. 92,5" in [r[3] for r in wb["Hướng dẫn"].iter_rows(values_only=True)]
        for m, cell in enumerate(cells, 1):
            ws.cell(6 + m, 2, 1)
            ws.cell(6 + m, 3, cell)
        wb.save(path)

    ds = reportkit.load(ward, cache=False)
    f = ds.figures("2022-01")
    assert f.ho_van_hoa == pytest.approx(82.5)  # mean of Tổ 1's 85 and Tổ 2's 80
    assert ds.figures("2022-Q1").ho_van_hoa == pytest.approx((90.5 + 80) / 2)  # Tổ 1's last month is February
    assert f.by_unit.loc["Tổ 1", "ho_van_hoa"] == 85 and f.tuyen_truyen_buoi == 2
    assert (f.plan("ho_van_hoa"), f.of_plan("ho_van_hoa"), f.of_plan("tuyen_truyen_buoi")) == (90, None, 0.1)
    ex = ds.explain("ho_van_hoa", "2022-01")
    assert list(zip(ex.unit, ex.cell, ex.raw, strict=True)) == [("Tổ 1", "C7", "85%"), ("Tổ 2", "C7", 80)]

    url = f"sqlite:///{tmp_path / 'w.db'}"
    ds.to_sql(url)  # the kind's SQL column type (Float for a Number)
    db = reportkit.load(url)
    assert db.figures("2022-Q1").as_dict() == ds.figures("2022-Q1").as_dict()


def test_a_new_kind_validates_its_cells_and_its_catalog_entries(registry, tmp_path):
    _register_percent(registry)
    ward = tmp_path / "ward"
    shutil.copytree(SAMPLE, ward, ignore=shutil.ignore_patterns("bao-cao", "ke-hoach.xlsx"))
    (ward / "catalog.yaml").write_text(CATALOG, encoding="utf-8")
    path = write_template(ward / "bao-cao" / "to-03-2022.xlsx", ward / "catalog.yaml", unit="Tổ 3", year=2022)
    wb = load_workbook(path)
    for m, cell in ((1, "120%"), (2, "nhiều"), (3, -5)):
        wb[SHEET].cell(6 + m, 3, cell)
    wb.save(path)
    with pytest.raises(DataError) as info:
        reportkit.load(ward, cache=False)
    got = [(p.kind, p.row, p.cell, p.value, p.expected) for p in info.value.problems]
    assert got == [
        ("out_of_range", 7, "C7", "120%", "từ 0 đến 100 %"),
        ("non_numeric", 8, "C8", "nhiều", "một số (vd. 1.250.000 hoặc 2,5)"),
        ("negative", 9, "C9", -5, "số ≥ 0"),
    ]
    assert catalog_problems("indicators: [{id: x, label: X, kind: percent, over_units: sum}]") == [
        ("bad_catalog", "x.over_units", "sum", "mean cho chỉ tiêu tỉ lệ")
    ]
    assert catalog_problems("indicators: [{id: x, label: X, kind: money}]") == [
        ("bad_catalog", "x.kind", "money", "một trong: count, amount, yesno, text, percent")
    ]
