"""Only the bundled faces are drawn: no bold, italic or oblique faked by the font machinery.

WeasyPrint has no ``font-synthesis: none`` (CSS Fonts 4) and leaves the choice of a face to
Fontconfig, whose usual rules (``90-synthetic.conf`` on Debian) fake a bold or an oblique for
a family that lacks it: bold text with an emoji then asks Symbola, which has one face, for a
"Symbola-Bold-Oblique" that no file provides. The stylesheet asks for no missing face where it
can (bold inside italic), and the rule below takes back, after the machine's rules, what they
faked for any other case: the face drawn and named in the PDF is the file's own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from weasyprint import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetchingError, fetch

from .compat import add_fontconfig_rules

# Fontconfig marks a faked bold with "embolden" and a faked oblique with slant "oblique" (no
# bundled file is oblique: they are roman or italic). Every bundled face that lacks a bold is
# of regular weight.
NO_SYNTHESIS = b"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <match target="font">
    <test name="embolden"><bool>true</bool></test>
    <edit name="embolden" mode="assign"><bool>false</bool></edit>
    <edit name="weight" mode="assign"><const>regular</const></edit>
  </match>
  <match target="font">
    <test name="slant"><const>oblique</const></test>
    <edit name="slant" mode="assign"><const>roman</const></edit>
    <edit name="matrix" mode="assign">
      <matrix><double>1</double><double>0</double><double>0</double><double>1</double></matrix>
    </edit>
  </match>
</fontconfig>
"""


class RealFacesOnly(FontConfiguration):
    """WeasyPrint's font configuration with Fontconfig's synthesis undone."""

    def __init__(self, base_url: str = "") -> None:
        super().__init__()
        add_fontconfig_rules(self, NO_SYNTHESIS)
        self.base_url = base_url
        self.faces: dict[str, str] = {}  # each @font-face rule added → sha256 of its files
        self.asked: set[str] = set()  # the rules of the layout under way
        self.used = False  # a layout was made with it
        # A rule's files changed since it was added, or a rule came after a layout: what
        # WeasyPrint keeps here (strut_layouts) was measured without it.
        self.stale = False

    def add_font_face(self, rule_descriptors: dict, url_fetcher: Any) -> Any:
        face = str(rule_descriptors)
        files = _files_sha256(rule_descriptors, url_fetcher)
        self.stale |= self.faces.get(face, None if self.used else files) != files
        self.faces[face] = files
        self.asked.add(face)
        return super().add_font_face(rule_descriptors, url_fetcher)

    def fits(self) -> bool:
        """Whether the layout just made is the one a new configuration would make: it asked
        for the same rules as the layouts before (a face kept from another stylesheet would
        be drawn where a new configuration falls back), their files unchanged."""
        return not self.stale and self.asked == self.faces.keys()


def _files_sha256(rule_descriptors: dict, url_fetcher: Any) -> str:
    """sha256 of the files of a rule's ``src``, read as WeasyPrint reads them (through the
    layout's fetcher, which also records them, as it would have on a new configuration)."""
    digest = hashlib.sha256()
    for kind, url in rule_descriptors.get("src", ()):
        if kind == "external":
            try:
                with fetch(url_fetcher, url) as response:
                    digest.update(hashlib.sha256(response.read()).digest())
            except URLFetchingError:
                digest.update(b"unread")
    return digest.hexdigest()


_kept: RealFacesOnly | None = None  # the font configuration of this process's last layout


def with_faces(render: Callable[[RealFacesOnly], Document], base_url: str) -> Document:
    """``render(font_configuration)``, with the configuration of the previous layout in this
    process when it fits (same folder, same rules, same files), else a new one. A new one
    for each chunk cost 4 ms and 0.2–0.35 MB that Pango and Fontconfig never give back:
    a worker grew from 95 to 177 MB over a 1832-page booklet, and each chunk loaded its
    fonts again."""
    global _kept
    if _kept is None or _kept.base_url != base_url:
        _kept = RealFacesOnly(base_url)
    _kept.asked = set()
    document = render(_kept)
    if not _kept.fits():  # its rules or files changed: laid out again, as new
        _kept = RealFacesOnly(base_url)
        document = render(_kept)
    _kept.used = True
    return document
