"""reportkit.data on the sample ward: the seed's figures, provenance, SQL, completeness, template, cache."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

import reportkit
from reportkit import vn
from reportkit.data import DataError, UnitCount, load, readers
from reportkit.data import values as V
from reportkit.data.kinds import amount_scale
from reportkit.data.model import Catalog
from reportkit.data.template import write_template

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "duy-tan"
UNITS = [f"Tổ {n}" for n in range(1, 11)]


@pytest.fixture(scope="module")
def ds():
    return load(SAMPLE, cache=False)


@pytest.fixture(scope="module")
def h1(ds):
    return ds.figures("2022-H1")


# ------------------------------------------------------------ the seed article's figures


def test_2022_h1_equals_the_design_table(h1):
    assert h1.tap_huan_luot == 11
    assert str(h1.hop_ban_ctmt) == "10/10"
    assert (h1.tuyen_truyen_buoi, h1.tuyen_truyen_luot) == (11, 1236)
    assert vn.about(h1.tuyen_truyen_luot) == "trên 1.200"
    assert str(h1.hang_viet_phoi_hop) == "10/10" and h1.hang_viet_nguoi == 1483
    assert h1.of_plan("quy_vnn") == pytest.approx(1.02) and vn.percent(h1.of_plan("quy_vnn")) == "102%"
    assert h1.quy_vnn == 153_000_000 and h1.plan("quy_vnn") == 150_000_000
    assert h1.plan("giam_ho_ngheo") == 13
    assert h1.to_tu_quan_an_ninh == UnitCount(1, 10, ["Tổ 3"])
    assert h1.mo_hinh_atgt == UnitCount(1, 10, ["Tổ 5"])
    assert h1.clb_phap_luat.units == ["Tổ 6", "Tổ 8"]
    assert h1.hom_thu.count == 10
    assert h1.vu_viec_antt == 12
    assert (h1.hoi_nghi_cu_tri, h1.cu_tri_luot) == (20, 1128) and vn.about(1128) == "trên 1.100"
    assert vn.padded(h1.kien_toan_ban_ctmt.count) == "03"
    assert str(h1.ngay_hoi_ddk) == "10/10"
    assert h1.ung_dung_khcn.units == ["Tổ 1", "Tổ 3", "Tổ 6", "Tổ 10"]
    assert h1.available and h1.completeness.complete and str(h1.completeness) == "10/10"


def test_ward_description(ds):
    w = ds.ward
    assert (w.name, w.short_name, w.place) == ("Phường Duy Tân", "Duy Tân", "Phường Duy Tân")
    assert w.units == UNITS and w.unit_noun == "tổ dân phố"
    assert w.parent_body == ["ỦY BAN MTTQ VIỆT NAM", "PHƯỜNG DUY TÂN"] and w.issuing_body == "BAN THƯỜNG TRỰC"
    assert w.document_symbol == "BC-MTTQ-BTT" and w.signer["authority"] == "TM. BAN THƯỜNG TRỰC"
    assert w.recipients[-1] == "Lưu: VT, BTT."  # NĐ 30: the archive, then the drafting unit
    assert (ds.first_month, ds.last_month) == ((2021, 1), (2023, 6))
    # Duy Tân is a reign name: "Phường" keeps its capital in a sentence (Nghị định 30/2020, Phụ lục II)
    assert (w.named_after, w.in_text) == ("person", "Phường Duy Tân")
    assert w.issuer_in_text == "Ban Thường trực Ủy ban MTTQ Việt Nam Phường Duy Tân"
    congress = w.event("dai_hoi_chi_bo")
    assert congress.name == "đại hội các chi bộ tổ dân phố nhiệm kỳ 2022 - 2025"
    assert (2022, 4) in congress and (2022, 7) not in congress and w.event("khong_co") is None


def test_a_unit_named_after_a_place_is_lower_case_in_a_sentence():
    w = load(ROOT / "tests" / "data" / "hai-chau", cache=False).ward
    assert (w.name, w.named_after, w.in_text) == ("Phường Hải Châu", "place", "phường Hải Châu")
    assert (
        w.place == "Hải Châu"
    )  # the date line: "Hải Châu, ngày …", the full name only for person/number/event
    assert w.issuer_in_text == "Ban Thường trực Ủy ban MTTQ Việt Nam phường Hải Châu"
    assert w.events == []


def test_bad_ward_description_lists_every_problem(tmp_path):
    from reportkit.data.model import Ward

    base = {"name": "Phường Hải Châu", "units": ["Tổ 1"], "issuing_body": "BAN THƯỜNG TRỰC",
            "document_symbol": "BC-MTTQ-BTT", "signer": {"authority": "TM.", "title": "CHỦ TỊCH", "name": "A"}}  # fmt: skip
    events = [
        {"id": "dai_hoi", "name": "đại hội", "from": "2022-05", "to": "2022-03"},
        {"id": "Đại hội", "name": "", "from": "tháng 3"},
        "đại hội",
    ]
    with pytest.raises(DataError) as info:
        Ward.from_mapping({**base, "named_after": "king", "events": events})
    where = {p.column for p in info.value.problems}
    assert where == {"named_after", "events[0].to", "events[1].id", "events[1].name", "events[1].from",
                     "events[1].to", "events[2]"}  # fmt: skip
    assert "person, number, event, place" in str(info.value)
    numbered = Ward.from_mapping({**base, "name": "Quận 1"})
    assert (numbered.in_text, numbered.place) == ("Quận 1", "Quận 1")


def test_other_periods_differ_and_compare(ds, h1):
    h2 = ds.figures("2022-H2")
    assert h2.tuyen_truyen_luot != h1.tuyen_truyen_luot and h2.vu_viec_antt != h1.vu_viec_antt
    assert h1.previous.period.spec == "2021-H2" and h1.last_year.period.spec == "2021-H1"
    assert h1.last_year.vu_viec_antt == 15  # "giảm 3 vụ so với cùng kỳ"
    assert ds.figures("2021-H1").previous is None  # the data start in January 2021
    assert ds.completeness("2021").complete  # incl. Tổ 5's two sheets and the older 2021 forms of Tổ 9, Tổ 10
    assert ds.figures("2022").tuyen_truyen_luot == h1.tuyen_truyen_luot + h2.tuyen_truyen_luot
    q = [ds.figures(f"2022-Q{i}").vu_viec_antt for i in (1, 2)]
    assert sum(q) == h1.vu_viec_antt
    with pytest.raises(
        ValueError,
        match=r"Không có số liệu cho 6 tháng đầu năm 2030 \(2030-H1\): dữ liệu của Phường Duy Tân có từ tháng 01/2021 "
        r"đến tháng 06/2023 \(no data",
    ):
        ds.figures("2030-H1")


def test_as_dict_is_plain_json(h1):
    d = json.loads(json.dumps(h1.as_dict(), ensure_ascii=False))
    assert d["tuyen_truyen_luot"] == 1236
    assert d["clb_phap_luat"] == {"count": 2, "total": 10, "units": ["Tổ 6", "Tổ 8"]}


def test_by_unit_adds_up(h1):
    bu = h1.by_unit
    assert list(bu.index) == UNITS
    assert bu["tuyen_truyen_luot"].sum() == 1236
    assert bu.loc["Tổ 3", "to_tu_quan_an_ninh"] is True and bu.loc["Tổ 4", "to_tu_quan_an_ninh"] is False


# ------------------------------------------------------------ provenance


def test_explain_adds_up_to_every_figure(ds, h1):
    for ind in ds.catalog:
        df = ds.explain(ind.id, "2022-H1")
        total = df.attrs["total"]
        assert total == h1.values[ind.id]
        assert list(df.columns[:7]) == ["file", "sheet", "row", "cell", "unit", "month", "value"]
        if isinstance(total, UnitCount):
            assert sorted(df["unit"].unique(), key=vn.sort_key) == total.units
        else:
            assert df["value"].sum() == total


def test_explain_points_at_the_cells(ds):
    df = ds.explain("quy_vnn", "2022-H1")
    tổ4 = df[df.unit == "Tổ 4"].iloc[0]
    assert tổ4.file == "data/duy-tan/bao-cao/2022/to-04-2022.xlsx" and tổ4.sheet == "Số liệu"
    ws = load_workbook(ROOT / tổ4.file)[tổ4.sheet]
    assert ws[tổ4.cell].value == tổ4.raw  # Tổ 4 writes triệu đồng …
    assert tổ4.value == round(tổ4.raw * 1_000_000)  # … read as đồng
    tổ8 = df[df.unit == "Tổ 8"].iloc[0]
    assert isinstance(tổ8.raw, str) and vn.parse_number(tổ8.raw) == tổ8.value  # "1.500.000" typed as text


def test_sources_are_hashed(ds):
    paths = [s.path for s in ds.sources]
    assert paths[:3] == ["data/duy-tan/ward.yaml", "data/duy-tan/catalog.yaml", "data/duy-tan/ke-hoach.xlsx"]
    assert "data/duy-tan/bao-cao/2022/to-01-2022.xlsx" in paths and len(paths) == 33
    assert all(len(s.sha256) == 64 for s in ds.sources)


# ------------------------------------------------------------ SQL


def test_sqlite_copy_gives_the_same_figures(ds, tmp_path):
    url = f"sqlite:///{tmp_path / 'duy-tan.db'}"
    ds.to_sql(url)
    db = reportkit.load(url)
    for p in ("2021-H1", "2021-H2", "2022-H1", "2022-H2", "2023-H1", "2022"):
        assert db.figures(p).as_dict() == ds.figures(p).as_dict(), p
        assert db.completeness(p) == ds.completeness(p)
        assert db.figures(p).of_plan("quy_vnn") == ds.figures(p).of_plan("quy_vnn")
    assert db.ward.as_dict() == ds.ward.as_dict()
    ex = db.explain("vu_viec_antt", "2022-H1")
    assert ex["value"].sum() == 12 and set(ex["sheet"]) == {"bao_cao"}
    with pytest.raises(FileExistsError):
        ds.to_sql(url)


def test_sql_rows_are_validated_like_cells(ds, tmp_path):
    import sqlalchemy as sa

    url = f"sqlite:///{tmp_path / 'bad.db'}"
    ds.to_sql(url)
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(sa.text("UPDATE bao_cao SET vu_viec_antt = -1 WHERE id = 5"))
        c.execute(sa.text("UPDATE bao_cao SET to_dan_pho = 'Tổ 11' WHERE id = 7"))
    eng.dispose()
    with pytest.raises(DataError) as info:
        load(url)
    got = [(p.kind, p.sheet, p.row, p.column, p.value) for p in info.value.problems]
    assert got == [
        ("negative", "bao_cao", 5, "vu_viec_antt", -1),
        ("unknown_unit", "bao_cao", 7, "to_dan_pho", "Tổ 11"),
    ]


# ------------------------------------------------------------ completeness


def test_completeness_of_the_sample(ds):
    c = ds.completeness("2023-H1")
    assert c.missing == [("Tổ 9", (2023, 6))] and str(c) == "9/10" and (c.reported, c.expected) == (59, 60)
    assert c.to_frame().loc["Tổ 9", "06/2023"] == "thiếu"
    f = ds.figures("2023-H1")
    assert str(f.hop_ban_ctmt) == "8/10"  # Tổ 4 missed February; Tổ 9's June is unknown, so not "every month"


def test_a_missing_tổ_is_never_zero(tmp_path):
    ward = tmp_path / "ward"
    shutil.copytree(SAMPLE, ward)
    (ward / "bao-cao" / "2022" / "to-07-2022.xlsx").unlink()
    part = load(ward, cache=False).figures("2022-H1")
    c = part.completeness
    assert c.units_reported == 9 and c.missing_units == ["Tổ 7"] and len(c.missing) == 6
    assert part.by_unit.loc["Tổ 7"].isna().all()
    assert part.quy_vnn < 153_000_000 and "Tổ 7" not in part.hom_thu.units


# ------------------------------------------------------------ template


def test_template_round_trip(tmp_path, h1, ds):
    ward = tmp_path / "ward"
    (ward / "bao-cao").mkdir(parents=True)
    for n in ("ward.yaml", "catalog.yaml", "ke-hoach.xlsx"):
        shutil.copy(SAMPLE / n, ward / n)
    catalog = Catalog.from_yaml(SAMPLE / "catalog.yaml")
    for unit in UNITS:
        path = write_template(ward / "bao-cao" / f"{unit}.xlsx", catalog, unit=unit, year=2022)
        wb = load_workbook(path)
        ws = wb["Số liệu"]
        assert "Hướng dẫn" in wb.sheetnames
        heads = {ws.cell(6, j).value or ws.cell(5, j).value: j for j in range(1, ws.max_column + 1)}
        assert ws.data_validations.dataValidation  # Excel refuses bad values at the keyboard
        by_unit = h1.by_unit.loc[unit]
        for m in range(1, 7):
            row = ds._rows[(unit, (2022, m))][0]
            for ind in catalog:
                col = next(j for h, j in heads.items() if h and h.startswith(ind.header))
                v = row.values[ind.id]
                ws.cell(6 + m, col, ("Có" if v else "Không") if ind.kind == "yesno" else v)
        wb.save(path)
        assert by_unit is not None
    back = load(ward, cache=False).figures("2022-H1")
    assert back.as_dict() == h1.as_dict()


def test_template_validation_kinds(tmp_path):
    path = write_template(tmp_path / "t.xlsx")
    ws = load_workbook(path)["Số liệu"]
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert kinds == {"whole", "decimal", "list"}
    whole = [dv for dv in ws.data_validations.dataValidation if dv.type == "whole"]
    assert all(dv.formula1 == "0" for dv in whole)


def test_template_never_writes_a_name_or_label_as_a_formula(tmp_path):
    # A tổ name or catalog label starting with "=" was written as a live formula (=HYPERLINK to anywhere) into the
    # workbook every tổ opens; "+", "-", "@" start formulas too when the sheet is saved as CSV and reopened.
    ward = tmp_path / "ward"
    shutil.copytree(SAMPLE, ward)
    link = '=HYPERLINK("http://example.invalid/","Bấm vào đây")'
    doc = yaml.safe_load((ward / "ward.yaml").read_text(encoding="utf-8"))
    doc["units"][2] = link
    (ward / "ward.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    catalog = yaml.safe_load((ward / "catalog.yaml").read_text(encoding="utf-8"))
    labels = ["=1+1", "+84 lượt", "-2 hộ", "@SUM(A1)"]
    for ind, label in zip(catalog["indicators"], labels, strict=False):
        ind["label"], ind["column"] = label, label
    (ward / "catalog.yaml").write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "t.xlsx"
    from reportkit.cli import main

    assert main(["template", "--catalog", str(ward / "catalog.yaml"), "--unit", link, "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as z:
        sheets = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any(re.search(rb"<f[ >]", xml) for xml in sheets)  # not one formula in the workbook
    wb = load_workbook(out)
    texts = {
        c.value: c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)
    }
    for text in [link, *labels]:
        cell = next(c for v, c in texts.items() if v.startswith(text))
        assert cell.data_type == "s" and cell.quotePrefix, text
    assert not [c.coordinate for c in texts.values() if c.data_type == "f"]


# ------------------------------------------------------------ cells and headers


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("1.200", 1200), ("1 200", 1200), ("1\u00a0200", 1200), (1200, 1200), (1200.0, 1200), ("-", 0), (" 12 ", 12),
     (None, None), ("  ", None)],
)  # fmt: skip
def test_counts(cell, expected):
    assert V.number(cell, whole=True) == expected


@pytest.mark.parametrize(("cell", "kind"), [("1.2", "non_numeric"), (1.2, "not_integer"), ("x", "non_numeric"),
                                            ("mười", "non_numeric"), (True, "non_numeric")])  # fmt: skip
def test_bad_counts(cell, kind):
    with pytest.raises(V.CellError) as info:
        V.number(cell, whole=True)
    assert info.value.kind == kind


def test_amounts_by_header_unit():
    assert amount_scale("Quỹ vận động được (triệu đồng)") == 1_000_000
    assert amount_scale("Quỹ (nghìn đồng)") == 1_000
    assert amount_scale("Quỹ vận động được (đồng)") == 1
    assert V.number("2,5", whole=False, scale=1_000_000) == 2_500_000
    assert V.number(15.3, whole=False, scale=1_000_000) == 15_300_000
    assert V.number("1.250.000", whole=False) == 1_250_000


def test_yes_no_months_dates():
    assert [V.yes_no(x) for x in ("Có", "x", "X", "1", 1, "Không", "-", 0, None)] == [
        True, True, True, True, True, False, False, False, None]  # fmt: skip
    assert [V.month(x) for x in (3, "03", "Tháng 3", "T3", "03/2022", "2022-03", "15/03/2022")] == [
        (None, 3), (None, 3), (None, 3), (None, 3), (2022, 3), (2022, 3), (2022, 3)]  # fmt: skip
    assert V.date("05/03/2022").isoformat() == "2022-03-05"


def test_headers_match_whatever_their_typing(ds):
    c = ds.catalog
    for text in ("Số buổi tuyên truyền", "SỐ BUỔI TUYÊN TRUYỀN", "so buoi  tuyen truyen",
                 unicodedata.normalize("NFD", "Số buổi tuyên truyền"), "Sè buæi tuyªn truyÒn",
                 "Tuyên truyền - Số buổi (buổi)"):  # fmt: skip
        assert c.match(text) == ("indicator", "tuyen_truyen_buoi"), text
    assert c.match("Tháng") == ("field", "month")
    assert c.match("Số hộ được thăm hỏi") is None


def test_catalog_errors_are_located(tmp_path):
    bad = tmp_path / "catalog.yaml"
    bad.write_text("indicators:\n  - {id: a, label: A, kind: money}\n  - {id: b, label: B, synonyms: [A]}\n",
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(DataError) as info:
        Catalog.from_yaml(bad)
    got = [(p.kind, p.column, p.value) for p in info.value.problems]
    assert got == [("bad_catalog", "a.kind", "money"), ("bad_catalog", "b.synonyms", "a")]


def test_an_indicator_without_label_still_has_its_other_problems_reported(tmp_path, capsys):
    from reportkit.cli import main

    bad = tmp_path / "catalog.yaml"
    bad.write_text("indicators:\n  - {id: x, kind: nonsense}\n  - {label: Không có id}\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        Catalog.from_yaml(bad)
    got = [(p.column, p.value) for p in info.value.problems]
    assert got == [("indicators[0].label", None), ("x.kind", "nonsense"), ("indicators[1].id", None)]
    # the template command says so instead of a traceback
    assert main(["template", "--catalog", str(bad), "-o", str(tmp_path / "t.xlsx")]) == 2
    assert "x.kind" in capsys.readouterr().err and not (tmp_path / "t.xlsx").exists()


# ------------------------------------------------------------ cache


def test_second_load_is_served_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTKIT_CACHE", str(tmp_path / "cache"))
    first = load(SAMPLE)
    assert any((tmp_path / "cache" / "data").rglob("*.pickle"))

    def no_parsing(*args, **kwargs):
        raise AssertionError("an unchanged workbook was parsed again")

    monkeypatch.setattr(readers, "xlsx_grids", no_parsing)
    second = load(SAMPLE)
    assert second.figures("2022-H1").as_dict() == first.figures("2022-H1").as_dict()
    assert [s.sha256 for s in second.sources] == [s.sha256 for s in first.sources]


def test_template_for_a_tổ_the_ward_does_not_have_is_refused(tmp_path, capsys):
    from reportkit.cli import main

    out = tmp_path / "bieu-mau.xlsx"
    assert main(["template", "--unit", "Tổ 33", "--year", "2024", "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "'Tổ 33'" in err and "Tổ 1, Tổ 2" in err and "Tổ 10" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []
    # the ward's own spelling wins: "tổ 03" is Tổ 3 of the sample ward
    assert main(["template", "--unit", "tổ 03", "--year", "2024", "-o", str(out)]) == 0
    cells = [
        c for row in load_workbook(out)["Số liệu"].iter_rows(max_row=6, values_only=True) for c in row if c
    ]
    assert any("Tổ 3" in str(c) for c in cells) and not any("tổ 03" in str(c) for c in cells)
    with pytest.raises(ValueError, match="year 1024: expected a year such as 2024"):
        write_template(tmp_path / "old.xlsx", year=1024)  # the Python API checks the year too
    assert main(["template", "--year", "20240", "-o", str(tmp_path / "y.xlsx")]) == 2
    assert "year 20240: expected a year such as 2024" in capsys.readouterr().err
    assert not (tmp_path / "old.xlsx").exists() and not (tmp_path / "y.xlsx").exists()


def test_comparisons_set_like_against_like_over_the_tor_whole_in_both_periods():
    """2023-H1: tổ 9 has no June. Compared as it is, its whole 2022-H1 (and 2022-H2) would count against five of
    its months: the change would be partly its lateness. Every comparison helper compares the tổ whole in both."""
    from reportkit.narrative import change, compare_previous, compare_same_period, last_year_change

    ds = reportkit.load(SAMPLE)
    f = ds.figures("2023-H1")
    nine = tuple(u for u in ds.ward.units if u != "Tổ 9")
    same = f.like_for_like
    assert same.units == nine and same.last_year.units == nine
    assert f.whole_with("2022-H2").units == nine and f.whole_with("2022-H2").previous.units == nine
    assert same.quy_vnn == f.quy_vnn - f.by_unit.loc["Tổ 9", "quy_vnn"]
    assert same.last_year.quy_vnn == f.last_year.quy_vnn - f.last_year.by_unit.loc["Tổ 9", "quy_vnn"]
    # the part's own two figures, and which part (neither figure is the ward's, which the sentence has stated)
    n = vn.number
    assert compare_same_period(f, "quy_vnn", "đồng").startswith(
        f"tăng từ {n(same.last_year.quy_vnn)} lên {n(same.quy_vnn)} đồng (tăng 4,4%, không tính tổ 9)"
    )
    assert last_year_change(f, "tuyen_truyen_luot").startswith(
        f"giảm từ {n(same.last_year.tuyen_truyen_luot)} xuống {n(same.tuyen_truyen_luot)} ("
    )
    part = f.whole_with("2022-H2")
    way = "lên" if part.quy_vnn > part.previous.quy_vnn else "xuống"
    assert compare_previous(f, "quy_vnn", "đồng").startswith(
        f"{change(part.quy_vnn, part.previous.quy_vnn).split()[0]} từ {n(part.previous.quy_vnn)} {way} "
        f"{n(part.quy_vnn)} đồng ("
    )
    assert f.hop_ban_ctmt.total == 10 and same.hop_ban_ctmt.total == 9  # a count of tổ over the same tổ
    whole = ds.figures("2022-H1")
    assert whole.like_for_like is whole and whole.whole_with("2021-H2") is whole  # nothing missing: itself
