"""The sample province: Tỉnh Bình Sơn, a deterministic province of wards for the roll-up and for batches at scale.

    reportkit sample province --wards 120 --sqlite data/province/province.db
    reportkit sample province --wards 500 --url postgresql://user:pw@host/db --out PROJECT_DIR

Fictional wards, each its own: 6–18 tổ dân phố (a few split ones, "Tổ 4A", "Tổ 4B"), a plan per year and
30 months of figures (January 2021 – June 2023) drawn from a generator seeded by the ward's code, so a ward is the
same whatever the number of wards asked for (the first 120 of a 500-ward province are the 120-ward province).
Some wards have not yet sent June 2023 (a few neither May), some skipped a whole month, some have a tổ that did
not report for a month or three. The first ward is the sample ward itself, Phường Duy Tân, read from its
workbooks. Every ward uses the sample ward's catalog, so ``notebooks/report.ipynb`` runs on each of them.

Ward names mix the kinds Nghị định 30 capitalises differently: after a person ("Phường Trần Hưng Đạo"), a number
("Phường 3"), a historical event ("Phường Điện Biên Phủ") or a place ("Phường Hòa Khánh"); each ward's description
says which in ``named_after`` (person | number | event | place).
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from reportkit import vn
from reportkit.core.atomic import write_atomic
from reportkit.data.model import Catalog

MONTHS = tuple((y, m) for y in (2021, 2022, 2023) for m in range(1, 13) if (y, m) <= (2023, 6))
YEARS = (2021, 2022, 2023)
HALVES = ("2021-H1", "2021-H2", "2022-H1", "2022-H2", "2023-H1")
MAX_TO = 18

PROVINCE_CODE = "tinh-binh-son"  # the roll-up's folder in outputs/, beside the wards' (no ward's code)
PROVINCE = {
    "name": "Tỉnh Bình Sơn",
    "short_name": "Bình Sơn",
    "place": "Bình Sơn",  # named after a place: the short name in the place-and-date line
    "named_after": "place",
    "unit_noun": "phường",
    "parent_body": ["ỦY BAN MTTQ VIỆT NAM", "TỈNH BÌNH SƠN"],
    "issuing_body": "BAN THƯỜNG TRỰC",
    "issuer": "Ban Thường trực Ủy ban MTTQ Việt Nam",  # in a sentence: "… Ủy ban MTTQ Việt Nam tỉnh Bình Sơn"
    "document_symbol": "BC-MTTQ-BTT",
    "signer": {"authority": "TM. BAN THƯỜNG TRỰC", "title": "CHỦ TỊCH", "name": "Nguyễn Thị Thanh Bình"},
    "recipients": [
        "Ban Thường trực Ủy ban Trung ương MTTQ Việt Nam;",
        "Thường trực Tỉnh ủy;",
        "Thường trực HĐND, UBND tỉnh;",
        "Các tổ chức thành viên;",
        "Ban Thường trực Ủy ban MTTQ Việt Nam các phường;",
        "Lưu: VT, BTT.",
    ],
}

PERSONS = (
    "Trần Hưng Đạo", "Lê Lợi", "Quang Trung", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Phan Chu Trinh",
    "Hoàng Văn Thụ", "Võ Thị Sáu", "Trưng Vương", "Ngô Quyền", "Lê Hồng Phong", "Nguyễn Du", "Chu Văn An",
    "Phan Bội Châu", "Hùng Vương", "Bà Triệu", "Yết Kiêu", "Đinh Tiên Hoàng", "Lê Thánh Tông", "Trần Phú",
    "Nguyễn Văn Cừ", "Tô Hiến Thành", "Cao Thắng", "Lạc Long Quân", "Nguyễn Huệ", "Hàm Nghi", "Thái Phiên",
    "Lê Quý Đôn", "Nguyễn Thái Học", "Hoàng Diệu", "Phạm Ngũ Lão", "Trần Quang Khải", "Lý Tự Trọng",
    "Nguyễn Công Trứ", "Phan Đình Phùng", "Trần Cao Vân", "Nguyễn Tri Phương", "Minh Khai", "Tô Vĩnh Diện",
)  # fmt: skip
EVENTS = (
    "Điện Biên Phủ",
    "Đống Đa",
    "Chi Lăng",
    "Bạch Đằng",
    "Xương Giang",
    "Đồng Khởi",
    "Rạch Gầm",
    "Như Nguyệt",
)
PLACE_FIRST = (
    "An", "Bình", "Hòa", "Tân", "Phú", "Mỹ", "Phước", "Thanh", "Vĩnh", "Long", "Xuân", "Thuận", "Quang", "Minh",
    "Đức", "Hiệp", "Khánh", "Hải", "Sơn", "Cẩm", "Thạnh", "Hưng", "Nghĩa", "Kim", "Ngọc", "Đông", "Tây", "Nam",
    "Trung", "Thái",
)  # fmt: skip
PLACE_SECOND = (
    "An", "Bình", "Hòa", "Lợi", "Phú", "Hưng", "Lộc", "Mỹ", "Khánh", "Thuận", "Xuân", "Đông", "Tây", "Trung",
    "Sơn", "Hải", "Phước", "Thành", "Lập", "Tiến", "Long", "Hiệp", "Nghĩa", "Quang", "Minh", "Đức", "Thịnh",
    "Thọ", "Điền", "Giang", "Lâm", "Châu",
)  # fmt: skip
NUMBERS = 15
SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
)
MEN = (
    "Văn Hùng",
    "Minh Tuấn",
    "Đức Thắng",
    "Quốc Bảo",
    "Văn Long",
    "Hữu Phúc",
    "Thanh Sơn",
    "Văn Nam",
    "Công Minh",
)
WOMEN = ("Thị Hương", "Thị Lan", "Thị Thu Hà", "Ngọc Mai", "Thị Hạnh", "Thanh Vân", "Thị Yến", "Thu Trang")
# Quỹ "Vì người nghèo": Tết and the tháng cao điểm (17/10–18/11) bring most of the year's money.
FUND_SEASON = {
    1: 3.0,
    2: 2.0,
    3: 1.3,
    4: 0.7,
    5: 0.6,
    6: 0.6,
    7: 0.3,
    8: 0.3,
    9: 0.4,
    10: 1.2,
    11: 1.8,
    12: 0.8,
}
NOTES = (
    "Phối hợp tổ chức Ngày hội Đại đoàn kết toàn dân tộc",
    "Kiện toàn Ban CTMT sau đại hội chi bộ",
    "Vận động ủng hộ Quỹ “Vì người nghèo” dịp Tết",
    "Ra mắt mô hình «Tôi dùng hàng Việt Nam»",
)


@dataclass(frozen=True)
class WardName:
    """A ward of the sample province before its figures: code, names, what it is named after."""

    code: str
    name: str
    short_name: str
    named_after: str


def _slug(text: str) -> str:
    return "-".join(vn.fold(text).replace("-", " ").split())


def ward_names(n: int) -> list[WardName]:
    """The first ``n`` wards' names, always in the same order (Phường Duy Tân first).

    >>> [w.name for w in ward_names(4)]
    ['Phường Duy Tân', 'Phường Trung Thọ', 'Phường Tây Lập', 'Phường Thái Xuân']
    """
    if n < 1:
        raise ValueError(f"a province needs at least one ward, not {n}")
    rng = random.Random("reportkit sample province: ward names")
    persons, events = list(PERSONS), list(EVENTS)
    numbers = [str(k) for k in range(1, NUMBERS + 1)]
    taken = {vn.fold(s) for s in (*PERSONS, *EVENTS, "Duy Tân")}
    places = []
    for a in PLACE_FIRST:
        for b in PLACE_SECOND:
            folded = vn.fold(f"{a} {b}")
            if a != b and folded not in taken:  # "Thanh Điền" and "Thạnh Điền" would share a code
                taken.add(folded)
                places.append(f"{a} {b}")
    for pool in (persons, events, places):
        rng.shuffle(pool)
    capacity = 1 + len(persons) + len(events) + len(numbers) + len(places)
    if n > capacity:
        raise ValueError(f"the sample province has names for at most {capacity} wards, not {n}")
    out = [WardName("duy-tan", "Phường Duy Tân", "Duy Tân", "person")]
    pools = [
        ("place", places, 0.66),
        ("person", persons, 0.2),
        ("number", numbers, 0.09),
        ("event", events, 0.05),
    ]
    while len(out) < n:
        open_pools = [p for p in pools if p[1]]
        kind, pool, _ = rng.choices(open_pools, weights=[w for *_, w in open_pools])[0]
        short = pool.pop(0)
        name = f"Phường {short}"
        code = f"phuong-{short}" if kind == "number" else _slug(short)
        out.append(WardName(code, name, name if kind == "number" else short, kind))
    return out


# ---------------------------------------------------------------- one ward's figures


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _units(rng: random.Random) -> list[str]:
    n = rng.randint(6, MAX_TO)
    names = [f"Tổ {k}" for k in range(1, n + 1)]
    if rng.random() < 0.12 and n >= 7:  # a tổ split in two after the area grew: "Tổ 4A", "Tổ 4B"
        k = rng.randint(2, n - 1)
        names[k - 1 : k] = [f"Tổ {k}A", f"Tổ {k}B"]
        names.pop()
    return names


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(WOMEN if rng.random() < 0.5 else MEN)}"


def description(w: WardName, units: list[str], signer: str) -> dict:
    """The ward's ward.yaml keys, with ``named_after`` and the place-and-date line the rule asks for."""
    return {
        "name": w.name,
        "short_name": w.short_name,
        # Nghị định 30: a unit named after a person, number or event takes its full name in the date line
        "place": w.short_name if w.named_after == "place" else w.name,
        "named_after": w.named_after,
        "unit_noun": "tổ dân phố",
        "units": units,
        "parent_body": ["ỦY BAN MTTQ VIỆT NAM", w.name.upper()],
        "issuing_body": "BAN THƯỜNG TRỰC",
        "issuer": "Ban Thường trực Ủy ban MTTQ Việt Nam",
        "document_symbol": "BC-MTTQ-BTT",
        "signer": {"authority": "TM. BAN THƯỜNG TRỰC", "title": "CHỦ TỊCH", "name": signer},
        "recipients": [
            "Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh;",
            "Thường trực Đảng ủy phường;",
            "Thường trực HĐND, UBND phường;",
            "Các tổ chức thành viên;",
            "Ban Công tác Mặt trận các tổ dân phố;",
            "Lưu: VT, BTT.",
        ],
    }


@dataclass
class _Profile:
    units: list[str]
    activity: float
    fund: float  # đồng per tổ and month in an ordinary month
    missing_months: frozenset  # the ward sent nothing for these
    missing_rows: frozenset  # (tổ, month) not reported
    since: dict  # (indicator, tổ) -> first month of a lasting "yes" (None: never)


def _profile(rng: random.Random) -> _Profile:
    units = _units(rng)
    activity = rng.uniform(0.65, 1.35)
    fund = rng.uniform(1.2, 3.2) * 1_000_000
    missing: set = set()
    if rng.random() < 0.08:  # not yet sent June 2023 (a few neither May)
        missing |= {(2023, 6)} | ({(2023, 5)} if rng.random() < 0.3 else set())
    if rng.random() < 0.05:  # skipped a whole month
        missing.add(rng.choice(MONTHS[1:24]))
    rows: set = set()
    if rng.random() < 0.07:  # a tổ that did not report for a month or three
        to = rng.choice(units)
        start = rng.randrange(0, len(MONTHS) - 3)
        rows |= {(to, ym) for ym in MONTHS[start : start + rng.randint(1, 3)]}
    since: dict = {}
    chances = {"to_tu_quan_an_ninh": 0.3, "mo_hinh_atgt": 0.15, "clb_phap_luat": 0.2, "hom_thu": 0.97}
    for ident, chance in chances.items():
        for u in units:
            if rng.random() < chance:
                # most models predate the data; the others start in one of its months and last
                since[(ident, u)] = MONTHS[0] if rng.random() < 0.6 else rng.choice(MONTHS)
            else:
                since[(ident, u)] = None
    return _Profile(units, activity, fund, frozenset(missing), frozenset(rows), since)


def _year_factor(ym: tuple[int, int]) -> float:
    if (2021, 7) <= ym <= (2021, 9):
        return 0.35  # gatherings stopped during the 2021 Covid-19 wave
    return {2021: 0.9, 2022: 1.0, 2023: 1.06}[ym[0]]


def _month(rng: random.Random, p: _Profile, u: str, ym: tuple[int, int], ngay_hoi: bool) -> dict:
    y, m = ym
    a = p.activity * _year_factor(ym)
    buoi = min(10, _poisson(rng, 0.22 * a))
    hv = rng.random() < (0.35 * p.activity if m in (2, 3, 4, 8, 9, 10) else 0.04)
    meetings = 0
    if m in (4, 5, 11) and rng.random() < (0.45 if m != 11 else 0.85):  # before the HĐND sessions
        meetings = 1 + (rng.random() < 0.15)
    fund = round(p.fund * FUND_SEASON[m] * rng.uniform(0.4, 1.6) / 100_000) * 100_000
    rec = {
        "to_dan_pho": u,
        "nam": y,
        "thang": m,
        "tap_huan_luot": 0 if m in (1, 7) else min(20, _poisson(rng, 0.13 * a)),
        "hop_ban_ctmt": int(rng.random() > 0.012 / p.activity),
        "kien_toan_ban_ctmt": int(rng.random() < (0.06 if (2022, 4) <= ym <= (2022, 8) else 0.004)),
        "tuyen_truyen_buoi": buoi,
        "tuyen_truyen_luot": min(1000, sum(rng.randint(55, 135) for _ in range(buoi))),
        "hang_viet_phoi_hop": int(hv),
        "hang_viet_nguoi": rng.randint(30, 110) if hv else 0,
        "quy_vnn": min(100_000_000, fund),
        "giam_ho_ngheo": min(10, _poisson(rng, 0.06)),
        "vu_viec_antt": min(20, _poisson(rng, 0.11)),
        "hoi_nghi_cu_tri": meetings,
        "cu_tri_luot": sum(rng.randint(35, 85) for _ in range(meetings)),
        "ngay_hoi_ddk": int(ngay_hoi),
        "ung_dung_khcn": int(rng.random() < 0.025),
        "ngay_bao_cao": f"{rng.randint(24, 28):02d}/{m:02d}/{y}",
        "ghi_chu": None,
    }
    for ident in ("to_tu_quan_an_ninh", "mo_hinh_atgt", "clb_phap_luat", "hom_thu"):
        start = p.since[(ident, u)]
        rec[ident] = int(start is not None and ym >= start)
    if rec["kien_toan_ban_ctmt"]:
        rec["ghi_chu"] = NOTES[1]
    elif m == 11 and ngay_hoi and rng.random() < 0.2:
        rec["ghi_chu"] = NOTES[0]
    elif m == 1 and rng.random() < 0.05:
        rec["ghi_chu"] = NOTES[2]
    return rec


def _plans(rng: random.Random, p: _Profile) -> dict[int, dict[str, object]]:
    n = len(p.units)
    out = {}
    for y in YEARS:
        a = p.activity * {2021: 0.8, 2022: 1.0, 2023: 1.06}[y]
        fund = n * p.fund * sum(FUND_SEASON.values()) * rng.uniform(0.8, 1.0)  # most wards pass it
        out[y] = {
            "tuyen_truyen_buoi": max(1, round(12 * n * 0.22 * a * rng.uniform(0.9, 1.15))),
            "quy_vnn": max(1, round(fund / 1_000_000)) * 1_000_000,
            "giam_ho_ngheo": max(1, round(12 * n * 0.06 * rng.uniform(0.9, 1.4))),
        }
    return out


def generate_ward(w: WardName):
    """One ward's description, report rows and plans (``reportkit.data.sql.WardRecords``), from its code alone."""
    from reportkit.data.sql import WardRecords

    rng = random.Random(f"reportkit sample province: {w.code}")
    p = _profile(rng)
    signer = _person(rng)
    plans = _plans(rng, p)
    reports = []
    for y in YEARS:
        ngay_hoi = {u: rng.random() < 0.92 for u in p.units}  # the tổ that hold the year's Ngày hội
        for ym in (ym for ym in MONTHS if ym[0] == y):
            for u in p.units:
                rec = _month(
                    rng, p, u, ym, ngay_hoi[u]
                )  # drawn even when not sent: the other months stay put
                if ym not in p.missing_months and (u, ym) not in p.missing_rows:
                    reports.append(rec)
    return WardRecords(w.code, description(w, p.units, signer), reports, plans)


def wards(n: int) -> Iterator:
    """Every ward's records, the sample ward (from its workbooks) first."""
    from reportkit.data.dataset import load
    from reportkit.data.sql import ward_records

    names = ward_names(n)
    yield ward_records(load(), names[0].code, named_after=names[0].named_after)
    for w in names[1:]:
        yield generate_ward(w)


# ---------------------------------------------------------------- writing it all


@dataclass
class Written:
    """What ``write`` wrote: the database (URL, password masked), the ward list and params files, sizes."""

    url: str
    wards: int
    units: int
    rows: int
    periods: tuple[str, ...]
    files: list[Path]
    late: dict[str, list[str]]  # ward code -> months not yet sent at the end of the data, "06/2023"
    # ward code -> months it sent nothing for, between its first and last: "05/2021"
    skipped: dict[str, list[str]]


def sample_catalog() -> Catalog:
    from reportkit.data.dataset import load

    return load().catalog


def write(n: int, url: str, *, replace: bool = False, out: Path | None = None,
          params_url: str | None = None, periods: tuple[str, ...] | None = None) -> Written:  # fmt: skip
    """Write the ``n``-ward sample province into the database at ``url``; with ``out`` (a project folder) also
    ``data/province/wards.yaml`` (the ward list), ``params/province/wards.yaml`` (every ward × period, for
    notebooks/report.ipynb) and ``params/province/province.yaml`` (the roll-up, notebooks/province.ipynb).

    ``params_url`` is the database as the params files name it (default ``url``); ``periods`` default to the
    half-years every ward's data cover (a ward that has not sent June 2023 has no report for 6 tháng đầu năm 2023).
    """
    from reportkit.core.redact import mask_url
    from reportkit.data.sql import write_province

    catalog = sample_catalog()
    summary: dict[str, dict] = {}

    def tracked():
        for rec in wards(n):
            months = {(r["nam"], r["thang"]) for r in rec.reports}
            summary[rec.code] = {"record": rec, "months": months}
            yield rec

    rows = write_province(url, PROVINCE, catalog, tracked(), replace=replace)
    late = {code: [f"{m:02d}/{y}" for y, m in MONTHS if (y, m) > max(s["months"])]
            for code, s in summary.items() if max(s["months"]) < MONTHS[-1]}  # fmt: skip
    skipped = {code: gaps for code, s in summary.items()
               if (gaps := [f"{m:02d}/{y}" for y, m in MONTHS if min(s["months"]) < (y, m) < max(s["months"])
                            and (y, m) not in s["months"]])}  # fmt: skip
    if periods is None:
        periods = tuple(
            h for h in HALVES if all(vn.Period(h).months[-1] <= max(s["months"]) for s in summary.values())
        )
    files = []
    if out is not None:
        files = write_project(
            Path(out), params_url or url, [s["record"] for s in summary.values()], periods, late, skipped
        )
    units = sum(len(s["record"].description["units"]) for s in summary.values())
    return Written(mask_url(url), len(summary), units, rows, periods, files, late, skipped)


def _dump(doc: dict, head: str) -> str:
    return head + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def write_project(
    out: Path, url: str, records: list, periods: tuple[str, ...], late: dict, skipped: dict | None = None
) -> list[Path]:
    """The ward list and the two params files of the province, under ``out`` (a reportkit project folder), and
    the two notebooks they run where the folder lacks them (an analyst's own notebooks are never replaced)."""
    from reportkit.data.dataset import PROJECT_ROOT  # the sample project: the checkout, or the wheel's copy
    from reportkit.data.sql import with_unit

    skipped = skipped or {}

    listing = {
        "province": PROVINCE["name"],
        "wards": [
            {"code": r.code, "name": r.description["name"], "named_after": r.description.get("named_after"),
             "units": len(r.description["units"]), **({"late": late[r.code]} if r.code in late else {}),
             **({"skipped": skipped[r.code]} if r.code in skipped else {})}
            for r in sorted(records, key=lambda r: vn.sort_key(r.description["name"]))
        ],
    }  # fmt: skip
    secret = ["data"] if "@" in url.split("://", 1)[-1].split("/", 1)[0] else []  # a password in the URL
    ward_url = with_unit(url, "REPORTKIT-UNIT").replace("REPORTKIT-UNIT", "{unit}")
    wards_params = {"notebook": "notebooks/report.ipynb", "data": ward_url, **({"secret": secret} if secret else {}), "tone_style": "classic",
                    "periods": list(periods), "units": [r["code"] for r in listing["wards"]]}  # fmt: skip
    # The roll-up's run ids are "tinh-binh-son/<kỳ>": a project's own ward reports are "<kỳ>", and a report never
    # replaces another params file's (the runner refuses to).
    province_params = {"notebook": "notebooks/province.ipynb", "data": url, **({"secret": secret} if secret else {}), "tone_style": "classic",
                       "periods": list(periods), "units": [PROVINCE_CODE]}  # fmt: skip
    files = {
        out / "data" / "province" / "wards.yaml": _dump(
            listing, f"# {PROVINCE['name']} (mẫu, reportkit sample province): {len(records)} phường.\n"
            "# named_after: person | number | event | place — Nghị định 30 viết hoa tên phường theo đó.\n"
            "# late: tháng chưa gửi ở cuối số liệu; skipped: tháng bỏ trống — báo cáo nào đọc tháng đó sẽ dừng,\n"
            "# nói rõ tháng thiếu, thay vì cộng thiếu một tháng.\n"),
        out / "params" / "province" / "wards.yaml": _dump(
            wards_params, "# Báo cáo của từng phường, mỗi kỳ một báo cáo (run id \"<phường>/<kỳ>\"):\n"
            "#   reportkit run params/province/wards.yaml\n"),
        out / "params" / "province" / "province.yaml": _dump(
            province_params, f"# Báo cáo tổng hợp của {PROVINCE['name']} (run id \"{PROVINCE_CODE}/<kỳ>\"):\n"
            "#   reportkit run --notebook notebooks/province.ipynb params/province/province.yaml\n"),
    }  # fmt: skip
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text)
    written = list(files)
    for name in ("report.ipynb", "province.ipynb"):
        target = out / "notebooks" / name
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, (PROJECT_ROOT / "notebooks" / name).read_bytes())
            written.append(target)
    return written
