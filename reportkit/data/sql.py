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
from pathlib import Path

import sqlalchemy as sa
import yaml

from reportkit.data import readers
from reportkit.data.dataset import Dataset, Source, combine
from reportkit.data.errors import DataError, Problem
from reportkit.data.model import Catalog, Ward

META, REPORTS, PLAN = "reportkit_meta", "bao_cao", "ke_hoach"


def _masked(url: str) -> str:
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _grid(conn, table: sa.Table) -> tuple[readers.Grid, str]:
    cols = [c.name for c in table.columns]
    order = [table.c.id] if "id" in cols else []
    result = conn.execute(sa.select(table).order_by(*order))
    rows = [list(r) for r in result]
    numbers = None
    if "id" in cols:
        idx = cols.index("id")
        numbers = [0, *(r[idx] for r in rows)]
        cols = [c for c in cols if c != "id"]
        rows = [r[:idx] + r[idx + 1 :] for r in rows]
    digest = hashlib.sha256(repr((cols, rows)).encode("utf-8")).hexdigest()
    return readers.Grid(table.name, [cols, *rows], row_numbers=numbers), digest


def load_sql(url: str) -> Dataset:
    shown = _masked(url)
    parsed = sa.engine.make_url(url)
    database = parsed.database or ""
    # SQLite would create an empty file for a mistyped path: a load must not leave files behind
    on_disk = parsed.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if on_disk and not database.startswith("file:") and not Path(database).is_file():
        raise FileNotFoundError(f"no SQLite database {database} (from {shown})")
    engine = sa.create_engine(url)
    try:
        md = sa.MetaData()
        md.reflect(engine, only=lambda name, _: name in (META, REPORTS, PLAN))
        missing = [t for t in (META, REPORTS) if t not in md.tables]
        if missing:
            raise DataError([Problem("no_table", shown, t, None, None, None, f"bảng {t}") for t in missing])
        with engine.connect() as conn:
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
    return combine(ward, catalog, results, sources, shown)


def _column_type(kind: str):
    return {"count": sa.Integer, "amount": sa.BigInteger, "yesno": sa.Integer, "text": sa.Text}[kind]


def write_sql(ds: Dataset, url: str, *, replace: bool = False) -> None:
    """Write ``ds`` in the layout above, in one transaction (all or nothing)."""
    engine = sa.create_engine(url)
    try:
        md = sa.MetaData()
        meta = sa.Table(
            META, md, sa.Column("name", sa.String(32), primary_key=True), sa.Column("content", sa.Text)
        )
        ind_cols = [sa.Column(i.id, _column_type(i.kind)) for i in ds.catalog]
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
                        *[sa.Column(i.id, _column_type(i.kind)) for i in planned])  # fmt: skip
        existing = set(sa.inspect(engine).get_table_names())
        if existing & {META, REPORTS, PLAN} and not replace:
            raise FileExistsError(
                f"{_masked(url)} already holds reportkit tables; pass replace=True to overwrite"
            )
        ward_doc = ds.ward.as_dict()
        ward_doc.update(catalog="catalog.yaml", plan=None)
        with engine.begin() as conn:
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
                    v = row.values.get(i.id)
                    rec[i.id] = int(v) if isinstance(v, bool) else v
                recs.append(rec)
            if recs:
                conn.execute(reports.insert(), recs)
            prow = [{"nam": y, **{i.id: v.get(i.id) for i in planned}} for y, v in sorted(ds.plans.items())]
            if prow:
                conn.execute(plan.insert(), prow)
    finally:
        engine.dispose()
