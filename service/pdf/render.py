"""HTML → PDF with WeasyPrint, the only module that imports it (lazily, on the first PDF).

WeasyPrint gets a deny-by-default URL fetcher: it serves the packaged stylesheet, fonts and images under
templates/pdf/ and refuses every other URL (http, data:, file outside the package, anything else). After
layout, links that would embed files are dropped and the metadata is set here, so the output carries no
attachment and no author but the service.

Every PDF is tagged PDF/UA-1: WeasyPrint writes the structure tree (headings, tables, lists, figures with the
SVG's <title> as /Alt), the document's language from <html lang> and its title; `_header_scopes` adds the
/Scope of each table header cell, which WeasyPrint leaves out.
"""

from __future__ import annotations

import atexit
import gc
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

from service.domain.errors import Unavailable
from service.pdf.documents import PDF_ROOT

ALLOWED_SUFFIXES = {".css": "text/css", ".ttf": "font/ttf", ".png": "image/png", ".svg": "image/svg+xml"}
STYLESHEET = PDF_ROOT / "summary.css"
GENERATOR = "Review cycles service"
PDF_VARIANT = "pdf/ua-1"  # tagged for assistive technology; about 7 % more render time (docs/ARCHITECTURE.md)

_lock = threading.Lock()  # WeasyPrint's font configuration is shared between renders: one at a time
_cache: dict[str, Any] = {}


class Refused(ValueError):
    """A URL the renderer may not fetch."""


def packaged_file(url: str) -> Path:
    """The packaged file a URL names, or Refused: only file: URLs of allowed types under templates/pdf/."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost") or parts.query:
        raise Refused(f"refused {url[:80]!r}: only packaged files are served")
    path = Path(unquote(parts.path)).resolve()
    root = PDF_ROOT.resolve()
    if root not in path.parents or path.suffix.lower() not in ALLOWED_SUFFIXES or not path.is_file():
        raise Refused(f"refused {url[:80]!r}: not a packaged stylesheet, font or image")
    return path


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PackagedOnly(URLFetcher):
        """Serves packaged files; records and refuses everything else."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            try:
                path = packaged_file(url)
            except Refused:
                self.refused.append(url)
                raise
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": ALLOWED_SUFFIXES[path.suffix.lower()]}
            )

    return PackagedOnly


def _shared() -> dict[str, Any]:
    """Parsed once per process: the stylesheet and the fonts it declares (most of a render's fixed cost)."""
    if not _cache:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fetcher = _fetcher_class()()
        fonts = FontConfiguration()
        _cache["fetcher_class"] = _fetcher_class()
        _cache["fonts"] = fonts
        _cache["css"] = CSS(filename=str(STYLESHEET), url_fetcher=fetcher, font_config=fonts)
        # Let the font configuration go before the interpreter tears WeasyPrint's modules down.
        atexit.register(_cache.clear)
    return _cache


def _document_class(user_agent: Path | None, xhtml: bool = False) -> Any:
    """WeasyPrint's HTML class, or one that takes the packaged stylesheet `user_agent` as its user-agent sheet
    and, with `xhtml`, reads pages with the XML parser.

    A document whose elements are all known (a summary) renders faster with a user-agent sheet naming only
    them; WeasyPrint asks `_ua_stylesheets` for it on every render (tests/pdf pin that it still does).
    """
    from weasyprint import HTML

    if user_agent is None and not xhtml:
        return HTML
    key = f"ua:{user_agent}:{xhtml}"
    if key not in _cache:
        _cache[key] = _define_document_class(user_agent, xhtml)
    return _cache[key]


def _define_document_class(user_agent: Path | None, xhtml: bool) -> Any:
    import cssselect2
    from weasyprint import CSS, HTML

    sheet = None
    if user_agent is not None:
        fetcher = _shared()["fetcher_class"]()
        sheet = CSS(filename=str(packaged_file(user_agent.as_uri())), url_fetcher=fetcher)

    class PackagedDocument(HTML):
        def __init__(self, string: str, base_url: str, url_fetcher: Any) -> None:
            root = well_formed_tree(string) if xhtml else None
            if root is None:  # not XML: WeasyPrint's HTML5 parser takes it, as it takes any page
                super().__init__(string=string, base_url=base_url, url_fetcher=url_fetcher)
                return
            # What HTML.__init__ sets after parsing (tests/pdf pin that the two ways agree).
            self.base_url = base_url
            self.url_fetcher = url_fetcher
            self.media_type = "print"
            self.wrapper_element = cssselect2.ElementWrapper.from_html_root(root, content_language=None)
            self.etree_element = self.wrapper_element.etree_element

        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [sheet] if sheet is not None else super()._ua_stylesheets(forms)

    return PackagedDocument


_DOCTYPE = re.compile(r"\A\s*<!DOCTYPE html>", re.IGNORECASE)
SVG_NS = "http://www.w3.org/2000/svg"
SVG = f"{{{SVG_NS}}}svg"
XMLNS = "{http://www.w3.org/2000/xmlns/}xmlns"


def well_formed_tree(html: str) -> Any | None:
    """The element tree of `html` when it is well-formed XML, else None.

    The summary template is written as XHTML (void elements closed, every value escaped, no whitespace between
    tags), so expat reads it in about a millisecond where the HTML5 parser takes twenty, into the same tree
    (tests/pdf compare the two on every demo review). Text that XML forbids (control characters) sends a page
    to the HTML5 parser. User text is escaped, so it cannot add a DOCTYPE or entities of its own.
    """
    try:
        root = ElementTree.fromstring(_DOCTYPE.sub("", html, count=1))  # noqa: S314 (our template, escaped text)
    except ElementTree.ParseError:
        return None
    for svg in root.iter(SVG):  # the HTML5 parser keeps an inline SVG's namespace declaration as an attribute
        svg.set(XMLNS, SVG_NS)
    return root


def render_pdf(
    html: str, title: str, refused: list[str] | None = None, user_agent: Path | None = None, xhtml: bool = False
) -> bytes:
    """A PDF of `html`, titled `title`; URLs the page asked for and was refused are appended to `refused`.

    `user_agent`, a packaged stylesheet, replaces WeasyPrint's own user-agent stylesheet for this document.
    `xhtml` says the page is written as XHTML whose XML tree is the one the HTML5 parser would build: it is read
    by the XML parser when well-formed.
    """
    try:
        import weasyprint  # noqa: F401
    except ImportError as exc:  # only the PDF function has WeasyPrint: API Gateway routes PDFs there
        raise Unavailable("PDFs are made by the PDF function; this one cannot make them") from exc

    with _lock, _collector_paused():
        shared = _shared()
        fetcher = shared["fetcher_class"]()
        document = _document_class(user_agent, xhtml)(
            string=html, base_url=PDF_ROOT.as_uri() + "/", url_fetcher=fetcher
        ).render(stylesheets=[shared["css"]], font_config=shared["fonts"])
        _strip(document, title)
        pdf = document.write_pdf(pdf_variant=PDF_VARIANT, finisher=_header_scopes)
        if refused is not None:
            refused.extend(fetcher.refused)
    return pdf


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a PDF is made; it runs again as soon as the PDF is done.

    A render allocates tens of thousands of short-lived boxes, which would set off collections that walk the
    whole heap (the function's boto3, the app, WeasyPrint itself) several times per page. What one render
    leaves behind is collected after it, so a worker rendering hundreds of summaries does not grow.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _strip(document: Any, title: str) -> None:
    """No embedded files and no identities in the metadata, whatever the HTML asked for."""
    meta = document.metadata
    meta.title = title
    meta.authors = []
    meta.description = None
    meta.keywords = []
    meta.generator = GENERATOR
    meta.attachments = []
    meta.custom = {}
    meta.xmp_metadata = []
    meta.created = meta.modified = None
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]


def _header_scopes(document: Any, pdf: Any) -> None:
    """Each TH of the structure tree says which cells it heads: /Column in a table's head, /Row in its body.

    The templates write <th scope="col"> in <thead> and <th scope="row"> in <tbody> (tests/pdf check both), the
    same rule; WeasyPrint links each TD to its headers but leaves /Scope out, which PDF/UA checkers expect.
    """
    objects = pdf.objects

    def parent(element: Any) -> Any:
        return objects[int(element["P"].split()[0])]

    for element in objects:
        if isinstance(element, dict) and element.get("S") == "/TH":
            section = parent(parent(element)).get("S")  # TH → TR → THead, TBody or TFoot (or the Table)
            element["A"]["Scope"] = "/Column" if section == "/THead" else "/Row"
