"""The keywords panel's noun counts (real Kiwi), and its per-title cache."""
from dashboard import keywords

TITLES = ["자치경찰 예산 부족 논란", "자치경찰위원회 예산 증액 요구", "경찰 인력 부족, 현장 업무 가중",
          "자치경찰 예산 예산 예산"]


def test_counts_each_noun_once_per_title_and_skips_stop_words():
    top = dict(keywords.top_keywords(TITLES + ["관련 기자 뉴스"]))
    assert top["예산"] == 3  # three titles, although the last repeats the word
    assert top["부족"] == 2
    assert not {"관련", "기자", "뉴스"} & set(top)
    assert keywords.top_keywords(["", None]) == []


def test_cached_titles_give_the_same_counts_and_the_cache_stays_bounded(monkeypatch):
    first = keywords.top_keywords(TITLES)
    calls = []
    real = keywords._kiwi()
    monkeypatch.setattr(keywords, "_kiwi", lambda: type("K", (), {
        "tokenize": lambda self, texts: calls.append(list(texts)) or real.tokenize(texts)})())
    assert keywords.top_keywords(TITLES) == first
    assert calls == []  # every title came from the cache
    assert dict(keywords.top_keywords(TITLES + ["치안 정책 발표"]))["치안"] == 1
    assert calls == [["치안 정책 발표"]]  # only the new title was analysed
    monkeypatch.setattr(keywords, "CACHE_TITLES", 3)
    keywords.top_keywords(TITLES)
    assert len(keywords._nouns_by_title) == 3
