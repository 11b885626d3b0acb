"""store/queries.py against values worked out in the test: a small hand-made store whose
counts, stories, shares and orders are recounted here in plain Python (and plain SQL over
the raw tables), never with the project's own query helpers."""
import datetime as dt
from collections import defaultdict

import pytest

from store import queries as q
from store.documents import save_document
from store.labels import save_classifications

KST = dt.timezone(dt.timedelta(hours=9))

# key, published_at (UTC), outlet, kind, cluster, label (relevant, sentiment, topics, regions) or None, score, title
ROWS = [
    ("a1", "2026-10-31T14:59:00Z", "한빛일보", "news", "s1", (1, "negative", ["budget"], ["서울"]), 0.91,
     "서울 자치경찰 예산 삭감 논란"),                         # KST 10-31 23:59 (a Saturday, October)
    ("a2", "2026-10-31T15:00:00Z", "중부신문", "news", "s1", (1, "negative", ["budget"], ["서울"]), 0.55,
     "예산 삭감에 위원회 반발"),                               # KST 11-01 00:00 (Sunday, November)
    ("a3", "2026-11-01T23:00:00Z", "한빛일보", "news", "s2", (1, "neutral", ["staffing"], ["부산"]), 0.70,
     "부산 지구대 인력 충원"),                                 # KST 11-02 08:00 (Monday)
    ("a4", "2026-11-02T01:00:00Z", "참여연대", "civic", "s3", (1, "negative", ["independence", "budget"],
                                                             ["서울", "부산"]), 0.80,
     "자치경찰 독립성 10% 예산 요구 성명"),                    # KST 11-02 10:00
    ("a5", "2026-11-02T01:00:00Z", "한빛일보", "news", "s2", (1, "positive", ["staffing"], ["부산"]), 0.65,
     "인력 충원 환영"),                                         # same time as a4: ties broken by id
    ("a6", "2026-11-03T02:00:00Z", "위원회", "committee", "s4", (1, "positive", [], ["전국"]), 0.99,
     "위원회 보도자료 10x 성과"),
    ("a7", "2026-11-08T14:00:00Z", None, "news", "s2", (1, "neutral", ["staffing"], ["부산"]), 0.40,
     "부산 인력 후속 보도"),                                    # no outlet; KST 11-08 23:00, Sunday: week of 11-02
    ("a8", "2026-11-08T15:30:00Z", "경향일보", "news", "s5", (0, "neutral", [], []), 0.10,
     "자치경찰 무관한 기사"),                                   # irrelevant; KST 11-09 00:30 (Monday)
    ("a9", "2026-11-09T03:00:00Z", "경향일보", "news", "s5", None, None,
     "아직 분류 안 된 자치경찰 기사"),                          # no label at all
    ("b1", "2026-11-09T04:00:00Z", "미러", "news", None, (1, "negative", ["budget"], ["서울"]), 0.90,
     "서울 자치경찰 예산 삭감 논란"),                           # an exact copy of a1's text: duplicate
]
BODY = {"b1": "본문 a1"}  # b1 repeats a1's title and body


def kst_day(stamp):
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(KST).date()


@pytest.fixture
def store_rows(db):
    ids = {}
    for key, published, outlet, kind, cluster, label, score, title in ROWS:
        doc_id, status = save_document(db, {
            "canonical_url": f"https://example.kr/{key}", "source": f"src-{kind}", "kind": kind, "outlet": outlet,
            "title": title, "body": BODY.get(key, f"본문 {key}"), "published_at": published,
            "cluster_id": cluster})
        ids[key] = doc_id
        if label:
            relevant, sentiment, topics, regions = label
            save_classifications(db, [{"document_id": doc_id, "model_version": "m1", "relevant": relevant,
                                       "relevance_score": score, "sentiment": sentiment, "topics": topics,
                                       "regions": regions}])
    assert db.execute("SELECT duplicate_of FROM documents WHERE id = ?", [ids["b1"]]).fetchone()[0] == ids["a1"]
    return ids


def oracle(keys=None, relevance="relevant", duplicates=False):
    """The documents a filter should keep, straight from ROWS."""
    out = []
    for key, published, outlet, kind, cluster, label, score, title in ROWS:
        if keys is not None and key not in keys:
            continue
        if key == "b1" and not duplicates:
            continue
        relevant = label[0] if label else None
        if relevance == "relevant" and relevant != 1 or relevance == "irrelevant" and relevant != 0:
            continue
        out.append({"key": key, "day": kst_day(published), "outlet": outlet, "kind": kind,
                    "cluster": cluster or ("s1" if key == "b1" else key), "sentiment": label[1] if label else None,
                    "topics": label[2] if label else [], "regions": label[3] if label else []})
    return out


def tally(docs):
    sentiments = [d["sentiment"] for d in docs]
    labelled = sum(s is not None for s in sentiments)
    neg, neu, pos = (sentiments.count(s) for s in ("negative", "neutral", "positive"))
    return {"articles": len(docs), "stories": len({d["cluster"] for d in docs}),
            "outlets": len({d["outlet"] for d in docs if d["outlet"] is not None}),
            "negative": neg, "neutral": neu, "positive": pos,
            "negative_share": neg / labelled if labelled else None,
            "neutral_share": neu / labelled if labelled else None,
            "positive_share": pos / labelled if labelled else None,
            "net_sentiment": (pos - neg) / labelled if labelled else None}


def week_of(day):
    return day - dt.timedelta(days=day.weekday())


# ---- Wilson interval: values worked out by hand ------------------------------------------

@pytest.mark.parametrize("successes, n, low, high", [
    # the roots p of (k/n - p)^2 = z^2 p (1 - p) / n, solved as a quadratic (not the library's closed form)
    (2, 5, 0.117618, 0.769280),
    (0, 10, 0.0, 0.277540),         # the textbook upper bound of 0 in 10
    (10, 10, 0.722460, 1.0),
    (1, 1, 0.206543, 1.0),
    (50, 100, 0.403830, 0.596170),
])
def test_wilson_interval_hand_computed(successes, n, low, high):
    got = q.wilson_interval(successes, n)
    assert got == (pytest.approx(low, abs=2e-6), pytest.approx(high, abs=2e-6))


def test_wilson_interval_of_nothing_is_none():
    assert q.wilson_interval(0, 0) == (None, None)


def test_wilson_centre_is_not_the_raw_share():
    low, high = q.wilson_interval(2, 5)
    assert (low + high) / 2 == pytest.approx(0.443449, abs=2e-6)  # pulled towards 1/2, not the raw 0.4


# ---- aggregates recounted independently ----------------------------------------------------

def test_totals_recounted_from_the_rows(store_rows, db):
    got = q.totals(db)
    want = tally(oracle())
    assert {k: got[k] for k in want} == pytest.approx(want)
    assert want == {"articles": 7, "stories": 4, "outlets": 4, "negative": 3, "neutral": 2, "positive": 2,
                    "negative_share": 3 / 7, "neutral_share": 2 / 7, "positive_share": 2 / 7, "net_sentiment": -1 / 7}
    assert got["negative_ci"] == (pytest.approx(0.158217, abs=2e-6), pytest.approx(0.749546, abs=2e-6))  # 3 of 7


def test_totals_with_unlabelled_documents_use_labelled_ones_as_the_denominator(store_rows, db):
    got = q.totals(db, q.Filters(relevance="all", include_duplicates=True))
    want = tally(oracle(relevance="all", duplicates=True))
    assert want["articles"] == 10 and want["negative"] == 4 and want["neutral"] == 3
    assert {k: got[k] for k in want} == pytest.approx(want)
    plain_sql = db.execute("""
        SELECT COUNT(*), SUM(l.sentiment IS NOT NULL), SUM(l.sentiment = 'negative')
        FROM documents d LEFT JOIN labels l ON l.document_id = d.id""").fetchone()
    assert plain_sql == (10, 9, 4)
    assert got["negative_share"] == pytest.approx(4 / 9)


def test_empty_selection_has_zero_counts_and_no_shares(store_rows, db):
    got = q.totals(db, q.Filters(date_from="2030-01-01"))
    assert (got["articles"], got["stories"], got["negative"], got["negative_share"], got["net_sentiment"],
            got["negative_ci"]) == (0, 0, 0, None, None, (None, None))


@pytest.mark.parametrize("by", ["day", "week", "month"])
@pytest.mark.parametrize("group", [None, "sentiment", "region", "topic", "outlet", "source_kind", "source"])
def test_counts_recounted_by_period_and_group(store_rows, db, by, group):
    period = {"day": lambda d: d, "week": week_of, "month": lambda d: d.replace(day=1)}[by]
    field = {"sentiment": "sentiment", "region": "regions", "topic": "topics", "outlet": "outlet",
             "source_kind": "kind", "source": "kind"}.get(group)
    buckets = defaultdict(list)
    for d in oracle():
        values = [None] if group is None else (d[field] if field in ("regions", "topics") else [d[field]])
        for value in values:
            if group == "source":
                value = f"src-{value}"
            buckets[(period(d["day"]).isoformat(), value)].append(d)
    want = []
    for (p, value), docs in sorted(buckets.items(), key=lambda kv: (kv[0][0], kv[0][1] is not None, kv[0][1] or "")):
        row = {"period": p, **tally(docs)}
        if group:
            row[group] = value
        want.append(row)
    got = q.counts(db, by, group)
    assert got == [pytest.approx(w) for w in want]


def test_counts_match_plain_sql_over_the_raw_tables(store_rows, db):
    plain = [tuple(r) for r in db.execute("""
        SELECT d.pub_date, COUNT(*), COUNT(DISTINCT d.cluster_id), SUM(l.sentiment = 'negative')
        FROM documents d JOIN labels l ON l.document_id = d.id
        WHERE l.relevant = 1 AND d.duplicate_of IS NULL GROUP BY d.pub_date ORDER BY d.pub_date""")]
    assert plain == [("2026-10-31", 1, 1, 1), ("2026-11-01", 1, 1, 1), ("2026-11-02", 3, 2, 1),
                     ("2026-11-03", 1, 1, 0), ("2026-11-08", 1, 1, 0)]
    assert [(r["period"], r["articles"], r["stories"], r["negative"]) for r in q.counts(db, "day")] == plain


def test_week_starts_on_monday_and_month_on_the_first(store_rows, db):
    weeks = {r["period"]: r["articles"] for r in q.counts(db, "week")}
    assert weeks == {"2026-10-26": 2, "2026-11-02": 5}   # Sat 10-31 and Sun 11-01 / Mon 11-02..Sun 11-08
    months = {r["period"]: r["articles"] for r in q.counts(db, "month")}
    assert months == {"2026-10-01": 1, "2026-11-01": 6}


def test_counts_multi_region_by_topic(store_rows, db):
    got = {(r["period"], r["region"], r["topic"]): (r["articles"], r["negative"])
           for r in q.counts_multi(db, "month", ["region", "topic"])}
    assert got == {
        ("2026-10-01", "서울", "budget"): (1, 1),
        ("2026-11-01", "서울", "budget"): (2, 2), ("2026-11-01", "서울", "independence"): (1, 1),
        ("2026-11-01", "부산", "budget"): (1, 1), ("2026-11-01", "부산", "independence"): (1, 1),
        ("2026-11-01", "부산", "staffing"): (3, 0),
    }
    rows = q.counts_multi(db, "month", ["region", "topic"])
    assert [(r["period"], r["region"], r["topic"]) for r in rows] == sorted(got)


def test_counts_multi_without_groups_and_without_dates(store_rows, db):
    db.execute("UPDATE documents SET pub_date = NULL WHERE id = ?", [store_rows["a6"]])
    rows = q.counts_multi(db, "month")
    assert [(r["period"], r["articles"]) for r in rows] == [("2026-10-01", 1), ("2026-11-01", 5)]
    assert q.totals(db)["articles"] == 7  # an undated document still counts in the totals


@pytest.mark.parametrize("call, message", [
    (lambda db: q.counts(db, "year"), "by must be one of"),
    (lambda db: q.counts(db, "day", "colour"), "group must be one of"),
    (lambda db: q.counts_multi(db, "day", ["region", "colour"]), "group must be one of"),
    (lambda db: q.counts_multi(db, "day", ["region", "region"]), "a group is repeated"),
    (lambda db: q.totals(db, q.Filters(relevance="maybe")), "relevance must be"),
    (lambda db: q.search_documents(db, sort="newest"), "sort must be one of"),
    (lambda db: q.document_page(db, sort="newest"), "sort must be one of"),
    (lambda db: q.facet_values(db, "title"), "no facet"),
])
def test_bad_parameters_raise_query_error(db, call, message):
    with pytest.raises(q.QueryError, match=message):
        call(db)


# ---- filters ------------------------------------------------------------------------------

def keys_of(db, ids, filters):
    by_id = {v: k for k, v in ids.items()}
    rows, total = q.search_documents(db, filters, limit=100)
    assert total == len(rows)
    return sorted(by_id[r["id"]] for r in rows)


@pytest.mark.parametrize("filters, want", [
    (q.Filters(), ["a1", "a2", "a3", "a4", "a5", "a6", "a7"]),
    (q.Filters(relevance="irrelevant"), ["a8"]),
    (q.Filters(relevance="all"), ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9"]),
    (q.Filters(include_duplicates=True), ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "b1"]),
    (q.Filters(date_from="2026-11-01", date_to="2026-11-02"), ["a2", "a3", "a4", "a5"]),  # inclusive, KST
    (q.Filters(date_from="2026-11-08"), ["a7"]),
    (q.Filters(date_to="2026-10-31"), ["a1"]),
    (q.Filters(sentiments=["positive", "neutral"]), ["a3", "a5", "a6", "a7"]),
    (q.Filters(source_kinds=["civic", "committee"]), ["a4", "a6"]),
    (q.Filters(outlets=["중부신문", "위원회"]), ["a2", "a6"]),
    (q.Filters(sources=["src-civic"]), ["a4"]),
    (q.Filters(regions=["부산"]), ["a3", "a4", "a5", "a7"]),
    (q.Filters(regions=["서울", "전국"]), ["a1", "a2", "a4", "a6"]),
    (q.Filters(topics=["independence"]), ["a4"]),
    (q.Filters(topics=["budget"], regions=["부산"]), ["a4"]),
    (q.Filters(text="예산"), ["a1", "a2", "a4"]),                  # a 2-letter word: LIKE
    (q.Filters(text="예산 삭감"), ["a1", "a2"]),                   # every word must match
    (q.Filters(text="자치경찰 예산"), ["a1", "a4"]),              # mixed lengths
    (q.Filters(text="자치경찰"), ["a1", "a4"]),                   # 3+ letters: the trigram index
    (q.Filters(text="자치경찰 독립성"), ["a4"]),
    (q.Filters(text="10%"), ["a4"]),                              # % is a character, not a wildcard
    (q.Filters(text="10_"), []),
    (q.Filters(text="   "), ["a1", "a2", "a3", "a4", "a5", "a6", "a7"]),
    (q.Filters(text="예산\x00삭감"), ["a1", "a2"]),                # NUL separates words (it ended the pattern)
    (q.Filters(text="자치경찰\x00"), ["a1", "a4"]),
])
def test_filters_keep_exactly_the_expected_documents(store_rows, db, filters, want):
    assert keys_of(db, store_rows, filters) == want


def test_fts_expression_quotes_every_word():  # the search language (store/search.py) builds it
    params = []
    q.where_clause(q.Filters(text='자치경찰 "위원회 독립"', relevance="all"), params)
    assert params == ['("자치경찰" AND "위원회 독립")']


# ---- documents, sorting, paging -----------------------------------------------------------

@pytest.mark.parametrize("sort", ["published_desc", "published_asc", "relevance_desc", "outlet", "title"])
def test_each_sort_order(store_rows, db, sort):
    want = [r[0] for r in sorted(ROWS[:7], key=_sort_keys(store_rows)[sort])]  # derived here from ROWS
    by_id = {v: k for k, v in store_rows.items()}
    rows, total = q.search_documents(db, sort=sort, limit=3, offset=2)
    assert total == 7 and [by_id[r["id"]] for r in rows] == want[2:5]
    assert [by_id[r["id"]] for r in q.document_page(db, sort=sort, limit=3, offset=2)] == want[2:5]
    assert [by_id[r["id"]] for r in q.search_documents(db, sort=sort)[0]] == want


def _sort_keys(ids):
    rev = lambda s: tuple(-ord(c) for c in s)  # noqa: E731 - descending text
    return {
        "published_desc": lambda r: (rev(r[1]), ids[r[0]]),
        "published_asc": lambda r: (r[1], ids[r[0]]),
        "relevance_desc": lambda r: (-r[6], rev(r[1])),
        "outlet": lambda r: (r[2] is not None, r[2] or "", rev(r[1])),
        "title": lambda r: (r[7], ids[r[0]]),
    }


def test_search_rows_carry_labels_as_lists(store_rows, db):
    rows, _ = q.search_documents(db, q.Filters(topics=["independence"]))
    assert rows[0]["topics"] == ["independence", "budget"] and rows[0]["regions"] == ["서울", "부산"]
    assert (rows[0]["sentiment"], rows[0]["relevant"], rows[0]["outlet"]) == ("negative", 1, "참여연대")
    unlabelled = q.search_documents(db, q.Filters(relevance="all", outlets=["경향일보"]), sort="published_asc")[0]
    assert [(r["topics"], r["regions"], r["sentiment"]) for r in unlabelled] == [([], [], "neutral"), ([], [], None)]


@pytest.mark.parametrize("filters", [
    q.Filters(date_from="2026-11-01", date_to="2026-11-02"),
    q.Filters(date_from="2026-11-02", date_to="2026-11-08", regions=["부산"]),
    q.Filters(date_from="2026-10-31", topics=["budget"]),
    q.Filters(date_to="2026-11-01"),
    q.Filters(date_from="2026-11-09", relevance="all", include_duplicates=True),
])
@pytest.mark.parametrize("sort", ["published_desc", "published_asc"])
@pytest.mark.parametrize("indexed", [True, False])
def test_document_page_date_path_keeps_korean_day_edges(store_rows, db, filters, sort, indexed):
    from store import rollups
    if indexed:
        rollups.ensure(db)  # the published_at index the fast path walks (a served store has it)
    by_id = {v: k for k, v in store_rows.items()}
    lo, hi = filters.date_from or "0000", filters.date_to or "9999"
    want = [d["key"] for d in oracle(relevance=filters.relevance, duplicates=filters.include_duplicates)
            if lo <= d["day"].isoformat() <= hi
            and (not filters.regions or set(d["regions"]) & set(filters.regions))
            and (not filters.topics or set(d["topics"]) & set(filters.topics))]
    published = {r[0]: r[1] for r in ROWS}
    want.sort(key=lambda k: (published[k], store_rows[k]), reverse=False)
    if sort == "published_desc":
        want = sorted(want, key=lambda k: (tuple(-ord(c) for c in published[k]), store_rows[k]))
    assert [by_id[r["id"]] for r in q.document_page(db, filters, sort, limit=50)] == want
    assert want, "each case selects something"


def test_document_detail(store_rows, db):
    from store.labels import add_annotation
    doc = store_rows["a1"]
    save_classifications(db, [{"document_id": doc, "model_version": "m2", "relevant": 1, "sentiment": "neutral",
                               "topics": ["budget"], "regions": ["서울"], "classified_at": "2099-01-01T00:00:00Z",
                               "sentiment_scores": {"neutral": 0.6}, "topic_scores": {"budget": 0.7}}])
    add_annotation(db, doc, "홍보", sentiment="positive")
    add_annotation(db, doc, "연구", topics=["staffing"])
    detail = q.document_detail(db, doc)
    assert detail["document"]["title"] == "서울 자치경찰 예산 삭감 논란"
    assert [c["model_version"] for c in detail["classifications"]] == ["m2", "m1"]   # newest first
    assert detail["classifications"][1]["topics"] == ["budget"]
    newest = detail["classifications"][0]
    assert (newest["sentiment_scores"], newest["topic_scores"], newest["regions"]) == (
        {"neutral": 0.6}, {"budget": 0.7}, ["서울"])
    assert [a["annotator"] for a in detail["annotations"]] == ["홍보", "연구"]
    assert detail["label"]["topics"] == ["staffing"] and detail["label"]["sentiment"] == "positive"
    assert detail["cluster_size"] == 3  # a1, a2 and the copy b1
    assert q.document_detail(db, "nope") is None
    assert q.document_detail(db, store_rows["a9"])["label"] is None


# ---- stories ------------------------------------------------------------------------------

def test_top_stories_rank_by_outlets_then_articles_then_recency(store_rows, db):
    stories = q.top_stories(db)
    by_id = {v: k for k, v in store_rows.items()}
    # s1: 2 articles / 2 outlets; s2: 3 / 1 (a7 has no outlet); s3 and s4: 1 / 1 (s4, published later, first)
    assert [s["cluster_id"] for s in stories] == ["s1", "s2", "s4", "s3"]
    s1, s2 = stories[0], stories[1]
    assert (s2["articles"], s2["outlets"], s2["negative"]) == (3, 1, 0)
    assert (s1["articles"], s1["outlets"], s1["negative"]) == (2, 2, 2)
    assert by_id[s2["lead_id"]] == "a3" and s2["title"] == "부산 지구대 인력 충원" and s2["lead_outlet"] == "한빛일보"
    assert s2["first_published"] == "2026-11-01T23:00:00Z"
    assert by_id[s1["lead_id"]] == "a1" and s1["topics"] == ["budget"] and s1["regions"] == ["서울"]
    assert [s["cluster_id"] for s in q.top_stories(db, limit=2)] == ["s1", "s2"]
    assert [s["cluster_id"] for s in q.top_stories(db, q.Filters(outlets=["한빛일보", "참여연대"]))] == ["s2", "s3", "s1"]  # 2 articles; then the later one
    negative = q.top_stories(db, sentiment="negative")
    assert [(s["cluster_id"], s["articles"]) for s in negative] == [("s1", 2), ("s3", 1)]


def test_story_counts_equal_distinct_clusters_in_plain_sql(store_rows, db):
    plain = db.execute("""SELECT COUNT(DISTINCT d.cluster_id) FROM documents d JOIN labels l ON l.document_id = d.id
                          WHERE l.relevant = 1 AND d.duplicate_of IS NULL""").fetchone()[0]
    assert plain == q.totals(db)["stories"] == len(q.top_stories(db, limit=100)) == 4


# ---- facets, bounds, spikes ---------------------------------------------------------------

def test_facet_values_most_used_first_without_blanks(store_rows, db):
    outlets = q.facet_values(db, "outlet")   # 한빛일보 3, 경향일보 2, then four with 1; a7 has none
    assert outlets[:2] == ["한빛일보", "경향일보"] and set(outlets[2:]) == {"중부신문", "참여연대", "미러", "위원회"}
    kinds = q.facet_values(db, "kind")        # news 8, civic 1, committee 1
    assert kinds[0] == "news" and set(kinds) == {"news", "civic", "committee"}
    assert q.facet_values(db, "source")[0] == "src-news"


def test_date_bounds_cover_every_stored_document(store_rows, db):
    assert q.date_bounds(db) == ("2026-10-31", "2026-11-09")


def test_date_bounds_of_an_empty_store(db):
    assert q.date_bounds(db) == (None, None)


def test_list_spikes_filters_and_orders(db):
    from analysis.spikes import store_spikes
    rows = [{"day": d, "metric": m, "scope": s, "key": k, "value": 1, "baseline": 0, "threshold": 0, "zscore": 0}
            for d, m, s, k in [("2026-11-03", "volume", "region", "서울"), ("2026-11-01", "volume", "overall", "all"),
                               ("2026-11-03", "negative_share", "topic", "budget"),
                               ("2026-11-03", "volume", "region", "부산"), ("2026-11-05", "volume", "overall", "all")]]
    store_spikes(db, rows)
    got = lambda **kw: [(r["day"], r["metric"], r["key"]) for r in q.list_spikes(db, **kw)]  # noqa: E731
    assert got() == [("2026-11-01", "volume", "all"), ("2026-11-03", "negative_share", "budget"),
                     ("2026-11-03", "volume", "부산"), ("2026-11-03", "volume", "서울"),
                     ("2026-11-05", "volume", "all")]
    assert got(date_from="2026-11-03", date_to="2026-11-03") == got()[1:4]
    assert got(date_from="2026-11-04") == [("2026-11-05", "volume", "all")]
    assert got(date_to="2026-11-01") == [("2026-11-01", "volume", "all")]
    assert got(scope="region") == [("2026-11-03", "volume", "부산"), ("2026-11-03", "volume", "서울")]


def test_default_page_sizes(db):
    from store.synthetic import seed_synthetic
    seed_synthetic(db, 60, days=5, end_date="2026-11-20", seed=1)
    every = q.Filters(relevance="all")
    assert len(q.search_documents(db, every)[0]) == 50 and q.search_documents(db, every)[1] == 60
    assert len(q.document_page(db, every)) == 50
    assert len(q.top_stories(db, every)) == 10


@pytest.mark.parametrize("date_from, date_to, sentiments, date_first", [
    ("2026-11-02", "2026-11-02", None, True),             # one day: from the date index
    ("2026-11-02", "2026-11-08", ["negative"], True),     # a week with a sentiment: still the dates
    ("2026-10-01", "2026-11-30", ["negative"], False),    # two months of one sentiment: the labels' index
    (None, None, None, False),                            # no range: the planner chooses
])
def test_date_ranges_start_from_the_date_index(store_rows, db, date_from, date_to, sentiments, date_first):
    """A short range must not make SQLite read every relevant label of the store first."""
    params = []
    f = q.Filters(date_from=date_from, date_to=date_to, sentiments=sentiments)
    sql = f"SELECT COUNT(*) FROM documents d {q.LABEL_JOIN} WHERE {q.where_clause(f, params)}"
    plan = " ".join(row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    assert ("idx_labels_rel_sent" not in plan) == date_first, plan
    expected = sum(1 for key, published, *_rest, label, _s, _t in ROWS
                   if label and label[0] == 1 and key != "b1"
                   and (not date_from or date_from <= kst_day(published).isoformat() <= date_to)
                   and (not sentiments or label[1] in sentiments))
    assert db.execute(sql, params).fetchone()[0] == expected
