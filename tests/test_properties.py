"""Property-based tests (hypothesis) of the front-matter reader and the French typography."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from mdit_py_plugins.footnote import footnote_plugin

from nomodel.autolinks import GfmAutolinks
from nomodel.errors import ContentErrors
from nomodel.fetch import ResourcePolicy
from nomodel.frontmatter import read_markdown, read_yaml
from nomodel.markdown_html import MarkdownRenderer
from nomodel.typography import french_typography_plugin, typeset, typeset_inline

NBSP = "\u00a0"
NNBSP = "\u202f"

SETTINGS = settings(
    max_examples=300,
    database=None,  # no .hypothesis folder in the repository
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(SETTINGS, max_examples=150)


@contextmanager
def written(raw: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "file.md"
        path.write_bytes(raw)
        yield path


# --- front matter: strategies -----------------------------------------------------------

NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])

YAMLISH = [
    "key: value",
    "title: Programme labo PIA",
    "number: 00C.001",
    "date: 2020-02-30",
    "date: !!timestamp 2020-05-04",
    "n: 123456789012345678901234567890123456789",
    "x: 1e99999",
    "x: -.inf",
    "x: .nan",
    "x: 0x_ff",
    "x: 0o17",
    "x: 1_000",
    "x: !!int abc",
    "x: !!int ''",
    "x: !!float ''",
    "x: !!float abc",
    "x: !!bool maybe",
    "x: !!bool ''",
    "x: !!null x",
    "x: !!binary '!!!'",
    "x: !!binary aGVsbG8=",
    "x: !!set {a, b}",
    "x: !!omap [a: 1, b: 2]",
    "x: !!pairs [a: 1]",
    "x: !!str 12",
    "x: !!python/object:os.system ls",
    "x: !!python/name:os.system",
    "x: !unknown tag",
    "!!int abc: 1",
    "!!bool maybe: 1",
    "!!float '': 1",
    "!!binary '!!!': 1",
    "!!python/tuple [1]: 2",
    "? [a, b]\n: c",
    "? {a: b}\n: c",
    "[a]: b",
    "base: &a {k: v}",
    "anchor: &a [1, 2]",
    "alias: *a",
    "undefined: *nope",
    "<<: *a",
    "<<: [*a]",
    "=: 1",
    "loop: &l [*l]",
    "tags:\n  - a\n  - b",
    "nested:\n  deeper:\n    deepest: 1",
    "  indented: wrong",
    "- item",
    "key: 'unclosed",
    'key: "unclosed',
    'key: "\\x"',
    "key: [unclosed",
    "key: {unclosed",
    "key: |\n  block\n  text",
    "key: >-\n  folded",
    "key: value # comment",
    "key:value",
    "key: a: b",
    "key: @at",
    "key: `tick",
    "%YAML 1.1",
    "%TAG ! tag:x.org,2000:",
    "---",
    "...",
    "--- x",
    "true: 1\n1: 2",
    "a: 1\na: 2",
    "1: 1\n1.0: 2",
    "null: 1\n~: 2",
    "\t",
    "key: \x07bell",
    "key: \x85next",
    "key: \u2028sep",
    "key: \ufeffbom",
    "key: \x00nul",
    "key: \ud7ff",
    "key: \U0001f600",
    "",
]


@st.composite
def deep(draw: st.DrawFn) -> str:
    depth = draw(st.integers(1, 3000))
    kind = draw(st.sampled_from(["[", "{a: ", "- "]))
    if kind == "- ":
        return "\n".join(" " * i + "- " for i in range(min(depth, 200))) + "x"
    closer = "]" if kind == "[" else "}"
    return "k: " + kind * depth + "x" + closer * draw(st.integers(0, depth))


@st.composite
def laughs(draw: st.DrawFn) -> str:
    """A small "billion laughs": each level repeats the previous one ``width`` times."""
    levels, width = draw(st.integers(1, 12)), draw(st.integers(2, 10))
    rows = ["l0: &l0 [lol]"]
    rows += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(rows)


yaml_line = st.one_of(
    st.sampled_from(YAMLISH),
    deep(),
    laughs(),
    st.builds(
        "{}{}: {}".format,
        st.sampled_from(["", "  ", "    ", "- "]),
        st.from_regex(r"[a-z_]{1,8}", fullmatch=True),
        st.text(max_size=20),
    ),
    st.text(max_size=30),
)


@st.composite
def front_matter_like(draw: st.DrawFn) -> bytes:
    """``---`` / YAML-ish lines / ``---`` / body, with any line endings, BOM, stray bytes."""
    rows = [draw(st.sampled_from(["---", "--- ", "---x", "", "...", "+++"]))]
    rows += draw(st.lists(yaml_line, max_size=8))
    if draw(st.booleans()):
        rows.append(draw(st.sampled_from(["---", "...", "--- ", "----"])))
    rows += draw(st.lists(st.text(max_size=30), max_size=4))
    text = ""
    for row in rows:
        text += row + draw(NEWLINES)
    if draw(st.booleans()):
        text = text.rstrip("\r\n")
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        raw = b"\xef\xbb\xbf" + raw
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=4)) + raw[at:]
    return raw


any_file = st.one_of(
    front_matter_like(),
    st.binary(max_size=300),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(yaml_line, max_size=8).map(lambda rows: "\n".join(rows).encode("utf-8")),
)


def line_count(raw: bytes) -> int:
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1


LAUGHS = "l0: &l0 [lol]\n" + "\n".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 12)
)
# Found by these properties (each used to escape as another exception, or give a wrong line).
REGRESSIONS = [
    b"!!int abc: 1",  # ValueError
    b"x: !!int ''",  # IndexError
    b"x: !!float ''",  # IndexError
    b"x: !!bool maybe",  # KeyError
    LAUGHS.encode(),  # MemoryError after a long while
    "a: '\u2028\u2028\u2028'\nb: [\n".encode(),  # YAML counts U+2028 as line breaks: line 6 of 3
]


def check_errors(raw: bytes, errors: ContentErrors) -> None:
    assert errors.errors, "ContentErrors without any error"
    for error in errors.errors:
        assert isinstance(error.line, int)
        assert 0 <= error.line <= line_count(raw) + 1, (error, line_count(raw))
        assert error.message.strip()


# --- front matter: properties -----------------------------------------------------------


def with_regressions(test):
    for raw in REGRESSIONS:
        test = example(raw=raw)(test)
        test = example(raw=b"---\n" + raw + b"\n---\nbody")(test)
    return test


@SETTINGS
@given(raw=any_file)
@with_regressions
def test_read_markdown_returns_or_raises_content_errors(raw: bytes) -> None:
    with written(raw) as path:
        try:
            source = read_markdown(path)
        except ContentErrors as errors:
            check_errors(raw, errors)
        else:
            assert isinstance(source.data, dict)
            assert 1 <= source.body_line <= line_count(raw) + 1
            for line in source.lines.values():
                assert 1 <= line < source.body_line


@SETTINGS
@given(raw=any_file)
@with_regressions
def test_read_yaml_returns_or_raises_content_errors(raw: bytes) -> None:
    with written(raw) as path:
        try:
            source = read_yaml(path)
        except ContentErrors as errors:
            check_errors(raw, errors)
        else:
            assert isinstance(source.data, dict)
            for line in source.lines.values():
                assert 1 <= line <= line_count(raw)


@FEW
@given(
    before=st.lists(st.sampled_from(["a: 1", "b: [x, y]", "", "# note", "c: 'x'"]), max_size=5),
    prefix=st.binary(max_size=20),
    bad=st.sampled_from([b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\xc0\xaf"]),
    bom=st.booleans(),
    newline=st.sampled_from([b"\n", b"\r\n", b"\r"]),
)
def test_invalid_utf8_is_reported_on_its_line(before, prefix, bad, bom, newline) -> None:
    good = newline.join(row.encode() for row in ["---", *before]) + newline
    prefix = prefix.decode("utf-8", "ignore").encode()
    raw = (b"\xef\xbb\xbf" if bom else b"") + good + prefix + bad + b"x\n---\n"
    with written(raw) as path, pytest.raises(ContentErrors) as caught:
        read_markdown(path)
    (error,) = caught.value.errors
    assert error.line == line_count(good + prefix)
    assert f"0x{bad[0]:02x}" in error.message


# Valid front matter: simple keys mapped to strings, ints or lists of them.
keys = st.from_regex(r"[a-z][a-z0-9_-]{0,11}", fullmatch=True)
# PyYAML's own dumper does not round-trip U+0085 (it writes it raw, the loader folds it).
strings = st.text(
    alphabet=st.one_of(st.characters(exclude_characters="\x85"), st.sampled_from("\u2028\u2029\r")),
    max_size=40,
)
scalars = st.one_of(strings, st.integers(), st.sampled_from(["2020-05-04", "yes", "1e3", "~"]))
values = st.one_of(scalars, st.lists(scalars, max_size=4))
front_matter = st.dictionaries(keys, values, max_size=6)


@SETTINGS
@given(
    data=front_matter,
    body=st.text(max_size=200),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    closer=st.sampled_from(["---", "..."]),
)
def test_front_matter_round_trip(data, body, newline, bom, closer) -> None:
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=False) if data else ""
    # A line of the dumped YAML that reads as a closing line would end the block early.
    assume(not any(row.rstrip() in ("---", "...") for row in dumped.split("\n")))
    text = f"---\n{dumped}{closer}\n{body}".replace("\n", newline)
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass")
    with written(raw) as path:
        source = read_markdown(path)
    assert source.data == data
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    normal_body = body.replace("\n", newline).replace("\r\n", "\n").replace("\r", "\n")
    assert rows[source.body_line - 2] == closer
    assert "\n".join(rows[source.body_line - 1 :]) == normal_body == source.body
    assert source.lines[()] == 1
    for key in data:
        assert rows[source.lines[(key,)] - 1].lstrip("'\"").startswith(key)  # 'no': quoted


@FEW
@given(data=front_matter.filter(bool), newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_yaml_file_round_trip(data, newline) -> None:
    text = yaml.safe_dump(data, allow_unicode=True).replace("\n", newline)
    with written(text.encode("utf-8", "surrogatepass")) as path:
        source = read_yaml(path)
    assert source.data == data
    rows = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for key in data:
        assert rows[source.lines[(key,)] - 1].lstrip("'\"").startswith(key)


# --- typography: strategies -------------------------------------------------------------

FRENCH = "aàâçéèêëîïôûùüœæAÀÉÈÇŒlLdjqutys"
PUNCT = "«»\"'’:;!?.,…()[]{}-–—/€%&#@=+<>"
SPACES = " \t\n" + NBSP + NNBSP
TOKENS = [
    "https://x.fr/a:b",
    "http://x.fr/?q=1;2",
    "www.x.fr",
    "mailto:a@b.fr",
    "a@b.fr",
    "&nbsp;",
    "&#160;",
    "&#x202f;",
    "&amp;",
    "l'",
    "jusqu'à",
    "qu'il",
    "a-t-il",
    "250 000",
    "14:30",
    "2019 250",
    "12 %",
    "1 234 567 €",
    "« ",
    " »",
    " : ",
    " ; ",
    " ! ",
    " ? ",
    "?!",
    "`code`",
    "`a : b`",
    "**gras**",
    "*it*",
    "_it_",
    "[lien](https://x.fr)",
    "<https://x.fr>",
    "<b>",
    "\\:",
    "    ",
    "\n\n",
    "\n- ",
    "\n1. ",
    "\n> ",
    "\n# ",
    "[^1]",
    "\n[^1]: note",
]
interesting = st.lists(
    st.one_of(
        st.sampled_from(TOKENS),
        st.sampled_from(FRENCH + PUNCT + SPACES + "0123456789*_`"),
        st.text(alphabet=FRENCH, min_size=1, max_size=6),
    ),
    max_size=40,
).map("".join)
texts = st.one_of(interesting, st.text(max_size=80))

QUOTES = str.maketrans({"'": "’", '"': "«", "»": "«"})


def visible(text: str) -> str:
    return re.sub(r"\s", "", text).translate(QUOTES)


# --- typography: properties -------------------------------------------------------------


@SETTINGS
@given(text=texts)
def test_typeset_is_idempotent(text: str) -> None:
    once = typeset(text)
    assert typeset(once) == once


@SETTINGS
@given(text=texts)
def test_typeset_changes_only_spaces_and_quotes(text: str) -> None:
    assert visible(typeset(text)) == visible(text)


def _typeset_again(state: StateCore) -> None:
    for token in state.tokens:
        if token.type == "inline" and token.children:
            typeset_inline(token.children)


def _parser(twice: bool = False) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": True})
    md.enable(["table", "strikethrough", "linkify"]).use(footnote_plugin)
    md.linkify = GfmAutolinks()
    md.use(french_typography_plugin)
    if twice:  # the typography's rule twice, to check it is idempotent on the tokens
        md.core.ruler.after("french_typography", "french_again", _typeset_again)
    return md


ONCE, TWICE = _parser(), _parser(twice=True)


def render(text: str, md: MarkdownIt = ONCE) -> str:
    return md.render(text)


@SETTINGS
@given(text=texts)
def test_markdown_never_raises_and_is_idempotent(text: str) -> None:
    assert render(text, TWICE) == render(text)


BODY_TOKENS = [
    "[lien](https://x.fr)",
    "[carte](00C.002)",
    "[x](javascript:y)",
    "![image](a.png)",
    "![](//x.fr/a.png)",
    '<a href="file:///x">',
    "<h2>",
    "</h2>",
    '<img src="../x.png">',
    "<svg><image href='a.svg'/></svg>",
    "\n- [ ] ",
    "\n- [x] ",
    "~~",
    "| a |\n|--:|\n| 1 |",
    "\\\n",
    "\n## ",
]
bodies = st.lists(
    st.one_of(st.sampled_from(BODY_TOKENS + TOKENS), st.text(max_size=8)), max_size=30
).map("".join)


@SETTINGS
@given(text=bodies)
def test_the_booklet_renderer_never_raises(text: str) -> None:
    """Whatever a body holds, problems are reported, never raised, on lines of the body."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as read_markdown gives bodies
    root = Path(tempfile.gettempdir()) / "nomodel-nowhere"
    renderer = MarkdownRenderer(ResourcePolicy((root,)))
    problems = renderer.converted(text, root / "00C.001-x.md", 10).problems
    assert all(10 <= problem.line <= 10 + text.count("\n") for problem in problems)


# A single plain paragraph: no Markdown syntax, no HTML, nothing Markdown escapes.
PLAIN = FRENCH + "«»\"'’:;!?,()€% " + NBSP + NNBSP + "0123456789"
plain_paragraphs = st.builds(
    "{}{}".format, st.sampled_from(FRENCH), st.text(alphabet=PLAIN, max_size=60)
).map(str.strip)


@SETTINGS
@given(text=plain_paragraphs)
def test_plain_paragraph_is_typeset_like_a_string(text: str) -> None:
    html = render(text)
    assert html == f"<p>{typeset(text)}</p>\n"
    assert render(typeset(text)) == html


# --- bare addresses: properties ---------------------------------------------------------

ADDRESS_PIECES = [
    "www.",
    "https://",
    "http://",
    "ftp://",
    "a@b.fr",
    "x_y",
    "service-public.fr",
    ".gouv.fr",
    "/aides?q=(1)",
    ")",
    ".",
    "&amp;",
    " ",
    "*",
    "@",
    "é",
    "-",
]
LINKS = GfmAutolinks()
addressy = st.lists(st.sampled_from(ADDRESS_PIECES), max_size=12).map("".join)


@SETTINGS
@given(text=st.one_of(addressy, st.text(max_size=40)))
@example(text="https://a.fr/x www.b.fr c@d.fr")
@example(text="www.x@y.fr")
@example(text="https://a_b.fr/ c@d.fr")
def test_a_link_at_the_start_is_the_first_link_found(text: str) -> None:
    """markdown-it's inline rule asks ``match_at_start`` at each "://": it must agree with
    the links that ``match`` finds in the whole text."""
    links = LINKS  # shared, as in a renderer: what it remembers must not leak
    found = links.match(text)
    first = found[0] if found and found[0].index == 0 else None
    assert links.match_at_start(text) == first
