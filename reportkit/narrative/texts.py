"""The analyst's own words for a period: the parts of a sơ kết the data cannot write.

A Markdown file beside the params file (``params/2022-H1.md``), one section per heading::

    ## Ưu điểm
    Quỹ “Vì người nghèo” vận động được {{ f.quy_vnn | number }} đồng, {{ compare_plan(f, "quy_vnn") }} …

    ## Hạn chế, khuyết điểm
    ## Nguyên nhân
    ## Phương hướng, nhiệm vụ
    ## Kiến nghị, đề xuất          (not required)

The notebook puts them under "II. ĐÁNH GIÁ CHUNG" (1. Ưu điểm, 2. Hạn chế, khuyết điểm, 3. Nguyên nhân), "III.
PHƯƠNG HƯỚNG, NHIỆM VỤ …" and "IV. KIẾN NGHỊ, ĐỀ XUẤT". Each section is a narrative template like a ``%%report``
cell: the same filters, helpers and figures, escaped the same way, errors naming the file and its line. A heading
"Đánh giá chung" may group the first three; ``<!-- … -->`` is a note for the author, never printed; ``###`` and
deeper headings belong to the section they are in. :func:`parse` is what ``reportkit check`` reads without a kernel.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from reportkit import vn
from reportkit.core import params as schema
from reportkit.core.record import TEXTS_ROLE
from reportkit.narrative import _state
from reportkit.narrative.templating import NarrativeError, render
from reportkit.vn.text import hidden_characters

__all__ = [
    "ASSESSMENT",
    "REQUIRED",
    "SECTIONS",
    "AnalystTexts",
    "Parsed",
    "Section",
    "analyst_texts",
    "parse",
]

# key → (the title the report prints, headings that name it when folded: "Hạn chế" and "Tồn tại, hạn chế" too)
SECTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "strengths": ("Ưu điểm", ("uu diem",)),
    "shortcomings": ("Hạn chế, khuyết điểm", ("han che", "khuyet diem", "ton tai")),
    "causes": ("Nguyên nhân", ("nguyen nhan",)),
    "tasks": ("Phương hướng, nhiệm vụ", ("phuong huong", "nhiem vu")),
    "proposals": ("Kiến nghị, đề xuất", ("kien nghi", "de xuat")),
}
ASSESSMENT = ("strengths", "shortcomings", "causes")  # the three sections of "II. ĐÁNH GIÁ CHUNG", in order
REQUIRED = ("strengths", "shortcomings", "causes", "tasks")
_GROUPS = ("danh gia chung",)
_HEADING = re.compile(r"^(#{1,2})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_WORDS = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Section:
    key: str
    heading: str  # as the analyst wrote it
    line: int  # of the heading
    body: str  # the template, blank lines around it removed
    first_line: int  # the file line of the body's first line

    @property
    def title(self) -> str:
        return SECTIONS[self.key][0]


@dataclass
class Parsed:
    """The sections of an analyst's file and every problem found, as (line, Vietnamese message)."""

    origin: str
    sections: dict[str, Section] = field(default_factory=dict)
    problems: list[tuple[int | None, str]] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        """Titles of the required sections not written (or empty)."""
        return [SECTIONS[k][0] for k in REQUIRED if k not in self.sections]

    @property
    def optional_missing(self) -> list[str]:
        return [SECTIONS[k][0] for k in SECTIONS if k not in REQUIRED and k not in self.sections]

    def messages(self) -> list[str]:
        return [
            f"{self.origin}, dòng {line}: {m}" if line else f"{self.origin}: {m}" for line, m in self.problems
        ]


def _key_of(heading: str) -> str | None:
    words = _WORDS.sub(" ", vn.fold(heading)).strip()
    for key, (_title, names) in SECTIONS.items():
        if any(words == n or words.startswith(n + " ") for n in names):
            return key
    return None


def parse(text: str, origin: str = "bài viết") -> Parsed:
    """Split an analyst's Markdown into its sections; structural problems are listed with their line.

    >>> p = parse("## Ưu điểm\\nĐã làm tốt.\\n\\n## Phương hướng, nhiệm vụ 6 tháng cuối năm\\n- Tiếp tục.\\n## Khác\\n")
    >>> sorted(p.sections), p.missing, p.problems[0][0]
    (['strengths', 'tasks'], ['Hạn chế, khuyết điểm', 'Nguyên nhân'], 6)
    """
    text = vn.nfc(text.removeprefix("\ufeff"))
    found = Parsed(origin)
    # A bidi override prints the line reversed, a zero-width space splits a word unseen: split on "\n" alone, so
    # a line or paragraph separator (U+2028) is found too, and a Windows line end is not.
    for number, line in enumerate(text.split("\n"), 1):
        for at, name in hidden_characters(line.removesuffix("\r"), newlines=True)[:1]:
            found.problems.append(
                (number, f"có ký tự ẩn hoặc ký tự điều khiển ở vị trí {at + 1} ({name}): gõ lại dòng này")
            )
    unclosed = text.find("<!--", _last_comment_end(text))
    if unclosed >= 0:
        found.problems.append(
            (text.count("\n", 0, unclosed) + 1, "chú thích “<!--” chưa được đóng bằng “-->”")
        )
        text = text[:unclosed]
    text = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), text)
    current: tuple[str, str, int] | None = None  # key, heading, line
    body: list[tuple[int, str]] = []
    stray: int | None = None

    def close() -> None:
        if current is None:
            return
        key, heading, line = current
        lines = [(n, t) for n, t in body]
        while lines and not lines[0][1].strip():
            lines.pop(0)
        while lines and not lines[-1][1].strip():
            lines.pop()
        if not lines:
            return  # an empty section is a section not written
        if key in found.sections:
            first = found.sections[key].line
            found.problems.append(
                (line, f"phần “{SECTIONS[key][0]}” đã viết ở dòng {first}; mỗi phần viết một lần")
            )
            return
        found.sections[key] = Section(key, heading, line, "\n".join(t for _, t in lines), lines[0][0])

    for number, raw in enumerate(text.splitlines(), 1):
        match = _HEADING.match(raw)
        if match:
            close()
            heading = match.group(2).strip()
            key = _key_of(heading)
            body, stray = [], None
            if key is not None:
                current = (key, heading, number)
                continue
            current = None
            if _WORDS.sub(" ", vn.fold(heading)).strip() not in _GROUPS:
                stray = number  # its text is not reported again as outside the sections
                titles = "; ".join(t for t, _ in SECTIONS.values())
                found.problems.append(
                    (number, f"tiêu đề “{heading}” không phải một phần của báo cáo (các phần: {titles})")
                )
            continue
        if current is not None:
            body.append((number, raw))
        elif raw.strip() and stray is None:
            stray = number
            found.problems.append(
                (
                    number,
                    "đoạn văn nằm ngoài các phần (chưa có tiêu đề “## …” phía trên) nên không vào báo cáo",
                )
            )
    close()
    return found


def _last_comment_end(text: str) -> int:
    ends = [m.end() for m in _COMMENT.finditer(text)]
    return ends[-1] if ends else 0


def _shown(path: Path) -> str:
    """The file as the analyst knows it: relative to the project (the folder holding params/ and notebooks/)."""
    resolved = path.resolve()
    for folder in resolved.parents:
        if (folder / "params").is_dir() and (folder / "notebooks").is_dir():
            return resolved.relative_to(folder).as_posix()
    return path.as_posix()


@dataclass
class AnalystTexts:
    """The analyst's sections rendered for this run; a section not written is None (the part is left out)."""

    origin: str | None = None
    rendered: dict[str, Markup] = field(default_factory=dict)
    sources: list[dict] = field(default_factory=list)

    def __getattr__(self, name: str):
        if name in SECTIONS:
            return self.rendered.get(name)
        raise AttributeError(f"the analyst's texts have no section {name!r}; sections: {', '.join(SECTIONS)}")

    @property
    def assessment(self) -> list[tuple[str, Markup]]:
        """The written sections of "ĐÁNH GIÁ CHUNG" as (title, text), in order: number them with ``loop.index``."""
        return [(SECTIONS[k][0], self.rendered[k]) for k in ASSESSMENT if k in self.rendered]

    @property
    def missing(self) -> list[str]:
        return [SECTIONS[k][0] for k in REQUIRED if k not in self.rendered]

    def _repr_markdown_(self) -> str:
        where = f"`{self.origin}`" if self.origin else "không có tệp (tham số `texts`)"
        if not self.missing:
            return f"Bài viết của người soạn báo cáo: {where}, đủ các phần."
        return f"Bài viết của người soạn báo cáo: {where}; chưa viết: {'; '.join(self.missing)}."


def analyst_texts(path: object, namespace: Mapping[str, object] | None = None) -> AnalystTexts:
    """Read and render the analyst's file for this run (``texts`` parameter); None gives a report without them.

    Call it in a code cell after the figures: each section is rendered against the notebook's variables (or
    ``namespace``) in the run's tone style. A structural problem or a failing expression stops the cell, naming
    the file and the line.
    """
    if path is None:
        return AnalystTexts()
    problems: list[tuple[str, str]] = []
    checked = schema.texts(path, problems)
    if problems:
        raise schema.ParameterError(problems)
    file = Path(str(checked))
    if not file.is_file():
        raise NarrativeError(
            f"Không tìm thấy tệp bài viết {checked} (tham số texts; đường dẫn tính từ thư mục của notebook)"
        )
    data = file.read_bytes()
    origin = _shown(file)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise NarrativeError(f"{origin}: không đọc được dưới dạng UTF-8 ({err})") from None
    parsed = parse(text, origin)
    if parsed.problems:
        raise NarrativeError("\n".join(parsed.messages()))
    if namespace is None:
        namespace = _user_namespace()
    tone_style = _state.state().tone_style
    rendered = {}
    for key, section in parsed.sections.items():
        out = render(
            section.body, namespace, first_line=section.first_line, tone_style=tone_style, origin=origin
        )
        rendered[key] = Markup(out.markdown.strip("\n"))
    source = {"path": origin, "sha256": hashlib.sha256(data).hexdigest(), "role": TEXTS_ROLE}
    return AnalystTexts(origin, rendered, [source])


def _user_namespace() -> Mapping[str, object]:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return {}
    shell = get_ipython()
    return shell.user_ns if shell is not None else {}
