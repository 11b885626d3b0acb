"""CLI: python monitor.py predict --input IN.jsonl --output OUT.jsonl

Streams: reads a batch of lines, labels it, writes it, so memory stays bounded by the batch
size whatever the file's length; a progress bar counts the input lines."""
from __future__ import annotations

import json
import sys

from nlp.precision import add_argument as add_precision_argument

HELP = "JSONL 파일 분류 / label a JSONL file (id, title, text per line)"


def add_arguments(parser):
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--model", default=None)
    parser.add_argument("--classifier", default=None)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_precision_argument(parser)


def _count_lines(path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def run(args) -> int:
    from tqdm import tqdm

    from digest.settings import SettingsError
    from nlp.classify import load_classifier
    from nlp.convert import ConversionError
    from nlp.data import LineError, read_jsonl
    from nlp.errors import ModelMissing
    try:
        clf = load_classifier(args.classifier, args.model, precision=args.precision)
    except (ModelMissing, ConversionError, SettingsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        total = _count_lines(args.input)
    except OSError as e:
        print(f"error: cannot read {args.input}: {e.strerror}", file=sys.stderr)
        return 2
    good = bad = 0
    bar = tqdm(total=total, desc="predict", unit="doc", disable=args.no_progress, file=sys.stderr)
    with open(args.output, "w", encoding="utf-8") as out:
        batch = []

        def flush():
            items = [{"title": d.get("title") or "", "text": d["text"], "region": d.get("region")}
                     for d in batch]
            for d, p in zip(batch, clf.predict(items, batch_size=args.batch_size)):
                out.write(json.dumps({**d, **p, "model_version": clf.version}, ensure_ascii=False) + "\n")
            out.flush()
            bar.update(len(batch))
            batch.clear()

        for n, d in read_jsonl(args.input, require=("id", "text")):
            if not isinstance(d, Exception) and not isinstance(d.get("text"), str):
                d = LineError(args.input, n, "field text must be a string")
            if isinstance(d, Exception):
                bar.write(f"error: {d} (skipped)", file=sys.stderr)
                bar.update(1)
                bad += 1
                continue
            batch.append(d)
            good += 1
            if len(batch) >= args.batch_size:
                flush()
        if batch:
            flush()
    bar.close()
    print(f"wrote {good} lines to {args.output}; {bad} bad line(s) skipped", file=sys.stderr)
    return 0 if not bad else 1
