"""The proofreader's syllable statistics (reportkit/vn/data/proof-model.bin), loaded on first use.

Syllable and syllable-pair counts of Vietnamese legal text (Bộ pháp điển), built by bench/build_proof_model.py;
provenance and licence in reportkit/vn/data/README.md. The language model is an interpolated Kneser-Ney bigram
model over lower-case syllables in the classic tone style, with <s> (punctuation, line breaks), <num> and <x>
(anything that is not a syllable).
"""

from __future__ import annotations

import json
import zlib
from array import array
from bisect import bisect_left
from functools import cache
from importlib import resources

from reportkit.vn.syllable import BLOCK, damage
from reportkit.vn.text import fold, tone_style

__all__ = ["Capitals", "Model", "capitals", "model"]

_DISCOUNT = 0.75


class Model:
    """Syllable statistics: ``id(word)``, ``count(id)``, ``pair(a, b)``, ``prob(a, b)``, candidate indexes."""

    def __init__(self, blob: bytes) -> None:
        data = zlib.decompress(blob)
        if not data.startswith(b"RKPM1\n"):
            raise ValueError("proof-model.bin: not a reportkit proofreading model")
        pos = 6
        end = data.index(b"\n", pos)
        self.header = json.loads(data[pos:end])
        pos = end + 1
        V, B = self.header["vocab"], self.header["bigrams"]
        words = []
        for _ in range(V):
            end = data.index(b"\n", pos)
            words.append(data[pos:end].decode())
            pos = end + 1
        self.vocab = words
        self.index = {w: i for i, w in enumerate(words)}
        self.V = V

        def take(code: str, n: int) -> array:
            nonlocal pos
            arr = array(code)
            size = arr.itemsize * n
            arr.frombytes(data[pos : pos + size])
            pos += size
            return arr

        self.counts = take("I", V)
        self.followers = take("I", V)
        self.predecessors = take("I", V)
        self.keys = take("I", B)
        self.pair_counts = take("H", B)
        self._types = float(sum(self.predecessors)) or 1.0
        self._cache: dict[int, float] = {}
        # P(b | a) = max(c(a, b) - D, 0) / c(a) + weight(a) * continuation(b): the continuation of every syllable,
        # with the unknown syllable as id V, and each syllable's followers, built on first use (split)
        self.continuation = [(n + 0.5) / self._types for n in self.predecessors] + [0.5 / self._types]
        self._followers: dict[int, tuple[dict[int, float], float]] = {}

    def id(self, word: str) -> int | None:
        """The id of a lower-case classic-style syllable (or a special token), None when unknown."""
        return self.index.get(word)

    def pair(self, a: int, b: int) -> int:
        """How often syllable ``b`` followed ``a`` in the training text (0 when pruned or never)."""
        key = a * self.V + b
        keys = self.keys
        i = bisect_left(keys, key)
        return self.pair_counts[i] if i < len(keys) and keys[i] == key else 0

    def prob(self, a: int, b: int | None) -> float:
        """P(b | a), interpolated Kneser-Ney; ``b=None`` is a syllable the model never saw."""
        if b is None:
            cont = 0.5 / self._types
            ca = self.counts[a]
            return cont if ca == 0 else (_DISCOUNT * self.followers[a] / ca) * cont
        key = a * self.V + b
        p = self._cache.get(key)
        if p is not None:
            return p
        cont = (self.predecessors[b] + 0.5) / self._types
        ca = self.counts[a]
        if ca == 0:
            p = cont
        else:
            c = self.pair(a, b)
            p = max(c - _DISCOUNT, 0.0) / ca + (_DISCOUNT * self.followers[a] / ca) * cont
        if len(self._cache) < 500_000:
            self._cache[key] = p
        return p

    def split(self, a: int) -> tuple[dict[int, float], float]:
        """P(b | a) as ``discounted.get(b, 0.0) + weight * continuation[b]``, the same value as ``prob(a, b)``
        (``b = V`` for a syllable the model never saw): the part only the syllables that followed ``a`` have, and
        the weight of the part every syllable has. The proofreader's forward-backward sums over every pair of two
        readings, most of which never met; built on first use for each ``a`` (≈ 15 MB once every syllable has been
        asked)."""
        parts = self._followers.get(a)
        if parts is None:
            ca = self.counts[a]
            if ca == 0:
                parts = ({}, 1.0)
            else:
                base = a * self.V
                lo = bisect_left(self.keys, base)
                hi = bisect_left(self.keys, base + self.V, lo)
                discounted = {
                    k - base: max(c - _DISCOUNT, 0.0) / ca
                    for k, c in zip(self.keys[lo:hi], self.pair_counts[lo:hi], strict=True)
                }
                parts = (discounted, _DISCOUNT * self.followers[a] / ca)
            self._followers[a] = parts
        return parts

    @property
    def restorations(self) -> dict[str, list[tuple[int, str]]]:
        """damaged spelling → [(id, syllable as written)] for every syllable holding a U+1EA0–U+1EF9 letter,
        in both tone styles ("thủy" → "thy", "thuỷ" → "thu")."""
        return _restorations(self)

    @property
    def siblings(self) -> dict[str, list[int]]:
        """fold (no diacritics) → ids of the syllables with that fold, most frequent first."""
        return _siblings(self)


@cache
def _restorations(m: Model) -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {}
    for i, w in enumerate(m.vocab[3:], start=3):
        for form in {w, tone_style(w, "modern")}:
            if any(c in BLOCK for c in form):
                out.setdefault(damage(form), []).append((i, form))
    return out


@cache
def _siblings(m: Model) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, w in enumerate(m.vocab[3:], start=3):
        out.setdefault(fold(w), []).append(i)
    return out


@cache
def model() -> Model:
    """The shipped model (loaded once, on first use)."""
    blob = resources.files("reportkit.vn").joinpath("data", "proof-model.bin").read_bytes()
    return Model(blob)


class Capitals:
    """How legal text capitalises, inside a sentence, a syllable whose first letter is in U+1EA0–U+1EF9:
    ``words[w]`` and ``pairs[(w, next)]`` are [lower case, capitalised] counts (bench/build_proof_caps.py)."""

    def __init__(self, data: dict) -> None:
        self.words: dict[str, list[int]] = data.get("words", {})
        self.pairs: dict[tuple[str, str], list[int]] = {
            tuple(key.split(" ", 1)): value for key, value in data.get("pairs", {}).items()
        }


@cache
def capitals() -> Capitals:
    """The shipped capitalisation counts (reportkit/vn/data/proof-caps.bin, zlib-compressed JSON), loaded on first
    use."""
    blob = resources.files("reportkit.vn").joinpath("data", "proof-caps.bin").read_bytes()
    return Capitals(json.loads(zlib.decompress(blob)))
