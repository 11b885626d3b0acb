"""Export metadata: what was exported, how, from which model, and when.

It goes into a sidecar `<file>.meta.json` (the export time lives only there, so the data
file itself is byte-identical for the same store and filters) and into API responses.
"""
import dataclasses
import hashlib
import json
import os
from pathlib import Path

from store.queries import search_documents, where_clause
from store.schema import current_version
from store.util import utc_now

GENERATOR = "자치경찰 언론·여론 모니터 (monitor.py export)"
DICTIONARY = "docs/data-dictionary.md"
UNLABELLED = "(unlabelled)"


def model_versions(db, filters):
    """{model_version: documents} over the filtered documents ('(unlabelled)' for none)."""
    params = []
    sql = f"""SELECT COALESCE(l.model_version, '{UNLABELLED}') AS version, COUNT(*) AS n
              FROM documents d LEFT JOIN labels l ON l.document_id = d.id
              WHERE {where_clause(filters, params)} GROUP BY version ORDER BY version"""
    return {r["version"]: r["n"] for r in db.query(sql, params)}


def describe(db, dataset, filters, parameters, columns, rows, matched=None, versions=None):
    """Metadata shared by files and API responses (no export time: `stamp` adds it).
    `matched`, `versions`: the documents passing the filters and their model versions,
    when the caller has counted them."""
    return {
        "dataset": dataset,
        "generator": GENERATOR,
        "data_dictionary": DICTIONARY,
        "parameters": parameters,
        "filters": dataclasses.asdict(filters),
        "documents_matched": search_documents(db, filters, limit=0)[1] if matched is None else matched,
        "model_versions": model_versions(db, filters) if versions is None else versions,
        "store_schema_version": current_version(db),
        "row_count": rows,
        "columns": [{"name": name, "type": kind} for name, kind in columns],
    }


def stamp(meta):
    return {**meta, "exported_at": utc_now()}


def sidecar_path(path):
    return Path(str(path) + ".meta.json")


def write_sidecar(path, meta):
    """Write `<path>.meta.json` with the file's size and SHA-256 added; returns its path."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    meta = stamp({**meta, "file": Path(path).name, "bytes": Path(path).stat().st_size,
                  "sha256": digest.hexdigest()})
    target = sidecar_path(path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")  # renamed into place: never half written
    try:
        tmp.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target
