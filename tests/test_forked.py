"""forked.mapped: a long loop shared with a forked copy of the process, with the results of
a loop in one process, in order, whatever happens to the copy. Each case runs in a new
Python process, where copies can fail, be killed or counted apart from pytest's."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench.make_content import make_content
from nomodel import check_cache, checks, forked
from nomodel.check_cache import CheckCache
from nomodel.errors import ContentErrors

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")


def run(code: str) -> list[str]:
    """The lines that ``code`` prints, run in a new Python process with ``mapped`` and
    ``parent`` (this process's id) at hand."""
    preamble = "import os, threading\nfrom nomodel.forked import mapped\nparent = os.getpid()\n"
    done = subprocess.run(
        [sys.executable, "-c", preamble + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_many_items_are_shared_with_a_copy_and_come_back_in_order() -> None:
    lines = run(
        """
        done = mapped(lambda n: (n * n, os.getpid()), range(301))
        assert [square for square, _ in done] == [n * n for n in range(301)]
        pids = [pid for _, pid in done]
        assert set(pids[::2]) == {parent} and parent not in pids[1::2], pids
        import gc
        assert gc.get_freeze_count() == 0
        print(len(set(pids)))
        """
    )
    assert lines == ["2"]


def test_few_items_or_a_running_thread_keep_the_loop_here() -> None:
    lines = run(
        """
        print(len({pid for pid in mapped(lambda n: os.getpid(), range(10))}))
        stop = threading.Event()
        thread = threading.Thread(target=stop.wait)
        thread.start()
        print(len({pid for pid in mapped(lambda n: os.getpid(), range(500))}))
        stop.set()
        """
    )
    assert lines == ["1", "1"]


def test_what_fails_in_the_copy_is_done_again_here() -> None:
    """An exception or a signal in the copy: its items are done here, where an error is
    raised as it would be without the copy."""
    lines = run(
        """
        import signal
        def fragile(n):
            if os.getpid() != parent and n == 51:
                raise RuntimeError("only in the copy")
            return n, os.getpid()
        assert mapped(fragile, range(200)) == [(n, parent) for n in range(200)]
        def killed(n):
            if os.getpid() != parent:
                os.kill(os.getpid(), signal.SIGKILL)
            return n
        assert mapped(killed, range(200)) == list(range(200))
        def wrong(n):
            if n == 150:
                raise ValueError("wrong item")
            return n
        try:
            mapped(wrong, range(200))
        except ValueError as error:
            print(error)
        try:
            os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            print("reaped")
        """
    )
    assert lines == ["wrong", "item", "reaped"]


def test_nomodel_check_reports_the_same_problems_forked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``nomodel check`` forks (123 bodies to convert), ``checks.check`` here is told not to."""
    content = make_content(tmp_path / "content", 120, broken=12)
    monkeypatch.setattr(forked, "MIN_ITEMS", 10**9)
    with pytest.raises(ContentErrors) as found:
        checks.check(content, problems_only=True)
    done = subprocess.run(
        [sys.executable, "build.py", "check", "--no-cache", "--content", str(content)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines[:-1] == found.value.details()
    assert lines[-1].startswith("12 problems")


def test_a_forked_check_reads_converts_and_keeps_what_one_process_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Front matters read and bodies converted on two processes (pytest's worker runs no
    other thread): the same content and HTML as in one, and the cache keeps the copy's
    front matters and bodies too, so that the next check parses and converts nothing."""
    content = make_content(tmp_path / "content", 120)
    cache = tmp_path / "cache"
    kept = CheckCache(cache)
    forked_run = checks.check(content, kept=kept)
    kept.save()
    assert kept.converted == 123  # the cards and the three sections' intros
    monkeypatch.setattr(forked, "MIN_ITEMS", 10**9)  # from here on, one process
    alone = checks.check(content)
    assert forked_run.content == alone.content
    assert dict(forked_run.bodies) == dict(alone.bodies)
    assert forked_run.references == alone.references
    parsed: list[str] = []
    parse = check_cache.parse_yaml
    monkeypatch.setattr(
        check_cache, "parse_yaml", lambda *args: parsed.append(args[1]) or parse(*args)
    )
    again = CheckCache(cache)
    checks.check(content, kept=again)
    assert (len(parsed), again.converted) == (0, 0)


def test_characters_no_font_has_are_found_in_every_file_read_on_either_core(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The files are scanned for characters as they are read, by whichever process reads
    them: every one is reported on its line, whether its front matter is valid or not, its
    lines end in CRLF or not, as the booklet's own file is."""
    content = make_content(tmp_path / "content", 120)
    cards = sorted(content.glob("*/*.md"))
    marked = {cards[7]: 4, cards[8]: 6, cards[50]: 2, cards[51]: 9}
    for path, line in marked.items():
        rows = path.read_text("utf-8").split("\n")
        rows[line - 1] += " 漢"
        text = "\n".join(rows)
        if path == cards[50]:
            text = text.replace("number:", "numéro:", 1)  # the front matter has a problem
        if path == cards[51]:
            path.write_bytes(text.replace("\n", "\r\n").encode())
        else:
            path.write_text(text, "utf-8")
    booklet = content / "booklet.yml"
    booklet.write_text(booklet.read_text("utf-8") + "# 漢\n", "utf-8")
    expected = {(path, line) for path, line in marked.items()}
    expected.add((booklet, booklet.read_text("utf-8").count("\n")))
    runs = []
    for least in (forked.MIN_ITEMS, 10**9):  # on two cores, then on one
        monkeypatch.setattr(forked, "MIN_ITEMS", least)
        with pytest.raises(ContentErrors) as found:
            checks.check(content, problems_only=True)
        runs.append(found.value.errors)
        glyphs = {(e.path, e.line) for e in found.value.errors if "漢" in e.message}
        assert glyphs == expected
    assert runs[0] == runs[1]


@pytest.mark.parametrize("failing", ["fork", "pipe"])
def test_no_process_or_file_left_for_the_copy_does_the_loop_here(
    failing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object) -> None:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, failing, refused)
    assert forked.mapped(lambda n: (n, os.getpid()), range(300)) == [
        (n, os.getpid()) for n in range(300)
    ]
    assert gc.get_freeze_count() == 0  # what was frozen for the copy is collected again
