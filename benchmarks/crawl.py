"""Crawl throughput: a generated local board site of N item pages (+ list pages), real Scrapy
in its own process, real SQLite; politeness delays off (`fast = true`, 127.0.0.1 only).

    python benchmarks/crawl.py [--pages 2000] [--per-page 20]

Prints pages/s (list + item pages downloaded) and items stored/s, over the whole crawl call
(including the child process start).
"""
import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.run import crawl  # noqa: E402
from crawler.sample_site import serve  # noqa: E402

REGIONS = ["서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종", "경기남부", "경기북부", "강원", "충북",
           "충남", "전북", "전남", "경북", "경남", "제주"]
TOPICS = ["어린이 통학로 안전", "1인가구 안심귀갓길", "전세사기 예방", "스쿨존 교통사고", "주민참여 치안협의체",
          "사무국 인력 부족", "예산 삭감 논란", "위원 추천 절차", "드론 순찰", "외국인 주민 치안"]


def build_site(root, pages, per_page, seed=7):
    rnd = random.Random(seed)
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    board = root / "board"
    board.mkdir()
    lists = (pages + per_page - 1) // per_page
    for n in range(1, lists + 1):
        ids = range((n - 1) * per_page + 1, min(n * per_page, pages) + 1)
        rows = "".join(f'<li><a class="t" href="view.html?id={i}">{REGIONS[i % 18]}자치경찰위원회 소식 {i}</a>'
                       f'<span class="d">2026-{10 + i % 2}-{1 + i % 28:02d}</span></li>' for i in ids)
        nxt = f'<a class="next" href="list.html?page={n + 1}">다음</a>' if n < lists else ""
        name = "list.html" if n == 1 else f"list.html@page={n}"
        (board / name).write_text(f'<html><head><meta charset="utf-8"></head><body><ul class="l">{rows}</ul>{nxt}</body></html>',
                                  encoding="utf-8")
    for i in range(1, pages + 1):
        region, topic = REGIONS[i % 18], rnd.choice(TOPICS)
        paras = "".join(f"<p>{region}자치경찰위원회는 {topic} 사업의 {k}단계 결과를 발표했다. 올해 {rnd.randint(3, 97)}건의 "
                        f"주민 제안을 검토해 {rnd.randint(1, 40)}건을 반영했고, 관련 예산은 {rnd.randint(1, 900)}억 원이다.</p>"
                        for k in range(1, 5))
        (board / f"view.html@id={i}").write_text(
            f'<html><head><meta charset="utf-8"><title>{region} 자치경찰 {topic} {i}</title></head><body>'
            f'<h1>{region} 자치경찰 {topic} {i}</h1><div class="c">{paras}</div></body></html>', encoding="utf-8")
    return lists


CONFIG = """query_terms = ["자치경찰"]
[crawl]
fast = true
max_pages = 100000
timeout = 30
log_level = "WARNING"
per_domain = {concurrency}

[[source]]
name = "bench board"
kind = "committee"
type = "board"
url = "{{base}}board/list.html"
[source.selectors]
item = "ul.l li"
link = "a.t"
date = "span.d"
body = "div.c"
next_page = "a.next"
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--per-page", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        site_root = tmp / "site"
        site_root.mkdir()
        lists = build_site(site_root, args.pages, args.per_page)
        config = tmp / "bench.toml"
        config.write_text(CONFIG.format(concurrency=args.concurrency), encoding="utf-8")
        with serve(site_root) as site:
            started = time.perf_counter()
            summaries = crawl(tmp / "bench.db", config, base_url=site.url, timeout=1800)
            elapsed = time.perf_counter() - started
    summary = summaries[0]
    pages = summary["fetched"] + lists
    stored = summary["new"] + summary["duplicate"]
    print(f"status {summary['status']}: {pages} pages ({lists} list + {summary['fetched']} item) in {elapsed:.1f}s")
    print(f"pages/s: {pages / elapsed:.1f}   items stored/s: {stored / elapsed:.1f}   (stored {stored}, failed {summary['failed']})")
    return 0 if summary["status"] == "ok" and stored == args.pages else 1


if __name__ == "__main__":
    sys.exit(main())
