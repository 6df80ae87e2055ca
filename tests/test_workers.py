"""The workers (workers.py): with N jobs, a thread of this process and N - 1 new Python
processes, no other; kept between the builds of ``watch``, else stopped after the layout;
an error met in any of them raised here."""

from __future__ import annotations

import logging
import os
import shutil
import signal
from pathlib import Path

import pytest

from nomodel import cli, faces, pipeline
from nomodel.chunk_layout import ChunkJob, lay_out_chunk, warm_up
from nomodel.commands.build import _early_workers
from nomodel.workers import Workers


def children() -> dict[int, str]:
    """The processes this one started that still run: pid → command line (Linux /proc)."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue  # ended meanwhile
        if int(stat[1]) == os.getpid() and stat[0] != "Z":
            found[int(pid)] = command.decode()
    return found


pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def layouts(folder: Path, count: int) -> list[tuple[ChunkJob]]:
    """``count`` calls of ``lay_out_chunk``, each a page of text."""
    html = "<html lang='fr'><p>Un laboratoire d’innovation publique</p></html>"
    return [(ChunkJob(html, folder, False, 3.0, (None,)),) for _ in range(count)]


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_n_jobs_are_this_process_and_n_minus_one_worker_processes(
    jobs: int, tmp_path: Path
) -> None:
    workers = Workers(jobs)
    try:
        answers = workers.map("lay_out_chunk", layouts(tmp_path, jobs + 1))
        started = children()
        # No forkserver, no resource tracker: only the workers.
        assert len(started) == jobs - 1
        assert all("nomodel.workers" in command for command in started.values())
    finally:
        workers.close()
    assert children() == {}
    assert [answer.pages for answer in answers] == [1] * (jobs + 1)


def test_workers_rest_between_builds_unless_kept(tmp_path: Path) -> None:
    once, kept = Workers(2), Workers(2, keep=True)
    try:
        for workers in (once, kept):
            workers.map("lay_out_chunk", layouts(tmp_path, 2))
            workers.rest()
        assert len(children()) == 1  # the kept one: WeasyPrint imported, the fonts loaded
        before = list(kept._all)
        kept.map("lay_out_chunk", layouts(tmp_path, 2))
        assert kept._all == before  # the same thread and process answered
    finally:
        once.close()
        kept.close()
    assert children() == {}


@pytest.mark.parametrize("bad", [0, 1])  # answered by the process, by this process's thread
def test_an_error_is_raised_here_whichever_worker_met_it(bad: int, tmp_path: Path) -> None:
    calls: list[tuple[object, ...]] = [*layouts(tmp_path, 2)]
    calls[bad] = (None,)  # not a job: AttributeError where it is laid out
    workers = Workers(2)
    try:
        with pytest.raises(AttributeError):
            workers.map("lay_out_chunk", calls)
        assert workers._all == [] and children() == {}  # stopped: one may have owed an answer
        (answer,) = workers.map("lay_out_chunk", layouts(tmp_path, 1))  # started again
        assert answer.pages == 1
    finally:
        workers.close()


def test_a_worker_never_called_is_stopped_at_once(tmp_path: Path) -> None:
    """Started early (commands/build.py) for a booklet that turns out small: killed while it
    may still be importing WeasyPrint, not waited for; one that answered stops by itself."""
    unused, used = Workers(2, warm=tmp_path), Workers(2)
    unused.start()
    used.map("lay_out_chunk", layouts(tmp_path, 2))
    processes = [
        worker.process for w in (unused, used) for worker in w._all if hasattr(worker, "process")
    ]
    unused.close()
    used.close()
    assert [process.returncode for process in processes] == [-signal.SIGKILL, 0]
    assert children() == {}


def test_workers_start_early_when_the_last_build_was_laid_out_in_chunks(
    chunked_folders: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"

    def early(*options: str) -> Workers | None:
        args = cli._parse(
            ["build", "--content", str(chunked_folders["any"]), "--output", str(out), *options]
        )[0]
        return _early_workers(args)

    assert early() is None  # no build yet: the pipeline starts them if the booklet needs it
    pipeline.build(chunked_folders["any"], pipeline.BuildOptions(output_dir=out, jobs=2))
    assert early("--jobs", "1") is None and early("--no-cache") is None
    workers = early("--jobs", "2")
    try:
        assert workers is not None and workers.warm == chunked_folders["any"]
        assert len(children()) == 1  # importing WeasyPrint and warming up meanwhile
    finally:
        if workers is not None:
            workers.close()
    assert children() == {}
    # Started early for a build that then fails on the content: stopped, one message.
    content = shutil.copytree(chunked_folders["any"], tmp_path / "content")
    card = sorted(content.rglob("00*.md"))[0]
    card.write_text(card.read_text().replace("number:", "numero:", 1))
    args = ["build", "--content", str(content), "--output", str(out), "--jobs", "2"]
    assert cli.main(args) == 1
    assert "numero" in capsys.readouterr().err and children() == {}


def test_a_warm_up_changes_nothing_in_what_is_laid_out_and_tells_nothing(
    chunked_folders: dict[str, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The first chunk after a warm-up is the chunk of a process that never warmed up,
    and a warm-up on a theme WeasyPrint cannot use (its stylesheet missing) says nothing."""
    html = "<html lang='fr'><body><h1>Fiche</h1><p>Un laboratoire d’innovation.</p></body></html>"
    job = ChunkJob(html, chunked_folders["any"], False, 3.0, (None,))
    faces._kept = None
    cold = lay_out_chunk(job, set())
    faces._kept = None
    warm_up(chunked_folders["any"])
    assert faces._kept is not None  # the fonts loaded, kept for the next chunk
    assert lay_out_chunk(job, set()).pdfs == cold.pdfs
    broken = tmp_path / "content"
    broken.mkdir()
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles/booklet.css").write_text("@font-face { src: url(absente.ttf) }")
    warm_up(broken)
    assert [record for record in caplog.records if record.levelno >= logging.WARNING] == []
