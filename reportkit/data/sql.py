"""SQL through SQLAlchemy: a ward, or a province of wards, in a database (SQLite file by default; any SQLAlchemy URL).

One-ward layout (what ``Dataset.to_sql(url)`` writes and ``load(url)`` reads):

- ``reportkit_meta(name, content)``: the rows "ward" and "catalog" hold ward.yaml and catalog.yaml as text;
- ``bao_cao``: one row per tổ and month — ``id`` (row number shown in errors), ``to_dan_pho``, ``nam``,
  ``thang``, one column per indicator (named by its id or any header the catalog knows), ``ngay_bao_cao``,
  ``ghi_chu``; NULL means "not reported"; yes/no as 1/0; amounts in đồng;
- ``ke_hoach``: ``nam`` and one column per planned indicator.

Province layout (many wards, one catalog; ``write_province``, ``Dataset.to_sql(url, unit=…)``):

- ``reportkit_meta``: the rows "catalog" and "province" (the province's own description, ward.yaml's keys);
- ``phuong_xa(ma, ten, mo_ta)``: one row per ward — its code (``duy-tan``), name and ward.yaml as text;
- ``bao_cao`` and ``ke_hoach`` as above plus a ``phuong_xa`` column holding the ward's code; the unique index
  ``(phuong_xa, nam, thang, to_dan_pho)`` serves both a ward's load and the digest of a ward's months.

A ward of a province database is chosen with ``load(url, unit="duy-tan")`` or in the URL itself,
``sqlite:///province.db?unit=duy-tan`` (what a params file's ``data: …?unit={unit}`` gives the notebook).
Values go through the same validation as the workbooks, so a database row is checked like a spreadsheet row.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.util
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
import yaml

from reportkit import vn
from reportkit.core.redact import Redactor, mask_url
from reportkit.data import readers
from reportkit.data.dataset import Dataset, Source, combine
from reportkit.data.errors import DataError, Problem, UnitError
from reportkit.data.model import Catalog, Indicator, Ward, load_yaml

META, REPORTS, PLAN = "reportkit_meta", "bao_cao", "ke_hoach"
WARDS = "phuong_xa"  # province layout: the ward registry, and the ward's code column of bao_cao and ke_hoach
UNIT_QUERY = "unit"  # ?unit=<code> in a URL selects one ward of a province database
CONNECT_TIMEOUT = 10  # seconds; libpq would otherwise wait on an unreachable host for minutes


def _masked(url: str) -> str:
    return mask_url(url)


def split_unit(url: str) -> tuple[str, str | None]:
    """``(url without ?unit=…, the ward's code or None)``; other query keys stay.

    >>> split_unit("sqlite:///province.db?unit=duy-tan")
    ('sqlite:///province.db', 'duy-tan')
    """
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        return url, None  # _engine reports it with the masked URL
    unit = parsed.query.get(UNIT_QUERY)
    if unit is None:
        return url, None
    if isinstance(unit, tuple):
        raise ValueError(f"{_masked(url)}: give one ward, not {UNIT_QUERY}={'&'.join(unit)}")
    rest = parsed.difference_update_query([UNIT_QUERY]).render_as_string(hide_password=False)
    return rest, unit


def with_unit(url: str, unit: str) -> str:
    """The URL that selects ``unit`` of a province database (the form a params file's ``data`` takes)."""
    base, _ = split_unit(url)
    return (
        sa.engine.make_url(base).update_query_dict({UNIT_QUERY: unit}).render_as_string(hide_password=False)
    )


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
        engine = sa.create_engine(parsed, connect_args=connect_args)
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
    if engine.dialect.driver == "pysqlite":
        _transactional_ddl(engine)
    return engine, shown


def _transactional_ddl(engine: sa.Engine) -> None:
    # The sqlite3 module commits before CREATE/DROP TABLE on its own, so a write that fails half-way would leave
    # empty tables behind; SQLAlchemy's recipe: the driver starts no transaction, the engine begins one itself.
    @sa.event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):
        dbapi_connection.isolation_level = None

    @sa.event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


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


@contextmanager
def _open(url: str, *, must_exist: bool = True) -> Iterator[tuple[sa.Connection, str]]:
    """(connection, shown URL) for reading; a SQLite path that is not a file is FileNotFoundError (no empty file
    is created for a mistyped path)."""
    engine, shown = _engine(url)
    try:
        database = engine.url.database or ""
        on_disk = engine.url.get_backend_name() == "sqlite" and database not in ("", ":memory:")
        if must_exist and on_disk and not database.startswith("file:") and not Path(database).is_file():
            raise FileNotFoundError(f"no SQLite database {database} (from {shown})")
        with _connect(engine, shown) as conn:
            yield conn, shown
    finally:
        engine.dispose()


def _plain(value: object) -> object:
    # NUMERIC columns (the usual type for money in PostgreSQL) come back as Decimal; cells are int/float/str
    if isinstance(value, Decimal) and value.is_finite():
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _grid_of(name: str, cols: list[str], rows: list[list[object]]) -> tuple[readers.Grid, str]:
    """A table's rows as a Grid (row numbers = the ``id`` column, left out of the cells) and their sha256."""
    numbers = None
    if "id" in cols:
        idx = cols.index("id")
        numbers = [0, *(r[idx] for r in rows)]
        cols = [c for c in cols if c != "id"]
        rows = [r[:idx] + r[idx + 1 :] for r in rows]
    digest = hashlib.sha256(repr((cols, rows)).encode("utf-8")).hexdigest()
    return readers.Grid(name, [cols, *rows], row_numbers=numbers), digest


def _grid(conn, table: sa.Table) -> tuple[readers.Grid, str]:
    cols = [c.name for c in table.columns]
    order = [table.c.id] if "id" in cols else []
    result = conn.execute(sa.select(table).order_by(*order))
    return _grid_of(table.name, cols, [[_plain(v) for v in r] for r in result])


def _reflect(conn) -> sa.MetaData:
    md = sa.MetaData()
    md.reflect(conn, only=lambda name, _: name in (META, REPORTS, PLAN))
    return md


def _present(conn) -> set[str]:
    """The reportkit tables the database holds (one catalog query: a ward's load need not reflect them)."""
    return set(sa.inspect(conn).get_table_names()) & {META, REPORTS, PLAN, WARDS}


def _in(sql: str, column: str, codes: list[str] | None, where: str = "") -> sa.TextClause:
    """``sql`` with ``WHERE <column> IN :codes`` (no filter for None) and ``where`` added."""
    parts = ([f"{column} IN :codes"] if codes is not None else []) + ([where] if where else [])
    stmt = sa.text(sql + (" WHERE " + " AND ".join(parts) if parts else ""))
    return stmt.bindparams(sa.bindparam("codes", expanding=True)) if codes is not None else stmt


def _meta(conn, present: set[str], shown: str, names: tuple[str, ...]) -> dict[str, str]:
    missing = [t for t in (META, REPORTS) if t not in present]
    if missing:
        raise DataError([Problem("no_table", shown, t, None, None, None, f"bảng {t}") for t in missing])
    meta = dict(conn.execute(sa.text(f"SELECT name, content FROM {META}")).all())
    for name in names:
        if name not in meta:
            raise DataError([Problem("no_table", shown, META, None, "name", name, f"dòng “{name}”")])
    return meta


def load_sql(url: str, unit: str | None = None) -> Dataset:
    """One ward from a database: the whole database in the one-ward layout, or ``unit`` of a province database
    (also given as ``?unit=…`` in the URL). A province database without a unit is UnitError listing its wards."""
    url, in_url = split_unit(url)
    if unit is not None and in_url is not None and unit != in_url:
        raise ValueError(f"two wards asked for: unit={unit!r} and ?{UNIT_QUERY}={in_url} in {_masked(url)}")
    unit = unit if unit is not None else in_url
    with _open(url) as (conn, shown):
        present = _present(conn)
        if WARDS in present:
            return _load_ward(conn, present, shown, unit)
        if unit is not None:
            raise UnitError(
                f"{shown} holds one ward in the one-ward layout, not a province: load it without "
                f"unit={unit!r} (?{UNIT_QUERY}=…)",
                unit=unit,
                units=[],
            )
        meta = _meta(conn, present, shown, ("ward", "catalog"))
        ward = Ward.from_mapping(load_yaml(meta["ward"]), f"{shown}#{META}.ward")
        catalog = Catalog.from_text(meta["catalog"])
        md = _reflect(conn)
        grid, digest = _grid(conn, md.tables[REPORTS])
        sources = [Source(f"{shown}#{REPORTS}", digest)]
        results = [(readers.read_reports(None, [grid], shown, ward, catalog), shown)]
        if PLAN in md.tables:
            pgrid, pdigest = _grid(conn, md.tables[PLAN])
            sources.append(Source(f"{shown}#{PLAN}", pdigest))
            results.append((readers.read_plan([pgrid], shown, catalog), shown))
    return combine(ward, catalog, results, sources, shown, source_of={shown: f"{shown}#{REPORTS}"},
                   plan_source_of={shown: f"{shown}#{PLAN}"})  # fmt: skip


# ---------------------------------------------------------------- the province layout


@dataclass(frozen=True)
class WardEntry:
    """One ward of a province database: its code (``duy-tan``), name, and what its name is after.

    ``named_after`` (person | number | event | place, or None when the description does not say) decides how the
    name is capitalised inside a sentence (Nghị định 30, Phụ lục II): "Phường Duy Tân" keeps its capital,
    "phường Hòa Khánh" does not.
    """

    code: str
    name: str
    short_name: str
    named_after: str | None = None
    description: Mapping = field(default_factory=dict, repr=False, compare=False)

    @property
    def in_sentence(self) -> str:
        """The name as it reads inside a sentence: "Phường Duy Tân", "Phường 3", "phường Hòa Khánh"."""
        return in_sentence(self.name, self.named_after)


NAMED_AFTER = ("person", "number", "event", "place")


def in_sentence(name: str, named_after: str | None) -> str:
    """An administrative unit's name inside a sentence (Nghị định 30, Phụ lục II): the common noun in lower case
    when the unit is named after a place, capitalised when after a person, a number or an event (or unknown).

    >>> in_sentence("Phường Hòa Khánh", "place"), in_sentence("Phường Duy Tân", "person"), in_sentence("Tỉnh Bình Sơn", "place")
    ('phường Hòa Khánh', 'Phường Duy Tân', 'tỉnh Bình Sơn')
    """
    if named_after == "place":
        noun, _, rest = name.partition(" ")
        return f"{noun.lower()} {rest}" if rest else name
    return name


def _entry(code: str, text: str, shown: str) -> WardEntry:
    doc = load_yaml(text) or {}
    if not isinstance(doc, dict) or not doc.get("name"):
        raise DataError([Problem("bad_ward", shown, WARDS, None, "mo_ta", code, "mô tả phường có name")])
    name = vn.nfc(str(doc["name"]))
    named = doc.get("named_after")
    return WardEntry(code, name, vn.nfc(str(doc.get("short_name") or name)),
                     str(named) if named else None, doc)  # fmt: skip


def _entries(conn, shown: str, codes: list[str] | None = None) -> list[WardEntry]:
    """The wards (``codes`` only, when given), in natural order of their names."""
    rows = conn.execute(_in(f"SELECT ma, mo_ta FROM {WARDS}", "ma", codes), {"codes": codes} if codes else {})
    found = [_entry(code, text, shown) for code, text in rows]
    return sorted(found, key=lambda e: (vn.sort_key(e.name), e.code))


def wards(url: str) -> list[WardEntry]:
    """The wards of a database, in natural Vietnamese order of their names.

    A province database lists each ward; a one-ward database lists its ward with code None.
    """
    url, _ = split_unit(url)
    with _open(url) as (conn, shown):
        present = _present(conn)
        if WARDS in present:
            return _entries(conn, shown)
        meta = _meta(conn, present, shown, ("ward",))
        doc = load_yaml(meta["ward"]) or {}
        ward = Ward.from_mapping(doc, f"{shown}#{META}.ward")
        named = doc.get("named_after")
        return [WardEntry(None, ward.name, ward.short_name, str(named) if named else None, doc)]  # type: ignore[arg-type]


LISTED = 30  # an error lists every ward up to this many; beyond, the likeliest ones and the count


def _unit_error(shown: str, unit: str | None, entries: list[WardEntry]) -> UnitError:
    codes = [e.code for e in entries]
    near: list[str] = []
    if len(entries) <= LISTED:
        listed = ", ".join(f"{e.code} ({e.name})" for e in entries) or "không có phường nào"
    else:
        near = difflib.get_close_matches(unit, codes, n=5, cutoff=0.5) if unit else []
        shown_codes = near or codes[:10]
        names = {e.code: e.name for e in entries}
        listed = ", ".join(f"{c} ({names[c]})" for c in shown_codes)
        listed += f" … và {len(codes) - len(shown_codes)} phường khác (reportkit.data.wards(url) liệt kê đủ)"
    example = entries[0].code if entries else "…"
    if unit is None:
        head = (f"{shown} là cơ sở dữ liệu của {len(entries)} phường: chọn một phường, ví dụ reportkit.load(url, "
                f"unit=\"{example}\") hoặc …?{UNIT_QUERY}={example} (a province database: choose a ward)")  # fmt: skip
    else:
        head = f"không có phường “{unit}” trong {shown} (no ward {unit!r})"
    label = "Có thể là" if near else "Các phường"
    return UnitError(f"{head}. {label}: {listed}", unit=unit, units=codes)


def _province_tables(conn, present: set[str], shown: str) -> tuple[dict[str, str], Catalog]:
    meta = _meta(conn, present, shown, ("catalog",))
    return meta, Catalog.from_text(meta["catalog"])


def _ward_grids(conn, present: set[str], codes: list[str] | None):
    """{code: (report grid, sha256)} and {code: (plan grid, sha256)} of the wards ``codes`` (None: all)."""
    out: dict[str, dict] = {}
    for name in (REPORTS, PLAN):
        if name not in present:
            out[name] = {}
            continue
        result = conn.execute(_in(f"SELECT * FROM {name}", WARDS, codes), {"codes": codes} if codes else {})
        names = list(result.keys())
        at, order = names.index(WARDS), names.index("id" if "id" in names else "nam")
        rows: dict[str, list[list[object]]] = {}
        for r in sorted(result, key=lambda r: (r[at], r[order])):
            rows.setdefault(r[at], []).append([_plain(v) for k, v in enumerate(r) if k != at])
        names.pop(at)
        out[name] = {code: _grid_of(name, names, rs) for code, rs in rows.items()}
        if name == REPORTS:  # a ward without a single row still reads as a table: a ward with no months
            out[name][None] = _grid_of(name, names, [])
    return out[REPORTS], out[PLAN]


def _ward_dataset(entry: WardEntry, catalog: Catalog, shown: str, reports, plans) -> Dataset:
    origin = f"{shown}#{WARDS}={entry.code}"
    ward = Ward.from_mapping(entry.description, origin)
    grid, digest = reports.get(entry.code) or reports[None]
    sources = [Source(f"{shown}#{REPORTS}[{entry.code}]", digest)]
    results = [(readers.read_reports(None, [grid], shown, ward, catalog), shown)]
    if entry.code in plans:
        pgrid, pdigest = plans[entry.code]
        sources.append(Source(f"{shown}#{PLAN}[{entry.code}]", pdigest))
        results.append((readers.read_plan([pgrid], shown, catalog), shown))
    return combine(ward, catalog, results, sources, origin, source_of={shown: f"{shown}#{REPORTS}[{entry.code}]"},
                   plan_source_of={shown: f"{shown}#{PLAN}[{entry.code}]"})  # fmt: skip


def _load_ward(conn, present: set[str], shown: str, unit: str | None) -> Dataset:
    found = _entries(conn, shown, [unit]) if unit is not None else []
    if not found:
        raise _unit_error(shown, unit, _entries(conn, shown))
    entry = found[0]
    _, catalog = _province_tables(conn, present, shown)
    reports, plans = _ward_grids(conn, present, [entry.code])
    return _ward_dataset(entry, catalog, shown, reports, plans)


def load_wards(url: str) -> tuple[dict, Catalog, list[tuple[WardEntry, Dataset]], str]:
    """Everything of a province database: (the province's description, catalog, [(ward, its Dataset)], shown URL).

    All or nothing: a problem in any ward's rows raises DataError listing every problem of every ward.
    """
    url, _ = split_unit(url)
    with _open(url) as (conn, shown):
        present = _present(conn)
        if WARDS not in present:
            _meta(conn, present, shown, ())  # an empty database: the tables it lacks
            raise UnitError(
                f"{shown} holds one ward (the one-ward layout), not a province: there are no wards to roll up "
                "(write wards with reportkit sample province or Dataset.to_sql(url, unit=…))",
                unit=None,
                units=[],
            )
        meta, catalog = _province_tables(conn, present, shown)
        if "province" not in meta:
            raise DataError([Problem("no_table", shown, META, None, "name", "province", "dòng “province”")])
        province = load_yaml(meta["province"]) or {}
        entries = _entries(conn, shown)
        reports, plans = _ward_grids(conn, present, None)
    out, problems = [], []
    for entry in entries:
        try:
            out.append((entry, _ward_dataset(entry, catalog, shown, reports, plans)))
        except DataError as err:
            problems.extend(err.problems)
    if problems:
        raise DataError(problems)
    return province, catalog, out, shown


# ---------------------------------------------------------------- writing


def _column_type(ind: Indicator):
    return getattr(sa, ind.type.sql_type)


@dataclass
class WardRecords:
    """One ward as the province layout stores it: code, description (ward.yaml's keys), rows, plans per year.

    ``reports`` are {to_dan_pho, nam, thang, <indicator id>…, ngay_bao_cao, ghi_chu} with SQL values (yes/no as
    1/0, amounts in đồng, None = not reported); ``plans`` {year: {indicator id: target}}.
    """

    code: str
    description: dict
    reports: list[dict]
    plans: dict[int, dict[str, object]]


def ward_records(ds: Dataset, code: str, **description: object) -> WardRecords:
    """A loaded ward as province rows; ``description`` adds keys to its ward.yaml (e.g. ``named_after="person"``)."""
    recs = []
    for (unit, (y, m)), (row, _) in sorted(
        ds._rows.items(), key=lambda kv: (kv[0][1], vn.sort_key(kv[0][0]))
    ):
        rec = {"to_dan_pho": unit, "nam": y, "thang": m,
               "ngay_bao_cao": row.report_date.strftime("%d/%m/%Y") if row.report_date else None,
               "ghi_chu": row.note}  # fmt: skip
        for i in ds.catalog:
            rec[i.id] = i.type.sql_value(row.values.get(i.id))
        recs.append(rec)
    doc = ds.ward.as_dict()
    doc.update(description)
    return WardRecords(code, doc, recs, {y: dict(v) for y, v in ds.plans.items()})


def _tables(
    catalog: Catalog, planned: list[Indicator], province: bool
) -> tuple[sa.MetaData, dict[str, sa.Table]]:
    md = sa.MetaData()
    key = [sa.Column(WARDS, sa.String(64), sa.ForeignKey(f"{WARDS}.ma"), nullable=False)] if province else []
    meta = sa.Table(
        META, md, sa.Column("name", sa.String(32), primary_key=True), sa.Column("content", sa.Text)
    )
    unique = (WARDS, "nam", "thang", "to_dan_pho") if province else ("to_dan_pho", "nam", "thang")
    reports = sa.Table(
        REPORTS, md,
        sa.Column("id", sa.Integer, primary_key=True),
        *key,
        sa.Column("to_dan_pho", sa.Text, nullable=False),
        sa.Column("nam", sa.Integer, nullable=False),
        sa.Column("thang", sa.Integer, nullable=False),
        *[sa.Column(i.id, _column_type(i)) for i in catalog],
        sa.Column("ngay_bao_cao", sa.String(10)),
        sa.Column("ghi_chu", sa.Text),
        sa.UniqueConstraint(*unique, name=f"{REPORTS}_{'phuong_xa_ky' if province else 'ky'}"),
    )  # fmt: skip
    plan_key = (
        [sa.Column(WARDS, sa.String(64), sa.ForeignKey(f"{WARDS}.ma"), primary_key=True)] if province else []
    )
    plan = sa.Table(PLAN, md, *plan_key, sa.Column("nam", sa.Integer, primary_key=True),
                    *[sa.Column(i.id, _column_type(i)) for i in planned])  # fmt: skip
    tables = {META: meta, REPORTS: reports, PLAN: plan}
    if province:
        tables[WARDS] = sa.Table(WARDS, md, sa.Column("ma", sa.String(64), primary_key=True),
                                 sa.Column("ten", sa.Text, nullable=False), sa.Column("mo_ta", sa.Text, nullable=False))  # fmt: skip
        # drop_all/create_all order by foreign keys: the registry first in, last out
    return md, tables


def _yaml(doc: Mapping) -> str:
    return yaml.safe_dump(dict(doc), allow_unicode=True, sort_keys=False)


def _check_empty(conn, shown: str, replace: bool) -> None:
    existing = set(sa.inspect(conn).get_table_names())
    if existing & {META, REPORTS, PLAN, WARDS} and not replace:
        raise FileExistsError(f"{shown} already holds reportkit tables; pass replace=True to overwrite")
    if replace and existing & {META, REPORTS, PLAN, WARDS}:
        old = sa.MetaData()
        old.reflect(conn, only=[t for t in (REPORTS, PLAN, WARDS, META) if t in existing])
        old.drop_all(conn)


def write_sql(ds: Dataset, url: str, *, replace: bool = False, unit: str | None = None) -> None:
    """Write ``ds`` in the one-ward layout, in one transaction (all or nothing).

    With ``unit``, write it as that ward of a province database instead (the database is made a province
    database with the ward's catalog if it holds no reportkit tables); ``replace`` then replaces that ward only.
    """
    if unit is not None:
        return add_ward(url, ward_records(ds, unit), ds.catalog, replace=replace)
    engine, shown = _engine(url)
    try:
        planned = [i for i in ds.catalog if any(i.id in v for v in ds.plans.values())]
        md, t = _tables(ds.catalog, planned, province=False)
        ward_doc = ds.ward.as_dict()
        ward_doc.update(catalog="catalog.yaml", plan=None)
        with _connect(engine, shown) as conn, conn.begin():
            _check_empty(conn, shown, replace)
            md.create_all(conn)
            conn.execute(t[META].insert(), [{"name": "ward", "content": yaml.safe_dump(ward_doc, allow_unicode=True)},
                                            {"name": "catalog", "content": ds.catalog.text}])  # fmt: skip
            recs = ward_records(ds, "").reports
            recs = [{"id": n, **r} for n, r in enumerate(sorted(recs, key=lambda r: (r["nam"], r["thang"],
                                                                                  r["to_dan_pho"])), 1)]  # fmt: skip
            if recs:
                conn.execute(t[REPORTS].insert(), recs)
            prow = [{"nam": y, **{i.id: v.get(i.id) for i in planned}} for y, v in sorted(ds.plans.items())]
            if prow:
                conn.execute(t[PLAN].insert(), prow)
    finally:
        engine.dispose()


def _planned(catalog: Catalog) -> list[Indicator]:
    # The province's plan table has a column for every indicator the catalog marks as planned, so that a ward
    # added later with a plan for one of them fits the table.
    return [i for i in catalog if i.plan]


def _name(w: WardRecords) -> str:
    return vn.nfc(str(w.description.get("name") or ""))


def _insert_ward(conn, t: dict[str, sa.Table], w: WardRecords, first_id: int, chunk: int = 5000) -> int:
    conn.execute(t[WARDS].insert(), [{"ma": w.code, "ten": _name(w), "mo_ta": _yaml(w.description)}])
    recs = [{"id": first_id + n, WARDS: w.code, **r} for n, r in enumerate(w.reports)]
    for start in range(0, len(recs), chunk):
        conn.execute(t[REPORTS].insert(), recs[start : start + chunk])
    cols = [c.name for c in t[PLAN].columns if c.name not in (WARDS, "nam")]
    prow = [{WARDS: w.code, "nam": y, **{c: v.get(c) for c in cols}} for y, v in sorted(w.plans.items())]
    if prow:
        conn.execute(t[PLAN].insert(), prow)
    return first_id + len(recs)


def _check_ward(w: WardRecords, catalog: Catalog, shown: str) -> None:
    unknown = sorted({k for v in w.plans.values() for k in v} - {i.id for i in _planned(catalog)})
    problems = [Problem("bad_catalog", shown, PLAN, None, k, w.code, "chỉ tiêu có plan: true trong danh mục")
                for k in unknown]  # fmt: skip
    if not w.code or not isinstance(w.code, str):
        problems.append(Problem("bad_ward", shown, WARDS, None, "ma", w.code, "mã phường, vd. duy-tan"))
    named = w.description.get("named_after")
    if named is not None and named not in NAMED_AFTER:
        problems.append(
            Problem("bad_ward", shown, WARDS, None, "named_after", named, " | ".join(NAMED_AFTER))
        )
    if problems:
        raise DataError(problems)


def write_province(url: str, province: Mapping, catalog: Catalog, wards: Iterable[WardRecords], *,
                   replace: bool = False) -> int:  # fmt: skip
    """Write a province database: its description, the catalog and every ward, in one transaction.

    Returns the number of report rows written. ``replace`` drops the reportkit tables the database holds first.
    """
    engine, shown = _engine(url)
    try:
        md, t = _tables(catalog, _planned(catalog), province=True)
        with _connect(engine, shown) as conn, conn.begin():
            _check_empty(conn, shown, replace)
            md.create_all(conn)
            conn.execute(t[META].insert(), [{"name": "catalog", "content": catalog.text},
                                            {"name": "province", "content": _yaml(province)}])  # fmt: skip
            next_id, seen, names = 1, set(), set()
            for w in wards:
                _check_ward(w, catalog, shown)
                if w.code in seen or _name(w) in names:
                    raise ValueError(f"the ward {w.code!r} ({_name(w)}) is given twice")
                seen.add(w.code)
                names.add(_name(w))
                next_id = _insert_ward(conn, t, w, next_id)
        return next_id - 1
    finally:
        engine.dispose()


def add_ward(url: str, ward: WardRecords, catalog: Catalog, *, replace: bool = False) -> None:
    """Add (or with ``replace``, replace) one ward of a province database, in one transaction.

    A database without reportkit tables becomes a province database with this catalog (no "province" row yet:
    ``write_province_description`` adds it). The catalog must be the database's.
    """
    engine, shown = _engine(url)
    try:
        md, t = _tables(catalog, _planned(catalog), province=True)
        with _connect(engine, shown) as conn, conn.begin():
            existing = set(sa.inspect(conn).get_table_names())
            if not existing & {META, REPORTS, PLAN, WARDS}:
                md.create_all(conn)
                conn.execute(t[META].insert(), [{"name": "catalog", "content": catalog.text}])
            elif WARDS not in existing:
                raise FileExistsError(
                    f"{shown} holds one ward in the one-ward layout; a province database needs its own database "
                    "(or replace=True without unit= to overwrite it)"
                )
            else:
                have = conn.execute(sa.select(t[META].c.content).where(t[META].c.name == "catalog")).scalar()
                if have is not None and Catalog.from_text(have).ids != catalog.ids:
                    raise ValueError(f"{shown}: the ward's catalog is not the province's (other indicators)")
            _check_ward(ward, catalog, shown)
            there = conn.execute(sa.select(t[WARDS].c.ma).where(t[WARDS].c.ma == ward.code)).first()
            if there and not replace:
                raise FileExistsError(f"{shown} already holds the ward {ward.code!r}; pass replace=True")
            named = conn.execute(
                sa.select(t[WARDS].c.ma).where(t[WARDS].c.ten == _name(ward), t[WARDS].c.ma != ward.code)
            ).first()
            if named:
                raise DataError([Problem("bad_ward", shown, WARDS, None, "ten", _name(ward),
                                         f"tên phường không trùng (đã có ở phường {named[0]})")])  # fmt: skip
            for name in (REPORTS, PLAN, WARDS):
                key = t[name].c["ma" if name == WARDS else WARDS]
                conn.execute(t[name].delete().where(key == ward.code))
            last = conn.execute(sa.select(sa.func.max(t[REPORTS].c.id))).scalar() or 0
            _insert_ward(conn, t, ward, last + 1)
    finally:
        engine.dispose()


def write_province_description(url: str, province: Mapping) -> None:
    """Set the province's own description (name, heading, signer …: ward.yaml's keys) of a province database."""
    engine, shown = _engine(url)
    try:
        md = sa.MetaData()
        meta = sa.Table(
            META, md, sa.Column("name", sa.String(32), primary_key=True), sa.Column("content", sa.Text)
        )
        with _connect(engine, shown) as conn, conn.begin():
            conn.execute(meta.delete().where(meta.c.name == "province"))
            conn.execute(meta.insert(), [{"name": "province", "content": _yaml(province)}])
    finally:
        engine.dispose()


# ---------------------------------------------------------------- digests of what a report reads


def report_reads(period: object) -> tuple[tuple[tuple[int, int, int], ...], tuple[int, ...]]:
    """What a ward's report for ``period`` reads: month ranges ``(year, first, last)`` and plan years.

    The period's months, the previous period, the same period last year and January to the end of the period
    (the year-to-date figures compared with the year's plan); the plans of those years.

    >>> report_reads("2022-H1")
    (((2021, 1, 12), (2022, 1, 6)), (2021, 2022))
    >>> report_reads("2022-Q3")
    (((2021, 7, 9), (2022, 1, 9)), (2021, 2022))
    """
    p = vn.Period(period)
    months = {*p.months, *p.previous().months, *p.same_period_last_year().months}
    months |= {(p.year, m) for m in range(1, p.end.month + 1)}
    ranges: list[list[int]] = []
    for y, m in sorted(months):
        if ranges and ranges[-1][0] == y and ranges[-1][2] == m - 1:
            ranges[-1][2] = m
        else:
            ranges.append([y, m, m])
    years = sorted({p.year, p.previous().year, p.same_period_last_year().year})
    return tuple(tuple(r) for r in ranges), tuple(years)  # type: ignore[return-value]


class _SortedSha256:
    """SQLite aggregate: sha256 of its rows' texts in sorted order (a canonical order whatever the scan order)."""

    def __init__(self) -> None:
        self.rows: list[str] = []

    def step(self, text: str) -> None:
        self.rows.append(text)

    def finalize(self) -> str:
        return hashlib.sha256("\n".join(sorted(self.rows)).encode("utf-8")).hexdigest()


class _Digester:
    """The digest queries of one connection: each selected row rendered whole and hashed by the database."""

    def __init__(self, conn, province: bool):
        self.conn = conn
        self.province = province
        self.pg = conn.dialect.name == "postgresql"
        if not self.pg:
            raw = conn.connection.driver_connection
            if not hasattr(raw, "create_aggregate"):
                raise NotImplementedError(
                    f"report digests need PostgreSQL or SQLite, not {conn.dialect.name}"
                )
            raw.create_aggregate("reportkit_sha256", 1, _SortedSha256)

    def _hash(self, table: str) -> str:
        """SQL of ``count(*), <hash>`` over the selected rows of ``table`` (alias ``t``), in a canonical order."""
        if self.pg:
            return ("count(*), encode(sha256(convert_to(string_agg(CAST(t AS text), E'\\n' "
                    "ORDER BY CAST(t AS text) COLLATE \"C\"), 'UTF8')), 'hex')")  # fmt: skip
        quote = self.conn.dialect.identifier_preparer.quote
        names = [c["name"] for c in sa.inspect(self.conn).get_columns(table)]
        return "count(*), reportkit_sha256(" + " || ',' || ".join(f"quote(t.{quote(n)})" for n in names) + ")"

    def per_ward(self, select: str, table: str, where: str, params: dict, codes: list[str] | None,
                 key: str = WARDS) -> dict:  # fmt: skip
        """{code: the selected values} for the wards ``codes`` (one-ward layout: {None: …})."""
        if not self.province:
            sql = f"SELECT {select} FROM {table} t WHERE {where}"
            return {None: tuple(self.conn.execute(sa.text(sql), params).one())}
        sql = f"SELECT t.{key}, {select} FROM {table} t WHERE t.{key} IN :codes AND {where} GROUP BY t.{key}"
        stmt = sa.text(sql).bindparams(sa.bindparam("codes", expanding=True))
        return {r[0]: tuple(r[1:]) for r in self.conn.execute(stmt, {**params, "codes": codes})}

    def rows(self, table: str, where: str, params: dict, codes: list[str] | None, key: str = WARDS) -> dict:
        return self.per_ward(self._hash(table), table, where, params, codes, key)


def report_digests(url: str, runs: Iterable[tuple[str | None, object]]) -> dict[tuple[str | None, str], str]:
    """{(ward code, period spec): sha256 hex} of exactly the rows each ward's report for that period reads.

    The rows of ``bao_cao`` in the months ``report_reads`` names, the ``ke_hoach`` rows of its years, the ward's
    description and the catalog, and the first and last month the ward has data for (a report says where its data
    begin). Hashed by the database — PostgreSQL renders and hashes every row in SQL (``sha256`` over
    ``string_agg``), SQLite through an aggregate function — with one query per period over all the wards asked
    for, through the index on ``(phuong_xa, nam, thang, to_dan_pho)``. In the one-ward layout the code is None.
    An unknown ward, or a province database without a ward, is UnitError.
    """
    wanted: dict[str, set[str | None]] = {}
    for unit, period in runs:
        wanted.setdefault(vn.Period(period).spec, set()).add(unit)
    if not wanted:
        return {}
    url, _ = split_unit(url)
    out: dict[tuple[str | None, str], str] = {}
    with _open(url) as (conn, shown):
        present = _present(conn)
        province = WARDS in present
        asked = sorted({u for us in wanted.values() for u in us}, key=str)
        codes: list[str] | None = None
        if province:
            if None in asked:
                raise _unit_error(shown, None, _entries(conn, shown))
            known = {
                c for (c,) in conn.execute(_in(f"SELECT ma FROM {WARDS}", "ma", asked), {"codes": asked})
            }
            for unit in asked:
                if unit not in known:
                    raise _unit_error(shown, unit, _entries(conn, shown))
            codes = asked  # type: ignore[assignment]
        elif asked != [None]:
            other = next(u for u in asked if u is not None)
            raise UnitError(f"{shown} holds one ward in the one-ward layout: ask for it without a unit, not "
                            f"{other!r}", unit=other, units=[])  # fmt: skip
        meta = _meta(conn, present, shown, ("catalog",))
        dig = _Digester(conn, province)
        # the catalog, and in the one-ward layout the ward's description; a province's own heading is not read
        common = hashlib.sha256(
            repr(sorted((k, v) for k, v in meta.items() if k != "province")).encode()
        ).hexdigest()
        described = dig.rows(WARDS, "1 = 1", {}, codes, key="ma") if province else {}
        span = dig.per_ward(
            "min(t.nam * 100 + t.thang), max(t.nam * 100 + t.thang)", REPORTS, "1 = 1", {}, codes
        )
        for spec, units in wanted.items():
            ranges, years = report_reads(spec)
            group = sorted(units, key=str)
            sel = group if province else None
            # one query per month range, each a range of the index (phuong_xa, nam, thang) for every ward asked
            got = [
                dig.rows(REPORTS, "t.nam = :y AND t.thang BETWEEN :a AND :b", {"y": y, "a": a, "b": b}, sel)  # type: ignore[arg-type]
                for y, a, b in ranges
            ]
            plans: dict = {}
            if PLAN in present:
                yparams = {f"p{n}": y for n, y in enumerate(years)}
                plans = dig.rows(PLAN, f"t.nam IN ({', '.join(':' + k for k in yparams)})", yparams, sel)  # type: ignore[arg-type]
            for unit in group:
                parts = [spec, common, described.get(unit), [g.get(unit) for g in got], plans.get(unit),
                         span.get(unit)]  # fmt: skip
                out[(unit, spec)] = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
    return out


def report_digest(url: str, period: object, unit: str | None = None) -> str:
    """The digest (sha256 hex) of the rows ``unit``'s report for ``period`` reads; see ``report_digests``.

    The ward may also be given in the URL (``?unit=…``), as the params file's ``data`` gives it.
    """
    url, in_url = split_unit(url)
    unit = unit if unit is not None else in_url
    return report_digests(url, [(unit, period)])[(unit, vn.Period(period).spec)]
