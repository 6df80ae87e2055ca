"""What a build costs, side by side in one run: raw WeasyPrint, the plain build, every output.

    python bench/bench_build.py [--cards 100 500] [--runs 3] [--only plain,all]

For each size, generates a content folder (bench/make_content.py), then runs each
configuration as a user would (``python build.py …`` in a fresh process), ``--runs`` times,
and prints a table: seconds (min and median), the ratio to the plain build, peak RSS of the
process and pages per second. "raw WeasyPrint" lays out and writes the exact HTML of the
plain build (``--html``) with WeasyPrint alone: the floor the pipeline is compared with.

Absolute figures depend on the machine; compare the ratios, measured in one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.make_content import make_content  # noqa: E402

RAW = "import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])"
# name → the options of ``build`` (None: raw WeasyPrint on the plain build's HTML)
# Every build lays out from scratch (--no-cache) but "one-card edit": a rebuild after one
# card changed, its cache warm (the layout kept by the build before the edit).
EDIT = "one-card edit"
CONFIGURATIONS: dict[str, tuple[str, ...] | None] = {
    "raw WeasyPrint": None,
    "plain": (),
    "plain --jobs 1": ("--jobs", "1"),
    "plain --jobs 2": ("--jobs", "2"),
    EDIT: (),
    "all outputs": ("--print", "--impose", "booklet", "--cards"),
    "--print alone": ("--print",),
    "--impose alone": ("--impose", "booklet"),
    "--cards alone": ("--cards",),
}


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float


def run(command: list[str]) -> Run:
    """Runs ``command`` to its end; its wall-clock time and its peak resident memory."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return Run(seconds, usage.ru_maxrss / 1024)  # kilobytes on Linux


def edited(build: list[str], content: Path, output: Path) -> Run:
    """A build after one card's text changed (the same pages), its cache warm."""
    card = sorted(content.rglob("00*.md"))[len(list(content.rglob("00*.md"))) // 2]
    run([*build, "--output", str(output)])  # the cache of the content before the edit
    text = card.read_text("utf-8")
    card.write_text(text.replace("é", "e", 1), "utf-8")  # the same pages, another word
    try:
        return run([*build, "--output", str(output)])
    finally:
        card.write_text(text, "utf-8")


def pages_of(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def measure(cards: int, runs: int, only: set[str] | None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        content = make_content(Path(folder) / "content", cards)
        output = Path(folder) / "output"
        build = [sys.executable, "build.py", "build", "--content", str(content), "--quiet"]
        run([*build, "--output", str(output), "--html"])  # warms the disk cache, gives HTML
        html, pages = output / "booklet.html", pages_of(output / "booklet.pdf")
        results: dict[str, list[Run]] = {}
        for name, options in CONFIGURATIONS.items():
            if only and name not in only:
                continue
            if options is None:
                command = [sys.executable, "-c", RAW, str(html), str(Path(folder) / "raw.pdf")]
                results[name] = [run(command) for _ in range(runs)]
            elif name == EDIT:
                results[name] = [
                    edited(build, content, Path(folder) / "edit", i) for i in range(runs)
                ]
            else:
                out = ["--output", str(Path(folder) / "out"), "--no-cache"]
                results[name] = [run([*build, *out, *options]) for _ in range(runs)]
        report(cards, pages, runs, results)


def report(cards: int, pages: int, runs: int, results: dict[str, list[Run]]) -> None:
    plain = statistics.median(r.seconds for r in results.get("plain", [Run(0, 0)])) or None
    print(f"\n{cards} cards, {pages} pages, {runs} runs each")
    print(f"{'':18} {'min s':>8} {'median s':>9} {'× plain':>8} {'peak MB':>8} {'pages/s':>8}")
    for name, measured in results.items():
        seconds = [r.seconds for r in measured]
        median = statistics.median(seconds)
        ratio = f"{median / plain:.2f}" if plain else "–"
        peak = max(r.peak_mb for r in measured)
        print(
            f"{name:18} {min(seconds):8.2f} {median:9.2f} {ratio:>8} {peak:8.0f}"
            f" {pages / median:8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="comma-separated configurations, e.g. plain,all outputs")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for cards in args.cards:
        measure(cards, args.runs, only)


if __name__ == "__main__":
    main()
