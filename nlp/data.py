"""Reading labelled JSONL files (seed splits, real_dev-style files) into one shape."""
from __future__ import annotations

import json
from pathlib import Path

from vocabulary import ALL_REGIONS, NATIONAL, SENTIMENTS, TOPICS

DATA_DIR = Path(__file__).resolve().parent / "data"
SEED_TRAIN = DATA_DIR / "seed_train.jsonl"
SEED_HELDOUT = DATA_DIR / "seed_heldout.jsonl"
STANCE = {"supportive": "positive", "neutral": "neutral", "critical": "negative"}


class LineError(ValueError):
    def __init__(self, path, lineno, msg):
        super().__init__(f"{Path(path).name} line {lineno}: {msg}")
        self.lineno = lineno


def read_jsonl(path: Path | str, require=("id",)):
    """Yield (lineno, dict) for good lines and (lineno, LineError) for bad ones."""
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as e:
                yield n, LineError(path, n, f"not valid JSON ({e.msg})")
                continue
            if not isinstance(d, dict):
                yield n, LineError(path, n, "expected a JSON object")
                continue
            missing = [k for k in require if k not in d]
            if missing:
                yield n, LineError(path, n, f"missing field(s) {', '.join(missing)}")
                continue
            yield n, d


def normalize_gold(d: dict) -> dict:
    """Seed-style or real_dev-style gold line -> id,title,text,relevant,sentiment,topics,regions."""
    if "judged_stance" in d:   # real_dev: relevant unless noted off-topic
        stance = str(d.get("judged_stance") or "")
        off = stance.startswith("n/a") or "OFF-TOPIC" in str(d.get("note") or "").upper()
        return {"id": d["id"], "title": d.get("title") or "", "text": d.get("text") or "",
                "relevant": not off, "sentiment": STANCE.get(stance),
                "topics": None, "regions": list(d.get("judged_regions") or []),
                "region": None}
    return {"id": d["id"], "title": d.get("title") or "", "text": d.get("text") or "",
            "relevant": d.get("relevant"), "sentiment": d.get("sentiment"),
            "topics": d.get("topics"), "regions": d.get("regions"),
            "region": d.get("region"), "derived_from": d.get("derived_from")}


def validate_labels(it: dict) -> None:
    if it["sentiment"] is not None and it["sentiment"] not in SENTIMENTS:
        raise ValueError(f"unknown sentiment {it['sentiment']!r}")
    for t in it["topics"] or []:
        if t not in TOPICS:
            raise ValueError(f"unknown topic {t!r}")
    for r in it["regions"] or []:
        if r not in ALL_REGIONS:
            raise ValueError(f"unknown region {r!r}")


def load_gold(path: Path | str, log=None) -> list[dict]:
    """All valid gold items; bad lines are reported through `log` and skipped."""
    out = []
    for n, d in read_jsonl(path, require=("id", "text")):
        if isinstance(d, Exception):
            if log:
                log(str(d))
            continue
        it = normalize_gold(d)
        try:
            validate_labels(it)
        except ValueError as e:
            if log:
                log(str(LineError(path, n, str(e))))
            continue
        out.append(it)
    return out


def region_set(regions) -> frozenset:
    """Empty region list means 'no specific committee area' = national."""
    return frozenset(regions or [NATIONAL])
