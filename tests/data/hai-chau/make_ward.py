"""Generate the second sample unit: Phường Hải Châu, three tổ, January–June 2022 (tests/data/hai-chau/).

    .venv/bin/python tests/data/hai-chau/make_ward.py

Hải Châu is a place name, so inside a sentence its reports write "phường Hải Châu" (Nghị định 30/2020, Phụ lục
II), while the sample ward, named after Emperor Duy Tân, keeps "Phường Duy Tân". Fictional, deterministic figures;
the catalog is the sample ward's (copied), so the same report notebook runs on both.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import Workbook

from reportkit.data.model import Catalog
from reportkit.data.template import build_workbook, save_workbook

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[2] / "data" / "duy-tan"
UNITS = ("Tổ 1", "Tổ 2", "Tổ 3")

WARD = """\
# Phường Hải Châu — a small second unit for the tests (fictional figures, January–June 2022).
name: Phường Hải Châu
short_name: Hải Châu
# A place name (Nghị định 30/2020, Phụ lục II): "phường Hải Châu" inside a sentence, "Hải Châu, ngày …" in the
# date line (no place: given, so the rule picks it).
named_after: place
unit_noun: tổ dân phố
units: [Tổ 1, Tổ 2, Tổ 3]
parent_body: [ỦY BAN MTTQ VIỆT NAM, PHƯỜNG HẢI CHÂU]
issuing_body: BAN THƯỜNG TRỰC
issuer: Ban Thường trực Ủy ban MTTQ Việt Nam
document_symbol: BC-MTTQ-BTT
signer:
  authority: TM. BAN THƯỜNG TRỰC
  title: CHỦ TỊCH
  name: Lê Văn Bình
recipients:
  - Ban Thường trực UBMTTQ Việt Nam quận;
  - Thường trực Đảng ủy phường;
  - "Lưu: VT."
"""


def month_values(unit: int, month: int) -> dict:
    """One tổ's month: small, varied, reproducible figures."""
    k = unit * 7 + month * 3
    return {
        "tap_huan_luot": (k % 3 == 0) * (1 + unit % 2),
        "hop_ban_ctmt": not (unit == 3 and month == 4),
        "kien_toan_ban_ctmt": unit == 2 and month == 5,
        "tuyen_truyen_buoi": 1 if k % 2 else 0,
        "tuyen_truyen_luot": (40 + k * 2) if k % 2 else 0,
        "hang_viet_phoi_hop": month in (2, 3),
        "hang_viet_nguoi": 40 + k if month in (2, 3) else 0,
        "quy_vnn": (3_000_000 if month <= 3 else 1_000_000) + unit * 500_000,
        "giam_ho_ngheo": 1 if (unit, month) in {(1, 2), (3, 5)} else 0,
        "to_tu_quan_an_ninh": unit == 1,
        "mo_hinh_atgt": False,
        "clb_phap_luat": unit == 2,
        "hom_thu": True,
        "vu_viec_antt": 1 if (unit + month) % 4 == 0 else 0,
        "hoi_nghi_cu_tri": 1 if month == 5 else 0,
        "cu_tri_luot": 50 + unit * 5 if month == 5 else 0,
        "ngay_hoi_ddk": True,
        "ung_dung_khcn": unit == 3 and month == 3,
    }


def plan_workbook() -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "Kế hoạch"
    ws["A1"] = "CHỈ TIÊU KẾ HOẠCH CÔNG TÁC MẶT TRẬN PHƯỜNG HẢI CHÂU"
    ws.append([])
    ws.append(["Năm", "Buổi tuyên truyền (buổi)", "Quỹ «Vì người nghèo» (đồng)", "Giảm hộ nghèo (hộ)"])
    ws.append([2022, 12, 50_000_000, 3])
    return wb


def main() -> None:
    (HERE / "ward.yaml").write_text(WARD, encoding="utf-8")
    shutil.copy(SAMPLE / "catalog.yaml", HERE / "catalog.yaml")
    catalog = Catalog.from_yaml(HERE / "catalog.yaml")
    save_workbook(plan_workbook(), HERE / "ke-hoach.xlsx")
    for n, unit in enumerate(UNITS, 1):
        wb, lay = build_workbook(catalog, unit, 2022, ward_name="Phường Hải Châu")
        ws = wb["Số liệu"]
        for month in range(1, 7):
            values = month_values(n, month)
            for ind in catalog:
                value = values[ind.id]
                ws[f"{lay.columns[ind.id]}{lay.month_rows[month]}"] = (
                    ("Có" if value else "Không") if ind.kind == "yesno" else value
                )
        save_workbook(wb, HERE / "bao-cao" / "2022" / f"to-{n:02d}-2022.xlsx")
    print(f"wrote {HERE}")


if __name__ == "__main__":
    main()
