"""CLI: python monitor.py evaluate --gold FILE.jsonl"""
from __future__ import annotations

import json
import sys

from nlp.precision import add_argument as add_precision_argument

HELP = "모델 평가 (기준선 포함) / evaluate the classifier and two baselines on a gold file"


def add_arguments(parser):
    parser.add_argument("--gold", required=True, help="gold JSONL (seed-style or real_dev-style)")
    parser.add_argument("--model", default=None)
    parser.add_argument("--classifier", default=None)
    parser.add_argument("--no-baselines", action="store_true")
    add_precision_argument(parser)


def evaluate_file(gold_path, classifier_dir=None, model=None, baselines=True, log=None,
                  precision=None) -> dict:
    from nlp.classify import load_classifier, training_items
    from nlp.data import load_gold
    from nlp.metrics import evaluate
    log = log or (lambda m: print(m, file=sys.stderr))
    gold = load_gold(gold_path, log=log)
    if not gold:
        raise ValueError(f"no usable gold items in {gold_path}")
    clf = load_classifier(classifier_dir, model, precision=precision)
    result = {"gold": str(gold_path), "model_version": clf.version, "encoder": clf.meta.get("encoder"),
              "model": evaluate(gold, clf.predict(gold))}
    if baselines:
        from nlp.baselines import KosacBaseline, TfidfBaseline
        train = [t for t in training_items(None, False, log=log) if t["relevant"] is not None]
        result["baseline_tfidf_kiwi"] = evaluate(gold, TfidfBaseline().fit(train).predict(gold))
        result["baseline_kosac"] = evaluate(gold, KosacBaseline().predict(gold), sentiment_only=True)
    return result


def run(args) -> int:
    from nlp.convert import ConversionError
    from nlp.errors import ModelMissing
    try:
        result = evaluate_file(args.gold, args.classifier, args.model, not args.no_baselines,
                               precision=args.precision)
    except (ModelMissing, ConversionError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 0
