"""The PDF's font: Times New Roman where fontconfig has it, else the Liberation Serif shipped with reportkit.

Liberation Serif (SIL OFL 1.1, ``fonts/LICENSE-LiberationSerif.txt``, from Debian's fonts-liberation2) is metric
compatible with Times New Roman and covers Vietnamese, so a PDF made anywhere has the same line breaks.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from fontTools.ttLib import TTFont

from reportkit.core.errors import ReportkitError

FONT_DIR = Path(__file__).with_name("fonts")
PDF_FAMILY = "ReportKit Liberation Serif"
_SHIPPED = {
    ("normal", "normal"): "LiberationSerif-Regular.ttf",
    ("bold", "normal"): "LiberationSerif-Bold.ttf",
    ("normal", "italic"): "LiberationSerif-Italic.ttf",
    ("bold", "italic"): "LiberationSerif-BoldItalic.ttf",
}


class GlyphError(ReportkitError, ValueError):
    """The report contains characters the PDF font cannot draw.

    ``characters`` lists them (e.g. ``["U+1F600 😀"]``); ``font`` is the family name.
    """

    def __init__(self, missing: dict[str, str], font: str, files: list[Path]):
        self.characters = [f"U+{ord(ch):04X} {ch}" for ch in missing]
        self.font = font
        self.files = files
        lines = "\n".join(
            f"  - U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')} {ch!r} in: …{context}…"
            for ch, context in missing.items()
        )
        super().__init__(
            f"the PDF font {font} ({', '.join(p.name for p in files)}) has no glyph for {len(missing)} "
            f"character(s) of the report; the PDF would show empty boxes:\n{lines}"
        )


@dataclass
class PdfFont:
    """A serif family and its files by (weight, style)."""

    family: str
    files: dict[tuple[str, str], Path]
    shipped: bool
    _cmaps: dict[Path, set[int]] = field(default_factory=dict, repr=False)

    def font_face_css(self) -> str:
        """``@font-face`` rules with file URLs (only ever given to WeasyPrint, never put in the shared HTML)."""
        if not self.shipped:
            return ""
        rules = []
        for (weight, style), path in self.files.items():
            rules.append(
                f'@font-face{{font-family:"{PDF_FAMILY}";src:url("{path.resolve().as_uri()}");'
                f"font-weight:{weight};font-style:{style}}}"
            )
        return "\n".join(rules)

    @property
    def css_family(self) -> str:
        return PDF_FAMILY if self.shipped else self.family

    def cmap(self, path: Path) -> set[int]:
        if path not in self._cmaps:
            with TTFont(path, lazy=True) as font:
                self._cmaps[path] = set(font.getBestCmap())
        return self._cmaps[path]

    def check(self, text: str) -> None:
        """Raise :class:`GlyphError` unless every face of the family covers every character of ``text``."""
        needed = {ch for ch in text if not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf")}
        missing = sorted(
            (ch for ch in needed if any(ord(ch) not in self.cmap(p) for p in self.files.values())), key=ord
        )
        if missing:
            contexts = {}
            for ch in missing:
                at = text.index(ch)
                contexts[ch] = " ".join(text[max(0, at - 30) : at + 30].split())
            raise GlyphError(contexts, self.family, list(self.files.values()))


_METRICS: dict[str, tuple[dict[int, int], int]] = {}


def text_width_pt(text: str, size_pt: float) -> float:
    """Width of ``text`` set in Liberation Serif Bold (metric-compatible with Times New Roman Bold) at ``size_pt``.

    Bold is the widest face, so this bounds what any face of either family needs.
    """
    if "bold" not in _METRICS:
        with TTFont(FONT_DIR / _SHIPPED[("bold", "normal")], lazy=True) as font:
            cmap = font.getBestCmap()
            hmtx = font["hmtx"]
            widths = {code: hmtx[name][0] for code, name in cmap.items()}
            _METRICS["bold"] = (widths, font["head"].unitsPerEm)
    widths, units = _METRICS["bold"]
    fallback = units  # an unknown character counts as one em
    return sum(widths.get(ord(ch), fallback) for ch in text) * size_pt / units


def shipped_font() -> PdfFont:
    """Liberation Serif from the package."""
    return PdfFont("Liberation Serif", {k: FONT_DIR / v for k, v in _SHIPPED.items()}, shipped=True)


def installed_times() -> PdfFont | None:
    """Times New Roman as fontconfig lists it (only a real TNR: metric aliases do not count), or None."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(
            [fc_list, ":family=Times New Roman", "file", "style", "weight", "slant"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files: dict[tuple[str, str], Path] = {}
    for line in listed.splitlines():
        path, _, props = line.partition(": ")
        if not path.lower().endswith((".ttf", ".otf")):
            continue
        fields = dict(part.split("=", 1) for part in props.split(":") if "=" in part)
        try:
            weight = "bold" if int(fields.get("weight", "80").split(",")[0]) >= 200 else "normal"
            style = "italic" if int(fields.get("slant", "0").split(",")[0]) > 0 else "normal"
        except ValueError:
            continue
        files.setdefault((weight, style), Path(path))
    if ("normal", "normal") not in files:
        return None
    return PdfFont("Times New Roman", files, shipped=False)


def pdf_font() -> PdfFont:
    """The font the PDF uses: Times New Roman when installed, else the shipped Liberation Serif."""
    return installed_times() or shipped_font()
