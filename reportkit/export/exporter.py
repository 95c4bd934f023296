"""ReportExporter: executed notebook → self-contained HTML, official-layout PDF/A, Word file, web-article fragment."""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
import weakref
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nbformat
from nbconvert import HTMLExporter

from reportkit.core import clock, content
from reportkit.core import record as report
from reportkit.export.preprocess import ReportPreprocessor, raise_on_errors
from reportkit.export.sanitize import article_fragment, no_break_spaces, visible_text
from reportkit.export.typeface import PdfFont, pdf_font
from reportkit.vn.text import nfc

TEMPLATES_DIR = Path(__file__).with_name("templates")
TEMPLATE_NAME = "reportkit"
# The official PDF: PDF/A-3b (ISO 19005-3, the level that admits a non-PDF attachment: the report's JSON record),
# tagged for accessibility.
PDF_VARIANT = "pdf/a-3b"
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _local_fetcher(font_urls: set[str]):
    """A WeasyPrint URL fetcher that loads data: URIs and our font files, and nothing from anywhere else."""
    from weasyprint import urls

    def refuse(url: str) -> None:
        if not (url.startswith("data:") or url in font_urls):
            raise ValueError(f"a report must be self-contained; refusing to fetch {url[:100]!r}")

    if hasattr(urls, "URLFetcher"):  # class-based fetchers of recent WeasyPrint

        class LocalFetcher(urls.URLFetcher):
            def fetch(self, url, headers=None):
                refuse(url)
                return super().fetch(url, headers)

        return LocalFetcher(allowed_protocols={"data", "file"})

    def fetch(url, *args, **kwargs):
        refuse(url)
        return urls.default_url_fetcher(url, *args, **kwargs)

    return fetch


def _as_notebook(nb) -> nbformat.NotebookNode:
    if isinstance(nb, str | Path):
        return nbformat.read(str(nb), as_version=4)
    if isinstance(nb, nbformat.NotebookNode):
        return nb
    return nbformat.from_dict(nb)


def _resources(nb, source: Any = None) -> dict:
    name = "notebook"
    path = "."
    if isinstance(source, str | Path):
        name = Path(source).stem
        path = str(Path(source).resolve().parent)
    elif nb.metadata.get("papermill", {}).get("output_path"):
        name = Path(nb.metadata["papermill"]["output_path"]).stem
    return {"metadata": {"name": name, "path": path}}


class ReportExporter:
    """One per worker; keeps nbconvert's template and WeasyPrint's fonts loaded across reports.

    >>> exporter = ReportExporter()
    >>> page = exporter.html(nb, run_info={"parameters": {"period": "2022-H1"}})  # doctest: +SKIP
    >>> pdf = exporter.pdf(page)  # doctest: +SKIP
    """

    def __init__(self, font: PdfFont | None = None):
        # optimistic_validation: the notebook is validated once after the preprocessors, not after each of them
        # (a third of the page's time; the same page).
        self._exporter = HTMLExporter(
            template_name=TEMPLATE_NAME,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            optimistic_validation=True,
        )
        self.font = font or pdf_font()
        self._weasy: tuple[Any, Any, Any] | None = None
        self._page_sheets: dict[str, Any] = {}
        self._word: Any = None

    def html(self, nb, run_info: dict | None = None) -> str:
        """The shareable page: ``<html lang="vi">`` with the Nghị định 30 header, body, signature block and the
        "Thông tin kỳ báo cáo" section; no code, no script, no external URL.

        ``nb`` is a NotebookNode, a dict or a path; ``run_info`` = {"parameters", "secret", "generated_at",
        "version"}.
        """
        node = _as_notebook(nb)
        resources = _resources(node, nb)
        if run_info is not None:
            resources["reportkit_run_info"] = run_info
        body, _ = self._exporter.from_notebook_node(node, resources=resources)
        return nfc(body)

    def article(self, nb) -> str:
        """The report body only, as clean HTML for a CMS (no classes, styles, header, signature or "./.").

        E.g. ``<h2>I. KẾT QUẢ ĐẠT ĐƯỢC</h2>\\n<p>Mặt trận phường đã cử 11 lượt cán bộ …</p>``.
        """
        node = copy.deepcopy(_as_notebook(nb))
        resources = _resources(node, nb)
        resources["reportkit_end_mark"] = False
        node, resources = ReportPreprocessor().preprocess(node, resources)
        body = [cell.metadata["reportkit"]["html"] for cell in node.cells]
        return article_fragment("\n".join([*body, *resources["reportkit"]["appendix"]]))

    def _weasyprint(self):
        if self._weasy is None:
            from weasyprint import CSS
            from weasyprint.text.fonts import FontConfiguration

            font_config = FontConfiguration()
            family = self.font.css_family
            css = (
                f"{self.font.font_face_css()}\n"
                f'*{{font-family:"{family}" !important}}\n'
                f'@page{{@top-center{{font-family:"{family}"}}}}\n'
            )
            fetcher = _local_fetcher({p.resolve().as_uri() for p in self.font.files.values()})
            self._weasy = (
                font_config,
                CSS(string=css, font_config=font_config, url_fetcher=fetcher),
                fetcher,
            )
            # WeasyPrint copies the @font-face files into a temporary folder that only its FontConfiguration's
            # __del__ removes, which never runs for an object alive when the interpreter exits: one 1.5 MB
            # folder left in /tmp by every process that made a PDF. Removed at exit instead.
            folder = getattr(font_config, "_folder", None)
            if folder is not None:
                weakref.finalize(self, shutil.rmtree, str(folder), ignore_errors=True)
        return self._weasy

    def _page_css(self, html: str) -> tuple[str, list]:
        """The page's own ``<style>`` as a parsed ``CSS`` kept across reports (every report of a batch carries
        the same one; parsing it is a tenth of a PDF's time), and the page without it.

        The parsed sheet goes first in ``stylesheets``, where the ``<style>`` element was in the cascade.
        """
        match = _STYLE.search(html)
        if match is None or _STYLE.search(html, match.end()) is not None:
            return html, []
        from weasyprint import CSS

        font_config, _, fetcher = self._weasyprint()
        text = match.group(1)
        if text not in self._page_sheets:
            if len(self._page_sheets) >= 8:
                self._page_sheets.clear()
            self._page_sheets[text] = CSS(string=text, font_config=font_config, url_fetcher=fetcher)
        return html[: match.start()] + html[match.end() :], [self._page_sheets[text]]

    def pdf(
        self, html: str, record: Mapping | str | None = None, *, attachment_name: str | None = None
    ) -> bytes:
        """A4 PDF/A-3b in the Nghị định 30 layout from :meth:`html`'s page, tagged (headings, paragraphs, tables
        with header cells, the chart's alt text), language and title from the page; checks the glyphs first
        (``GlyphError``).

        ``record`` (the report record, or its JSON text as the sidecar holds it) is embedded as an attached file
        (AFRelationship Data) named ``attachment_name`` (default "report-<period>.json"), so the figures can be
        read back from the PDF alone (:func:`reportkit.export.archive.embedded_record`).
        """
        from weasyprint import HTML, Attachment

        self.font.check(visible_text(html))
        font_config, css, fetcher = self._weasyprint()
        page, sheets = self._page_css(no_break_spaces(html))
        rendered = HTML(string=page, url_fetcher=fetcher).render(
            stylesheets=[*sheets, css], font_config=font_config
        )
        attachments = []
        if record is not None:
            text = record if isinstance(record, str) else report.dumps(record)
            if attachment_name is None:
                parsed = report.loads(text, "record")
                period = str((parsed.get("document") or {}).get("period") or "").replace("/", "-")
                attachment_name = f"report-{period}.json" if period else "report.json"
            # Attachments are stamped with the one clock (SOURCE_DATE_EPOCH: the same bytes every build).
            moment = clock.now().astimezone(dt.UTC).replace(tzinfo=None)
            attachments.append(
                Attachment(
                    string=text,
                    url_fetcher=fetcher,
                    name=attachment_name,
                    description="Số liệu của báo cáo (hồ sơ báo cáo dạng JSON)",
                    relationship="Data",
                    created=moment,
                    modified=moment,
                )
            )
        return rendered.write_pdf(
            pdf_variant=PDF_VARIANT, pdf_tags=True, attachments=attachments, finisher=_one_af_entry_per_file
        )

    def docx(self, nb, template: Path | str | None = None) -> bytes:
        """The editable Word file in the Nghị định 30 layout, from the notebook's report record and content (never
        from the HTML page). ``template``: a reference .docx whose styles it takes (default: the shipped one; see
        :func:`reportkit.export.docx.template_for`)."""
        from reportkit.export.docx import WordBuilder

        node = _as_notebook(nb)
        source = _resources(node, nb)["metadata"]["name"]
        record = report.read(node, source=source)
        raise_on_errors(node, source)
        if self._word is None:
            self._word = WordBuilder()
        return self._word.build(record, content.blocks(node), template)

    @staticmethod
    def report_record(nb) -> dict:
        """The merged report record of ``nb`` (see :func:`reportkit.core.record.read`)."""
        return report.read(_as_notebook(nb))


def _one_af_entry_per_file(document, pdf) -> None:
    """WeasyPrint lists each attachment twice in the catalog's /AF (from the name tree and from the file
    specifications); an archive's validator wants each file specification once."""
    entries = pdf.catalog.get("AF")
    if entries:
        unique = list(dict.fromkeys(entries))
        entries.clear()
        entries.extend(unique)
