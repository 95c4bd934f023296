"""Build reportkit/vn/data/proof-caps.bin: how legal text capitalises a syllable whose first letter a lossy
conversion deletes ("Ủy ban" / "ủy quyền"), for ``vn.repair`` to restore a lost capital inside a sentence.

Run: .venv/bin/python bench/build_proof_caps.py GIT_DIR [COMMIT]   (a few minutes)

Same source and selection as bench/build_proof_model.py (the training paragraphs only: not the development set,
not the election topic, not a paragraph sharing a sentence with the evaluation texts). For every syllable whose
first letter is in U+1EA0–U+1EF9, counted inside a sentence only (a sentence start is capitalised anyway): how
often it is written with a capital and in lower case, alone and before each following syllable (pairs seen at
least MIN_PAIR times). Only these counts are shipped, as zlib-compressed JSON.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from build_proof_model import DEV_EVERY, _paragraphs, _sentences, source_and_held_out  # noqa: E402

from reportkit.vn.proof import _starts_sentence  # noqa: E402
from reportkit.vn.syllable import BLOCK, chunks  # noqa: E402

OUT = ROOT / "reportkit" / "vn" / "data" / "proof-caps.bin"
MIN_WORD = 20
MIN_PAIR = 5


def main() -> None:
    git_dir, commit, held_out = source_and_held_out()
    words: Counter[tuple[str, bool]] = Counter()
    pairs: Counter[tuple[str, str, bool]] = Counter()
    seen: set[bytes] = set()
    for para in _paragraphs(git_dir, commit):
        digest = hashlib.blake2b(para.encode(), digest_size=12).digest()
        if digest in seen:
            continue
        seen.add(digest)
        if digest[0] % DEV_EVERY == 0 or _sentences(para) & held_out:
            continue
        if not any(c in BLOCK for c in para.lower()):
            continue
        items = list(chunks(para))
        for k, (start, _end, core, before, after) in enumerate(items):
            if not core or core[0].lower() not in BLOCK or not core.isalpha() or before:
                continue
            if (core.isupper() and len(core) > 1) or _starts_sentence(para, start):
                continue
            if not (core[1:].islower() or len(core) == 1):
                continue
            low = core.lower()
            upper = core[0].isupper()
            words[low, upper] += 1
            if not after and k + 1 < len(items) and not items[k + 1][3] and items[k + 1][2].isalpha():
                pairs[low, items[k + 1][2].lower(), upper] += 1
    out: dict = {"source": f"github.com/diepxuan/diepxuan.github.io@{commit} van-ban/**/*.md", "words": {},
                 "pairs": {}}  # fmt: skip
    for w in sorted({w for w, _ in words}):
        lo, up = words[w, False], words[w, True]
        if lo + up >= MIN_WORD:
            out["words"][w] = [lo, up]
    for w, n in sorted({(w, n) for w, n, _ in pairs}):
        lo, up = pairs[w, n, False], pairs[w, n, True]
        if w in out["words"] and lo + up >= MIN_PAIR:
            out["pairs"][f"{w} {n}"] = [lo, up]
    OUT.write_bytes(zlib.compress(json.dumps(out, ensure_ascii=False, sort_keys=True).encode(), 9))
    print(f"wrote {OUT.relative_to(ROOT)}: {len(out['words'])} words, {len(out['pairs'])} pairs, "
          f"{OUT.stat().st_size / 1e3:.1f} kB")  # fmt: skip


if __name__ == "__main__":
    main()
