"""SQL through SQLAlchemy: the same ward in a database (SQLite file by default; any SQLAlchemy URL).

Layout (what ``Dataset.to_sql`` writes and ``load(url)`` reads):

- ``reportkit_meta(name, content)``: the rows "ward" and "catalog" hold ward.yaml and catalog.yaml as text;
- ``bao_cao``: one row per tổ and month — ``id`` (row number shown in errors), ``to_dan_pho``, ``nam``,
  ``thang``, one column per indicator (named by its id or any header the catalog knows), ``ngay_bao_cao``,
  ``ghi_chu``; NULL means "not reported"; yes/no as 1/0; amounts in đồng;
- ``ke_hoach``: ``nam`` and one column per planned indicator.
Values go through the same validation as the workbooks, so a database row is checked like a spreadsheet row.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
import yaml

from reportkit.core.redact import Redactor, mask_url
from reportkit.data import readers
from reportkit.data.dataset import Dataset, Source, combine
from reportkit.data.errors import DataError, Problem
from reportkit.data.model import Catalog, Indicator, Ward

META, REPORTS, PLAN = "reportkit_meta", "bao_cao", "ke_hoach"
CONNECT_TIMEOUT = 10  # seconds; libpq would otherwise wait on an unreachable host for minutes


def _masked(url: str) -> str:
    return mask_url(url)


def _engine(url: str) -> tuple[sa.Engine, str]:
    """The engine for ``url`` and the URL as messages show it (password masked), or a clear error.

    A bare ``postgresql://`` means psycopg2 to SQLAlchemy; when only psycopg (3) is installed, that is used.
    """
    shown = _masked(url)
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError) as err:
        raise ValueError(f"not a database URL: {shown} ({err})") from None
    connect_args = {}
    if parsed.get_backend_name() == "postgresql":
        bare = parsed.drivername == "postgresql"
        if bare and not importlib.util.find_spec("psycopg2") and importlib.util.find_spec("psycopg"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        if parsed.get_driver_name() in ("psycopg", "psycopg2") and "connect_timeout" not in parsed.query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT
    try:
        return sa.create_engine(parsed, connect_args=connect_args), shown
    except sa.exc.NoSuchModuleError:
        raise ValueError(
            f"unknown database kind “{parsed.drivername}” in {shown}: expected e.g. sqlite:///ward.db or "
            "postgresql://user:password@host/database"
        ) from None
    except ImportError as err:
        raise ModuleNotFoundError(
            f"the database driver for {shown} is not installed ({err}); for PostgreSQL: pip install 'psycopg[binary]'",
            name=err.name,
        ) from None


@contextmanager
def _connect(engine: sa.Engine, shown: str) -> Iterator[sa.Connection]:
    """A connection, or ConnectionError naming the URL (password masked) and the server's reason."""
    try:
        conn = engine.connect()
    except sa.exc.DBAPIError as err:
        reason = " ".join(str(err.orig).split())
        secrets = [engine.url.render_as_string(hide_password=False), engine.url.password or ""]
        secrets += [str(v) for k, v in engine.url.query.items() if "pass" in k.lower()]
        reason = Redactor(secrets).text(reason)
        raise ConnectionError(f"cannot connect to {shown}: {reason}") from None
    with conn:
        yield conn


def _plain(value: object) -> object:
    # NUMERIC columns (the usual type for money in PostgreSQL) come back as Decimal; cells are int/float/str
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _grid(conn, table: sa.Table) -> tuple[readers.Grid, str]:
    cols = [c.name for c in table.columns]
    order = [table.c.id] if "id" in cols else []
    result = conn.execute(sa.select(table).order_by(*order))
    rows = [[_plain(v) for v in r] for r in result]
    numbers = None
    if "id" in cols:
        idx = cols.index("id")
        numbers = [0, *(r[idx] for r in rows)]
        cols = [c for c in cols if c != "id"]
        rows = [r[:idx] + r[idx + 1 :] for r in rows]
    digest = hashlib.sha256(repr((cols, rows)).encode("utf-8")).hexdigest()
    return readers.Grid(table.name, [cols, *rows], row_numbers=numbers), digest


def load_sql(url: str) -> Dataset:
    engine, shown = _engine(url)
    try:
        parsed = engine.url
        database = parsed.database or ""
        # SQLite would create an empty file for a mistyped path: a load must not leave files behind
        on_disk = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
        if on_disk and not database.startswith("file:") and not Path(database).is_file():
            raise FileNotFoundError(f"no SQLite database {database} (from {shown})")
        with _connect(engine, shown) as conn:
            md = sa.MetaData()
            md.reflect(conn, only=lambda name, _: name in (META, REPORTS, PLAN))
            missing = [t for t in (META, REPORTS) if t not in md.tables]
            if missing:
                raise DataError(
                    [Problem("no_table", shown, t, None, None, None, f"bảng {t}") for t in missing]
                )
            meta = dict(conn.execute(sa.select(md.tables[META].c.name, md.tables[META].c.content)).all())
            for name in ("ward", "catalog"):
                if name not in meta:
                    raise DataError([Problem("no_table", shown, META, None, "name", name, f"dòng “{name}”")])
            ward = Ward.from_mapping(yaml.safe_load(meta["ward"]), f"{shown}#{META}.ward")
            catalog = Catalog.from_text(meta["catalog"])
            grid, digest = _grid(conn, md.tables[REPORTS])
            sources = [Source(f"{shown}#{REPORTS}", digest)]
            results = [(readers.read_reports(None, [grid], shown, ward, catalog), shown)]
            if PLAN in md.tables:
                pgrid, pdigest = _grid(conn, md.tables[PLAN])
                sources.append(Source(f"{shown}#{PLAN}", pdigest))
                results.append((readers.read_plan([pgrid], shown, catalog), shown))
    finally:
        engine.dispose()
    return combine(ward, catalog, results, sources, shown, source_of={shown: f"{shown}#{REPORTS}"},
                   plan_source_of={shown: f"{shown}#{PLAN}"})  # fmt: skip


def _column_type(ind: Indicator):
    return getattr(sa, ind.type.sql_type)


def write_sql(ds: Dataset, url: str, *, replace: bool = False) -> None:
    """Write ``ds`` in the layout above, in one transaction (all or nothing)."""
    engine, shown = _engine(url)
    try:
        md = sa.MetaData()
        meta = sa.Table(
            META, md, sa.Column("name", sa.String(32), primary_key=True), sa.Column("content", sa.Text)
        )
        ind_cols = [sa.Column(i.id, _column_type(i)) for i in ds.catalog]
        reports = sa.Table(
            REPORTS, md,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("to_dan_pho", sa.Text, nullable=False),
            sa.Column("nam", sa.Integer, nullable=False),
            sa.Column("thang", sa.Integer, nullable=False),
            *ind_cols,
            sa.Column("ngay_bao_cao", sa.String(10)),
            sa.Column("ghi_chu", sa.Text),
            sa.UniqueConstraint("to_dan_pho", "nam", "thang"),
        )  # fmt: skip
        planned = [i for i in ds.catalog if any(i.id in v for v in ds.plans.values())]
        plan = sa.Table(PLAN, md, sa.Column("nam", sa.Integer, primary_key=True),
                        *[sa.Column(i.id, _column_type(i)) for i in planned])  # fmt: skip
        ward_doc = ds.ward.as_dict()
        ward_doc.update(catalog="catalog.yaml", plan=None)
        with _connect(engine, shown) as conn, conn.begin():
            existing = set(sa.inspect(conn).get_table_names())
            if existing & {META, REPORTS, PLAN} and not replace:
                raise FileExistsError(
                    f"{shown} already holds reportkit tables; pass replace=True to overwrite"
                )
            md.drop_all(conn, checkfirst=True)
            md.create_all(conn)
            conn.execute(meta.insert(), [{"name": "ward", "content": yaml.safe_dump(ward_doc, allow_unicode=True)},
                                         {"name": "catalog", "content": ds.catalog.text}])  # fmt: skip
            recs = []
            for n, ((unit, (y, m)), (row, _)) in enumerate(
                sorted(ds._rows.items(), key=lambda kv: (kv[0][1], kv[0][0])), 1
            ):
                rec = {"id": n, "to_dan_pho": unit, "nam": y, "thang": m,
                       "ngay_bao_cao": row.report_date.strftime("%d/%m/%Y") if row.report_date else None,
                       "ghi_chu": row.note}  # fmt: skip
                for i in ds.catalog:
                    rec[i.id] = i.type.sql_value(row.values.get(i.id))
                recs.append(rec)
            if recs:
                conn.execute(reports.insert(), recs)
            prow = [{"nam": y, **{i.id: v.get(i.id) for i in planned}} for y, v in sorted(ds.plans.items())]
            if prow:
                conn.execute(plan.insert(), prow)
    finally:
        engine.dispose()
