"""The CommonMark specification's examples through our own renderer.

``tests/commonmark/spec-0.31.2-examples.json`` holds the 655 examples (input and expected
HTML, with their section) of the CommonMark Spec 0.31.2 by John MacFarlane, CC BY-SA 4.0
(``tests/commonmark/LICENSE``), taken from its ``spec.txt``. They run with French typography
off, headings as written and links not printed for paper; what still differs on purpose is
listed below with its reason, so that any other difference fails.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nomodel.fetch import ResourcePolicy
from nomodel.markdown_html import MarkdownRenderer, RendererOptions

SPEC = json.loads((Path(__file__).parent / "commonmark/spec-0.31.2-examples.json").read_text())
EXAMPLES = SPEC["examples"]

# Example number → why our output differs from the reference, on purpose.
# GitHub's bare URLs (GFM "autolinks (extension)") are links in our cards, as on GitHub: the
# four CommonMark examples that show a bare address staying text differ.
_BARE = "a bare address is a link, as on GitHub (GFM autolinks extension)"
DIFFERENT: dict[int, str] = {604: _BARE, 610: _BARE, 613: _BARE, 614: _BARE}


class _Normalizer(HTMLParser):
    """Like the spec's own normalize step (test/normalize.py in commonmark/commonmark-spec):
    whitespace collapsed, none around block tags, attributes sorted, <br /> as <br>."""

    BLOCK = frozenset(
        re.findall(
            r"\w+",
            "article header aside hgroup blockquote hr iframe body li map button object canvas ol"
            " caption output col p colgroup pre dd progress div section dl table td dt tbody embed"
            " textarea fieldset tfoot figcaption th figure thead footer tr form ul h1 h2 h3 h4 h5"
            " h6 video script style",
        )
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.in_pre = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_pre = self.in_pre or tag == "pre"
        shown = "".join(
            f" {name}" if value is None else f' {name}="{value}"' for name, value in sorted(attrs)
        )
        self._tag(tag, f"<{tag}{shown}>")

    def handle_endtag(self, tag: str) -> None:
        self.in_pre = self.in_pre and tag != "pre"
        self._tag(tag, f"</{tag}>")

    def _tag(self, tag: str, text: str) -> None:
        if tag in self.BLOCK and self.out and not self.in_pre:
            self.out[-1] = self.out[-1].rstrip()
        self.out.append(text)
        if tag in self.BLOCK:
            self.out.append("")  # whitespace after a block tag is dropped by handle_data

    def handle_data(self, data: str) -> None:
        if not self.in_pre:
            data = re.sub(r"\s+", " ", data)
            if self.out and self.out[-1] == "":
                data = data.lstrip()
        self.out.append(data.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def normalize(html: str) -> str:
    parser = _Normalizer()
    parser.feed(html)
    parser.close()
    return "".join(parser.out).strip()


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[str, str]]:
    folder = tmp_path_factory.mktemp("spec")
    # Every file may be read: images are then left as written unless they are in the folder.
    policy = ResourcePolicy((Path("/"),))
    options = RendererOptions(typeset=False, paper=False, demote=False, balance_html=False)
    renderer = MarkdownRenderer(policy, options)
    found = {}
    for example in EXAMPLES:
        html = renderer.converted(example["markdown"], folder / "card.md", 1).html
        found[example["example"]] = (normalize(str(html)), normalize(example["html"]))
    return found


def test_the_examples_are_all_there() -> None:
    assert len(EXAMPLES) == 655
    assert EXAMPLES[0]["section"] == "Tabs"


def test_commonmark_examples_give_the_reference_html(
    results: dict[int, tuple[str, str]],
) -> None:
    differing = {number for number, (ours, reference) in results.items() if ours != reference}
    assert differing == set(DIFFERENT), "\n\n".join(
        f"{n} ({EXAMPLES[n - 1]['section']}):\n{EXAMPLES[n - 1]['markdown']!r}\n"
        f"ours: {results[n][0]!r}\nspec: {results[n][1]!r}"
        for n in sorted(differing ^ set(DIFFERENT))
    )
    assert len(results) - len(differing) >= 645
