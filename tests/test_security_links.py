"""Only http(s) links are stored, canonicalised and rendered: the store refuses javascript:,
data: and file: URLs, a hostile rel=canonical is ignored, and rows stored before this rule
are shown in the digest and the dashboard as text, never as a clickable link."""
import json

import pytest

from crawler.urls import canonical_url
from dashboard.data import Data
from dashboard.event_markers import open_panel
from dashboard.views import documents
from dashboard.views.common import link
from digest.build import build_digest
from digest.render import render_html, render_text
from digest_helpers import add_docs
from events.table import add_note
from store.documents import save_document

HOSTILE = ["javascript:alert(document.cookie)", "JavaScript://127.0.0.1/%0aalert(1)", " javascript:alert(1)",
           "data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "vbscript:msgbox(1)", "ftp://x/y"]


@pytest.mark.parametrize("url", HOSTILE)
def test_the_store_refuses_non_http_urls(db, url):
    with pytest.raises(ValueError, match="not an http"):
        save_document(db, {"url": url, "canonical_url": "http://127.0.0.1/a", "title": "t", "body": "b",
                           "source": "s", "kind": "news", "published_at": "2026-03-02T01:00:00Z"})
    with pytest.raises(ValueError, match="not an http"):
        save_document(db, {"canonical_url": url, "title": "t", "body": "b", "source": "s", "kind": "news",
                           "published_at": "2026-03-02T01:00:00Z"})
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 0


@pytest.mark.parametrize("url", HOSTILE)
def test_a_hostile_canonical_is_ignored_and_a_hostile_url_refused(url):
    page = "http://127.0.0.1:8000/news/1.html"
    assert canonical_url(page, url) == page
    with pytest.raises(ValueError):
        canonical_url(url)


@pytest.fixture
def legacy_rows(db):
    """Documents whose URLs were stored before the rule (written straight into the table)."""
    ids = add_docs(db, "2026-11-17", 1, title="자치경찰 일반 기사") + \
        add_docs(db, "2026-11-18", 1, kind="civic", title="시민단체 성명 자바스크립트")
    for doc_id, url in zip(ids, ("javascript:alert(document.cookie)", "data:text/html,<script>alert(1)</script>")):
        db.execute("UPDATE documents SET url = ?, canonical_url = ? WHERE id = ?", [url, url, doc_id])
    # an event whose link was written straight into the table (the events code checks links itself)
    event_id = add_note(db, "2026-11-18", "위원회 공청회 자바스크립트", "홍보담당")
    db.execute("UPDATE events SET url = 'javascript:alert(3)' WHERE id = ?", [event_id])
    db.conn.commit()
    return ids


def test_the_digest_never_links_a_non_http_url(db, legacy_rows):
    ctx = build_digest(db, "2026-W47", dashboard_url="javascript:alert(2)")
    html = render_html(ctx, {"volume": "cid:v", "negative": "cid:n"})
    text = render_text(ctx)
    assert "자치경찰 일반 기사" in html and "시민단체 성명 자바스크립트" in html and "위원회 공청회 자바스크립트" in html
    assert "javascript:" not in html.lower() and "data:text" not in html
    assert "javascript:" not in text.lower() and "data:text" not in text and "(링크 없음)" in text


def test_the_dashboard_never_links_a_non_http_url(db, legacy_rows):
    assert link("제목", "javascript:alert(1)") == "제목"
    assert link("제목", "https://news.example/1") == "[제목](https://news.example/1)"
    panel, _ = documents.detail(db, legacy_rows[0])
    assert "javascript:" not in json.dumps(panel.to_plotly_json(), default=str).lower()


def test_the_event_panel_never_links_a_non_http_url(db, legacy_rows):
    event_id = db.execute("SELECT id FROM events").fetchone()[0]
    _, panel = open_panel(Data(db.path), "", event_id)
    shown = json.dumps(panel.to_plotly_json(), default=str, ensure_ascii=False)
    assert "위원회 공청회 자바스크립트" in shown and "시민단체 성명 자바스크립트" in shown  # the stories are listed
    assert "javascript:" not in shown.lower() and "data:text" not in shown
