"""The ward description (ward.yaml) and the indicator catalog (catalog.yaml), and header matching."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from reportkit import vn
from reportkit.core import yamlcheck
from reportkit.data import kinds
from reportkit.data.errors import DataError, Problem
from reportkit.data.values import key
from reportkit.vn.names import NAMED_AFTER
from reportkit.vn.text import hidden_characters

try:  # libyaml's parser: the same documents as yaml.safe_load, ten times faster (a ward and catalog per report)
    _YAML_LOADER = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _YAML_LOADER = yaml.SafeLoader


class UnsafeYaml(yaml.YAMLError):
    """A document plain YAML would load silently wrong: a key given twice (the last would win), or aliases that
    expand past :data:`reportkit.core.yamlcheck.MAX_NODES` values. ``items``: (key, line, what is expected)."""

    def __init__(self, items: list[tuple[str | None, int | None, str]]) -> None:
        super().__init__("; ".join(expected for _, _, expected in items))
        self.items = items

    def problems(self, kind: str, file: str) -> list[Problem]:
        return [Problem(kind, file, None, line, key, None, expected) for key, line, expected in self.items]


def load_yaml(text: str):
    """``yaml.safe_load(text)`` through libyaml when PyYAML has it: ward descriptions, catalogs, province lists;
    :class:`UnsafeYaml` for a key given twice or an alias bomb (checked on the composed nodes, before building)."""
    loader = _YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if yamlcheck.expanded_size(node) > yamlcheck.MAX_NODES:
            limit = vn.number(yamlcheck.MAX_NODES)
            raise UnsafeYaml(
                [(None, None, f"bí danh (*tên) mở ra dưới {limit} giá trị: viết thẳng các giá trị")]
            )
        duplicates = yamlcheck.duplicate_keys(node)
        if duplicates:
            raise UnsafeYaml([(key, again, f"mỗi khóa ghi một lần (khóa này ghi ở dòng {first} và dòng {again})")
                              for key, first, again in duplicates])  # fmt: skip
        return loader.construct_document(node)
    finally:
        loader.dispose()


# Columns that are not indicators. Their synonyms can be extended in catalog.yaml under `fields:`.
FIELD_SYNONYMS: dict[str, tuple[str, ...]] = {
    "month": ("Tháng", "Tháng báo cáo", "Kỳ báo cáo", "Month", "thang"),
    "year": ("Năm", "Năm báo cáo", "Year", "nam"),
    "unit": ("Tổ dân phố", "Tổ", "TDP", "Đơn vị", "Tên tổ", "Tên tổ dân phố", "to_dan_pho", "unit"),
    "report_date": ("Ngày báo cáo", "Ngày lập", "Ngày gửi", "Ngày lập báo cáo", "ngay_bao_cao"),
    "note": ("Ghi chú", "Ghi chú khác", "Note", "ghi_chu"),
    "index": ("STT", "Số TT", "Số thứ tự", "TT"),
}

_PARENS = re.compile(r"\([^)]*\)")
_ID = re.compile(r"[a-z][a-z0-9_]*")


def header_keys(text: object) -> list[str]:
    """The keys a header can match: without its parenthesised unit first, then as written."""
    try:
        return list(_header_keys(text))
    except TypeError:  # an unhashable cell
        return list(_header_keys.__wrapped__(text))


# Finding a header tries every cell of a sheet's first rows; a province's hundreds of tables repeat the same cells.
@functools.lru_cache(maxsize=8192, typed=True)
def _header_keys(text: object) -> tuple[str, ...]:
    full = key(text)
    bare = key(_PARENS.sub(" ", str(text)))
    return tuple(k for k in dict.fromkeys((bare, full)) if k)


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalog, e.g. ``tuyen_truyen_luot`` "Lượt người dân dự tuyên truyền" (lượt người)."""

    id: str
    label: str
    unit: str
    kind: str = "count"
    over_months: str = "sum"
    over_units: str = "sum"
    min: float | None = None
    max: float | None = None
    synonyms: tuple[str, ...] = ()
    group: str | None = None
    column: str | None = None
    optional: bool = False
    plan: bool = False

    @property
    def type(self) -> kinds.Kind:
        """The kind as an object (``kinds.KINDS[self.kind]``): reads, checks and writes this indicator's cells."""
        return kinds.KINDS[self.kind]

    @property
    def months_agg(self) -> kinds.MonthAggregation:
        """How one tổ's months add up (``kinds.OVER_MONTHS[self.over_months]``)."""
        return kinds.OVER_MONTHS[self.over_months]

    @property
    def units_agg(self) -> kinds.UnitAggregation:
        """How the tổ add up (``kinds.OVER_UNITS[self.over_units]``)."""
        return kinds.OVER_UNITS[self.over_units]

    @property
    def header(self) -> str:
        """The column header the collection template writes (under ``group`` when there is one)."""
        return self.column or self.label

    def keys(self) -> list[str]:
        texts = [self.id, self.label, self.header, *self.synonyms]
        if self.group:
            texts.append(f"{self.group} {self.header}")
        out: list[str] = []
        for t in texts:
            out.extend(header_keys(t))
        return list(dict.fromkeys(out))


@dataclass
class Catalog:
    """The indicator catalog: ``catalog["quy_vnn"]`` → Indicator; iterates in catalog order."""

    indicators: dict[str, Indicator]
    fields: dict[str, tuple[str, ...]]
    path: Path | None = None
    text: str = ""
    _index: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False)

    def __getitem__(self, ident: str) -> Indicator:
        return self.indicators[ident]

    def __iter__(self) -> Iterator[Indicator]:
        return iter(self.indicators.values())

    def __len__(self) -> int:
        return len(self.indicators)

    def __contains__(self, ident: object) -> bool:
        return ident in self.indicators

    @property
    def ids(self) -> list[str]:
        return list(self.indicators)

    def match(self, header: str) -> tuple[str, str] | None:
        """("indicator", id) or ("field", name) for a header, whatever its case, diacritics, spacing or encoding."""
        for k in header_keys(header):
            hit = self._index.get(k)
            if hit:
                return hit
        return None

    @classmethod
    def from_yaml(cls, path: str | Path) -> Catalog:
        path = Path(path)
        text = path.read_text(encoding="utf-8")
        return cls.from_text(text, path)

    @classmethod
    def from_text(cls, text: str, path: Path | None = None) -> Catalog:
        """The catalog from YAML text; DataError lists every problem, e.g. column "x.kind", value "money"."""
        name = path.name if path else "catalog.yaml"
        problems: list[Problem] = []

        def bad(where: str, value: object, expected: str) -> None:
            problems.append(Problem("bad_catalog", name, None, None, where, value, expected))

        try:
            doc = load_yaml(text) or {}
        except UnsafeYaml as exc:
            raise DataError(exc.problems("bad_catalog", name)) from None
        except yaml.YAMLError as exc:
            raise DataError(
                [Problem("bad_catalog", name, None, None, None, str(exc), "YAML hợp lệ")]
            ) from None
        fields = _fields(doc.get("fields") or {}, bad)
        indicators: dict[str, Indicator] = {}
        for i, spec in enumerate(doc.get("indicators") or []):
            ind = _indicator(f"indicators[{i}]", spec, indicators, bad)
            if ind is not None:
                indicators[ind.id] = ind
        if not indicators and not problems:
            bad("indicators", None, "ít nhất một chỉ tiêu")
        index = _header_index(fields, indicators, bad)
        if problems:
            raise DataError(problems)
        return cls(indicators, fields, path, text, index)


_Complaint = Callable[[str, object, str], None]  # (where, value, expected) → a located "bad_catalog" problem


def _fields(spec: dict, bad: _Complaint) -> dict[str, tuple[str, ...]]:
    """The field columns' synonyms: the built-in ones plus the catalog's ``fields:``."""
    fields = {k: tuple(v) for k, v in FIELD_SYNONYMS.items()}
    for fname, extra in spec.items():
        if fname not in FIELD_SYNONYMS:
            bad(f"fields.{fname}", fname, "một trong: " + ", ".join(FIELD_SYNONYMS))
            continue
        if isinstance(extra, dict):
            extra = extra.get("synonyms", [])
        fields[fname] = tuple(dict.fromkeys([*fields[fname], *map(str, extra or [])]))
    return fields


def _indicator(where: str, spec: object, taken: dict[str, Indicator], bad: _Complaint) -> Indicator | None:
    """One entry of ``indicators:``; every problem it has is reported, even without an id or label."""
    if not isinstance(spec, dict):
        bad(where, spec, "một chỉ tiêu: id, label, kind …")
        return None
    for required in ("id", "label"):
        if not spec.get(required):
            bad(f"{where}.{required}", spec.get(required), "bắt buộc")
    if not spec.get("id"):
        return None
    ident = str(spec["id"])
    if not _ID.fullmatch(ident):
        bad(f"{where}.id", ident, "chữ thường không dấu, số và _")
    if ident in taken:
        bad(f"{where}.id", ident, "id không trùng")
    kind = spec.get("kind", "count")
    over_months, over_units, low = kinds.defaults(kind)
    over_months = spec.get("over_months", over_months)
    over_units = spec.get("over_units", over_units)
    for fname, value, expected in kinds.aggregation_problems(kind, over_months, over_units):
        bad(f"{ident}.{fname}", value, expected)
    lo, hi = _number(ident, "min", spec.get("min", low), bad), _number(ident, "max", spec.get("max"), bad)

    def text(name: str) -> str | None:
        return vn.nfc(str(spec[name])) if spec.get(name) else None

    return Indicator(
        id=ident,
        label=text("label") or "",
        unit=vn.nfc(str(spec.get("unit", ""))),
        kind=kind,
        over_months=over_months,
        over_units=over_units,
        min=lo,
        max=hi,
        synonyms=tuple(vn.nfc(str(s)) for s in spec.get("synonyms") or ()),
        group=text("group"),
        column=text("column"),
        optional=bool(spec.get("optional", False)),
        plan=bool(spec.get("plan", False)),
    )


def _number(ident: str, name: str, value: object, bad: _Complaint) -> object:
    if value is not None and not isinstance(value, int | float):
        bad(f"{ident}.{name}", value, "một số")
    return value


def _header_index(fields: dict[str, tuple[str, ...]], indicators: dict[str, Indicator],
                  bad: _Complaint) -> dict[str, tuple[str, str]]:  # fmt: skip
    """Header key → ("field", name) | ("indicator", id); a key claimed by two columns is a problem."""
    index: dict[str, tuple[str, str]] = {}
    entries = [(("field", f), [k for s in syn for k in header_keys(s)]) for f, syn in fields.items()]
    entries += [(("indicator", ind.id), ind.keys()) for ind in indicators.values()]
    for target, keys in entries:
        for k in keys:
            if k in index and index[k] != target:
                bad(f"{target[1]}.synonyms", k, f"tên cột không trùng với {index[k][1]}")
                continue
            index[k] = target
    return index


_MONTH = re.compile(r"^(\d{4})-(0?[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Event:
    """Something that happened in the ward over some months and that its reports name, from ``events:`` in
    ward.yaml, e.g. "đại hội các chi bộ tổ dân phố nhiệm kỳ 2022 - 2025" from 2022-03 to 2022-05."""

    id: str
    name: str
    first: tuple[int, int]
    last: tuple[int, int]

    def __contains__(self, month: object) -> bool:
        """``(2022, 4) in event``: the month falls within the event."""
        return isinstance(month, tuple) and self.first <= month <= self.last

    def overlaps(self, months) -> bool:
        return any(m in self for m in months)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "from": f"{self.first[0]:04d}-{self.first[1]:02d}",
            "to": f"{self.last[0]:04d}-{self.last[1]:02d}",
        }


def _month(value: object) -> tuple[int, int] | None:
    if hasattr(value, "year") and hasattr(value, "month"):
        return (value.year, value.month)
    match = _MONTH.match(str(value).strip()) if isinstance(value, str) else None
    return (int(match.group(1)), int(match.group(2))) if match else None


def _events(spec: object, file: str, problems: list[Problem]) -> list[Event]:
    """``events:`` of ward.yaml; every problem located ("events[0].to")."""
    if spec is None:
        return []
    if not isinstance(spec, list):
        problems.append(
            Problem("bad_ward", file, None, None, "events", spec, "danh sách sự kiện (id, name, from, to)")
        )
        return []
    events, seen = [], set()
    for i, item in enumerate(spec):
        where = f"events[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem("bad_ward", file, None, None, where, item, "id, name, from, to"))
            continue
        ident, name = item.get("id"), item.get("name")
        first, last = _month(item.get("from")), _month(item.get("to", item.get("from")))
        bad = len(problems)
        if not isinstance(ident, str) or not _ID.fullmatch(ident) or ident in seen:
            problems.append(
                Problem(
                    "bad_ward", file, None, None, f"{where}.id", ident, "id không trùng, chữ thường không dấu"
                )
            )
        if not isinstance(name, str) or not name.strip():
            problems.append(
                Problem("bad_ward", file, None, None, f"{where}.name", name, "tên sự kiện như viết trong câu")
            )
        for field_name, month in (("from", first), ("to", last)):
            if month is None:
                problems.append(
                    Problem(
                        "bad_ward",
                        file,
                        None,
                        None,
                        f"{where}.{field_name}",
                        item.get(field_name),
                        "tháng dạng YYYY-MM",
                    )
                )
        if first and last and last < first:
            problems.append(
                Problem(
                    "bad_ward", file, None, None, f"{where}.to", item.get("to"), "không trước tháng bắt đầu"
                )
            )
        if len(problems) == bad:
            seen.add(ident)
            events.append(Event(ident, vn.nfc(" ".join(name.split())), first, last))
    return events


# ward.yaml's texts that the official document prints (header, number line, date line, signature, recipients).
WARD_TEXTS = ("name", "short_name", "place", "units", "unit_noun", "parent_body", "issuing_body", "document_symbol",
              "signer", "recipients", "national_title", "motto", "issuer")  # fmt: skip


def _hidden_text_problems(doc: dict, file: str) -> list[Problem]:
    """A right-to-left override or a zero-width space in ward.yaml reaches the PDF (reversed or invisible text)."""
    problems = []

    def check(where: str, value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                check(f"{where}.{k}", v)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                check(f"{where}[{i}]", v)
        elif isinstance(value, str) and (hidden := hidden_characters(value.strip())):
            at, name = hidden[0]
            problems.append(Problem("hidden_character", file, None, None, where, value,
                                    f"chỉ chữ nhìn thấy được: ký tự ẩn {name} ở vị trí {at + 1}, gõ lại"))  # fmt: skip

    for k, v in doc.items():  # every text, events and keys to come included: any of them may be printed
        check(str(k), v)
    return problems


@dataclass
class Ward:
    """The reporting body and its sub-units, from ward.yaml (e.g. "Phường Duy Tân", "Tổ 1" … "Tổ 10").

    ``named_after`` says what the unit's name is (Nghị định 30/2020, Phụ lục II): "person", "number" or "event"
    keep "Phường" capitalised inside a sentence, "place" does not; without it only a number ("Quận 1") keeps the
    capital (``vn.admin_name``); ``in_text`` applies it.
    ``issuer`` is the issuing body as a sentence names it, without the unit ("Ban Thường trực Ủy ban MTTQ Việt
    Nam"); ``events`` what happened in the ward that its reports name.
    """

    name: str
    short_name: str
    place: str
    units: list[str]
    unit_noun: str
    parent_body: list[str]
    issuing_body: str
    document_symbol: str
    signer: dict[str, str]
    recipients: list[str]
    national_title: str = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    motto: str = "Độc lập - Tự do - Hạnh phúc"
    catalog_file: str = "catalog.yaml"
    plan_file: str | None = "ke-hoach.xlsx"
    reports: str = "bao-cao"
    named_after: str | None = None
    issuer: str | None = None
    events: list[Event] = field(default_factory=list)
    file: str = "ward.yaml"  # where the description was read (problems and proofreading name it)

    @property
    def in_text(self) -> str:
        """The unit's name inside a sentence: "Phường Duy Tân" (a reign name), "phường Hải Châu" (a place)."""
        return vn.admin_name(self.name, self.named_after)

    @property
    def issuer_in_text(self) -> str:
        """The issuing body inside a sentence: "Ban Thường trực Ủy ban MTTQ Việt Nam Phường Duy Tân"."""
        body = self.issuer or vn.upper_first(self.issuing_body.lower())
        return f"{body} {self.in_text}"

    def texts(self) -> list[tuple[str, str]]:
        """(key, text) of everything of ward.yaml a report prints: names, bodies, signer, recipients, events."""
        single = (
            "name",
            "short_name",
            "place",
            "unit_noun",
            "issuing_body",
            "issuer",
            "national_title",
            "motto",
        )
        out = [(name, getattr(self, name)) for name in single if getattr(self, name)]
        for name in ("parent_body", "recipients", "units"):
            out += [(f"{name}[{i}]", v) for i, v in enumerate(getattr(self, name))]
        out += [(f"signer.{k}", v) for k, v in self.signer.items()]
        out += [(f"events[{i}].name", e.name) for i, e in enumerate(self.events)]
        return out

    def event(self, ident: str) -> Event | None:
        """The event of ward.yaml with this id, or None when the ward has none."""
        return next((e for e in self.events if e.id == ident), None)

    @classmethod
    def from_mapping(cls, doc: dict, file: str = "ward.yaml") -> Ward:
        problems: list[Problem] = []
        required = ("name", "units", "issuing_body", "document_symbol", "signer")
        for k in required:
            if not doc.get(k):
                problems.append(Problem("bad_ward", file, None, None, k, None, "bắt buộc"))
        units = doc.get("units") or []
        if units and (not isinstance(units, list) or len({key(u) for u in units}) != len(units)):
            problems.append(
                Problem("bad_ward", file, None, None, "units", units, "danh sách tên tổ không trùng")
            )
        signer = doc.get("signer") or {}
        if signer and not all(signer.get(k) for k in ("authority", "title", "name")):
            problems.append(Problem("bad_ward", file, None, None, "signer", signer, "authority, title, name"))
        named_after = doc.get("named_after")
        if named_after is not None and named_after not in NAMED_AFTER:
            problems.append(
                Problem(
                    "bad_ward",
                    file,
                    None,
                    None,
                    "named_after",
                    named_after,
                    "một trong: " + ", ".join(NAMED_AFTER),
                )
            )
        events = _events(doc.get("events"), file, problems)
        problems.extend(_hidden_text_problems(doc, file))
        if problems:
            raise DataError(problems)

        def t(v):
            return vn.nfc(str(v)) if v is not None else None

        name = t(doc["name"])
        proper_place = named_after in ("person", "number", "event") or re.fullmatch(r"\S+ \d+", name or "")
        # Nghị định 30/2020: a unit named after a person, a number or an event dates its documents with its full
        # name ("Quận 1, ngày …"); any other with its proper name only ("Hải Châu, ngày …").
        default_place = name if proper_place else t(doc.get("short_name") or name)
        return cls(
            name=name,
            short_name=t(doc.get("short_name") or name),
            place=t(doc.get("place") or default_place),
            units=sorted((t(u) for u in units), key=vn.sort_key),
            unit_noun=t(doc.get("unit_noun", "tổ dân phố")),
            parent_body=[t(x) for x in doc.get("parent_body") or []],
            issuing_body=t(doc["issuing_body"]),
            document_symbol=t(doc["document_symbol"]),
            signer={k: t(v) for k, v in signer.items()},
            recipients=[t(x) for x in doc.get("recipients") or []],
            national_title=t(doc.get("national_title") or cls.national_title),
            motto=t(doc.get("motto") or cls.motto),
            catalog_file=str(doc.get("catalog", "catalog.yaml")),
            plan_file=doc.get("plan", "ke-hoach.xlsx"),
            reports=str(doc.get("reports", "bao-cao")),
            named_after=named_after,
            issuer=t(doc.get("issuer")),
            events=events,
            file=file,
        )

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "short_name": self.short_name,
            "place": self.place,
            "units": list(self.units),
            "unit_noun": self.unit_noun,
            "parent_body": list(self.parent_body),
            "issuing_body": self.issuing_body,
            "document_symbol": self.document_symbol,
            "signer": dict(self.signer),
            "recipients": list(self.recipients),
            "national_title": self.national_title,
            "motto": self.motto,
            **({"named_after": self.named_after} if self.named_after else {}),
            **({"issuer": self.issuer} if self.issuer else {}),
            **({"events": [e.as_dict() for e in self.events]} if self.events else {}),
        }

    def unit_matcher(self):
        """A function mapping "tổ 03", "TỔ DÂN PHỐ 3", "3" … to the ward's own name ("Tổ 3"), or None."""
        table: dict[str, str] = {}
        noun = key(self.unit_noun)
        for u in self.units:
            k = key(u)
            table[k] = u
            m = re.fullmatch(r"(\D*?)\s*0*(\d+)", k)
            if m:
                n = m.group(2)
                table[n] = u
                for prefix in {m.group(1), "to", "to dan pho", "tdp", noun}:
                    table[f"{prefix} {n}".strip()] = u
        padded = re.compile(r"\b0+(\d)")

        def match(text: object) -> str | None:
            if isinstance(text, float) and text.is_integer():
                text = int(text)
            k = key(text)
            return table.get(k) or table.get(padded.sub(r"\1", k))

        return match
