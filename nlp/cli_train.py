"""CLI: python monitor.py train"""
from __future__ import annotations

import sys

from nlp.precision import add_argument as add_precision_argument

HELP = "분류기 학습 (시드 데이터 + 사람 주석) / train the classifier heads"


def add_arguments(parser):
    parser.add_argument("--model", default=None,
                        help="encoder: local HF folder or hub id (default: converted multilingual-e5-small)")
    parser.add_argument("--out", default=None, help="bundle directory (default models/classifier)")
    parser.add_argument("--no-annotations", action="store_true",
                        help="train on the seed data only, ignoring human annotations in the store")
    add_precision_argument(parser)


def run(args) -> int:
    from nlp.convert import ConversionError
    from nlp.errors import ModelMissing
    from nlp.classify import train_classifier
    try:
        db = None
        if not args.no_annotations:
            import store
            db = store.open_db(getattr(args, "db", None))
        clf = train_classifier(args.model, args.out, db=db, use_annotations=not args.no_annotations,
                               precision=args.precision)
    except (ModelMissing, ConversionError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(f"trained classifier version {clf.version} ({clf.meta['n_train']} items)")
    return 0
