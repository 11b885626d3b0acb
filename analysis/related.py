"""Related words: which terms appear in the same sentences as a word (or as each other).

Counts are sentences of the documents the filters match (title = one sentence; each
sentence's distinct terms from nlp/terms.py, stored in doc_sentences). With N sentences,
n_a and n_b the sentences containing a and b, and n_ab those containing both:

    PMI(a, b)  = log2(n_ab · N / (n_a · n_b))        how many times more often than chance
    NPMI(a, b) = PMI / -log2(n_ab / N)               the same on a -1..1 scale (1: always together)

Pairs seen together in fewer than `min_count` sentences are left out (PMI overrates rare
pairs). Without a word, the edges join the period's `top` most frequent terms.
"""
import collections
import itertools
import math

from store import terms
from store.queries import LABEL_JOIN, Filters, QueryError, where_clause

MIN_COUNT = 3
EDGE_COLUMNS = [("source", "str"), ("target", "str"), ("target_kind", "str"), ("cooccurrences", "int"),
                ("source_sentences", "int"), ("target_sentences", "int"), ("pmi", "float"), ("npmi", "float")]


def _sentences(db, filters):
    """Each sentence of the matching documents as a set of term ids."""
    params = []
    where = where_clause(filters, params)
    for (text,) in db.execute(f"""SELECT s.sentences FROM documents d {LABEL_JOIN}
                                  JOIN doc_sentences s ON s.doc = d.rowid WHERE {where}""", params):
        for part in text.split("|"):
            if part:
                yield {int(t) for t in part.split()}


def resolve(db, word):
    """The term id of a word as typed (a committee alias becomes the committee's name);
    QueryError when no analysed document contains it."""
    from nlp.terms import _aliases
    word = " ".join((word or "").split())
    if not word:
        raise QueryError("단어를 입력하세요 / word is empty")
    _, names = _aliases()
    term = names.get(word, (word,))[0]
    term_id = terms.term_id(db, term)
    if term_id is None:
        raise QueryError(f"분석된 기사에 없는 단어입니다 / no analysed document contains the word: {word!r}")
    return term, term_id


def related(db, filters=None, word=None, top=30, n=30, min_count=MIN_COUNT):
    """{'word', 'sentences', 'edges': [{source, target, target_kind, cooccurrences,
    source_sentences, target_sentences, pmi, npmi}]}: for a word, its `n` most associated
    terms (highest PMI first); without one, the edges among the `top` most frequent terms."""
    f = filters or Filters()
    term, focus = resolve(db, word) if word else (None, None)
    single, pairs, total = collections.Counter(), collections.Counter(), 0
    chosen = None
    if focus is None:  # the period's most frequent terms (documents containing them)
        chosen = {t for t, _ in collections.Counter(terms.counts(db, f)).most_common(top)}
    for sentence in _sentences(db, f):
        total += 1
        single.update(sentence)
        if focus is not None:
            if focus in sentence:
                pairs.update((focus, t) for t in sentence if t != focus)
        else:
            pairs.update(itertools.combinations(sorted(sentence & chosen), 2))
    edges = []
    for (a, b), both in pairs.items():
        if both < min_count:
            continue
        pmi = math.log2(both * total / (single[a] * single[b]))
        npmi = pmi / -math.log2(both / total) if both < total else 1.0
        edges.append((a, b, both, pmi, npmi))
    edges.sort(key=lambda e: (-e[3], -e[2], e[0], e[1]))
    if focus is not None:
        edges = edges[:n]
    names = terms.names(db, {t for e in edges for t in e[:2]})
    rows = [{"source": names[a][0], "target": names[b][0], "target_kind": names[b][1], "cooccurrences": both,
             "source_sentences": single[a], "target_sentences": single[b], "pmi": round(pmi, 4),
             "npmi": round(npmi, 4)} for a, b, both, pmi, npmi in edges]
    return {"word": term, "sentences": total, "edges": rows,
            "min_count": min_count, "method": "PMI over sentences", "unanalysed": terms.unanalysed(db, f)}
