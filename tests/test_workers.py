"""The workers (workers.py): with N jobs, a thread of this process and N - 1 new Python
processes, no other; kept between the builds of ``watch``, else stopped after the layout;
an error met in any of them raised here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nomodel.chunk_layout import ChunkJob
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


@pytest.mark.parametrize("bad", [0, 1])  # answered by this process's thread, by the process
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
