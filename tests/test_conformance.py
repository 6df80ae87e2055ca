"""PDF/A and PDF/UA as two independent checkers see them (issue 13).

page-validation (``page``: veraPDF-style rules for PDF/A-1 to 3 and PDF/UA-1) and outloud
(PDF/UA-1 and WCAG 2.2) run on every output whose standard the README promises, built once
per module: the seed in the default variants (PDF/A-3a cards), ``pdf/ua-1``, ``pdf/a-2b``
and ``pdf/a-3b``, and a folder with every kind of content in the default variants and
``pdf/ua-1``. The checks take under 1 s for page (40 validations) and about 5 s for
outloud (15 files, 3 s of it loading); the seven builds and the print PDF take the rest,
20 s on an idle machine.

No rule is skipped. A rule a checker gets wrong is accepted only where its evidence is
found: page's STREAM-LENGTH-001 on a stream whose data ends with CR
(``STREAM_LENGTH_MISTAKE``, proved by ``test_page_misreads_a_stream_ending_with_cr``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from itertools import pairwise
from pathlib import Path

import outloud
import page
import pikepdf
import pytest
from samples import write_rich

from nomodel.cli import main
from nomodel.preflight import pdf_fonts

ROOT = Path(__file__).resolve().parent.parent
MM = 72 / 25.4

# A rule the checker gets wrong in some files only: accepted for an object only when the
# evidence is in that object's bytes (``_stream_ends_with_cr``).
STREAM_LENGTH_MISTAKE = (
    "page 0.11.0 takes the last byte of a stream's data, when it is CR (0Dh), with the LF "
    "that qpdf writes before endstream, for a CR LF end-of-line marker, and finds /Length "
    "one too long. ISO 19005-2 6.1.7.1: /Length counts the bytes after the LF following "
    "'stream' and before the EOL marker preceding 'endstream'; that marker is the LF alone. "
    "About 1 compressed stream in 256 ends with 0Dh (2 cards out of 40 in bench content)."
)
# outloud warnings (not failures) understood and left, with the evidence.
UNDERSTOOD_WARNINGS = {
    "ORD-001": "WeasyPrint paints a list's markers after the items' text (MCIDs 33-38 "
    "after 11-16 on the card's page), while the structure tree puts each Lbl before its "
    "LBody: the reading order, which PDF/UA takes from the structure tree (ISO 14289-1 "
    "7.2), is right; outloud warns when under 80 % of a page is painted in tree order.",
}

# Every kind of content an author writes: lists (nested, loose, without a blank line, task
# lists), tables, footnotes, images with alt text, decorative images, links, cross-references
# to another card, headings at every depth, several sections.


@dataclass(frozen=True)
class Case:
    """An output of a build and the profiles its README promise is checked against."""

    content: str  # "seed" or "rich"
    variant: str | None  # --pdf-variant
    file: str  # booklet.pdf or cards/NUMBER.pdf
    page_profiles: tuple[str, ...]  # page-validation profiles
    outloud: bool  # PDF/UA-1 and WCAG 2.2, as outloud checks them

    def __str__(self) -> str:
        return f"{self.content}-{self.variant or 'default'}-{self.file}"


def _cases() -> list[Case]:
    cards = {"seed": ["00C.001", "00C.002"], "rich": ["00A.001", "00A.002", "00C.001"]}
    variants = {
        "pdf/ua-1": (("ua1",), True),
        "pdf/a-2b": (("2b",), False),
        "pdf/a-3b": (("3b",), False),
    }
    cases = []
    for content, numbers in cards.items():
        card_files = [f"cards/{number}.pdf" for number in numbers]
        # The default with --cards: the cards are cut from the booklet, both PDF/A-3a and
        # PDF/UA-1 (a plain build promises no standard).
        cases += [
            Case(content, None, file, ("3a", "ua1"), True) for file in ["booklet.pdf", *card_files]
        ]
        for variant, (profiles, accessible) in variants.items():
            if content == "rich" and variant != "pdf/ua-1":
                continue  # its PDF/A is checked in its cards (PDF/A-3a): two builds less
            cases += [
                Case(content, variant, file, profiles, accessible)
                for file in ["booklet.pdf", *card_files]
            ]
    return cases


CASES = _cases()


def build(content: Path, output: Path, *options: str) -> int:
    return main(["build", "--content", str(content), "--output", str(output), *options])


@pytest.fixture(scope="module")
def contents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {"seed": ROOT / "content", "rich": write_rich(tmp_path_factory.mktemp("rich"))}


@pytest.fixture(scope="module")
def built(
    contents: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[Case], Path]:
    """The path of a case's file; each content is built once per variant."""
    outputs: dict[tuple[str, str | None], Path] = {}

    def get(case: Case) -> Path:
        key = (case.content, case.variant)
        if key not in outputs:
            output = tmp_path_factory.mktemp("out")
            variant = ["--pdf-variant", case.variant] if case.variant else []
            assert build(contents[case.content], output, "--cards", *variant) == 0
            outputs[key] = output
        return outputs[key] / case.file

    return get


@pytest.mark.parametrize("case", CASES, ids=str)
def test_page_validation_finds_no_failed_rule(case: Case, built: Callable[[Case], Path]) -> None:
    pdf = built(case)
    for profile in case.page_profiles:
        report = page.validate_pdf(pdf, profile=profile)
        assert report.rules.total > 100  # the profile's rules were evaluated
        failures = [
            failure
            for failure in report.failures
            if not (
                failure.rule_id.endswith("-STREAM-LENGTH-001")
                and _stream_ends_with_cr(pdf, failure.object_id.object_number)
            )
        ]
        assert failures == [], (profile, [f"{f.rule_id}: {f.message}" for f in failures])


def _stream_ends_with_cr(pdf: Path, number: int) -> bool:
    """Whether object ``number``'s stream has exactly /Length bytes of data, the last one
    CR, then LF and endstream: the case page misreads (``STREAM_LENGTH_MISTAKE``)."""
    with pikepdf.open(pdf) as document:
        length = int(document.get_object(number, 0).Length)
    data = pdf.read_bytes()
    header = data.index(b"\n%d 0 obj" % number)
    start = data.index(b"stream\n", header) + len(b"stream\n")
    return data[start + length - 1 : start + length + len(b"\nendstream")] == b"\r\nendstream"


def test_page_misreads_a_stream_ending_with_cr(built: Callable[[Case], Path]) -> None:
    """The evidence of ``STREAM_LENGTH_MISTAKE``: a card with one more content stream whose
    data ends with CR, /Length right. When page stops flagging it, drop the exception."""
    with pikepdf.open(built(_case("seed", "pdf/a-3b", "cards/00C.001.pdf"))) as pdf:
        pdf.pages[0].contents_add(pdf.make_stream(b"% ends with a carriage return\r"))
        output = BytesIO()
        pdf.save(output, compress_streams=False)
    data = output.getvalue()
    assert data.count(b"\r\nendstream") == 1  # that stream only
    failures = page.validate_pdf_bytes(data, profile="3b").failures
    assert [failure.rule_id for failure in failures] == ["PDFA3B-STREAM-LENGTH-001"]


@pytest.mark.parametrize("case", [case for case in CASES if case.outloud], ids=str)
def test_outloud_finds_no_error(case: Case, built: Callable[[Case], Path]) -> None:
    result = outloud.check(str(built(case)))
    assert result.error is None
    assert sum(run.status == "ran" for run in result.runs) > 20  # its rules were evaluated
    # Warnings too (empty elements, unprinted annotations were fixed), but those understood.
    found = [
        finding
        for finding in result.findings
        if finding.severity == "error"
        or (finding.severity == "warning" and finding.rule not in UNDERSTOOD_WARNINGS)
    ]
    assert found == [], [f"{f.rule} ({f.severity}): {f.message}" for f in found]


def _tree(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """The structure elements in reading order."""
    found, pending = [], [pdf.Root.StructTreeRoot.K]
    while pending:
        node = pending.pop()
        if isinstance(node, pikepdf.Array):
            pending.extend(reversed(list(node)))
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(node)
            if "/K" in node:
                pending.append(node.K)
    return found


def _case(content: str, variant: str | None, file: str) -> Case:
    return next(
        case
        for case in CASES
        if (case.content, case.variant, case.file) == (content, variant, file)
    )


def test_headings_start_at_h1_and_skip_no_level(built: Callable[[Case], Path]) -> None:
    """In the booklet, and in each card's PDF, where the card's title is the only H1."""
    for case in CASES:
        if (case.content, case.variant) != ("rich", "pdf/ua-1"):
            continue
        with pikepdf.open(built(case)) as pdf:
            levels = [int(str(e.S)[2]) for e in _tree(pdf) if str(e.S)[:2] == "/H"]
        assert levels[0] == 1 and all(b <= a + 1 for a, b in pairwise(levels)), (case, levels)
        if case.file.startswith("cards/"):
            assert levels.count(1) == 1, (case, levels)
    assert levels == [1, 2]  # 00C.001: its title, then "Un titre profond" (written ####)


def test_sommaire_is_a_toc_and_every_link_is_in_a_link_element(
    built: Callable[[Case], Path],
) -> None:
    with pikepdf.open(built(_case("rich", "pdf/ua-1", "booklet.pdf"))) as pdf:
        elements = _tree(pdf)
        tags = [str(element.S) for element in elements]
        assert "/TOC" in tags and "/TOCI" in tags
        entries = [e for e in elements if e.S == "/TOCI"]
        assert len(entries) == 2 + 3  # two sections, three cards
        parent_tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        for page_object in pdf.pages:
            for annotation in page_object.get("/Annots", []):
                assert parent_tree[int(annotation.StructParent)].S == "/Link"
        links = [element for element in elements if element.S == "/Link"]
        assert not any(link.P.S == "/Link" for link in links)  # each announced once
        for item in (e for e in elements if e.S == "/LI"):
            kids = item.K if isinstance(item.K, pikepdf.Array) else [item.K]
            assert {str(kid.S) for kid in kids} <= {"/Lbl", "/LBody"}


def test_pdf_a_metadata_is_unfiltered_and_images_not_interpolated(
    built: Callable[[Case], Path],
) -> None:
    with pikepdf.open(built(_case("rich", None, "cards/00A.002.pdf"))) as pdf:
        assert "/Filter" not in pdf.Root.Metadata
        images = [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        ]
        assert images and not any(image.get("/Interpolate", False) for image in images)


@pytest.fixture(scope="module")
def print_pdf(contents: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("print")
    assert build(contents["rich"], output, "--print", "--pdf-variant", "pdf/x-4") == 0
    return output / "booklet-print.pdf"


def test_pdf_x4_output_intent_boxes_and_fonts(print_pdf: Path) -> None:
    """Neither checker knows PDF/X: what ISO 15930-7 asks that can be read is tested here."""
    with pikepdf.open(print_pdf) as pdf:
        assert pdf.pdf_version == "1.6"
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and intent.DestOutputProfile.N == 4  # CMYK
        for page_object in pdf.pages:
            trim, bleed, media = (
                [float(v) for v in page_object[box]]
                for box in ("/TrimBox", "/BleedBox", "/MediaBox")
            )
            assert [round(b - t, 2) for b, t in zip(bleed, trim, strict=True)] == [
                round(-3 * MM, 2),
                round(-3 * MM, 2),
                round(3 * MM, 2),
                round(3 * MM, 2),
            ]
            assert media[0] < bleed[0] and media[2] > bleed[2]
        assert all(font.embedded for font in pdf_fonts(pdf))


def test_pdf_x4_has_no_device_rgb(print_pdf: Path) -> None:
    """PDF/X-4 allows DeviceRGB only with an RGB output intent, ours is CMYK: RGB colours
    and images (the content has a PNG) are ICC-based sRGB."""
    with pikepdf.open(print_pdf) as pdf:
        streams = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)]
        images = [obj for obj in streams if obj.get("/Subtype") == "/Image"]
        assert images and all(image.ColorSpace != "/DeviceRGB" for image in images)
        assert any(image.ColorSpace[0] == "/ICCBased" for image in images)
        contents = [*(page_object for page_object in pdf.pages)]
        contents += [obj for obj in streams if obj.get("/Subtype") == "/Form"]
        operators = {
            (str(operator), tuple(str(operand) for operand in operands))
            for content in contents
            for operands, operator in pikepdf.parse_content_stream(content)
            if str(operator) in {"rg", "RG", "cs", "CS"}
        }
        assert {operator for operator, _ in operators} <= {"cs", "CS"}
        assert ("cs", ("/nomodel-sRGB",)) in operators  # the ink colour, now in sRGB
