"""The dependency workarounds of nomodel/compat.py: each test fails when the dependency
changes under its workaround, so that it is looked at again on upgrade."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import importlib.abc
import io
import pickle
import re
import struct
import subprocess
import sys
import types
import uuid
import weakref
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pydyf
import pypdf
import pytest
import weasyprint.pdf.fonts
import weasyprint.pdf.metadata
import weasyprint.pdf.tags
from PIL import Image, ImageCms
from weasyprint import HTML
from weasyprint.text.ffi import ffi
from weasyprint.text.fonts import FontConfiguration

from nomodel import chunk_layout, compat
from nomodel.compat import (
    FIXED_ICC_DATE,
    KeptLayout,
    _LibrariesLoader,
    add_fontconfig_rules,
    append_pages,
    bookmark_tree,
    fixed_document_id,
    font_features_freed,
    font_from_state,
    font_programs_left_out,
    font_state,
    fonts_dictionary,
    image_size_readable,
    kept_layouts,
    laid_out_boxes,
    page_references_once,
    renumbered,
    sided,
    srgb_profile,
    tags_finished,
)
from nomodel.faces import NO_SYNTHESIS

# WeasyPrint's own writes are compared byte for byte (conftest.fixed_font_clock).
pytestmark = pytest.mark.usefixtures("fixed_font_clock")

LINKED_PAGES = '<html lang="fr">' + "".join(
    f'<section id="s{n}" style="page-break-after: always"><a href="#s{(n + 1) % 6}">next</a>'
    f"<h1>Page {n}</h1></section>"
    for n in range(6)
)


def test_pydyf_still_computes_page_references_anew_on_each_read() -> None:
    """The upstream limitation: when pydyf caches the tuple itself, drop the workaround."""
    pdf = pydyf.PDF()
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert pdf.page_references is not pdf.page_references


def test_page_references_once_changes_nothing_in_the_pdf() -> None:
    """Same bytes, tagged or not, with links and anchors on every page (what reads the
    references); and new pages are seen (the cache follows the page count)."""
    document = HTML(string=LINKED_PAGES).render()
    for variant in (None, "pdf/ua-1"):
        plain = document.write_pdf(pdf_variant=variant)
        with page_references_once():
            assert document.write_pdf(pdf_variant=variant) == plain
    with page_references_once():
        pdf = pydyf.PDF()
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        first = pdf.page_references
        assert pdf.page_references is first
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert len(pdf.page_references) == 2
    assert isinstance(pydyf.PDF.page_references, property)  # restored


def test_tags_finished_sees_the_tree_and_only_the_tree_from_its_first_object() -> None:
    """WeasyPrint still builds the structure tree in one go through the name
    ``weasyprint.pdf.add_tags``, after every other object it refers to: the objects from
    ``first`` on are structure objects, referred to from the catalog and one another only;
    untagged PDFs never call it; and the name is restored after the block, also after an
    exception."""
    seen: list[tuple[list[object], list[object], object]] = []

    def finish(pdf: pydyf.PDF, first: int) -> None:
        seen.append((pdf.objects[:first], pdf.objects[first:], pdf.catalog["StructTreeRoot"]))

    def references(value: object) -> Iterator[bytes]:
        if isinstance(value, bytes):
            yield value
        elif isinstance(value, dict | list):
            for item in value.values() if isinstance(value, dict) else value:
                yield from references(item)

    document = HTML(string=LINKED_PAGES).render()
    plain = document.write_pdf(pdf_variant="pdf/ua-1")
    with tags_finished(finish):
        assert document.write_pdf(pdf_variant="pdf/ua-1") == plain  # nothing changed
        document.write_pdf()
    ((before, tree, root),) = seen
    structure = {"/StructTreeRoot", "/StructElem", "/OBJR"}
    assert all(isinstance(obj, dict) and obj.get("Type") in structure for obj in tree[1:])
    assert tree[0].keys() == {"Nums"}  # the ParentTree comes first
    numbers = {obj.reference for obj in tree}
    outside = [found for obj in before for found in references(obj) if found in numbers]
    assert outside == [root]  # the catalog's
    assert weasyprint.pdf.add_tags is weasyprint.pdf.tags.add_tags
    with pytest.raises(RuntimeError), tags_finished(finish):
        raise RuntimeError
    assert weasyprint.pdf.add_tags is weasyprint.pdf.tags.add_tags


def test_laid_out_boxes_reads_weasyprint_s_private_page_box() -> None:
    page = HTML(string='<html lang="fr"><p>Bonjour</p>').render().pages[0]
    texts = [box.text for box in laid_out_boxes(page) if hasattr(box, "text")]
    assert texts == ["Bonjour"]


def test_weasyprint_still_keeps_its_fontconfig_configuration_private() -> None:
    """When FontConfiguration has a public way to add a Fontconfig rule, use it."""
    config = FontConfiguration()
    assert ffi.typeof(config._config) == ffi.typeof("FcConfig *")
    add_fontconfig_rules(config, NO_SYNTHESIS)  # parsed, or Fontconfig would print an error


def test_pdf_x_document_ids_are_still_random_and_made_reproducible() -> None:
    document = HTML(string='<html lang="fr"><title>Essai</title><p>Bonjour</p>').render()
    ids = {_document_id(document.write_pdf(pdf_variant="pdf/x-4")) for _ in range(2)}
    assert len(ids) == 2, "WeasyPrint's DocumentID is no longer random: drop the workaround"
    chosen = uuid.UUID(int=42)
    with fixed_document_id(chosen):
        ids = {_document_id(document.write_pdf(pdf_variant="pdf/x-4")) for _ in range(2)}
    assert ids == {f"xmp.did:{chosen}".encode()}
    assert weasyprint.pdf.metadata.uuid4 is uuid.uuid4  # restored


def _document_id(pdf: bytes) -> bytes:
    found = re.search(rb"<xmpMM:DocumentID>([^<]+)<", pdf)
    assert found, "no XMP DocumentID"
    return found[1]


def test_pillow_still_refuses_a_huge_header_without_its_size() -> None:
    image = io.BytesIO()
    Image.new("1", (1, 1)).save(image, "PNG")
    header = bytearray(image.getvalue())
    header[16:24] = struct.pack(">II", 20_000, 20_000)  # the IHDR claims 400 million pixels
    header[29:33] = struct.pack(">I", zlib.crc32(header[12:29]))
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(header))
    limit = Image.MAX_IMAGE_PIXELS
    with image_size_readable(), Image.open(io.BytesIO(header)) as opened:
        assert opened.size == (20_000, 20_000)
    assert limit == Image.MAX_IMAGE_PIXELS


def test_littlecms_still_dates_its_profiles_and_ours_is_fixed() -> None:
    """When Pillow can set (or stops writing) the creation date, drop the fix."""
    made = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    assert made[24:36] != FIXED_ICC_DATE  # stamped with the clock
    ours = srgb_profile()
    assert ours[24:36] == FIXED_ICC_DATE
    assert ours[:24] == made[:24] and ours[36:] == made[36:]  # only the date differs
    assert ImageCms.ImageCmsProfile(io.BytesIO(ours)).profile.profile_description == "sRGB built-in"


def _numbered_pages(first: int, side: str, extra_css: str = "") -> str:
    """Pages whose folio and running head sit on their outer side, margins mirrored."""
    style = (
        f"@page :first {{ counter-reset: page {first} }} html {{ break-before: {side} }}"
        " @page :left { margin: 20mm 30mm 20mm 12mm; @bottom-left { content: counter(page) } }"
        " @page :right { margin: 20mm 12mm 20mm 30mm; @bottom-right { content: counter(page) }"
        " @top-right { content: string(part) } }"
        " h1 { string-set: part content(); break-before: page; background: #eee }" + extra_css
    )
    parts = "".join(
        f'<h1 id="p{n}">Partie {n}</h1><p><a href="#p0">début</a></p>' for n in range(4)
    )
    return f'<html lang="fr"><style>{style}</style><body>{parts}'


def _rendered(first: int, side: str, extra_css: str = "") -> tuple[object, KeptLayout]:
    with kept_layouts() as kept:
        document = HTML(string=_numbered_pages(first, side, extra_css)).render()
    return document, kept[0]


@pytest.mark.parametrize(
    ("first", "side", "to"), [(1, "right", 8), (1, "right", 7), (6, "left", 3)]
)
def test_renumbered_pages_are_those_laid_out_with_that_start(
    first: int, side: str, to: int
) -> None:
    """WeasyPrint keeps no layout context after rendering and cannot make margin boxes
    again: compat keeps the context and calls its layout functions itself."""
    document, kept = _rendered(first, side)
    renumbered_document = renumbered(document, kept, to - first, (to - first) % 2 == 1)
    assert renumbered_document is not None
    direct, _ = _rendered(to, "right" if to % 2 else "left")
    assert renumbered_document.write_pdf() == direct.write_pdf()
    texts = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(direct.write_pdf())).pages]
    assert [text.split()[-1] for text in texts] == [str(to + n) for n in range(4)]


def test_pages_that_ask_for_a_side_are_not_renumbered_on_the_other() -> None:
    document, kept = _rendered(1, "right", "h1 { break-before: right }")
    assert sided(kept)
    assert renumbered(document, kept, 1, True) is None
    assert renumbered(document, kept, 2, False) is not None
    assert not sided(_rendered(1, "right")[1])


def _fonts_of(html: str) -> dict:
    document = HTML(string=html).render()
    document.write_pdf()  # WeasyPrint fills its fonts while writing
    return document.fonts


def test_a_font_crosses_processes_as_its_file_and_state_and_embeds_the_same() -> None:
    """WeasyPrint's Font has no constructor from data: when it gets one, use it."""
    (font,) = _fonts_of('<html lang="fr"><p style="font-family: serif">Été</p>').values()
    data, state = font_state(font)
    assert data[:4] in (b"\0\1\0\0", b"OTTO", b"true")
    again = pickle.loads(pickle.dumps(state))
    made = font_from_state(again, data)
    assert made.widths == font.widths and made.to_unicode == font.to_unicode
    written = []
    for each in (font, made):
        pdf = pydyf.PDF()
        options = {"pdf_version": "1.7", "hinting": False}
        dictionary = fonts_dictionary(pdf, {each.hash: each}, options)
        pdf.add_object(dictionary)
        pdf.catalog["Fonts"] = dictionary.reference
        output = io.BytesIO()
        pdf.write(output, compress=True)
        written.append(output.getvalue())
    assert written[0] == written[1]


def test_font_programs_are_left_out_while_the_block_runs() -> None:
    html = '<html lang="fr"><p style="font-family: serif">Bonjour</p>'
    with font_programs_left_out():
        empty = HTML(string=html).write_pdf()
    full = HTML(string=html).write_pdf()
    assert len(empty) < len(full) - 1000  # the subset program is over a kilobyte
    assert weasyprint.pdf.fonts.Font.clean is not None  # restored, still WeasyPrint's hook


def test_bookmark_tree_nests_as_weasyprint_does() -> None:
    html = "<html lang='fr'><h1>Un</h1><h2>Un point un</h2><h1 style='break-before: page'>Deux</h1>"
    document = HTML(string=html).render()
    pages = [(i, list(page.bookmarks), page.height * 0.75) for i, page in enumerate(document.pages)]
    tree = bookmark_tree(pages, 0.75)
    assert [
        (label, target[0], [child[0] for child in children]) for label, target, children, _ in tree
    ] == [
        ("Un", 0, ["Un point un"]),
        ("Deux", 1, []),
    ]
    assert tree == document.make_bookmark_tree(scale=0.75, transform_pages=True)


FONTS = str(Path(__file__).parent.parent / "styles" / "fonts") + "/"
FRACTIONS = (
    '<html lang="fr"><style>@font-face { font-family: Old; src: url(OldStandard-Regular.ttf) }'
    " p { font: 12pt Old; font-variant-numeric: diagonal-fractions }</style>"
    + "<p>1/2 <b>3/4</b> 90</p>"
    * 200
)


class _MallocInfo(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in [
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        ]
    ]


def _malloc_in_use() -> int:
    """Bytes that C code holds from malloc (glibc's ``mallinfo2``): Python's own objects are
    in its arenas, apart."""
    mallinfo2 = getattr(ctypes.CDLL(None), "mallinfo2", None)
    if mallinfo2 is None:
        pytest.skip("glibc's mallinfo2 is needed to see what C code keeps")
    mallinfo2.restype = _MallocInfo
    gc.collect()
    return int(mallinfo2().uordblks)


def _kept_per_render(html: str, renders: int = 5) -> float:
    """What C code keeps after each layout of ``html``, in bytes (one font configuration for
    all, after one layout to load the fonts)."""
    fonts = FontConfiguration()
    HTML(string=html, base_url=FONTS).render(font_config=fonts)
    before = _malloc_in_use()
    for _ in range(renders):
        HTML(string=html, base_url=FONTS).render(font_config=fonts)
    return (_malloc_in_use() - before) / renders


def test_weasyprint_still_leaks_font_features_and_ours_are_freed() -> None:
    """About 100 bytes for each of the 1000 pieces of text, kept by WeasyPrint at each layout;
    when it keeps none, drop ``font_features_freed``."""
    leaked = _kept_per_render(FRACTIONS)
    with font_features_freed():
        kept = _kept_per_render(FRACTIONS)
    assert leaked > 50_000, "WeasyPrint frees its font features now: drop the workaround"
    assert kept < 5_000


def test_font_features_freed_draws_the_same_fractions() -> None:
    drawn = HTML(string=FRACTIONS, base_url=FONTS).write_pdf()
    with font_features_freed():
        assert HTML(string=FRACTIONS, base_url=FONTS).write_pdf() == drawn
    plain = FRACTIONS.replace("diagonal-fractions", "normal")
    assert HTML(string=plain, base_url=FONTS).write_pdf() != drawn  # the features show


def test_chunks_are_laid_out_and_renumbered_with_font_features_freed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    entered = []

    @contextmanager
    def spied() -> Iterator[None]:
        entered.append(True)
        with font_features_freed():
            yield

    monkeypatch.setattr(chunk_layout, "font_features_freed", spied)
    job = chunk_layout.ChunkJob('<html lang="fr"><p>1/2</p>', tmp_path, False, 3.0, (None,))
    chunk_layout.hold(0, job)
    assert chunk_layout.release(0, 2, False, set()) is not None  # renumbered: two pages on
    assert len(entered) == 2


# WeasyPrint imported in a new process, where ``find_library``'s every route fails loudly.
NO_LIBRARY_LOOKUP = """
import ctypes.util, sys
def refused(*args):
    raise AssertionError("ctypes.util looked for a library")
for name in ("_findSoname_ldconfig", "_findLib_gcc", "_findLib_ld", "find_library"):
    setattr(ctypes.util, name, refused)
if sys.argv[1] == "nomodel":
    import nomodel
import weasyprint
from weasyprint.text import ffi
from nomodel.compat import _harfbuzz
assert ffi.pango.pango_units_from_double(1) == 1024 and _harfbuzz()[1] is not None
print(type(ffi.__loader__).__name__)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's library lookup")
def test_weasyprint_still_looks_for_its_libraries_and_ours_opens_them_by_soname() -> None:
    """Without nomodel's hook, importing WeasyPrint runs ``find_library`` (a compiler, where
    there is one: 0.15 s); with it, WeasyPrint's and compat's libraries open without it."""

    def imported(first: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", NO_LIBRARY_LOOKUP, first]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    assert "looked for a library" in imported("weasyprint").stderr
    hooked = imported("nomodel")
    assert hooked.returncode == 0, hooked.stderr
    assert hooked.stdout.strip() == "_LibrariesLoader"


def test_the_library_module_runs_again_as_written_when_a_library_is_missing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A library not found by its soname: WeasyPrint's module runs again with the usual
    lookup, and only that run's message (if any) is printed."""
    runs: list[object] = []

    class Loader(importlib.abc.Loader):
        def exec_module(self, module: types.ModuleType) -> None:
            runs.append(ctypes.util.find_library)
            print(f"could not import, run {len(runs)}")
            if len(runs) == 1:
                raise OSError("cannot load library 'libpango-1.0.so.0'")

    monkeypatch.setattr(sys, "platform", "linux")
    usual = ctypes.util.find_library
    _LibrariesLoader(Loader()).exec_module(types.ModuleType("weasyprint.text.ffi"))
    assert runs[0] is not usual and runs[1] is usual and ctypes.util.find_library is usual
    assert capsys.readouterr().out == "could not import, run 2\n"


def test_loading_harfbuzz_leaves_no_cycle_holding_its_callers() -> None:
    """The merge's first HarfBuzz face loads HarfBuzz (``_harfbuzz``): a library name that
    failed there left a cycle (cffi keeps the exception in a local of a frame its traceback
    holds) that kept the callers' frames, and the booklet's whole PDF with them, until
    Python's next full collection: 80 MB more through the outputs at 200 cards."""

    class Booklet:  # what the merge's frames hold
        pass

    def merging() -> weakref.ref[Booklet]:
        booklet = Booklet()
        sys._getframe()  # its frame made an object, as when logging or warnings look
        compat._harfbuzz()
        return weakref.ref(booklet)

    compat._harfbuzz.cache_clear()
    gc.disable()
    try:
        booklet = merging()
        assert booklet() is None  # freed as the call returned, no collection needed
    finally:
        gc.enable()
        compat._harfbuzz.cache_clear()


def test_pages_appended_by_qpdf_alone_are_pikepdf_s_own_appends() -> None:
    """``append_pages`` (pikepdf's private ``Pdf._add_page``) adds another PDF's pages
    after the last ones, copied as ``Pdf.pages.extend`` copies them: the same bytes."""
    source = pikepdf.open(io.BytesIO(HTML(string=LINKED_PAGES).write_pdf()))

    def joined(ours: bool) -> bytes:
        target = pikepdf.new()
        target.add_blank_page()
        if ours:
            append_pages(target, [target.copy_foreign(page.obj) for page in source.pages])
        else:
            with pytest.warns(pikepdf.PageCopyWarning):  # named destinations: not ours
                target.pages.extend(source.pages)
        saved = io.BytesIO()
        target.save(saved, deterministic_id=True)
        return saved.getvalue()

    ours = joined(ours=True)
    assert ours == joined(ours=False)
    reader = pypdf.PdfReader(io.BytesIO(ours))
    assert [page.extract_text().strip() for page in reader.pages][-1] == "next\nPage 5"
