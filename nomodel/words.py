"""Words that print whole (BRIEF §4, issue 12): a domain name in running text, an acronym, a
word in capitals or with digits is never hyphenated ("mesdroitsso-ciaux.gouv.fr", "CO-VID19",
"DI-NUM" are typesetting faults), and a long one is never tied by a no-break space to the
word before it, which would leave that word alone at the end of a line.

A markdown-it plugin for bodies printed on paper: it runs on the text tokens once French
typography has set its spaces, and wraps such words in ``<span class="whole">`` (the
stylesheet turns hyphenation off there). A domain name may still break after ``. - / _ @``,
as addresses do (links.address_html).
"""

from __future__ import annotations

import re
from html import escape

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from .links import address_html

# A domain name ("service-public.fr", "www.1jeune1solution.gouv.fr/aides"); a word with a
# letter and a digit ("COVID19", "1jeune1solution", "lab23": a number alone is never
# hyphenated) or with two capitals in a row (an acronym, a word in capitals: "DINUM",
# "l’ANCT"), of at least HYPHENATED letters: shorter ones are never hyphenated anyway
# (CSS hyphenate-limit-chars), and stay plain text. Words are letters and digits joined by
# inner hyphens and dots ("Île-de-France", "00C.001").
HYPHENATED = 5
_WORD = r"[^\W_](?:[\w-]*[^\W_])?"
_UPPER = "A-ZÀ-ÖØ-Þ"
# Tried only where a word starts (not right after a letter or digit): a match cannot start
# inside a word whose start did not match, and the lookaheads at every letter were most of
# the Markdown stage's time.
_WHOLE = re.compile(
    rf"(?<![^\W_])(?:(?P<domain>{_WORD}(?:\.{_WORD})*\.[a-z]{{2,}}(?:/[\w./-]*[\w/])?)(?![\w.])"
    rf"|(?P<word>(?=[\w.-]*[^\W\d_])(?=[\w.-]*\d|[\w.-]*[{_UPPER}]{{2}})"
    rf"(?=[\w.-]{{{HYPHENATED}}})[^\W_](?:[\w.-]*[^\W_])?))"
)
# Longer than this, a word that cannot break is not tied to the word before it.
LONG = 10
_TIES = "\u00a0\u202f"  # the no-break spaces typography puts (and authors type)
# Inline tokens that print as one unbreakable run (links.py prints addresses).
_UNBREAKABLE_TOKENS = frozenset({"address", "link-address", "code_inline"})


def whole_words_plugin(md: MarkdownIt) -> None:
    md.core.ruler.before("text_join", "nomodel_whole_words", _whole_words)


def _whole_words(state: StateCore) -> None:
    for block in state.tokens:
        if block.type == "inline" and block.children:
            block.children = _untie(list(_split(block.children)))


def _split(children: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in children:
        matches = list(_WHOLE.finditer(token.content)) if token.type == "text" else []
        if not matches:
            out.append(token)
            continue
        start = 0
        for match in matches:
            if match.start() > start:
                out.append(_text(token.content[start : match.start()]))
            shown = address_html(match[0], True) if match["domain"] else escape(match[0])
            out.append(_html(f'<span class="whole">{shown}</span>', len(match[0])))
            start = match.end()
        if start < len(token.content):
            out.append(_text(token.content[start:]))
    return out


def _untie(children: list[Token]) -> list[Token]:
    """A no-break space right before a long unbreakable run becomes a plain space."""
    for i, before in enumerate(children):
        if before.type != "text" or before.content[-1:] not in _TIES:
            continue
        after = next((t for t in children[i + 1 :] if t.type != "link_open"), None)
        # A word is tied, not « nor a bracket, which must stay with what they open.
        if after is not None and _long(after) and re.search(r"\w.$", before.content):
            before.content = before.content[:-1] + " "
    return children


def _long(token: Token) -> bool:
    if token.type in _UNBREAKABLE_TOKENS:
        return len(token.content) > LONG
    return token.meta.get("whole", 0) > LONG


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _html(html: str, length: int) -> Token:
    token = Token("html_inline", "", 0)
    token.content = html
    token.meta.update(ours=True, whole=length)  # ours: not the author's HTML, not scanned
    return token
