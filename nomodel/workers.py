"""The processes that lay chunks out for engine.py (``--jobs``), forked from a forkserver,
then make the outputs from the booklet (derive.py).

A worker answers calls of chunk_layout's functions and derive's, one at a time, in the order
sent (``map`` sends each call to the first worker free). It
keeps what it laid out between calls (``hold``) until told where that chunk starts
(``release``): a chunk is released by the worker that holds it, which a
ProcessPoolExecutor cannot promise. With one job, the calls run in this
process, answered at once.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Collection, Sequence
from multiprocessing.connection import Connection, wait
from typing import Any

from . import chunk_layout, derive

Call = tuple[str, tuple[Any, ...]]
# The calls a worker answers.
_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "hold": chunk_layout.hold,
    "release": chunk_layout.release,
    "lay_out_chunk": chunk_layout.lay_out_chunk,
    "derive": derive.made,
}
_WITH_FONTS = {"release", "lay_out_chunk"}  # these also take the font files already sent
# A layout makes millions of short-lived objects: with Python's default thresholds (700), a
# worker spent 8 % of its time in the cycle collector, 3.4 % with these (12 chunks of 100
# cards, tagged or not), its peak memory the same (a chunk's garbage is collected once it is
# written anyway).
_COLLECTOR_THRESHOLDS = (10_000, 10, 10)


def _answer(call: Call, known_fonts: set[str]) -> tuple[bool, Any]:
    """A call's answer, or the exception it raised (raised again in the process that sent
    it: a worker never stops on one)."""
    name, args = call
    try:
        extra = (known_fonts,) if name in _WITH_FONTS else ()
        return True, _FUNCTIONS[name](*args, *extra)
    except Exception as error:
        return False, error


def _serve(connection: Connection) -> None:
    """A worker process: answers calls until the connection closes. Ctrl-C is for the
    process that started it, which then closes the connection: a worker stops quietly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    gc.freeze()  # what the forkserver imported: never scanned by a collection again
    gc.set_threshold(*_COLLECTOR_THRESHOLDS)
    sent: set[str] = set()  # the font files this worker sent already
    with contextlib.suppress(EOFError, ConnectionError):  # that process is gone
        while True:
            call = connection.recv()
            connection.send(_answer(call, sent))


class Worker:
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


class _Process(Worker):
    def __init__(self, workers: Workers, context: Any) -> None:
        super().__init__(workers)
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()

    def send(self, name: str, *args: Any) -> None:
        self.connection.send((name, args))

    def receive(self) -> Any:
        try:
            return self._unwrap(self.connection.recv())
        except (EOFError, ConnectionError):
            raise RuntimeError(f"a layout process stopped ({self.process.exitcode})") from None

    def close(self) -> None:
        self.connection.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()


class Workers:
    """``jobs`` processes, started by ``start`` or on first use, until ``close`` (before each
    merge: engine._merged); the next call starts them again. With one job, chunks are laid
    out in this process."""

    def __init__(self, jobs: int | None = None) -> None:
        self.jobs = max(1, jobs or os.cpu_count() or 1)
        self.font_files: dict[str, bytes] = {}  # sha256 → file, sent once per worker
        self._all: list[Worker] = []
        self._starting: threading.Thread | None = None

    def start(self) -> None:
        """Starts the processes in the background (importing WeasyPrint takes them a second)
        while this one goes on."""
        if not self._all and self._starting is None:
            self._starting = threading.Thread(target=self._start, daemon=True)
            self._starting.start()

    def all(self) -> list[Worker]:
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        self._start()  # if not started yet, or closed since (watch, after a failed build)
        return self._all

    def _start(self) -> None:
        if not self._all:
            if self.jobs == 1:
                self._all = [_Local(self)]
            else:
                # forkserver: workers start from a process that imported WeasyPrint once,
                # and never from this one's threads (watch) or memory.
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["nomodel.chunk_layout"])
                self._all = [_Process(self, context) for _ in range(self.jobs)]

    def answered(self, busy: Collection[Worker]) -> list[Worker]:
        """The workers of ``busy`` (sent a call not received yet) that answered, once one
        has (waits for it)."""
        local = [worker for worker in busy if not isinstance(worker, _Process)]
        if local or not busy:
            return local
        ready = wait([worker.connection for worker in busy if isinstance(worker, _Process)])
        return [w for w in busy if isinstance(w, _Process) and w.connection in ready]

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
        if self._starting is not None:
            self._starting.join()  # then stopped with the others
            self._starting = None
        for worker in self._all:
            if isinstance(worker, _Process):
                worker.close()
        self._all = []
