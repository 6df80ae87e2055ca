"""French typography (BRIEF §4): no-break spaces, « » quotes and ’ apostrophes.

``typeset`` handles plain strings (titles, names, roles); ``FrenchTypographyExtension``
applies the same rules to the text of a Markdown document, element boundaries included.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable

from markdown import Markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

NNBSP = "\u202f"  # narrow no-break space: before ; ! ? and inside « »
NBSP = "\u00a0"  # no-break space: before :, inside numbers, after one-letter words

# Tokens the rules must not see: URLs, e-mail addresses, HTML entities and Python-Markdown's
# STX…ETX placeholders (stashed HTML, backslash escapes: `wzxhzdk:0` holds a colon).
# A URL does not take trailing sentence punctuation, so "voir https://x.fr : …" still works.
_PROTECTED = re.compile(
    r"((?:[a-z][a-z\d+.-]*://|www\.|mailto:)[^\s<>\"«»]*[^\s<>\"«».,;:!?'’)\]]"
    r"|[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"
    r"|&(?:#\d+|#x[\da-f]+|[a-z][a-z\d]*);"
    r"|\x02[^\x03]*\x03)",
    re.IGNORECASE,
)

_SPACES = "[ \t\u00a0\u202f]"
# A space is inserted before punctuation only when it closes a word: "?!" spaces the "?" alone.
# Nor after a placeholder (ETX) or an entity (";"): it may well be the author's own "&nbsp;".
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
_MAYBE_PROTECTED = re.compile(r"://|www\.|mailto:|[@&\x02]", re.IGNORECASE)


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
        s = pattern.sub(
            lambda m, repl=repl: (
                m[0] if m.start() < n else repl(m) if callable(repl) else m.expand(repl)
            ),
            s,
        )
    return s[n:]


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


# Their text is literal: code, or content a browser does not render as prose.
_RAW_TAGS = frozenset({"code", "pre", "kbd", "samp", "script", "style"})


class _FrenchTypographyTreeprocessor(Treeprocessor):
    """Typesets every text node in document order, carrying the preceding characters across
    element boundaries (``*mot*:``, ``« *Passages* »``) but not across blocks."""

    def run(self, root: etree.Element) -> None:
        self._context = ""
        self._visit(root, raw=False)

    def _visit(self, element: etree.Element, raw: bool) -> None:
        raw = raw or element.tag in _RAW_TAGS
        if self.md.is_block_level(element.tag):
            self._context = ""
        element.text = self._typeset(element.text, raw)
        for child in element:
            self._visit(child, raw)
            if self.md.is_block_level(child.tag):
                self._context = ""
            child.tail = self._typeset(child.tail, raw)

    def _typeset(self, text: str | None, raw: bool) -> str | None:
        if not text:
            return text
        if raw or isinstance(text, AtomicString):
            # Seen from the prose around it, literal text is one opaque word: `ls`: gets its
            # no-break space, but the "b" ending `a : b` is no one-letter word.
            self._context = "\ufffc"
            return text
        text = _typeset(text, self._context)
        self._context = (self._context + text)[-2:]
        return text


class FrenchTypographyExtension(Extension):
    """Python-Markdown extension applying ``typeset``'s rules to the rendered text."""

    def extendMarkdown(self, md: Markdown) -> None:
        # Below the inline processor (20): code spans and links exist, so they can be skipped.
        md.treeprocessors.register(_FrenchTypographyTreeprocessor(md), "french_typography", 5)


def makeExtension(**kwargs: object) -> FrenchTypographyExtension:
    return FrenchTypographyExtension(**kwargs)
