"""Build reportkit/vn/data/proof-model.bin, the syllable statistics of the proofreader, from legal text.

Run: .venv/bin/python bench/build_proof_model.py GIT_DIR [COMMIT]   (a few minutes; prints what it kept)

GIT_DIR is a clone of github.com/diepxuan/diepxuan.github.io, whose ``van-ban/**/*.md`` hold the provisions of
the Bộ pháp điển (Vietnamese legal norms; not protected by copyright, Luật Sở hữu trí tuệ art. 15). Only the
statistics are shipped, counted in the classic tone style (hòa, thủy): syllable counts and syllable-pair counts, never the text. What is left out, so that the
evaluation stays unseen: the election topic (the commune Front documents of bench/proof_data/ are about
elections), every sentence that also occurs in bench/proof_data/, and one paragraph in 50 (kept aside as the
development set, bench/proof_data/dev-legal.txt, which the thresholds were tuned on).

File format (little-endian, zlib-compressed): magic ``RKPM1\\n``, a JSON header line {"vocab": V, "bigrams": B,
"tokens": N, "source": …}, then V syllables joined by "\\n" (ids 0..V-1; 0 = <s>, 1 = <num>, 2 = <x>), then
uint32[V] counts, uint32[V] distinct followers, uint32[V] distinct predecessors (before pruning, for Kneser-Ney),
uint32[B] bigram keys (left * V + right, sorted), uint16[B] bigram counts (capped at 65535).
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import unicodedata
import zlib
from array import array
from collections import Counter
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reportkit.vn.syllable import BOUNDARY, NUMBER, OTHER, stream  # noqa: E402
from reportkit.vn.text import tone_style  # noqa: E402

OUT = ROOT / "reportkit" / "vn" / "data" / "proof-model.bin"
EVAL_DIR = ROOT / "bench" / "proof_data"
EXCLUDED_TOPICS = ("bau-cu",)
MIN_SYLLABLE = 3  # a syllable seen fewer times is noise (typos, OCR) more often than Vietnamese
MIN_BIGRAM = 2
DEV_EVERY = 50
_SENTENCE = re.compile(r"[^.;:!?\n]+")


def _paragraphs(git_dir: str, commit: str):
    files = subprocess.run(
        ["git", "--git-dir", git_dir, "ls-tree", "-r", "--name-only", commit, "van-ban"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split("\n")
    files = [f for f in files if f.endswith(".md") and "/crawled/" not in f]
    files = [f for f in files if not any(t in f for t in EXCLUDED_TOPICS)]
    for name in sorted(files):
        shown = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{name}"], capture_output=True)
        if shown.returncode:  # a file the snapshot lists without its content
            continue
        text = shown.stdout.decode("utf-8", "replace")
        body = text.split("## VĂN BẢN", 1)[-1]
        for line in body.split("\n"):
            line = line.strip()
            if not line or line.startswith(("|", "---", "**", "#", "<", "!", "[", "{")):
                continue
            yield tone_style(unicodedata.normalize("NFC", line), "classic")


def _sentences(text: str) -> set[str]:
    return {s.strip().lower() for s in _SENTENCE.findall(text) if len(s.split()) >= 8}


def source_and_held_out() -> tuple[str, str, set[str]]:
    """The command line's source (git folder, commit resolved) and the evaluation texts' sentences, which no
    training paragraph may share."""
    git_dir, commit = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "HEAD"
    commit = subprocess.run(
        ["git", "--git-dir", git_dir, "rev-parse", commit], capture_output=True, text=True, check=True
    ).stdout.strip()
    held_out: set[str] = set()
    for path in sorted(EVAL_DIR.glob("eval-*.txt")):
        held_out |= _sentences(path.read_text(encoding="utf-8"))
    return git_dir, commit, held_out


def main() -> None:
    git_dir, commit, held_out = source_and_held_out()
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    seen: set[bytes] = set()
    dev: list[str] = []
    kept = dropped = 0
    for para in _paragraphs(git_dir, commit):
        digest = hashlib.blake2b(para.encode(), digest_size=12).digest()
        if digest in seen:
            continue
        seen.add(digest)
        if digest[0] % DEV_EVERY == 0:
            if sum(len(p.split()) for p in dev) < 20000 and len(para.split()) >= 12:
                dev.append(para)
            continue
        if _sentences(para) & held_out:
            dropped += 1
            continue
        kept += 1
        toks = stream(para)
        unigrams.update(toks)
        bigrams.update(pairwise(toks))
    specials = [BOUNDARY, NUMBER, OTHER]
    vocab = specials + sorted(
        (w for w, c in unigrams.items() if w not in specials and c >= MIN_SYLLABLE),
        key=lambda w: -unigrams[w],
    )
    index = {w: i for i, w in enumerate(vocab)}
    V = len(vocab)
    followers = [0] * V
    predecessors = [0] * V
    kept_bigrams: dict[int, int] = {}
    for (a, b), c in bigrams.items():
        ia, ib = index.get(a, 2), index.get(b, 2)
        followers[ia] += 1
        predecessors[ib] += 1
        if c >= MIN_BIGRAM:
            key = ia * V + ib
            kept_bigrams[key] = kept_bigrams.get(key, 0) + c
    counts = [0] * V
    for w, c in unigrams.items():
        counts[index.get(w, 2)] += c
    keys = sorted(kept_bigrams)
    header = {
        "vocab": V,
        "bigrams": len(keys),
        "tokens": sum(unigrams.values()),
        "paragraphs": kept,
        "source": f"github.com/diepxuan/diepxuan.github.io@{commit} van-ban/**/*.md (Bộ pháp điển)",
    }
    blob = b"RKPM1\n" + json.dumps(header, ensure_ascii=False).encode() + b"\n"
    blob += "\n".join(vocab).encode() + b"\n"
    for values, code in ((counts, "I"), (followers, "I"), (predecessors, "I"), (keys, "I")):
        blob += array(code, [min(v, 2**32 - 1) for v in values]).tobytes()
    blob += array("H", [min(kept_bigrams[k], 65535) for k in keys]).tobytes()
    if sys.byteorder != "little":  # pragma: no cover
        raise SystemExit("build on a little-endian machine")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(zlib.compress(blob, 9))
    (EVAL_DIR / "dev-legal.txt").write_text("\n".join(dev) + "\n", encoding="utf-8")
    print(json.dumps(header, ensure_ascii=False))
    print(f"dropped {dropped} paragraphs that share a sentence with the evaluation texts")
    print(f"wrote {OUT.relative_to(ROOT)}: {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
