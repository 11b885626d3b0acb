"""Kiwi morphemes (offline), loaded once per process."""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

_kiwi = None
CONTENT_TAGS = ("NNG", "NNP", "VV", "VA", "XR", "MAG", "SL")
# text -> content tokens for the batch being classified in this thread (nlp/feature_cache.py
# fills it from the store and saves what was computed); None = no memo.
_memo = threading.local()


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
    memo = getattr(_memo, "tokens", None)
    if memo is not None and text in memo:
        return memo[text]
    tokens = [f"{f}/{t}" for f, t in morphemes(text) if t.startswith(CONTENT_TAGS)]
    if memo is not None:
        memo[text] = tokens
    return tokens


def set_memo(tokens: dict | None) -> None:
    """Use `tokens` (text -> content tokens) as this thread's memo; None switches it off."""
    _memo.tokens = tokens


def analyzer_key() -> str:
    """Changes with the Kiwi release, its model, the content tags or this file."""
    from importlib.metadata import PackageNotFoundError, version
    parts = [",".join(CONTENT_TAGS), hashlib.sha256(Path(__file__).read_bytes()).hexdigest()]
    for package in ("kiwipiepy", "kiwipiepy-model"):
        try:
            parts.append(version(package))
        except PackageNotFoundError:
            parts.append("-")
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
