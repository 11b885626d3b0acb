"""Helpers for the reliability suite: a local HTTP server with fault endpoints, temporary
sources configs, subprocess runners and store checks.

The fault server (127.0.0.1, free port) serves small RSS feeds whose items point at pages on
the same server; each feed family misbehaves in one way:

  /hang/feed.xml        never answers (until the server closes)
  /reset/feed.xml       resets the TCP connection
  /429/feed.xml         429 with Retry-After: 1, twice, then the feed
  /burst/feed.xml       500 twice (a burst), then the feed
  /down/feed.xml        500 always
  /big/feed.xml         one item whose page is 50 MB
  /enc/feed.xml         pages with invalid UTF-8, EUC-KR without a header, a wrong header
  /many/feed.xml        10,000 items (MANY_ON_TOPIC about 자치경찰, the rest off topic)
  /deep/feed.xml        one item whose page nests DEEP_LEVELS <div>s
  /badlink/feed.xml     an item with an invalid link (port 99999) before two good items
  /slow/feed.xml?n=N    N items whose pages take SLOW_PAGE_SECONDS each (crash tests)
"""
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from xml.sax.saxutils import escape

from crawler.sample_site import LocalServer, QuietHandler

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "config" / "demo_sources.toml"
BIG_BYTES = 50 * 1024 * 1024
MANY_ITEMS, MANY_ON_TOPIC = 10_000, 20
DEEP_LEVELS = 20_000
SLOW_PAGE_SECONDS = 0.25
TOPIC = "자치경찰위원회"
BODY = ("{title}. 시도 자치경찰위원회는 주민 안전을 위한 치안 정책을 심의하고 자치경찰 사무를 지휘한다. "
        "위원회는 이번 결정으로 생활안전과 교통 분야 협력이 강화될 것이라고 밝혔다. 관계자는 현장 의견을 "
        "계속 듣겠다고 말했다.")

# A board on the bundled sample site that always works: the "good" source of every fault config.
GOOD_SOURCE = """
[[source]]
name = "부산광역시자치경찰위원회 보도자료"
kind = "committee"
type = "board"
url = "{base}busan-jcp/press/list.html"
region = "부산"
outlet = "부산광역시자치경찰위원회"
[source.selectors]
item = "ul.bbs-list li"
link = "a.title"
title = "a.title"
date = "span.reg-date"
body = "div.bbs-content"
next_page = "div.pagination a.next"
"""
GOOD_NAME = "부산광역시자치경찰위원회 보도자료"
GOOD_COUNT = 7  # releases on that board


def rss(items):
    """items: (title, link, description, pubDate) -> RSS 2.0 bytes."""
    body = "".join(
        f"<item><title>{escape(t)}</title><link>{escape(l)}</link><description>{escape(d)}</description>"
        f"<pubDate>{p}</pubDate></item>" for t, l, d, p in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>fault</title>'
            f"<link>http://127.0.0.1/</link><description>fault</description>{body}</channel></rss>").encode("utf-8")


def page(title, body=None, head="", charset="utf-8"):
    text = (f'<!DOCTYPE html><html lang="ko"><head><meta charset="{charset}"><title>{title}</title>{head}</head>'
            f"<body><article><h1>{title}</h1><p class=\"date\">입력 2026.03.02 10:00</p>"
            f"<p>{body or BODY.format(title=title)}</p></article></body></html>")
    return text


RFC822 = "Mon, 02 Mar 2026 01:00:00 +0000"


class FaultHandler(QuietHandler):
    server_version = "FaultSite/1.0"

    # ---- plumbing ---------------------------------------------------------------------
    def count(self, key):
        with self.server.lock:
            self.server.hits.setdefault(key, []).append(time.monotonic())
            return len(self.server.hits[key])

    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def feed(self, family, n=3, on_topic=None):
        on_topic = n if on_topic is None else on_topic
        items = []
        for i in range(n):
            title = f"{TOPIC} {family} 기사 {i}" if i < on_topic else f"날씨 소식 {family} {i}"
            items.append((title, f"{self.base()}/{family}/a{i}.html", title + " 요약", RFC822))
        return rss(items)

    # ---- routes -----------------------------------------------------------------------
    def do_GET(self):
        path, _, query = self.path.partition("?")
        family = path.strip("/").split("/")[0]
        seen = self.count(path)
        if path == "/robots.txt":
            return self.send(404, b"", "text/plain")
        if family == "hang":
            self.server.closing.wait(120)
            return None
        if family == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return None
        if family == "429" and path.endswith("feed.xml") and seen <= 2:
            return self.send(429, b"slow down", "text/plain", {"Retry-After": "1"})
        if family == "burst" and path.endswith("feed.xml") and seen <= 2:
            return self.send(500, b"burst", "text/plain")
        if family == "down":
            return self.send(500, b"down", "text/plain")
        if path.endswith("feed.xml"):
            if family == "many":
                return self.send(200, self.feed("many", MANY_ITEMS, MANY_ON_TOPIC), "application/rss+xml")
            if family == "enc":
                return self.send(200, self.feed("enc", 3), "application/rss+xml")
            if family == "badlink":
                good = [(f"{TOPIC} badlink 기사 {i}", f"{self.base()}/badlink/a{i}.html", "요약", RFC822) for i in (1, 2)]
                return self.send(200, rss([(f"{TOPIC} 깨진 링크", "http://127.0.0.1:99999/x.html", "요약", RFC822), *good]),
                                 "application/rss+xml")
            if family == "slow":
                n = int(dict(p.split("=") for p in query.split("&") if "=" in p).get("n", 10))
                return self.send(200, self.feed("slow", n), "application/rss+xml")
            return self.send(200, self.feed(family, 1), "application/rss+xml")
        return self.article(family, path)

    def article(self, family, path):
        name = path.rsplit("/", 1)[-1].removesuffix(".html")
        title = f"{TOPIC} {family} 기사 {name[1:]}"
        if family == "big":
            chunk = ("<p>" + BODY.format(title=title) + "</p>\n").encode("utf-8")
            filler = chunk * (BIG_BYTES // len(chunk) + 1)
            data = page(title).encode("utf-8").replace(b"</article>", filler[:BIG_BYTES] + b"</article>")
            return self.send(200, data)
        if family == "deep":
            html = page(title).replace("<article>", "<div>" * DEEP_LEVELS + "<article>").replace(
                "</article>", "</article>" + "</div>" * DEEP_LEVELS)
            return self.send(200, html.encode("utf-8"))
        if family == "enc":
            if name == "a0":  # declared UTF-8, contains invalid bytes
                data = page(title).encode("utf-8").replace("주민".encode("utf-8"), b"\xff\xfe\xc3(")
                return self.send(200, data)
            if name == "a1":  # EUC-KR, charset only in <meta>
                return self.send(200, page(title, charset="euc-kr").encode("euc-kr"), "text/html")
            # EUC-KR bytes behind a header that says UTF-8 (a misconfigured server)
            return self.send(200, page(title, charset="euc-kr").encode("euc-kr"))
        if family == "slow":
            time.sleep(SLOW_PAGE_SECONDS)
        return self.send(200, page(title).encode("utf-8"))


class FaultSite(LocalServer):
    """The fault server, threaded, on 127.0.0.1 at a free port."""

    def __init__(self):
        super().__init__(FaultHandler)
        self.server.hits, self.server.lock, self.server.closing = {}, threading.Lock(), threading.Event()

    def hits(self, path):
        with self.server.lock:
            return list(self.server.hits.get(path, []))

    def close(self):
        self.server.closing.set()  # ends the hanging handlers first
        super().close()


# ---- configs ------------------------------------------------------------------------------

def crawl_table(timeout=3, retries=2, **extra):
    text = (f'query_terms = ["자치경찰", "자치경찰위원회"]\n\n[crawl]\nfast = true\ntimeout = {timeout}\n'
            f'retries = {retries}\nmax_pages = 3\nlog_level = "INFO"\n')
    return text + "".join(f"{k} = {v!r}\n" for k, v in extra.items())


def feed_source(name, url, **extra):
    lines = [f'\n[[source]]\nname = "{name}"\nkind = "news"\ntype = "feed"\nurl = "{url}"\noutlet = "{name}"']
    lines += [f"{k} = {v!r}" if not isinstance(v, bool) else f"{k} = {str(v).lower()}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def write_config(path, *sources, good=True, timeout=3, retries=2, **crawl_extra):
    text = crawl_table(timeout, retries, **crawl_extra) + "".join(sources) + (GOOD_SOURCE if good else "")
    Path(path).write_text(text, encoding="utf-8")
    return Path(path)


# ---- processes and store checks -----------------------------------------------------------

def env():
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
                HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", PYTHONUNBUFFERED="1")


def monitor(*args, timeout=120, extra_env=None, **kw):
    """Run `python monitor.py ARGS` and return the CompletedProcess (text)."""
    kw.setdefault("cwd", REPO)
    return subprocess.run([sys.executable, str(REPO / "monitor.py"), *map(str, args)],
                          env={**env(), **(extra_env or {})}, capture_output=True, text=True, timeout=timeout, **kw)


def connect(db_path):
    """A plain read connection (no migrations) for checks."""
    conn = sqlite3.connect(str(db_path), timeout=30)
    conn.execute("PRAGMA busy_timeout = 30000")
    return conn


def integrity(db_path):
    conn = connect(db_path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0], conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()


def scalar(db_path, sql, params=()):
    conn = connect(db_path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def wait_until(predicate, timeout, interval=0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(interval)
    return False


# ---- the dashboard on a real HTTP server ---------------------------------------------------

class DashboardServer:
    """create_app(db_path) served by werkzeug (threaded) on 127.0.0.1 at a free port."""

    def __init__(self, db_path, auth=None):
        import logging
        from werkzeug.serving import make_server
        from dashboard.app import create_app
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.app = create_app(str(db_path), auth=auth)
        self.server = make_server("127.0.0.1", 0, self.app.server, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def http_get(url, timeout=60):
    """(status, body text) without raising on 4xx/5xx."""
    import urllib.error
    import urllib.parse
    import urllib.request
    url = urllib.parse.quote(url, safe=":/?&=%+#")  # Korean query values
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def dash_callback_request(base_url, output_has, values, timeout=60):
    """Call the Dash callback whose output contains `output_has` the way the browser does;
    `values` maps 'id.property' to input values. Returns (status, body text)."""
    import json
    import urllib.error
    import urllib.request
    status, deps = http_get(base_url + "_dash-dependencies")
    dep = next(d for d in json.loads(deps) if output_has in d["output"])
    outputs = [dict(zip(("id", "property"), o.split("."))) for o in dep["output"].strip(".").split("...")]
    payload = {"output": dep["output"], "outputs": outputs,
               "inputs": [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in dep["inputs"]],
               "changedPropIds": [f"{i['id']}.{i['property']}" for i in dep["inputs"][:1]], "state": []}
    req = urllib.request.Request(base_url + "_dash-update-component", data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
