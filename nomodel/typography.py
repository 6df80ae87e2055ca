"""French typography (BRIEF §4): no-break spaces, « » quotes and ’ apostrophes.

``typeset`` handles plain strings (titles, names, roles); ``french_typography_plugin``
applies the same rules to the text tokens of a Markdown document (markdown-it), across
emphasis and links but never inside code, addresses or raw HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

NNBSP = "\u202f"  # narrow no-break space: before ; ! ? and inside « »
NBSP = "\u00a0"  # no-break space: before :, inside numbers, after one-letter words

# Tokens the rules must not see in a plain string: URLs, e-mail addresses, HTML entities.
# (In Markdown, links and bare URLs are tokens of their own before the rules run.)
# A URL does not take trailing sentence punctuation, so "voir https://x.fr : …" still works.
_PROTECTED = re.compile(
    r"((?:[a-z][a-z\d+.-]*://|www\.|mailto:)[^\s<>\"«»]*[^\s<>\"«».,;:!?'’)\]]"
    r"|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
    r"|&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);)",
    re.IGNORECASE,
)

_SPACES = "[ \t\u00a0\u202f]"
# A space is inserted before punctuation only when it closes a word: "?!" spaces the "?" alone.
# Nor after an entity (";", or ETX standing for a Markdown one): it may be the author's "&nbsp;".
_WORD_END = r"(?<=[^\s;:!?«(\[{\x03])"
_CLOSES = r"(?:[\s)\]}».,…;:!?]|\Z)"

_Rule = tuple[re.Pattern[str], str | Callable[[re.Match[str]], str], re.Pattern[str]]
# Each rule with the characters one of which its every match holds (at or after the match's
# start): a text without any is skipped by a quick search, which is most texts for most rules.
_RULES: tuple[_Rule, ...] = tuple(
    (re.compile(pattern), repl, re.compile(needs))
    for pattern, repl, needs in (
        ("'", "’", "'"),
        # Opening at the start of the text, after a space, a bracket or an elided word (l’« »).
        (r"(?<![^\s(\[{’])\"", "«", '"'),
        ('"', "»", '"'),
        (f"«{_SPACES}*", "«" + NNBSP, "«"),
        (rf"(?<=\S){_SPACES}*»", NNBSP + "»", "»"),
        (rf"(?<=\S){_SPACES}+(?=[;!?])", NNBSP, "[;!?]"),
        (rf"{_WORD_END}(?=[;!?]{_CLOSES})", NNBSP, "[;!?]"),
        # "14:30", "http://", "mailto:x": a colon followed by a non-space is not punctuation.
        (rf"(?<=\S){_SPACES}+(?=:)", NBSP, ":"),
        (rf"{_WORD_END}(?=:(?:\s|\Z))", NBSP, ":"),
        # Thousands groups: "250 000" but not "2019 250"; an author's U+202F is kept.
        (
            r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)",
            lambda m: m[0].replace(" ", NBSP),
            r"\d",
        ),
        (r"(?<=\d)[ \t](?=[€%])", NBSP, "[€%]"),
        # One-letter word ("à", "a", "y"): not the "t" of "-t-il" nor the "à" of "jusqu’à".
        (r"(?<=(?<![^\s(«\[{])[^\W\d_])[ \t]", NBSP, "[ \t]"),
    )
)
# What every protected token holds; most texts have none, and need no split.
_MAYBE_PROTECTED = re.compile(r"://|www\.|mailto:|[@&]", re.IGNORECASE)


def _apply_rules(text: str, before: str) -> str:
    """Typeset ``text``; ``before`` is the already typeset text preceding it, for context only.

    A match starting inside ``before`` is left alone: that text is someone else's output.
    """
    n = len(before)
    s = before + text
    for pattern, repl, needs in _RULES:
        if needs.search(s, n) is None:
            continue
        if n == 0:  # no context to leave alone: the replacements hold no group reference
            s = pattern.sub(repl, s)
            continue
        s = pattern.sub(_from(n, repl), s)
    return s[n:]


def _from(n: int, repl: str | Callable[[re.Match[str]], str]) -> Callable[[re.Match[str]], str]:
    """``repl`` for the matches starting at ``n`` or later; earlier ones stay as they are."""

    def replace(m: re.Match[str]) -> str:
        if m.start() < n:
            return m[0]
        return repl(m) if callable(repl) else m.expand(repl)

    return replace


def _typeset(text: str, before: str) -> str:
    out = []
    context = before
    pieces = _PROTECTED.split(text) if _MAYBE_PROTECTED.search(text) else [text]
    for i, piece in enumerate(pieces):
        if i % 2 == 0 and piece:
            piece = _apply_rules(piece, context)
        out.append(piece)
        context = (context + piece)[-2:]
    return "".join(out)


def typeset(text: str) -> str:
    """French typography for a plain-text string (no Markdown, no HTML)."""
    return _typeset(text, "")


# Inline tokens whose text the rules never touch, seen from the prose around them as one
# opaque word: `ls`: gets its no-break space, but the "b" ending `a : b` is no one-letter word.
_OPAQUE = "\ufffc"
# Tokens that are only markup: the prose runs on through them (``**Sponsor** :``).
_TRANSPARENT = frozenset(
    {"em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"}
    | {"link_open", "link_close", "html_inline"}
)


def typeset_inline(children: list[Token]) -> None:
    """Typesets the text tokens of one inline run (a paragraph, a heading, a table cell) in
    place, carrying the preceding characters across emphasis, links and inline HTML."""
    context = ""
    for token in children:
        if token.type == "text":
            token.content = _typeset(token.content, context)
            context = (context + token.content)[-2:]
        elif token.type in {"softbreak", "hardbreak"}:
            context = (context + "\n")[-2:]
        elif token.type == "text_special" and token.info == "escape":
            context = (context + token.content)[-2:]
        elif token.type == "text_special":
            # An entity may be the author's own space (&nbsp;): nothing is inserted after it.
            context = "\x03"  # what _WORD_END takes for an entity
        elif token.type not in _TRANSPARENT:
            context = _OPAQUE  # code, images, addresses, footnote references


def _typeset_tokens(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            typeset_inline(token.children)


def french_typography_plugin(md: MarkdownIt) -> None:
    """A markdown-it plugin applying ``typeset``'s rules to the text tokens, never to code,
    URLs or raw HTML. It runs once links, bare URLs and footnotes are tokens, and before
    ``text_join`` merges escapes and entities into the text around them."""
    md.core.ruler.before("text_join", "french_typography", _typeset_tokens)
