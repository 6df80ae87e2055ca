"""What a build costs, side by side in one run: raw WeasyPrint, the plain build, every output.

    python bench/bench_build.py [--cards 100 500] [--runs 3] [--only plain,all]
                                [--subsetter harfbuzz fonttools]

For each size, generates a content folder (bench/make_content.py), then runs each
configuration as a user would (``python build.py …`` in a fresh process), ``--runs`` times,
and prints a table: seconds (min and median), the ratio to the plain build (the median of
each round's: the configurations run round by round, once each per round), the peak memory
of the whole build (the process and any it starts, sampled every 50 ms: resident sizes
summed, where the pages that the workers share are counted once per worker, and PSS, where
they are counted once) and pages per second. ``--subsetter fonttools`` runs the same builds
as on a machine without HarfBuzz's subsetter (libharfbuzz-subset0), where WeasyPrint subsets
with fontTools. "raw WeasyPrint" lays out and writes the exact HTML of the plain build
(``--html``) with WeasyPrint alone: the floor the pipeline is compared with.

Absolute figures depend on the machine; compare the ratios, measured in one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bytecode import compile_package  # noqa: E402
from bench.make_content import make_content  # noqa: E402

RAW = "import sys, weasyprint; weasyprint.HTML(filename=sys.argv[1]).write_pdf(sys.argv[2])"
# ``python build.py`` as on a machine without libharfbuzz-subset0 (as tests/test_report.py).
WITHOUT_HARFBUZZ_SUBSET = (
    "import sys, weasyprint.pdf.fonts; weasyprint.pdf.fonts.harfbuzz_subset = None;"
    " from nomodel.entry import main; sys.exit(main(sys.argv[1:]))"
)
SUBSETTERS = ("harfbuzz", "fonttools")
# name → the options of ``build`` (None: raw WeasyPrint on the plain build's HTML)
# Every build lays out from scratch (--no-cache) but the "one-card edit"s: a rebuild after
# one card's text changed (the same pages), its cache warm from the build before the edit;
# the card in the middle of the booklet, or a tenth of the way in ("(early)": every chunk
# after it is joined after it is laid out) or nine tenths ("(late)").
EDIT = "one-card edit"
EDITS = {EDIT: 0.5, f"{EDIT} (early)": 0.1, f"{EDIT} (late)": 0.9}  # name → the card's place
CONFIGURATIONS: dict[str, tuple[str, ...] | None] = {
    "raw WeasyPrint": None,
    "plain": (),
    "plain --jobs 1": ("--jobs", "1"),
    "plain --jobs 2": ("--jobs", "2"),
    EDIT: (),
    f"{EDIT} (early)": (),
    f"{EDIT} (late)": (),
    "all outputs": ("--print", "--impose", "booklet", "--cards"),
    "--print alone": ("--print",),
    "--impose alone": ("--impose", "booklet"),
    "--cards alone": ("--cards",),
}


# PSS at every 4th look only (every 200 ms): the kernel walks a process's page tables to
# tell it (smaps_rollup, 2.7 ms a process), which every 50 ms took a core's fifth from the
# builds timed, on this 2-core machine (a one-card edit's 2 s).
PSS_EVERY = 4


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float  # resident memory of every process, summed (shared pages counted in each)
    peak_pss_mb: float = 0  # proportional set size, summed: shared pages counted once


def run(command: list[str]) -> Run:
    """Runs ``command`` to its end; its wall-clock time and the peak of the resident memory
    of it and its descendants together. The time ends when the process does, not at the
    next look at its memory (every 50 ms, in a thread): that added 25 ms on average, a
    tenth of a one-card edit's build."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    peaks = [0, 0]  # resident, PSS
    done = threading.Event()

    def sample() -> None:
        looks = 0
        while not done.is_set():
            pids = tree(process.pid)
            peaks[0] = max(peaks[0], sum(_rss(pid) for pid in pids))
            if looks % PSS_EVERY == 0:
                peaks[1] = max(peaks[1], sum(_pss(pid) for pid in pids))
            looks += 1
            done.wait(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    process.wait()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return Run(seconds, peaks[0] / 2**20, peaks[1] / 2**20)


def _rss(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0  # ended meanwhile
    return int(fields[21]) * os.sysconf("SC_PAGE_SIZE")  # fields[21]: rss in pages


def _pss(pid: int) -> int:
    """The process's share of the memory it maps: its own pages, and each page it shares
    with n processes (the libraries they map) counted 1/n."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in rollup.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    return 0


def tree(root: int) -> list[int]:
    """``root`` and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    # Listed, then read: a process that ends meanwhile is skipped (a glob of /proc/*/stat
    # fails when one ends between the listing and the test of its file).
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        children.setdefault(int(fields[1]), []).append(int(pid))  # 1: parent
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending += children.get(pid, [])
    return found


def edited(build: list[str], content: Path, output: Path, place: float) -> Run:
    """A build after a word of one card's body changed (the same pages), its cache warm; the
    card ``place`` of the way into the booklet."""
    cards = sorted(content.rglob("00*.md"))
    card = cards[int(len(cards) * place)]
    run([*build, "--output", str(output)])  # the cache of the content before the edit
    text = card.read_text("utf-8")
    end = text.rindex("é")  # in its body (the first may be in its title, in the sommaire)
    card.write_text(text[:end] + "e" + text[end + 1 :], "utf-8")  # the same pages
    try:
        return run([*build, "--output", str(output)])
    finally:
        card.write_text(text, "utf-8")


def pages_of(pdf: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def measure(cards: int, runs: int, only: set[str] | None, subsetter: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        content = make_content(Path(folder) / "content", cards)
        output = Path(folder) / "output"
        entry = ["-c", WITHOUT_HARFBUZZ_SUBSET] if subsetter == "fonttools" else ["build.py"]
        build = [sys.executable, *entry, "build", "--content", str(content), "--quiet"]
        run([*build, "--output", str(output), "--html"])  # warms the disk cache, gives HTML
        html, pages = output / "booklet.html", pages_of(output / "booklet.pdf")
        chosen = {n: o for n, o in CONFIGURATIONS.items() if not only or n in only}
        results: dict[str, list[Run]] = {name: [] for name in chosen}
        # Round by round, each configuration once per round: a machine that slows down for
        # a while slows every configuration alike, and each ratio is taken within its round.
        for _ in range(runs):
            for name, options in chosen.items():
                if options is None:
                    raw = [sys.executable, "-c", RAW, str(html), str(Path(folder) / "raw.pdf")]
                    results[name].append(run(raw))
                elif name in EDITS:
                    edit = edited(build, content, Path(folder) / "edit", EDITS[name])
                    results[name].append(edit)
                else:
                    out = ["--output", str(Path(folder) / "out"), "--no-cache"]
                    results[name].append(run([*build, *out, *options]))
        report(f"{cards} cards, {pages} pages, {runs} runs each, {subsetter}", pages, results)


def report(title: str, pages: int, results: dict[str, list[Run]]) -> None:
    """Seconds (min, median), the median of each round's ratio to that round's plain build,
    peak memory and pages per second."""
    plain = results.get("plain")
    width = max(map(len, results))
    print(f"\n{title}")
    print(
        f"{'':{width}} {'min s':>8} {'median s':>9} {'× plain':>8} {'RSS MB':>7} {'PSS MB':>7}"
        f" {'pages/s':>8}"
    )
    for name, measured in results.items():
        seconds = [r.seconds for r in measured]
        median = statistics.median(seconds)
        ratios = [r.seconds / p.seconds for r, p in zip(measured, plain or [], strict=False)]
        ratio = f"{statistics.median(ratios):.2f}" if ratios else "–"
        peak = max(r.peak_mb for r in measured)
        pss = max(r.peak_pss_mb for r in measured)
        print(
            f"{name:{width}} {min(seconds):8.2f} {median:9.2f} {ratio:>8} {peak:7.0f} {pss:7.0f}"
            f" {pages / median:8.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, nargs="+", default=[100, 500])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="comma-separated configurations, e.g. plain,all outputs")
    parser.add_argument("--subsetter", nargs="+", choices=SUBSETTERS, default=["harfbuzz"])
    args = parser.parse_args()
    compile_package()  # as installed (bench/bytecode.py)
    only = set(args.only.split(",")) if args.only else None
    print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    for cards in args.cards:
        for subsetter in args.subsetter:
            measure(cards, args.runs, only, subsetter)


if __name__ == "__main__":
    main()
