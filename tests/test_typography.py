from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from nomodel.fetch import ResourcePolicy
from nomodel.markdown_html import MarkdownRenderer, RendererOptions
from nomodel.typography import french_typography_plugin, typeset

RENDERER = MarkdownRenderer(ResourcePolicy(()), RendererOptions(paper=False))


def render(src: str) -> str:
    """One body through the booklet's renderer, without the addresses printed for paper."""
    return str(RENDERER.converted(src, Path("/nowhere/card.md"), 1).html).strip()


# --- typeset: the seed's sentences ------------------------------------------------------


def test_seed_semicolon_and_guillemets():
    assert typeset("devait répondre le futur labo; le « Semestre Erasmus », un temps") == (
        "devait répondre le futur labo\u202f; le «\u202fSemestre Erasmus\u202f», un temps"
    )


def test_seed_apostrophes_and_amount():
    assert typeset("jusqu'à hauteur de 250 000 € ainsi que d'une formation-action") == (
        "jusqu’à hauteur de 250\u00a0000\u00a0€ ainsi que d’une formation-action"
    )


def test_seed_colon_and_quote():
    assert typeset("La mission s’est déroulée en trois temps : « la période d’intégration »") == (
        "La mission s’est déroulée en trois temps\u00a0: «\u202fla période d’intégration\u202f»"
    )


# --- typeset: rule by rule --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pourquoi ?", "Pourquoi\u202f?"),
        ("Pourquoi?", "Pourquoi\u202f?"),
        ("Vraiment ! Oui.", "Vraiment\u202f! Oui."),
        ("Quoi?!", "Quoi\u202f?!"),
        ("Quoi ?!", "Quoi\u202f?!"),
        ("(vraiment?)", "(vraiment\u202f?)"),
        ("mot\u00a0;", "mot\u202f;"),
        ("mot  ; suite", "mot\u202f; suite"),
    ],
)
def test_narrow_space_before_semicolon_exclamation_question(text, expected):
    assert typeset(text) == expected


@pytest.mark.parametrize("text", ["a;b", "&nbsp;", "&nbsp; x", "&#160; x", "x=1;y=2", "?"])
def test_semicolon_not_closing_a_word_is_left_alone(text):
    assert typeset(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Note : voir", "Note\u00a0: voir"),
        ("Note: voir", "Note\u00a0: voir"),
        ("Note:", "Note\u00a0:"),
        ("Note\u202f: voir", "Note\u00a0: voir"),
    ],
)
def test_no_break_space_before_colon(text, expected):
    assert typeset(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Passages"', "«\u202fPassages\u202f»"),
        ('le "Semestre Erasmus", un temps', "le «\u202fSemestre Erasmus\u202f», un temps"),
        ('l\'"objet"', "l’«\u202fobjet\u202f»"),
        ("«Passages»", "«\u202fPassages\u202f»"),
        ("«\u00a0Passages\u00a0»", "«\u202fPassages\u202f»"),
    ],
)
def test_quotes(text, expected):
    assert typeset(text) == expected


def test_apostrophe():
    assert typeset("l'université d'été") == "l’université d’été"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 250 000 habitants", "1\u00a0250\u00a0000 habitants"),
        ("50 %", "50\u00a0%"),
        ("12 €", "12\u00a0€"),
        ("250\u202f000 €", "250\u202f000\u00a0€"),
        ("en 2019 250 personnes", "en 2019 250 personnes"),
    ],
)
def test_numbers(text, expected):
    assert typeset(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("répartis à travers", "répartis à\u00a0travers"),
        ("la DITP a accompagné", "la DITP a\u00a0accompagné"),
        ("il y a deux", "il y\u00a0a\u00a0deux"),
        ("A l’issue", "A\u00a0l’issue"),
        ("jusqu’à hauteur", "jusqu’à hauteur"),
        ("a-t-il vu", "a-t-il vu"),
    ],
)
def test_no_break_after_one_letter_word(text, expected):
    assert typeset(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "00C.001",
        "N°. 00C.002",
        "14:30",
        "2017-2018",
        "https://example.fr/l'a?x=1;y=2",
        "http://",
        "mailto:x",
        "www.example.fr",
        "contact@bureau-02.fr",
    ],
)
def test_left_alone(text):
    assert typeset(text) == text


def test_url_in_text_is_a_token():
    assert typeset("voir https://x.fr/a'b : ou www.y.fr; ou c'est@z.fr !") == (
        "voir https://x.fr/a'b\u00a0: ou www.y.fr\u202f; ou c'est@z.fr\u202f!"
    )


@pytest.mark.parametrize("text", ["", " ", "«", "»", '"', "'", ";;;", "?!?", ":", "\x02", "&;"])
def test_never_raises(text):
    assert isinstance(typeset(text), str)


IDEMPOTENCE_CASES = [
    "devait répondre le futur labo; le « Semestre Erasmus », un temps",
    "jusqu'à hauteur de 250 000 € ainsi que d'une formation-action",
    "La mission s’est déroulée en trois temps : « la période d’intégration »",
    'Il a dit "Quoi?!" : il y a 50 % à 14:30.',
    "«Passages» ; voir https://x.fr : a ?",
    "",
    '" « » ; : ! ?',
]


@pytest.mark.parametrize("text", IDEMPOTENCE_CASES)
def test_idempotent(text):
    once = typeset(text)
    assert typeset(once) == once


@pytest.mark.parametrize("text", IDEMPOTENCE_CASES)
def test_only_spaces_quotes_and_apostrophes_change(text):
    def visible(s: str) -> str:
        for old, new in (("«", '"'), ("»", '"'), ("’", "'")):
            s = s.replace(old, new)
        return "".join(s.split())

    assert visible(typeset(text)) == visible(text)


# --- Markdown ---------------------------------------------------------------------------


def test_markdown_seed_paragraph():
    html = render("le futur labo; le « Semestre Erasmus », jusqu'à 250 000 €")
    assert html == (
        "<p>le futur labo\u202f; le «\u202fSemestre Erasmus\u202f», jusqu’à 250\u00a0000\u00a0€</p>"
    )


def test_markdown_cross_element_colon():
    assert render("Le *mot*: suite") == "<p>Le <em>mot</em>\u00a0: suite</p>"


def test_markdown_cross_element_guillemets():
    assert render("le « *Passages* » de") == ("<p>le «\u202f<em>Passages</em>\u202f» de</p>")
    assert render("le «*Passages*» de") == "<p>le «\u202f<em>Passages</em>\u202f» de</p>"
    assert render('le "*Passages*" de') == "<p>le «\u202f<em>Passages</em>\u202f» de</p>"


def test_markdown_cross_element_one_letter_word():
    assert render("répartis *à* travers") == "<p>répartis <em>à</em>\u00a0travers</p>"


def test_markdown_context_does_not_cross_blocks():
    assert render("- mot\n- : suite") == "<ul>\n<li>mot</li>\n<li>: suite</li>\n</ul>"


def test_markdown_code_span_untouched():
    assert render("la commande `a : b 'c'` ; puis") == (
        "<p>la commande <code>a : b 'c'</code>\u202f; puis</p>"
    )


def test_markdown_code_span_is_one_opaque_word():
    # The "b" ending the code is no one-letter word; the code still ends a word before ":".
    assert render("`a : b` et `ls`: liste") == (
        "<p><code>a : b</code> et <code>ls</code>\u00a0: liste</p>"
    )


CODE = 'a : b; "c" l\'a 250 000 € ?'


def test_markdown_code_block_untouched():
    assert render("Avant :\n\n    " + CODE) == (
        "<p>Avant\u00a0:</p>\n<pre><code>" + CODE.replace('"', "&quot;") + "\n</code></pre>"
    )


def test_markdown_fenced_code_untouched():
    html = render("```\n" + CODE + "\n```")
    assert html == "<pre><code>a : b; &quot;c&quot; l'a 250 000 € ?\n</code></pre>"


def test_markdown_urls_untouched():
    html = render(
        "Voir https://x.fr/a'b?c=1;d et <https://y.fr/l'x> ou [https://z.fr/l'y](https://z.fr/l'y)."
    )
    html = html.replace("&#x27;", "'")  # markdown-it escapes it, the raw HTML writer does not
    assert "https://x.fr/a'b?c=1;d" in html
    assert ">https://y.fr/l'x</a>" in html
    assert ">https://z.fr/l'y</a>" in html


def test_markdown_emails_and_raw_html_untouched():
    html = render('Écrire à a.b@x.fr ou <span title="a : b">ici</span> : merci')
    assert ">a.b@x.fr</a>" in html
    assert '<span title="a : b">ici</span>\u00a0: merci' in html


def test_markdown_numbers_untouched():
    assert render("N°. 00C.001, à 14:30, en 2017-2018") == (
        "<p>N°. 00C.001, à\u00a014:30, en 2017-2018</p>"
    )


def test_markdown_escapes_and_entities():
    # An entity may be the author's own space: nothing is inserted after it, and it is kept.
    assert render(r"\*mot\* : x&nbsp;: y&#160;? z") == "<p>*mot*\u00a0: x\u00a0: y\u00a0? z</p>"


def test_markdown_typography_runs_across_inline_boundaries():
    # The bold ends just before the colon; the source's own U+00A0 before "?" becomes narrow.
    assert render("**Sponsor** : la DITP") == "<p><strong>Sponsor</strong>\u00a0: la DITP</p>"
    assert render("Quoi\u00a0?") == "<p>Quoi\u202f?</p>"
    assert render("[le *labo*](#x) : oui") == '<p><a href="#x">le <em>labo</em></a>\u00a0: oui</p>'


def test_markdown_tables_and_footnotes():
    html = render("| a | b ; |\n|---|---|\n| 14:30 | Oui! |\n\nTexte[^1].\n\n[^1]: Une note?\n")
    assert "<th>b\u202f;</th>" in html
    assert "<td>14:30</td>" in html
    assert "<td>Oui\u202f!</td>" in html
    assert "<p>Une note\u202f? <a" in html


def test_markdown_idempotent_on_typeset_source():
    src = "Le *mot*: « *Passages* » ; jusqu'à 250 000 € à 14:30."
    assert render(typeset(src)) == render(src)


def test_plugin_on_a_bare_parser():
    html = MarkdownIt("commonmark").use(french_typography_plugin).render("Quoi? `a: b`")
    assert html == "<p>Quoi\u202f? <code>a: b</code></p>\n"
