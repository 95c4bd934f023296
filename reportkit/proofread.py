"""Repair a whole file: ``reportkit repair FILE`` (plain text, Markdown, Word .docx).

The repaired copy is written beside the original (``bao-cao.txt`` → ``bao-cao.repaired.txt``), all or nothing; the
original is never touched. Every change is returned with where it is, for the command to print.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportkit import vn
from reportkit.core.atomic import atomic_path, write_atomic
from reportkit.core.errors import ReportkitError

__all__ = ["FileRepair", "Located", "ProofreadError", "repair_file", "repaired_path"]

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")


class ProofreadError(ReportkitError):
    """The file cannot be read or repaired (missing, not text, not UTF-8, .docx without python-docx)."""


@dataclass(frozen=True)
class Located:
    """A change or a finding with its place: ``where`` reads "dòng 6" (text) or "đoạn 3" (Word)."""

    where: str
    before: str
    after: str
    confidence: float | None = None
    message: str = ""
    context: str = ""  # the repaired words around it: "tiếp tục hướng dẫn"


@dataclass(frozen=True)
class FileRepair:
    source: Path
    output: Path
    changes: list[Located]
    remaining: list[Located]  # what check still finds in the repaired text (undecided words, other kinds)


_REPAIRABLE = frozenset({".txt", ".md", ".markdown", ".docx"})


def repaired_path(path: Path) -> Path:
    """``bao-cao.txt`` → ``bao-cao.repaired.txt``."""
    return path.with_name(f"{path.stem}.repaired{path.suffix}")


def repair_file(path: str | Path, output: str | Path | None = None) -> FileRepair:
    """Restore the lost letters of a text, Markdown or Word file into a copy beside it."""
    source = Path(path)
    if not source.is_file():
        raise ProofreadError(f"{source}: không có tệp này (no such file)")
    target = Path(output) if output is not None else repaired_path(source)
    if target.resolve() == source.resolve():
        raise ProofreadError(f"{source}: the repaired copy must not replace the original")
    suffix = source.suffix.lower()
    if suffix not in _REPAIRABLE:  # a .pdf or .xlsx "repaired" as text would be a broken copy under its name
        raise ProofreadError(
            f"{source}: repair reads .txt, .md and .docx files, not {suffix or 'a file without one'}"
        )
    if suffix == ".docx":
        changes, remaining = _repair_docx(source, target)
    else:
        changes, remaining = _repair_text(source, target)
    return FileRepair(source, target, changes, remaining)


def _read_text(source: Path) -> str:
    data = source.read_bytes()
    if b"\0" in data[:4096]:
        raise ProofreadError(f"{source}: not a text file (txt, Markdown) nor a .docx")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ProofreadError(
            f"{source}: not UTF-8 text (byte {err.start}); save it as UTF-8 (Unicode) first"
        ) from None


def _line_of(text: str, offset: int) -> str:
    return f"dòng {text.count(chr(10), 0, offset) + 1}"


def _contexts(repaired: str, changes: list[vn.Change], words: int = 2) -> list[str]:
    """The repaired text around each change, ``words`` words either side, on one line."""
    out = []
    shift = 0
    for c in changes:
        start = c.start + shift
        end = start + len(c.after)
        shift += len(c.after) - len(c.before)
        left = repaired[:start].rsplit("\n", 1)[-1].split(" ")
        right = repaired[end:].split("\n", 1)[0].split(" ")
        out.append(" ".join([*left[-words - 1 :]]) + repaired[start:end] + " ".join(right[: words + 1]))
    return [" ".join(x.split()) for x in out]


def _located(where_of, repaired: str, changes: list[vn.Change]) -> list[Located]:
    return [
        Located(where_of(c.start), c.before, c.after, c.confidence, context=context)
        for c, context in zip(changes, _contexts(repaired, changes), strict=True)
    ]


def _remaining(text: str, repaired: str, changes: list[vn.Change], where_of) -> list[Located]:
    """What is left to look at, in order: what check finds in the repaired text, and every damaged word of the
    original that repair left as it was — undecided, so reported, not guessed ("vi" may be "với" or "vì").

    ``where_of(text, offset)`` names the place; repairs never add or remove a line, so both texts share it."""
    damaged = vn.proof.KINDS["damaged"]
    found = [(n.start, Located(where_of(repaired, n.start), n.found, n.suggestion, None, str(n)))
             for n in vn.proof.notes(repaired)]  # fmt: skip
    seen = {(item.where, item.before) for _, item in found}
    shift = 0  # where an offset of the original falls in the repaired text, for the order
    shifts = [(c.start, (shift := shift + len(c.after) - len(c.before))) for c in changes]
    for n in vn.proof.notes(text):
        end = n.start + len(n.found)
        if n.label != damaged or any(c.start < end and n.start < c.end for c in changes):
            continue
        item = Located(where_of(text, n.start), n.found, n.suggestion, None, str(n))
        if (item.where, item.before) not in seen:
            seen.add((item.where, item.before))
            moved = n.start + next((s for start, s in reversed(shifts) if start < n.start), 0)
            found.append((moved, item))
    return [item for _, item in sorted(found, key=lambda pair: pair[0])]


def _repair_text(source: Path, target: Path) -> tuple[list[Located], list[Located]]:
    text = vn.nfc(_read_text(source))
    repaired, changes = vn.repair(text)
    located = _located(lambda offset: _line_of(text, offset), repaired, changes)
    remaining = _remaining(text, repaired, changes, _line_of)
    write_atomic(target, repaired)
    return located, remaining


def _docx_paragraphs(document):
    """Every paragraph of the body, its tables (nested too), headers and footers, with a place name."""
    seen: set[int] = set()

    def walk(container, where: str):
        for i, paragraph in enumerate(container.paragraphs, start=1):
            if id(paragraph._p) not in seen:
                seen.add(id(paragraph._p))
                yield f"{where}đoạn {i}", paragraph
        for t, table in enumerate(getattr(container, "tables", []), start=1):
            for r, row in enumerate(table.rows, start=1):
                for c, cell in enumerate(row.cells, start=1):
                    yield from walk(cell, f"{where}bảng {t}, hàng {r}, cột {c}, ")

    yield from walk(document, "")
    for s, section in enumerate(document.sections, start=1):
        for part, name in ((section.header, "đầu trang"), (section.footer, "chân trang")):
            if not part.is_linked_to_previous:
                yield from walk(part, f"{name} {s}, ")


def _apply_to_runs(paragraph, changes: list[vn.Change]) -> None:
    """Apply changes (offsets in the paragraph's text) to its runs, keeping each run's formatting."""
    runs = list(paragraph.runs)
    bounds = []
    pos = 0
    for run in runs:
        bounds.append((pos, pos + len(run.text)))
        pos += len(run.text)
    texts = [run.text for run in runs]
    for change in sorted(changes, key=lambda c: c.start, reverse=True):
        first = next(i for i, (a, b) in enumerate(bounds) if a <= change.start < b or b == change.start == a)
        last = next(i for i, (a, b) in enumerate(bounds) if a < change.end <= b or (a == b == change.end))
        a0, _ = bounds[first]
        a1, _ = bounds[last]
        if first == last:
            t = texts[first]
            texts[first] = t[: change.start - a0] + change.after + t[change.end - a0 :]
        else:  # the word spans runs: the first run takes the whole repaired word
            texts[first] = texts[first][: change.start - a0] + change.after
            for i in range(first + 1, last):
                texts[i] = ""
            texts[last] = texts[last][change.end - a1 :]
    for run, new in zip(runs, texts, strict=True):
        if run.text != new:
            run.text = new


def _repair_docx(source: Path, target: Path) -> tuple[list[Located], list[Located]]:
    try:
        import docx
    except ImportError:
        raise ProofreadError(f"{source}: reading .docx needs python-docx (pip install python-docx)") from None
    try:
        document = docx.Document(str(source))
    except Exception as err:  # python-docx raises several kinds for a file that is no Word document
        raise ProofreadError(f"{source}: not a Word .docx document ({type(err).__name__}: {err})") from None
    located: list[Located] = []
    remaining: list[Located] = []
    for where, paragraph in _docx_paragraphs(document):
        run_text = "".join(run.text for run in paragraph.runs)
        if not run_text.strip():
            continue
        if run_text != vn.nfc(run_text):
            for run in paragraph.runs:
                run.text = vn.nfc(run.text)
            run_text = "".join(run.text for run in paragraph.runs)
        repaired, changes = vn.repair(run_text)
        if changes:
            _apply_to_runs(paragraph, changes)
        located += _located(lambda _offset, where=where: where, repaired, changes)
        remaining += _remaining(run_text, repaired, changes, lambda _text, _offset, where=where: where)
    with atomic_path(target) as tmp:
        document.save(str(tmp))
    return located, remaining
