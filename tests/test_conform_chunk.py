"""A chunk's structure fixed where it was written, its headings numbered by the merge."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pikepdf
import weasyprint
from pikepdf import Name

from nomodel.conformance import conform_chunk, heading_element, number_headings

FONTS = Path(__file__).parent.parent / "styles" / "fonts"
# Levels as a project's own template might write them: none at 1, gaps, and a heading
# inside a list item, deeper in the tree than the others.
HTML = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Titres</title><style>
@font-face { font-family: Old; src: url(OldStandard-Regular.ttf) }
html { font: 11pt Old } @page { size: A6 } .next { break-before: page }
</style></head><body>
<h2>Section</h2><p>Texte.</p>
<h4>Sous-partie sans parent</h4><p>Texte.</p>
<ul><li><h3>Dans une liste</h3><p>Point.</p></li></ul>
<h2 class="next">Autre section</h2>
<h5>Très profond</h5>
</body></html>"""


def test_headings_found_by_path_and_numbered_without_gaps() -> None:
    tagged = weasyprint.HTML(string=HTML, base_url=f"{FONTS}/").write_pdf(pdf_variant="pdf/ua-1")
    fixed, headings = conform_chunk(tagged)
    assert [level for _, level in headings] == [2, 4, 3, 2, 5]
    with pikepdf.open(BytesIO(fixed)) as document:
        (top_document,) = list(document.Root.StructTreeRoot.K)
        top = list(top_document.K)
        elements = [(heading_element(top, path), level) for path, level in headings]
        assert [str(element.S) for element, _ in elements] == ["/H2", "/H4", "/H3", "/H2", "/H5"]
        assert max(len(path) for path, _ in headings) > 1  # the one in the list item
        number_headings(elements)
        assert [element.S for element, _ in elements] == [
            Name.H1,
            Name.H2,
            Name.H2,
            Name.H1,
            Name.H2,
        ]


def test_an_untagged_chunk_comes_back_as_it_was() -> None:
    plain = weasyprint.HTML(string=HTML, base_url=f"{FONTS}/").write_pdf()
    assert conform_chunk(plain) == (plain, [])
