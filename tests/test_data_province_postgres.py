"""A province of wards on a real PostgreSQL: the same layout, wards, digests (hashed by the server) and roll-up as
SQLite. Needs ``REPORTKIT_TEST_POSTGRES_URL`` (see tests/test_data_postgres.py); every province goes into a schema
of its own, dropped at the end, so other tests' tables in the shared database are never touched."""

from __future__ import annotations

import contextlib
import re

import pg_server
import pytest
from province_checks import check_digest_follows_one_figure, check_rollup_sums, query

from reportkit.data import UnitError, load, load_province, report_digest, report_digests, wards
from reportkit.data import sample_province as sample

WARDS = 6


@pytest.fixture(scope="module")
def new_schema():
    """A factory: an empty schema of this module → its URL (every one dropped afterwards)."""
    with contextlib.ExitStack() as made:
        yield lambda: made.enter_context(pg_server.new_schema("reportkit_province"))


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
