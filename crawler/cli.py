"""`python monitor.py crawl`: run the crawlers (in a child process) and print a summary."""
import unicodedata

from crawler.config import DEFAULT_CONFIG

HELP = "수집: 설정된 소스(뉴스·시민단체·자치경찰위원회)를 크롤링해 DB에 저장 / crawl the configured sources"

STATUS_KO = {"ok": "정상", "warning": "주의", "empty": "항목 없음", "error": "오류", "skipped": "건너뜀",
             "interrupted": "중단", "config_error": "설정 오류"}


def add_arguments(parser):
    parser.add_argument("--source", action="append", metavar="NAME", default=[],
                        help="이 소스만 수집 (여러 번 지정 가능) / only this source (repeatable)")
    parser.add_argument("--config", default=str(DEFAULT_CONFIG.relative_to(DEFAULT_CONFIG.parent.parent)),
                        help="소스 설정 파일 / sources file (default: config/sources.toml)")
    parser.add_argument("--recrawl", action="store_true", help="이미 수집한 URL도 다시 가져오기 / fetch known URLs again")
    parser.add_argument("--base-url", help="데모 설정의 {base}를 채울 주소 / fills {base} in demo configs")
    parser.add_argument("--fast", action="store_true", help="지연 없이 수집 (로컬 샘플 사이트 전용) / no politeness delays (local site only)")
    parser.add_argument("--timeout", type=float, default=None, help="전체 수집 제한 시간(초) / overall time limit in seconds")
    parser.add_argument("--verbose", action="store_true", help="Scrapy 로그 출력 / show the Scrapy log")


def pad(text, width):
    """Left-justify for a terminal: Hangul and other wide characters take two columns."""
    text = text[:width]
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 0)


def format_summary(summaries):
    lines = [f"{pad('소스 / source', 44)} {pad('상태', 9)} {'신규':>3} {'중복':>3} {'갱신':>3} {'기존':>3} {'제외':>3} {'실패':>3}"]
    for s in summaries:
        name = s.get("source") or "(설정 / config)"
        lines.append(f"{pad(name, 44)} {pad(STATUS_KO.get(s['status'], s['status']), 9)} {s.get('new', 0):>5} "
                     f"{s.get('duplicate', 0):>5} {s.get('updated', 0):>5} {s.get('known', 0):>5} "
                     f"{s.get('filtered', 0):>5} {s.get('failed', 0):>5}")
        if s.get("error"):
            lines.append(f"    └ {s['error']}")
    return "\n".join(lines)


def run(args):
    from crawler.run import crawl  # the CLI stays importable without Scrapy loaded

    summaries = crawl(args.db, config_path=args.config, sources=args.source or None, base_url=args.base_url,
                      recrawl=args.recrawl, timeout=args.timeout, fast=args.fast, quiet=not args.verbose)
    print(format_summary(summaries))
    bad = [s for s in summaries if s["status"] in ("error", "config_error", "interrupted")]
    return 1 if bad else 0
