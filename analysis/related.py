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
import math

import numpy as np
from scipy import sparse

from store import terms
from store.queries import LABEL_JOIN, Filters, QueryError, where_clause

MIN_COUNT = 3
EDGE_COLUMNS = [("source", "str"), ("target", "str"), ("target_kind", "str"), ("cooccurrences", "int"),
                ("source_sentences", "int"), ("target_sentences", "int"), ("pmi", "float"), ("npmi", "float")]


def _incidence(db, filters):
    """(sentence, term) numpy arrays with one entry per term of each sentence of the matching
    documents (sentence numbers ascending; a stored sentence lists distinct terms), and N,
    the number of sentences with a term."""
    params = []
    # reading sentences dominates: always walk the dates, never every relevant label
    where = where_clause(filters, params, date_first=True)
    texts = [text for (text,) in db.execute(f"""SELECT s.sentences FROM documents d {LABEL_JOIN}
                                                 JOIN doc_sentences s ON s.doc = d.rowid WHERE {where}""", params)
             if text]
    flat = np.fromstring(" -1 ".join(t.replace("|", " -1 ") for t in texts), dtype=np.int64, sep=" ")
    cut = flat == -1
    sentence, term = np.cumsum(cut)[~cut], flat[~cut]
    total = int(np.count_nonzero(np.diff(sentence))) + 1 if len(sentence) else 0
    return sentence, term, total


def _word_pairs(sentence, term, focus):
    """{(focus, t): sentences with both}."""
    has = np.zeros(int(sentence[-1]) + 1 if len(sentence) else 0, dtype=bool)
    has[sentence[term == focus]] = True
    counts = np.bincount(term[has[sentence]]) if len(sentence) else np.zeros(0, dtype=np.int64)
    return {(focus, int(t)): int(counts[t]) for t in np.flatnonzero(counts) if t != focus}


def _network_pairs(sentence, term, chosen):
    """{(a, b): sentences with both} for a < b among the chosen terms."""
    ids = np.array(sorted(chosen), dtype=np.int64)
    keep = np.isin(term, ids)
    if not keep.any():
        return {}
    rows, columns = sentence[keep], np.searchsorted(ids, term[keep])
    x = sparse.csr_matrix((np.ones(len(rows), dtype=np.int64), (rows, columns)), shape=(int(rows.max()) + 1, len(ids)))
    both = (x.T @ x).toarray()
    return {(int(ids[i]), int(ids[j])): int(both[i, j]) for i in range(len(ids)) for j in range(i + 1, len(ids))
            if both[i, j]}


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
    if focus is None:  # the period's most frequent terms (documents containing them)
        chosen = {t for t, _ in collections.Counter(terms.counts(db, f)).most_common(top)}
    sentence_of, term_of, total = _incidence(db, f)
    single = np.bincount(term_of) if len(term_of) else np.zeros(0, dtype=np.int64)
    pairs = (_word_pairs(sentence_of, term_of, focus) if focus is not None
             else _network_pairs(sentence_of, term_of, chosen))
    edges = []
    for (a, b), both in pairs.items():
        if both < min_count:
            continue
        pmi = math.log2(both * total / (int(single[a]) * int(single[b])))
        npmi = pmi / -math.log2(both / total) if both < total else 1.0
        edges.append((a, b, both, pmi, npmi))
    edges.sort(key=lambda e: (-e[3], -e[2], e[0], e[1]))
    if focus is not None:
        edges = edges[:n]
    names = terms.names(db, {t for e in edges for t in e[:2]})
    rows = [{"source": names[a][0], "target": names[b][0], "target_kind": names[b][1], "cooccurrences": both,
             "source_sentences": int(single[a]), "target_sentences": int(single[b]), "pmi": round(pmi, 4),
             "npmi": round(npmi, 4)} for a, b, both, pmi, npmi in edges]
    return {"word": term, "sentences": total, "edges": rows,
            "min_count": min_count, "method": "PMI over sentences", "unanalysed": terms.unanalysed(db, f)}
