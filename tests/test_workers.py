"""The workers (workers.py): with N jobs, a thread of this process and N - 1 new Python
processes, no other; kept between the builds of ``watch``, stopped between the layout and
the merge of a build."""

from __future__ import annotations

import os
from pathlib import Path

import pikepdf
import pytest
from test_derive import pdf_with

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


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_n_jobs_are_this_process_and_n_minus_one_worker_processes(
    jobs: int, tmp_path: Path
) -> None:
    workers = Workers(jobs)
    try:
        calls = [("trim", pdf_with(1, 3.0), tmp_path, f"{i}.pdf") for i in range(2 * jobs)]
        workers.map("derive", calls)
        started = children()
        # No forkserver, no resource tracker: only the workers.
        assert len(started) == jobs - 1
        assert all("nomodel.workers" in command for command in started.values())
    finally:
        workers.close()
    assert children() == {}
    assert len(list(tmp_path.glob("*.pdf"))) == 2 * jobs


def test_workers_rest_between_builds_unless_kept(tmp_path: Path) -> None:
    call = [("trim", pdf_with(1, 3.0), tmp_path, "a.pdf")]
    once, kept = Workers(2), Workers(2, keep=True)
    try:
        for workers in (once, kept):
            workers.map("derive", call)
            workers.rest()
        assert len(children()) == 1  # the kept one: WeasyPrint imported, the fonts loaded
        before = list(kept._all)
        kept.map("derive", call)
        assert kept._all == before  # the same thread and process answered
    finally:
        once.close()
        kept.close()
    assert children() == {}


@pytest.mark.parametrize("bad", [0, 1])  # answered by this process's thread, by the process
def test_an_error_is_raised_here_whichever_worker_met_it(bad: int, tmp_path: Path) -> None:
    calls = [("trim", pdf_with(2, 3.0), tmp_path, f"{i}.pdf") for i in range(2)]
    calls[bad] = ("trim", b"not a PDF", tmp_path, "bad.pdf")
    workers = Workers(2)
    try:
        with pytest.raises(pikepdf.PdfError):
            workers.map("derive", calls)
        assert workers._all == [] and children() == {}
        workers.map("derive", [("trim", pdf_with(1, 3.0), tmp_path, "c.pdf")])
        assert (tmp_path / "c.pdf").is_file()
    finally:
        workers.close()
