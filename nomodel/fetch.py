"""The only way a build reads a resource: files of the project, never the machine's others,
never the network unless asked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from urllib.request import url2pathname

MAX_DATA_URL = 1_000_000  # characters: a data: URL is inline content, not a way to smuggle files
REMOTE_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class ResourcePolicy:
    """Which resources a build may read: files under ``roots`` (after ``..`` and symbolic
    links are resolved), small data: URLs, and http(s) only when ``allow_remote``."""

    roots: tuple[Path, ...]
    allow_remote: bool = False

    def refusal(self, url: str) -> str | None:
        """Why the absolute ``url`` may not be read, or None when it may."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "file":
            path = Path(url2pathname(unquote(parts.path))).resolve()
            if any(path.is_relative_to(root.resolve()) for root in self.roots):
                return None
            return "is outside the content folder"
        if scheme == "data":
            return None if len(url) <= MAX_DATA_URL else "is a data: URL larger than 1 MB"
        if scheme in REMOTE_SCHEMES:
            return None if self.allow_remote else "is on the network (--allow-remote fetches it)"
        return f'uses the "{scheme}" scheme, which is not read' if scheme else "is not a URL"

    def refused_resources(self, html: str, base_url: str) -> list[tuple[str, str]]:
        """(URL as written, reason) for each resource of an HTML fragment that WeasyPrint
        would load and this policy refuses; relative URLs count from ``base_url``."""
        if not _MAY_LOAD.search(html):
            return []  # nothing that could load a resource: no need to parse
        finder = _ResourceFinder()
        finder.feed(html)
        found = ((url, self.refusal(urljoin(base_url, url))) for url in finder.urls)
        return [(url, reason) for url, reason in found if reason]


# url(…) and @import "…" in CSS, quoted or not.
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I | re.S)
# Every attribute or element below that loads something has one of these in its name.
_MAY_LOAD = re.compile(r"src|data|poster|href|style", re.I)
# Attributes WeasyPrint loads from; a plain <a href> is a link, not a resource.
_LOADED = {"src", "data", "poster", "xlink:href"}


class _ResourceFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        rel = values.get("rel", "").lower().split()
        for name, value in values.items():
            loaded = name in _LOADED or (
                name == "href" and (tag in ("link", "image", "use") or "attachment" in rel)
            )
            if loaded and value:
                self.urls.append(value.strip())
        self._css(values.get("style", ""))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data)

    def _css(self, css: str) -> None:
        for match in _CSS_URL.finditer(css):
            url = match[2] if match[2] is not None else match[4]
            if url:
                self.urls.append(url.strip())
