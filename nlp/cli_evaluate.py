"""CLI: python monitor.py evaluate --gold FILE.jsonl"""
from __future__ import annotations

import json
import sys

HELP = "모델 평가 (기준선 포함) / evaluate the classifier and two baselines on a gold file"


def add_arguments(parser):
    parser.add_argument("--gold", required=True, help="gold JSONL (seed-style or real_dev-style)")
    parser.add_argument("--model", default=None)
    parser.add_argument("--classifier", default=None)
    parser.add_argument("--no-baselines", action="store_true")


def evaluate_file(gold_path, classifier_dir=None, model=None, baselines=True, log=None) -> dict:
    from nlp.classify import load_classifier, training_items
    from nlp.data import load_gold
    from nlp.metrics import evaluate
    log = log or (lambda m: print(m, file=sys.stderr))
    skipped = []
    gold = load_gold(gold_path, log=lambda m: (skipped.append(m), log(f"{m} (skipped)")))
    if not gold:
        raise ValueError(f"no usable gold items in {gold_path}")
    clf = load_classifier(classifier_dir, model)
    result = {"gold": str(gold_path), "model_version": clf.version, "encoder": clf.meta.get("encoder"),
              "skipped_lines": len(skipped), "model": evaluate(gold, clf.predict(gold))}
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
        result = evaluate_file(args.gold, args.classifier, args.model, not args.no_baselines)
    except (ModelMissing, ConversionError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 1 if result["skipped_lines"] else 0  # metrics of part of the file only
