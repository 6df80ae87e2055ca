"""``watch``: driven in a subprocess as a user would, through a card's edits and Ctrl-C."""

from __future__ import annotations

import io
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
import weasyprint.pdf.fonts
from pdf_helpers import letters, page_texts

from nomodel import pipeline
from nomodel.notices import SUBSETTER_NOTICE
from nomodel.project import bundled_root
from nomodel.watch import watch

ROOT = Path(__file__).resolve().parent.parent
CARD = Path("nos-cousins/00C.001-programme-labo-pia.md")
TITLE = "title: Programme labo PIA"
WAIT_S = 30  # no wait in this file is unbounded


class Lines:
    """What the watcher prints, read by a thread, so that a silent watcher fails the test
    instead of hanging it."""

    def __init__(self, stream: IO[str]) -> None:
        self.queue: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.queue.put(line.rstrip("\n"))
        self.queue.put(None)

    def expect(self, *fragments: str) -> str:
        """The next line with every fragment (lines before it are skipped)."""
        deadline = time.monotonic() + WAIT_S
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self.queue.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                pytest.fail(f"the watcher ended before printing {fragments}: {self.seen}")
            self.seen.append(line)
            if all(fragment in line for fragment in fragments):
                return line
        pytest.fail(f"no line with {fragments} within {WAIT_S} s: {self.seen}")

    def rest(self) -> list[str]:
        while (line := self.queue.get(timeout=WAIT_S)) is not None:
            self.seen.append(line)
        return self.seen


def _command(content: Path, output: Path) -> list[str]:
    options = ["--content", str(content), "--output", str(output)]
    return [sys.executable, "build.py", "watch", *options]


@pytest.fixture
def watcher(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Lines, Path]]:
    content = shutil.copytree(ROOT / "content", tmp_path / "content")
    process = subprocess.Popen(
        _command(content, tmp_path / "output"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        # A shell running the tests in the background ignores Ctrl-C, and children inherit
        # that; the watcher must get it as a user's terminal would send it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert process.stdout is not None
        yield process, Lines(process.stdout), content
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(WAIT_S)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _save_by_rename(path: Path, old: str, new: str) -> None:
    """As many editors save: a temporary file renamed over the card."""
    temporary = path.with_name(".card.tmp-save")
    temporary.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    os.replace(temporary, path)


def test_rebuilds_on_each_save_keeps_the_last_good_pdf_and_stops_on_ctrl_c(
    tmp_path: Path, watcher: tuple[subprocess.Popen[str], Lines, Path]
) -> None:
    process, lines, content = watcher
    pdf = tmp_path / "output" / "booklet.pdf"
    card = content / CARD
    first = lines.expect("first build →")
    assert "8 pages, 2 cards" in first and first.endswith("(2 cards laid out again)")
    assert pdf.is_file()

    _edit(card, TITLE, "title: Programme labo Zéphyr")
    rebuilt = lines.expect("changed →")
    assert CARD.name in rebuilt and "pages" in rebuilt and str(pdf.name) in rebuilt
    assert rebuilt.endswith("(2 cards laid out again)")  # the booklet is one chunk
    assert letters("Programme labo Zéphyr") in letters("".join(page_texts(pdf)))
    good = pdf.read_bytes()

    _edit(card, "title:", "titel:")
    assert lines.expect(f"{CARD.name}:3:").endswith('unknown key "titel" (did you mean "title"?)')
    failed = lines.expect("changed →")
    assert "1 problem: " in failed and failed.endswith("booklet.pdf kept as it was")
    assert pdf.read_bytes() == good

    _save_by_rename(card, "titel: Programme labo Zéphyr", TITLE)
    fixed = lines.expect("changed →")
    assert "pages" in fixed and CARD.name in fixed and "tmp-save" not in fixed
    assert letters("Programme labo PIA") in letters("".join(page_texts(pdf)))

    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=5) == 0
    assert not [line for line in lines.rest() if "Traceback" in line]


def _result(tmp_path: Path) -> list[pipeline.BuildResult]:
    return [pipeline.BuildResult((tmp_path / "output" / "booklet.pdf",), 8, 2, 0.1)]


def test_a_template_mistake_is_told_with_its_line_and_the_subsetter_notice_once(
    small_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Real builds of a project with its own card template: the fontTools notice is shown
    once for the whole watch, a broken override is named with its file and line."""
    monkeypatch.setattr(weasyprint.pdf.fonts, "harfbuzz_subset", None)  # as on a fresh machine
    monkeypatch.setattr(logging.getLogger("weasyprint"), "level", logging.NOTSET)
    template = tmp_path / "templates" / "card.html.j2"
    template.parent.mkdir()
    template.write_text((bundled_root() / "templates" / "card.html.j2").read_text("utf-8"))
    stop, builds, real_build = threading.Event(), queue.Queue[int](), pipeline.build

    def build(
        content_dir: Path, options: pipeline.BuildOptions, **kwargs: object
    ) -> list[pipeline.BuildResult]:
        try:
            return real_build(content_dir, options, **kwargs)
        finally:
            builds.put(builds.qsize())

    monkeypatch.setattr(pipeline, "build", build)
    out, err = io.StringIO(), io.StringIO()
    options = pipeline.BuildOptions(output_dir=tmp_path / "output")
    streams = {"stop_event": stop, "out": out, "err": err}
    thread = threading.Thread(
        target=watch, args=(small_content, options), kwargs=streams, daemon=True
    )
    thread.start()
    builds.get(timeout=WAIT_S)
    (small_content / "booklet.yml").write_text("title: Nouveau\n", encoding="utf-8")
    builds.get(timeout=WAIT_S)
    template.write_text("<article>\n\n{{ card.title }\n", encoding="utf-8")
    builds.get(timeout=WAIT_S)
    stop.set()
    thread.join(WAIT_S)

    assert not thread.is_alive()
    assert "first build → 8 pages, 2 cards" in out.getvalue()
    assert "booklet.yml changed → 8 pages, 2 cards" in out.getvalue()
    notice, problem, summary = err.getvalue().splitlines()
    assert notice == SUBSETTER_NOTICE
    assert problem == f"{template}:3: unexpected '}}'"
    assert "card.html.j2 changed → the booklet's own files have problems: " in summary
    assert summary.endswith("booklet.pdf kept as it was")  # not "nothing was written"
