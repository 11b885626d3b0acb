"""CLI: python monitor.py predict --input IN.jsonl --output OUT.jsonl

Each line is checked on its own (valid JSON, UTF-8, field types); a bad line is reported
with its number and skipped. The output is written to a temporary file beside OUT and
renamed at the end, so a failed run leaves the previous OUT as it was.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

HELP = "JSONL 파일 분류 / label a JSONL file (id, title, text per line)"
SHOWN_ERRORS = 20  # bad lines reported one by one; the rest are counted


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_arguments(parser):
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--model", default=None)
    parser.add_argument("--classifier", default=None)
    parser.add_argument("--batch-size", type=positive_int, default=32)


def output_problem(path: Path) -> str | None:
    if path.is_dir():
        return f"--output {path} is a directory; give a file name"
    if not path.parent.is_dir():
        return f"the folder of --output {path} does not exist"
    return None


def line_problem(d: dict) -> str | None:
    """What is wrong with the fields of one input line, or None."""
    if not isinstance(d.get("text"), str):
        return "field text must be a string"
    if d.get("title") is not None and not isinstance(d["title"], str):
        return f"field title must be a string, not {type(d['title']).__name__}"
    if isinstance(d.get("id"), bool) or not isinstance(d.get("id"), (str, int)):
        return "field id must be a string or a whole number"
    if d.get("region") is not None and not isinstance(d["region"], str):
        return "field region must be a string"
    return None


def run(args) -> int:
    from nlp.classify import load_classifier
    from nlp.convert import ConversionError
    from nlp.data import NOT_UTF8, LineError, read_jsonl
    from nlp.errors import ModelMissing
    output = Path(args.output)
    problem = output_problem(output)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    try:
        clf = load_classifier(args.classifier, args.model)
    except (ModelMissing, ConversionError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    good, bad = [], []
    try:
        lines = list(read_jsonl(args.input, require=("id", "text")))
    except OSError as e:
        print(f"error: cannot read {args.input}: {e.strerror}", file=sys.stderr)
        return 2
    for n, d in lines:
        if not isinstance(d, Exception) and line_problem(d):
            d = LineError(args.input, n, line_problem(d))
        (bad if isinstance(d, Exception) else good).append(d)
    if bad and not good and all(NOT_UTF8 in str(e) for e in bad):
        print(f"error: {args.input} is {NOT_UTF8}", file=sys.stderr)
        return 2
    for e in bad[:SHOWN_ERRORS]:
        print(f"error: {e} (skipped)", file=sys.stderr)
    if len(bad) > SHOWN_ERRORS:
        print(f"error: ... and {len(bad) - SHOWN_ERRORS} more bad line(s) (skipped)", file=sys.stderr)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as out:
            for s in range(0, len(good), args.batch_size):
                batch = good[s:s + args.batch_size]
                items = [{"title": d.get("title") or "", "text": d["text"], "region": d.get("region")}
                         for d in batch]
                for d, p in zip(batch, clf.predict(items, batch_size=args.batch_size)):
                    out.write(json.dumps({**d, **p, "model_version": clf.version},
                                         ensure_ascii=False) + "\n")
        os.replace(tmp, output)
    except OSError as e:
        print(f"error: cannot write {output}: {e.strerror or e}", file=sys.stderr)
        return 2
    finally:
        if tmp.exists():
            tmp.unlink()
    print(f"wrote {len(good)} lines to {output}; {len(bad)} bad line(s) skipped", file=sys.stderr)
    return 0 if not bad else 1
