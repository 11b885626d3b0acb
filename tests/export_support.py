"""Helpers for the export tests: a small store with synthetic and classified documents,
reading exported files back with pandas/pyarrow, and the expected rows straight from the DB."""
import datetime as dt
import json
import math

import store
from store.documents import save_document
from store.labels import add_annotation
from store.synthetic import seed_synthetic
from store.util import loads

END = "2025-03-31"
TRICKY = [
    # (path, title, body): commas, quotes, line breaks and Korean must survive every format.
    ("a/1", '대구시 자치경찰위, "어린이 보호구역" 점검', "대구시 자치경찰위원회가\n대구경찰청과 함께 점검했다."),
    ("a/2", "자치경찰제 무늬만 자치…시민단체 비판 성명", "시민단체는 자치경찰위원회의 권한이 없다며, 이원화를 촉구했다."),
    ("a/3", "세종 BRT 자율주행 버스 운행; 안전 점검", "자율주행 버스가 다음 달부터 운행한다."),
    ("a/4", "서울 자치경찰위원회 예산 삭감 논란", "서울시자치경찰위원회 예산이 줄었다는 비판이 나왔다."),
]


def build_store(path, tiny_model_dir=None):
    """Synthetic documents (labels without scores) plus a few real documents labelled by the
    real classifier (with scores), one exact duplicate and one human correction."""
    db = store.open_db(path)
    ids = []
    for i, (tail, title, body) in enumerate(TRICKY):
        doc_id, _ = save_document(db, {
            "canonical_url": f"https://civic.example.kr/{tail}", "title": title, "body": body,
            "source": "civic-test", "kind": "civic", "outlet": "시민연대",
            "published_at": f"2025-03-{10 + i:02d}T01:00:00Z", "date_source": "page"})
        ids.append(doc_id)
    save_document(db, {"canonical_url": "https://mirror.example.kr/copy", "title": TRICKY[0][1],
                       "body": TRICKY[0][2], "source": "mirror", "kind": "news", "outlet": "미러",
                       "published_at": "2025-03-10T02:00:00Z"})
    if tiny_model_dir is not None:
        from nlp.classify import classify_pending
        classify_pending(db, model=str(tiny_model_dir), progress=False)
    seed_synthetic(db, 700, days=45, end_date=END, seed=7)  # after: the classifier labels only ours
    add_annotation(db, ids[3], "tester", relevant=True, sentiment="negative", topics=["budget"], regions=["서울"])
    db.conn.close()
    return ids


def _typed(kind, value):
    """A value read back from any format -> the Python value the exporter started from."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        value = None
    if kind == "list":
        if isinstance(value, str):
            return value.split(";") if value else []
        return list(value) if value is not None else []
    if value is None or value == "":
        return None
    if kind == "bool":
        return value if isinstance(value, bool) else {"true": True, "false": False}[str(value).lower()]
    if kind == "date":
        if isinstance(value, (dt.datetime,)) or hasattr(value, "to_pydatetime"):
            return value.date().isoformat()
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if kind == "int":
        return int(value)
    if kind == "float":
        return float(value)
    return str(value)


def read_back(path, fmt, columns):
    """Rows of an exported file, read with pandas (csv, json, xlsx) or pyarrow (parquet)."""
    import pandas as pd
    import pyarrow.parquet as pq
    if fmt == "parquet":
        records = pq.read_table(path).to_pylist()
    elif fmt == "csv":
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        records = frame.to_dict("records")
    elif fmt == "json":
        frame = pd.read_json(path, lines=True, dtype=False, convert_dates=False, precise_float=True)
        records = frame.astype(object).to_dict("records") if len(frame) else []
    else:
        frame = pd.read_excel(path, sheet_name="data", dtype=object)
        records = frame.to_dict("records")
    names = [name for name, _ in columns]
    if records:
        assert list(records[0]) == names
    return [{name: _typed(kind, r[name]) for name, kind in columns} for r in records]


def expected_document(db, doc_id, with_text=False):
    """One document's export row built from the raw tables (not the export's SQL)."""
    from vocabulary import SENTIMENTS, TOPICS
    d = db["documents"].get(doc_id)
    label = next(iter(db.query("SELECT * FROM labels WHERE document_id = ?", [doc_id])), {})
    cls = next(iter(db.query("SELECT * FROM classifications WHERE document_id = ? AND model_version = ?",
                             [doc_id, label.get("model_version")])), {})
    ss, ts = loads(cls.get("sentiment_scores"), {}) or {}, loads(cls.get("topic_scores"), {}) or {}
    row = {k: d[k] for k in ("id", "url", "canonical_url", "source", "outlet", "title", "summary", "lang",
                             "published_at", "pub_date", "date_source", "cluster_id", "duplicate_of")}
    row.update(source_kind=d["kind"], relevant=label.get("relevant"), relevance_score=label.get("relevance_score"),
               sentiment=label.get("sentiment"), topics=loads(label.get("topics"), []),
               regions=loads(label.get("regions"), []), model_version=label.get("model_version"),
               label_origin=label.get("origin"), text_basis=d["text_basis"], origin=d["origin_kind"],
               import_file=d["import_file"], import_sha256=d["import_sha256"], import_row=d["import_row"])
    row.update({f"sentiment_score_{s}": ss.get(s) for s in SENTIMENTS})
    row.update({f"topic_score_{t}": ts.get(t) for t in TOPICS})
    if with_text:
        row["body"] = d["body"]
    return row


def as_written(rows, fmt):
    """Expected rows as a format stores them: xlsx keeps 16 significant digits of a float
    (Excel itself shows 15); the other formats keep every bit."""
    if fmt != "xlsx":
        return rows
    return [{k: float("%.16g" % v) if isinstance(v, float) else v for k, v in r.items()} for r in rows]


def meta_of(path):
    return json.loads((path.parent / (path.name + ".meta.json")).read_text(encoding="utf-8"))


def found_rows(rows):
    """The rows of a zero-filled trend table that hold articles, with the columns the shared
    counts queries return (to compare with store.queries.counts_multi)."""
    drop = {"days_in_period", "partial", "negative_share_low", "negative_share_high", "listed", "listed_articles",
            "listed_stories", "article_share", "story_share"}
    return [{k: v for k, v in r.items() if k not in drop} for r in rows if r["articles"]]
