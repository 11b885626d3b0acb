"""Article extraction quality and speed on the recorded page families (tests/fixtures/extract/pages).

    python benchmarks/extract.py [--family arc] [--rounds 3] [--show]

For the project's extractor (crawler.extract.extract_article, called as the spiders call it)
and plain trafilatura on the same pages, prints: title exact, date right to the minute, body
token F1, empty bodies, pages with leftover chrome lines, and pages/s of CPU time (as recorded,
and with each page padded to ~200 KB of menus and inline scripts, the size of a real news page).
`--show` prints each page's misses.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import trafilatura  # noqa: E402

from crawler.dates import parse_date  # noqa: E402
from crawler.extract import extract_article  # noqa: E402
from extract_support import chrome_lines, load_pages, norm, token_f1  # noqa: E402


def ours(page):
    got = extract_article(page["html"], page["url"])
    return got["title"], got["published_at"], got["body"]


def plain_trafilatura(page):
    doc = trafilatura.bare_extraction(page["html"], url=page["url"], with_metadata=True,
                                      date_extraction_params={"extensive_search": True, "original_date": True,
                                                              "outputformat": "%Y-%m-%d %H:%M:%S"})
    if doc is None:
        return None, None, ""
    return doc.title, parse_date(doc.date), doc.text or ""


EXTRACTORS = {"ours": ours, "trafilatura": plain_trafilatura}


def score(pages, extract, show=False, label=""):
    rows = []
    for page in pages:
        title, published, body = extract(page)
        row = {"title": norm(title) == norm(page["title"]),
               "date": bool(published) and published[:16] == page["published_at"][:16],
               "f1": token_f1(body, page["body"]), "empty": not norm(body),
               "chrome": chrome_lines(body, page["body"])}
        rows.append(row)
        if show and (not row["title"] or not row["date"] or row["f1"] < 0.95 or row["chrome"]):
            print(f"  [{label}] {page['name']}: title={'ok' if row['title'] else repr(title)} "
                  f"date={'ok' if row['date'] else published} f1={row['f1']:.3f} chrome={row['chrome'][:3]}")
    return rows


def summary(rows):
    n = len(rows)
    return {"pages": n, "title_exact": sum(r["title"] for r in rows) / n, "date_minute": sum(r["date"] for r in rows) / n,
            "body_f1": statistics.mean(r["f1"] for r in rows), "empty": sum(r["empty"] for r in rows),
            "chrome_pages": sum(bool(r["chrome"]) for r in rows), "chrome_lines": sum(len(r["chrome"]) for r in rows)}


def padded(page, size=200_000):
    """The page with ~200 KB of mega-menu links and inline script before its content (real pages' bulk)."""
    menu = "".join(f'<li><a href="/section/{i}">메뉴 항목 {i}</a></li>' for i in range(600))
    script = "<script>window.__CONFIG__=" + json.dumps({f"k{i}": "값" * 40 for i in range(1200)}, ensure_ascii=False) + ";</script>"
    bulk = f'<nav class="mega"><ul>{menu}</ul></nav>{script}'
    while len(bulk) < size:
        bulk += bulk[: size - len(bulk)]
    html = page["html"].replace("<body>", "<body>" + bulk, 1)
    return {**page, "html": html}


def speed(pages, extract, rounds):
    """Pages per second of this process's CPU time (a shared machine's other load does not count)."""
    start = time.process_time()
    for _ in range(rounds):
        for page in pages:
            extract(page)
    return len(pages) * rounds / (time.process_time() - start)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--family", help="only this page family")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds")
    parser.add_argument("--show", action="store_true", help="print each page's misses")
    args = parser.parse_args(argv)
    pages = load_pages(args.family)
    big = [padded(p) for p in pages]
    print(f"{len(pages)} pages, {len({p['family'] for p in pages})} families "
          f"(mean {statistics.mean(len(p['html']) for p in pages) / 1000:.0f} KB as recorded, "
          f"{statistics.mean(len(p['html']) for p in big) / 1000:.0f} KB padded)\n")
    print(f"{'extractor':12} {'title':>6} {'date':>6} {'bodyF1':>7} {'empty':>6} {'chrome':>7} {'lines':>6} {'pages/s':>8} {'padded':>7}")
    per_family = {}
    for name, extract in EXTRACTORS.items():
        rows = score(pages, extract, args.show, name)
        s = summary(rows)
        rate, rate_big = speed(pages, extract, args.rounds), speed(big, extract, args.rounds)
        print(f"{name:12} {s['title_exact']:6.3f} {s['date_minute']:6.3f} {s['body_f1']:7.3f} {s['empty']:6d} "
              f"{s['chrome_pages']:7d} {s['chrome_lines']:6d} {rate:8.1f} {rate_big:7.1f}")
        for page, row in zip(pages, rows):
            per_family.setdefault(page["family"], {}).setdefault(name, []).append(row)
    print(f"\nper family (title / date / body F1 / pages with chrome), ours | trafilatura")
    for family, by in per_family.items():
        cells = []
        for name in EXTRACTORS:
            s = summary(by[name])
            cells.append(f"{s['title_exact']:.2f} {s['date_minute']:.2f} {s['body_f1']:.3f} {s['chrome_pages']}")
        print(f"  {family:10} n={len(by['ours'])}  {cells[0]:22} | {cells[1]}")


if __name__ == "__main__":
    main()
