"""The booklet laid out in chunks, on every core, and only what changed (``--jobs``, cache).

The chunks (chunks.py) are laid out in page order, by ``jobs`` worker processes (one: in this
process). A chunk's pages depend on where it starts (its first page number and side) and on
the page numbers it prints of other chunks (sommaire, cross-references): it is laid out with
the best knowledge at hand — exact for every chunk whose predecessors are done, else the
page counts of the previous build (cache) or an estimate from the chunks already laid out —
and laid out again until every chunk was laid out with what the others turned out to be (the
sommaire once more, on a first build: its numbers come last). Each result is kept in the cache
under a key holding all of that, so that an edit lays out only the chunks it changed or moved.
The chunks' PDFs are then merged (merge.py) into the booklet's PDF in each variant asked for.
No worker keeps a layout once its chunk is written: memory follows the chunk, not the book.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import chunks as chunks_module
from .cache import Cache, Previous
from .checks import resource_policy
from .chunk_layout import ChunkJob, ChunkResult, Laid
from .chunks import Book, Chunk, Marks, Start, chunk_html, chunks, cut, metadata_html, references
from .fetch import Refused
from .layout import SandboxedFetcher
from .memory import give_back
from .merge import Merger, Part
from .project import Theme
from .workers import Worker, Workers
from .write import document_uuid

MAX_ROUNDS = 6  # a page count that keeps changing the numbers it depends on: give up there


@dataclass(frozen=True)
class Settings:
    content_dir: Path
    allow_remote: bool
    bleed_mm: float
    variants: tuple[str | None, ...]
    pad: bool  # to a multiple of 4 pages, before the colophon
    trim: bool = True  # the PDFs cut at the trim; else with the bleed (a print master)

    def job(self, html: str, pad: bool = False) -> ChunkJob:
        """The layout of ``html`` with these settings (``pad``: the booklet is one chunk)."""
        return ChunkJob(
            html,
            self.content_dir,
            self.allow_remote,
            self.bleed_mm,
            self.variants,
            pad=pad,
            trim=self.trim,
        )


@dataclass
class Booklet:
    pdfs: dict[str | None, bytes]
    pages: int
    results: list[ChunkResult]
    starts: list[int]  # the number of each result's first page
    laid_out_cards: int  # cards laid out by this build (the others came from the cache)


Numbers = tuple[tuple[str, int], ...]  # anchor of another chunk → its page number


@dataclass
class _Plan:
    book: Book
    parts: list[Chunk]
    owner: dict[str, int]  # anchor → index of its chunk
    pages: list[int | None] = field(default_factory=list)
    results: list[ChunkResult | None] = field(default_factory=list)
    keys: list[str | None] = field(default_factory=list)  # the cache key each was laid out with
    anchors: list[dict[str, int]] = field(default_factory=list)  # name → page in the chunk
    # (chunk, first page, page numbers) → its cache key, in this build (_key_at)
    start_keys: dict[tuple[int, int, Numbers], str] = field(default_factory=dict)
    sent: int = 0  # chunks sent to the workers by this build, in all its rounds
    head: _Head | None = None  # the booklet's head, laid out by a worker left without a chunk
    # _pagination's answer, and the page counts it was made with
    paginated: tuple[list[int | None], tuple[list[int], list[int]]] | None = None

    def __post_init__(self) -> None:
        count = len(self.parts)
        self.pages, self.results, self.keys = [None] * count, [None] * count, [None] * count
        self.anchors = [{} for _ in range(count)]
        self.sizes = [len(part.key_text(self.book)) for part in self.parts]
        self.names = frozenset(self.owner)
        # The anchors of the other chunks, for each.
        self.elsewhere = [
            self.names - {n for u in self.book.units[p.first : p.last] for n in u.ids}
            for p in self.parts
        ]
        self.cards = [
            sum(u.kind == "card" for u in self.book.units[p.first : p.last]) for p in self.parts
        ]
        # The anchors of other chunks that each prints the page of: read once, not at each
        # key computed (0.4 s of a one-card rebuild at 500 cards).
        self.references = [
            references(self.book, part, elsewhere)
            for part, elsewhere in zip(self.parts, self.elsewhere, strict=True)
        ]
        # What identifies a chunk from one build to the next: its first card, section…
        self.names_of = [
            next(iter(self.book.units[p.first].ids), f"#{i}") for i, p in enumerate(self.parts)
        ]
        self.previous: dict[str, Previous] = {}  # its pages and anchors in the previous build
        # A card that starts on a right-hand page (base.html.j2, booklet.css: cards-recto).
        recto = 'class="cards-recto"' in self.book.prefix
        self.recto = [recto and self.book.units[p.first].kind == "card" for p in self.parts]
        self.closing = next(
            (i for i, part in enumerate(self.parts) if self.book.units[part.first].kind == "back"),
            None,
        )


def in_chunks(cards: int) -> bool:
    """Whether a booklet of ``cards`` is laid out in chunks, on the workers: a small one is
    laid out at once, in the build's process, which costs less than the chunks'."""
    return cards > 2 * chunks_module.CARDS_PER_CHUNK


def lay_out_booklet(
    html: str, marks: Marks, settings: Settings, workers: Workers, cache: Cache
) -> Booklet:
    book = cut(html, marks)
    parts = [part for part in chunks(book) if part.key_text(book).strip()] if book else []
    cards = sum(unit.kind == "card" for unit in book.units) if book else 0
    if book is None or not in_chunks(cards):
        # A base template without marks cannot be cut in chunks.
        return _whole(marks.strip(html), cards, settings, workers, cache)
    workers.start()  # if not started yet: while the chunks' keys are computed
    owner = {
        name: i
        for i, part in enumerate(parts)
        for u in book.units[part.first : part.last]
        for name in u.ids
    }
    plan = _Plan(book, parts, owner)
    plan.previous = cache.previous_layout()
    # Until a chunk is laid out, others print the pages its anchors had in the previous build.
    plan.anchors = [dict(plan.previous.get(name, (0, {}))[1]) for name in plan.names_of]
    hashes = _Hashes(settings)
    plan.head = head = _Head.of(metadata_html(book), settings, cache, hashes)
    merging = _Merging(settings.variants)
    try:
        laid_out = _rounds(plan, settings, workers, cache, hashes, merging)
        results = [result for result in plan.results if result is not None]
        cache.keep_layout(
            {name: (plan.pages[i], plan.anchors[i]) for i, name in enumerate(plan.names_of)}
        )
        starts, blanks = _pagination(plan, settings)
        pages = sum(result.pages for result in results) + sum(blanks)
        # The booklet's metadata, from its head alone (not laid out again when only its date
        # moved), on a worker: they are started, this process is not warm. Laid out in a
        # round unless no round laid anything out.
        metadata = (
            head.result
            or _laid_out_once(head.job.html, False, settings, workers, cache, hashes, False)[0]
        )
        document_id = document_uuid(metadata.title, metadata.modified, pages)
        pdfs = _merged(_all_parts(plan, settings), metadata, document_id, workers, cache, merging)
    finally:
        merging.close()
    return Booklet(pdfs, pages, results, starts, sum(_cards(plan, i) for i in laid_out))


def _rounds(
    plan: _Plan,
    settings: Settings,
    workers: Workers,
    cache: Cache,
    hashes: _Hashes,
    merging: _Merging,
) -> set[int]:
    """Lays out, round after round, the chunks whose key changed with the pages of the
    others, until none does; returns the chunks laid out (the others came from the cache).
    ``merging`` may begin meanwhile (``_round``)."""
    laid_out: set[int] = set()
    # WeasyPrint's own repagination stops after a few loops too (layout_document).
    for _ in range(MAX_ROUNDS):
        starts = _starts(plan, settings)
        todo = [
            i for i in range(len(plan.parts)) if plan.keys[i] != _key_now(plan, i, starts, settings)
        ]
        # What prints other chunks' page numbers (the sommaire) goes last when its page
        # count is known from the previous build: it is then laid out once, not twice.
        late = [i for i in todo if plan.names_of[i] in plan.previous and _refers(plan, i)]
        todo = [i for i in todo if i not in late] + late
        if not todo:
            break
        try:
            state = _Round(plan, settings, cache, hashes, list(todo), set(todo), merging)
            laid_out |= _round(state, workers)
        except BaseException:
            workers.close()  # they may still hold chunks or owe answers: started anew
            raise
    return laid_out


def _parts(plan: _Plan, settings: Settings) -> list[Part | None]:
    """The booklet's parts, in order: each chunk's result (None: still to lay out), after
    the blank pages before it (``_pagination``)."""
    parts: list[Part | None] = []
    for result, blank in zip(plan.results, _pagination(plan, settings)[1], strict=True):
        if blank:
            parts.append(Part(None, blank))
        parts.append(None if result is None else Part(result))
    return parts


def _all_parts(plan: _Plan, settings: Settings) -> list[Part]:
    parts = _parts(plan, settings)
    done = [part for part in parts if part is not None]
    if len(done) < len(parts):  # _rounds lays every chunk out or takes it from the cache
        raise RuntimeError("a chunk was neither laid out nor taken from the cache")
    return done


class _Merging:
    """The booklet's merge in each variant, begun with the parts at hand while the chunks
    an edit changed are laid out: those before the first chunk still laid out in order,
    those after it ahead (``Merger.add_ahead``), to be copied in order once it is there. If
    a part joined in order turns out otherwise (laid out again in a later round, or after
    other blank pages), begun again at the end."""

    def __init__(self, variants: tuple[str | None, ...]) -> None:
        self.variants = variants
        self._begin_anew()

    def _begin_anew(self) -> None:
        self.mergers = {variant: Merger(variant) for variant in self.variants}
        self.joined: list[Part] = []

    def join_next(self, parts: Sequence[Part | None]) -> bool:
        """Joins the next of ``parts`` (None: a chunk still laid out) if the parts joined
        begin them, else the first chunk after it not joined yet, ahead; whether it did."""
        count = len(self.joined)
        if len(parts) <= count or not self._begin(parts):
            return False
        part = parts[count]
        if part is not None:
            self._join(part)
            return True
        later = (
            each
            for each in parts[count + 1 :]
            if each is not None
            and each.result is not None
            and not any(merger.holds_aside(each.result) for merger in self.mergers.values())
        )
        aside = next(later, None)
        if aside is None:
            return False
        for merger in self.mergers.values():
            merger.add_ahead(aside)
        return True

    def merged(
        self,
        parts: list[Part],
        metadata: ChunkResult,
        document_id: uuid.UUID,
        files: dict[str, bytes],
    ) -> dict[str | None, bytes]:
        """The booklet's PDFs, with every part of ``parts``: what was joined ahead is kept
        if it is their beginning."""
        if not self._begin(parts):
            self.close()
            self._begin_anew()
        for part in parts[len(self.joined) :]:
            self._join(part)
        merged = {
            variant: merger.finish(metadata, document_id, files)
            for variant, merger in self.mergers.items()
        }
        # Nothing of the merged PDFs kept: qpdf frees their objects only when nothing refers
        # to them (the booklet's objects held 170 MB more through the outputs at 1832 pages).
        self.mergers, self.joined = {}, []
        return merged

    def close(self) -> None:
        for merger in self.mergers.values():
            merger.close()

    def _begin(self, parts: Sequence[Part | None]) -> bool:
        """Whether the parts joined are the first of ``parts``."""
        count = len(self.joined)
        return len(parts) >= count and all(
            part is not None and joined.result is part.result and joined.blank == part.blank
            for joined, part in zip(self.joined, parts[:count], strict=True)
        )

    def _join(self, part: Part) -> None:
        for merger in self.mergers.values():
            merger.add(part)
        self.joined.append(part)


@dataclass
class _Head:
    """The booklet's head (its metadata: chunks.metadata_html), when the cache lacks it,
    laid out in a round by a worker process left without a chunk: after an edit, once it
    has laid out the edited chunk, while this process joins the others (not by the layout
    thread: this process is not warm, WeasyPrint's first layout here sets up its fonts)."""

    job: ChunkJob
    key: str
    result: ChunkResult | None  # found in the cache, or laid out
    sent: bool = False

    @classmethod
    def of(cls, html: str, settings: Settings, cache: Cache, hashes: _Hashes) -> _Head:
        key = _once_key(html, False, settings)
        return cls(settings.job(html), key, cache.get(key, hashes))


MAX_HELD = 2  # chunks a worker keeps laid out while the pages before them are not all known


@dataclass(frozen=True)
class _Call:
    """What a worker was sent: a chunk to lay out ("hold") or to write ("release"), with
    the first page and page numbers it is laid out with."""

    kind: str
    chunk: int
    page: int
    numbers: Numbers
    exact: bool  # the page counts before it were known


@dataclass
class _Round:
    """The chunks of one round as they go: waiting, laid out and held by a worker, done."""

    plan: _Plan
    settings: Settings
    cache: Cache
    hashes: _Hashes
    waiting: list[int]
    unsettled: set[int]  # not laid out yet in this round: the pages after them may move
    merging: _Merging
    unusable: set[int] = field(default_factory=set)  # looked up in the cache, not usable there
    held: dict[int, tuple[Worker, _Call]] = field(default_factory=dict)
    calls: dict[Worker, _Call] = field(default_factory=dict)
    laid_out: set[int] = field(default_factory=set)

    def known(self, i: int) -> bool:
        """Whether the page counts of every chunk before ``i`` are known."""
        return all(j >= i for j in self.unsettled)


def _round(state: _Round, workers: Workers) -> set[int]:
    """Lays out the round's chunks (``state.waiting``) on the workers, each chunk as soon as
    one is free, with the start it has if the page counts still unknown before it are as
    guessed (``_pagination``). Once they are known, the worker holding the chunk writes it
    with its true start: its pages do not depend on it (booklet.css mirrors the margins of
    left and right pages), only its folios and their side, which the worker makes again
    (``compat.renumbered``) instead of laying the chunk out again. Chunks found in the cache
    are taken from it. While the workers lay out an edit's chunks, ``merging`` joins the
    parts at hand, one between two looks at the workers. Returns the chunks laid out."""
    plan, merging = state.plan, state.merging
    while state.waiting or state.held or state.calls or _head_due(state, workers):
        idle = [worker for worker in workers.all() if worker not in state.calls]
        while any(_give_work(state, worker) for worker in idle if worker not in state.calls):
            pass  # again: what one took from the cache may let another write what it holds
        if not state.calls and (state.waiting or state.held):  # a fault of this scheduler
            raise RuntimeError(f"chunks {state.waiting} and {list(state.held)} left undone")
        joined = _merge_ahead(state, workers) and merging.join_next(_parts(plan, state.settings))
        for worker in workers.answered(list(state.calls), block=not joined):
            _take_answer(state, worker, workers)
    return state.laid_out


def _merge_ahead(state: _Round, workers: Workers) -> bool:
    """Whether the merge may begin: every chunk of the round sent or found in the cache, and
    this build lays out no more chunks than there are workers (an edit's), in all its
    rounds. Not after a whole book's layout (its second round, for the sommaire's page
    numbers): the merge would hold its memory beside the workers' (issue 14's bounds)."""
    return not state.waiting and state.plan.sent <= workers.jobs


def _give_work(state: _Round, worker: Worker) -> bool:
    """Sends ``worker`` its next call, if any: writing a chunk it holds whose start is now
    known, else laying out the next chunk the cache has no entry for, at most MAX_HELD
    ahead of what is known. With none to send, takes from the cache the chunks it holds:
    after the sends, so that the workers lay out meanwhile (an edit's chunk was sent after
    a hundred entries were read). Whether it did anything."""
    plan = state.plan
    for i, (holder, laid) in state.held.items():
        if holder is worker and state.known(i):
            page = _starts(plan, state.settings)[i]
            flip = (page - laid.page) % 2 == 1
            worker.send("release", i, page - laid.page, flip)
            state.calls[worker] = replace(laid, kind="release", page=page, exact=True)
            del state.held[i]
            return True
    holding = sum(holder is worker for holder, _ in state.held.values())
    ready = [i for i in state.waiting if holding < MAX_HELD or state.known(i)]
    starts = _starts(plan, state.settings)
    chunk = next((i for i in ready if not _cached(state, i, starts)), None)
    if chunk is None:
        return _taken_from_cache(state) or _head_sent(state, worker)
    state.waiting.remove(chunk)
    numbers = _numbers(plan, chunk, starts)
    job = state.settings.job(_chunk_html(plan, chunk, starts[chunk], numbers))
    worker.send("hold", chunk, job)
    plan.sent += 1
    state.calls[worker] = _Call("hold", chunk, starts[chunk], numbers, state.known(chunk))
    return True


def _cached(state: _Round, i: int, starts: list[int]) -> bool:
    """Whether the cache has an entry for chunk ``i`` as the pages before it stand now (not
    read: it may still turn out unusable)."""
    key = _key_now(state.plan, i, starts, state.settings)
    return i not in state.unusable and state.cache.holds(key)


def _taken_from_cache(state: _Round) -> bool:
    """Takes from the cache, in order, the waiting chunks it has; whether it took any, or
    found any it cannot use (then laid out: ``unusable``)."""
    done = False
    for i in [i for i in state.waiting if i not in state.unusable]:
        done = True
        if _from_cache(state.plan, i, state.settings, state.cache, state.hashes):
            state.waiting.remove(i)
            state.unsettled.discard(i)
        else:
            state.unusable.add(i)
    return done


def _head_due(state: _Round, workers: Workers) -> bool:
    """Whether the booklet's head is still to send to a worker process."""
    head = state.plan.head
    due = head is not None and head.result is None and not head.sent
    return due and any(worker.apart for worker in workers.all())


def _head_sent(state: _Round, worker: Worker) -> bool:
    """Sends ``worker``, a process, the booklet's head, if still to lay out; whether it
    did."""
    head = state.plan.head
    if head is None or not (worker.apart and _head_due(state, worker.workers)):
        return False
    worker.send("lay_out_chunk", head.job)
    head.sent = True
    state.calls[worker] = _Call("head", -1, 0, (), exact=True)
    return True


def _take_answer(state: _Round, worker: Worker, workers: Workers) -> None:
    call = state.calls.pop(worker)
    answer = worker.receive()
    plan, i = state.plan, call.chunk
    if call.kind == "head":
        assert plan.head is not None  # sent by _head_sent only
        plan.head.result = answer
        _keep(answer, plan.head.key, workers, state.cache)
    elif call.kind == "hold":
        laid: Laid = answer
        plan.pages[i], plan.anchors[i] = laid.pages, laid.anchors
        if call.exact or not laid.sided:  # else its page count may change with its side
            state.unsettled.discard(i)
        state.held[i] = (worker, call)
    elif answer is None:  # on its other side it is laid out otherwise: laid out again
        state.waiting.insert(0, i)
        state.unsettled.add(i)
    else:
        state.unsettled.discard(i)  # its start was known: so is its side, and its pages
        key = _key_at(plan, i, call.page, call.numbers, state.settings)
        _keep(answer, key, workers, state.cache)
        _done(plan, i, key, answer)
        state.laid_out.add(i)


def _from_cache(plan: _Plan, i: int, settings: Settings, cache: Cache, hashes: _Hashes) -> bool:
    key = _key_now(plan, i, _starts(plan, settings), settings)
    found = cache.get(key, hashes)
    if found is not None:
        _done(plan, i, key, found)
    return found is not None


def _keep(result: ChunkResult, key: str, workers: Workers, cache: Cache) -> None:
    """Keeps the fonts a worker sent, and the chunk in the cache unless it has problems
    (the build stops: nothing of it is kept)."""
    workers.font_files.update(result.font_files)
    for sha, data in result.font_files.items():
        cache.put_font(sha, data)
    if not (result.tables or result.refused or result.problems):
        cache.put(key, result)


def _done(plan: _Plan, i: int, key: str, result: ChunkResult) -> None:
    plan.results[i], plan.pages[i], plan.keys[i] = result, result.pages, key
    plan.anchors[i] = result.anchors


def _cards(plan: _Plan, i: int) -> int:
    return plan.cards[i]


def _starts(plan: _Plan, settings: Settings) -> list[int]:
    return _pagination(plan, settings)[0]


def _pagination(plan: _Plan, settings: Settings) -> tuple[list[int], list[int]]:
    """The number of each chunk's first page, and the blank pages before it: one before a
    card that must start on a right-hand page (``cards_start: recto``), the padding to a
    multiple of 4 before the colophon. Made again only when a page count changed: a round
    asks between two joins, two hundred times after an edit at 500 cards."""
    if plan.paginated is None or plan.paginated[0] != plan.pages:
        plan.paginated = (list(plan.pages), _paginate(plan, settings))
    return plan.paginated[1]


def _paginate(plan: _Plan, settings: Settings) -> tuple[list[int], list[int]]:
    """``_pagination``, made. Page counts not known yet are guessed from the chunks laid out
    so far (their pages per character of HTML)."""
    done = [i for i, pages in enumerate(plan.pages) if pages is not None and plan.cards[i]]
    ratio = sum(plan.pages[i] or 0 for i in done) / max(1, sum(plan.sizes[i] for i in done))
    counts = [
        pages
        if pages is not None
        else _previous_pages(plan, i) or max(1, round(plan.sizes[i] * ratio))
        for i, pages in enumerate(plan.pages)
    ]
    starts, blanks, page = [], [], 1
    for i, count in enumerate(counts):
        blank = 1 if plan.recto[i] and page % 2 == 0 else 0
        if i == plan.closing and settings.pad:
            blank = -(page - 1 + sum(counts[i:])) % 4
        page += blank
        starts.append(page)
        blanks.append(blank)
        page += count
    return starts, blanks


def _previous_pages(plan: _Plan, i: int) -> int:
    return plan.previous.get(plan.names_of[i], (0, {}))[0]


def _numbers(plan: _Plan, i: int, starts: list[int]) -> tuple[tuple[str, int], ...]:
    numbers = []
    for name in plan.references[i]:
        j = plan.owner[name]
        numbers.append((name, starts[j] + plan.anchors[j].get(name, 0)))
    return tuple(numbers)


def _refers(plan: _Plan, i: int) -> bool:
    return bool(plan.references[i])


def _key_now(plan: _Plan, i: int, starts: list[int], settings: Settings) -> str:
    """The cache key of chunk ``i`` as the pages before it stand now."""
    return _key_at(plan, i, starts[i], _numbers(plan, i, starts), settings)


def _key_at(plan: _Plan, i: int, page: int, numbers: Numbers, settings: Settings) -> str:
    """The cache key of chunk ``i`` laid out from ``page`` with ``numbers``, its HTML made
    once per build for each start: a build asks each chunk's key two or three times, and
    making its HTML each time was a tenth of a one-card rebuild at 500 cards."""
    start = (i, page, numbers)
    if start not in plan.start_keys:
        plan.start_keys[start] = _key(_chunk_html(plan, i, page, numbers), settings)
    return plan.start_keys[start]


def _chunk_html(plan: _Plan, i: int, page: int, numbers: Numbers) -> str:
    return chunk_html(plan.book, plan.parts[i], Start(page, numbers), plan.elsewhere[i])


def _key(html: str, settings: Settings) -> str:
    return Cache.key(html, repr(settings.variants), repr(settings.bleed_mm), repr(settings.trim))


def _once_key(html: str, pad: bool, settings: Settings) -> str:
    """The key of ``html`` laid out as a whole (``_laid_out_once``)."""
    return _key(html + f"pad={pad}", settings)


class _Hashes:
    """sha256 of what a URL holds now, read once per build (for the cache's checks)."""

    def __init__(self, settings: Settings) -> None:
        policy = resource_policy(settings.content_dir, settings.allow_remote)
        self.fetcher = SandboxedFetcher(policy, Theme.of(settings.content_dir))
        self.known: dict[str, str | None] = {}

    def __call__(self, url: str) -> str | None:
        if url not in self.known:
            try:
                data = self.fetcher.fetch(url).read()
                self.known[url] = hashlib.sha256(data).hexdigest()
            except (OSError, Refused):
                self.known[url] = None
        return self.known[url]


def _merged(
    parts: list[Part],
    metadata: ChunkResult,
    document_id: uuid.UUID,
    workers: Workers,
    cache: Cache,
    merging: _Merging,
) -> dict[str | None, bytes]:
    """The booklet's PDF in each variant, ``merging`` finished with ``parts``, with the
    catalog and metadata of ``metadata``'s PDF. The workers rest first: merging is what
    needs the most memory in this process, and idle workers would keep theirs meanwhile
    (hundreds of MB)."""
    results = [part.result for part in parts if part.result is not None]
    files = _fonts(results, workers, cache)
    workers.rest()
    merged = merging.merged(parts, metadata, document_id, files)
    give_back()  # what the merge freed, before the workers make the outputs beside this one
    return merged


def _fonts(results: list[ChunkResult], workers: Workers, cache: Cache) -> dict[str, bytes]:
    files = {}
    for sha in {use.file for result in results for use in result.fonts}:
        data = workers.font_files.get(sha) or cache.font(sha)
        if data is None:
            raise RuntimeError(f"the font file {sha} is neither known nor cached")
        files[sha] = data
    return files


def _whole(html: str, cards: int, settings: Settings, workers: Workers, cache: Cache) -> Booklet:
    """The booklet as one chunk, padded by layout.py (a small one, or a project's own base
    template without the marks)."""
    hashes = _Hashes(settings)
    result, laid = _laid_out_once(html, settings.pad, settings, workers, cache, hashes, here=True)
    document_id = document_uuid(result.title, result.modified, result.pages)
    merging = _Merging(settings.variants)
    try:
        pdfs = _merged([Part(result)], result, document_id, workers, cache, merging)
    finally:
        merging.close()
    return Booklet(pdfs, result.pages, [result], [1], cards if laid else 0)


def _laid_out_once(
    html: str,
    pad: bool,
    settings: Settings,
    workers: Workers,
    cache: Cache,
    hashes: _Hashes,
    here: bool,
) -> tuple[ChunkResult, bool]:
    """``html`` laid out in this process (``here``) or by a worker, or found in the cache;
    whether it was laid out."""
    key = _once_key(html, pad, settings)
    result = cache.get(key, hashes)
    if result is not None:
        return result, False
    job = settings.job(html, pad=pad)
    result = workers.here("lay_out_chunk", job) if here else workers.call("lay_out_chunk", job)
    _keep(result, key, workers, cache)
    return result, True
