"""reportkit.data on a real PostgreSQL: a copy of the sample ward made with ``to_sql`` gives the workbooks' figures.

The server tests need ``REPORTKIT_TEST_POSTGRES_URL`` (``.ci/run`` sets one up), e.g.
``postgresql+psycopg://reportkit:reportkit@127.0.0.1:5432/reportkit_test``; every copy goes into a schema of its own,
dropped at the end. The connection-error tests need no server.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
from pathlib import Path

import pg_server
import pytest
import sqlalchemy as sa

import reportkit
from reportkit import vn
from reportkit.data import DataError, UnitCount, load

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "duy-tan"
BASE = os.environ.get("REPORTKIT_TEST_POSTGRES_URL")
HAS_PSYCOPG = importlib.util.find_spec("psycopg") is not None
needs_psycopg = pytest.mark.skipif(
    not HAS_PSYCOPG, reason="psycopg is not installed (pip install -e '.[test]')"
)


@pytest.fixture(scope="module")
def server() -> sa.Engine:
    reason = pg_server.skip_reason()
    if reason:
        pytest.skip(reason)
    engine = sa.create_engine(BASE)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def new_schema(server):
    """A factory: an empty schema of this run → the URL that reads and writes there (dropped afterwards)."""
    with contextlib.ExitStack() as made:
        yield lambda: made.enter_context(pg_server.new_schema("reportkit_test"))


def _execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.begin() as c:
            for s in statements:
                c.execute(sa.text(s))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def ds():
    return load(SAMPLE, cache=False)


@pytest.fixture(scope="module")
def copy(ds, new_schema):
    url = new_schema()
    ds.to_sql(url, replace=True)
    return url, reportkit.load(url)


# ------------------------------------------------------------ the same figures as the workbooks


def test_postgres_copy_gives_the_workbooks_figures(ds, copy):
    _, db = copy
    for p in ("2021-H2", "2022-H1", "2023-H1", "2022"):
        assert db.figures(p).as_dict() == ds.figures(p).as_dict(), p
        assert db.completeness(p) == ds.completeness(p), p
        assert db.figures(p).of_plan("quy_vnn") == ds.figures(p).of_plan("quy_vnn"), p
    assert db.ward.as_dict() == ds.ward.as_dict()
    assert (db.first_month, db.last_month) == ((2021, 1), (2023, 6))
    assert db.figures("2021-H2").previous.period.spec == "2021-H1"

    h1 = db.figures("2022-H1")  # the DESIGN.md table, read back from PostgreSQL
    assert h1.tap_huan_luot == 11 and str(h1.hop_ban_ctmt) == "10/10"
    assert (h1.tuyen_truyen_buoi, h1.tuyen_truyen_luot) == (11, 1236) and vn.about(1236) == "trên 1.200"
    assert str(h1.hang_viet_phoi_hop) == "10/10" and h1.hang_viet_nguoi == 1483
    assert h1.quy_vnn == 153_000_000 and h1.plan("quy_vnn") == 150_000_000
    assert vn.percent(h1.of_plan("quy_vnn")) == "102%" and h1.plan("giam_ho_ngheo") == 13
    assert h1.to_tu_quan_an_ninh == UnitCount(1, 10, ["Tổ 3"]) and h1.clb_phap_luat.units == ["Tổ 6", "Tổ 8"]
    assert h1.vu_viec_antt == 12 and h1.last_year.vu_viec_antt == 15
    assert (h1.hoi_nghi_cu_tri, h1.cu_tri_luot) == (20, 1128) and h1.kien_toan_ban_ctmt.count == 3
    assert h1.ung_dung_khcn.units == ["Tổ 1", "Tổ 3", "Tổ 6", "Tổ 10"] and str(h1.completeness) == "10/10"

    h23 = db.figures("2023-H1")  # Tổ 9 did not send June 2023: known as missing, never zero
    c = h23.completeness
    assert c.missing == [("Tổ 9", (2023, 6))] and str(c) == "9/10" and (c.reported, c.expected) == (59, 60)
    assert str(h23.hop_ban_ctmt) == "8/10"


def test_the_tables_are_in_the_schema_and_the_password_is_nowhere(ds, copy):
    url, db = copy
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            assert set(sa.inspect(c).get_table_names()) == {"reportkit_meta", "bao_cao", "ke_hoach"}
            assert c.execute(sa.text("SELECT count(*) FROM bao_cao")).scalar() == len(ds._rows) == 299
    finally:
        engine.dispose()
    secret = (
        f":{sa.engine.make_url(url).password}@"  # as it stands in the URL (CI's password is the user name)
    )
    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    assert ":***@" in shown and secret not in shown
    assert [s.path for s in db.sources] == [f"{shown}#bao_cao", f"{shown}#ke_hoach"]
    assert all(len(s.sha256) == 64 for s in db.sources)
    assert set(db.explain("quy_vnn", "2022-H1")["file"]) == {shown}
    with pytest.raises(FileExistsError, match=r"already holds reportkit tables") as info:
        ds.to_sql(url)
    assert shown in str(info.value) and secret not in str(info.value)


def test_explain_adds_up(copy):
    _, db = copy
    for period in ("2022-H1", "2023-H1"):
        figures = db.figures(period)
        for ind in db.catalog:
            df = db.explain(ind.id, period)
            total = df.attrs["total"]
            assert total == figures.values[ind.id], (ind.id, period)
            assert set(df["sheet"]) <= {"bao_cao"}
            if isinstance(total, UnitCount):
                assert sorted(df["unit"].unique(), key=vn.sort_key) == total.units
            else:
                assert df["value"].sum() == total, (ind.id, period)
    june = db.explain("vu_viec_antt", "2023-H1")
    assert "Tổ 9" not in set(june[june.month == "2023-06"]["unit"])


def test_a_bare_postgresql_url_works(ds, copy):
    url, _ = (
        copy  # SQLAlchemy reads "postgresql://" as psycopg2; reportkit uses psycopg when that is what's there
    )
    bare = sa.engine.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    assert load(bare).figures("2022-H1").as_dict() == ds.figures("2022-H1").as_dict()


def test_native_postgres_column_types(ds, new_schema):
    """A province's own tables: NUMERIC money, BOOLEAN marks, DATE dates, VARCHAR names read like the copy."""
    url = new_schema()
    ds.to_sql(url)
    _execute(
        url,
        "ALTER TABLE bao_cao ALTER COLUMN quy_vnn TYPE numeric(15, 2)",
        "ALTER TABLE bao_cao ALTER COLUMN tuyen_truyen_luot TYPE numeric",
        "ALTER TABLE bao_cao ALTER COLUMN vu_viec_antt TYPE smallint",
        "ALTER TABLE bao_cao ALTER COLUMN to_tu_quan_an_ninh TYPE boolean USING to_tu_quan_an_ninh::boolean",
        "ALTER TABLE bao_cao ALTER COLUMN hop_ban_ctmt TYPE boolean USING hop_ban_ctmt::boolean",
        "ALTER TABLE bao_cao ALTER COLUMN ngay_bao_cao TYPE date USING to_date(ngay_bao_cao, 'DD/MM/YYYY')",
        "ALTER TABLE bao_cao ALTER COLUMN to_dan_pho TYPE varchar(40)",
        "ALTER TABLE ke_hoach ALTER COLUMN quy_vnn TYPE numeric(15, 0)",
    )
    db = load(url)
    for p in ("2022-H1", "2023-H1"):
        assert db.figures(p).as_dict() == ds.figures(p).as_dict(), p
    assert db.figures("2022-H1").of_plan("quy_vnn") == pytest.approx(1.02)
    ex = db.explain("quy_vnn", "2022-H1")
    assert ex["value"].sum() == 153_000_000 and all(type(v) is int for v in ex["raw"])


# ------------------------------------------------------------ bad rows and bad connections


def test_bad_rows_are_located_like_cells(ds, new_schema):
    url = new_schema()
    ds.to_sql(url)
    _execute(
        url,
        "UPDATE bao_cao SET vu_viec_antt = -1 WHERE id = 5",
        "INSERT INTO bao_cao (id, to_dan_pho, nam, thang, vu_viec_antt) VALUES (1000, 'Tổ 11', 2022, 1, 3)",
    )
    with pytest.raises(DataError) as info:
        load(url)
    shown = sa.engine.make_url(url).render_as_string(hide_password=True)
    got = [(p.kind, p.file, p.sheet, p.row, p.column, p.value) for p in info.value.problems]
    assert got == [
        ("negative", shown, "bao_cao", 5, "vu_viec_antt", -1),
        ("unknown_unit", shown, "bao_cao", 1000, "to_dan_pho", "Tổ 11"),
    ]
    text = str(info.value)
    assert "bao_cao" in text and "Tổ 11" in text and "1000" in text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@needs_psycopg
def test_an_unreachable_server_is_a_clear_error(ds):
    port = _closed_port()
    url = f"postgresql+psycopg://reportkit:s3cret-pw@127.0.0.1:{port}/reportkit_test"
    for attempt in (lambda: load(url), lambda: ds.to_sql(url)):
        with pytest.raises(ConnectionError) as info:
            attempt()
        msg = str(info.value)
        assert msg.startswith(
            f"cannot connect to postgresql+psycopg://reportkit:***@127.0.0.1:{port}/reportkit_test: "
        )
        assert f"port {port}" in msg and "s3cret-pw" not in msg
        assert (
            info.value.__cause__ is None and info.value.__suppress_context__
        )  # no SQLAlchemy traceback chained


def test_a_wrong_password_is_a_clear_error(copy):
    url, _ = copy
    wrong = sa.engine.make_url(url).set(password="not-the-password")
    with pytest.raises(ConnectionError) as info:
        load(wrong.render_as_string(hide_password=False))
    msg = str(info.value)
    assert msg.startswith(f"cannot connect to {wrong.render_as_string(hide_password=True)}: ")
    assert "password authentication failed" in msg and "not-the-password" not in msg


def test_bad_urls_are_clear_errors():
    with pytest.raises(ValueError, match=r"unknown database kind “postgresq” in postgresq://u:\*\*\*@h/db"):
        load("postgresq://u:pw@h/db")
    with pytest.raises(ValueError, match=r"not a database URL: postgresql://u:\*\*\*@h:port/db") as info:
        load("postgresql://u:pw@h:port/db")
    assert "pw" not in str(info.value).replace("postgresql", "")
    if importlib.util.find_spec("pg8000") is None:
        with pytest.raises(ModuleNotFoundError, match=r"postgresql\+pg8000://u:\*\*\*@h/db is not installed"):
            load("postgresql+pg8000://u:pw@h/db")
