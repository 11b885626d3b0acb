"""CLI: python monitor.py evaluate --gold FILE.jsonl [--view full,snippet,headline]

JSON on stdout; a readable report (per-class and per-topic F1, confusion matrix) on stderr."""
from __future__ import annotations

import json
import sys

from nlp.precision import add_argument as add_precision_argument

HELP = "모델 평가 (기준선 포함) / evaluate the classifier and two baselines on a gold file"
VIEWS = ("full", "snippet", "headline")
SNIPPET_CHARS = 200          # BigKinds exports carry ~200 characters of the body


def add_arguments(parser):
    parser.add_argument("--gold", required=True, help="gold JSONL (seed-style or real_dev-style)")
    parser.add_argument("--model", default=None)
    parser.add_argument("--classifier", default=None)
    parser.add_argument("--no-baselines", action="store_true")
    add_precision_argument(parser)
    parser.add_argument("--view", default="full",
                        help="comma list of input views: full, snippet (title + first 200 characters "
                             "of the cleaned body), headline (title only); default full")


def view_items(gold: list[dict], view: str) -> list[dict]:
    """The gold items as an import path would deliver them (labels unchanged)."""
    from nlp.clean import clean_text
    if view == "full":
        return gold
    if view == "snippet":
        return [{**g, "text": clean_text(g["text"], g["title"]).replace("\n", " ")[:SNIPPET_CHARS]}
                for g in gold]
    if view == "headline":
        return [{**g, "text": ""} for g in gold]
    raise ValueError(f"unknown view {view!r}; use one of {', '.join(VIEWS)}")


def evaluate_file(gold_path, classifier_dir=None, model=None, baselines=True, log=None,
                  views=("full",), precision=None) -> dict:
    """Metrics per view; the full view's are at the top level ("model", "baseline_*"),
    other views under "views" → name → the same keys."""
    from nlp.classify import load_classifier, training_items
    from nlp.data import load_gold
    from nlp.metrics import evaluate
    log = log or (lambda m: print(m, file=sys.stderr))
    for v in views:
        if v not in VIEWS:
            raise ValueError(f"unknown view {v!r}; use one of {', '.join(VIEWS)}")
    skipped = []
    gold = load_gold(gold_path, log=lambda m: (skipped.append(m), log(f"{m} (skipped)")))
    if not gold:
        raise ValueError(f"no usable gold items in {gold_path}")
    clf = load_classifier(classifier_dir, model, precision=precision)
    tfidf = kosac = None
    if baselines:
        from nlp.baselines import KosacBaseline, TfidfBaseline
        train = [t for t in training_items(None, False, log=log) if t["relevant"] is not None]
        tfidf, kosac = TfidfBaseline().fit(train), KosacBaseline()
    result = {"gold": str(gold_path), "model_version": clf.version, "encoder": clf.meta.get("encoder"),
              "skipped_lines": len(skipped)}
    for view in views:
        items = view_items(gold, view)
        res = {"model": evaluate(gold, clf.predict(items))}
        if baselines:
            res["baseline_tfidf_kiwi"] = evaluate(gold, tfidf.predict(items))
            res["baseline_kosac"] = evaluate(gold, kosac.predict(items), sentiment_only=True)
        if view == "full":
            result.update(res)
        else:
            result.setdefault("views", {})[view] = res
    return result


def print_report(result: dict, out=None) -> None:
    from nlp.metrics import report
    out = out or sys.stderr  # looked up at call time (sys.stderr may have been replaced)
    blocks = [("full", result)] + list((result.get("views") or {}).items())
    for view, res in blocks:
        for name in ("model", "baseline_tfidf_kiwi", "baseline_kosac"):
            if name in res:
                print(report(f"{name} [{view}]", res[name]), file=out)


def run(args) -> int:
    from nlp.convert import ConversionError
    from nlp.errors import ModelMissing
    views = tuple(v.strip() for v in args.view.split(",") if v.strip())
    try:
        result = evaluate_file(args.gold, args.classifier, args.model, not args.no_baselines,
                               views=views, precision=args.precision)
    except (ModelMissing, ConversionError, ValueError, OSError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    print_report(result)
    print(json.dumps(result, ensure_ascii=False, indent=1))
    return 1 if result["skipped_lines"] else 0  # metrics of part of the file only
