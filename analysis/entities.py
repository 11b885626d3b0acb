"""Named entities of a period: the people, organisations and places that most documents
mention (the terms of kind person / org / place from nlp/terms.py), with their count in a
comparison period, and one entity's documents per day.

A count is documents that mention the entity at least once, over the documents the
filters match (relevant, not duplicates unless the filters say otherwise): the same
counts as `documents` in /api/v1/keywords.
"""
import datetime as dt

from analysis.keywords import reference_filters
from store import terms
from store.periods import year_before
from store.queries import Filters, QueryError

KINDS = ("person", "org", "place")
KIND_KO = {"person": "인물", "org": "기관·단체", "place": "장소"}
COMPARISONS = ("previous", "year")
COLUMNS = [("kind", "str"), ("rank", "int"), ("entity", "str"), ("documents", "int"),
           ("comparison_documents", "int"), ("change", "float")]


def comparison_filters(filters, comparison="previous"):
    """The comparison period's Filters: 'previous' (equal length just before) or 'year'
    (the same dates a year earlier; 29 February -> 28 February)."""
    if comparison == "previous":
        return reference_filters(filters, "previous")
    if comparison != "year":
        raise QueryError(f"잘못된 비교 기간 / invalid comparison: {comparison!r} (allowed: {', '.join(COMPARISONS)})")
    if not (filters.date_from and filters.date_to):
        raise QueryError("전년 동기 비교에는 시작일과 종료일이 필요합니다 / comparison=year needs from and to")
    start, end = year_before(filters.date_from, filters.date_to)
    return filters.replace(date_from=start, date_to=end)


def _vocabulary(db, kinds):
    """{term id: (name, kind)} of the entities of these kinds."""
    return {row[0]: (row[1], row[2]) for row in db.execute(
        f"SELECT id, term, kind FROM term_vocab WHERE kind IN ({','.join('?' * len(kinds))})", list(kinds))}


def top_entities(db, filters, comparison, kinds=KINDS, n=10):
    """[{kind, rank, entity, documents, comparison_documents, change}]: each kind's `n` entities
    mentioned by most documents (ties by name), with their documents in the `comparison`
    Filters; change = (documents - comparison) / comparison, None when the comparison is 0."""
    vocab = _vocabulary(db, kinds)
    current, before = terms.counts(db, filters or Filters()), terms.counts(db, comparison)
    rows = []
    for kind in kinds:
        found = sorted((-docs, vocab[t][0], t) for t, docs in current.items() if vocab.get(t, ("", ""))[1] == kind)
        for rank, (minus_docs, name, t) in enumerate(found[:n], 1):
            prev = before.get(t, 0)
            rows.append({"kind": kind, "rank": rank, "entity": name, "documents": -minus_docs,
                         "comparison_documents": prev, "change": round((-minus_docs - prev) / prev, 4) if prev else None})
    return rows


def entity_days(db, filters, name):
    """[(day, documents mentioning the entity)] for every day of the filters' dates (zeros
    included); QueryError when no analysed document mentions it."""
    term = terms.term_id(db, name)
    if term is None:
        raise QueryError(f"분석된 기사에 없는 이름입니다 / no analysed document mentions: {name!r}")
    counts = terms.day_counts(db, filters, term)
    start, end = dt.date.fromisoformat(filters.date_from), dt.date.fromisoformat(filters.date_to)
    days = [(start + dt.timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    return [(day, counts.get(day, 0)) for day in days]
