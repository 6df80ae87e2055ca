"""The running head of a section's pages: its short title, or its title shortened to one line."""

from __future__ import annotations

from .paper import POINTS_PER_MM

# booklet.css: the running head is set in Courier Prime (an advance of 0.6 em a character)
# at 7.5pt with 0.04em of letter spacing, between the page's side margins (20 + 14 mm).
HEAD_ADVANCE_MM = 7.5 * (0.6 + 0.04) / POINTS_PER_MM
SIDE_MARGINS_MM = 34
FRAME = "(  )"  # the parentheses around the head, with their spaces
# Room for a fallback glyph wider than the typewriter's, so that the head never wraps.
SLACK = 0.9
ELLIPSIS = " …"
# A shortened head does not end on one of these words: "… soutenus par la …".
DANGLING = {"à", "au", "aux", "d’", "de", "des", "du", "en", "et", "l’", "la", "le", "les", "ou"}
DANGLING |= {"par", "pour", "sur"}


def head_budget(page_width_mm: float) -> int:
    """How many characters of a title fit on the running head's line."""
    return int(SLACK * (page_width_mm - SIDE_MARGINS_MM) / HEAD_ADVANCE_MM) - len(FRAME)


def shorten(title: str, budget: int) -> str:
    """``title`` if it fits in ``budget`` characters, else its first words and an ellipsis."""
    words = title.split()
    if len(" ".join(words)) <= budget:
        return " ".join(words)
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word])) + len(ELLIPSIS) > budget:
            break
        kept.append(word)
    while kept and kept[-1].lower().replace("'", "’") in DANGLING:
        kept.pop()
    if not kept:  # one word longer than the line
        return words[0][: budget - 1] + "…"
    return " ".join(kept).rstrip(",;:–—-(") + ELLIPSIS


def running_head(title: str, short_title: str, page_width_mm: float) -> str:
    return shorten(short_title or title, head_budget(page_width_mm))
