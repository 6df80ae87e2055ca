"""Bare addresses as links: the examples of GFM's "autolinks (extension)" (GFM spec 0.29,
examples 621 to 635), through the card renderer's parser."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from nomodel.autolinks import GfmAutolinks

# One parser for every example, as one renderer converts every body of a booklet: what it
# remembers of a text must not leak into the next.
MD = MarkdownIt("commonmark", {"linkify": True}).enable("linkify")
MD.linkify = GfmAutolinks()


def render(text: str) -> str:
    return MD.render(text)


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("www.commonmark.org", '<a href="http://www.commonmark.org">www.commonmark.org</a>'),
        (
            "Visit www.commonmark.org/help for more information.",
            'Visit <a href="http://www.commonmark.org/help">www.commonmark.org/help</a> for',
        ),
        (
            "Visit www.commonmark.org.",
            '<a href="http://www.commonmark.org">www.commonmark.org</a>.',
        ),
        (
            "Visit www.commonmark.org/a.b.",
            '<a href="http://www.commonmark.org/a.b">www.commonmark.org/a.b</a>.',
        ),
        (
            "www.google.com/search?q=Markup+(business)",
            '">www.google.com/search?q=Markup+(business)</a>',
        ),
        (
            "www.google.com/search?q=Markup+(business)))",
            '">www.google.com/search?q=Markup+(business)</a>))',
        ),
        (
            "(www.google.com/search?q=Markup+(business))",
            '(<a href="http://www.google.com/search?q=Markup+(business)">'
            "www.google.com/search?q=Markup+(business)</a>)",
        ),
        (
            "(www.google.com/search?q=Markup+(business)",
            '(<a href="http://www.google.com/search?q=Markup+(business)">',
        ),
        ("www.google.com/search?q=(business))+ok", '">www.google.com/search?q=(business))+ok</a>'),
        (
            "www.google.com/search?q=commonmark&hl=en",
            '">www.google.com/search?q=commonmark&amp;hl=en</a>',
        ),
        (
            "www.google.com/search?q=commonmark&hl;",
            '">www.google.com/search?q=commonmark</a>&amp;hl;',
        ),
        ("www.commonmark.org/he<lp", '">www.commonmark.org/he</a>&lt;lp'),
        ("http://commonmark.org", '<a href="http://commonmark.org">http://commonmark.org</a>'),
        (
            "(Visit https://encrypted.google.com/search?q=Markup+(business))",
            '(Visit <a href="https://encrypted.google.com/search?q=Markup+(business)">',
        ),
        (
            "Anonymous FTP is available at ftp://foo.bar.baz.",
            '<a href="ftp://foo.bar.baz">ftp://foo.bar.baz</a>.',
        ),
        ("foo@bar.baz", '<a href="mailto:foo@bar.baz">foo@bar.baz</a>'),
        (
            "hello@mail+xyz.example isn't valid, but hello+xyz@mail.example is.",
            'hello@mail+xyz.example isn\'t valid, but <a href="mailto:hello+xyz@mail.example">',
        ),
        ("a.b-c_d@a.b", '<a href="mailto:a.b-c_d@a.b">a.b-c_d@a.b</a>'),
        ("a.b-c_d@a.b.", '<a href="mailto:a.b-c_d@a.b">a.b-c_d@a.b</a>.'),
        ("a.b-c_d@a.b-", "<p>a.b-c_d@a.b-</p>"),
        ("a.b-c_d@a.b_", "<p>a.b-c_d@a.b_</p>"),
        # not GFM's examples: what French cards hold
        ("Voir service-public.fr et README.md.", "<p>Voir service-public.fr et README.md.</p>"),
        ("www.exemple_a.fr", "<p>www.exemple_a.fr</p>"),
        (
            "Sur https://www.écoles.fr/accès, ou (https://a.fr/x).",
            '<a href="https://www.xn--coles-9ra.fr/acc%C3%A8s">https://www.écoles.fr/accès</a>, '
            'ou (<a href="https://a.fr/x">https://a.fr/x</a>).',
        ),
        ("Au labo:https://a.fr ou xhttps://a.fr", 'Au labo:<a href="https://a.fr">'),
        ("http://localhost:8080/x", '<a href="http://localhost:8080/x">'),
        ("https://a.fr/contact@labo.fr", '<a href="https://a.fr/contact@labo.fr">'),
    ],
)
def test_gfm_autolinks(markdown: str, html: str) -> None:
    assert html in render(markdown)


def test_not_after_a_letter() -> None:
    assert "<a" not in render("xwww.commonmark.org et xhttps://a.fr")
