"""Write imported rows into the store: batches, one transaction each, resumable.

The `imports` table has one row per (file sha256, options). Its `rows_done` advances in the
same transaction as each batch of documents, so after Ctrl-C or kill -9 the store holds
whole batches only and a re-run continues after the last one; every save is idempotent, so
even a repeated row changes nothing. A file already imported with the same options is
skipped at once.

Reading, checking and fingerprinting rows (prepare) runs in a second process for large
files, while this one writes: the two halves cost about the same, so a 2-core machine
imports nearly twice as fast.
"""
import ctypes
import dataclasses
import hashlib
import itertools
import json
import multiprocessing
import os
import queue
import signal
import sys
from pathlib import Path

from crawler.dedup import DayWindowIndex, simhash
from importer.records import METADATA, BadRow, Excluded, Record, to_document
from store.documents import backfill_match_keys, save_document
from store.util import dumps, kst_date, utc_now, write_transaction

BATCH = 1000
SHOW_BAD_ROWS = 50                 # bad rows printed one by one; the rest are counted
BACKGROUND_BYTES = 256 * 1024       # files from this size are read in a second process
COUNTS = ("new", "merged", "unchanged", "duplicate", "excluded", "bad")


@dataclasses.dataclass
class Options:
    origin_kind: str            # bigkinds | csv | jsonl
    source: str                 # documents.source of the imported rows
    kind: str = "news"
    text_basis: str = "auto"
    column_map: dict = None

    def key(self):
        return json.dumps(dataclasses.asdict(self), sort_keys=True, ensure_ascii=False)


def default_options(fmt, path, **changes):
    """Options for a file: source 'BigKinds' for BigKinds exports, else the file name."""
    return Options(origin_kind=fmt, source="BigKinds" if fmt == "bigkinds" else Path(path).name, **changes)


def read_file(fmt, path, options, encoding="auto"):
    """(reader, (row number, Record | BadRow | Excluded) generator) for one file; raises FileError."""
    from importer import bigkinds, tabular
    from importer.readers import open_reader
    reader = open_reader(path, encoding)
    if fmt == "bigkinds":
        return reader, bigkinds.records(reader, options.kind)
    return reader, tabular.records(reader, options.column_map, options.kind)


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def prepare(fmt, path, options, encoding, skip, sha):
    """Yield the file's expected row count, then (position, row number, item) after the first
    `skip` rows; item is a BadRow, an Excluded, or (Record, document with its simhash)."""
    reader, records = read_file(fmt, path, options, encoding)
    yield reader.total
    for position, (number, item) in enumerate(records, start=1):
        if position <= skip:
            continue
        if isinstance(item, Record):
            doc = to_document(item, options.source, options.origin_kind, Path(path).name, sha, options.text_basis)
            doc["simhash"] = simhash(doc["body"])
            item = (item, doc)
        yield position, number, item


def import_file(db, fmt, path, options=None, encoding="auto", progress=True, err=None):
    """Import one file; returns a summary dict (status 'done' or 'already', counts, rows).
    Bad rows and the progress bar go to `err` (default: standard error)."""
    from importer.readers import require_file
    path, err = require_file(path), err or sys.stderr
    options = options or default_options(fmt, path)
    sha = file_sha256(path)
    summary = {"file": path.name, "sha256": sha, "status": "done"}
    run = _find_run(db, sha, options)
    if run and run[1] == "done":
        return {**summary, **_stored_counts(db, run[0]), "status": "already", "finished_at": run[3]}
    rows_done = run[2] if run else 0
    args = (fmt, str(path), options, encoding, rows_done, sha)
    items = _in_background(*args) if path.stat().st_size >= BACKGROUND_BYTES else prepare(*args)
    try:
        total = next(items)
        first = next(items, None)  # reads the header: a file that is not what it claims stops here, unrecorded
        run_id = run[0] if run else _new_run(db, sha, options, path.name)
        backfill_match_keys(db)  # documents stored before match keys existed can be found too
        writer = _BatchWriter(db, run_id, path.name, err)
        from tqdm import tqdm
        bar = tqdm(total=total, initial=rows_done, disable=not progress, desc=path.name[:30], unit="행", file=err)
        position = rows_done
        try:
            for position, number, item in itertools.chain([first] if first else [], items):
                writer.pending.append((number, item))
                if len(writer.pending) >= BATCH:
                    bar.update(writer.flush(position))
            bar.update(writer.flush(position))
        finally:
            bar.close()
    finally:
        items.close()
    with write_transaction(db):
        db.execute("UPDATE imports SET status = 'done', finished_at = ? WHERE id = ?", [utc_now(), run_id])
    summary.update(_stored_counts(db, run_id), resumed_from=rows_done)
    if writer.bad_seen > SHOW_BAD_ROWS:
        print(f"… 오류 행 {writer.bad_seen - SHOW_BAD_ROWS}건 더 / {writer.bad_seen - SHOW_BAD_ROWS} more bad rows",
              file=err)
    return summary


def _find_run(db, sha, options):
    """(id, status, rows_done, finished_at) of the earlier import of this file with these options, or None."""
    return db.execute("SELECT id, status, rows_done, finished_at FROM imports WHERE sha256 = ? AND options = ?",
                      [sha, options.key()]).fetchone()


def _new_run(db, sha, options, name):
    with write_transaction(db):
        return db.execute(
            "INSERT INTO imports (sha256, options, file, format, status, started_at) VALUES (?, ?, ?, ?, ?, ?)",
            [sha, options.key(), name, options.origin_kind, "running", utc_now()]).lastrowid


def _stored_counts(db, run_id):
    row = db.execute(f"SELECT rows_done, {', '.join(COUNTS)} FROM imports WHERE id = ?", [run_id]).fetchone()
    return dict(zip(("rows",) + COUNTS, row))


class _BatchWriter:
    def __init__(self, db, run_id, name, err):
        self.db, self.run_id, self.name, self.err = db, run_id, name, err
        self.stories = DayWindowIndex(db)
        self.pending = []
        self.bad_seen = 0

    def flush(self, position):
        """Save the pending rows and the new position in one transaction; returns how many rows."""
        counts = dict.fromkeys(COUNTS, 0)
        for number, item in self.pending:
            if isinstance(item, BadRow):
                counts["bad"] += 1
                self._report(number, item)
            elif isinstance(item, Excluded):
                counts["excluded"] += 1
        with write_transaction(self.db):
            for number, item in self.pending:
                if isinstance(item, tuple):
                    status = self._save(number, *item)
                    counts[{"updated": "merged", "failed": "bad"}.get(status, status)] += 1
            self.db.execute(
                f"UPDATE imports SET rows_done = ?, {', '.join(f'{c} = {c} + ?' for c in COUNTS)} WHERE id = ?",
                [position, *counts.values(), self.run_id])
        done = len(self.pending)
        self.pending = []
        return done

    def _save(self, number, record, doc):
        """One row; a row that fails is reported and the rest goes on (save_document writes
        inside a savepoint, so a failed row leaves nothing behind)."""
        day = kst_date(doc["published_at"])
        doc["cluster_id"] = self.stories.find(doc["body"], doc["simhash"], day)
        try:
            doc_id, status = save_document(self.db, doc)
            if record.metadata or record.source_ref:
                self.db.execute(
                    f"INSERT OR IGNORE INTO document_metadata (document_id, source_ref, {', '.join(METADATA)}) "
                    f"VALUES (?, ?, {', '.join('?' * len(METADATA))})",
                    [doc_id, record.source_ref, *(dumps((record.metadata or {}).get(m)) for m in METADATA)])
        except Exception as exc:  # noqa: BLE001 - one bad row never stops the rest
            self._report(number, f"저장하지 못했습니다 / could not store: {type(exc).__name__}: {exc}")
            return "failed"
        if status in ("new", "duplicate"):
            self.stories.add(doc["simhash"], doc_id, doc["cluster_id"] or doc_id, day)
        return status

    def _report(self, number, error):
        self.bad_seen += 1
        if self.bad_seen <= SHOW_BAD_ROWS:
            print(f"{self.name} 행 {number}: {error} / row {number} skipped", file=self.err)


# ---------------------------------------------------------------- the second process

_DONE = "done"


def _in_background(*args):
    """prepare(*args), computed in a child process and handed over in chunks."""
    context = multiprocessing.get_context("spawn")  # no fork: the parent may hold threads and a DB connection
    channel = context.Queue(maxsize=8)
    child = context.Process(target=_produce, args=(channel, os.getpid(), args), daemon=True)
    child.start()
    try:
        while True:
            try:
                message = channel.get(timeout=5)
            except queue.Empty:
                if not child.is_alive():
                    raise RuntimeError("the file reader process stopped unexpectedly") from None
                continue
            if isinstance(message, BaseException):
                raise message
            if message == _DONE:
                return
            if isinstance(message, list):
                yield from message
            else:
                yield message  # the row count
    finally:
        if child.is_alive():
            child.terminate()
        child.join(5)


def _produce(channel, parent, args, chunk=500):
    """Child process: send prepare()'s items in chunks; stop when the parent is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it ends this process
    try:  # Linux: SIGKILL when the parent dies (kill -9), even while exiting with unsent items queued
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # it died before the line above
        os._exit(0)

    def send(message):
        while True:
            try:
                channel.put(message, timeout=2)
                return
            except queue.Full:
                if os.getppid() != parent:  # the parent died (kill -9): nobody is reading
                    os._exit(0)  # at once: a normal exit would wait to flush the queue

    try:
        items = prepare(*args)
        send(next(items))
        batch = []
        for item in items:
            batch.append(item)
            if len(batch) >= chunk:
                send(batch)
                batch = []
        send(batch)
        send(_DONE)
    except Exception as exc:  # noqa: BLE001 - handed to the parent, which reports it
        from importer.readers import FileError
        send(exc if isinstance(exc, FileError) else RuntimeError(f"{type(exc).__name__}: {exc}"))
