"""Checks of a province database that SQLite and PostgreSQL tests share: SQL sums computed here, independently of
reportkit's aggregation, and the digest's response to one changed figure."""

from __future__ import annotations

import sqlalchemy as sa

from reportkit import vn

SUMMED = ("tap_huan_luot", "tuyen_truyen_buoi", "tuyen_truyen_luot", "hang_viet_nguoi", "quy_vnn",
          "giam_ho_ngheo", "vu_viec_antt", "hoi_nghi_cu_tri", "cu_tri_luot")  # fmt: skip


def query(url: str, sql: str, **params) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            return [tuple(r) for r in c.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as c:
            for s in statements:
                c.execute(sa.text(s))
    finally:
        engine.dispose()


# periods that read March 2022 (their own months, the previous period, the same period last year, January to the
# end of the period), and periods that do not
READS_2022_03 = ("2022-03", "2022-04", "2023-03", "2022-Q1", "2022-Q2", "2022-Q3", "2023-Q1", "2022-H1",
                 "2022-H2", "2023-H1", "2022", "2022-9M")  # fmt: skip
SKIPS_2022_03 = ("2022-02", "2023-04", "2021-Q4", "2023-Q2", "2021-H1", "2021-H2", "2021", "2021-03")


def check_digest_follows_one_figure(url: str, ward: str, other: str) -> None:
    """Changing one figure of ``ward`` in March 2022 changes exactly its digests that read March 2022."""
    from reportkit.data import report_digests

    periods = READS_2022_03 + SKIPS_2022_03
    runs = [(u, p) for u in (ward, other) for p in periods]
    before = report_digests(url, runs)
    assert report_digests(url, runs) == before  # stable
    assert len(set(before.values())) == len(runs)  # every ward and period its own
    execute(url, f"UPDATE bao_cao SET vu_viec_antt = vu_viec_antt + 1 WHERE phuong_xa = '{ward}' AND nam = 2022 "
                 "AND thang = 3 AND id = (SELECT MIN(id) FROM bao_cao WHERE phuong_xa = "
                 f"'{ward}' AND nam = 2022 AND thang = 3)")  # fmt: skip
    after = report_digests(url, runs)
    changed = {p for (u, p), h in after.items() if before[(u, p)] != h and u == ward}
    assert changed == {vn.Period(p).spec for p in READS_2022_03}
    assert all(after[(other, p)] == before[(other, p)] for p in periods)
    # a plan row: the reports of the plan's year and those that compare with it
    execute(url, f"UPDATE ke_hoach SET quy_vnn = quy_vnn + 1000000 WHERE phuong_xa = '{ward}' AND nam = 2021")
    again = report_digests(url, runs)
    changed = {p for (u, p), h in again.items() if after[(u, p)] != h and u == ward}
    assert changed == {"2021-H1", "2021-H2", "2021", "2021-Q4", "2021-03", "2022-03", "2022-04", "2022-Q1",
                       "2022-Q2", "2022-Q3", "2022-H1", "2022-H2", "2022", "2022-9M", "2022-02"}  # fmt: skip
    assert all(again[(other, p)] == after[(other, p)] for p in periods)


def months_where(period: str) -> str:
    p = vn.Period(period)
    return " OR ".join(f"(nam = {y} AND thang = {m})" for y, m in p.months)


def sql_sums(url: str, period: str) -> dict[str, int]:
    """SELECT SUM(<indicator>) over every ward's rows of the period, one indicator at a time."""
    where = months_where(period)
    return {
        c: int(query(url, f"SELECT COALESCE(SUM({c}), 0) FROM bao_cao WHERE {where}")[0][0]) for c in SUMMED
    }


def check_rollup_sums(url: str, period: str = "2022-H1") -> None:
    from reportkit.data import load, load_province, wards

    prov = load_province(url)
    f = prov.figures(period)
    sums = sql_sums(url, period)
    for ident, total in sums.items():
        assert f.values[ident] == total, (ident, period)
        assert sum(v for v in f.by_unit[ident] if v is not None) == total, ident
    where = months_where(period)
    # every month yes (hop_ban_ctmt): tổ with a row in each month of the period, all yes
    months = len(vn.Period(period).months)
    every = query(url, f"SELECT COUNT(*) FROM (SELECT phuong_xa, to_dan_pho FROM bao_cao WHERE {where} "
                       f"GROUP BY phuong_xa, to_dan_pho HAVING COUNT(*) = {months} AND MIN(hop_ban_ctmt) = 1) t")[0][0]  # fmt: skip
    anyone = query(url, f"SELECT COUNT(*) FROM (SELECT phuong_xa, to_dan_pho FROM bao_cao WHERE {where} "
                        "GROUP BY phuong_xa, to_dan_pho HAVING MAX(hang_viet_phoi_hop) = 1) t")[0][0]  # fmt: skip
    units = sum(len(load(url, unit=e.code).ward.units) for e in wards(url))
    assert (f.hop_ban_ctmt.count, f.hop_ban_ctmt.total) == (every, units)
    assert (f.hang_viet_phoi_hop.count, f.hang_viet_phoi_hop.total) == (anyone, units)
    plan = query(url, f"SELECT SUM(quy_vnn) FROM ke_hoach WHERE nam = {vn.Period(period).year}")[0][0]
    assert f.plan("quy_vnn") == plan
    # wards that sent nothing for a month: no row of any of their tổ that month
    sent = set(query(url, f"SELECT DISTINCT phuong_xa, nam, thang FROM bao_cao WHERE {where}"))
    names = {e.code: e.name for e in wards(url)}
    expected = {
        names[code]: [ym for ym in vn.Period(period).months if (code, *ym) not in sent] for code in names
    }
    assert f.completeness.not_sent == {w: ms for w, ms in expected.items() if ms}
    last = vn.Period(period).same_period_last_year().spec
    assert f.last_year.tuyen_truyen_luot == sql_sums(url, last)["tuyen_truyen_luot"]
