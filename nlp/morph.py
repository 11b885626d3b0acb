"""Kiwi morphemes (offline), loaded once per process."""
from __future__ import annotations

_kiwi = None
CONTENT_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "MAG", "SL")


def kiwi():
    global _kiwi
    if _kiwi is None:
        from kiwipiepy import Kiwi
        _kiwi = Kiwi(num_workers=1)
    return _kiwi


def morphemes(text: str) -> list[tuple[str, str]]:
    """(form, tag) pairs, e.g. ('비판', 'NNG'); verb/adjective stems as in the lexicon."""
    return [(t.form, t.tag.split("-")[0]) for t in kiwi().tokenize(text or "")]


def content_tokens(text: str) -> list[str]:
    return [f"{f}/{t}" for f, t in morphemes(text) if t.startswith(CONTENT_TAGS)]
