"""Top Kiwi nouns of a set of titles (the 'keywords of the period' panel).

Nouns are remembered per title (bounded LRU): the panel shows the newest titles, which stay
the same from one refresh or filter change to the next, so Kiwi only sees new titles.
"""
import collections
import functools
import threading

STOP = {"관련", "보도", "기자", "뉴스", "오늘", "사진", "이번", "지난", "위해", "통해"}
CACHE_TITLES = 20_000
_lock = threading.Lock()
_nouns_by_title = collections.OrderedDict()


@functools.lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi
    return Kiwi()


def warm_up():
    with _lock:
        _kiwi()


def top_keywords(texts, n=20):
    """[(word, count)] of the most frequent nouns (2+ characters) across texts."""
    texts = [t for t in texts if t]
    if not texts:
        return []
    counter = collections.Counter()
    with _lock:  # one Kiwi instance and one cache, used by one thread at a time
        new = list(dict.fromkeys(t for t in texts if t not in _nouns_by_title))
        for text, tokens in zip(new, _kiwi().tokenize(new) if new else []):
            _nouns_by_title[text] = frozenset(
                t.form for t in tokens if t.tag in ("NNG", "NNP") and len(t.form) > 1 and t.form not in STOP)
        for text in texts:
            _nouns_by_title.move_to_end(text)
            counter.update(_nouns_by_title[text])  # document frequency: a word counts once per title
        while len(_nouns_by_title) > CACHE_TITLES:
            _nouns_by_title.popitem(last=False)
    return counter.most_common(n)
