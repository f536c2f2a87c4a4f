"""Render an executed report notebook to one self-contained HTML page and an A4 PDF, through nbconvert.

Analysts: ``jupyter nbconvert --to report_html x.ipynb`` or ``--to report_pdf``. The pipeline:
``render_report(notebook, out_dir, basename)``. The title block comes from ``metadata.report``
(``title``, ``subtitle``, ``draft``, and the identity: ``organisation``, ``logo``, ``published``, ``contact``,
``disclaimer``); the contents list from the h2 headings; a markdown cell tagged ``page-break`` starts a new
PDF page. The notebook's cell wrappers are taken away (:func:`flatten_cells`), so a heading and what follows
it are siblings that the print CSS can keep together, and every table gets a box of its own to scroll in on a
narrow screen. The PDF is tagged (PDF/UA-1): headings, tables and figures with their alt text, language.

Each edition is rendered in its language (``metadata.report.language``, set by the report notebook): the
template's words come from the catalogue (``_``), the page's ``lang`` and ``dir`` from the language, and the
title block links to the other editions of the same report (their HTML from the HTML, their PDF from the PDF).

Nothing from the data runs or loads anything: every HTML or Markdown output is cleaned by the allow-list
of :mod:`helpers.publication.safehtml` before it reaches the page, and WeasyPrint may read ``data:`` URIs only (the
page's own embedded figures); a ``file://`` or network address in the page is refused, not fetched.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from string import Formatter
from typing import Any
from urllib.parse import unquote

import nbformat
from bs4 import BeautifulSoup
from nbconvert import HTMLExporter
from nbconvert.filters.strings import add_anchor
from nbconvert.preprocessors import Preprocessor
from traitlets import Bool, default

from helpers import config
from helpers.config import Configuration
from helpers.errors import NotebookErrorOutput
from helpers.publication import language as languages
from helpers.publication.language import N_, _
from helpers.publication.safehtml import clean, markdown_html

TEMPLATES_DIR = Path(__file__).parent / "templates"
TABLE_LABEL = N_("Table: {columns}")  # a table's scroll box, named for a screen reader
TABLE_UNNAMED = N_("Table")
PAGE_COUNTER = N_("Page {page} of {pages}")  # every PDF page's foot


class RejectErrorsPreprocessor(Preprocessor):
    """Refuse a notebook with an error output."""

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                raise NotebookErrorOutput(f"cell {index} failed with {output.ename}: {output.evalue}")
        return cell, resources


class ReportMetadataPreprocessor(Preprocessor):
    """Lift ``report`` metadata that a cell's output carries (title, subtitle, draft) into the notebook's."""

    def preprocess(self, nb, resources):
        found = {}
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                meta = output.get("metadata", {})
                for candidate in [meta, *(v for v in meta.values() if isinstance(v, Mapping))]:
                    found.update(candidate.get("report", {}))
        if found:
            nb.metadata["report"] = {**found, **nb.metadata.get("report", {})}
        return nb, resources


class DropStderrPreprocessor(Preprocessor):
    """Drop stderr streams (warnings, logging, progress bars): they are for the analyst, not the reader."""

    def preprocess_cell(self, cell, resources, index):
        if "outputs" in cell:
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
        return cell, resources


class SanitizeOutputsPreprocessor(Preprocessor):
    """Clean what code cells display: HTML through the allow-list, Markdown converted here (nbconvert's own
    conversion keeps raw HTML and embeds local files as images), anything else but text and images dropped."""

    kept = ("text/plain", "image/png", "image/jpeg", "image/svg+xml")

    def preprocess_cell(self, cell, resources, index):
        for output in cell.get("outputs", []):
            if "data" not in output:
                continue
            data = output.data
            if "text/html" in data:
                data["text/html"] = clean(data["text/html"])
            elif "text/markdown" in data:
                data["text/html"] = markdown_html(data["text/markdown"])
            for mimetype in [m for m in data if m not in (*self.kept, "text/html")]:
                del data[mimetype]
        return cell, resources


# Notebook scaffolding around outputs and Markdown: taken away, their content stays.
SCAFFOLDING = ("jp-Cell", "jp-Cell-inputWrapper", "jp-Cell-outputWrapper", "jp-InputArea", "jp-OutputArea",
               "jp-OutputArea-child", "jp-RenderedHTMLCommon")


def flatten_cells(html: str) -> str:
    """The page's ``<main>`` as one flow of headings, paragraphs, tiles, tables and figures.

    nbconvert nests each heading three levels deep in its own cell, where ``break-after: avoid`` cannot keep
    it with the next cell; once flat, it can. A cell's tags (``celltag_page-break``) pass to its first element.
    Sections that show nothing are taken away (:func:`drop_empty_sections`).
    """
    soup = BeautifulSoup(html, "html.parser")
    main = soup.find("main")
    if main is None:
        return html
    for node in main.select(".jp-Collapser, .jp-mod-noOutputs, .jp-InputPrompt, .jp-OutputPrompt"):
        node.decompose()
    for node in main.find_all("div", class_=list(SCAFFOLDING)):
        tags = [c for c in node.get("class", []) if c.startswith("celltag_")]
        first = node.find(True)
        if tags and first is not None:
            first["class"] = [*first.get("class", []), *tags]
        node.unwrap()
    drop_empty_sections(main)
    for table in main.find_all("table"):
        scope_headers(table)
        if table.find_parent(class_="table-scroll") is None:
            table.wrap(soup.new_tag("div", attrs={"class": "table-scroll", "role": "region", "tabindex": "0",
                                                  "aria-label": table_label(table)}))
    return str(soup)


def drop_empty_sections(main) -> None:
    """Take away each section (an h2 and what follows it up to the next h2) that shows nothing: no words, no
    picture, no chart. A quarter without items, photos or text for a section prints no heading over nothing, in
    the page, its contents list or the PDF."""
    for heading in main.find_all("h2"):
        content = []
        for sibling in heading.find_next_siblings():
            if sibling.name == "h2":
                break
            content.append(sibling)
        if not any(node.get_text(strip=True) or node.name in SHOWN or node.find(SHOWN) for node in content):
            for node in [heading, *content]:
                node.decompose()


SHOWN = ["img", "svg", "picture", "figure"]  # what says something without words


def scope_headers(table) -> None:
    """``scope`` on every header cell, so a screen reader names a cell by its column and row: ``col`` in the
    head, ``row`` for a row's first cell in the body, ``rowgroup`` for a group heading across the row."""
    for th in table.find_all("th"):
        if th.get("scope"):
            continue
        if th.find_parent("thead") is not None:
            th["scope"] = "col"
        else:
            th["scope"] = "rowgroup" if len(th.find_parent("tr").find_all(["td", "th"])) == 1 else "row"


def table_label(table) -> str:
    """What a screen reader calls a table's scroll box: its caption, else its column headings."""
    caption = table.find("caption")
    if caption is not None and caption.get_text(strip=True):
        return caption.get_text(" ", strip=True)
    heads = [th.get_text(" ", strip=True) for th in table.select("thead th")]
    return _(TABLE_LABEL).format(columns=", ".join(h for h in heads if h)) if any(heads) else _(TABLE_UNNAMED)


def page_counter(pattern: str) -> str:
    """A CSS ``content`` value from a message naming ``{page}`` and ``{pages}``: ``Page {page} of {pages}`` →
    ``"Page " counter(page) " of " counter(pages)``, so each language orders the words its own way."""
    parts = []
    for text, name, _spec, _conversion in Formatter().parse(pattern):
        if text:
            parts.append('"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"')
        if name:
            parts.append(f"counter({'pages' if name == 'pages' else 'page'})")
    return " ".join(parts)


def editions(report: Mapping[str, Any], extension: str, cfg: Configuration) -> list[dict[str, str]]:
    """The other editions of the report a title block links to: language code, label (in its own language:
    ``Türkçe``) and file name (``refugee-response-2022Q4.tr.html``; ``.pdf`` from a PDF)."""
    basename = report.get("basename")
    if not basename:
        return []
    return [{"code": other.code, "label": other.name, "href": f"{basename}{other.suffix}{extension}"}
            for other in languages.languages(cfg) if other.code != report.get("language")]


def add_toc(html: str) -> str:
    """Give each h2 in ``<main>`` a unique id and list them as links in the page's ``<nav class="toc">``.

    A heading displayed by a code cell (a section of :mod:`helpers.publication.report`) first gets the id and
    ``¶`` link nbconvert gives a Markdown heading, so every section's anchor is its title (``#Basic-needs``)."""
    soup = BeautifulSoup(html, "html.parser")
    nav = soup.find("nav", class_="toc")
    if nav is None:
        return html
    for heading in soup.select("main h2:not([id])"):
        anchored = BeautifulSoup(add_anchor(str(heading)), "html.parser").h2
        if anchored is not None:
            heading.replace_with(anchored)
    for anchor in soup.select("a.anchor-link"):  # a pointer for the eye; the contents list serves the rest
        anchor["aria-hidden"] = "true"
        anchor["tabindex"] = "-1"
    headings = soup.select("main h2")
    for heading in headings:  # nbconvert percent-encodes the id ("Temel-ihtiya%C3%A7lar"), which the PDF's links
        if heading.get("id"):  # would look up decoded: the id is the title's own letters ("Temel-ihtiyaçlar")
            heading["id"] = unquote(heading["id"])
            if anchor := heading.find("a", class_="anchor-link"):
                anchor["href"] = f"#{heading['id']}"

    if not headings:
        nav.decompose()
        return str(soup)
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    items = soup.new_tag("ol")
    for number, heading in enumerate(headings, start=1):
        if ids[heading.get("id")] != 1:
            new_id = f"section-{number}"
            while ids[new_id]:
                new_id += "-"
            ids[new_id] += 1
            heading["id"] = new_id
            if anchor := heading.find("a", class_="anchor-link"):
                anchor["href"] = f"#{new_id}"
        link = soup.new_tag("a", href=f"#{heading['id']}")
        link.string = _heading_text(heading)
        item = soup.new_tag("li")
        item.append(link)
        items.append(item)
    nav.append(items)
    return str(soup)


def _heading_text(heading) -> str:
    """The heading's words, without nbconvert's ``¶`` anchor link."""
    words = (s for s in heading.find_all(string=True) if "anchor-link" not in (s.parent.get("class") or []))
    return " ".join("".join(words).split())


def prepare() -> None:
    """Import WeasyPrint ahead of the first PDF (nearly a second; this module brings nbconvert): a run's worker
    processes do it while the report notebooks execute. Without Pango nothing is imported, and
    :func:`html_to_pdf` says why when a PDF is asked for."""
    with contextlib.suppress(ImportError, OSError):
        import weasyprint  # noqa: F401


def html_to_pdf(html: str) -> bytes:
    """Lay the report page out on A4 with WeasyPrint (print CSS of the template); figures stay vector, and the
    PDF is tagged for screen readers (PDF/UA-1: structure, language, figures' alt text, title shown).

    Only ``data:`` URIs are fetched: the page carries its figures and styles inside it, and a reference to a
    local file or the network (an image, a stylesheet, an ``rel=attachment`` link) is refused and logged
    by WeasyPrint. No base URL either: relative links stay relative to where the PDF is published."""
    import weasyprint  # needs Pango at import time; the HTML path must work without it
    from weasyprint.urls import URLFetcher

    return weasyprint.HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf(
        pdf_variant="pdf/ua-1", finisher=scope_pdf_headers)


PDF_SCOPE = {"row": "/Row", "rowgroup": "/Row", "col": "/Column", "colgroup": "/Column"}


def scope_pdf_headers(document, pdf) -> None:
    """Give each tagged header cell (``/TH``) the ``/Scope`` of its HTML ``scope`` (PDF/UA-1 7.5): WeasyPrint
    links data cells to their headers (``/Headers``) but leaves the header cells' own scope out."""
    for page in document.pages:
        for box in page._page_box.descendants():
            mark = getattr(box, "mark", None)
            if mark is None or box.element_tag != "th" or box.element is None:
                continue
            mark["A"]["Scope"] = PDF_SCOPE.get(box.element.get("scope", "col"), "/Column")


class ReportHTMLExporter(HTMLExporter):
    """Notebook → one self-contained page: outputs and narrative only, title block, contents, house style."""

    export_from_notebook = "Report HTML"
    exclude_input = Bool(True, help="Readers see outputs, not code.").tag(config=True)
    exclude_input_prompt = Bool(True, help="No In [ ] prompts.").tag(config=True)
    exclude_output_prompt = Bool(True, help="No Out[ ] prompts.").tag(config=True)
    embed_images = Bool(True, help="Markdown images as data: URIs, so the page stands alone.").tag(
        config=True
    )

    @default("template_name")
    def _template_name_default(self):
        return "report"

    @default("extra_template_basedirs")
    def _default_extra_template_basedirs(self):
        return [str(TEMPLATES_DIR)]

    edition_extension = ".html"  # the other editions linked from the title block
    cfg: Configuration | None = None  # the run's configuration (render_report); None: nbconvert's own command

    def _configuration(self) -> Configuration:
        """The run's configuration; nbconvert's ``--to report_html`` has no run, so the folder in use."""
        return self.cfg or config.current()

    def _create_environment(self):
        environment = super()._create_environment()
        environment.globals["_"] = _  # the template's words, in the language being rendered
        return environment

    def from_notebook_node(self, nb, resources=None, **kw):
        nb, _resources = ReportMetadataPreprocessor().preprocess(nb, {})  # the edition's language, before all
        report = nb.metadata.get("report", {})
        cfg = self._configuration()
        with languages.using(report.get("language") or languages.languages(cfg)[0].code, cfg) as language:
            self.language_code = language.code
            nb.metadata["report"] = {**report, "editions": editions(report, self.edition_extension, cfg)}
            resources = {**(resources or {}), "language_direction": language.direction,
                         "page_counter": page_counter(_(PAGE_COUNTER))}
            html, resources = super().from_notebook_node(nb, resources, **kw)
            return add_toc(flatten_cells(html)), resources


class ReportPDFExporter(ReportHTMLExporter):
    """The same page through WeasyPrint: A4, page numbers, running title, vector figures."""

    export_from_notebook = "Report PDF"
    output_mimetype = "application/pdf"
    edition_extension = ".pdf"

    @default("file_extension")
    def _file_extension_default(self):
        return ".pdf"

    @default("template_extension")
    def _template_extension_default(self):
        return ".html.j2"

    def from_notebook_node(self, nb, resources=None, **kw):
        html, resources = super().from_notebook_node(nb, resources, **kw)
        return html_to_pdf(html), resources


def render_report(
    notebook: Path, out_dir: Path, basename: str, cfg: Configuration,
    report_metadata: Mapping[str, Any] | None = None
) -> tuple[Path, Path]:
    """Write ``<basename>.html`` and ``<basename>.pdf`` into out_dir (``<basename>.tr.html`` and ``.tr.pdf``
    for the Turkish edition: the notebook's ``metadata.report.language``); return their paths.

    ``cfg`` is the run's configuration (its languages); ``report_metadata`` (title, subtitle, draft) overrides
    the notebook's ``metadata.report``.
    """
    notebook = Path(notebook)
    nb, _resources = ReportMetadataPreprocessor().preprocess(nbformat.read(notebook, as_version=4), {})
    nb.metadata["report"] = {**nb.metadata.get("report", {}), **(report_metadata or {}), "basename": basename}
    nb.metadata["report"].setdefault("language", languages.languages(cfg)[0].code)
    name = basename + languages.get(nb.metadata["report"]["language"], cfg).suffix
    resources = {"metadata": {"name": name, "path": str(notebook.parent)}}
    exporter = ReportHTMLExporter()
    exporter.cfg = cfg
    html, _resources = exporter.from_notebook_node(nb, resources)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, pdf_path = out_dir / f"{name}.html", out_dir / f"{name}.pdf"
    html_path.write_text(html, encoding="utf-8")
    pdf_path.write_bytes(html_to_pdf(for_paper(html)))
    return html_path, pdf_path


def for_paper(html: str) -> str:
    """The page as the PDF is made from it: the links to the other editions point at their PDFs."""
    soup = BeautifulSoup(html, "html.parser")
    for link in soup.select("a.edition-link[href], link[rel=alternate][href]"):
        if link["href"].endswith(".html"):
            link["href"] = link["href"].removesuffix(".html") + ".pdf"
    return str(soup)
