"""Top Kiwi nouns of a set of titles (the 'keywords of the period' panel)."""
import collections
import functools
import threading

STOP = {"관련", "보도", "기자", "뉴스", "오늘", "사진", "이번", "지난", "위해", "통해"}
_lock = threading.Lock()


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
    with _lock:  # one Kiwi instance, used by one thread at a time
        for tokens in _kiwi().tokenize(texts):
            words = {t.form for t in tokens if t.tag in ("NNG", "NNP") and len(t.form) > 1 and t.form not in STOP}
            counter.update(words)  # document frequency: a word counts once per title
    return counter.most_common(n)
