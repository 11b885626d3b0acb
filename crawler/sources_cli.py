"""`python monitor.py sources list|test|detect|snapshot`: the operator's toolbox for sources.

- list:      every source with enabled, type/kind, last success and health (from the database).
- test NAME: a dry run of one source (real spider and extraction, nothing written): the items
             it lists and the problems found; exit code 0 = pass, 1 = fail.
- detect URL: find a board's list on a page (rows, dates, next page) and print a [[source]] block.
- snapshot NAME: record a list page and two item pages under tests/fixtures/snapshots/<slug>/.
"""
import datetime as dt
import json
import re
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from crawler.config import DEFAULT_CONFIG, ConfigError, load_config

HELP = "수집원 도구: 목록·시험 수집·게시판 탐지·스냅샷 / sources toolbox: list, test, detect, snapshot"
REPO = Path(__file__).resolve().parent.parent
SNAPSHOTS = REPO / "tests" / "fixtures" / "snapshots"
STATUS_KO = {"ok": "정상", "warning": "주의", "empty": "항목 없음", "error": "오류", "skipped": "건너뜀",
             "interrupted": "중단", "running": "수집 중"}


def add_arguments(parser):
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions = {
        "list": "모든 수집원과 상태 / every source with its health",
        "test": "수집원 하나를 시험 수집 (DB에 쓰지 않음) / dry-run one source (no writes); exit 1 on problems",
        "detect": "게시판 목록 자동 탐지, [[source]] 블록 출력 / detect a board's list and print a [[source]] block",
        "snapshot": "목록 1쪽과 글 2개를 tests/fixtures/snapshots/에 저장 / record a list page and two item pages",
    }
    for name, text in actions.items():
        cmd = sub.add_parser(name, help=text, description=text)
        cmd.add_argument("--config", default=str(DEFAULT_CONFIG.relative_to(REPO)),
                         help="소스 설정 파일 / sources file (default: config/sources.toml)")
        cmd.add_argument("--base-url", help="데모 설정의 {base}를 채울 주소 / fills {base} in demo configs")
        if name in ("test", "snapshot"):
            cmd.add_argument("name", metavar="NAME", help="소스 이름 / source name as in the config")
        if name == "detect":
            cmd.add_argument("url", metavar="URL", help="게시판 목록 주소 / the board's list page")
            cmd.add_argument("--name", default="새 게시판 / new board", help="출력 블록의 이름 / name in the printed block")
            cmd.add_argument("--kind", default="committee", help="committee | civic | government | news")
        if name == "test":
            cmd.add_argument("--pages", type=int, default=1, help="목록·피드 페이지 수 / list pages to read (default 1)")
            cmd.add_argument("--items", type=int, default=10, help="가져올 글 수 / item pages to fetch (default 10)")
            cmd.add_argument("--timeout", type=float, default=300, help="제한 시간(초) / time limit in seconds")
        if name == "snapshot":
            cmd.add_argument("--slug", help="폴더 이름 / folder name (default: from the URL)")
            cmd.add_argument("--out", default=str(SNAPSHOTS), help="저장 위치 / where snapshot folders go")


def run(args):
    try:
        config = load_config(args.config, args.base_url)
    except ConfigError as exc:
        print(f"설정 오류 / config error: {exc}", file=sys.stderr)
        return 2
    return {"list": list_sources, "test": test_source, "detect": detect, "snapshot": snapshot}[args.action](args, config)


def fail(message, code=1):
    print(f"오류 / error: {message}", file=sys.stderr)
    return code


def find_source(config, name):
    return next((s for s in config["sources"] if s["name"] == name), None)


def no_such_source(config, name):
    near = [s["name"] for s in config["sources"] if name.lower() in s["name"].lower()]
    hint = f" (비슷한 이름 / similar: {', '.join(near[:3])})" if near else ""
    errors = [e for e in config["errors"] if f"'{name}'" in e]
    return fail(errors[0] if errors else f"{config['path']}에 '{name}' 소스가 없습니다 / no source named '{name}'{hint}", 2)


# --- list ---------------------------------------------------------------------------------------
def list_sources(args, config):
    from crawler.cli import pad
    health = source_health_by_name(getattr(args, "db", None))
    print(f"{pad('소스 / source', 44)} {pad('사용', 6)} {pad('유형/종류', 18)} {pad('마지막 성공', 20)} 상태 / health")
    for s in config["sources"]:
        h = health.get(s["name"], {})
        state = describe_health(h) if h.get("last_run_status") else "수집 기록 없음 / never crawled"
        if not s["enabled"] and s.get("verify"):
            state += "  [확인 필요 / verify]"
        print(f"{pad(s['name'], 44)} {pad('켜짐' if s['enabled'] else '꺼짐', 6)} {pad(s['type'] + '/' + s['kind'], 18)} "
              f"{pad((h.get('last_ok') or '-')[:19], 20)} {state}")
    for message in config["errors"]:
        print(f"설정 오류 / config error: {message}", file=sys.stderr)
    print(f"\n{len(config['sources'])}개 중 {sum(s['enabled'] for s in config['sources'])}개 켜짐 / enabled")
    return 1 if config["errors"] else 0


def source_health_by_name(db_path):
    """Health rows from the database, without creating one when there is none yet."""
    from store import open_db, resolve_path
    from store.sources import source_health
    path = resolve_path(db_path)
    if not path.is_file():
        return {}
    db = open_db(path)
    try:
        return {row["name"]: row for row in source_health(db)}
    finally:
        db.conn.close()


def describe_health(h):
    status = h.get("last_run_status")
    text = STATUS_KO.get(status, status or "-")
    if h.get("error_count"):
        text = f"오류 {h['error_count']}회 연속 / {h['error_count']} failed runs: {(h.get('last_error') or '')[:80]}"
    elif status == "warning" and h.get("last_error"):
        text += f": {h['last_error'][:80]}"
    return text


# --- test ---------------------------------------------------------------------------------------
def test_source(args, config):
    from crawler.run import dry_run
    source = find_source(config, args.name)
    if source is None:
        return no_such_source(config, args.name)
    print(f"시험 수집 / dry run: {source['name']} ({source['type']}, {source['url']}) — DB에 쓰지 않음 / nothing is written")
    summary, items = dry_run(Path(args.config).resolve(), source["name"], args.base_url, max_items=args.items,
                             max_pages=args.pages, timeout=args.timeout)
    items.sort(key=lambda i: i.get("published_at") or "", reverse=True)
    for item in items:
        body = re.sub(r"\s+", " ", item.get("body") or "")[:80]
        print(f"- {(item.get('published_at') or '')[:16]} [{item.get('date_source')}] {item.get('title')}\n"
              f"    {item.get('url')}\n    {body or '(본문 없음 / no body)'}")
    problems, notes = judge(summary, items)
    counts = ", ".join(f"{k} {summary.get(k, 0)}" for k in ("listed", "filtered", "fetched", "failed", "blocked"))
    print(f"\n결과 / result: {STATUS_KO.get(summary.get('status'), summary.get('status'))} ({counts}, 항목 / items {len(items)})")
    for note in notes:
        print(f"  주의 / note: {note}")
    for problem in problems:
        print(f"  문제 / problem: {problem}")
    print("통과 / PASS" if not problems else "실패 / FAIL")
    return 0 if not problems else 1


def judge(summary, items):
    """(problems that fail the test, notes that do not)."""
    problems, notes = [], []
    error = summary.get("error") or ""
    if summary.get("status") == "config_error":
        return [error], notes
    if "robots.txt" in error:
        problems.append(f"robots.txt가 수집을 막습니다 / refused by robots.txt: {error}")
    elif summary.get("status") in ("error", "interrupted", "skipped"):
        problems.append(error or summary.get("status"))
    listed = summary.get("listed", 0)
    if not listed and summary.get("status") not in ("skipped",):
        problems.append("목록·피드에서 0건 / 0 items listed (address or selectors wrong?)")
    elif listed and not items:
        if summary.get("filtered"):
            problems.append(f"모든 항목이 검색어 필터에 걸렸습니다 / every item was filtered out ({summary['filtered']})")
        elif summary.get("blocked"):
            problems.append(f"robots.txt가 글 페이지를 막습니다 / robots.txt refused the item pages ({summary['blocked']})")
        else:
            problems.append("가져온 글이 없습니다 / no item could be read (see failed)")
    if items:
        empty = [i for i in items if len(i.get("body") or "") < 50]
        if len(empty) > len(items) / 2:
            problems.append(f"본문이 비었거나 짧은 글 {len(empty)}/{len(items)} / empty bodies (set a body selector?)")
        elif empty:
            notes.append(f"본문이 짧은 글 {len(empty)}/{len(items)} / short bodies")
        if all(i.get("date_source") == "fetched" for i in items):
            problems.append("날짜를 찾지 못했습니다 / no dates on the list or the pages (set a date selector?)")
    if summary.get("blocked") and items:
        notes.append(f"robots.txt가 막은 글 {summary['blocked']}건 / {summary['blocked']} item pages refused by robots.txt")
    notes += [w for w in summary.get("warnings") or [] if w.startswith("encoding repaired")]
    notes += [w for w in summary.get("warnings") or [] if not w.startswith("encoding repaired")]
    return problems, notes


# --- detect -------------------------------------------------------------------------------------
def detect(args, config):
    from crawler.board_detect import source_block
    from crawler.fetch import FetchError, Fetcher
    try:
        detection, final, *_ = detect_board(Fetcher(config["crawl"]), args.url)
    except FetchError as exc:
        return fail(str(exc))
    if detection is None:
        return fail(f"게시판 목록을 찾지 못했습니다 / no board list found at {args.url}: no repeating rows with a link "
                    "and a date, and no JSON list endpoint in its scripts")
    print(f"찾은 목록 / list found: {len(detection.rows)}줄 / rows ({'JSON' if detection.kind == 'json' else 'HTML'})")
    for row in detection.rows[:5]:
        print(f"- {(row['date'] or '날짜 없음 / no date')[:10]}  {row['title']}\n    {row['url']}")
    if detection.page:
        p = detection.page
        print(f"페이지 / paging: {p['param']} = {p['first']}, {p['first'] + p['step']}, …")
    if detection.selectors and detection.selectors.get("next_page"):
        print(f"다음 페이지 링크 / next link: {detection.selectors['next_page']}")
    print(f"확신도 / confidence: {detection.confidence} ({detection.label})")
    for problem in detection.problems:
        print(f"  주의 / note: {problem}")
    print("\n# config/sources.toml 에 붙여 넣고 `sources test`로 확인하세요 / paste, then run `sources test`")
    print(source_block(detection, final, args.name, args.kind))
    return 0


def detect_board(fetcher, url, encoding=None):
    """(Detection or None, final URL, content type, body bytes) for a board's list page."""
    from crawler.board_detect import detect_json, detect_rows, endpoint_template, json_candidates, json_loads
    from crawler.fetch import FetchError, page_text
    final, ctype, body = fetcher.get(url)
    text, _, _ = page_text(final, body, ctype, encoding)
    detection = detect_rows(text, final)
    if detection is None:
        for candidate in json_candidates(text, final)[:3]:
            try:
                _, _, data = fetcher.get(endpoint_template(candidate)[0].replace("{page}", "1"))
            except FetchError:
                continue
            detection = detect_json(json_loads(data.decode("utf-8", "replace")), candidate, text, final)
            if detection:
                break
    return detection, final, ctype, body


# --- snapshot -----------------------------------------------------------------------------------
def snapshot(args, config):
    from crawler.fetch import FetchError, Fetcher
    source = find_source(config, args.name)
    if source is None:
        return no_such_source(config, args.name)
    if source["type"] == "naver_api":
        return fail("네이버 API는 스냅샷을 만들 수 없습니다 (키 필요) / the Naver API source cannot be snapshotted")
    fetcher = Fetcher(config["crawl"])
    slug = args.slug or slug_of(source["url"])
    folder = Path(args.out) / slug
    try:
        listing, item_urls = list_and_items(fetcher, source)
        if len(item_urls) < 1:
            return fail(f"목록에서 글 주소를 찾지 못했습니다 / no item links found on {source['url']} (run `sources test`)")
        records = [listing]
        for n, url in enumerate(item_urls[:2], 1):
            final, ctype, body = fetcher.get(url)
            records.append({"file": f"item-{n}.html", "url": final, "content_type": ctype, "body": body})
    except FetchError as exc:
        return fail(str(exc))
    folder.mkdir(parents=True, exist_ok=True)
    for record in records:
        (folder / record["file"]).write_bytes(record.pop("body"))
    config_path = Path(config["path"]).resolve()
    meta = {"source": source["name"], "type": source["type"],
            "config": str(config_path.relative_to(REPO)) if config_path.is_relative_to(REPO) else str(config_path),
            "recorded_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "list": records[0], "items": records[1:]}
    (folder / "snapshot.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"저장 / saved: {folder} ({', '.join(r['file'] for r in records)})")
    print("tests/test_crawler_snapshots.py가 이 스냅샷을 읽습니다 / the snapshot test now covers this source")
    return 0


def slug_of(url):
    parts = urlsplit(url)
    return re.sub(r"[^a-z0-9]+", "-", f"{parts.hostname or ''}{parts.path}".lower()).strip("-")[:60] or "source"


def list_and_items(fetcher, source):
    """({"file", "url", "content_type", "body"} of the list page/feed/JSON, [item URLs])."""
    import feedparser
    from crawler.board_detect import dig, json_loads, link_for
    from crawler.fetch import FetchError
    if source["type"] == "feed":
        url = source["url"].replace("{query}", "자치경찰")
        final, ctype, body = fetcher.get(url)
        entries = feedparser.parse(body).entries
        return ({"file": "feed.xml", "url": final, "content_type": ctype, "body": body},
                [urljoin(final, e.get("link")) for e in entries if e.get("link")])
    if source.get("json"):
        url = source["json"]["url"].replace("{page}", str(source.get("page_first", 1)))
        final, ctype, body = fetcher.get(url)
        data = json_loads(body.decode("utf-8", "replace"))
        if data is None:
            raise FetchError(f"JSON이 아닙니다 / not JSON: {final}")
        rows = dig(data, source["json"]["items"]) or []
        return ({"file": "list.json", "url": final, "content_type": ctype, "body": body, "json": source["json"]},
                [u for u in (link_for(source["json"]["link"], r, source["url"]) for r in rows if isinstance(r, dict)) if u])
    if source["selectors"] == "auto":
        detection, final, ctype, body = detect_board(fetcher, source["url"], source.get("encoding"))
        if detection and detection.kind == "json":
            return list_and_items(fetcher, {**source, "json": detection.json})
        links = [r["url"] for r in detection.rows if r["url"].startswith("http")] if detection else []
        return {"file": "list.html", "url": final, "content_type": ctype, "body": body}, links
    from parsel import Selector
    from crawler.fetch import page_text
    final, ctype, body = fetcher.get(source["url"])
    text, _, _ = page_text(final, body, ctype, source.get("encoding"))
    page = Selector(text=text)
    links = [page_link for node in page.css(source["selectors"]["item"])
             for page_link in [node.css(source["selectors"]["link"]).xpath("@href").get()] if page_link]
    return {"file": "list.html", "url": final, "content_type": ctype, "body": body}, [urljoin(final, h) for h in links]
