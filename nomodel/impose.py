"""Saddle-stitch imposition: the booklet two up on landscape sheets, for office printers."""

from __future__ import annotations

import zlib
from io import BytesIO

import pikepdf
from pikepdf import Array, Dictionary, Name

from .pdf_file import copied_untouched, saved

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


def impose(pdf: bytes, sheet: tuple[float, float] | None = None) -> bytes:
    """One page per printed sheet side (see `saddle_stitch_order`), the two pages meeting
    at the sheet's vertical centre line, where it is folded.

    ``sheet`` is the landscape (width, height) in points; by default, exactly two of the
    first page side by side (the pipeline passes the ISO sheet: two A5s are 296 mm wide,
    A4 is 297 mm).
    A page's extent is its TrimBox (by the PDF rules, the CropBox or MediaBox when it has
    none), so bleed and crop marks stay off the neighbouring page. A page too large for its
    half sheet is scaled down to fit; none is scaled up.

    Each page is drawn as a Form XObject made from the page as it is (its content not
    parsed, its fonts and images copied once), clipped to its BBox, the trim box: 150 times
    faster than merging pages, and nothing outside the trim shows on the other half.
    """
    with pikepdf.open(BytesIO(pdf)) as source, pikepdf.new() as imposed:
        pages = source.pages
        if len(pages) == 0:
            raise ValueError("the PDF has no pages to impose")
        first = pages[0].trimbox
        width, height = sheet or (2 * float(first[2] - first[0]), float(first[3] - first[1]))
        fold = width / 2
        for left, right in saddle_stitch_order(len(pages)):
            side = imposed.add_blank_page(page_size=(width, height))
            xobjects = Dictionary()
            drawing = []
            for name, index in (("/L", left), ("/R", right)):
                if index is None:
                    continue
                page = pages[index]
                trim_left, trim_bottom, trim_right, trim_top = (float(v) for v in page.trimbox)
                page_width, page_height = trim_right - trim_left, trim_top - trim_bottom
                scale = min(1.0, fold / page_width, height / page_height)
                x = fold - scale * page_width if name == "/L" else fold
                y = (height - scale * page_height) / 2
                form = _form(imposed, page)
                form.BBox = Array([trim_left, trim_bottom, trim_right, trim_top])
                xobjects[name] = form
                drawing.append(
                    f"q {scale:.6f} 0 0 {scale:.6f} {x - scale * trim_left:.4f} "
                    f"{y - scale * trim_bottom:.4f} cm {name} Do Q"
                )
            side.Resources = Dictionary(XObject=xobjects)
            if drawing:
                side.Contents = imposed.make_stream("\n".join(drawing).encode())
            else:
                del side.obj.Contents
        if "/Title" in source.docinfo:
            imposed.docinfo.Title = source.docinfo.Title
        # The pages keep whatever they use (transparency, say), so the file keeps its version.
        return saved(imposed, source.pdf_version)


def _form(imposed: pikepdf.Pdf, page: pikepdf.Page) -> pikepdf.Stream:
    """The page as a Form XObject of ``imposed``, as qpdf's ``as_form_xobject`` makes it: its
    content streams joined (a newline between two where what comes before has none at its end),
    deflated as qpdf deflates, its resources and group. qpdf's own is made in the source: its
    first new object there reads every object of the file (the tagged master's structure
    tree, 132 MB at 1832 pages) to number it. WeasyPrint's pages have neither /Rotate nor
    /UserUnit, which qpdf's would turn into a /Matrix."""
    contents = page.obj.get("/Contents")
    streams = [contents] if isinstance(contents, pikepdf.Stream) else list(contents or ())
    data = bytearray()
    for i, stream in enumerate(streams):
        if i and not data.endswith(b"\n"):
            data += b"\n"
        data += stream.read_bytes()
    form = imposed.make_stream(b"")
    form.write(zlib.compress(data), filter=Name.FlateDecode)
    form.Type, form.Subtype = Name.XObject, Name.Form
    for key in ("/Resources", "/Group"):
        if key in page.obj:
            form[key] = copied_untouched(imposed, page.obj[key])
    return form
