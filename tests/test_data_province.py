"""A province of wards in one SQLite database: the layout, choosing a ward, the ward list, the sample province, the
digest of what a report reads, and the roll-up checked against SQL sums computed independently."""

from __future__ import annotations

import pickle
import re
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from province_checks import check_digest_follows_one_figure, check_rollup_sums, execute, months_where, query

import reportkit
from reportkit import vn
from reportkit.core import params as schema
from reportkit.data import DataError, UnitError, load, load_province, report_digest, report_digests, wards
from reportkit.data import sample_province as sample
from reportkit.data.sql import WardRecords, add_ward, in_sentence, report_reads, split_unit, with_unit

WARDS = 8
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample_ward():
    return load()


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("province") / "province.db"
    url = f"sqlite:///{path}"
    sample.write(WARDS, url)
    return url


@pytest.fixture()
def scratch(tmp_path) -> str:
    """A province of its own for a test that changes rows."""
    url = f"sqlite:///{tmp_path / 'province.db'}"
    sample.write(WARDS, url)
    return url


# ------------------------------------------------------------ layout and choosing a ward


def test_the_layout_has_a_ward_key_and_an_index_for_a_wards_months(province):
    engine = sa.create_engine(province)
    try:
        with engine.connect() as c:
            inspector = sa.inspect(c)
            assert set(inspector.get_table_names()) == {"reportkit_meta", "phuong_xa", "bao_cao", "ke_hoach"}
            assert "phuong_xa" in [col["name"] for col in inspector.get_columns("bao_cao")]
            uniques = [u["column_names"] for u in inspector.get_unique_constraints("bao_cao")]
            assert ["phuong_xa", "nam", "thang", "to_dan_pho"] in uniques
            assert inspector.get_pk_constraint("ke_hoach")["constrained_columns"] == ["phuong_xa", "nam"]
            meta = dict(c.execute(sa.text("SELECT name, content FROM reportkit_meta")).all())
    finally:
        engine.dispose()
    assert set(meta) == {"catalog", "province"}
    plan = query(province, "EXPLAIN QUERY PLAN SELECT * FROM bao_cao WHERE phuong_xa = 'duy-tan' AND nam = 2022 "
                           "AND thang BETWEEN 1 AND 6")  # fmt: skip
    assert any(
        "USING INDEX" in str(row) and "phuong_xa=? AND nam=? AND thang>? AND thang<?" in str(row)
        for row in plan
    )


def test_a_ward_of_the_province_is_the_sample_ward(province, sample_ward):
    ds = load(province, unit="duy-tan")
    same = reportkit.load(f"{province}?unit=duy-tan")
    for p in ("2021-H2", "2022-H1", "2023-H1", "2022"):
        assert ds.figures(p).as_dict() == sample_ward.figures(p).as_dict(), p
        assert same.figures(p).as_dict() == sample_ward.figures(p).as_dict(), p
        assert ds.completeness(p) == sample_ward.completeness(p)
    assert ds.ward.as_dict() == sample_ward.ward.as_dict()
    assert ds.plans == sample_ward.plans
    assert [s.path for s in ds.sources] == [f"{province}#bao_cao[duy-tan]", f"{province}#ke_hoach[duy-tan]"]


def test_without_a_ward_the_error_lists_the_wards(province):
    codes = [w.code for w in wards(province)]
    with pytest.raises(UnitError) as info:
        load(province)
    err = info.value
    assert err.unit is None and err.units == codes and isinstance(err, LookupError)
    text = str(err)
    assert f"{WARDS} phường" in text and 'unit="' in text and "?unit=" in text
    assert all(f"{w.code} ({w.name})" in text for w in wards(province))
    assert pickle.loads(pickle.dumps(err)).units == codes  # a worker hands it back to the runner


def test_an_unknown_ward_is_a_clear_error(province):
    with pytest.raises(UnitError, match=r"không có phường “nowhere”") as info:
        load(province, unit="nowhere")
    assert info.value.unit == "nowhere" and "duy-tan (Phường Duy Tân)" in str(info.value)
    with pytest.raises(UnitError, match="nowhere"):
        load(f"{province}?unit=nowhere")
    with pytest.raises(ValueError, match="two wards"):
        load(f"{province}?unit=duy-tan", unit="phuong-1")
    with pytest.raises(ValueError, match="folder is one ward"):
        load(Path(__file__).parents[1] / "data" / "duy-tan", unit="duy-tan")


def test_a_long_list_of_wards_is_cut_to_the_likely_ones(tmp_path):
    url = f"sqlite:///{tmp_path / 'big.db'}"
    catalog = sample.sample_catalog()
    names = sample.ward_names(40)
    recs = [sample.generate_ward(w) for w in names[1:]]
    from reportkit.data.sql import write_province

    write_province(url, sample.PROVINCE, catalog, recs)
    with pytest.raises(UnitError) as info:
        load(url, unit=names[5].code + "x")
    text = str(info.value)
    assert f"{names[5].code} (" in text and "phường khác" in text and len(info.value.units) == 39


def test_the_ward_list(province):
    listed = wards(province)
    assert [w.name for w in listed] == sorted((w.name for w in listed), key=vn.sort_key)
    assert {w.code for w in listed} == {w.code for w in sample.ward_names(WARDS)}
    duy_tan = next(w for w in listed if w.code == "duy-tan")
    assert (duy_tan.name, duy_tan.named_after, duy_tan.in_sentence) == (
        "Phường Duy Tân",
        "person",
        "Phường Duy Tân",
    )
    assert all(w.named_after in ("person", "number", "event", "place") for w in listed)
    place = next(w for w in listed if w.named_after == "place")
    assert place.in_sentence == "phường " + place.name.removeprefix("Phường ")


def test_a_one_ward_database_lists_its_ward_and_refuses_a_unit(tmp_path, sample_ward):
    url = f"sqlite:///{tmp_path / 'ward.db'}"
    sample_ward.to_sql(url)
    assert [(w.code, w.name) for w in wards(url)] == [(None, "Phường Duy Tân")]
    with pytest.raises(UnitError, match="one-ward layout"):
        load(url, unit="duy-tan")
    assert load(url).figures("2022-H1").as_dict() == sample_ward.figures("2022-H1").as_dict()


def test_an_empty_database_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    url = f"sqlite:///{path}"
    for attempt in (lambda: load(url), lambda: wards(url)):
        with pytest.raises(DataError) as info:
            attempt()
        assert {p.sheet for p in info.value.problems} >= {"reportkit_meta"}
    with pytest.raises(FileNotFoundError):
        wards(f"sqlite:///{tmp_path / 'missing.db'}")
    assert not (tmp_path / "missing.db").exists()


def _add_empty_ward(url: str, catalog) -> None:
    desc = sample.description(sample.WardName("an-binh", "Phường An Bình", "An Bình", "place"), ["Tổ 1", "Tổ 2"],
                              "Lê Văn Nam")  # fmt: skip
    add_ward(url, WardRecords("an-binh", desc, [], {}), catalog)


def test_a_ward_with_no_rows(scratch, sample_ward):
    _add_empty_ward(scratch, sample_ward.catalog)
    ds = load(scratch, unit="an-binh")
    assert ds.first_month is None and ds.ward.name == "Phường An Bình"
    with pytest.raises(ValueError, match="Phường An Bình chưa có số liệu tháng nào"):
        ds.figures("2022-H1")


def test_to_sql_adds_a_ward_to_a_province(tmp_path, sample_ward):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    sample_ward.to_sql(url, unit="duy-tan")
    assert [w.code for w in wards(url)] == ["duy-tan"]
    with pytest.raises(FileExistsError, match="already holds the ward 'duy-tan'"):
        sample_ward.to_sql(url, unit="duy-tan")
    sample_ward.to_sql(url, unit="duy-tan", replace=True)
    assert load(url, unit="duy-tan").figures("2022-H1").as_dict() == sample_ward.figures("2022-H1").as_dict()
    assert query(url, "SELECT COUNT(*) FROM bao_cao")[0][0] == len(sample_ward._rows)
    with pytest.raises(DataError) as info:  # the roll-up tells wards apart by name
        sample_ward.to_sql(url, unit="ban-sao")
    assert [(p.kind, p.value) for p in info.value.problems] == [("bad_ward", "Phường Duy Tân")]
    assert [w.code for w in wards(url)] == ["duy-tan"]
    one = f"sqlite:///{tmp_path / 'one.db'}"
    sample_ward.to_sql(one)
    with pytest.raises(FileExistsError, match="one-ward layout"):
        sample_ward.to_sql(one, unit="duy-tan")


def test_bad_rows_of_a_ward_are_located(scratch):
    rid = query(scratch, "SELECT MIN(id) FROM bao_cao WHERE phuong_xa = 'duy-tan'")[0][0]
    execute(scratch, f"UPDATE bao_cao SET vu_viec_antt = -2 WHERE id = {rid}",
            "UPDATE bao_cao SET to_dan_pho = 'Tổ 99' WHERE id = (SELECT MAX(id) FROM bao_cao)")  # fmt: skip
    with pytest.raises(DataError) as info:
        load(scratch, unit="duy-tan")
    assert [(p.kind, p.sheet, p.row, p.value) for p in info.value.problems] == [
        ("negative", "bao_cao", rid, -2)
    ]


def test_urls_carry_the_ward():
    assert split_unit("sqlite:///p.db?unit=duy-tan") == ("sqlite:///p.db", "duy-tan")
    assert split_unit("postgresql://u:pw@h/db?options=-csearch_path%3Ds&unit=x") == (
        "postgresql://u:pw@h/db?options=-csearch_path%3Ds",
        "x",
    )
    assert split_unit("sqlite:///p.db") == ("sqlite:///p.db", None)
    assert with_unit("postgresql://u:pw@h/db?unit=a", "b") == "postgresql://u:pw@h/db?unit=b"
    with pytest.raises(ValueError, match="one ward"):
        split_unit("sqlite:///p.db?unit=a&unit=b")
    assert (
        in_sentence("Phường 3", "number") == "Phường 3"
        and in_sentence("Phường Hòa Khánh", None) == "Phường Hòa Khánh"
    )


# ------------------------------------------------------------ the sample province


def test_ward_names_are_a_deterministic_mix():
    names = sample.ward_names(120)
    assert names[:50] == sample.ward_names(50) and names[0].name == "Phường Duy Tân"
    assert len({w.code for w in names}) == len({vn.fold(w.name) for w in names}) == 120
    assert {w.named_after for w in names} == {"person", "number", "event", "place"}
    assert all(schema.unit_name(w.code, []) == w.code for w in names)  # every code names a params unit
    assert all(vn.nfc(w.name) == w.name for w in names)
    assert {"Phường 3", "Phường Điện Biên Phủ"} & {w.name for w in sample.ward_names(400)} == {
        "Phường 3",
        "Phường Điện Biên Phủ",
    }
    with pytest.raises(ValueError, match="at least one"):
        sample.ward_names(0)
    with pytest.raises(ValueError, match="at most"):
        sample.ward_names(100_000)


def test_each_ward_is_its_own_and_always_the_same():
    names = sample.ward_names(120)
    first = sample.generate_ward(names[7])
    assert sample.generate_ward(sample.ward_names(9)[7]) == first  # seeded by the code, not by the count
    recs = [sample.generate_ward(w) for w in names[1:]]
    sizes = [len(r.description["units"]) for r in recs]
    assert min(sizes) >= 6 and max(sizes) <= 18 and len(set(sizes)) > 8
    assert any(re.fullmatch(r"Tổ \d+[AB]", u) for r in recs for u in r.description["units"])
    totals = [tuple(sum(x[i] for x in r.reports if x["nam"] == 2022) for i in ("tuyen_truyen_luot", "quy_vnn"))
              for r in recs]  # fmt: skip
    assert len(set(totals)) == len(totals)  # different figures in every ward
    months = [{(x["nam"], x["thang"]) for x in r.reports} for r in recs]
    late = [m for m in months if (2023, 6) not in m]
    gap = [m for m in months if (2023, 6) in m and len(m) < len(sample.MONTHS)]
    one_to = [r for r, m in zip(recs, months, strict=True)
              if len(m) == len(sample.MONTHS) and len(r.reports) < len(m) * len(r.description["units"])]  # fmt: skip
    assert late and gap and one_to  # late wards, a skipped month, a tổ that did not report
    assert all(set(r.plans) == {2021, 2022, 2023} for r in recs)


def test_write_makes_the_ward_list_and_params_files(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "report.ipynb").write_text("{}", encoding="utf-8")  # the analyst's own: kept
    url = f"sqlite:///{tmp_path / 'data' / 'province' / 'province.db'}"
    (tmp_path / "data" / "province").mkdir(parents=True)
    written = sample.write(5, url, out=tmp_path, params_url="sqlite:///data/province/province.db")
    assert (written.wards, written.periods) == (5, ("2021-H1", "2021-H2", "2022-H1", "2022-H2", "2023-H1"))
    assert written.rows == query(url, "SELECT COUNT(*) FROM bao_cao")[0][0]
    from reportkit.batch.params import load_runs

    runs = load_runs(
        [tmp_path / "params" / "province" / "wards.yaml"], tmp_path, {"period", "data", "tone_style"}
    )
    assert len(runs) == 5 * 5
    assert {r.run_id.split("/")[0] for r in runs} == {w.code for w in sample.ward_names(5)}
    duy = next(r for r in runs if r.run_id == "duy-tan/2022-H1")
    assert duy.parameters["data"] == f"sqlite:///{tmp_path / 'data/province/province.db'}?unit=duy-tan"
    assert duy.sources_hint == [str(tmp_path / "data/province/province.db")]
    assert load(duy.parameters["data"]).ward.name == "Phường Duy Tân"
    rollups = load_runs(
        [tmp_path / "params" / "province" / "province.yaml"], tmp_path, {"period", "data", "tone_style"}
    )
    # the roll-up's folders are beside the wards', never a project's own "2022-H1"
    assert [r.run_id for r in rollups] == [f"tinh-binh-son/{p}" for p in written.periods]
    assert (tmp_path / "notebooks" / "report.ipynb").read_text(encoding="utf-8") == "{}"
    assert (tmp_path / "notebooks" / "province.ipynb").read_bytes() == (
        ROOT / "notebooks/province.ipynb"
    ).read_bytes()
    assert tmp_path / "notebooks" / "province.ipynb" in written.files
    assert tmp_path / "notebooks" / "report.ipynb" not in written.files
    assert rollups[0].parameters["data"] == f"sqlite:///{tmp_path / 'data/province/province.db'}"
    listing = (tmp_path / "data" / "province" / "wards.yaml").read_text(encoding="utf-8")
    assert "named_after: person" in listing and "Phường Duy Tân" in listing
    with pytest.raises(FileExistsError):
        sample.write(5, url)


def test_a_failed_write_leaves_nothing(tmp_path):
    from reportkit.data.sql import write_province

    url = f"sqlite:///{tmp_path / 'p.db'}"
    ward = sample.generate_ward(sample.ward_names(2)[1])
    with pytest.raises(ValueError, match="given twice"):
        write_province(url, sample.PROVINCE, sample.sample_catalog(), [ward, ward])
    assert query(url, "SELECT name FROM sqlite_master") == []  # the tables went with the transaction
    with pytest.raises(DataError) as info:
        bad = WardRecords("x", {**ward.description, "name": "Phường X", "named_after": "river"}, [], {})
        write_province(url, sample.PROVINCE, sample.sample_catalog(), [bad])
    assert [(p.column, p.value) for p in info.value.problems] == [("named_after", "river")]


def test_the_cli_writes_a_province(tmp_path, capsys):
    from reportkit.cli import main

    db = tmp_path / "data" / "province" / "province.db"
    assert main(["sample", "province", "--wards", "3", "--sqlite", str(db), "--out", str(tmp_path),
                 "--periods", "2022-h1,2022-H2"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "3 phường" in out and "6 reports" in out
    text = (tmp_path / "params" / "province" / "wards.yaml").read_text(encoding="utf-8")
    assert "sqlite:///data/province/province.db?unit={unit}" in text and "- 2022-H2" in text
    assert main(["sample", "province", "--wards", "3", "--sqlite", str(db)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["sample", "province", "--wards", "3", "--sqlite", str(db), "--periods", "2022-H3"]) == 2
    fresh = tmp_path / "fresh.db"
    assert main(["sample", "province", "--wards", "0", "--sqlite", str(fresh), "--out", str(tmp_path)]) == 2
    assert "at least one" in capsys.readouterr().err and not fresh.exists()
    url = f"sqlite:///{tmp_path / 'by-url.db'}"
    # 40 wards hold one that has not sent June 2023: what that means depends on the periods asked for
    late = ["sample", "province", "--wards", "40", "--url", url, "--out", str(tmp_path), "--periods"]
    assert main([*late, "2023-H1"]) == 0
    assert "not yet sent 06/2023" in (out := capsys.readouterr().out), out
    assert "their 2023-H1 reports stop, naming the month" in out
    assert main([*late, "2022-H1", "--replace"]) == 0
    assert "the params files leave 2023-H1 out" in capsys.readouterr().out
    assert main(["sample", "province", "--wards", "2", "--url", url, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "pass --replace to overwrite" in err and "replace=True" not in err  # the command's flag


# ------------------------------------------------------------ the digest of what a report reads


def test_report_reads():
    assert report_reads("2022-H1") == (((2021, 1, 12), (2022, 1, 6)), (2021, 2022))
    assert report_reads("2022-H2") == (((2021, 7, 12), (2022, 1, 12)), (2021, 2022))
    assert report_reads("2022-05") == (((2021, 5, 5), (2022, 1, 5)), (2021, 2022))
    assert report_reads("2023-Q1") == (((2022, 1, 3), (2022, 10, 12), (2023, 1, 3)), (2022, 2023))


def test_one_changed_figure_changes_only_that_wards_reports_that_read_it(scratch):
    other = sample.ward_names(WARDS)[3].code
    check_digest_follows_one_figure(scratch, "duy-tan", other)


def test_the_digest_follows_the_ward_description_and_the_data_range(scratch):
    before = report_digest(scratch, "2022-H1", "duy-tan")
    assert report_digest(f"{scratch}?unit=duy-tan", "2022-H1") == before
    execute(scratch, "UPDATE phuong_xa SET mo_ta = mo_ta || '# sửa' WHERE ma = 'duy-tan'")
    described = report_digest(scratch, "2022-H1", "duy-tan")
    assert described != before
    execute(scratch, "DELETE FROM bao_cao WHERE phuong_xa = 'duy-tan' AND nam = 2023 AND thang = 6")
    assert report_digest(scratch, "2022-H1", "duy-tan") != described  # the data now end in May 2023


def test_the_digest_of_an_empty_database_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    with pytest.raises(DataError) as info:
        report_digest(f"sqlite:///{path}", "2022-H1")
    assert {p.sheet for p in info.value.problems} == {"reportkit_meta", "bao_cao"}


def test_digests_need_a_known_ward(province, tmp_path, sample_ward):
    with pytest.raises(UnitError, match="nowhere"):
        report_digests(province, [("duy-tan", "2022-H1"), ("nowhere", "2022-H1")])
    with pytest.raises(UnitError, match="choose a ward"):
        report_digest(province, "2022-H1")
    assert report_digests(province, []) == {}
    one = f"sqlite:///{tmp_path / 'one.db'}"
    sample_ward.to_sql(one)
    d = report_digest(one, "2022-H1")
    assert re.fullmatch(r"[0-9a-f]{64}", d) and d != report_digest(one, "2022-H2")
    with pytest.raises(UnitError):
        report_digest(one, "2022-H1", "duy-tan")


def test_digests_take_the_same_queries_for_three_wards_or_all(province):
    """Every ward's digests: one query per month range of each period over all the wards asked for (an index
    range on ward, year and month) and one for the wards' data range — never a query per ward or a dump."""

    def statements(runs) -> list[str]:
        seen: list[str] = []

        def record(conn, cursor, statement, *args):
            seen.append(statement)

        sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)
        try:
            digests = report_digests(province, runs)
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
        assert len(digests) == len(runs) == len(set(digests.values()))
        return [s for s in seen if "FROM bao_cao" in s]

    codes = [w.code for w in wards(province)]
    every = statements([(w, p) for w in codes for p in sample.HALVES])
    three = statements([(w, p) for w in codes[:3] for p in sample.HALVES])
    ranges = sum(len(report_reads(p)[0]) for p in sample.HALVES)
    assert len(every) == len(three) == ranges + 1
    assert all("WHERE t.phuong_xa IN" in s for s in every)
    plan = query(province, "EXPLAIN QUERY PLAN SELECT count(*) FROM bao_cao t WHERE t.phuong_xa IN ('a', 'b') "
                           "AND t.nam = 2022 AND t.thang BETWEEN 1 AND 6 GROUP BY t.phuong_xa")  # fmt: skip
    assert any("phuong_xa=? AND nam=? AND thang>? AND thang<?" in str(row) for row in plan)


# ------------------------------------------------------------ the roll-up


def test_the_rollup_is_the_sum_of_its_wards_by_sql(province):
    for period in ("2022-H1", "2022-H2", "2023-H1"):
        check_rollup_sums(province, period)


def test_the_rollup_by_ward(province):
    prov = load_province(province)
    f = prov.figures("2022-H1")
    names = [w.name for w in wards(province)]
    assert list(f.by_unit.index) == names == prov.ward.units
    assert prov.ward.name == "Tỉnh Bình Sơn" and prov.in_sentence == "tỉnh Bình Sơn"
    duy = f.wards["Phường Duy Tân"]
    assert duy.tuyen_truyen_luot == 1236 and f.by_unit.at["Phường Duy Tân", "quy_vnn"] == 153_000_000
    assert str(f.completeness) == f"{f.completeness.units_reported}/{WARDS}"
    assert f.of_plan("quy_vnn") == pytest.approx(f.quy_vnn / f.plan("quy_vnn"))
    assert f.previous.period.spec == "2021-H2" and f.last_year.period.spec == "2021-H1"
    assert prov.figures("2021-H1").last_year is None


def test_leading_and_trailing_wards(province):
    f = load_province(province).figures("2022-H1")
    r = f.ranking("tuyen_truyen_luot", 3)
    complete = [w for w in f.by_unit.index if w not in f.completeness.missing_units]
    values = {w: f.by_unit.at[w, "tuyen_truyen_luot"] for w in complete}
    assert [v for _, v in r.leaders] == sorted(values.values(), reverse=True)[:3]
    assert [v for _, v in r.trailers] == sorted(values.values())[:3]
    assert not {w for w, _ in r.leaders} & {w for w, _ in r.trailers}
    assert r.left_out == f.completeness.missing_units
    plan = f.ranking("quy_vnn", by="of_plan")
    assert plan.leaders[0] == ("Phường Duy Tân", pytest.approx(1.02)) or plan.leaders[0][1] >= 1.02
    share = f.ranking("hop_ban_ctmt", 2)
    ratios = [v.count / v.total for _, v in share.trailers]
    assert ratios == sorted(ratios)
    per = f.ranking("tuyen_truyen_buoi", 2, by="per_unit")
    assert per.leaders[0][1] >= per.leaders[1][1]
    with pytest.raises(ValueError, match="ranking"):
        f.ranking("tuyen_truyen_luot", by="size")
    with pytest.raises(KeyError):
        f.ranking("no_such_indicator")


def test_a_late_ward_is_left_out_of_both_sides_of_every_comparison(scratch):
    """A ward that sent nothing for a month of the period counts in last year's figure and in the plan but not in
    this period's: compared as it is, the province seems to fall by that ward. like_for_like compares the wards that
    sent every month, on both sides (the adversarial finding: "giảm 20,2%" that was only a late ward)."""
    full = load_province(scratch).figures("2022-H1")
    assert full.like_for_like is full  # every ward sent every month of 2022-H1
    execute(scratch, "DELETE FROM bao_cao WHERE phuong_xa = 'duy-tan' AND nam = 2022 AND thang IN (5, 6)")
    f = load_province(scratch).figures("2022-H1")
    assert list(f.completeness.not_sent) == ["Phường Duy Tân"]
    same = f.like_for_like
    assert "Phường Duy Tân" not in same.wards and len(same.wards) == WARDS - 1
    others = "phuong_xa <> 'duy-tan'"
    for period, figures in (("2022-H1", same), ("2021-H1", same.last_year), ("2021-H2", same.previous)):
        (expected,) = query(
            scratch, f"SELECT SUM(quy_vnn) FROM bao_cao WHERE {others} AND ({months_where(period)})"
        )[0]
        assert figures.quy_vnn == expected, period
    (plan,) = query(scratch, f"SELECT SUM(quy_vnn) FROM ke_hoach WHERE nam = 2022 AND {others}")[0]
    assert same.plan("quy_vnn") == plan and f.plan("quy_vnn") > plan
    (with_late,) = query(scratch, f"SELECT SUM(quy_vnn) FROM bao_cao WHERE {months_where('2021-H1')}")[0]
    assert f.last_year.quy_vnn == with_late  # the figures themselves still sum every ward
    assert (
        f.quy_vnn
        == same.quy_vnn
        + query(
            scratch,
            f"SELECT SUM(quy_vnn) FROM bao_cao WHERE phuong_xa = 'duy-tan' AND ({months_where('2022-H1')})",
        )[0][0]
    )  # what Duy Tân sent (January–April) is in the stated figure, not in the compared one
    # a ward whole now but not in the same period last year is left out too: the skew would run backwards
    execute(scratch, "DELETE FROM bao_cao WHERE phuong_xa = 'my-thuan' AND nam = 2021 AND thang = 3")
    f = load_province(scratch).figures("2022-H1")
    assert "Phường Mỹ Thuận" not in f.completeness.missing_units
    assert {"Phường Duy Tân", "Phường Mỹ Thuận"}.isdisjoint(f.like_for_like.wards)
    assert len(f.like_for_like.wards) == WARDS - 2
    # ... named, with the month it lacked; the late ward is named by the completeness
    assert f.left_out(f.like_for_like) == {"Phường Mỹ Thuận": [(2021, 3)]}
    # the plan of 2022 is judged over the wards whole from January 2022: last year's gap does not matter there
    assert "Phường Mỹ Thuận" in f.for_plan.wards and "Phường Duy Tân" not in f.for_plan.wards
    assert f.left_out(f.for_plan) == {}
    # after June, the months from January count: Duy Tân's May and June leave it out of the 2022-H2 plan ratio
    h2 = load_province(scratch).figures("2022-H2")
    assert "Phường Duy Tân" not in h2.completeness.missing_units
    assert "Phường Duy Tân" not in h2.for_plan.wards and "Phường Duy Tân" in h2.like_for_like.wards
    assert h2.left_out(h2.for_plan) == {"Phường Duy Tân": [(2022, 5), (2022, 6)]}
    # ... and out of the ranking on the plan (its year to date is only short), not out of the period's own
    on_plan = h2.ranking("quy_vnn", 20, by="of_plan")
    assert "Phường Duy Tân" in on_plan.left_out
    assert "Phường Duy Tân" not in [w for w, _ in on_plan.leaders + on_plan.trailers]
    own = h2.ranking("tuyen_truyen_luot", 20)
    assert "Phường Duy Tân" in [w for w, _ in own.leaders + own.trailers] and not own.left_out
    with pytest.raises(KeyError):
        load_province(scratch).only(["nowhere"])


def test_the_latest_tor_report_of_a_province_names_its_ward(province):
    """`reportkit check` notes a roll-up dated before a tổ's report it sums, as it does a ward's report."""
    prov = load_province(province)
    day, who, month = prov.last_report("2022-H1")
    wards = [prov.datasets[e.code].last_report("2022-H1") for e in prov.wards]
    assert day == max(w[0] for w in wards if w) and month[0] == 2022 and month[1] <= 6
    assert re.fullmatch(r"tổ \d+ của [Pp]hường .+", who), who


def test_a_period_without_data(province):
    prov = load_province(province)
    with pytest.raises(ValueError, match="Không có số liệu"):
        prov.figures("2024-H1")
    assert not prov.figures("2023").available  # the data end in June 2023
    with pytest.raises(KeyError, match="no ward"):
        prov.dataset("nowhere")


def test_a_ward_that_skipped_a_month_is_told_which_month_it_lacks(scratch):
    execute(scratch, "DELETE FROM bao_cao WHERE phuong_xa = 'duy-tan' AND nam = 2021 AND thang IN (4, 5)")
    ds = load(with_unit(scratch, "duy-tan"))
    assert (ds.first_month, ds.last_month) == ((2021, 1), (2023, 6))  # its first and last months hide the gap
    told = "dữ liệu của Phường Duy Tân có từ tháng 01/2021 đến tháng 06/2023 nhưng thiếu các tháng 04/2021, 05/2021"
    assert not ds.covers("2021-H1") and ds.shortfall("2021-H1") == told
    assert ds.shortfall("2021-Q1") is None and ds.covers("2021-Q1")
    assert ds.shortfall("2021-05").endswith("nhưng thiếu tháng 05/2021")
    with pytest.raises(
        ValueError, match=r"Không có số liệu cho tháng 5 năm 2021 \(2021-05\): .* thiếu tháng 05/2021"
    ):
        ds.figures("2021-05")
    assert ds.shortfall("2023-H2") == "dữ liệu của Phường Duy Tân có từ tháng 01/2021 đến tháng 06/2023"


def test_the_rollup_of_a_ward_with_no_rows(scratch, sample_ward):
    _add_empty_ward(scratch, sample_ward.catalog)
    f = load_province(scratch).figures("2022-H1")
    assert f.wards["Phường An Bình"] is None and f.by_unit.loc["Phường An Bình"].isna().all()
    assert f.completeness.not_sent["Phường An Bình"] == list(vn.Period("2022-H1").months)
    assert "Phường An Bình" in f.ranking("tuyen_truyen_luot").left_out
    assert f.hop_ban_ctmt.total == sum(len(load(scratch, unit=w.code).ward.units) for w in wards(scratch))


def test_bad_rows_stop_the_rollup_and_are_all_listed(scratch):
    rid = query(scratch, "SELECT MIN(id) FROM bao_cao WHERE phuong_xa = 'duy-tan'")[0][0]
    execute(scratch, f"UPDATE bao_cao SET vu_viec_antt = -2 WHERE id = {rid}",
            "UPDATE bao_cao SET to_dan_pho = 'Tổ 99' WHERE id = (SELECT MAX(id) FROM bao_cao)")  # fmt: skip
    with pytest.raises(DataError) as info:
        load_province(scratch)  # all or nothing, every problem of every ward
    assert {p.kind for p in info.value.problems} == {"negative", "unknown_unit"}


def test_no_province_to_roll_up(tmp_path, sample_ward):
    one = f"sqlite:///{tmp_path / 'one.db'}"
    sample_ward.to_sql(one)
    with pytest.raises(UnitError, match="not a province"):
        load_province(one)
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    with pytest.raises(DataError) as info:
        load_province(f"sqlite:///{path}")
    assert {p.sheet for p in info.value.problems} == {"reportkit_meta", "bao_cao"}
    with pytest.raises(FileNotFoundError):
        load_province(f"sqlite:///{tmp_path / 'missing.db'}")
    assert not (tmp_path / "missing.db").exists()
    wardless = f"sqlite:///{tmp_path / 'wardless.db'}"
    from reportkit.data.sql import write_province

    write_province(wardless, sample.PROVINCE, sample_ward.catalog, [])
    with pytest.raises(DataError, match="ít nhất một phường"):
        load_province(wardless)
