"""Importing history: BigKinds workbooks (header variants, bad rows, 분석제외), CSV/JSONL with a
column map, one document per article across imports and crawls, resume after kill -9,
text_basis and origin in the store, the exports and the dashboard."""
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import monitor
import store
from dashboard.data import Data
from dashboard.state import Context, parse_search
from dashboard.views import documents, overview, review
from importer.load import import_file
from store.documents import known_canonical_urls, save_document
from store.labels import save_classifications

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "bigkinds"))
import build_workbook as wb  # noqa: E402

DEMO = ROOT / "tests" / "fixtures" / "bigkinds" / "demo_2021_2023.xlsx"


def kept(rows):
    return [r for r in rows if not r["분석제외 여부"]]


def row(day="20210701", title="서울자치경찰위원회 출범", outlet="한빛일보", url="", text="서울특별시자치경찰위원회가 1일 출범했다.",
        excluded="", news_id=None, **extra):
    base = dict.fromkeys(wb.HEADER, "")
    base.update({"뉴스 식별자": news_id or f"01100801.{day}0900{abs(hash(title)) % 1000:03d}", "일자": day, "언론사": outlet,
                 "제목": title, "본문": text, "URL": url, "분석제외 여부": excluded, "인물": "홍길동,김철수",
                 "위치": "서울,서울특별시", "기관": "자치경찰위원회", "키워드": "자치경찰,출범"}, **extra)
    return base


def dump(db):
    """Everything an import writes, to compare before and after."""
    return [list(db.execute(f"SELECT * FROM {t} ORDER BY 1")) for t in ("documents", "document_metadata")]


def run_cli(*argv, db_path):
    return monitor.main(["--db", str(db_path), *map(str, argv)])


# ---------------------------------------------------------------- the sample workbook

def test_sample_workbook_imports_with_right_counts_dates_outlets_and_basis(db, capsys):
    rows = wb.demo_rows()
    assert run_cli("import", "bigkinds", DEMO, "--no-progress", db_path=db.path) == 0
    out = capsys.readouterr().out
    assert f"{len(rows)}행 — 새 문서 {len(kept(rows))}" in out and "분석제외 8" in out and "python monitor.py classify" in out
    stored = {r["import_row"]: r for r in db.query("SELECT * FROM documents")}
    assert len(stored) == len(kept(rows)) and min(stored) == 2
    by_id = {r["뉴스 식별자"]: r for r in kept(rows)}
    meta = {m["source_ref"]: m for m in db.query("SELECT * FROM document_metadata")}
    assert set(meta) == set(by_id)
    for doc in stored.values():
        doc_meta = next(m for m in meta.values() if m["document_id"] == doc["id"])
        src = by_id[doc_meta["source_ref"]]
        day = dt.date(int(src["일자"][:4]), int(src["일자"][4:6]), int(src["일자"][6:]))
        assert doc["pub_date"] == day.isoformat()  # the Korean date, whatever the UTC time
        assert doc["published_at"] == f"{day - dt.timedelta(days=1)}T15:00:00Z"
        assert (doc["outlet"], doc["title"], doc["body"]) == (src["언론사"], src["제목"], src["본문"])
        assert doc["text_basis"] == ("snippet" if src["본문"] else "title")
        assert (doc["origin_kind"], doc["source"], doc["kind"], doc["date_source"]) == ("bigkinds", "BigKinds", "news",
                                                                                       "import")
        assert doc["import_file"] == DEMO.name and len(doc["import_sha256"]) == 64
        assert doc["url"] == src["URL"] and doc["canonical_url"] == (src["URL"] or f"urn:bigkinds:{src['뉴스 식별자']}")
        assert json.loads(doc_meta["organisations"])[0] == "자치경찰위원회"
    assert db.execute("SELECT MIN(pub_date), MAX(pub_date) FROM documents").fetchone() == ("2021-07-01", "2023-12-30")
    assert {r[0] for r in db.execute("SELECT text_basis FROM documents")} == {"snippet", "title"}


def test_reimport_is_a_no_op_and_an_overlapping_file_changes_nothing(db, tmp_path, capsys):
    import_file(db, "bigkinds", DEMO, progress=False)
    before = dump(db)
    assert import_file(db, "bigkinds", DEMO, progress=False)["status"] == "already"
    # the same articles in another file (another export covering part of the period, rows reordered)
    overlap = wb.write_workbook(tmp_path / "overlap.xlsx", list(reversed(wb.demo_rows()[:120])))
    summary = import_file(db, "bigkinds", overlap, progress=False)
    assert summary["new"] == summary["merged"] == summary["duplicate"] == 0
    assert summary["unchanged"] + summary["excluded"] == 120
    assert dump(db) == before


# ---------------------------------------------------------------- header variants and bad rows

VARIANTS = {"뉴스 식별자": "뉴스식별자", "통합 분류1": "통합분류1", "사건/사고 분류1": "사건/사고분류1",
            "특성추출(가중치순 상위 50개)": "특성추출", "분석제외 여부": "분석 제외 여부", "URL": "url"}


def test_header_variants_read_the_same(tmp_path):
    rows = [row(), row(day="20220803", title="경찰국 신설 논란", url="https://www.hanbit-daily.example/news/1"),
            row(day="20220804", title="중복 기사", excluded="중복")]
    standard = wb.write_workbook(tmp_path / "standard.xlsx", rows)
    variant = wb.write_workbook(tmp_path / "variant.xlsx", rows, header=[VARIANTS.get(h, h) for h in wb.HEADER])
    # an export saved with a title line above the header, and the header's columns in another order
    order = list(reversed(range(len(wb.HEADER))))
    titled = wb.write_workbook(tmp_path / "titled.xlsx", [[], [wb.HEADER[i] for i in order]] +
                               [[r[wb.HEADER[i]] for i in order] for r in rows], header=["뉴스 검색 결과 (빅카인즈)"])
    results = []
    for path in (standard, variant, titled):
        database = store.open_db(tmp_path / f"{path.stem}.db")
        summary = import_file(database, "bigkinds", path, progress=False)
        assert (summary["new"], summary["excluded"], summary["bad"]) == (2, 1, 0), path.name
        results.append(sorted(database.execute("SELECT pub_date, outlet, title, url, body, text_basis FROM documents")))
        people = database.execute("SELECT people FROM document_metadata").fetchall()
        assert all(json.loads(p[0]) == ["홍길동", "김철수"] for p in people)
    assert results[0] == results[1] == results[2]


def test_not_a_bigkinds_file_is_refused_clearly(db, tmp_path, capsys):
    other = wb.write_workbook(tmp_path / "other.xlsx", [["a", "b"]], header=["name", "value"])
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert run_cli("import", "bigkinds", other, broken, tmp_path / "missing.xlsx", DEMO, "--no-progress",
                   db_path=db.path) == 1
    err = capsys.readouterr().err
    assert "BigKinds 머리글을 찾지 못했습니다" in err and "xlsx" in err and "broken.xlsx" in err
    assert "missing.xlsx: 파일이 없습니다" in err
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] > 300  # the good file was still imported
    assert [r[0] for r in db.execute("SELECT file FROM imports")] == [DEMO.name]  # failed files leave no record


def test_an_error_in_the_file_reader_process_reaches_the_user(db, tmp_path, capsys):
    from importer.load import BACKGROUND_BYTES
    big = wb.write_workbook(tmp_path / "big_other.xlsx", [[os.urandom(100).hex()] for _ in range(3000)],
                            header=["name"])
    assert big.stat().st_size >= BACKGROUND_BYTES  # read in the second process
    assert run_cli("import", "bigkinds", big, "--no-progress", db_path=db.path) == 1
    assert "big_other.xlsx: BigKinds 머리글을 찾지 못했습니다" in capsys.readouterr().err


def test_bad_rows_are_reported_by_row_number_and_the_rest_imported(db, tmp_path, capsys):
    tomorrow2 = (dt.date.today() + dt.timedelta(days=3)).strftime("%Y%m%d")
    rows = [row(title="정상 1"), row(day="", title="날짜 없음"), row(day="20211345", title="없는 날짜"),
            row(day="어제", title="읽을 수 없는 날짜"), row(title="", text="제목 없는 기사"), row(day=tomorrow2, title="미래"),
            row(day="2021.07.02", title="정상 2 (점 구분 날짜)"), row(day="20210703", title="정상 3")]
    path = wb.write_workbook(tmp_path / "bad.xlsx", rows)
    assert run_cli("import", "bigkinds", path, "--no-progress", db_path=db.path) == 0
    captured = capsys.readouterr()
    for number, reason in ((3, "날짜가 없습니다"), (4, "날짜를 읽을 수 없습니다"), (5, "날짜를 읽을 수 없습니다"),
                           (6, "제목이 없습니다"), (7, "날짜가 범위를 벗어났습니다")):
        assert f"bad.xlsx 행 {number}: {reason}" in captured.err, number
    assert "오류 행 5" in captured.out
    assert sorted(r[0] for r in db.execute("SELECT import_row FROM documents")) == [2, 8, 9]
    assert db.execute("SELECT pub_date FROM documents WHERE import_row = 8").fetchone()[0] == "2021-07-02"


def test_hostile_values_are_contained(db, tmp_path):
    rows = [row(title="=HYPERLINK(\"http://evil.example\")", url="javascript:alert(1)"),
            row(title="<script>alert(1)</script>", url="file:///etc/passwd", day="20210702"),
            row(title="정상 링크", url="https://ok.example/1", day="20210703")]
    summary = import_file(db, "bigkinds", wb.write_workbook(tmp_path / "hostile.xlsx", rows), progress=False)
    assert (summary["new"], summary["bad"]) == (2, 1)  # a formula cell is never run: no title, row skipped
    docs = {r["import_row"]: r for r in db.query("SELECT * FROM documents")}
    assert docs[3]["url"] == "" and docs[3]["canonical_url"].startswith("urn:bigkinds:")
    assert docs[4]["url"] == "https://ok.example/1"
    # a CSV can carry what a workbook cannot: control characters and an 8 MB cell
    csv_path = tmp_path / "hostile.csv"
    csv_path.write_text("title,date,text,outlet,url\n\"제목\x00\x07 끝\",2021-07-04,\"" + "본" * 8_000_000 + "\",매체,"
                        "javascript:alert(1)\n=HYPERLINK(\"http://evil.example\"),2021-07-05,,매체,\n", encoding="utf-8")
    assert import_file(db, "csv", csv_path, progress=False)["new"] == 2
    docs = list(db.query("SELECT * FROM documents WHERE origin_kind = 'csv' ORDER BY import_row"))
    assert docs[0]["title"] == "제목 끝" and len(docs[0]["body"]) == 100_000 and docs[0]["url"] == ""  # cut, not refused
    assert docs[1]["title"].startswith("=HYPERLINK")  # plain text here; the export writers neutralise formulas


# ---------------------------------------------------------------- one article, one document

def crawled(url, title, day="2021-07-01", outlet="한빛일보", body="서울특별시자치경찰위원회가 1일 출범했다. " * 20):
    return {"url": url, "canonical_url": url, "source": "한빛일보 사회", "kind": "news", "outlet": outlet,
            "title": title, "body": body, "published_at": f"{day}T01:30:00Z", "date_source": "page"}


def test_a_crawled_copy_upgrades_the_imported_snippet(db, tmp_path):
    link = "https://www.hanbit-daily.example/news/articleView.html?idxno=7"
    rows = [row(title="출범 첫날 현장", url=link),                                   # the outlet's link
            row(title="[단독] 링크 없는 기사", day="20210702"),                        # no link
            row(title="포털 링크 기사", day="20210703", url="https://n.news.naver.com/article/001/0000000001"),
            row(title="다른 매체의 같은 제목", day="20210702", outlet="서울데일리"),
            row(title="주소 표기가 다른 기사", day="20210704", url="http://hanbit-daily.example/news/articleView.html?idxno=11")]
    import_file(db, "bigkinds", wb.write_workbook(tmp_path / "h.xlsx", rows), progress=False)
    ids = {r["title"]: r["id"] for r in db.query("SELECT id, title FROM documents")}
    save_classifications(db, [{"document_id": i, "model_version": "m1", "relevant": True, "sentiment": "neutral"}
                              for i in ids.values()])
    assert link not in known_canonical_urls(db)  # the crawler still fetches an imported snippet's page

    assert save_document(db, crawled(link, "출범 첫날 현장")) == (ids["출범 첫날 현장"], "updated")  # same URL
    # no link: the same title (tags like [단독] aside), Korean date and outlet
    other = "https://www.hanbit-daily.example/news/articleView.html?idxno=8"
    assert save_document(db, crawled(other, "링크 없는 기사", day="2021-07-02")) == (ids["[단독] 링크 없는 기사"], "updated")
    portal = "https://www.hanbit-daily.example/news/articleView.html?idxno=9"
    assert save_document(db, crawled(portal, "포털 링크 기사", day="2021-07-03"))[0] == ids["포털 링크 기사"]

    same_site = "https://www.hanbit-daily.example/news/articleView.html?idxno=11"  # https, www: the same site
    assert save_document(db, crawled(same_site, "주소 표기가 다른 기사", day="2021-07-04"))[0] == ids["주소 표기가 다른 기사"]

    docs = {r["id"]: r for r in db.query("SELECT * FROM documents")}
    for title, url in (("출범 첫날 현장", link), ("[단독] 링크 없는 기사", other), ("포털 링크 기사", portal),
                       ("주소 표기가 다른 기사", same_site)):
        doc = docs[ids[title]]
        assert (doc["text_basis"], doc["canonical_url"], doc["origin_kind"]) == ("full", url, "bigkinds")
        assert doc["body"].startswith("서울특별시자치경찰위원회") and doc["date_source"] == "page"
        assert doc["import_file"] == "h.xlsx"  # where it first came from stays recorded
        assert not db.execute("SELECT 1 FROM classifications WHERE document_id = ?", [doc["id"]]).fetchone()
    assert docs[ids["다른 매체의 같은 제목"]]["text_basis"] == "snippet"  # another outlet is another article
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 5
    # a later re-crawl of the same page does not create anything either
    assert save_document(db, crawled(link, "출범 첫날 현장")) == (ids["출범 첫날 현장"], "unchanged")


def test_an_import_never_overwrites_a_crawled_article(db, tmp_path):
    link = "https://www.hanbit-daily.example/news/articleView.html?idxno=10"
    crawled_id, _ = save_document(db, crawled(link, "경찰국 신설 논란", day="2022-08-03"))
    same_site = "http://hanbit-daily.example/news/articleView.html?idxno=10"  # http, no www: same site
    rows = [row(title="경찰국 신설 논란", day="20220803", url=link, text="짧은 앞부분"),
            row(title="경찰국 신설 논란", day="20220803", url=same_site, text="짧은 앞부분", news_id="x2")]
    summary = import_file(db, "bigkinds", wb.write_workbook(tmp_path / "c.xlsx", rows), progress=False)
    assert (summary["new"], summary["merged"], summary["unchanged"]) == (0, 1, 1)
    doc = db.execute("SELECT text_basis, body, origin_kind, import_file, import_row FROM documents").fetchall()
    assert len(doc) == 1 and doc[0][0] == "full" and doc[0][1].startswith("서울특별시") and doc[0][2:] == ("crawl", "c.xlsx", 2)
    assert db.execute("SELECT document_id FROM document_metadata").fetchone()[0] == crawled_id


def test_two_crawled_pages_with_one_title_stay_two_articles(db):
    first = save_document(db, crawled("https://www.hanbit-daily.example/news/21", "[사설] 자치경찰의 과제",
                                      body="예산과 인력이 부족하다는 지적이 이어진다. " * 10))
    second = save_document(db, crawled("https://www.hanbit-daily.example/news/22", "[사설] 자치경찰의 과제",
                                       body="주민 참여를 넓히는 방안을 논의해야 한다. " * 10))
    assert first[1] == second[1] == "new" and first[0] != second[0]


# ---------------------------------------------------------------- CSV and JSONL

MEDIA_CLOUD = ("stories_id,publish_date,title,url,language,media_name\n"
               "101,2021-07-01 09:30:00,자치경찰제 오늘부터 시행,https://www.seoul-daily.example/a/1,ko,서울데일리\n"
               "102,2021-07-02 23:50:00,\"위원회 출범, 기대와 우려\",https://www.seoul-daily.example/a/2,ko,서울데일리\n"
               "103,not a date,날짜가 이상한 기사,https://www.seoul-daily.example/a/3,ko,서울데일리\n")


def test_media_cloud_csv_with_defaults_and_dry_run(db_path, tmp_path, capsys):
    path = tmp_path / "mediacloud.csv"
    path.write_text(MEDIA_CLOUD, encoding="utf-8")
    assert run_cli("import", "csv", path, "--dry-run", db_path=db_path) == 0
    out = capsys.readouterr()
    assert "행 2: 2021-07-01 | 서울데일리 | 자치경찰제 오늘부터 시행 | 제목만" in out.out and "가져올 행 2" in out.out
    assert "행 4: 날짜를 읽을 수 없습니다" in out.err
    assert not db_path.exists()  # a dry run stores nothing
    assert run_cli("import", "csv", path, "--no-progress", db_path=db_path) == 0
    db = store.open_db(db_path)
    docs = list(db.query("SELECT * FROM documents ORDER BY import_row"))
    assert [(d["pub_date"], d["text_basis"], d["origin_kind"], d["source"]) for d in docs] == [
        ("2021-07-01", "title", "csv", "mediacloud.csv"), ("2021-07-02", "title", "csv", "mediacloud.csv")]
    assert docs[0]["published_at"] == "2021-07-01T00:30:00Z"  # a time without zone is Korean time


def test_csv_column_map_encoding_and_errors(db, tmp_path, capsys):
    path = tmp_path / "research.csv"
    path.write_bytes("기사제목,발행일,매체명,본문전체,주소\n자치경찰 예산 삭감,2023-11-02,남해신문,"
                     "부산시자치경찰위원회 예산이 삭감됐다.,https://www.namhae-news.example/n/1\n".encode("cp949"))
    assert run_cli("import", "csv", path, "--map", "title=제목없음,date=발행일", db_path=db.path) == 1
    assert "--map title=제목없음: 그런 열이 없습니다" in capsys.readouterr().err
    assert run_cli("import", "csv", path, "--map", "title=기사제목,date=발행일,outlet=매체명,text=본문전체,url=주소",
                   "--text-basis", "full", "--no-progress", db_path=db.path) == 0
    doc = next(db.query("SELECT * FROM documents"))
    assert (doc["title"], doc["outlet"], doc["text_basis"], doc["url"]) == (
        "자치경찰 예산 삭감", "남해신문", "full", "https://www.namhae-news.example/n/1")


def test_jsonl_with_a_bad_line(db, tmp_path, capsys):
    path = tmp_path / "items.jsonl"
    path.write_text('{"title": "제주자치경찰단 순찰 확대", "date": "20230505", "outlet": "제주바람신문", "text": "제주"}\n'
                    "{not json\n"
                    '{"title": "두 번째", "date": "2023-05-06T10:00:00+09:00", "outlet": "제주바람신문"}\n',
                    encoding="utf-8")
    assert run_cli("import", "jsonl", path, "--no-progress", db_path=db.path) == 0
    assert "items.jsonl 행 2: JSON이 아닙니다" in capsys.readouterr().err
    assert sorted(r[0] for r in db.execute("SELECT published_at FROM documents")) == [
        "2023-05-04T15:00:00Z", "2023-05-06T01:00:00Z"]


# ---------------------------------------------------------------- interruption

def big_workbook(path, n):
    rows = []
    for i in range(n):
        day = dt.date(2021, 7, 1) + dt.timedelta(days=i % 900)
        rows.append(row(day=f"{day:%Y%m%d}", title=f"자치경찰 기사 {i}", news_id=f"id{i}",
                        url=f"https://www.hanbit-daily.example/n/{i}" if i % 3 else "",
                        text=f"({i}) 자치경찰위원회 관련 보도 {i}번째 기사의 앞부분입니다. " * 3))
    return wb.write_workbook(path, rows)


def session_processes(sid):
    """Processes still alive in the session (start_new_session=True: sid = the importer's pid)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            alive.append(stat.parent.name)
    return alive


def wait_until(check, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("how", ["kill -9", "Ctrl-C"])
def test_an_interrupted_import_leaves_whole_batches_and_a_rerun_completes(tmp_path, how, capsys):
    n = 4500
    book = big_workbook(tmp_path / "big.xlsx", n)
    db_path = tmp_path / "i.db"
    store.open_db(db_path).conn.close()
    cmd = [sys.executable, "monitor.py", "--db", str(db_path), "import", "bigkinds", str(book), "--no-progress"]
    # SIGINT as in a terminal, even when the tests run in a background job (which ignores it)
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    watch = sqlite3.connect(db_path, timeout=30)
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        done = watch.execute("SELECT COALESCE(MAX(rows_done), 0) FROM imports").fetchone()[0]
        if 1000 <= done < n:
            break
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGSTOP)  # held mid-import, so the signal below lands there, not in its exit
    done = watch.execute("SELECT MAX(rows_done) FROM imports").fetchone()[0]
    assert proc.poll() is None and 1000 <= done < n, "the import finished before it could be interrupted"
    if how == "kill -9":
        os.kill(proc.pid, signal.SIGKILL)  # the importer only: its file-reader process must notice and end
    else:
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        os.kill(proc.pid, signal.SIGCONT)
    out, err = proc.communicate(timeout=120)
    assert wait_until(lambda: not session_processes(proc.pid), 60), "a reader process outlived the import"
    if how == "Ctrl-C":
        assert proc.returncode == 130 and "같은 명령을 다시 실행하면 이어서" in err, (proc.returncode, out[-500:], err[-2000:])
    rows_done, status = watch.execute("SELECT rows_done, status FROM imports").fetchone()
    stored = watch.execute("SELECT COUNT(*), MAX(import_row) FROM documents").fetchone()
    assert status == "running" and rows_done % 1000 == 0 and 1000 <= rows_done < n
    assert stored == (rows_done, rows_done + 1)  # whole batches: every row up to rows_done, none after
    assert watch.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    watch.close()
    assert monitor.main(["--db", str(db_path), "status"]) == 0
    assert f"중단됨: {rows_done:,}행까지 저장" in capsys.readouterr().out
    again = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"{rows_done:,}행 다음부터 이어서" in again.stdout
    db = store.open_db(db_path)
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT import_row) FROM documents").fetchone() == (n, n)
    assert db.execute("SELECT status, rows_done, new FROM imports").fetchone() == ("done", n, n)


# ---------------------------------------------------------------- after the import

def label_all(db, version="m1"):
    ids = [r[0] for r in db.execute("SELECT id FROM documents")]
    save_classifications(db, [{"document_id": i, "model_version": version, "relevant": True, "relevance_score": 0.9,
                               "sentiment": "negative", "sentiment_scores": {"negative": 0.8, "neutral": 0.1, "positive": 0.1},
                               "topics": ["model"], "regions": ["서울"]} for i in ids])


def test_import_refreshes_rollups_and_the_dashboard_reaches_back(db, capsys):
    from store import rollups
    save_document(db, crawled("https://www.hanbit-daily.example/news/1", "요즘 기사", day="2025-11-20"))
    rollups.ensure(db)
    assert run_cli("import", "bigkinds", DEMO, "--no-progress", db_path=db.path) == 0
    assert db.execute("SELECT COUNT(*) FROM rollup_dirty").fetchone()[0] == 0
    label_all(db)
    data = Data(db.path)
    with data.db() as conn:
        ctx = Context(parse_search(""), data.bounds(conn))
        assert ctx.bounds == ("2021-07-01", "2025-11-20")
        note = str(overview.render(data, conn, ctx)["ov-notice"])
        whole = Context(parse_search("?start=2021-07-01&end=2025-11-20"), data.bounds(conn))
        long_note = str(overview.render(data, conn, whole)["ov-notice"])
        assert data.totals(conn, whole.filters)["articles"] == len(kept(wb.demo_rows())) + 1
    assert "자료 출처: 직접 수집 2025-11-20 ~ 2025-11-20." in note  # the default 28 days hold no imports
    assert "전체 기간 보기 (2021-07-01 ~ 2025-11-20)" in note and "start=2021-07-01" in note
    assert "BigKinds에서 가져온 기사 2021-07-01 ~ 2023-12-30" in long_note and "직접 수집 2025-11-20 ~ 2025-11-20" in long_note
    assert "전체 기간 보기" not in long_note


def test_document_view_marks_snippets_and_titles(db, tmp_path):
    rows = [row(title="앞부분만 있는 기사"), row(title="제목만 있는 기사", text="", day="20210702")]
    import_file(db, "bigkinds", wb.write_workbook(tmp_path / "d.xlsx", rows), progress=False)
    label_all(db)
    ids = {r["title"]: r["id"] for r in db.query("SELECT id, title FROM documents")}
    snippet = str(documents.detail(db, ids["앞부분만 있는 기사"])[0])
    assert "본문 일부(22자)" in snippet and "BigKinds 가져오기: d.xlsx 2행" in snippet
    assert "제목만" in str(documents.detail(db, ids["제목만 있는 기사"])[0])
    data = Data(db.path)
    with data.db() as conn:
        table, _ = documents.table_page(data, conn, Context(parse_search("?start=2021-07-01&end=2021-07-02"),
                                                            data.bounds(conn)), "relevant", "published_asc", 0)
    assert [r["title_link"].split("`")[1] for r in table] == ["본문 일부", "제목만"]
    with data.db() as conn:  # the review queue, where staff correct labels, says it too
        queue = review.render(data, conn, Context(parse_search("?start=2021-07-01&end=2021-07-02"),
                                                  data.bounds(conn)))["rv-body"]
    titles = sorted(r["title_link"] for r in queue[1].data)
    assert [t.rsplit("`", 2)[1] for t in titles] == ["본문 일부", "제목만"], titles


def test_documents_export_carries_text_basis_and_origin(db, tmp_path):
    import_file(db, "bigkinds", DEMO, progress=False)
    save_document(db, crawled("https://www.hanbit-daily.example/news/1", "요즘 기사", day="2025-11-20"))
    label_all(db)
    out = tmp_path / "docs.jsonl"
    assert monitor.main(["--db", str(db.path), "export", "documents", "--format", "json", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == len(kept(wb.demo_rows())) + 1
    first, last = rows[0], rows[-1]
    assert (first["pub_date"], first["origin"], first["import_file"]) == ("2021-07-01", "bigkinds", DEMO.name)
    assert first["text_basis"] in ("snippet", "title") and len(first["import_sha256"]) == 64
    assert first["import_row"] == db.execute("SELECT import_row FROM documents WHERE id = ?", [first["id"]]).fetchone()[0]
    assert (last["text_basis"], last["origin"], last["import_file"], last["import_row"]) == ("full", "crawl", None, None)
    assert {r["text_basis"] for r in rows} == {"full", "snippet", "title"}


def test_bigkinds_dry_run_shows_rows_as_stored_and_stores_nothing(db_path, tmp_path, capsys):
    rows = [row(title="앞부분만 있는 기사", url="https://www.hanbit-daily.example/news/5"),
            row(title="제목만 있는 기사", text="", day="20210702"), row(title="중복 기사", excluded="중복", day="20210703"),
            row(title="날짜 없는 기사", day="")]
    path = wb.write_workbook(tmp_path / "dry.xlsx", rows)
    assert run_cli("import", "bigkinds", path, "--dry-run", "--show", "1", db_path=db_path) == 0
    out = capsys.readouterr()
    assert "행 2: 2021-07-01 | 한빛일보 | 앞부분만 있는 기사 | 본문 일부(22자) | https://www.hanbit-daily.example/news/5" in out.out
    assert "제목만 있는 기사" not in out.out  # --show 1
    assert "가져올 행 2, 분석제외 1, 오류 행 1" in out.out and "행 5: 날짜가 없습니다" in out.err
    assert not db_path.exists()

