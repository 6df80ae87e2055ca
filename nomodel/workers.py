"""The workers that lay chunks out for engine.py (``--jobs``).

A worker answers calls of chunk_layout's functions, one at a time, in the order
sent (``map`` sends each call to the first worker free). It keeps what it laid out between
calls (``hold``) until told where that chunk starts (``release``): a chunk is released by the
worker that holds it, which a ProcessPoolExecutor cannot promise.

With one job, the calls run in this process, answered at once. With N jobs, one worker is a
thread of this process and N - 1 are new Python processes (``python -c``, a socket to talk
through), each importing WeasyPrint itself (a second, while this process reads and composes
the booklet). Memory is what decided it: each process holds WeasyPrint, its fonts and a
layout (about 110 MB), and multiprocessing's forkserver (76 MB) and resource tracker (13 MB)
stayed beside the workers for the whole build. A 492-page build peaked at 418 MB (resident,
every process summed) with the forkserver and two workers forked from it, at 271 MB with
this process and one worker, in about the same time.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Collection, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

Call = tuple[str, tuple[Any, ...]]
# The calls a worker answers: functions of chunk_layout, imported when one is answered (the
# command starts its workers before it imports WeasyPrint: commands/build.py).
_CALLS = frozenset({"hold", "release", "lay_out_chunk"})
_WITH_FONTS = {"release", "lay_out_chunk"}  # these also take the font files already sent
# A layout makes millions of short-lived objects: with Python's default thresholds (700), a
# worker spent 8 % of its time in the cycle collector, 3.4 % with these (12 chunks of 100
# cards, tagged or not), its peak memory the same (a chunk's garbage is collected once it is
# written anyway).
_COLLECTOR_THRESHOLDS = (10_000, 10, 10)


def _answer(call: Call, known_fonts: set[str]) -> tuple[bool, Any]:
    """A call's answer, or the exception it raised (raised again in the process that sent
    it: a worker never stops on one)."""
    from . import chunk_layout

    name, args = call
    try:
        if name not in _CALLS:
            raise ValueError(f"no such call: {name}")
        extra = (known_fonts,) if name in _WITH_FONTS else ()
        return True, getattr(chunk_layout, name)(*args, *extra)
    except Exception as error:
        return False, error


def serve(fd: int, warm: str = "") -> None:
    """A worker process (``_Process``): answers calls on the socket ``fd`` until it closes,
    once warmed up with the theme of the content folder ``warm``, if any. Ctrl-C is for the
    process that started it, which then closes the socket: a worker stops quietly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if warm:
        from .chunk_layout import warm_up

        warm_up(Path(warm))
    gc.freeze()  # what it imported: never scanned by a collection again
    gc.set_threshold(*_COLLECTOR_THRESHOLDS)
    connection = Connection(fd)
    sent: set[str] = set()  # the font files this worker sent already
    with contextlib.suppress(EOFError, ConnectionError):  # that process is gone
        while True:
            call = connection.recv()
            connection.send(_answer(call, sent))
    # Ended at once, its memory the system's: Python's own ending, through WeasyPrint's
    # caches and the objects of its layouts, took 0.11 s, which the build waited for
    # before merging (``Workers.rest``). Nothing is left to write or clean up.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# A worker's program: nomodel imported from where this process found it (a checkout, a venv).
_PROGRAM = (
    "import sys; sys.path.insert(0, sys.argv[2]);"
    " from nomodel.workers import serve; serve(int(sys.argv[1]), sys.argv[3])"
)
_PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)


class Worker:
    # A process of its own, warmed up (``serve``): what it lays out runs beside this
    # process's work, and its first layout does not set up WeasyPrint's fonts first.
    apart = False

    def __init__(self, workers: Workers) -> None:
        self.workers = workers

    def send(self, name: str, *args: Any) -> None:
        raise NotImplementedError

    def receive(self) -> Any:
        raise NotImplementedError

    @staticmethod
    def _unwrap(reply: tuple[bool, Any]) -> Any:
        ok, value = reply
        if not ok:
            raise value
        return value


class _Local(Worker):
    """This process, for one job."""

    def send(self, name: str, *args: Any) -> None:
        self._reply = _answer((name, args), set(self.workers.font_files))

    def receive(self) -> Any:
        return self._unwrap(self._reply)


class _Thread(Worker):
    """This process, answering in a thread while the build's thread waits for every worker:
    with two jobs, one process and this one lay chunks out, instead of two processes beside
    this one (each holds WeasyPrint, its fonts and a layout: about 110 MB). A call's answer
    is told on a socket, so that ``answered`` waits for it as for a process's."""

    def __init__(self, workers: Workers) -> None:
        super().__init__(workers)
        self.connection, self._done = socket.socketpair()
        self._thread: threading.Thread | None = None

    def send(self, name: str, *args: Any) -> None:
        known = set(self.workers.font_files)
        self._reply: tuple[bool, Any] = (False, RuntimeError("the layout thread stopped"))

        def answer() -> None:
            try:
                self._reply = _answer((name, args), known)
            finally:
                self._done.send(b".")

        self._thread = threading.Thread(target=answer, daemon=True)
        self._thread.start()

    def receive(self) -> Any:
        self.connection.recv(1)
        self._join()
        return self._unwrap(self._reply)

    def close(self) -> None:
        self._join()
        self.connection.close()
        self._done.close()

    def _join(self) -> None:
        """Waits for the call under way: the next one must not lay out beside it."""
        if self._thread is not None:
            self._thread.join()
            self._thread = None


class _Process(Worker):
    apart = True

    def __init__(self, workers: Workers) -> None:
        super().__init__(workers)
        ours, theirs = socket.socketpair()
        warm = str(workers.warm or "")
        with theirs:
            command = [sys.executable, "-c", _PROGRAM, str(theirs.fileno()), _PACKAGE_PARENT, warm]
            self.process = subprocess.Popen(
                command, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL
            )
        self.connection = Connection(ours.detach())
        self.called = False

    def send(self, name: str, *args: Any) -> None:
        self.called = True
        self.connection.send((name, args))

    def receive(self) -> Any:
        try:
            return self._unwrap(self.connection.recv())
        except (EOFError, ConnectionError):
            raise RuntimeError(f"a layout process stopped ({self.process.poll()})") from None

    def close(self) -> None:
        self.connection.close()  # the worker's cue to stop
        if not self.called:  # started in vain: it may still be importing or warming up
            self.process.kill()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Workers:
    """``jobs`` workers, started by ``start`` or on first use, until ``close``. Before the
    merge they ``rest`` (engine._merged): stopped, their memory the system's again, but
    with ``keep`` (``watch``: the next build finds them with WeasyPrint imported and the
    fonts loaded). The next call starts them again. With one job, chunks are laid out in
    this process."""

    def __init__(
        self, jobs: int | None = None, keep: bool = False, warm: Path | None = None
    ) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.keep = keep
        self.warm = warm  # the content folder whose theme the processes warm up with
        self.font_files: dict[str, bytes] = {}  # sha256 → file, sent once per worker
        self._all: list[Worker] = []

    def start(self) -> None:
        """Starts the processes, if not started yet: they import WeasyPrint (a second) while
        this one goes on."""
        if not self._all:
            others = [_Process(self) for _ in range(self.jobs - 1)]
            # The processes first: what they lay out runs beside this process's own work
            # (reading the cache, merging), what its thread lays out does not: Python runs one
            # thread at a time.
            self._all = [_Local(self)] if self.jobs == 1 else [*others, _Thread(self)]
            if self.jobs > 1:  # this process lays out in a thread: collected as a worker is
                gc.set_threshold(*_COLLECTOR_THRESHOLDS)

    def all(self) -> list[Worker]:
        self.start()  # if not started yet, or closed since (after a merge, a failed build)
        return self._all

    def rest(self) -> None:
        if not self.keep:
            self.close()

    def answered(self, busy: Collection[Worker], block: bool = True) -> list[Worker]:
        """The workers of ``busy`` (sent a call not received yet) that answered: once one
        has (waits for it), or at once without ``block``."""
        local: list[Worker] = [worker for worker in busy if isinstance(worker, _Local)]
        if local or not busy:
            return local
        waited = [worker for worker in busy if isinstance(worker, _Thread | _Process)]
        ready = wait([worker.connection for worker in waited], None if block else 0)
        return [worker for worker in waited if worker.connection in ready]

    def map(self, name: str, calls: Sequence[tuple[Any, ...]]) -> list[Any]:
        """The answers to ``name`` called with each of ``calls``, in order, each call sent to
        the first worker free. On an error, the workers still busy are stopped."""
        answers: list[Any] = [None] * len(calls)
        waiting = list(enumerate(calls))
        busy: dict[Worker, int] = {}
        try:
            while waiting or busy:
                for worker in self.all():
                    if worker not in busy and waiting:
                        i, args = waiting.pop(0)
                        worker.send(name, *args)
                        busy[worker] = i
                for worker in self.answered(list(busy)):
                    answers[busy.pop(worker)] = worker.receive()
        except BaseException:
            self.close()  # they may owe answers: started anew by the next call
            raise
        return answers

    def call(self, name: str, *args: Any) -> Any:
        """One call, answered by the first worker."""
        worker = self.all()[0]
        worker.send(name, *args)
        return worker.receive()

    def here(self, name: str, *args: Any) -> Any:
        """One call, answered in this process whatever ``jobs``: a single layout gains
        nothing from another process, which would first have to start (1.5 s of a 2-card
        booklet's build from the cache was waiting for the workers started in vain)."""
        worker = _Local(self)
        worker.send(name, *args)
        return worker.receive()

    def close(self) -> None:
        for worker in self._all:
            if isinstance(worker, _Thread | _Process):
                worker.close()
        self._all = []
