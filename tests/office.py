"""Reading PDFs as a user would, and LibreOffice headless, for the tests of the Word file and the PDF/A."""

from __future__ import annotations

import collections
import difflib
import os
import re
import shutil
import signal
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

MM = 72 / 25.4
A4 = (210 * MM, 297 * MM)
LEFT, RIGHT, TOP, BOTTOM = 30 * MM, 15 * MM, 20 * MM, 20 * MM
_MARKER = re.compile(r"^(?:-|\d+\.)$")


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed")
    return path


def soffice_pdf(docx: Path, out: Path, timeout: float = 240) -> Path:
    """LibreOffice headless converts ``docx`` to PDF in ``out``, with a private profile and a time limit; its
    process group is killed if it hangs. Skips when LibreOffice is not installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out.mkdir(parents=True, exist_ok=True)
    profile = out / "lo-profile"
    command = [
        soffice,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nologo",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(docx),
    ]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"LibreOffice did not convert {docx.name} within {timeout:g} s")
    converted = out / (docx.stem + ".pdf")
    assert proc.returncode == 0 and converted.is_file(), stdout + stderr
    return converted


def pages(pdf: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Every page's words with their boxes (x0, y0, x1, y1 in points from the top left)."""
    out = subprocess.run(
        [need("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    root = ET.fromstring(
        re.sub(r"<!DOCTYPE[^>]*>", "", out.stdout).replace('xmlns="http://www.w3.org/1999/xhtml"', "")
    )
    return [
        [
            (w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
            for w in page.iter("word")
        ]
        for page in root.iter("page")
    ]


def words(pdf: Path) -> list[str]:
    """The words of the pages in content order (``pdftotext -raw``), NFC, without the page numbers of the top
    margin (two PDFs of one report break their pages in different places)."""
    found_all = []
    for number, page in enumerate(pages(pdf), start=1):
        raw = subprocess.run(
            [need("pdftotext"), "-raw", "-enc", "UTF-8", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        found = unicodedata.normalize("NFC", raw).split()
        for margin_word in (w[0] for w in page if w[4] < TOP):
            if found and found[0] == margin_word:
                found = found[1:]
            elif found and found[-1] == margin_word:
                found = found[:-1]
        found_all += found
    return found_all


def assert_same_words(expected: list[str], actual: list[str]) -> None:
    """The same words in the same order; only list markers ("-", "1.") may sit elsewhere (WeasyPrint draws them
    after the list's text in its content stream)."""
    moved_out: collections.Counter = collections.Counter()
    moved_in: collections.Counter = collections.Counter()
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, expected, actual, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        assert all(_MARKER.match(w) for w in expected[a1:a2] + actual[b1:b2]), (
            op,
            " ".join(expected[max(0, a1 - 8) : a2 + 8]),
            " ".join(actual[max(0, b1 - 8) : b2 + 8]),
        )
        moved_out.update(expected[a1:a2])
        moved_in.update(actual[b1:b2])
    assert moved_out == moved_in
