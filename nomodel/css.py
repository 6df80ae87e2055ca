"""What a piece of CSS loads: the one walk over tinycss2's trees that the theme's checks,
the raw-HTML policy and the SVG policy share."""

from __future__ import annotations

from collections.abc import Iterator

import tinycss2
from tinycss2.ast import AtRule, Declaration, FunctionBlock, Node, QualifiedRule, URLToken


def css_nodes(nodes: list[Node]) -> Iterator[Node]:
    """Every node of a tinycss2 tree: rules' preludes and blocks, declarations' values and
    functions' arguments included."""
    pending = list(nodes)
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, QualifiedRule | AtRule):
            pending += node.prelude + list(tinycss2.parse_blocks_contents(node.content or []))
        elif isinstance(node, Declaration):
            pending += node.value
        elif isinstance(node, FunctionBlock):
            pending += node.arguments
        elif isinstance(getattr(node, "content", None), list):
            pending += node.content


def css_urls(nodes: list[Node]) -> Iterator[str]:
    """Every address the CSS names, ``url(x)``, ``url("x")`` and ``src("x")``, escapes
    decoded (``\\75 rl(…)`` is a url too)."""
    for node in css_nodes(nodes):
        if isinstance(node, URLToken):
            yield node.value.strip()
        elif isinstance(node, FunctionBlock) and node.lower_name in ("url", "src"):
            yield from (arg.value.strip() for arg in node.arguments if arg.type == "string")
