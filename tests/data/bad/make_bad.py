"""Generate the broken inputs of tests/test_data_bad.py from the sample's Tổ 3 2022 workbook.

    .venv/bin/python tests/data/bad/make_bad.py

Each file breaks one thing the way people break it (a header typed by hand, "mười hai" in a number cell, March
entered twice …); tcvn3.xlsx, nfd.xlsx and the CSV files are not broken: they must load. Deterministic output.
"""

from __future__ import annotations

import shutil
import unicodedata
from pathlib import Path

from openpyxl import load_workbook

from reportkit import vn
from reportkit.data.template import save_workbook

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
BASE = ROOT / "data" / "duy-tan" / "bao-cao" / "2022" / "to-03-2022.xlsx"
SHEET = "Số liệu"


def edit(name: str, change) -> None:
    wb = load_workbook(BASE)
    change(wb[SHEET])
    save_workbook(wb, HERE / name)


def unknown_column(ws):
    ws["V5"] = "Số hộ được thăm hỏi"
    ws.merge_cells("V5:V6")
    ws["V7"] = 4


def missing_column(ws):
    ws.unmerge_cells("K5:O5")
    ws.merge_cells("K5:N5")
    for r in range(5, 19):
        ws[f"O{r}"] = None


def non_numeric(ws):
    ws["E9"] = "mười hai"


def negative(ws):
    ws["J10"] = -3


def out_of_range(ws):
    ws["E11"] = 25


def duplicate(ws):
    ws["A13"] = 3  # July's row typed as March again


def unknown_unit(ws):
    ws["B2"] = "Tổ 12"


def month_outside_year(ws):
    ws["A8"] = "02/2021"


def bad_yes_no(ws):
    ws["C7"] = "có lẽ"


def bad_date(ws):
    ws["T9"] = "31/02/2022"


def not_integer(ws):
    ws["F10"] = 1.2  # "1.200" typed on an English-locale computer


def bad_month(ws):
    ws["A12"] = "Tháng 13"


def several(ws):
    ws["E9"] = "mười hai"
    ws["J10"] = -3
    ws["V5"] = "Số hộ được thăm hỏi"
    ws["V7"] = 4


def tcvn3(ws):
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, str):
                try:
                    c.value = vn.to_legacy(c.value, "tcvn3")
                except ValueError:  # toned capitals: typed as lower case in a .VnTimeH font
                    c.value = vn.to_legacy(c.value.lower(), "tcvn3")


def nfd(ws):
    for row in ws.iter_rows(max_row=6):
        for c in row:
            if isinstance(c.value, str):
                c.value = unicodedata.normalize("NFD", c.value)


CASES = {
    "unknown-column.xlsx": unknown_column,
    "missing-column.xlsx": missing_column,
    "non-numeric.xlsx": non_numeric,
    "negative.xlsx": negative,
    "out-of-range.xlsx": out_of_range,
    "duplicate.xlsx": duplicate,
    "unknown-unit.xlsx": unknown_unit,
    "month-outside-year.xlsx": month_outside_year,
    "bad-yes-no.xlsx": bad_yes_no,
    "bad-date.xlsx": bad_date,
    "not-integer.xlsx": not_integer,
    "bad-month.xlsx": bad_month,
    "several.xlsx": several,
    "tcvn3.xlsx": tcvn3,
    "nfd.xlsx": nfd,
}


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258_form(text: str) -> str:
    """Windows-1258 has ô, ơ, ư … precomposed but tone marks only as combining characters."""
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in parts if c in TONES)
        out.append(unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES)) + tones)
    return "".join(out)


def csv_files() -> None:
    """The Tổ 3 2022 figures as CSV: UTF-8 with BOM, and Windows-1258 with «;» as Excel writes it."""
    import csv
    import io

    wb = load_workbook(BASE, data_only=True)
    ws = wb[SHEET]
    groups = {}
    for j in range(1, 22):  # merged group cells hold their text in the first column only
        groups[j] = ws.cell(5, j).value or groups.get(j - 1)
    head = [
        f"{groups[j]} - {ws.cell(6, j).value}" if ws.cell(6, j).value else groups[j] for j in range(1, 22)
    ]
    rows = [["Tổ dân phố", "Năm", *head]]
    for r in range(7, 19):
        vals = [ws.cell(r, j).value for j in range(1, 22)]
        if all(v is None for v in vals[1:]):
            continue
        rows.append(["Tổ 3", 2022, *("" if v is None else v for v in vals)])
    for name, enc, delim in (
        ("to-03-2022-utf8-bom.csv", "utf-8-sig", ","),
        ("to-03-2022-cp1258.csv", "cp1258", ";"),
    ):
        buf = io.StringIO()
        csv.writer(buf, delimiter=delim, lineterminator="\r\n").writerows(rows)
        text = buf.getvalue()
        if enc == "cp1258":
            text = to_cp1258_form(text)
        (HERE / name).write_bytes(text.encode(enc))


def encrypted() -> bool:
    """encrypted.xlsx: the good workbook with a password ("mat-khau"), stored as Excel's "Encrypt with Password"
    stores it (an OLE2 container holding EncryptedPackage). Needs msoffcrypto-tool (MIT; a generator's tool only,
    not a dependency: ``pip install msoffcrypto-tool``); without it the committed file stays. The AES key is
    random, so each run writes different bytes."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return False
    with open(HERE / "good-to-03-2022.xlsx", "rb") as plain, open(HERE / "encrypted.xlsx", "wb") as out:
        OOXMLFile(plain).encrypt("mat-khau", out)
    return True


def main() -> None:
    for name, change in CASES.items():
        edit(name, change)
    shutil.copyfile(BASE, HERE / "good-to-03-2022.xlsx")
    csv_files()
    made = encrypted()
    print(f"wrote {len(CASES) + 3 + made} files to {HERE}" + ("" if made else " (encrypted.xlsx kept)"))


if __name__ == "__main__":
    main()
