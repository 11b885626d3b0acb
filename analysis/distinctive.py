"""Words that set a set of titles apart from a baseline (the "what drove it" panel of a spike).

One small function on purpose: a richer keyword module can replace it later.
"""
import collections
import functools
import math
import re

_WORD = re.compile(r"[가-힣A-Za-z0-9]+")
# Common Korean particles stripped from the end of a word (예산을 -> 예산), longest first.
_PARTICLES = ("에서는", "으로는", "에서", "으로", "에게", "까지", "부터", "은", "는", "이", "가", "을", "를", "의",
              "에", "와", "과", "도", "만", "로")
_STOP = {"관련", "보도", "기자", "뉴스", "오늘", "사진", "이번", "지난", "위해", "통해", "종합", "속보", "단독"}


@functools.lru_cache(maxsize=50_000)
def _stem(word):
    """The word without one trailing particle; None for a stop word, a number or one letter
    (cached: titles repeat their words)."""
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            word = word[:-len(particle)]
            break
    return word if len(word) >= 2 and word not in _STOP and not word.isdigit() else None


def distinctive_words(titles, baseline_titles, n=10, min_count=2):
    """[(word, titles with it, z)]: words more frequent in `titles` than in `baseline_titles`,
    by the log-odds ratio with a +0.5 prior and its z-score (Monroe, Colaresi & Quinn 2008,
    uniform prior); a word counts once per title and must appear in `min_count` titles.
    Only words with z > 1.96 (more frequent than chance would give) are returned."""
    def counts(texts):
        c = collections.Counter()
        for text in texts:
            c.update({w for w in map(_stem, _WORD.findall(text or "")) if w})
        return c
    target, base = counts(titles), counts(baseline_titles)
    n_target, n_base = max(len(titles), 1), max(len(baseline_titles), 1)
    out = []
    for word, y in target.items():
        if y < min_count:
            continue
        b = base.get(word, 0)
        delta = math.log((y + 0.5) / (n_target - y + 0.5)) - math.log((b + 0.5) / (n_base - b + 0.5))
        z = delta / math.sqrt(1 / (y + 0.5) + 1 / (b + 0.5))
        if z > 1.96:
            out.append((word, y, round(z, 2)))
    return sorted(out, key=lambda w: (-w[2], -w[1], w[0]))[:n]
