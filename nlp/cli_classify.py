"""CLI: python monitor.py classify"""
from __future__ import annotations

import json
import sys

from nlp.cli_predict import positive_int
from nlp.precision import add_argument as add_precision_argument

HELP = "새 문서/오래된 문서 분류 / classify new or stale documents in the store"


def add_arguments(parser):
    parser.add_argument("--model", default=None, help="encoder: local HF folder or hub id")
    parser.add_argument("--classifier", default=None, help="classifier bundle directory")
    parser.add_argument("--batch-size", type=positive_int, default=32)
    parser.add_argument("--limit", type=positive_int, default=None)
    parser.add_argument("--reclassify", action="store_true",
                        help="classify every document again, even if this version already did "
                             "(cached embeddings are reused: only the heads run)")
    parser.add_argument("--no-cache", action="store_true",
                        help="do not read or write the store's embedding cache")
    add_precision_argument(parser)


def run(args) -> int:
    import store
    from nlp.classify import classify_pending
    from nlp.convert import ConversionError
    from digest.settings import SettingsError
    from nlp.errors import ModelMissing
    try:
        db = store.open_db(getattr(args, "db", None))
        counts = classify_pending(db, classifier_dir=args.classifier, model=args.model,
                                  batch_size=args.batch_size, limit=args.limit,
                                  reclassify=args.reclassify, precision=args.precision,
                                  cache=not args.no_cache)
    except (ModelMissing, ConversionError, SettingsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(counts, ensure_ascii=False))
    return 1 if counts["failed"] and not counts["classified"] else 0
