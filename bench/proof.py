"""Evaluate and time the proofreader (reportkit.vn.check / repair).

Run: .venv/bin/python bench/proof.py          (about half a minute; prints the figures, asserts nothing)

Accuracy is measured on text the model never saw (bench/proof_data/README.md says where each text comes from):
every syllable holding a letter of U+1EA0–U+1EF9 is damaged by deleting that letter, as a lossy conversion does,
and ``repair`` must give back the original syllable exactly. Reported per text: damaged syllables restored
exactly, left as they were (abstained), restored wrongly; undamaged syllables changed (must be 0); how many damaged
syllables ``check`` reports; findings of ``check`` on the undamaged original (must be 0). The seed article is
scored on its own damaged spans (bench/proof_data/seed-truth.tsv, restored by hand).

Speed: ``check`` and ``repair`` over a 5-page report (the golden 2022-H1 narrative twice, about 4,000 syllables),
whole and damaged, warm (model loaded), best of several runs (the machine is shared).
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportkit import vn  # noqa: E402
from reportkit.vn.syllable import damage, is_valid  # noqa: E402

DATA = ROOT / "bench" / "proof_data"
SEED = ROOT.parent.parent / "shared" / "seed" / "000_9b841f12d25bf327.txt"
EVAL_TEXTS = {
    "ward report (written for the evaluation)": DATA / "eval-ward-report.txt",
    "commune Front documents (Lương Minh, 2025)": DATA / "eval-front-documents.txt",
}
_WORD = re.compile(r"[^\W\d_]+")


def seed_path() -> Path | None:
    for candidate in (SEED, Path("/work/shared/seed/000_9b841f12d25bf327.txt")):
        if candidate.exists():
            return candidate
    return None


def _kept_positions(original: str) -> list[int]:
    """For each character of damage(original), its offset in original."""
    return [i for i, c in enumerate(original) if damage(c)]


def score(original: str, damaged: str | None = None, kept: list[int] | None = None) -> dict:
    """Restore ``damaged`` (``original`` with letters of U+1EA0–U+1EF9 deleted: all of them by default, or the
    ones missing from ``kept``, the offsets of the characters left) and score it word by word."""
    original = vn.nfc(original)
    if kept is None:
        kept = _kept_positions(original)
    damaged = "".join(original[i] for i in kept)
    deleted = set(range(len(original))) - set(kept)
    kept = [*kept, len(original)]
    _, changes = vn.repair(damaged)
    findings = [f for f in vn.check(damaged) if f.kind == "damaged"]

    # A change or finding at damaged offsets [s, e) covers the original from just after the kept character before
    # s (letters deleted there belong to it) to the kept character at e.
    def span(s: int, e: int) -> tuple[int, int]:
        return (kept[s - 1] + 1 if s else 0), kept[e]

    changed = [(*span(c.start, c.end), c) for c in changes]
    found = [span(f.start, f.end) for f in findings]
    result = {
        "damaged": 0,
        "restored": 0,
        "abstained": 0,
        "wrong": 0,
        "undamaged": 0,
        "changed": 0,
        "found": 0,
    }
    result["errors"] = []
    for m in _WORD.finditer(original):
        word, s, e = m.group(), m.start(), m.end()
        if not is_valid(word):
            continue  # a typo or foreign word of the original: nothing to restore to
        hits = [
            c for a, b, c in changed if (a < e and s < b) or (a == b and s <= a <= e and not damage(word))
        ]
        if not damage(word):  # the whole syllable vanished ("ở"): a change inserts it at its place
            hits = [c for a, b, c in changed if a <= s and e <= b]
        if any(i in deleted for i in range(s, e)):
            result["damaged"] += 1
            result["found"] += any(a <= s < b or a < e <= b or (s <= a and b <= e) for a, b in found)
            if not hits:
                result["abstained"] += 1
                result["errors"].append((damage(word), word, None))
            elif any(c.after.strip() == word for c in hits):
                result["restored"] += 1
            else:
                result["wrong"] += 1
                result["errors"].append((damage(word), word, hits[0].after))
        else:
            result["undamaged"] += 1
            if hits:
                result["changed"] += 1
                result["errors"].append((word, word, hits[0].after))
    return result


def seed_pairs() -> list[tuple[str, str]]:
    pairs = []
    for line in (DATA / "seed-truth.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            damaged, truth = line.split("\t")
            words = list(zip(_WORD.findall(damaged), _WORD.findall(truth), strict=True))
            assert all(d in (t, damage(t)) for d, t in words), (damaged, truth)
            pairs.append((damaged, truth))
    return pairs


def score_seed(seed: str) -> dict:
    """Restore the seed article and score its hand-restored damaged spans."""
    seed = vn.nfc(seed)
    repaired, _ = vn.repair(seed)
    findings = [f for f in vn.check(seed) if f.kind == "damaged"]
    result = {"damaged": 0, "restored": 0, "found": 0, "errors": []}
    pos = 0
    for damaged, truth in seed_pairs():
        at = seed.index(damaged, pos)
        pos = at + len(damaged)
        for m_d, m_t in zip(_WORD.finditer(damaged), _WORD.finditer(truth), strict=True):
            if m_d.group() == m_t.group():
                continue
            result["damaged"] += 1
            s, e = at + m_d.start(), at + m_d.end()
            result["found"] += any(f.start <= s and e <= f.end for f in findings)
        # the restored span, found through the unchanged text around it
        result["restored"] += _restored_words(seed, repaired, at, damaged, truth, result["errors"])
    return result


def _restored_words(seed: str, repaired: str, at: int, damaged: str, truth: str, errors: list) -> int:
    _, changes = vn.repair(seed)
    shift = sum(len(c.after) - len(c.before) for c in changes if c.end <= at)
    end_shift = shift + sum(
        len(c.after) - len(c.before) for c in changes if at <= c.start < at + len(damaged)
    )
    got = repaired[at + shift : at + len(damaged) + end_shift]
    ok = 0
    for w_d, w_g, w_t in zip(_WORD.findall(damaged), _WORD.findall(got), _WORD.findall(truth), strict=False):
        if w_d != w_t:
            if w_g == w_t:
                ok += 1
            else:
                errors.append((w_d, w_t, w_g))
    return ok


def five_pages() -> str:
    golden = (ROOT / "tests" / "golden" / "2022-H1.txt").read_text(encoding="utf-8")
    return golden + "\n\n" + golden


def timed(func, text: str, runs: int = 7) -> float:
    func(text)  # warm: the model is loaded
    samples = []
    for i in range(runs):
        variant = text + "\n" + str(i)  # defeat the analysis cache: a new text each run
        t0 = time.perf_counter()
        func(variant)
        samples.append(time.perf_counter() - t0)
    return min(samples) * 1000


def _line(name: str, r: dict) -> str:
    pct = 100 * r["restored"] / max(r["damaged"], 1)
    return (
        f"{name:46} damaged {r['damaged']:5}  restored {r['restored']:5} ({pct:5.1f}%)  "
        f"abstained {r['abstained']:4}  wrong {r['wrong']:4}  found by check {r['found']:5}  "
        f"undamaged {r['undamaged']:5}  changed {r['changed']}"
    )


def partial(text: str, share: float = 0.5, seed: int = 1) -> list[int]:
    """The offsets kept when about ``share`` of the U+1EA0–U+1EF9 letters of ``text`` are deleted (the seed's kind
    of damage: some occurrences lost, others whole)."""
    import random

    rnd = random.Random(seed)
    return [i for i, c in enumerate(vn.nfc(text)) if damage(c) or rnd.random() >= share]


def tune() -> None:
    """Sweep the decision thresholds on the development set only (bench/proof_data/dev-legal.txt)."""
    import itertools

    from reportkit.vn import proof

    dev = (DATA / "dev-legal.txt").read_text(encoding="utf-8")
    grid = {
        "CHANGE_INVALID": (0.4, 0.6),
        "CHANGE_VALID": (0.7, 0.8, 0.9),
        "CHANGE_GAP": (0.6, 0.8),
    }
    for values in itertools.product(*grid.values()):
        for name, value in zip(grid, values, strict=True):
            setattr(proof, name, value)
        proof._analyse.cache_clear()
        full = score(dev)
        half = score(dev, kept=partial(dev))
        print(
            " ".join(f"{n}={v}" for n, v in zip(grid, values, strict=True)),
            f"| full {100 * full['restored'] / full['damaged']:.2f}% wrong {full['wrong']} changed {full['changed']}",
            f"| half {100 * half['restored'] / half['damaged']:.2f}% wrong {half['wrong']} changed {half['changed']}",
        )


def main() -> None:
    if "--tune" in sys.argv:
        tune()
        return
    t0 = time.perf_counter()
    vn.check("Mt trn")
    print(f"model load (first check): {1000 * (time.perf_counter() - t0):.0f} ms")
    print()
    print("Restoration of text damaged by deleting U+1EA0–U+1EF9 (unseen text)")
    for name, path in EVAL_TEXTS.items():
        original = path.read_text(encoding="utf-8")
        r = score(original)
        print(_line(name, r))
        r = score(original, kept=partial(original))
        print(_line("  the same, half of the letters lost", r))
        clean = vn.check(original)
        kinds = Counter(f.kind for f in clean)
        shown = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "none"
        print(f"{'':46} check on the undamaged original (its own slips): {shown}")
        for f in clean:
            if f.kind not in ("space", "tone_style"):
                print(f"{'':48}{f.kind}: {f.found!r} → {f.suggestions[:1]}")
    dev = (DATA / "dev-legal.txt").read_text(encoding="utf-8")
    print(_line("development set (thresholds tuned on it)", score(dev)))
    seed = seed_path()
    if seed is not None:
        r = score_seed(seed.read_text(encoding="utf-8"))
        pct = 100 * r["restored"] / max(r["damaged"], 1)
        print(
            f"{'seed article, its damaged spans':46} damaged {r['damaged']:5}  restored {r['restored']:5} "
            f"({pct:5.1f}%)  found by check {r['found']}/{r['damaged']}"
        )
        for d, t, g in r["errors"]:
            print(f"{'':48}{d} → {g} (was {t})")
    print()
    print("Findings on correct text")
    for rel in ("README.md", "docs/guide.md", "tests/golden/2022-H1.txt"):
        found = vn.check((ROOT / rel).read_text(encoding="utf-8"))
        print(f"  {rel:30} {len(found)}")
        for f in found[:5]:
            print(f"      {f.kind}: {f.found!r} → {f.suggestions[:1]}")
    print()
    text = five_pages()
    broken = damage(text)
    print(f"Speed over a 5-page report ({len(_WORD.findall(text))} words), warm, best of 7")
    print(f"  check  whole text    {timed(vn.check, text):7.1f} ms   (target ≤ 50 ms)")
    print(f"  check  damaged text  {timed(vn.check, broken):7.1f} ms")
    print(f"  repair whole text    {timed(vn.repair, text):7.1f} ms")
    print(f"  repair damaged text  {timed(vn.repair, broken):7.1f} ms   (target ≤ 200 ms)")


if __name__ == "__main__":
    main()
