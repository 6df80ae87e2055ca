"""One WeasyPrint layout of the booklet; every PDF output is derived from it."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from weasyprint import CSS, HTML, Document, Page
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .faces import with_faces
from .fetch import MAX_FILE_BYTES, REMOTE_SCHEMES, Refused, ResourcePolicy, checked_content
from .project import Theme

# The colophon and back cover close the booklet: padding pages go before them.
CLOSING_ANCHOR = "colophon"
CMYK_PROFILE = "color/FOGRA39L-coated.icc"  # in styles/: a project may give its print shop's


@dataclass(frozen=True)
class LayoutOptions:
    bleed_mm: float = 3.0  # laid out for every build; the plain outputs are cut at the trim
    pdf_variant: str | None = None
    pad: bool = True  # to a multiple of 4 pages (not for proofs)


class SandboxedFetcher(URLFetcher):
    """Reads what the policy allows; refuses and remembers the rest, so that the build can
    fail with a clear message instead of leaving a hole in the PDF. With a ``theme``, a
    file of the theme's folders is read from the project when it has one, else from the
    bundled theme (project.Theme.locate)."""

    def __init__(self, policy: ResourcePolicy, theme: Theme | None = None) -> None:
        super().__init__(allowed_protocols=("file", "data", *REMOTE_SCHEMES))
        self.policy = policy
        self.theme = theme
        self.refused: dict[str, str] = {}  # URL → reason

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if self.theme:
            url = self.theme.locate(url)
        try:
            if urlsplit(url).scheme.lower() in REMOTE_SCHEMES:
                return self._remote(url, headers)
            # Read here, from the path the policy checked: never by WeasyPrint's opener.
            resource = self.policy.read(url)
        except Refused as refused:
            self.refused[url] = str(refused)
            raise PermissionError(f"{url} {refused}") from None
        headers = {"Content-Type": resource.mime_type}
        return URLFetcherResponse(resource.url, resource.data, headers=headers)

    def _remote(self, url: str, headers: dict | None) -> URLFetcherResponse:
        if reason := self.policy.refusal(url):
            raise Refused(reason)
        response = super().fetch(url, headers)
        try:
            data = response.read(MAX_FILE_BYTES + 1)
        finally:
            response.close()
        if len(data) > MAX_FILE_BYTES:
            raise Refused(f"is larger than {MAX_FILE_BYTES // 2**20} MB")
        data, _ = checked_content(data, self.policy)
        return URLFetcherResponse(response.url, data, response.headers)


def lay_out(html: str, base_url: Path, options: LayoutOptions, fetcher: URLFetcher) -> Document:
    """Lays the booklet out once, padded to a multiple of 4 pages for saddle stitching.

    The pages carry the bleed (backgrounds are painted into it), so that the print-shop
    PDF and the plain one come from this same layout (trim.py). Every resource is
    read through ``fetcher``; ``base_url`` is the content folder."""
    stylesheets = [CSS(string=f"@page {{ bleed: {options.bleed_mm}mm }}")]
    color_profiles: dict = {}  # filled by the @color-profile rule below, read by WeasyPrint
    if options.pdf_variant and options.pdf_variant.startswith("pdf/x"):
        # PDF/X needs a CMYK output intent; WeasyPrint takes it from this profile.
        cmyk = Theme.of(base_url).file("styles", CMYK_PROFILE)
        profile = (
            f"@color-profile device-cmyk {{ src: url({cmyk.as_uri()});"
            " components: cyan, magenta, yellow, black }"
        )
        stylesheets.append(CSS(string=profile, color_profiles=color_profiles, url_fetcher=fetcher))
    page = HTML(string=html, base_url=str(base_url), url_fetcher=fetcher)
    document = with_faces(
        lambda faces: page.render(
            font_config=faces,
            color_profiles=color_profiles,
            stylesheets=stylesheets,
            pdf_variant=options.pdf_variant,
        ),
        str(base_url),
    )
    document = without_dead_links(document)
    return pad_to_multiple_of_four(document) if options.pad else document


def without_dead_links(document: Document) -> Document:
    """The document without the internal links whose anchor is on none of its pages: a
    cross-reference to a card left out of an edition is then no link at all (WeasyPrint
    would drop it, logging an error)."""
    pages = document.pages
    anchors = {name for page in pages for name in page.anchors}
    kept = []
    for page in pages:
        links = [link for link in page.links if link[0] != "internal" or link[1] in anchors]
        if len(links) < len(page.links):
            page = copy.copy(page)  # the booklet keeps its own page, links and all
            page.links = links
        kept.append(page)
    return document.copy(kept)


def pad_to_multiple_of_four(document: Document) -> Document:
    missing = -len(document.pages) % 4
    if not missing:
        return document
    pages = list(document.pages)
    at = next((i for i, page in enumerate(pages) if CLOSING_ANCHOR in page.anchors), len(pages))
    pages[at:at] = _blank_pages(document, missing)
    return document.copy(pages)


def _blank_pages(document: Document, count: int) -> list[Page]:
    """Truly blank pages (no running head, no folio) of the booklet's page and bleed size."""
    first = document.pages[0]
    size = f"{first.width}px {first.height}px"
    style = CSS(string=f"@page {{ size: {size}; margin: 0; bleed: {first.bleed['top']}px }}")
    blank = HTML(string="<html><body></body></html>").render(stylesheets=[style])
    return blank.pages * count
