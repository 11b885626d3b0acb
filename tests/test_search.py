"""The search language (OR, NOT/-, "phrases", parentheses, aliases), the bigram index for
2-character words and its queue, on a store with known documents; clear errors for
malformed or oversized searches, in the store and in the API."""
import re
import sqlite3

import flask
import pytest
from hypothesis import given, settings, strategies as st

from export.api import register
from store import open_db, search, search_index
from store.documents import save_document
from store.queries import Filters, QueryError, search_documents
from store.synthetic import seed_synthetic

DOCS = {  # key -> (title, body)
    "budget": ("자치경찰 예산안 국회 통과", "내년 예산이 늘었다."),
    "bureau": ("경찰국 신설 논란 계속", "예산 삭감 우려도 나온다."),
    "staff": ("현장 인력 부족 호소", "지구대 순찰 인력이 모자란다."),
    "busan": ("부산시자치경찰위 정례회의", "치안 협력 방안 논의"),
    "busan2": ("부산 자경위, 어린이 안전 캠페인", "부산광역시자치경찰위원회가 주관했다."),
    "other": ("제주 관광객 증가", "자치경찰 순찰 강화"),
}


def put(db, key, title=None, body=None):
    t, b = DOCS[key]
    save_document(db, {"canonical_url": f"https://news.example.kr/{key}", "title": title or t, "body": body or b,
                       "published_at": "2026-11-02T01:00:00Z", "source": "s", "kind": "news", "outlet": "o"})


def found(db, text):
    rows, total = search_documents(db, Filters(text=text, relevance="all"), limit=100)
    assert total == len(rows)
    keys = {f"https://news.example.kr/{k}": k for k in DOCS}
    return sorted(keys[r["canonical_url"]] for r in rows)


@pytest.fixture
def known(db):
    for key in DOCS:
        put(db, key)
    return db


EXPECTED = [
    ("예산 OR 인력 -경찰국", ["budget", "staff"]),
    ("예산 OR 인력 NOT 경찰국", ["budget", "staff"]),
    ("(예산 OR 인력) AND -경찰국", ["budget", "staff"]),
    ("예산", ["budget", "bureau"]),
    ("예산 인력", []),
    ("-예산", ["busan", "busan2", "other", "staff"]),
    ('"예산 삭감"', ["bureau"]),
    ('"삭감 예산"', []),
    ("순찰 (인력 OR 자치경찰)", ["other", "staff"]),
    ("치안 OR 관광객 -제주", ["busan"]),
    ("부산 자경위", ["busan", "busan2"]),          # alias typed without quotes
    ("부산자치경찰위원회", ["busan", "busan2"]),      # another form of the same alias
    ('"부산시자치경찰위"', ["busan", "busan2"]),
    ("부산", ["busan", "busan2"]),                  # a plain word is not an alias
    ("자치경찰 -부산 자경위", ["budget", "other"]),  # an alias under NOT
    ("인", ["busan2", "staff"]),                    # one character: LIKE (인력, 캠페인)
    ("or 예산", []),                                # lower-case or is a word
]


@pytest.mark.parametrize("text,keys", EXPECTED)
def test_searches_return_the_right_documents_before_and_after_indexing(known, text, keys):
    assert search_index.pending(known) == len(DOCS)  # not indexed: the queue's LIKE check answers
    assert found(known, text) == keys
    assert search_index.index_pending(known) == len(DOCS) and search_index.pending(known) == 0
    assert found(known, text) == keys  # the bigram index answers the same


def test_changed_and_deleted_documents_leave_the_index(known):
    search_index.index_pending(known)
    put(known, "staff", body="예산 부족으로 인력 충원이 늦어진다.")  # new text: 예산 added, 순찰 gone
    assert search_index.pending(known) == 1
    assert found(known, "예산") == ["budget", "bureau", "staff"]  # while queued
    assert found(known, "순찰") == ["other"]
    search_index.index_pending(known)
    assert found(known, "예산") == ["budget", "bureau", "staff"]
    assert found(known, "순찰") == ["other"] and found(known, "모자") == []  # the old text's bigrams are out
    with known.conn:
        known.execute("DELETE FROM documents WHERE canonical_url = 'https://news.example.kr/bureau'")
    assert found(known, "예산") == ["budget", "staff"]
    search_index.index_pending(known)
    assert search_index.pending(known) == 0 and found(known, "예산") == ["budget", "staff"]
    assert known.execute("SELECT COUNT(*) FROM search_bigrams WHERE search_bigrams MATCH '\"삭감\"'").fetchone()[0] == 0


def test_backfill_is_bounded_and_resumes_newest_first(db):
    seed_synthetic(db, 300, days=10, end_date="2026-11-20", seed=3)
    assert search_index.pending(db) == 300
    assert search_index.index_pending(db, limit=120, batch=50) == 120
    newest = db.execute("SELECT MAX(rowid) FROM documents").fetchone()[0]
    left = [r[0] for r in db.execute("SELECT rowid FROM search_queue ORDER BY rowid")]
    assert len(left) == 180 and max(left) == newest - 120  # the newest 120 went first
    assert search_index.index_pending(db, batch=50, seconds=0) == 50  # one batch, then the time is up
    search_index.index_pending(db)
    assert search_index.pending(db) == 0


@pytest.mark.parametrize("word", ["예산", "인력", "경찰", "11", "치안", "위원"])
def test_the_bigram_index_finds_what_a_substring_scan_finds(db, word):
    seed_synthetic(db, 400, days=10, end_date="2026-11-20", seed=4)
    search_index.index_pending(db)
    like = {r[0] for r in db.execute("SELECT id FROM documents WHERE title LIKE ? OR body LIKE ?",
                                     [f"%{word}%", f"%{word}%"])}
    rows, _ = search_documents(db, Filters(text=word, relevance="all", include_duplicates=True), limit=1000)
    assert {r["id"] for r in rows} == like and like


@pytest.mark.parametrize("text,message", [
    ("(예산 OR 인력", "'(' without ')'"),
    ("예산)", "')' without '('"),
    ('"예산 삭감', "quote"),
    ("예산 OR", "nothing after OR"),
    ("OR 예산", "nothing before OR"),
    ("예산 AND", "AND needs a word"),
    ("예산 ()", "empty parentheses"),
    ("예산 - 인력", "nothing after '-'"),
    ("NOT", "nothing after NOT"),
    ("((((((예산))))))", "nested too deep"),
    (" ".join(f"{chr(0xAC00 + i)}{i % 10}" for i in range(1000)), "too many search words: 1,000 (at most 50)"),
    ("가" * 501, "too long"),
])
def test_malformed_or_oversized_searches_say_what_to_fix(known, text, message):
    with pytest.raises(QueryError) as info:
        search_documents(known, Filters(text=text, relevance="all"))
    assert message in str(info.value) and "\n" not in str(info.value)
    assert re.search("[가-힣]", str(info.value).split(" / ")[0])  # Korean first, then English


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list('예산인력경찰국 "()-*^:+_%\\\'abc1.') + [" NEAR ", " OR ", " NOT ", " AND "]),
                max_size=25).map("".join))
def test_any_text_is_an_answer_or_a_search_error_never_an_sql_error(text):
    db = _fuzz_db()
    try:
        condition = search.sql_condition(text, params := [])
    except search.SearchError:
        return
    if condition:
        try:
            db.execute(f"SELECT COUNT(*) FROM documents d WHERE {condition}", params).fetchone()
        except sqlite3.Error as exc:  # pragma: no cover - what the test looks for
            raise AssertionError(f"{text!r} -> {exc}") from exc


_FUZZ = {}


def _fuzz_db():
    if "db" not in _FUZZ:
        import tempfile
        db = open_db(tempfile.mkdtemp() + "/fuzz.db")
        seed_synthetic(db, 50, days=5, end_date="2026-11-20", seed=1)
        search_index.index_pending(db, limit=25)  # half indexed, half queued
        _FUZZ["db"] = db
    return _FUZZ["db"]


def test_api_search_uses_the_language_and_refuses_bad_searches(known, db_path):
    search_index.index_pending(known)
    client = register(flask.Flask("search-api"), db_path).test_client()
    r = client.get("/api/v1/documents", query_string={"q": "예산 OR 인력 -경찰국", "relevance": "all"})
    assert r.status_code == 200
    assert sorted(d["title"] for d in r.get_json()["data"]) == sorted([DOCS["budget"][0], DOCS["staff"][0]])
    r = client.get("/api/v1/documents", query_string={"q": " ".join(["예산"] * 1000)})
    assert r.status_code == 400 and "too many search words" in r.get_json()["error"]
    r = client.get("/api/v1/trends", query_string={"q": "(예산"})
    assert r.status_code == 400 and r.get_json()["error"].startswith("검색식 오류")


def test_aliases_come_from_the_config_file(tmp_path):
    path = tmp_path / "aliases.toml"
    path.write_text('[[alias]]\nname = "홍길동 위원장"\nforms = ["홍 위원장", "길동 위원장"]\n'
                    '[[committee]]\nregion = "제주"\nnames = ["제주특별자치도자치경찰위원회"]\nplaces = ["제주", "제주도"]\n',
                    encoding="utf-8")
    table = search.load_aliases(path)
    assert set(table["홍 위원장"]) == {"홍길동 위원장", "홍 위원장", "길동 위원장"}
    assert {"제주도 자경위", "제주자치경찰위원회", "제주특별자치도자치경찰위원회"} <= set(table["제주 자경위"])
    tree = search.parse("홍 위원장 예산", aliases=table)
    assert tree[0] == "and" and tree[1][0][0] == "or" and len(tree[1][0][1]) == 3
    broken = tmp_path / "broken.toml"
    broken.write_text("[[alias]\n", encoding="utf-8")
    with pytest.raises(QueryError, match="cannot read broken.toml"):
        search.alias_groups(broken)
