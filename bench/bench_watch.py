"""How soon ``nomodel watch`` has a card's edit in the PDF, on a large folder.

    python bench/bench_watch.py [--cards 500] [--edits 5]

Generates a content folder (bench/make_content.py) in a temporary directory, starts
``python build.py watch`` on it as a user does, waits for its first build, then changes a
word of one card's body (the same pages) ``--edits`` times, a different card each time, each
save after the build of the one before. Each edit is timed from the save to the line watch
prints once the new ``booklet.pdf`` is in place. Prints each line, and the best and median
times. Exits with 1 when watch fails or a line does not come, never because of the time.
"""

from __future__ import annotations

import argparse
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bytecode import compile_package
from bench.make_content import make_content

REPO = Path(__file__).resolve().parent.parent
FIRST_BUILD_S = 900
BUILD_S = 300


def lines_of(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """The lines watch prints, as they come."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def next_build(lines: queue.Queue[str], seconds: float) -> str:
    """The next line that ends a build (its PDF written, or its problems told)."""
    deadline = time.monotonic() + seconds
    while True:
        line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        print(f"  | {line}")
        if "→" in line or "problem" in line:
            return line


def edit(card: Path) -> None:
    """A word of the body changed: the card keeps its pages."""
    text = card.read_text("utf-8")
    end = text.rindex("é")  # in its body (the first may be in its title, in the sommaire)
    card.write_text(text[:end] + "e" + text[end + 1 :], "utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    compile_package()  # as installed (bench/bytecode.py)
    with tempfile.TemporaryDirectory() as folder:
        content = make_content(Path(folder) / "content", args.cards)
        cards = sorted(content.rglob("00*.md"))
        command = [sys.executable, "build.py", "watch", "--content", str(content)]
        command += ["--output", str(Path(folder) / "output")]
        pipe, merged = subprocess.PIPE, subprocess.STDOUT  # problems are told on stderr
        process = subprocess.Popen(command, cwd=REPO, text=True, stdout=pipe, stderr=merged)
        lines = lines_of(process)
        times = []
        try:
            started = time.perf_counter()
            next_build(lines, FIRST_BUILD_S)
            print(f"first build: {time.perf_counter() - started:.1f} s")
            for count in range(args.edits):
                time.sleep(1)  # the watcher's quiet time after the previous build
                card = cards[(count * 97 + len(cards) // 3) % len(cards)]
                saved = time.perf_counter()
                edit(card)
                line = next_build(lines, BUILD_S)
                times.append(time.perf_counter() - saved)
                if "→ " not in line.split("changed", 1)[-1] or "problem" in line:
                    print(f"FAIL: the build after editing {card.name} failed", file=sys.stderr)
                    return 1
        except queue.Empty:
            print("FAIL: watch printed no line for a build", file=sys.stderr)
            return 1
        finally:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
    print(f"{args.cards} cards, {args.edits} edits, save → PDF in place:")
    print(f"  best {min(times):.2f} s, median {statistics.median(times):.2f} s")
    print("  each: " + ", ".join(f"{seconds:.2f}" for seconds in times))
    return 0


if __name__ == "__main__":
    sys.exit(main())
