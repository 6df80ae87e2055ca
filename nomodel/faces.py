"""Only the bundled faces are drawn: no bold, italic or oblique faked by the font machinery.

WeasyPrint has no ``font-synthesis: none`` (CSS Fonts 4) and leaves the choice of a face to
Fontconfig, whose usual rules (``90-synthetic.conf`` on Debian) fake a bold or an oblique for
a family that lacks it: bold text with an emoji then asks Symbola, which has one face, for a
"Symbola-Bold-Oblique" that no file provides. The stylesheet asks for no missing face where it
can (bold inside italic), and the rule below takes back, after the machine's rules, what they
faked for any other case: the face drawn and named in the PDF is the file's own.
"""

from __future__ import annotations

from weasyprint.text.fonts import FontConfiguration

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

    def __init__(self) -> None:
        super().__init__()
        add_fontconfig_rules(self, NO_SYNTHESIS)
