"""Workarounds of the dependencies' limitations, all in one place.

Each names the upstream limitation it works around; tests/test_compat.py fails loudly when a
dependency changes under one of them, so that it is revisited (or dropped) on upgrade.
Every nomodel process imports this module first (``nomodel/__init__.py``), without WeasyPrint:
WeasyPrint is imported by the functions that need it, its C libraries opened the quick way
(``find_libraries_quickly``).
"""

from __future__ import annotations

import contextlib
import copy
import ctypes.util
import functools
import gc
import importlib.abc
import importlib.machinery
import io
import sys
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING, Any

import cffi
import pydyf
from PIL import Image, ImageCms

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

    import pikepdf
    from weasyprint import HTML, Document, Page
    from weasyprint.formatting_structure.boxes import Box, PageBox
    from weasyprint.layout import LayoutContext
    from weasyprint.pdf.fonts import Font
    from weasyprint.text.fonts import FontConfiguration


# WeasyPrint's module that loads its C libraries as it is imported.
_LIBRARIES_MODULE = "weasyprint.text.ffi"


@contextmanager
def libraries_opened_by_soname() -> Iterator[None]:
    """WeasyPrint (70, ``text/ffi.py``) asks cffi for each of its C libraries by several
    names, Windows' first (``libgobject-2.0-0``), the Linux soname fourth. cffi opens a name
    with a dot as it is, and when that fails asks ``ctypes.util.find_library``, which on
    Linux runs ``ldconfig -p``, then a C compiler and a linker if the machine has them
    (Kozea/WeasyPrint#1125): 16 lookups in vain, 0.13–0.18 s of every start of the build's
    process and of each worker here. Meanwhile, on Linux, that lookup finds nothing: each
    library is opened by its soname, as the lookup's answer would have been. One found under
    another soname than WeasyPrint's (a later HarfBuzz, say) fails the import, which runs
    again as written (``_LibrariesLoader``); but HarfBuzz's subsetter, which WeasyPrint may do
    without, is then not looked for further: fontTools subsets instead, as on a machine
    without it (README, "System packages")."""
    if not sys.platform.startswith("linux"):
        yield
        return
    find_library = ctypes.util.find_library
    ctypes.util.find_library = _found_nowhere
    try:
        yield
    finally:
        ctypes.util.find_library = find_library


def _found_nowhere(name: str) -> None:
    return None


class _LibrariesLoader(importlib.abc.Loader):
    """WeasyPrint's library module run with ``libraries_opened_by_soname``; run again as
    WeasyPrint wrote it if a library is then missing (its message of a failed first try,
    printed, is dropped)."""

    def __init__(self, loader: importlib.abc.Loader) -> None:
        self.loader = loader

    def create_module(self, spec: ModuleSpec) -> ModuleType | None:
        return self.loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        with contextlib.suppress(OSError):
            with libraries_opened_by_soname(), contextlib.redirect_stdout(io.StringIO()):
                self.loader.exec_module(module)
            return
        self.loader.exec_module(module)

    def __getattr__(self, name: str) -> Any:  # get_source, get_filename…: the file's own
        return getattr(self.loader, name)


class _LibrariesFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if name != _LIBRARIES_MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _LibrariesLoader(spec.loader)
        return spec


def find_libraries_quickly() -> None:
    """Makes WeasyPrint's import use ``libraries_opened_by_soname``, if WeasyPrint is not
    imported yet (``nomodel/__init__.py`` calls it, before any module imports WeasyPrint)."""
    if _LIBRARIES_MODULE not in sys.modules and not any(
        isinstance(finder, _LibrariesFinder) for finder in sys.meta_path
    ):
        sys.meta_path.insert(0, _LibrariesFinder())


@contextmanager
def page_references_once() -> Iterator[None]:
    """pydyf (0.13) computes ``PDF.page_references``, a tuple of every page's reference, anew
    on each read, and WeasyPrint (70) reads it once per link, anchor and tagged element
    (``weasyprint/pdf/anchors.py``, ``tags.py``): writing a PDF is quadratic in its pages
    (a 244-page tagged booklet read it 29 600 times, 7 million tuple items, a third of the
    write). Pages are only ever appended, so the tuple is kept while their number stays."""
    computed = pydyf.PDF.page_references

    def page_references(pdf: pydyf.PDF) -> tuple[bytes, ...]:
        count = pdf.pages["Count"]
        cached = pdf.__dict__.get("_nomodel_page_references")
        if cached is None or cached[0] != count:
            cached = (count, computed.fget(pdf))
            pdf.__dict__["_nomodel_page_references"] = cached
        return cached[1]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = computed


@contextmanager
def font_features_freed() -> Iterator[None]:
    """WeasyPrint (70) leaks two Pango objects for every piece of text it lays out in a font
    with OpenType features on (``font-variant-numeric: oldstyle-nums``, the body's here):
    ``Layout.setup`` (``weasyprint/text/line_break.py``) makes a features attribute for its
    cache's ``setdefault`` even when the cache has one, and an attribute list that it never
    unrefs. A process grew by 0.45 MB for each chunk it laid out (60 MB for the 127 chunks of
    a 1832-page booklet). While the block runs, ``setup`` finds no features, and this wrapper
    gives each layout a list of its own, holding its own attribute: the layout frees both."""
    from weasyprint.text import line_break
    from weasyprint.text.ffi import ffi, pango

    setup, features_of = line_break.Layout.setup, line_break.font_features

    def setup_freed(layout: Any, style: Any) -> None:
        setup(layout, style)
        features = features_of(
            *(style[f"font_{name}"] for name in _FEATURE_PROPERTIES),
        )
        if features:
            text = ",".join(f"{key} {value}" for key, value in features.items()).encode()
            attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
            pango.pango_attr_list_insert(attributes, pango.pango_attr_font_features_new(text))
            pango.pango_layout_set_attributes(layout.layout, attributes)  # the layout's ref

    line_break.font_features = lambda *args: {}
    line_break.Layout.setup = setup_freed
    try:
        yield
    finally:
        line_break.Layout.setup, line_break.font_features = setup, features_of


# font_features' parameters, in its order, as ``Layout.setup`` passes them.
_FEATURE_PROPERTIES = (
    "kerning",
    "variant_ligatures",
    "variant_position",
    "variant_caps",
    "variant_numeric",
    "variant_alternates",
    "variant_east_asian",
    "feature_settings",
)


@contextmanager
def pagination_as_artifacts() -> Iterator[None]:
    """While the block runs, a tagged PDF's page margin boxes (running heads, folios) are
    drawn as ``/Artifact <</Type /Pagination>>`` marked content, as PDF/UA-1 (7.8) wants.

    WeasyPrint (70) draws their text as ``/Span`` marked content with an MCID and builds
    structure elements for it that it leaves out of the tree ("included in tree as Artifact,
    but that's only allowed in PDF 2.0", ``weasyprint/pdf/tags.py``): the ParentTree then
    names elements that no reader reaches. Undoing that afterwards meant parsing and
    rewriting every page's content stream (a tenth of a tagged chunk's writing); here a
    margin box is drawn with the page's tags set aside, inside one artifact, and given no
    structure element at all."""
    import weasyprint.draw
    import weasyprint.pdf.tags
    from weasyprint.formatting_structure.boxes import MarginBox

    draw_context = weasyprint.draw.draw_stacking_context
    box_tree = weasyprint.pdf.tags._build_box_tree

    def drawn(stream: Any, context: Any) -> None:
        if stream._tags is None or not isinstance(context.box, MarginBox):
            return draw_context(stream, context)
        tags, stream._tags = stream._tags, None  # no MCID, no nested artifact inside
        stream.begin_marked_content("Artifact", pydyf.Dictionary({"Type": "/Pagination"}))
        try:
            draw_context(stream, context)
        finally:
            stream.end_marked_content()
            stream._tags = tags

    def tree(box: Any, *args: Any) -> Iterator[Any]:
        return iter(()) if isinstance(box, MarginBox) else box_tree(box, *args)

    # Both recurse through their module's global name: patched there, every level is.
    weasyprint.draw.draw_stacking_context = drawn
    weasyprint.pdf.tags._build_box_tree = tree
    try:
        yield
    finally:
        weasyprint.draw.draw_stacking_context = draw_context
        weasyprint.pdf.tags._build_box_tree = box_tree


@contextmanager
def tags_finished(finish: Callable[[pydyf.PDF, int], object]) -> Iterator[None]:
    """While the block runs, ``finish(pdf, first)`` is called on each tagged PDF that
    WeasyPrint writes, right after it builds its structure tree: the tree's objects are
    those from number ``first`` on, and nothing else refers to them but the catalog.

    WeasyPrint (70) builds the tree in ``weasyprint.pdf.tags.add_tags``, which
    ``weasyprint.pdf.generate_pdf`` calls through its own module's name, and has no hook
    there (``write_pdf``'s finisher comes after the PDF variant's objects are added)."""
    import weasyprint.pdf

    add_tags = weasyprint.pdf.add_tags

    def adding(pdf: pydyf.PDF, *args: Any) -> None:
        first = len(pdf.objects)
        add_tags(pdf, *args)
        finish(pdf, first)

    weasyprint.pdf.add_tags = adding
    try:
        yield
    finally:
        weasyprint.pdf.add_tags = add_tags


def laid_out_boxes(page: Page) -> Iterator[Box]:
    """Every box drawn on ``page``, parents before their children.

    WeasyPrint (70) has no public API for the layout of a page: it keeps the boxes in the
    private ``Page._page_box``. The checks that need printed sizes (tables) read them here."""
    boxes: Iterator[Box] = page._page_box.descendants()
    return boxes


def add_fontconfig_rules(font_config: FontConfiguration, rules: bytes) -> None:
    """Adds Fontconfig ``rules`` (XML) to the configuration WeasyPrint lays out with.

    WeasyPrint (70) keeps its Fontconfig configuration in the private
    ``FontConfiguration._config`` and has no public way to add a rule; it adds its own
    @font-face rules there the same way."""
    from weasyprint.text.ffi import ffi, fontconfig, pangoft2

    fontconfig.FcConfigParseAndLoadFromMemory(font_config._config, rules, True)
    pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", font_config.font_map))


def forget_link_annotations(document: Document) -> None:
    """WeasyPrint (70) keeps on each box the link annotation of the last PDF written from
    it, and tags that box with it even when a new PDF drops the link (its target is not in
    the new document: a cross-reference to another card, in a card's PDF). The structure
    tree then points at whatever object has that number in the new file. A chunk's layout
    is written once per variant asked for, so it is reset before each (private
    ``Page._page_box``, ``Box.link_annotation``)."""
    for page in document.pages:
        for box in page._page_box.descendants():
            box.link_annotation = None


@contextmanager
def fixed_document_id(document_id: uuid.UUID) -> Iterator[None]:
    """WeasyPrint (70) gives PDF/X-4 files a random XMP DocumentID (``uuid4()`` in
    ``weasyprint/pdf/metadata.py``), with no option to set it; two builds of the same content
    must be identical, so while the block runs the id is ``document_id`` (derived from what
    identifies the document: write.document_uuid)."""
    import weasyprint.pdf.metadata

    random_uuid = weasyprint.pdf.metadata.uuid4
    weasyprint.pdf.metadata.uuid4 = lambda: document_id
    try:
        yield
    finally:
        weasyprint.pdf.metadata.uuid4 = random_uuid


@contextmanager
def image_size_readable() -> Iterator[None]:
    """Pillow's ``Image.open`` refuses an image over twice ``Image.MAX_IMAGE_PIXELS`` (a
    DecompressionBombError that does not give the size) and takes no limit of its own per
    call: the process-wide limit is lifted while the block reads an image's header, so that
    nomodel can report the size against its own limit (fetch.MAX_PIXELS)."""
    bomb_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None
    try:
        yield
    finally:
        Image.MAX_IMAGE_PIXELS = bomb_limit


# ICC.1:2022 7.2: the header's creation date (bytes 24 to 35) and profile ID (84 to 99).
ICC_DATE = slice(24, 36)
ICC_PROFILE_ID = slice(84, 100)
FIXED_ICC_DATE = bytes.fromhex("07d0 0001 0001 0000 0000 0000")  # 2000-01-01 00:00:00


def srgb_profile() -> bytes:
    """An sRGB ICC profile, the same at every build. LittleCMS, through Pillow's
    ``ImageCms.createProfile``, stamps the profile's header with the clock, and Pillow has no
    way to set that date: it is fixed here (the profile has no ID, which would cover it)."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    assert not any(profile[ICC_PROFILE_ID])  # else the ID would have to be computed again
    profile[ICC_DATE] = FIXED_ICC_DATE
    return bytes(profile)


@dataclass
class KeptLayout:
    """What WeasyPrint laid a document out with, kept to renumber its pages."""

    html: HTML
    context: LayoutContext


@contextmanager
def kept_layouts() -> Iterator[list[KeptLayout]]:
    """WeasyPrint (70) drops its layout context (``LayoutContext``: page styles, running
    strings, page states) once ``Document._render`` returns, and has no way to make a page's
    margin boxes again: the context of each document rendered while the block runs is kept,
    through the name ``layout_document`` that ``weasyprint.document`` calls, for
    ``renumbered``."""
    import weasyprint.document

    kept: list[KeptLayout] = []
    lay_out_document = weasyprint.document.layout_document

    def keeping(html: HTML, root_box: Box, context: LayoutContext, *args: object) -> object:
        kept.append(KeptLayout(html, context))
        return lay_out_document(html, root_box, context, *args)

    weasyprint.document.layout_document = keeping
    try:
        yield kept
    finally:
        weasyprint.document.layout_document = lay_out_document


def renumbered(document: Document, kept: KeptLayout, shift: int, flip: bool) -> Document | None:
    """The pages of ``document`` as if its page counter had started ``shift`` further, and,
    with ``flip``, on the other side (left for right): their margin boxes made again, what
    else they hold moved by the difference of the two sides' margins. None when the other
    side's page area differs in size (the pages would be laid out differently)."""
    from weasyprint.document import Page
    from weasyprint.formatting_structure.boxes import MarginBox
    from weasyprint.layout.background import layout_backgrounds
    from weasyprint.layout.page import make_margin_boxes

    context = kept.context
    if flip and sided(kept):
        return None
    pages = []
    for number, page in enumerate(document.pages, start=1):
        box = page._page_box
        target = _other_side(box, kept) if flip else box
        if target is None:
            return None
        dx = target.content_box_x() - box.content_box_x()
        body = [child for child in box.children if not isinstance(child, MarginBox)]
        for child in body:
            child.translate(dx=dx)
        context.current_page = number  # the running strings are kept by page number
        state = copy.deepcopy(context.page_maker[number][3])
        state[1]["page"][-1] += shift
        target.children = (*body, *make_margin_boxes(context, target, state))
        layout_backgrounds(target, context.get_image_from_uri)
        pages.append(Page(target))
    return document.copy(pages)


def sided(kept: KeptLayout) -> bool:
    """Whether a page break of the layout asks for a side (``break-before: right``…): on
    the other side, it would leave a blank page where it left none, or the reverse."""
    return any(
        next_page["break"] in ("left", "right", "recto", "verso")
        for _, next_page, *_ in kept.context.page_maker
    )


def _other_side(box: PageBox, kept: KeptLayout) -> PageBox | None:
    """A page box like ``box`` on the other side, without children; None when its page area
    is not of the same size and height (as make_page in weasyprint/layout/page.py)."""
    from weasyprint.formatting_structure.boxes import PageBox
    from weasyprint.layout.page import page_height, page_width, set_page_type_computed_styles
    from weasyprint.layout.percent import resolve_percentages

    context = kept.context
    side = "left" if box.page_type.side == "right" else "right"
    page_type = box.page_type._replace(side=side)
    set_page_type_computed_styles(page_type, kept.html, context.style_for)
    style = context.style_for(page_type)
    style["overflow"] = box.style["overflow"]
    other = PageBox(page_type, style)
    resolve_percentages(other, other.style["size"])
    other.position_x = other.position_y = 0
    page_width(other, context, other.style["size"][0])
    page_height(other, context, other.style["size"][1])
    same = (other.width, other.height, other.content_box_y(), other.margin_width()) == (
        box.width,
        box.height,
        box.content_box_y(),
        box.margin_width(),
    )
    if not same:
        return None
    other.fixed_boxes = box.fixed_boxes
    return other


# --- Fonts, embedded once for the whole booklet (chunk_layout.py, font_merge.py) ---------

# Font attributes that hold HarfBuzz objects or the file: made again from the file.
_FONT_OBJECTS = ("hb_font", "hb_face", "file_content")


def font_state(font: Font) -> tuple[bytes, dict]:
    """The file of a font WeasyPrint (70) used, and the rest of its ``Font`` as plain data
    (WeasyPrint's ``Font`` holds HarfBuzz objects, which cannot cross processes, and has no
    constructor from a file and glyph data: its attributes are copied)."""
    from weasyprint.pdf.fonts import get_hb_object_data

    state = {k: v for k, v in vars(font).items() if k not in _FONT_OBJECTS}
    return get_hb_object_data(font.hb_face), state


def font_from_state(state: dict, file: bytes) -> Font:
    """The ``Font`` of ``font_state`` made again, with a HarfBuzz face of its file."""
    from weasyprint.pdf.fonts import Font

    font = Font.__new__(Font)
    vars(font).update(state)
    font.to_unicode = dict(state["to_unicode"])
    font.widths = dict(state["widths"])
    font.missing = dict(state["missing"])
    font.file_content = file
    font.hb_face = _harfbuzz_face(file, font.index)
    return font


def fonts_dictionary(pdf: pydyf.PDF, fonts: dict[str, Font], options: dict) -> pydyf.Dictionary:
    """The fonts' PDF objects, subset and embedded by WeasyPrint's own
    ``build_fonts_dictionary`` (internal: ``weasyprint/pdf/fonts.py``), compressed."""
    from weasyprint.pdf.fonts import build_fonts_dictionary

    return build_fonts_dictionary(pdf, fonts, True, True, options)


@contextmanager
def font_programs_left_out() -> Iterator[None]:
    """While the block runs, WeasyPrint embeds an empty program for each font (a TrueType
    signature only) instead of subsetting it, in ``Font.clean``: a chunk's fonts are
    embedded once for the booklet by the merge, so subsetting them here would be lost."""
    from weasyprint.pdf.fonts import Font

    clean = Font.clean

    def left_out(font: Font, to_unicode: dict, hinting: bool) -> None:
        font.file_content = b"\0\1\0\0"

    Font.clean = left_out
    try:
        yield
    finally:
        Font.clean = clean


_HB_MEMORY_MODE_DUPLICATE = 0


@functools.cache
def _harfbuzz() -> tuple[cffi.FFI, Any]:
    """WeasyPrint (70) declares no HarfBuzz function that makes a face from bytes (its faces
    come from Pango): these are declared here, on the library WeasyPrint loaded, with its
    private loader (``weasyprint.text.ffi._dlopen``)."""
    from weasyprint.text import ffi as weasyprint_ffi

    ffi = cffi.FFI()
    ffi.cdef(
        "typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;"
        "hb_blob_t *hb_blob_create (const char *data, unsigned int length, int mode,"
        " void *user_data, void *destroy);"
        "hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);"
        "void hb_blob_destroy (hb_blob_t *blob);"
    )
    # WeasyPrint's names, the Linux soname first: opened at once, without ``find_library``'s
    # compiler (``libraries_opened_by_soname``), which stays for the others. A name that
    # fails leaves an exception whose traceback holds the callers' frames (cffi keeps it in
    # a local of the frame it holds): the merge calls this, and its frames, the whole
    # booklet's PDF with them, stayed until Python's next full collection (80 MB at 200
    # cards).
    names = ("libharfbuzz.so.0", "libharfbuzz-0", "harfbuzz", "harfbuzz-0.0")
    try:
        library = weasyprint_ffi._dlopen(ffi, *names, "libharfbuzz.0.dylib", "libharfbuzz-0.dll")
    finally:
        gc.collect(0)  # such an exception, if any: in the youngest generation still
    return ffi, library


def _harfbuzz_face(data: bytes, index: int) -> object:
    """A HarfBuzz face of the font file, in WeasyPrint's FFI types."""
    from weasyprint.text import ffi as weasyprint_ffi

    ffi, harfbuzz = _harfbuzz()
    blob = harfbuzz.hb_blob_create(data, len(data), _HB_MEMORY_MODE_DUPLICATE, ffi.NULL, ffi.NULL)
    face = harfbuzz.hb_face_create(blob, index)
    harfbuzz.hb_blob_destroy(blob)  # the face holds its own reference
    address = int(ffi.cast("uintptr_t", face))
    theirs = weasyprint_ffi.ffi
    return theirs.gc(theirs.cast("hb_face_t *", address), weasyprint_ffi.harfbuzz.hb_face_destroy)


def bookmark_tree(pages: Iterable[tuple[int, list, float]], scale: float) -> list:
    """The nested bookmarks of ``pages`` (index, bookmarks, height in PDF points), as
    WeasyPrint (70) nests them (``make_page_bookmark_tree``, internal: it takes a laid-out
    page and reads only its bookmarks; the chunks' pages are gone, stand-ins carry them)."""
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    root: list = []
    skipped: list = []
    last_by_depth = [root]
    level = 0
    for index, marks, height in pages:
        matrix = Matrix(a=scale, d=-scale, f=height)
        page = SimpleNamespace(bookmarks=marks)
        level = make_page_bookmark_tree(page, skipped, last_by_depth, level, index, matrix)
    return root


def append_pages(pdf: pikepdf.Pdf, pages: Iterable[pikepdf.Object]) -> None:
    """``pages`` (page dictionaries of ``pdf``) added after its last page. pikepdf (10.18)
    ``Pdf.pages.append`` and ``extend`` list every page of the document through qpdf's
    QPDFPageDocumentHelper for each page added, so that joining 1200 pages chunk by chunk
    cost in proportion to the square of their number (0.13 ms a page at the end of a
    500-card booklet); ``Pdf._add_page``, with which pikepdf adds its own blank pages, is
    qpdf's ``addPage`` alone."""
    for page in pages:
        pdf._add_page(page, first=False)
