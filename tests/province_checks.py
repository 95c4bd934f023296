"""Checks of a province database that SQLite and PostgreSQL tests share: plain SQL, and the digest's response to
one changed figure."""

from __future__ import annotations

import sqlalchemy as sa

from reportkit import vn


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
