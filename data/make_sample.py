"""Generate the sample ward's workbooks: data/duy-tan/ke-hoach.xlsx and data/duy-tan/bao-cao/<year>/to-NN-<year>.xlsx.

    .venv/bin/python data/make_sample.py

Deterministic (fixed seed, fixed file timestamps): running it again rewrites byte-identical files, so the committed
.xlsx only change when this script does. Fictional figures, January 2021 – June 2023, except that the six months
of 2022 add up exactly to the seed article's figures (DESIGN.md "The sample ward"): 11 lượt tập huấn, 11 buổi /
1.236 lượt tuyên truyền, 1.483 người tham gia hàng Việt, Quỹ "Vì người nghèo" 153.000.000 đồng = 102% of the 2022
plan (150.000.000), 12 vụ việc ANTT, 20 hội nghị / 1.128 cử tri, 03 Ban CTMT kiện toàn, the 10/10s and the tổ lists.

The workbooks look as the tổ fill them in: the collection template (title rows, merged two-row header, one row per
month) with each tổ's habits — Tổ 2 writes "-" for none and "x" for yes, Tổ 4 keeps the fund in triệu đồng, Tổ 8
types numbers as text ("1.500.000"), Tổ 9 and Tổ 10 used an older form in 2021 (other header words, one header
row), Tổ 5 split 2021 over two sheets; Tổ 9 has not yet reported June 2023 (the completeness example).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook

from reportkit.data.model import Catalog
from reportkit.data.template import build_workbook, save_workbook

HERE = Path(__file__).resolve().parent / "duy-tan"
UNITS = [f"Tổ {n}" for n in range(1, 11)]
MONTHS = [(y, m) for y in (2021, 2022, 2023) for m in range(1, 13) if (y, m) <= (2023, 6)]
HALVES = {
    "2021-H1": (2021, 1),
    "2021-H2": (2021, 7),
    "2022-H1": (2022, 1),
    "2022-H2": (2022, 7),
    "2023-H1": (2023, 1),
}

# Half-year totals of the summed indicators; 2022-H1 is the seed article.
TOTALS = {
    "2021-H1": dict(tap=8, buoi=9, luot=985, hv=1210, quy=128_600_000, vu=15, hn=24, ct=1352, gh=5),
    "2021-H2": dict(tap=10, buoi=12, luot=1302, hv=1105, quy=21_400_000, vu=14, hn=10, ct=641, gh=7),
    "2022-H1": dict(tap=11, buoi=11, luot=1236, hv=1483, quy=153_000_000, vu=12, hn=20, ct=1128, gh=6),
    "2022-H2": dict(tap=14, buoi=13, luot=1417, hv=1290, quy=41_200_000, vu=9, hn=10, ct=705, gh=8),
    "2023-H1": dict(tap=13, buoi=12, luot=1305, hv=1552, quy=158_400_000, vu=10, hn=20, ct=1184, gh=5),
}
PLANS = {2021: (20, 140_000_000, 12), 2022: (24, 150_000_000, 13), 2023: (24, 160_000_000, 10)}


def half_months(half: str) -> list[tuple[int, int]]:
    y, m0 = HALVES[half]
    return [(y, m) for m in range(m0, m0 + 6) if (y, m) in MONTHS]


def proportional(total: int, weights: dict, rng: random.Random, jitter: float = 0.3) -> dict:
    """Split ``total`` over the keys in proportion to jittered weights, exactly (largest remainder)."""
    w = {k: v * rng.uniform(1 - jitter, 1 + jitter) for k, v in weights.items() if v > 0}
    s = sum(w.values())
    raw = {k: total * v / s for k, v in w.items()}
    out = {k: int(v) for k, v in raw.items()}
    rest = total - sum(out.values())
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[:rest]:
        out[k] += 1
    return out


def scatter(total: int, cells: list, rng: random.Random) -> dict:
    """``total`` single items dropped on random cells."""
    out: dict = {}
    for c in rng.choices(cells, k=total):
        out[c] = out.get(c, 0) + 1
    return out


def generate() -> dict:
    """{(unit, (y, m)): {indicator id: value}} for every tổ and month."""
    rng = random.Random(20220630)
    data = {(u, ym): {} for u in UNITS for ym in MONTHS}
    for half, t in TOTALS.items():
        months = half_months(half)
        cells = [(u, ym) for u in UNITS for ym in months]
        work = [(u, ym) for u, ym in cells if ym[1] not in (1, 7)]  # no training in Tết / summer months
        tap = scatter(t["tap"], work, rng)
        buoi = scatter(t["buoi"], cells, rng)
        luot = proportional(t["luot"], buoi, rng)
        hv_months = months[1:4]
        hv_cells = {(u, ym): 1 for u in UNITS for ym in hv_months if rng.random() < 0.45}
        for u in UNITS:  # every Ban CTMT joins the campaign at least once (10/10), except Tổ 7 in 2021-H1
            if half == "2021-H1" and u == "Tổ 7":
                for ym in hv_months:
                    hv_cells.pop((u, ym), None)
            elif not any((u, ym) in hv_cells for ym in hv_months):
                hv_cells[(u, rng.choice(hv_months))] = 1
        hv = proportional(t["hv"], hv_cells, rng)
        quy_cells = {(u, ym): (3 if i < 3 else 1) for u in UNITS for i, ym in enumerate(months)}
        quy = proportional(t["quy"] // 100_000, quy_cells, rng, jitter=0.5)
        vu = scatter(t["vu"], cells, rng)
        hn_months = [months[3], months[4]] if len(months) >= 5 else months[:2]
        if half.endswith("H2"):
            hn_months = [months[4]]  # the year-end session only
        hn_cells = [(u, ym) for u in UNITS for ym in hn_months]
        hn = {c: 1 for c in hn_cells}
        for c, k in scatter(t["hn"] - len(hn_cells), hn_cells, rng).items():
            hn[c] += k
        ct = proportional(t["ct"], hn, rng, jitter=0.15)
        gh = scatter(t["gh"], cells, rng)
        for c in cells:
            d = data[c]
            d["tap_huan_luot"] = tap.get(c, 0)
            d["tuyen_truyen_buoi"] = buoi.get(c, 0)
            d["tuyen_truyen_luot"] = luot.get(c, 0)
            d["hang_viet_phoi_hop"] = c in hv_cells
            d["hang_viet_nguoi"] = hv.get(c, 0)
            d["quy_vnn"] = quy.get(c, 0) * 100_000
            d["giam_ho_ngheo"] = gh.get(c, 0)
            d["vu_viec_antt"] = vu.get(c, 0)
            d["hoi_nghi_cu_tri"] = hn.get(c, 0)
            d["cu_tri_luot"] = ct.get(c, 0)
    kien_toan = {("Tổ 2", (2022, 4)), ("Tổ 5", (2022, 5)), ("Tổ 9", (2022, 5)), ("Tổ 7", (2022, 7)),
                 ("Tổ 1", (2022, 8))}  # fmt: skip
    khcn = {("Tổ 6", (2021, 4)), ("Tổ 1", (2021, 9)), ("Tổ 6", (2021, 11)), ("Tổ 6", (2022, 2)),
            ("Tổ 1", (2022, 3)), ("Tổ 3", (2022, 5)), ("Tổ 10", (2022, 6)), ("Tổ 1", (2022, 8)),
            ("Tổ 4", (2022, 10)), ("Tổ 6", (2022, 11)), ("Tổ 10", (2022, 12)), ("Tổ 1", (2023, 2)),
            ("Tổ 3", (2023, 3)), ("Tổ 4", (2023, 4)), ("Tổ 6", (2023, 4)), ("Tổ 8", (2023, 5)),
            ("Tổ 10", (2023, 5))}  # fmt: skip
    no_meeting = {("Tổ 8", (2021, 3)), ("Tổ 2", (2021, 10)), ("Tổ 9", (2021, 10)), ("Tổ 4", (2023, 2))}
    for (u, ym), d in data.items():
        n = int(u.split()[1])
        d["hop_ban_ctmt"] = (u, ym) not in no_meeting
        d["kien_toan_ban_ctmt"] = (u, ym) in kien_toan
        d["to_tu_quan_an_ninh"] = (u == "Tổ 3" and ym >= (2021, 6)) or (u == "Tổ 7" and ym >= (2022, 9))
        d["mo_hinh_atgt"] = u == "Tổ 5" or (u == "Tổ 2" and ym >= (2023, 3))
        d["clb_phap_luat"] = (
            u == "Tổ 6" or (u == "Tổ 8" and ym >= (2021, 9)) or (u == "Tổ 1" and ym >= (2022, 10))
        )
        d["hom_thu"] = n <= 8 or ym >= (2021, 8)
        d["ngay_hoi_ddk"] = not (u == "Tổ 4" and ym[0] == 2021)
        d["ung_dung_khcn"] = (u, ym) in khcn
    del data[("Tổ 9", (2023, 6))]  # not reported yet
    return data


NOTES = {
    ("Tổ 3", (2022, 5)): "Ra mắt mô hình «Tôi dùng hàng Việt Nam»",
    ("Tổ 2", (2022, 4)): "Kiện toàn Ban CTMT sau đại hội chi bộ",
    ("Tổ 7", (2021, 8)): "Tạm dừng sinh hoạt đông người do dịch Covid-19",
    ("Tổ 9", (2023, 5)): "Tháng 6 gửi sau",
}


def cell_value(unit: str, kind: str, v, ident: str):
    """The value as this tổ writes it."""
    if kind == "yesno":
        if unit == "Tổ 2":
            return "x" if v else "-"
        return "Có" if v else "Không"
    if ident == "quy_vnn":
        if unit == "Tổ 4":
            return v / 1_000_000 if v % 1_000_000 else v // 1_000_000
        if unit == "Tổ 8":
            return f"{v:,}".replace(",", ".")
    if unit == "Tổ 2" and v == 0:
        return "-"
    if unit == "Tổ 8" and v >= 1000:
        return f"{v:,}".replace(",", ".")
    return v


def workbook(catalog: Catalog, data: dict, unit: str, year: int):
    old_form = year == 2021 and unit in ("Tổ 9", "Tổ 10")
    wb, lay = build_workbook(catalog, unit, year, ward_name="Phường Duy Tân",
                             amount_unit="triệu đồng" if unit == "Tổ 4" else "đồng")  # fmt: skip
    ws = wb["Số liệu"]
    rng = random.Random(f"{unit}-{year}")
    for m, r in lay.month_rows.items():
        d = data.get((unit, (year, m)))
        if d is None:
            continue
        for ind in catalog:
            ws[f"{lay.columns[ind.id]}{r}"] = cell_value(unit, ind.kind, d[ind.id], ind.id)
        day = dt.date(year, m, rng.randint(24, 28))
        ws[f"{lay.columns['Ngày báo cáo']}{r}"] = (
            day if unit in ("Tổ 1", "Tổ 6") else day.strftime("%d/%m/%Y")
        )
        note = NOTES.get((unit, (year, m)))
        if note:
            ws[f"{lay.columns['Ghi chú']}{r}"] = note
    if old_form:
        for rng_ in list(ws.merged_cells.ranges):
            if rng_.min_row == 5 and rng_.max_row == 5:
                ws.unmerge_cells(str(rng_))
        for ind in catalog:
            col = lay.columns[ind.id]
            ws[f"{col}5"] = ind.synonyms[0]
            ws[f"{col}6"] = None
            if f"{col}5:{col}6" not in {str(x) for x in ws.merged_cells.ranges}:
                ws.merge_cells(f"{col}5:{col}6")
    if unit == "Tổ 5" and year == 2021:
        second = wb.copy_worksheet(ws)
        ws.title, second.title = "6 tháng đầu", "6 tháng cuối"
        wb.move_sheet(second, offset=-(len(wb.sheetnames) - 2))
        ws.delete_rows(lay.month_rows[7], 6)
        second.delete_rows(lay.month_rows[1], 6)
    return wb


def plan_workbook() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kế hoạch"
    ws["A1"] = "CHỈ TIÊU KẾ HOẠCH CÔNG TÁC MẶT TRẬN PHƯỜNG DUY TÂN"
    ws.merge_cells("A1:D1")
    ws.append([])
    ws.append(["Năm", "Buổi tuyên truyền (buổi)", "Quỹ «Vì người nghèo» (đồng)", "Giảm hộ nghèo (hộ)"])
    for year, (buoi, quy, gh) in PLANS.items():
        ws.append([year, buoi, quy, gh])
    ws.column_dimensions["B"].width = ws.column_dimensions["C"].width = ws.column_dimensions["D"].width = 24
    return wb


def main() -> None:
    catalog = Catalog.from_yaml(HERE / "catalog.yaml")
    data = generate()
    save_workbook(plan_workbook(), HERE / "ke-hoach.xlsx")
    for year in (2021, 2022, 2023):
        for n, unit in enumerate(UNITS, 1):
            save_workbook(
                workbook(catalog, data, unit, year), HERE / "bao-cao" / str(year) / f"to-{n:02d}-{year}.xlsx"
            )
    print(f"wrote {HERE / 'ke-hoach.xlsx'} and {3 * len(UNITS)} workbooks under {HERE / 'bao-cao'}")


if __name__ == "__main__":
    main()
