"""How long ``check`` takes on a large folder with broken cards, as a user runs it.

    python bench/bench_check.py [--cards 2000] [--broken 50] [--runs 3] [--build 500]

Generates a content folder (bench/make_content.py) in a temporary directory and runs
``python build.py check --content DIR`` in a subprocess (wall clock, best and median of
``--runs``), twice over:
- cold: with ``--no-cache``, every front matter parsed and every body converted;
- after an edit: one card's body changed before each run, the cache of the run before kept
  (``check_cache.py``), as when an author fixes one card and checks again.
Each run must exit with 1 and name every broken file, exactly one line each. Then the stages
are timed in this process, cold: importing the command line, ``checks.check``, and within it
reading and validating the content and converting the Markdown. ``--build N`` also times one
full build of N clean cards.

The target is ``--target`` seconds (1.5 s, median) for a ``check`` of 2000 cards, 50 broken.
The script exits with 1 when the output is wrong, never because of the time.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bytecode import compile_package
from bench.make_content import BREAKAGES, make_content

REPO = Path(__file__).resolve().parent.parent

T = TypeVar("T")


@dataclass(frozen=True)
class Timed(Generic[T]):
    best: float
    median: float
    result: T


# "PATH:LINE: message" or "PATH: message" (a problem with a whole file), one per problem.
PROBLEM = re.compile(r"(?P<path>[^:]+?)(?::\d+)?: .+")
SUMMARY = re.compile(r"(\d+) problems?: nothing was written")


def is_spoiled(text: str) -> bool:
    """Whether make_content spoiled this card: one of its BREAKAGES replaced ``old`` by
    ``new``, so ``old`` is gone, or ``new`` is there when ``new`` merely extends ``old``."""
    return any(old not in text or (old in new and new in text) for old, new in BREAKAGES)


def spoiled_cards(root: Path) -> set[Path]:
    return {
        path.resolve()
        for path in root.glob("*/*.md")
        if path.name != "_section.md" and is_spoiled(path.read_text("utf-8"))
    }


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python build.py ARGS`` from the repository, as a user types it."""
    command = [sys.executable, "build.py", *args]
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True)


def timed(runs: int, make: Callable[[], T], before: Callable[[], object] = list) -> Timed[T]:
    """``runs`` timings of ``make()``, each after an untimed ``before()``, and its last
    result."""
    times = []
    for _ in range(runs):
        before()
        started = time.perf_counter()
        result = make()
        times.append(time.perf_counter() - started)
    return Timed(min(times), statistics.median(times), result)


def best(runs: int, make: Callable[[], T]) -> tuple[float, T]:
    """The shortest of ``runs`` timings of ``make()``, and its last result."""
    found = timed(runs, make)
    return found.best, found.result


class Editor:
    """Changes a word of one clean card's body at each call, a different card each time."""

    def __init__(self, content: Path, spoiled: set[Path]) -> None:
        cards = sorted(path for path in content.glob("*/*.md") if path.name != "_section.md")
        self.cards = [path for path in cards if path.resolve() not in spoiled]
        self.edits = 0

    def __call__(self) -> None:
        card = self.cards[self.edits * 37 % len(self.cards)]
        card.write_text(card.read_text("utf-8") + f"\nUne phrase ajoutée ({self.edits}).\n")
        self.edits += 1


def verify(done: subprocess.CompletedProcess[str], expected: set[Path]) -> list[str]:
    """What is wrong with the output of ``check``: empty when it is as expected."""
    failures = []
    if done.returncode != 1:
        failures.append(f"exit code {done.returncode}, expected 1")
    if done.stdout.strip():
        failures.append(f"unexpected output: {done.stdout.strip()[:200]}")
    lines = done.stderr.strip().splitlines()
    summary = SUMMARY.fullmatch(lines[-1]) if lines else None
    problems = lines[:-1] if summary else lines
    if not summary or int(summary[1]) != len(problems):
        failures.append(f"no summary line matching the {len(problems)} problems")
    # Each breakage of make_content is exactly one problem.
    if len(problems) != len(expected):
        failures.append(f"{len(problems)} problem lines, expected {len(expected)}")
    named = set()
    for line in problems:
        match = PROBLEM.fullmatch(line)
        if match:
            named.add((REPO / match["path"]).resolve())
        else:
            failures.append(f"not a problem line: {line}")
    if missing := expected - named:
        failures.append(f"{len(missing)} broken files not named, e.g. {min(missing)}")
    if extra := named - expected:
        failures.append(f"{len(extra)} files named that are not broken, e.g. {min(extra)}")
    return failures


def in_process(content: Path, runs: int) -> list[tuple[str, float]]:
    """Seconds of the stages of ``check`` in this process, the import measured cold."""
    started = time.perf_counter()
    from nomodel import cli  # noqa: F401  (the import is what is measured)

    imported = time.perf_counter() - started
    from nomodel import checks
    from nomodel.checks import render_content
    from nomodel.errors import ContentErrors
    from nomodel.load import read_content

    def check() -> None:
        with contextlib.suppress(ContentErrors):
            checks.check(content, problems_only=True)  # as `nomodel check` runs it

    policy = checks.resource_policy(content)
    whole, _ = best(runs, check)
    read, (loaded, _) = best(runs, lambda: read_content(content))
    render, _ = best(runs, lambda: render_content(loaded, policy, problems_only=True))
    return [
        ("  import nomodel.cli", imported),
        ("  checks.check, in this process", whole),
        ("    load.read_content", read),
        ("    checks.render_content", render),
        ("    the other checks (by difference)", whole - read - render),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--broken", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="best of RUNS (default: 3)")
    parser.add_argument("--target", type=float, default=1.5, help="seconds (default: 1.5)")
    parser.add_argument("--build", type=int, default=0, metavar="N", help="also build N cards")
    args = parser.parse_args()
    compile_package()  # as installed (bench/bytecode.py)
    with tempfile.TemporaryDirectory() as folder:
        content = make_content(Path(folder) / "content", args.cards, broken=args.broken)
        expected = spoiled_cards(content)
        if len(expected) != args.broken:
            print(f"found {len(expected)} spoiled cards, expected {args.broken}", file=sys.stderr)
            return 1
        startup, _ = best(args.runs, lambda: subprocess.run([sys.executable, "-c", "pass"]))
        check = ("check", "--content", str(content), "--output", f"{folder}/output")
        cold = timed(args.runs, lambda: run_cli(*check, "--no-cache"))
        failures = verify(cold.result, expected)
        run_cli(*check)  # the cache, as the author's previous check left it
        edited = timed(args.runs, lambda: run_cli(*check), before=Editor(content, expected))
        failures += verify(edited.result, expected)
        stages = in_process(content, args.runs)

        print(f"check of {args.cards} cards, {args.broken} broken, {args.runs} runs:")
        print(f"  {'':<46}{'best':>7}{'median':>9}")
        for label, found in (("cold (--no-cache)", cold), ("one card edited, cache kept", edited)):
            verdict = "target met" if found.median <= args.target else "TARGET MISSED"
            label = f"python build.py check, {label}"
            print(f"  {label:<46}{found.best:6.2f} s{found.median:7.2f} s  {verdict}")
        rows = [("  python start-up", startup), *stages]
        rows.append(
            ("  the rest (by difference)", cold.best - startup - sum(s for _, s in stages[:2]))
        )
        print("cold, stage by stage (best of runs):")
        for label, seconds in rows:
            print(f"  {label:<38}{seconds:6.2f} s")
        print(f"  target: {args.target:g} s, median")
        if not failures:
            print(
                f"  exit 1, {len(expected)} problem lines naming the {len(expected)} broken files"
            )

        if args.build:
            clean = make_content(Path(folder) / "clean", args.build)
            output = f"{folder}/output"
            seconds, built = best(
                1, lambda: run_cli("build", "--content", str(clean), "--output", output)
            )
            status = "ok" if built.returncode == 0 else f"FAILED (exit {built.returncode})"
            print(f"build of {args.build} cards: {seconds:.1f} s wall clock, {status}")
            print(f"  {(built.stdout or built.stderr).strip().splitlines()[-1]}")
            if built.returncode != 0:
                failures.append(f"build of {args.build} cards failed: {built.stderr[-500:]}")

    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
