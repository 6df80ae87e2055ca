"""The Markdown renderer's own rules, on the HTML it gives: headings, links, addresses."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from nomodel import markdown_html
from nomodel.fetch import ResourcePolicy
from nomodel.links import Cards
from nomodel.markdown_html import INTRO_TOP, MarkdownRenderer, RendererOptions

ROOT = Path("/nowhere/content")
CARDS = Cards({"00C.002": ROOT / "nos-cousins/00C.002-mission.md"})


def render(text: str, top: int = 3, **options: bool) -> str:
    renderer = MarkdownRenderer(ResourcePolicy((ROOT,)), RendererOptions(**options), CARDS)
    done = renderer.converted(text, ROOT / "nos-cousins/00C.001-x.md", 1, top)
    assert done.problems == ()
    return str(done.html)


@pytest.mark.parametrize(
    ("body", "top", "expected"),
    [
        ("# Un\n\n## Deux", 3, ["<h3>Un</h3>", "<h4>Deux</h4>"]),
        ("## Un\n\n### Deux", 3, ["<h3>Un</h3>", "<h4>Deux</h4>"]),  # no skipped level
        ("#### Un\n\n###### Deux", 3, ["<h3>Un</h3>", "<h5>Deux</h5>"]),
        (
            "## Un\n\n<H2 class=x>Brut</H2>\n\n<h4>Bas</h4>",
            3,
            ["<h3>Un</h3>", '<h3 class="x">Brut</h3>', "<h5>Bas</h5>"],
        ),
        ("Texte <h1>en ligne</h1> suite", 3, ["<h3>en ligne</h3>"]),
        ("# Un\n\n##### Cinq\n\n###### Six", 3, ["<h3>Un</h3>", "<h6>Cinq</h6>", "<h6>Six</h6>"]),
        ("# Intro", INTRO_TOP, ["<h2>Intro</h2>"]),
    ],
)
def test_headings_start_right_under_the_title(body: str, top: int, expected: list[str]) -> None:
    html = render(body, top)
    for heading in expected:
        assert heading in html


def test_links_print_their_address_on_paper_only() -> None:
    body = "[écrire](mailto:a@b.fr), [appeler](tel:+33100000000), [site](https://x.fr/a-b_c)"
    assert render(body) == (
        '<p><a href="mailto:a@b.fr">écrire</a> <span class="link-address">(<a'
        ' href="mailto:a@b.fr" class="address">a@\u200bb.\u200bfr</a>)</span>, <a'
        ' href="tel:+33100000000">appeler</a> <span class="link-address">(<a'
        ' href="tel:+33100000000" class="address">+33100000000</a>)</span>, <a'
        ' href="https://x.fr/a-b_c">site</a> <span class="link-address">(<a'
        ' href="https://x.fr/a-b_c" class="address">https://\u200bx.\u200bfr/\u200ba-\u200bb_'
        "\u200bc</a>)</span></p>\n"
    )
    assert render(body, paper=False) == (
        '<p><a href="mailto:a@b.fr">écrire</a>, <a href="tel:+33100000000">appeler</a>,'
        ' <a href="https://x.fr/a-b_c">site</a></p>\n'
    )


@pytest.mark.parametrize(
    "body",
    [
        "[https://x.fr/page](https://x.fr/page)",
        "[x.fr/page](https://x.fr/page/)",
        "<https://x.fr/page>",
        "https://x.fr/page",
        "[a@b.fr](mailto:a@b.fr)",
    ],
)
def test_a_link_showing_its_address_does_not_repeat_it(body: str) -> None:
    html = render(body)
    assert "link-address" not in html
    assert '<span class="address">' in html


def test_only_github_bare_urls_become_links() -> None:
    html = render("Voir README.md, service-public.fr, www.service-public.fr et a@b.fr.")
    assert html.count("<a ") == 2
    assert '<a href="http://www.service-public.fr">' in html
    assert '<a href="mailto:a@b.fr">' in html


def test_cross_reference_html() -> None:
    assert render("[la mission](00C.002)") == (
        '<p><a href="#card-00C.002" class="xref">la mission <span class="xref-ref">'
        '(N°.\u00a000C.002<span class="xref-page" data-target="#card-00C.002">, p.\u00a0</span>)'
        "</span></a></p>\n"
    )


@pytest.mark.parametrize("kind", ["normalizeLink", "normalizeLinkText"])
def test_addresses_are_normalized_as_markdown_it_does_and_a_huge_one_never_kept(
    kind: str,
) -> None:
    """Each address is normalized once for the whole booklet (mdurl is slow), but an
    address of megabytes in a hostile card is normalized each time, not kept in memory."""
    ours, theirs = markdown_html._EveryLink("commonmark"), MarkdownIt("commonmark")
    kept = markdown_html._kept
    short = f"https://exemple.fr/été {uuid.uuid4()}"
    huge = "https://exemple.fr/" + "é%20" * 100_000
    before = kept.cache_info().currsize
    for address in (short, short, huge):
        assert getattr(ours, kind)(address) == getattr(theirs, kind)(address)
    assert kept.cache_info().currsize == before + 1
