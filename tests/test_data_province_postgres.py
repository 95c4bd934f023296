"""A province of wards on a real PostgreSQL: the same layout, wards, digests (hashed by the server) and roll-up as
SQLite. Needs ``REPORTKIT_TEST_POSTGRES_URL`` (see tests/test_data_postgres.py); every province goes into a schema
of its own, dropped at the end, so other tests' tables in the shared database are never touched."""

from __future__ import annotations

import importlib.util
import os
import re
import uuid

import pytest
import sqlalchemy as sa
from province_checks import check_digest_follows_one_figure, check_rollup_sums, query

from reportkit.data import UnitError, load, load_province, report_digest, report_digests, wards
from reportkit.data import sample_province as sample

BASE = os.environ.get("REPORTKIT_TEST_POSTGRES_URL")
WARDS = 6


def _skip_reason() -> str | None:
    if not BASE:
        return "REPORTKIT_TEST_POSTGRES_URL is not set (.ci/run sets up a local PostgreSQL and exports it)"
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (pip install -e '.[test]')"
    engine = sa.create_engine(BASE, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            return None
    except sa.exc.DBAPIError as err:
        return f"PostgreSQL is not reachable: {' '.join(str(err.orig).split())}"
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def new_schema():
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    server = sa.create_engine(BASE)
    made = []

    def make() -> str:
        name = f"reportkit_province_{uuid.uuid4().hex[:12]}"
        with server.begin() as c:
            c.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        made.append(name)
        url = sa.engine.make_url(BASE).update_query_dict({"options": f"-csearch_path={name}"})
        return url.render_as_string(hide_password=False)

    yield make
    with server.begin() as c:
        for name in made:
            c.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    server.dispose()


@pytest.fixture(scope="module")
def province(new_schema) -> str:
    url = new_schema()
    sample.write(WARDS, url)
    return url


def test_postgres_holds_the_same_province_as_sqlite(province, tmp_path):
    lite = f"sqlite:///{tmp_path / 'p.db'}"
    sample.write(WARDS, lite)
    assert [(w.code, w.name, w.named_after) for w in wards(province)] == [
        (w.code, w.name, w.named_after) for w in wards(lite)
    ]
    for w in wards(province):
        for p in ("2022-H1", "2023-H1"):
            assert (
                load(province, unit=w.code).figures(p).as_dict()
                == load(lite, unit=w.code).figures(p).as_dict()
            )
    assert load(f"{province}&unit=duy-tan").ward.name == "Phường Duy Tân"  # the URL already has a query
    assert load(province, unit="duy-tan").figures("2022-H1").tuyen_truyen_luot == 1236


def test_without_a_ward_postgres_lists_them(province):
    with pytest.raises(UnitError) as info:
        load(province)
    assert info.value.units == [w.code for w in wards(province)]
    assert "reportkit:reportkit@" not in str(info.value)  # the password is masked


def test_the_server_hashes_and_one_changed_figure_changes_only_its_reports(new_schema):
    url = new_schema()
    sample.write(WARDS, url)
    d = report_digest(url, "2022-H1", "duy-tan")
    assert re.fullmatch(r"[0-9a-f]{64}", d)
    check_digest_follows_one_figure(url, "duy-tan", sample.ward_names(WARDS)[2].code)
    with pytest.raises(UnitError, match="nowhere"):
        report_digests(url, [("nowhere", "2022-H1")])


def test_the_rollup_is_the_sum_of_its_wards_by_sql(province):
    check_rollup_sums(province, "2022-H1")
    check_rollup_sums(province, "2023-H1")
    f = load_province(province).figures("2022-H1")
    total = query(province, "SELECT SUM(quy_vnn) FROM bao_cao WHERE nam = 2022 AND thang <= 6")[0][0]
    assert f.quy_vnn == total
