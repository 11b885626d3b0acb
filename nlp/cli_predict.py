"""CLI: python monitor.py predict --input IN.jsonl --output OUT.jsonl"""
from __future__ import annotations

import json
import sys

HELP = "JSONL 파일 분류 / label a JSONL file (id, title, text per line)"


def add_arguments(parser):
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--model", default=None)
    parser.add_argument("--classifier", default=None)
    parser.add_argument("--batch-size", type=int, default=32)


def run(args) -> int:
    from nlp.classify import load_classifier
    from nlp.convert import ConversionError
    from nlp.data import LineError, read_jsonl
    from nlp.errors import ModelMissing
    try:
        clf = load_classifier(args.classifier, args.model)
    except (ModelMissing, ConversionError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    good, bad = [], 0
    try:
        lines = list(read_jsonl(args.input, require=("id", "text")))
    except OSError as e:
        print(f"error: cannot read {args.input}: {e.strerror}", file=sys.stderr)
        return 2
    for n, d in lines:
        if not isinstance(d, Exception) and not isinstance(d.get("text"), str):
            d = LineError(args.input, n, "field text must be a string")
        if isinstance(d, Exception):
            print(f"error: {d} (skipped)", file=sys.stderr)
            bad += 1
            continue
        good.append(d)
    with open(args.output, "w", encoding="utf-8") as out:
        for s in range(0, len(good), args.batch_size):
            batch = good[s:s + args.batch_size]
            items = [{"title": d.get("title") or "", "text": d["text"], "region": d.get("region")}
                     for d in batch]
            for d, p in zip(batch, clf.predict(items, batch_size=args.batch_size)):
                out.write(json.dumps({**d, **p, "model_version": clf.version},
                                     ensure_ascii=False) + "\n")
    print(f"wrote {len(good)} lines to {args.output}; {bad} bad line(s) skipped", file=sys.stderr)
    return 0 if not bad else 1
