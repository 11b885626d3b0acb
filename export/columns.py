"""Column names and logical types of every export (docs/data-dictionary.md explains each).

Types: str, int, float, bool, date (YYYY-MM-DD), list (of strings). Writers map them per format.
"""
from vocabulary import SENTIMENTS, TOPICS

COUNT_COLUMNS = [("articles", "int"), ("stories", "int"), ("outlets", "int"),
                 ("negative", "int"), ("neutral", "int"), ("positive", "int")]
SHARE_COLUMNS = [("negative_share", "float"), ("neutral_share", "float"),
                 ("positive_share", "float"), ("net_sentiment", "float")]
# Share of collection (store/listings.py): listed items of the crawl sources, those that became
# relevant articles (and stories), and the shares; empty where no source recorded a listing.
ATTENTION_COLUMNS = [("listed", "int"), ("listed_articles", "int"), ("listed_stories", "int"),
                     ("article_share", "float"), ("story_share", "float")]
METRICS = [name for name, _ in COUNT_COLUMNS + SHARE_COLUMNS + ATTENTION_COLUMNS]
# How much of a period the range covers (a week or month cut by 'from'/'to' is partial).
COVERAGE_COLUMNS = [("days_in_period", "int"), ("partial", "bool")]
# 95% Wilson interval of negative_share, as in the dashboard's CSV.
INTERVAL_COLUMNS = [("negative_share_low", "float"), ("negative_share_high", "float")]
# Documents export: the order here is the column order in every file.
DOCUMENT_COLUMNS = [
    ("id", "str"), ("url", "str"), ("canonical_url", "str"), ("source", "str"),
    ("source_kind", "str"), ("outlet", "str"), ("title", "str"), ("summary", "str"),
    ("lang", "str"), ("published_at", "str"), ("pub_date", "date"), ("date_source", "str"),
    ("cluster_id", "str"), ("duplicate_of", "str"),
    ("relevant", "int"), ("relevance_score", "float"), ("sentiment", "str"),
    *[(f"sentiment_score_{s}", "float") for s in SENTIMENTS],
    ("topics", "list"), *[(f"topic_score_{t}", "float") for t in TOPICS],
    ("regions", "list"), ("model_version", "str"), ("label_origin", "str"),
    ("text_basis", "str"), ("origin", "str"), ("import_file", "str"), ("import_sha256", "str"), ("import_row", "int"),
]
BODY_COLUMN = ("body", "str")


def trend_columns(groups):
    """Long form: period, one column per group, the period's coverage, then the counts,
    shares, the negative share's interval and the share of collection."""
    return [("period", "date"), *[(g, "str") for g in groups], *COVERAGE_COLUMNS, *COUNT_COLUMNS, *SHARE_COLUMNS,
            *INTERVAL_COLUMNS, *ATTENTION_COLUMNS]


def wide_columns(keys, metric):
    """Wide form: period and its coverage, then one column per group value holding `metric`."""
    kind = dict(COUNT_COLUMNS + SHARE_COLUMNS + ATTENTION_COLUMNS)[metric]
    return [("period", "date"), *COVERAGE_COLUMNS, *[(k, kind) for k in keys]]


def document_columns(with_text=False):
    return DOCUMENT_COLUMNS + ([BODY_COLUMN] if with_text else [])
