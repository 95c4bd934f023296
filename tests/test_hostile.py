"""Issue 5's acceptance on the real report notebook, run through the CLI: hostile values in the data arrive as text
in the HTML (and the PDF), and an undefined name in a narrative cell fails only that report of a batch."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup

import reportkit
from reportkit.export.sanitize import visible_text

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "report.ipynb"
SAMPLE = REPO / "data" / "duy-tan"

# The PDF and Chromium measuring helpers of the export tests (loaded by path: tests/ is not a package).
_spec = importlib.util.spec_from_file_location(
    "export_pdf_helpers", Path(__file__).parent / "test_export_pdf.py"
)
export_pdf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(export_pdf)

SCRIPT = "<script>alert(1)</script>"
PIPES = "Tổ | 7 | **đậm**"
# 245 characters: a real-looking name (a resettlement area), long enough to wrap over several lines of a cell.
LONG = "Tổ dân phố " + " ".join(["Khu tái định cư Hòa Minh mở rộng giai đoạn hai"] * 5)
IMG = "<img src=x onerror=alert(1)>"
WARD = f"Phường Duy Tân {IMG}"
SIGNER = f"Trần Thị Minh Hương {IMG}"
# In the sample's 2022-H1 these tổ are named in the prose as well as in the per-tổ table: Tổ 3 has the tổ tự quản
# an ninh and applies KHCN, Tổ 6 has a CLB pháp luật, Tổ 5 the ATGT model and a kiện toàn of its Ban CTMT.
RENAMED = {"Tổ 3": SCRIPT, "Tổ 6": PIPES, "Tổ 5": LONG}


def cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "reportkit.cli",
            "run",
            "--root",
            str(root),
            "--out",
            str(root / "out"),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=root,
    )


def make_project(root: Path, params: str) -> Path:
    for folder in ("params", "notebooks", "data"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(NOTEBOOK, root / "notebooks" / "report.ipynb")
    (root / "params" / "run.yaml").write_text(params, encoding="utf-8")
    return root


def hostile_database(db: Path) -> None:
    """The sample ward written to SQLite by the data layer, then renamed in its own tables."""
    reportkit.load(SAMPLE).to_sql(f"sqlite:///{db}")
    con = sqlite3.connect(db)
    try:
        (text,) = con.execute("SELECT content FROM reportkit_meta WHERE name = 'ward'").fetchone()
        ward = yaml.safe_load(text)
        ward["units"] = [RENAMED.get(u, u) for u in ward["units"]]
        ward["name"] = WARD
        ward["signer"]["name"] = SIGNER
        con.execute(
            "UPDATE reportkit_meta SET content = ? WHERE name = 'ward'",
            (yaml.safe_dump(ward, allow_unicode=True),),
        )
        for old, new in RENAMED.items():
            changed = con.execute(
                "UPDATE bao_cao SET to_dan_pho = ? WHERE to_dan_pho = ?", (new, old)
            ).rowcount
            assert changed > 0, old
        con.commit()
    finally:
        con.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    make_project(
        root, "period: 2022-H1\ndata: sqlite:///data/hostile.db\ndocument_number: 47\nissued_on: 2022-06-24\n"
    )
    hostile_database(root / "data" / "hostile.db")
    loaded = reportkit.load(f"sqlite:///{root / 'data' / 'hostile.db'}")
    assert {SCRIPT, PIPES, LONG} <= set(loaded.ward.units) and loaded.ward.name == WARD
    proc = cli(root, "--to", "html,pdf", "--jobs", "1", "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    folder = root / "out" / "2022-H1"
    page = (folder / "report-2022-H1.html").read_text(encoding="utf-8")
    return root, folder, page


def one_line(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_hostile_values_are_text_not_markup(hostile):
    root, _, page = hostile
    soup = BeautifulSoup(page, "html.parser")
    assert soup.find_all("script") == []
    assert [
        img.attrs for img in soup.find_all("img") if any(a.lower().startswith("on") for a in img.attrs)
    ] == []
    assert all(
        img["src"].startswith(("data:image/svg+xml;base64,", "data:image/png;base64,"))
        for img in soup.find_all("img")
    )
    assert not re.search(r"<script|<img[^>]*onerror", page, re.I)
    text = one_line(visible_text(page))
    for hostile_text in (SCRIPT, PIPES, LONG, WARD, SIGNER):
        assert hostile_text in text, hostile_text
    # In the prose, not only in the table: the tổ lists and the closing sentence carry them as written.
    assert f"tổ tự quản an ninh tại {SCRIPT}" in text
    assert f"câu lạc bộ tuyên truyền pháp luật tại {PIPES} và tổ 8" in text
    assert f"Ủy ban MTTQ Việt Nam {WARD}." in text
    # The index page lists the report under the hostile ward name, as text too.
    index = (root / "out" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script|<img[^>]*onerror", index, re.I)
    assert f"Báo cáo định kỳ — {WARD}" in one_line(visible_text(index))


def test_markdown_in_a_name_makes_no_cells_and_no_emphasis(hostile):
    _, _, page = hostile
    soup = BeautifulSoup(page, "html.parser")
    table = next(
        t for t in soup.find_all("table") if t.caption and t.caption.get_text().startswith("Bảng 1.")
    )
    widths = [
        sum(int(c.get("colspan", 1)) for c in row.find_all(["th", "td"])) for row in table.find_all("tr")
    ]
    assert len(widths) == 1 + 10 + 1 and set(widths) == {7}, (
        widths
    )  # header, 10 tổ, "Tổng cộng"; 1 + 6 columns
    first_cells = [one_line(row.find(["th", "td"]).get_text()) for row in table.find_all("tr")[1:-1]]
    assert {SCRIPT, PIPES, LONG} <= set(first_cells)
    for tag in soup.find_all(["strong", "b", "em", "i"]):
        assert "đậm" not in tag.get_text(), tag


def test_pdf_is_made_and_carries_the_names_inside_the_margins(hostile):
    _, folder, _ = hostile
    pdf = folder / "report-2022-H1.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    raw = subprocess.run(
        [export_pdf._need("pdftotext"), "-raw", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = one_line(raw)
    for hostile_text in (SCRIPT, PIPES, WARD, SIGNER):
        assert hostile_text in text, hostile_text
    for number, words in enumerate(export_pdf._bbox_pages(pdf), start=1):
        for word, x0, _y0, x1, _y1 in words:
            assert x0 >= export_pdf.LEFT - 1, (number, word, x0)
            assert x1 <= export_pdf.A4[0] - export_pdf.RIGHT + 1, (number, word, x1)


@pytest.mark.parametrize("width", [375, 1280])
def test_long_name_does_not_overflow_the_page(hostile, width, tmp_path):
    _, _, page = hostile
    measured = export_pdf._measure(page, width, tmp_path)
    assert measured["scroll"] <= measured["inner"], measured
    assert measured["over"] == "", measured


# --- an undefined name in one period fails that report only ----------------------------------------------------

UNDEFINED = '{% if p.spec == "2022-H2" %}{{ ten_chua_dinh_nghia }}{% endif %}'


def test_undefined_name_fails_only_its_report(tmp_path):
    root = make_project(tmp_path, "data: data/duy-tan\nperiods: [2022-H1, 2022-H2, 2023-H1]\n")
    shutil.copytree(SAMPLE, root / "data" / "duy-tan")
    path = root / "notebooks" / "report.ipynb"
    nb = nbformat.read(path, as_version=4)
    index = next(
        i
        for i, c in enumerate(nb.cells)
        if c.source.startswith("%%report") and "Công tác tuyên truyền, vận động" in c.source
    )
    nb.cells[index].source = nb.cells[index].source.rstrip("\n") + "\n\n" + UNDEFINED
    line = len(nb.cells[index].source.splitlines())  # the cell line the analyst sees ("%%report" is line 1)
    nbformat.write(nb, path)

    proc = cli(root, "--to", "html", "--jobs", "2", "--json")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    summary = json.loads(proc.stdout)
    reports = {r["run_id"]: r for r in summary["reports"]}
    assert {k: r["status"] for k, r in reports.items()} == {
        "2022-H1": "ok",
        "2022-H2": "failed",
        "2023-H1": "ok",
    }
    assert summary["status"] == "failed" and summary["counts"] == {"ok": 2, "failed": 1}

    error = reports["2022-H2"]["error"]
    assert error["kind"] == "cell" and error["cell"] == index + 1 and error["cell_source"] == "%%report"
    assert error["exception"] == "NarrativeError", error
    assert "{{ ten_chua_dinh_nghia }}" in error["message"], error
    assert f"dòng {line}" in error["message"], error
    assert "2022-H2: " in proc.stderr and "ten_chua_dinh_nghia" in proc.stderr

    # Nothing of the failed report among the outputs; the good ones are whole.
    out = root / "out"
    assert not (out / "2022-H2").exists() or list((out / "2022-H2").iterdir()) == []
    assert not any("2022-H2" in p.name for p in out.rglob("*"))
    for run_id in ("2022-H1", "2023-H1"):
        made = sorted(p.name for p in (out / run_id).iterdir() if not p.name.startswith("."))
        assert made == [f"report-{run_id}.{s}" for s in ("html", "ipynb", "json")], made
        page = (out / run_id / f"report-{run_id}.html").read_text(encoding="utf-8")
        assert "ten_chua_dinh_nghia" not in page
