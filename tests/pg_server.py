"""The PostgreSQL server the tests share (``REPORTKIT_TEST_POSTGRES_URL``; ``.ci/run`` sets one up): why a test
must skip, and a schema of its own for each test's data, dropped afterwards."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

BASE = os.environ.get("REPORTKIT_TEST_POSTGRES_URL")


def skip_reason() -> str | None:
    """None when the server is reachable with psycopg; else why not (the URL shown without its password)."""
    if not BASE:
        return "REPORTKIT_TEST_POSTGRES_URL is not set (.ci/run sets up a local PostgreSQL and exports it)"
    if importlib.util.find_spec("psycopg") is None:
        return "psycopg is not installed (pip install -e '.[test]')"
    engine = sa.create_engine(BASE, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            return None
    except sa.exc.DBAPIError as err:
        shown = sa.engine.make_url(BASE).render_as_string(hide_password=True)
        return f"PostgreSQL at {shown} is not reachable: {' '.join(str(err.orig).split())}"
    finally:
        engine.dispose()


@contextlib.contextmanager
def new_schema(prefix: str) -> Iterator[str]:
    """An empty schema ``<prefix>_<random>`` → the URL that reads and writes there; the test skips without a
    server, and the schema is dropped however the test ends."""
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server = sa.create_engine(BASE)
    try:
        with server.begin() as c:
            c.execute(sa.text(f'CREATE SCHEMA "{name}"'))
        url = sa.engine.make_url(BASE).update_query_dict({"options": f"-csearch_path={name}"})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with server.begin() as c:
                c.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
    finally:
        server.dispose()
