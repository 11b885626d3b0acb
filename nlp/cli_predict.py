"""CLI: python monitor.py predict --input IN.jsonl --output OUT.jsonl

Streams: reads a batch of lines, labels it, writes it, so memory stays bounded by the batch
size whatever the file's length; a progress bar counts the input lines. Each line is checked
on its own (valid JSON, UTF-8, field types); a bad line is reported with its number and
skipped. The output goes to a temporary file beside OUT, renamed at the end, so a failed run
leaves the previous OUT as it was.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from nlp.precision import add_argument as add_precision_argument

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
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_precision_argument(parser)


def _count_lines(path) -> tuple[int, int]:
    """(non-empty lines, of which not UTF-8): the progress bar's total, and a wrongly encoded
    file told apart from a few bad lines before anything is printed."""
    lines = not_utf8 = 0
    with open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                lines += 1
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    not_utf8 += 1
    return lines, not_utf8


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
    from tqdm import tqdm

    from digest.settings import SettingsError
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
        total, not_utf8 = _count_lines(args.input)
    except OSError as e:
        print(f"error: cannot read {args.input}: {e.strerror}", file=sys.stderr)
        return 2
    if total and not_utf8 == total:
        print(f"error: {args.input} is {NOT_UTF8}", file=sys.stderr)
        return 2
    try:
        clf = load_classifier(args.classifier, args.model, precision=args.precision)
    except (ModelMissing, ConversionError, SettingsError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    good = bad = 0
    bar = tqdm(total=total, desc="predict", unit="doc", disable=args.no_progress, file=sys.stderr)
    tmp = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as out:
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
                if not isinstance(d, Exception) and line_problem(d):
                    d = LineError(args.input, n, line_problem(d))
                if isinstance(d, Exception):
                    bad += 1
                    if bad <= SHOWN_ERRORS:
                        bar.write(f"error: {d} (skipped)", file=sys.stderr)
                    bar.update(1)
                    continue
                batch.append(d)
                good += 1
                if len(batch) >= args.batch_size:
                    flush()
            if batch:
                flush()
        bar.close()
        if bad > SHOWN_ERRORS:
            print(f"error: ... and {bad - SHOWN_ERRORS} more bad line(s) (skipped)", file=sys.stderr)
        os.replace(tmp, output)
    except OSError as e:
        print(f"error: cannot write {output}: {e.strerror or e}", file=sys.stderr)
        return 2
    finally:
        bar.close()
        if tmp.exists():
            tmp.unlink()
    print(f"wrote {good} lines to {output}; {bad} bad line(s) skipped", file=sys.stderr)
    return 0 if not bad else 1
