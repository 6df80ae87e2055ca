"""Saddle-stitch imposition: the booklet two up on landscape sheets, for office printers."""

from __future__ import annotations

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    ContentStream,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    StreamObject,
)

Side = tuple[int | None, int | None]


def saddle_stitch_order(page_count: int) -> list[Side]:
    """The (left, right) 0-based source pages of each printed sheet side, in print order:
    sheet 1 front, sheet 1 back, sheet 2 front, …; ``None`` is a blank half.

    The pages are padded with blanks at the end to n, a multiple of 4. Sheet i (from 0, the
    outermost) has front (n-1-2i, 2i) and back (2i+1, n-2-2i): folded, the right half of the
    outer sheet's front is the cover and its left half the back cover. Printed duplex with
    "flip on the short edge", a landscape sheet's back reads upright once the sheet is turned
    over about its vertical fold, like a book's page, so no side is rotated and the back's
    left half lies behind the front's right half: page 2 behind page 1, page n-1 behind page
    n. Each next sheet nests inside, two pages further in from each end. Stacked in print
    order (the first sheet outside, as it lies at the bottom of a face-down tray) and folded,
    the booklet reads 1, 2, 3 …
    """
    if page_count < 1:
        raise ValueError(f"a booklet needs at least one page, got {page_count}")
    n = -(-page_count // 4) * 4

    def page(index: int) -> int | None:
        return index if index < page_count else None

    order: list[Side] = []
    for i in range(n // 4):
        order.append((page(n - 1 - 2 * i), page(2 * i)))
        order.append((page(2 * i + 1), page(n - 2 - 2 * i)))
    return order


def impose(source: PdfReader, sheet: tuple[float, float] | None = None) -> PdfWriter:
    """One page per printed sheet side (see `saddle_stitch_order`), the two pages meeting
    at the sheet's vertical centre line, where it is folded.

    ``sheet`` is the landscape (width, height) in points; by default, exactly two of the
    first page side by side (the pipeline passes the ISO sheet: two A5s are 296 mm wide,
    A4 is 297 mm).
    A page's extent is its TrimBox (by the PDF rules, the CropBox or MediaBox when it has
    none), so bleed and crop marks stay off the neighbouring page. A page too large for its
    half sheet is scaled down to fit; none is scaled up.
    """
    pages = source.pages
    if len(pages) == 0:
        raise ValueError("the PDF has no pages to impose")
    first = pages[0].trimbox
    width, height = sheet or (2 * float(first.width), float(first.height))
    fold = width / 2

    writer = PdfWriter()
    # The pages keep whatever they use (transparency, say), so the file keeps its PDF version.
    writer.pdf_header = source.pdf_header
    for left, right in saddle_stitch_order(len(pages)):
        side = writer.add_blank_page(width, height)
        resources = side["/Resources"]
        assert isinstance(resources, DictionaryObject)  # add_blank_page makes one
        xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject())
        drawing = []
        for name, index in (("/L", left), ("/R", right)):
            if index is None:
                continue
            page = pages[index]
            trim = page.trimbox
            page_width, page_height = float(trim.width), float(trim.height)
            scale = min(1.0, fold / page_width, height / page_height)
            x = fold - scale * page_width if name == "/L" else fold
            y = (height - scale * page_height) / 2
            xobjects[NameObject(name)] = _as_form(page, writer)
            drawing.append(
                f"q {scale:.6f} 0 0 {scale:.6f} {x - scale * float(trim.left):.4f} "
                f"{y - scale * float(trim.bottom):.4f} cm {name} Do Q"
            )
        if drawing:
            contents = ContentStream(None, None)
            contents.set_data("\n".join(drawing).encode())
            side.replace_contents(contents)

    title = source.metadata.title if source.metadata else None
    if title:
        writer.add_metadata({"/Title": title})
    return writer


def _as_form(page: PageObject, writer: PdfWriter) -> IndirectObject:
    """The page as a Form XObject in ``writer``, drawn later with one ``Do``.

    Copying the page's content as it is was 150 times faster on a WeasyPrint booklet than
    pypdf's `merge_transformed_page`, which parses and rewrites every content stream and
    renames resources, and the file 12 times smaller. The form's BBox is the trim box, and
    a form is clipped to its BBox, so nothing outside the trim shows on the other half.
    """
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    if isinstance(contents, StreamObject):
        # A single stream keeps its compressed bytes: no inflating and deflating again.
        form = contents.clone(writer, force_duplicate=True)
    else:
        concatenated = DecodedStreamObject()
        content = page.get_contents()
        concatenated.set_data(content.get_data() if content is not None else b"")
        form = concatenated.flate_encode()
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(FloatObject(v) for v in page.trimbox),
        }
    )
    # Fonts and images shared by several pages are copied once: pypdf remembers what it cloned.
    for key in ("/Resources", "/Group"):
        if key in page:
            form[NameObject(key)] = page.raw_get(key).clone(writer)
    # pypdf has no public call to add a new indirect object; a stream must be indirect.
    return writer._add_object(form)
