"""The shared report and the index as a reader sees them: headless Chromium at 375, 768 and 1280 px, and axe-core.

Measured, not guessed: no horizontal scroll of the page, no word (a Vietnamese syllable) broken across lines
except after a hyphen or slash, "Tổng cộng" and "Tổ 1" each on one line, chart text at least 11 px as drawn on
the screen; axe-core finds nothing serious or critical. Skips when Chromium (or, for the audit, axe-core) is
absent; .ci/run installs both.
"""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from browser import Browser, axe_script, chromium

from reportkit.batch import BatchOptions, format_summary, run_batch
from reportkit.export import write_index
from reportkit.narrative.charts import MIN_SHOWN_PX

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = (375, 768, 1280)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium() is None, reason="chromium not installed (.ci/run installs it)"),
]

# Every visible word that spans two lines somewhere other than just after a hyphen, slash or dash.
BROKEN_WORDS = r"""
(() => {
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const lines = () => new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  for (let node; (node = walker.nextNode());) {
    const el = node.parentElement;
    if (!el || el.closest('head, style, details:not([open]) > :not(summary)')) continue;
    if (!el.getClientRects().length) continue;
    for (const m of node.textContent.matchAll(/\S{2,}/g)) {
      range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
      if (lines().size < 2) continue;
      for (let i = 1; i < m[0].length; i++) {
        range.setStart(node, m.index + i - 1); range.setEnd(node, m.index + i + 1);
        if (lines().size > 1 && !'-/–'.includes(m[0][i - 1])) { broken.push(m[0]); break; }
      }
    }
  }
  return broken;
})()
"""

# How many lines each occurrence of a phrase takes.
PHRASE_LINES = r"""
((phrase) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node; (node = walker.nextNode());) {
    let at = node.textContent.indexOf(phrase);
    while (at >= 0) {
      const range = document.createRange();
      range.setStart(node, at); range.setEnd(node, at + phrase.length);
      const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size) out.push(tops.size);
      at = node.textContent.indexOf(phrase, at + 1);
    }
  }
  return out;
})
"""

# The smallest text of each chart as shown: its SVG laid out at the picture's displayed size, the height of its
# shortest label (digits: 0.729 em in DejaVu Sans, the charts' font) turned back into a font size in CSS px.
CHART_TEXT_PX = r"""
(() => Promise.all([...document.querySelectorAll('figure img')].map(async img => {
  const src = img.getAttribute('src');
  if (!src.startsWith('data:image/svg+xml;base64,')) return {src: src.slice(0, 30), px: null};
  const bytes = Uint8Array.from(atob(src.split(',')[1]), c => c.charCodeAt(0));
  const svg = new DOMParser().parseFromString(new TextDecoder().decode(bytes), 'image/svg+xml').documentElement;
  const box = document.createElement('div');
  box.style.cssText = 'position:absolute;left:0;top:0;visibility:hidden';
  svg.setAttribute('width', img.clientWidth); svg.setAttribute('height', img.clientHeight);
  box.appendChild(document.importNode(svg, true)); document.body.appendChild(box);
  const heights = [...box.querySelectorAll('g[id^="text_"]')].map(g => g.getBoundingClientRect().height)
    .filter(h => h > 0);
  box.remove();
  return {shown: img.clientWidth, labels: heights.length, px: Math.min(...heights) / 0.729};
})))()
"""


# What a screen reader and a keyboard rely on: the language, headings that never skip a level, every header cell
# with its scope, every picture with a text.
SEMANTICS = r"""
(() => {
  const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
  return {
    lang: document.documentElement.lang,
    levels,
    jumps: levels.filter((l, i) => i > 0 && l > levels[i - 1] + 1).length,
    unscoped: [...document.querySelectorAll('th:not([scope])')].map(th => th.textContent).slice(0, 5),
    unnamed: [...document.querySelectorAll('img:not([alt]), img[alt=""], svg[role=img]:not([aria-label])')].length,
    pictures: document.querySelectorAll('img, svg[role=img]').length,
    align: (document.querySelector('.rk-body p') && getComputedStyle(document.querySelector('.rk-body p')).textAlign),
  };
})()
"""


def layout(page: Path, width: int) -> dict:
    with Browser() as browser:
        tab = browser.open(page, width=width)
        return {
            "semantics": tab.evaluate(SEMANTICS),
            "overflow": tab.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            ),
            "broken": tab.evaluate(BROKEN_WORDS),
            "total": tab.evaluate(PHRASE_LINES + "('Tổng cộng')"),
            "to_1": tab.evaluate(PHRASE_LINES + "('Tổ 1')"),
            "charts": tab.evaluate(CHART_TEXT_PX),
            # a caption inside a table's scrolling box: what runs past the box's edge is cut off
            "captions": tab.evaluate(
                "[...document.querySelectorAll('caption')].filter(c => { const box = c.closest('.rk-table') ||"
                " document.documentElement; return c.getBoundingClientRect().right >"
                " box.getBoundingClientRect().right + 0.5; }).map(c => c.textContent)"
            ),
        }


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The 2022-H1 report made by `reportkit run` from the sample project, and the index of 20 periods."""
    root = tmp_path_factory.mktemp("browser")
    for folder in ("data", "notebooks"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "params").mkdir()
    shutil.copy(ROOT / "params/2022-H1.yaml", root / "params")
    result = run_batch(BatchOptions(root=root, jobs=1, formats=("html", "article")))
    assert result.exit_code == 0, format_summary(result)
    out = root / "outputs"
    record = json.loads((out / "2022-H1/report-2022-H1.json").read_text(encoding="utf-8"))
    index = twenty_periods(root / "site", record)
    units = many_units(root / "province", record)
    few = many_units(root / "district", record, 3)
    return {"report": out / "2022-H1/report-2022-H1.html", "index": index, "units": units,
            "unit": units.parent / "duy-tan/index.html", "few": few}  # fmt: skip


def many_units(out: Path, record: dict, count: int = 40) -> Path:
    """A province's batch of ``count`` wards × 2 halves: index.html lists them, each ward has its own page (past
    five units; up to five, one page with a section per ward)."""
    from reportkit import vn
    from reportkit.data.sample_province import ward_names
    from reportkit.export import write_site

    entries = []
    for w in ward_names(count):
        code = w.code
        for spec in ("2022-H1", "2022-H2"):
            mine = copy.deepcopy(record)
            mine["document"].update(unit=w.name, period=spec, period_name=vn.Period(spec).name)
            folder = out / code / spec
            folder.mkdir(parents=True, exist_ok=True)
            files = {}
            for kind in ("html", "pdf", "docx"):
                (folder / f"report-{code}-{spec}.{kind}").write_text("x")
                files[kind] = f"{code}/{spec}/report-{code}-{spec}.{kind}"
            entries.append({"run_id": f"{code}/{spec}", "record": mine, "files": files})
    return write_site(out, entries)[0]


def twenty_periods(out: Path, record: dict) -> Path:
    """An index of 20 reports (quarters, halves and years of 2019–2023) from the real record, figures varied."""
    from reportkit import vn

    specs = [f"{y}-Q{q}" for y in (2021, 2022) for q in (1, 2, 3, 4)]
    halves = [f"{y}-H{h}" for y in (2019, 2020, 2021, 2022, 2023) for h in (1, 2)][:9]
    specs += [
        *halves,
        "2020",
        "2021",
        "2022",
    ]
    entries = []
    for n, spec in enumerate(specs):
        mine = copy.deepcopy(record)
        mine["document"].update(
            period=spec, period_name=vn.Period(spec).name, number=f"Số: {n + 40}/BC-MTTQ-BTT"
        )
        for i, figure in enumerate(mine["key_figures"]):
            if isinstance(figure["value"], int):
                figure["value"] += (n * 37 + i * 11) % 50
                figure["text"] = vn.number(figure["value"])
        folder = out / spec
        folder.mkdir(parents=True, exist_ok=True)
        files = {}
        for kind, name in (("html", "html"), ("pdf", "pdf"), ("docx", "docx"), ("json", "json")):
            (folder / f"report-{spec}.{name}").write_text("x")
            files[kind] = f"{spec}/report-{spec}.{name}"
        entries.append({"run_id": spec, "record": mine, "files": files})
    return write_index(out, entries)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_report_reads_on_every_screen(pages, width):
    seen = layout(pages["report"], width)
    assert seen["overflow"] <= 0, f"the page scrolls sideways by {seen['overflow']} px at {width} px"
    assert seen["broken"] == [], f"words broken across lines at {width} px: {seen['broken'][:10]}"
    assert seen["total"] and set(seen["total"]) == {1}, "“Tổng cộng” must stay on one line"
    assert seen["to_1"] and set(seen["to_1"]) == {1}, "“Tổ 1” must stay on one line"
    assert seen["captions"] == [], "a table caption runs past its scrolling box (the phụ lục's too)"
    meaning = seen["semantics"]
    assert meaning["lang"] == "vi" and meaning["levels"][0] == 1 and meaning["jumps"] == 0, meaning
    assert meaning["unscoped"] == [] and meaning["unnamed"] == 0 and meaning["pictures"] >= 1, meaning
    # Left-aligned on a phone (no rivers on a 22-em line), justified on a wide screen.
    assert meaning["align"] == ("left" if width < 576 else "justify"), meaning
    (chart,) = seen["charts"]
    assert chart["labels"] >= 20, chart  # every tổ, every value, the axis
    assert chart["px"] >= MIN_SHOWN_PX, f"chart text is {chart['px']:.1f} px at {width} px"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["units", "unit", "few"])
def test_a_provinces_list_of_units_and_a_units_page_read_on_every_screen(pages, name, width):
    seen = layout(pages[name], width)
    assert seen["overflow"] <= 0, f"{name} scrolls sideways by {seen['overflow']} px at {width} px"
    meaning = seen["semantics"]
    assert meaning["lang"] == "vi" and meaning["levels"][0] == 1 and meaning["jumps"] == 0, meaning
    assert meaning["unscoped"] == [] and meaning["unnamed"] == 0, meaning
    assert seen["broken"] == [], f"words broken across lines at {width} px: {seen['broken'][:10]}"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_index_reads_on_every_screen(pages, width):
    seen = layout(pages["index"], width)
    assert seen["overflow"] <= 0, f"the index scrolls sideways by {seen['overflow']} px at {width} px"
    meaning = seen["semantics"]
    assert meaning["lang"] == "vi" and meaning["levels"][0] == 1 and meaning["jumps"] == 0, meaning
    assert meaning["unscoped"] == [] and meaning["unnamed"] == 0 and meaning["pictures"] >= 10, meaning
    assert seen["broken"] == [], f"words broken across lines at {width} px: {seen['broken'][:10]}"
    assert seen["charts"] == []  # its trends are inline SVG without text


def test_paper_justifies_the_body(pages):
    with Browser() as browser:
        tab = browser.open(pages["report"], width=375)
        tab.send("Emulation.setEmulatedMedia", {"media": "print"})
        assert tab.evaluate("getComputedStyle(document.querySelector('.rk-body p')).textAlign") == "justify"
        assert tab.evaluate("getComputedStyle(document.querySelector('.rk-provenance')).display") == "none"


def test_sizes(pages):
    assert pages["report"].stat().st_size <= 80_000
    assert pages["index"].stat().st_size <= 120_000
    assert pages["index"].read_text(encoding="utf-8").count('class="spark"') >= 10


@pytest.mark.skipif(axe_script() is None, reason="axe-core not installed (.ci/run installs it with npm)")
@pytest.mark.parametrize("name", ["report", "index", "units", "unit", "few"])
@pytest.mark.parametrize("width", (375, 1280))
def test_axe_finds_nothing_serious(pages, name, width):
    with Browser() as browser:
        violations = browser.open(pages[name], width=width).axe(axe_script())
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)[:3000]
