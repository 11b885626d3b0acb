"""The recorded extraction pages (tests/fixtures/extract/pages) and how an extraction is scored
against their gold sidecars; shared by tests/test_crawler_extract.py and benchmarks/extract.py."""
import collections
import json
import re
import unicodedata
from pathlib import Path

from scrapy.http import HtmlResponse

PAGES = Path(__file__).resolve().parent / "fixtures" / "extract" / "pages"


def load_pages(family=None):
    """Each page as the spiders get it (Scrapy decodes by the page's <meta> charset) plus its gold."""
    pages = []
    for gold_path in sorted(PAGES.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if family and gold["family"] != family:
            continue
        body = gold_path.with_suffix(".html").read_bytes()
        text = HtmlResponse(gold["url"], body=body, headers={"Content-Type": "text/html"}).text
        pages.append({"name": gold_path.stem, "html": text, **gold})
    return pages


def norm(text):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def tokens(text):
    return norm(text).split()


def token_f1(got, gold):
    got, gold = collections.Counter(tokens(got)), collections.Counter(tokens(gold))
    common = sum((got & gold).values())
    if not common:
        return 0.0
    precision, recall = common / sum(got.values()), common / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


def chrome_lines(body, gold):
    """Output lines that are not article text: under half of their tokens occur in the gold body."""
    vocab = set(tokens(gold))
    out = []
    for line in (body or "").splitlines():
        words = tokens(line)
        if words and sum(w in vocab for w in words) < len(words) / 2:
            out.append(line)
    return out
