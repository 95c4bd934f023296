"""Params files: find the project, read the YAML, expand to runs, validate everything before a kernel starts.

A params file (YAML) describes one run or several::

    # params/2022-H1.yaml — one run, run id "2022-H1"
    period: 2022-H1
    data: data/duy-tan          # relative to the project root (or a SQLAlchemy URL)
    document_number: 47
    issued_on: 2022-06-24
    tone_style: classic         # or modern
    signer: {authority: TM. BAN THƯỜNG TRỰC, title: CHỦ TỊCH, name: Nguyễn Văn A}   # any of the three
    heading: {national_title: ĐẢNG CỘNG SẢN VIỆT NAM, motto: ""}   # a body whose rules replace the Quốc hiệu

    # params/quarters-2022.yaml — several periods: items are a period or a mapping of per-period overrides
    data: data/duy-tan
    periods: [2022-Q1, 2022-Q2, {period: 2022-Q3, document_number: 61}]

    # params/province.yaml — several units: run id "<unit>/<period>"; "{unit}" in a string is replaced
    period: 2022-H1
    data: data/{unit}
    units: [duy-tan, {unit: an-hai, data: other/an-hai, document_number: 12}]

    # the wards of one province database (reportkit sample province writes such a file)
    data: sqlite:///data/province/province.db?unit={unit}
    periods: [2022-H1, 2022-H2]
    units: [duy-tan, hoa-khanh]

    # a value that must never appear in outputs (masked in the executed notebook and the HTML run info)
    data: postgresql://reporter:s3cret@db/ward
    secret: [data]

The analyst's own words for a run (đánh giá chung, phương hướng, nhiệm vụ, kiến nghị: see
:mod:`reportkit.narrative.texts`) are a Markdown file beside the params file, found without being named:
``params/2022-H1.yaml`` → ``params/2022-H1.md``; a file that expands to several runs has one per run in a folder of
its name: ``params/quarters-2022.yaml`` → ``params/quarters-2022/2022-Q3.md``, ``params/province.yaml`` →
``params/province/duy-tan/2022-H1.md``. ``texts: other/file.md`` (relative to the project) names another one, and
must exist; ``texts: null`` says the run has none. A run without its file still runs: the batch summary and
``reportkit check`` list the sections not written, and ``--strict`` fails such a run.

Keys are the notebook's parameters (the notebook's ``parameters`` cell must define each one) plus the batch-only
keys ``periods``, ``units``, ``unit``, ``secret`` and ``notebook``, which are not injected. ``periods`` and ``units``
combine (every unit × every period). The run id is the period spec, or ``<unit>/<period>`` when the file has
``units``. ``notebook: notebooks/province.ipynb`` says which notebook the file is for: run with another (a folder of
params files, ``--notebook`` forgotten), the file is a params problem naming the notebook to run it with.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import yaml

from reportkit.core import params as schema
from reportkit.core import redact, yamlcheck
from reportkit.core.atomic import write_atomic
from reportkit.core.errors import ReportkitError
from reportkit.vn.text import nfc_tree

BATCH_KEYS = frozenset({"periods", "units", "unit", "secret", "notebook"})
_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a params file: where (file, key) and what."""

    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}" if self.key else f"{self.file}: {self.message}"


class ParamsError(ReportkitError):
    """Every problem found in every params file (``.problems``); ``str()`` lists them all."""

    def __init__(self, problems: list[Problem]):
        n = len(problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the params — nothing was run:"
        super().__init__("\n".join([head, *(f"  {p}" for p in problems)]), problems=problems)


@dataclass
class Run:
    """One report to produce: the parameters to inject and where the outputs go (``outputs/<run_id>/``)."""

    run_id: str
    params_file: str  # relative to the project root when inside it
    parameters: dict[str, Any]  # injected into the notebook (absolute data path, ISO date strings)
    secret: tuple[str, ...] = ()
    unit: str | None = None
    sources_hint: list[str] = field(default_factory=list)  # local data folders/files the run reads
    texts_file: str | None = None  # the analyst's Markdown file (absolute), given or beside the params file
    # which params file, however it was named (a digest of its resolved path: no path shown)
    params_id: str = ""

    @property
    def stem(self) -> str:
        """File stem of the outputs: ``report-2022-H1`` or ``report-duy-tan-2022-H1``."""
        return "report-" + self.run_id.replace("/", "-")

    def shown_parameters(self, root: Path | None = None) -> dict[str, Any]:
        """The parameters with secret values masked, for anything a person reads.

        With ``root``, a local data path is shown relative to the project (as the params file wrote it): the shared
        HTML must not carry the folder layout of the machine that made it.
        """
        shown = redact.masked(self.parameters, self.secret)
        data = shown.get("data")
        if root is not None and isinstance(data, str) and (local := local_database(data)) is not None:
            prefix, path, suffix = local
            if path not in ("", ":memory:"):
                shown["data"] = relative_prefix(prefix) + display_path(Path(path), root) + suffix
        elif root is not None and isinstance(data, str) and not _URL_RE.match(data):
            shown["data"] = display_path(Path(data), root)
        texts = shown.get("texts")
        if root is not None and isinstance(texts, str) and not _URL_RE.match(texts):
            shown["texts"] = display_path(Path(texts), root)
        return shown


def sqlite_file(url: str) -> tuple[str, str]:
    """``sqlite:///<file>?<query>`` → (file, "?<query>" or ""): a province database's ward (``?unit=duy-tan``)
    is no part of the file's name.

    >>> sqlite_file("sqlite:///data/province/province.db?unit=duy-tan")
    ('data/province/province.db', '?unit=duy-tan')
    """
    db, sep, query = url[len("sqlite:///") :].partition("?")
    return db, sep + query


find_root = redact.find_root  # the project is a shared notion (core/redact.py); the batch starts from it


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to the project root when inside it, else as the terminal shows it."""
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return redact.terminal_path(path)


def notebook_parameters(notebook: Path, cache_dir: Path | None = None) -> dict[str, Any]:
    """Names → defaults of the notebook's ``parameters`` cell, through papermill's inspection.

    The answer is cached by the notebook's content hash so that a run that has nothing to do does not pay
    papermill's import (about 2 s).
    """
    data = notebook.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    cached = cache_dir / f"parameters-{digest[:32]}.json" if cache_dir else None
    if cached and cached.is_file():
        try:
            return json.loads(cached.read_text(encoding="utf-8"))
        except ValueError:
            pass
    nb = json.loads(data)
    if not any("parameters" in c.get("metadata", {}).get("tags", []) for c in nb.get("cells", [])):
        raise ValueError(f"{notebook}: no cell is tagged 'parameters' (papermill needs one to inject into)")
    from papermill import inspect_notebook

    found = {name: info.get("default") for name, info in inspect_notebook(str(notebook)).items()}
    if cached:  # a default may be a URL with a password, written in the notebook: not in the cache
        write_atomic(cached, json.dumps(redact.Redactor().tree(found), ensure_ascii=False))
    return found


def _subst_unit(value: Any, unit: str | None) -> Any:
    if unit is None:
        return value
    if isinstance(value, str):
        return value.replace("{unit}", unit)
    if isinstance(value, dict):
        return {k: _subst_unit(v, unit) for k, v in value.items()}
    if isinstance(value, list):
        return [_subst_unit(v, unit) for v in value]
    return value


class _Checker:
    """Validates the merged keys of one run through the parameters' schema; collects every problem."""

    def __init__(self, root: Path, file: str, allowed: set[str], problems: list[Problem]):
        self.root = root
        self.file = file
        self.allowed = allowed
        self.problems = problems

    def problem(self, key: str, message: str) -> None:
        p = Problem(self.file, key, message)
        if p not in self.problems:
            self.problems.append(p)

    def check(self, values: dict[str, Any], where: dict[str, str]) -> dict[str, Any] | None:
        """Checked, normalised parameters (absolute data path, ISO dates), or None when something is wrong."""
        before = len(self.problems)
        known = {}
        for key, value in values.items():
            if key in BATCH_KEYS:
                continue
            if key not in self.allowed:
                self.problem(
                    where.get(key, key),
                    f"the notebook's parameters cell does not define {schema.brief(key)} "
                    f"(it defines: {', '.join(sorted(self.allowed)) or 'nothing'})",
                )
                continue
            known[key] = value
        out, found = schema.check(known, where)
        for key, message in found:
            self.problem(key, message)
        if "period" not in values:
            self.problem(
                "period", "missing: every run needs a period (e.g. period: 2022-H1, or periods: [...])"
            )
        if out.get("data") is not None:
            out["data"] = self._data(where.get("data", "data"), out["data"])
        if out.get("texts") is not None:
            out["texts"] = self._texts(where.get("texts", "texts"), out["texts"])
        return out if len(self.problems) == before else None

    def _texts(self, k: str, value: str) -> str | None:
        path = self._inside(k, value, "analyst's text file")
        if path is None:
            return None
        if not path.is_file():
            self.problem(k, f"the analyst's text file {value!r} does not exist (looked for {path})")
            return None
        return str(path)

    def _data(self, k: str, value: str) -> str | None:
        local = local_database(value)
        if local is not None:
            prefix, db, suffix = local
            if db in ("", ":memory:"):
                return value
            path = self._inside(k, db, "database file")
            if path is None:
                return None
            if not path.is_file():
                self.problem(k, f"the database file {db!r} does not exist (looked for {path})")
                return None
            return f"{prefix}{path}{suffix}"
        if value.lower().startswith("file:"):  # a folder as a file: URI
            value = file_uri_path(value)
        elif _URL_RE.match(value) or value.lower().startswith(("sqlite:", "duckdb:")):
            if value.lower().startswith(("sqlite", "duckdb")):
                self.problem(
                    k, f"expected sqlite:///<a database file inside the project>, got {schema.brief(value)}"
                )
                return None
            return value  # a database server
        path = self._inside(k, value, "data folder")
        if path is None:
            return None
        if not path.exists():
            self.problem(k, f"the data folder {value!r} does not exist (looked for {path})")
            return None
        if path.is_dir() and not (path / "ward.yaml").is_file():
            self.problem(k, f"the data folder {value!r} holds no ward.yaml (looked in {path})")
            return None
        return str(path)

    def _inside(self, k: str, value: str, what: str) -> Path | None:
        """The path, normalised, when it lies inside the project once every symbolic link is followed."""
        raw = Path(value)
        path = Path(os.path.normpath(raw if raw.is_absolute() else self.root / raw))
        root = Path(os.path.realpath(self.root))
        real = Path(os.path.realpath(path))
        if real != root and root not in real.parents:
            through = f" (through a symbolic link, it is {real})" if real != path else ""
            self.problem(
                k, f"the {what} {value!r} is outside the project ({root}){through}; keep data inside it"
            )
            return None
        return path


# Databases that are files on this machine: checked like a data folder (inside the project, existing).
_LOCAL_DB = re.compile(
    r"^(?P<prefix>(?:sqlite|duckdb)(?:\+[\w.-]+)?:///)(?P<rest>.*)$", re.IGNORECASE | re.DOTALL
)


def local_database(value: str) -> tuple[str, str, str] | None:
    """(prefix, file path, suffix) of a URL naming a database file, whatever its driver or form, else None.

    >>> local_database("sqlite+pysqlite:////srv/ward.db")
    ('sqlite+pysqlite:///', '/srv/ward.db', '')
    >>> local_database("sqlite:///file:data/ward.db?mode=ro&uri=true")
    ('sqlite:///file:', 'data/ward.db', '?mode=ro&uri=true')
    >>> local_database("postgresql://db/ward") is None
    True
    """
    m = _LOCAL_DB.match(value)
    if m is None:
        return None
    prefix, rest = m["prefix"], m["rest"]
    db, sep, query = rest.partition("?")
    if db.lower().startswith("file:"):  # SQLite's URI filenames (uri=true): file:path, file:///abs/path
        prefix += db[:5]
        db = file_uri_path(db)
        if db.startswith("/") and rest[5:].startswith("//"):
            prefix += "//"
    return prefix, unquote(db), sep + query


def relative_prefix(prefix: str) -> str:
    """The prefix of :func:`local_database` for a relative path: "sqlite:///file://" loses its empty authority."""
    return prefix[:-2] if prefix.lower().endswith("file://") else prefix


def file_uri_path(value: str) -> str:
    """The local path of a ``file:`` URI (``file:data/x``, ``file:///abs/x``, ``file://localhost/abs/x``)."""
    rest = value[5:]
    if rest.startswith("//"):
        authority, _, path = rest[2:].partition("/")
        return unquote("/" + path) if authority in ("", "localhost") else value
    return unquote(rest)


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text, so a bad date (2022-02-30) is a located problem, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# A params file is a few lines; a province's list of 3,321 units is about 100 KB and 25,000 nodes.
MAX_FILE_BYTES = 1_000_000


def _secret_texts(doc: dict, secret: object) -> list[str]:
    """Every text held under a secret key, at the top and in each unit, whatever its type (a list, a mapping)."""
    keys = {k for k in secret if isinstance(k, str)} if isinstance(secret, list) else set()
    # Each list on its own: a malformed "units" (a problem of its own) must not hide the periods' secrets.
    nested = [item for name in ("units", "periods") if isinstance(doc.get(name), list) for item in doc[name]]
    return [
        text
        for scope in [doc, *(item for item in nested if isinstance(item, dict))]
        for key in sorted(keys & set(scope))
        for text in redact.texts_in(scope[key])
    ]


def _load_yaml(path: Path, label: str, problems: list[Problem]) -> dict | None:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(label, "", f"is {size:,} bytes; a params file has at most {MAX_FILE_BYTES:,}")
            )
            return None
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(Problem(label, "", "the params file does not exist"))
        return None
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem(label, "", f"cannot be read as UTF-8 text: {err}"))
        return None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None and yamlcheck.expanded_size(node) > yamlcheck.MAX_NODES:
            problems.append(
                Problem(
                    label,
                    "",
                    f"its aliases (*name) expand to more than {yamlcheck.MAX_NODES:,} values (or refer to themselves); "
                    "write the values out",
                )
            )
            return None
        duplicates = yamlcheck.duplicate_keys(node) if node is not None else []
        if duplicates:
            problems.extend(
                Problem(label, key, f"given twice (lines {first} and {again}); keep one")
                for key, first, again in duplicates
            )
            return None
        doc = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problems.append(Problem(label, "", f"not valid YAML: {where}{getattr(err, 'problem', err)}"))
        return None
    finally:
        loader.dispose()
    if not isinstance(doc, dict):
        problems.append(
            Problem(label, "", f"expected a mapping of keys (period: …, data: …), got {schema.brief(doc)}")
        )
        return None
    return nfc_tree(doc)


def _expand(doc: dict, label: str, problems: list[Problem]):
    """Yield (unit, merged values, where) for each run the file describes; ``where`` maps key → location."""
    base = {k: v for k, v in doc.items() if k not in ("periods", "units")}
    if "periods" in doc and "period" in doc:
        problems.append(Problem(label, "periods", "give either period or periods, not both"))
        return
    periods: list[tuple[dict, dict]] = [({}, {})]
    if "periods" in doc:
        items = doc["periods"]
        if not isinstance(items, list) or not items:
            problems.append(
                Problem(label, "periods", f"expected a non-empty list of periods, got {schema.brief(items)}")
            )
            return
        periods = []
        for i, item in enumerate(items):
            loc = f"periods[{i}]"
            if isinstance(item, dict):
                for key in sorted(set(item) & {"units", "periods", "secret", "unit", "notebook"}):
                    problems.append(
                        Problem(label, f"{loc}.{key}", f"'{key}' does not belong in a periods item")
                    )
                periods.append((dict(item), {key: f"{loc}.{key}" for key in item}))
            else:
                periods.append(({"period": item}, {"period": loc}))
    units: list[tuple[str | None, dict, dict]] = [(None, {}, {})]
    if "units" in doc:
        items = doc["units"]
        if not isinstance(items, list) or not items:
            problems.append(
                Problem(label, "units", f"expected a non-empty list of units, got {schema.brief(items)}")
            )
            return
        units = []
        for i, item in enumerate(items):
            loc = f"units[{i}]"
            values = dict(item) if isinstance(item, dict) else {"unit": item}
            found: list[tuple[str, str]] = []
            name = schema.unit_name(
                values.get("unit"), found, f"{loc}.unit" if isinstance(item, dict) else loc
            )
            if name is None:
                problems.extend(Problem(label, key, message) for key, message in found)
                continue
            for key in sorted(set(values) & {"units", "periods", "secret", "notebook"}):
                problems.append(Problem(label, f"{loc}.{key}", f"'{key}' belongs at the top of the file"))
            units.append((name, values, {key: f"{loc}.{key}" for key in values}))
    elif "unit" in doc:
        problems.append(Problem(label, "unit", "'unit' belongs in the items of a 'units' list"))
        return
    for unit, uvalues, uwhere in units:
        for pvalues, pwhere in periods:
            merged = {**base, **uvalues, **pvalues}
            yield unit, _subst_unit(merged, unit), {**uwhere, **pwhere}


def load_runs(
    files: list[Path],
    root: Path,
    allowed: set[str],
    notebook: Path | None = None,
) -> list[Run]:
    """Read, expand and validate params files for ``notebook`` (the one being run); raise :class:`ParamsError`
    listing every problem in every file."""
    problems: list[Problem] = []
    runs: list[Run] = []
    seen: dict[str, str] = {}
    if not files:
        problems.append(Problem(display_path(root / "params", root), "", "no params file (*.yaml) to run"))
    for path in files:
        label = display_path(path, root)
        doc = _load_yaml(path, label, problems)
        if doc is None:
            continue
        if not _for_this_notebook(doc, notebook, root, label, problems):
            continue
        first_problem = len(problems)
        checker = _Checker(root, label, allowed, problems)
        secret = doc.get("secret", [])
        if not isinstance(secret, list) or not all(isinstance(s, str) for s in secret):
            problems.append(
                Problem(label, "secret", f"expected a list of parameter names, got {schema.brief(secret)}")
            )
            secret = []
        for name in secret:
            if name not in doc and not any(isinstance(u, dict) and name in u for u in doc.get("units") or []):
                problems.append(Problem(label, "secret", f"{schema.brief(name)} is not a key of this file"))
        expanded = list(_expand(doc, label, problems))
        for unit, values, where in expanded:
            params = checker.check(values, where)
            if params is None:
                continue
            run_id = params["period"] if unit is None else f"{unit}/{params['period']}"
            if run_id in seen:
                where_first = seen[run_id]
                problems.append(
                    Problem(
                        label,
                        "period",
                        f"the run {run_id!r} is also produced by {where_first}; one per run id",
                    )
                )
                continue
            seen[run_id] = label
            data = params.get("data")
            hints = [data] if isinstance(data, str) and "://" not in data else []
            if isinstance(data, str) and (local := local_database(data)) is not None and local[1]:
                hints = [local[1]] if local[1] != ":memory:" else []
            texts_file = None
            if "texts" in allowed:
                if "texts" in values:
                    texts_file = params.get("texts")
                else:
                    texts_file = str(default_texts(path, run_id, several=len(expanded) > 1))
                    params["texts"] = texts_file if Path(texts_file).is_file() else None
                if texts_file is not None:
                    hints.append(texts_file)  # a file written or edited later makes the report run again
            runs.append(
                Run(run_id, label, params, tuple(secret), unit, hints, texts_file, params_identity(path))
            )
        # A problem quotes the value it found: a secret one (a URL given as a list, say) is masked in every form,
        # and any URL's password even where the file did not say it is secret.
        shown = redact.Redactor(_secret_texts(doc, secret))
        problems[first_problem:] = [
            Problem(p.file, p.key, shown.text(p.message)) for p in problems[first_problem:]
        ]
    if problems:
        raise ParamsError(problems)
    return runs


def params_identity(path: Path) -> str:
    """The same for one params file whatever folder it is run from or however its path is written, and different
    for another file; a digest, so that a manifest names no folder of the machine."""
    return hashlib.sha256(os.fsencode(Path(path).resolve())).hexdigest()[:16]


def default_texts(params_file: Path, run_id: str, *, several: bool) -> Path:
    """Where a run's analyst's texts are when the params file does not name them (see the module docstring)."""
    params_file = Path(params_file)
    if not several:
        return params_file.with_suffix(".md")
    return params_file.parent / params_file.stem / f"{run_id}.md"


def _for_this_notebook(
    doc: dict, notebook: Path | None, root: Path, label: str, problems: list[Problem]
) -> bool:
    """False (a problem said) when the file names another notebook than the one being run."""
    named = doc.get("notebook")
    if named is None:
        return True
    if not isinstance(named, str) or not named.strip():
        problems.append(
            Problem(label, "notebook", f"expected the path of a notebook, got {schema.brief(named)}")
        )
        return False
    if notebook is None:
        return True
    path = Path(named) if Path(named).is_absolute() else root / named
    if path.resolve() == notebook.resolve():
        return True
    problems.append(Problem(label, "notebook", (
        f"this file is for {named}: run it with --notebook {named} (the notebook being run is "
        f"{display_path(notebook, root)})")))  # fmt: skip
    return False


def default_params_files(root: Path) -> list[Path]:
    """Every ``params/*.yaml`` (and ``*.yml``) of the project, in name order."""
    return _yaml_files(root / "params")


def params_files(paths: list[Path]) -> list[Path]:
    """The params files named on the command line, a folder standing for its ``*.yaml`` files in name order
    (``reportkit run params/province`` runs the wards and the roll-up); a path that does not exist stays, for
    :func:`load_runs` to name."""
    files: list[Path] = []
    for path in paths:
        files += _yaml_files(path) if path.is_dir() else [path]
    return files


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
