"""How well the classifier does on imported snippets and titles (docs/model.md).

    python benchmarks/snippet_eval.py [--gold nlp/data/seed_heldout.jsonl] [--model DIR]

Writes three versions of the held-out gold file and evaluates each like `monitor.py
evaluate` (model and the TF-IDF baseline): the full text; a BigKinds-style snippet (the
first 200 characters of the cleaned body, as BigKinds exports 본문); the title alone.
Prints one JSON object per version and a Markdown table.
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SNIPPET = 200
VERSIONS = {
    "full": lambda title, text: text,
    "snippet": lambda title, text: _clean(title, text)[:SNIPPET],
    "title": lambda title, text: "",
}


def _clean(title, text):
    from nlp.clean import clean_text
    return clean_text(text, title)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", default=str(ROOT / "nlp" / "data" / "seed_heldout.jsonl"))
    parser.add_argument("--model", default=None)
    args = parser.parse_args(argv)
    from nlp.cli_evaluate import evaluate_file
    folder = Path(tempfile.mkdtemp(prefix="snippet-eval-"))
    lines = [json.loads(line) for line in open(args.gold, encoding="utf-8") if line.strip()]
    rows = []
    for name, cut in VERSIONS.items():
        path = folder / f"{name}.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            for item in lines:
                out.write(json.dumps(dict(item, text=cut(item.get("title") or "", item.get("text") or "")),
                                     ensure_ascii=False) + "\n")
        result = evaluate_file(path, model=args.model, log=lambda m: None)
        result.pop("baseline_kosac", None)
        print(json.dumps({"version": name, **result}, ensure_ascii=False), flush=True)
        rows.append((name, result))
    print("\n| text | system | relevance F1 | sentiment macro-F1 | topics micro / macro F1 | region exact |")
    print("|---|---|---|---|---|---|")
    for name, result in rows:
        for system in ("model", "baseline_tfidf_kiwi"):
            m = result[system]
            print(f"| {name} | {system} | {m.get('relevance_f1', '-')} | {m.get('sentiment_macro_f1', '-')} | "
                  f"{m.get('topics_micro_f1', '-')} / {m.get('topics_macro_f1', '-')} | {m.get('region_exact', '-')} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
