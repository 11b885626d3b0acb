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


NOT_UTF8 = "not UTF-8 text (save the file as UTF-8, e.g. iconv -f cp949 -t utf-8)"


def read_jsonl(path: Path | str, require=("id",)):
    """Yield (lineno, dict) for good lines and (lineno, LineError) for bad ones (a line that
    is not UTF-8 is a bad line, not the end of the file)."""
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, 1):
            try:
                line = raw.decode("utf-8").removeprefix("\ufeff" if n == 1 else "")
            except UnicodeDecodeError:
                yield n, LineError(path, n, NOT_UTF8)
                continue
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
    for key in ("title", "text"):
        if not isinstance(it[key], str):
            raise ValueError(f"field {key} must be a string, not {type(it[key]).__name__}")
    for key in ("topics", "regions"):
        if it[key] is not None and not (isinstance(it[key], list) and all(isinstance(v, str) for v in it[key])):
            raise ValueError(f"field {key} must be a list of strings or null, not {it[key]!r:.40}")
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
        try:
            it = normalize_gold(d)
            validate_labels(it)
        except (TypeError, ValueError) as e:  # e.g. "judged_regions": 5
            if log:
                log(str(LineError(path, n, str(e))))
            continue
        out.append(it)
    return out


def region_set(regions) -> frozenset:
    """Empty region list means 'no specific committee area' = national."""
    return frozenset(regions or [NATIONAL])
