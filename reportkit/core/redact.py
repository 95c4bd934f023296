"""What a reader may see: secret values masked in every form they take, paths shown relative to the project.

One mechanism for every room: the data layer masks a database password in its messages, the exporter shows
parameters, the batch scrubs every file it writes and every failure it reports.

>>> r = Redactor(["postgresql://an:p%40ss@db/ward?password=kin"])
>>> r.text("cannot connect to postgresql://an:p%40ss@db/ward?password=kin: password p@ss rejected; kin")
'cannot connect to ***: password *** rejected; ***'
>>> mask_url("postgresql://an:mat-khau@db:5432/ward?sslmode=require&password=kin")
'postgresql://an:***@db:5432/ward?sslmode=require&password=***'
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import quote, quote_plus, unquote, unquote_plus

__all__ = [
    "MASK",
    "Redactor",
    "find_root",
    "mask_url",
    "mask_urls",
    "masked",
    "path_forms",
    "project_of",
    "shown_path",
    "terminal_path",
    "texts_in",
    "url_credentials",
]

MASK = "***"
# Query parameters that carry credentials in database and object-store URLs (libpq, SQLAlchemy, S3 presigning …).
CREDENTIAL_KEYS = frozenset(
    {
        "password", "passwd", "pass", "pwd", "secret", "token", "access_token", "auth_token", "api_key", "apikey",
        "key", "secret_key", "access_key", "aws_secret_access_key", "aws_session_token", "sslpassword",
        "x-amz-signature", "x-amz-credential", "x-amz-security-token", "sig", "signature", "credential",
    }
)  # fmt: skip
# The shortest text masked wherever it occurs: a one- or two-letter value would blank out ordinary words.
MIN_SECRET = 3

_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s\"'<>\\]+")  # a backslash ends it: JSON's \" or \n
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/@\s:]*:)(?P<password>[^@/\s]*)(?P<tail>@)")
_QUERY_PAIR = re.compile(r"(?P<key>[^&=?#\s]+)=(?P<value>[^&#\s]*)")


def mask_url(url: str) -> str:
    """The URL with the password of its user info and every credential-like query value replaced by ``***``."""
    text = _USERINFO.sub(lambda m: m["head"] + (MASK if m["password"] else "") + m["tail"], url)
    base, sep, rest = text.partition("?")
    if not sep:
        return text
    query, hash_sep, fragment = rest.partition("#")

    def pair(m: re.Match[str]) -> str:
        return f"{m['key']}={MASK}" if unquote_plus(m["key"]).lower() in CREDENTIAL_KEYS else m.group()

    return base + sep + _QUERY_PAIR.sub(pair, query) + hash_sep + fragment


_SCHEME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+.-")
_URL_REST = re.compile(r"[^\s\"'<>\\]+")


def mask_urls(text: str) -> str:
    """Every URL inside ``text`` (an error message, a log line) passed through :func:`mask_url`.

    The URLs ``_URL_IN_TEXT`` finds, found from each "://" backwards: the regular expression alone tries every
    letter of a long run of letters and digits as a scheme, which made a notebook with a base64 chart (300 KB)
    cost a second per pass.
    """
    out: list[str] = []
    last = 0
    i = text.find("://")
    while i != -1:
        start = i
        while start > last and text[start - 1] in _SCHEME_CHARS:
            start -= 1
        while start < i and not ("A" <= text[start] <= "Z" or "a" <= text[start] <= "z"):
            start += 1  # a scheme begins with a letter: the earliest one of the run
        rest = _URL_REST.match(text, i + 3) if start < i else None
        if rest is None:
            i = text.find("://", i + 1)
            continue
        out += [text[last:start], mask_url(text[start : rest.end()])]
        last = rest.end()
        i = text.find("://", last)
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)


def masked(parameters: dict, secret_keys: Iterable[str]) -> dict:
    """The parameters with the value of each secret key shown as ``***``.

    >>> masked({"period": "2022-H1", "data": "postgresql://u:p@h/d"}, ["data"])
    {'period': '2022-H1', 'data': '***'}
    """
    keys = set(secret_keys)
    return {k: (MASK if k in keys else v) for k, v in parameters.items()}


def texts_in(value: object) -> list[str]:
    """Every text a parameter value holds, however nested (a signer mapping's names as well as a URL): what a
    secret value makes secret.

    >>> texts_in({"name": "Nguyễn Văn A", "titles": ["Chủ tịch", 2022]})
    ['Nguyễn Văn A', 'Chủ tịch', '2022']
    """
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts_in(v)]
    if isinstance(value, list | tuple):
        return [t for v in value for t in texts_in(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


# SQLAlchemy's own reading of a URL's user info (a password runs to the last "@" before the host and may hold "/" or
# "#"), and everything after the first "?" as the query: the parts a driver receives, so the parts to mask.
_SA_USERINFO = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://(?P<user>[^:/]*):(?P<password>[^@]*)@")


def url_credentials(value: str) -> list[str]:
    """The credential parts of a URL, as written and decoded: its user-info password, credential-like query values.

    >>> url_credentials("postgresql://an:p%40ss@db/ward?sslmode=require&password=k%69n")
    ['p%40ss', 'p@ss', 'k%69n', 'kin']
    """
    if "://" not in value:
        return []
    found = []
    m = _SA_USERINFO.match(value)
    if m and m["password"]:
        found += [m["password"], unquote(m["password"])]
    query = value.partition("?")[2]
    for pair in query.split("&"):
        key, _, item = pair.partition("=")
        if unquote_plus(key).strip().lower() in CREDENTIAL_KEYS and item:
            found += [item, unquote_plus(item)]
    return list(dict.fromkeys(found))


def _forms(secret: str) -> set[str]:
    """The ways a secret text can be written into a file: as is, percent-encoded, HTML- or JSON-escaped."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), html.escape(secret)}
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    forms.add(json.dumps(secret)[1:-1])
    forms.add(html.escape(quote(secret)))
    forms.add(secret.encode("unicode_escape").decode("ascii"))  # how papermill writes it into Python source
    return {f for f in forms if len(f) >= MIN_SECRET}


# The local path a secret names: an absolute path, or the file of a local database URL (sqlite:////abs/x.db,
# sqlite:///file:///abs/x.db?uri=true, duckdb:///…).
_LOCAL_PATH = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*:///(?:file:(?://)?)?)?(?P<path>/[^?#]*)")


def path_forms(secret: str, root: str | os.PathLike | None = None) -> list[str]:
    """The other ways a secret naming a local path is written: resolved (symbolic links followed), and relative to
    the project (``root``, or the project the path belongs to) — alone and in the secret's own text, as a shared file
    names it ("data/mk-Zq9xW2", "sqlite:///data/ward.db?unit=duy-tan").

    >>> path_forms("sqlite:////srv/du-an/data/ward.db?unit=a", "/srv/du-an")
    ['data/ward.db', 'sqlite:///data/ward.db?unit=a']
    """
    m = _LOCAL_PATH.match(secret)
    if m is None:
        return []
    path = m["path"]
    paths = dict.fromkeys([path, os.path.realpath(path)])
    bases: dict[str, None] = {}
    for base in [root, project_of(path)]:
        if base is not None:
            bases.update(dict.fromkeys([os.fspath(base), os.path.realpath(base)]))
    found = [p for p in paths if p != path]
    for p in paths:
        for base in bases:
            if len(base) > 1 and p.startswith(base.rstrip("/") + "/"):
                rel = p[len(base.rstrip("/")) + 1 :].rstrip("/")
                found += [rel, secret[: m.start("path")] + rel + secret[m.end("path") :]]
    return [f for f in dict.fromkeys(found) if f and f != secret]


class Redactor:
    """Masks given secret values (a database URL, a token) in text, nested data and file bytes.

    A URL also yields its password and credential query values, each masked on its own wherever it appears
    ("password authentication failed for …"), in its plain, percent-encoded, HTML- and JSON-escaped forms. A secret
    naming a local path (a data folder, a SQLite file) is also masked resolved and relative to the project, the
    forms the kernel and the shared files write it in.
    """

    def __init__(self, secrets: Iterable[object] = (), *, root: str | os.PathLike | None = None) -> None:
        values: set[str] = set()
        for secret in secrets:
            if not isinstance(secret, str) or not secret:
                continue
            values.add(secret)
            values.update(url_credentials(secret))
            values.update(path_forms(secret, root))
        forms: set[str] = set()
        for value in values:
            forms |= _forms(value)
        self._forms = sorted(forms, key=len, reverse=True)  # longest first: a URL before its password
        self._pattern = re.compile("|".join(map(re.escape, self._forms))) if self._forms else None
        # The project's absolute path, as text and as JSON writes it: a shared file names its data relative to it.
        self._roots: list[str] = []
        if root is not None:
            for base in dict.fromkeys((os.fspath(root), os.fspath(Path(root).resolve()))):
                if len(base) > 1:
                    self._roots += list(
                        dict.fromkeys(
                            (base, json.dumps(base)[1:-1], json.dumps(base, ensure_ascii=False)[1:-1])
                        )
                    )
            self._roots.sort(key=len, reverse=True)
        self._root_pattern = (
            re.compile("(?:" + "|".join(map(re.escape, self._roots)) + r")(?:/|(?=[\s\"'<>)\]]|$))")
            if self._roots
            else None
        )

    def __bool__(self) -> bool:
        return self._pattern is not None or self._root_pattern is not None

    def text(self, text: str) -> str:
        """``text`` with every form of every secret replaced by ``***``, any URL's credentials masked and, with a
        ``root``, the project's absolute path removed from the paths below it ("/home/an/du-an/data/x" → "data/x")."""
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        if self._root_pattern is not None:
            text = self._root_pattern.sub(lambda m: "" if m.group().endswith("/") else ".", text)
        return mask_urls(text) if "://" in text else text

    def found(self, text: str) -> bool:
        """True when ``text`` still holds a form of a secret (the final check on what is written)."""
        return self._pattern is not None and self._pattern.search(text) is not None

    def tree(self, value: object) -> object:
        """Every string (keys included) of nested dicts, lists and tuples passed through :meth:`text`."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.tree(k): self.tree(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.tree(v) for v in value)
        return value

    def values(self, value: object) -> object:
        """Like :meth:`tree`, but mapping keys stay as they are: for structures whose keys are names a program
        reads (a notebook's cell fields and MIME types), which a secret that happens to be a word — a database
        password "reportkit" — must not rename."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.values(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.values(v) for v in value)
        return value

    def bytes(self, data: bytes) -> bytes:
        """File content with the secrets masked; bytes that are not UTF-8 pass through unchanged."""
        if not self and b"://" not in data:
            return data
        text = data.decode("utf-8", errors="surrogateescape")
        return self.text(text).encode("utf-8", errors="surrogateescape")


def find_root(start: str | os.PathLike | None = None) -> Path:
    """The project root: the nearest folder, from ``start`` (the cwd) upwards, holding params/ and notebooks/."""
    here = Path(start or Path.cwd()).resolve()
    found = project_of(here)
    if found is None:
        raise FileNotFoundError(
            f"no reportkit project found from {here} upwards (a folder holding params/ and notebooks/); "
            "run inside a project or pass --root"
        )
    return found


def project_of(path: str | os.PathLike) -> Path | None:
    """The project a file or folder belongs to (its nearest ancestor holding params/ and notebooks/), or None."""
    here = Path(path).resolve()
    for folder in (here, *here.parents):
        if (folder / "params").is_dir() and (folder / "notebooks").is_dir():
            return folder
    return None


def shown_path(path: str | os.PathLike, root: str | os.PathLike | None = None) -> str:
    """A path as a shared file may show it: relative to the project ``root`` (POSIX form) when inside it; any other
    absolute path reduced to its last two parts ("…/ward/ward.yaml"), so no folder layout of the machine travels.

    >>> shown_path("/home/an/bao-cao/data/duy-tan/ward.yaml", "/home/an/bao-cao")
    'data/duy-tan/ward.yaml'
    >>> shown_path("/srv/secret/place/ward.yaml", "/home/an/bao-cao")
    '…/place/ward.yaml'
    """
    text = os.fspath(path)
    if "://" in text:
        return mask_url(text)
    candidate = Path(text)
    if not candidate.is_absolute():
        return PurePosixPath(*candidate.parts).as_posix() if candidate.parts else text
    if root is not None:
        for base in {Path(root), Path(root).resolve()}:
            for probe in (candidate, candidate.resolve()):
                try:
                    return probe.relative_to(base).as_posix() or "."
                except ValueError:
                    continue
    return "…/" + "/".join(candidate.parts[-2:])


def terminal_path(
    path: str | os.PathLike, root: str | os.PathLike | None = None, *, cwd: str | os.PathLike | None = None
) -> str:
    """A path as the user's own terminal shows it: relative to the working folder (``cwd``) when below it, else
    relative to ``root``, else absolute (there it helps the reader find the file)."""
    text = os.fspath(path)
    if "://" in text:
        return mask_url(text)
    candidate = Path(text).resolve()
    for base in (Path(cwd or Path.cwd()), *([Path(root)] if root is not None else [])):
        try:
            return candidate.relative_to(base.resolve()).as_posix() or "."
        except ValueError:
            continue
    return candidate.as_posix()
