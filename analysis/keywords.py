"""Distinctive terms: which terms a set of documents uses more than a reference set does.

Method: weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi &
Quinn 2008, "Fightin' Words", eq. 22). Counts are documents containing a term (a term
counts once per document; terms from nlp/terms.py). With y the target's and r the
reference's counts, n and m their totals over all terms, the prior gives each term
a_w = A·(y_w + r_w)/(n + m) pseudo-counts, spread like the pooled frequencies, with
A = min(`prior`, (n + m)/10) (at most 1,000; a tenth of the data on small sets), and

    delta_w = log((y_w + a_w) / (n + A - y_w - a_w)) - log((r_w + a_w) / (m + A - r_w - a_w))
    z_w     = delta_w / sqrt(1/(y_w + a_w) + 1/(r_w + a_w))

A term used everywhere (자치경찰) has delta near 0; a rare term needs several documents
before its z grows (the prior pulls it toward the pooled rate). z above 1.96 is more than
chance would give at the 5% level (one term at a time).

References: 'previous' (the period of equal length just before, same other filters),
'before:<days>' (that many days just before the period: a spike day against the weeks before),
'rest' (the same filters outside the period), 'region:<name>' (the same period and filters
in another region), 'others' (the same period, the sentiments not chosen: what marks
critical coverage when sentiment=negative).
"""
import datetime as dt
import math

from store import rollups, terms
from store.queries import Filters, QueryError, totals
from vocabulary import ALL_REGIONS, SENTIMENTS

PRIOR = 1000.0
MIN_COUNT = 3
REFERENCES = ("previous", "before:<days>", "rest", "others", "region:<지역>")


def reference_filters(filters, reference):
    """The Filters of the reference set; QueryError for a reference that does not fit."""
    f = filters
    if reference == "previous":
        if not (f.date_from and f.date_to):
            raise QueryError("이전 기간 비교에는 시작일과 종료일이 필요합니다 / ref=previous needs from and to")
        start, end = dt.date.fromisoformat(f.date_from), dt.date.fromisoformat(f.date_to)
        days = (end - start).days + 1
        return f.replace(date_from=(start - dt.timedelta(days=days)).isoformat(),
                         date_to=(start - dt.timedelta(days=1)).isoformat())
    if reference.startswith("before:") and reference[7:].isdigit() and 1 <= int(reference[7:]) <= 366:
        if not f.date_from:
            raise QueryError("ref=before:<일수>에는 시작일이 필요합니다 / ref=before:<days> needs from")
        start = dt.date.fromisoformat(f.date_from)
        return f.replace(date_from=(start - dt.timedelta(days=int(reference[7:]))).isoformat(),
                         date_to=(start - dt.timedelta(days=1)).isoformat())
    if reference == "rest":
        return f.replace(date_from=None, date_to=None)  # minus the target, see distinctive_terms
    if reference == "others":
        if not f.sentiments:
            raise QueryError("ref=others는 논조(sentiment)를 고른 때만 쓸 수 있습니다 / ref=others needs a sentiment")
        return f.replace(sentiments=[s for s in SENTIMENTS if s not in f.sentiments])
    if reference.startswith("region:") and reference[7:] in ALL_REGIONS:
        return f.replace(regions=[reference[7:]])
    raise QueryError(f"잘못된 ref / invalid ref: {reference!r} (allowed: {', '.join(REFERENCES)})")


def score(target, reference, prior=PRIOR, min_count=MIN_COUNT):
    """[(term id, y, r, delta, z)] for the terms with y >= min_count, highest z first."""
    n, m = sum(target.values()), sum(reference.values())
    if not n:
        return []
    pooled = n + m
    prior = min(prior, pooled / 10)
    out = []
    for term, y in target.items():
        if y < min_count:
            continue
        r = reference.get(term, 0)
        a = prior * (y + r) / pooled
        delta = math.log((y + a) / (n + prior - y - a)) - math.log((r + a) / (m + prior - r - a))
        z = delta / math.sqrt(1 / (y + a) + 1 / (r + a))
        out.append((term, y, r, delta, z))
    return sorted(out, key=lambda t: (-t[4], -t[1], t[0]))


def _documents(db, filters):
    row = rollups.totals(db, filters) if rollups.generation(db) is not None else None
    return (row or totals(db, filters))["articles"]


def distinctive_terms(db, filters, reference="previous", n=30, kinds=None, prior=PRIOR, min_count=MIN_COUNT):
    """The target's most distinctive terms against the reference, as a dict:
    terms: [{term, kind, documents, reference_documents, share, reference_share, log_odds, z}],
    target/reference: {filters, documents}, unanalysed: matching documents whose terms are
    not stored yet (store/terms.py queue)."""
    f = filters or Filters()
    ref = reference_filters(f, reference)
    target = terms.counts(db, f)
    ref_counts = terms.counts(db, ref)
    target_docs, ref_docs = _documents(db, f), _documents(db, ref)
    if reference == "rest":  # the store outside the period = everything minus the period
        ref_counts = {t: c - target.get(t, 0) for t, c in ref_counts.items() if c - target.get(t, 0) > 0}
        ref_docs -= target_docs
    scored = score(target, ref_counts, prior, min_count)
    names = terms.names(db, [t[0] for t in scored[:n * 4 if kinds else n]])
    rows = []
    for term, y, r, delta, z in scored:
        if term not in names or (kinds and names[term][1] not in kinds):
            continue
        rows.append({"term": names[term][0], "kind": names[term][1], "documents": y, "reference_documents": r,
                     "share": y / target_docs if target_docs else None,
                     "reference_share": r / ref_docs if ref_docs else None,
                     "log_odds": round(delta, 4), "z": round(z, 3)})
        if len(rows) >= n:
            break
    return {"terms": rows, "reference": reference,
            "target": {"filters": _plain(f), "documents": target_docs},
            "reference_set": {"filters": _plain(ref), "documents": ref_docs,
                              "excludes_target": reference == "rest"},
            "unanalysed": terms.unanalysed(db, f), "method": "weighted log-odds, informative Dirichlet prior",
            "prior": prior, "min_count": min_count}


def _plain(f):
    return {k: v for k, v in vars(f).items() if v not in (None, False, [])}
