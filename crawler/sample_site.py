"""Serve the bundled offline sample site (tests/fixtures/site) on 127.0.0.1.

Used by the tests, the benchmark and `scheduler.py --demo`. Beyond static files it:
- fills date placeholders `{{d-12 09:30|dot}}` (12 days before today, 09:30 Seoul time) so the
  demo always looks current; formats are in DATE_FORMATS;
- maps `page.php?id=7` to the file `page.php@id=7` when it exists (boards, print views);
- re-encodes a folder's pages to the charset named in its `.charset` file (EUC-KR outlet): one
  line `euc-kr` for the whole folder, or lines `FILE-GLOB euc-kr` and a last default line;
  `euc-kr:utf-8` sends EUC-KR bytes labelled UTF-8 (a misconfigured server);
- answers a Naver-News-Search-API-shaped `/v1/search/news.json` (keys required, start/display
  paging, filtered by the query) from `naver/news.json`;
- has fault endpoints: /fault/500 (always), /fault/flaky/<name> (500 once, then 200),
  /fault/slow (sleeps, see SLOW_SECONDS), /fault/429-once/<name>.
Run by hand: `python -m crawler.sample_site [--port 8000]`.
"""
import argparse
import datetime as dt
import fnmatch
import http.server
import json
import re
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

SITE_ROOT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "site"
KST = dt.timezone(dt.timedelta(hours=9))
SLOW_SECONDS = 8
PLACEHOLDER = re.compile(r"\{\{d(-?\d+)(?: (\d{1,2}):(\d{2}))?\|(\w+)\}\}")
TYPES = {".html": "text/html", ".php": "text/html", ".do": "text/html", ".jsp": "text/html", ".asp": "text/html",
         ".xml": "application/rss+xml", ".atom": "application/atom+xml",
         ".json": "application/json", ".txt": "text/plain"}
_EN_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def site_datetime(offset_days, hour=9, minute=0, now=None):
    """The aware Seoul datetime a placeholder `{{d<offset> HH:MM|...}}` stands for."""
    today = (now or dt.datetime.now(KST)).astimezone(KST).date()
    return dt.datetime.combine(today + dt.timedelta(days=offset_days), dt.time(hour, minute), KST)


def format_date(stamp, fmt):
    ampm = "오전" if stamp.hour < 12 else "오후"
    h12 = stamp.hour % 12 or 12
    formats = {
        "iso": lambda: stamp.isoformat(timespec="seconds"),
        "rfc822": lambda: stamp.astimezone(dt.timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "dot": lambda: stamp.strftime("%Y.%m.%d %H:%M"),
        "dotdate": lambda: stamp.strftime("%Y.%m.%d"),
        "dash": lambda: stamp.strftime("%Y-%m-%d %H:%M"),
        "date": lambda: stamp.strftime("%Y-%m-%d"),
        "ko": lambda: f"{stamp.year}년 {stamp.month}월 {stamp.day}일 {ampm} {h12}시 {stamp.minute}분",
        "input": lambda: stamp.strftime("입력 %Y.%m.%d (%H:%M)"),
        "en": lambda: f"{_EN_MONTHS[stamp.month - 1]} {stamp.day}, {stamp.year} {h12}:{stamp.minute:02d} {'AM' if stamp.hour < 12 else 'PM'}",
    }
    return formats[fmt]()


DATE_FORMATS = ("iso", "rfc822", "dot", "dotdate", "dash", "date", "ko", "input", "en")


def fill_dates(text, now=None):
    def one(m):
        stamp = site_datetime(int(m[1]), int(m[2] or 9), int(m[3] or 0), now)
        return format_date(stamp, m[4])
    return PLACEHOLDER.sub(one, text)


def charset_for(rules, name):
    """`.charset` rules: 'GLOB charset' lines (first match wins), a bare 'charset' line is the default."""
    default = "utf-8"
    for line in rules.splitlines():
        parts = line.split()
        if len(parts) == 2 and fnmatch.fnmatchcase(name, parts[0]):
            return parts[1]
        if len(parts) == 1:
            default = parts[0]
    return default


class QuietHandler(http.server.BaseHTTPRequestHandler):
    """HTTP/1.1, no request log, and `send` for a whole response (shared with the test fault server)."""
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet in tests
        pass

    def send(self, status, data, ctype="text/html; charset=utf-8", headers=None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            self.close_connection = True


class Handler(QuietHandler):
    root: Path = SITE_ROOT
    counters: dict = {}
    lock = threading.Lock()

    def do_GET(self):
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        if path.startswith("/fault/"):
            return self.fault(path, parts.query)
        if path == "/v1/search/news.json":
            return self.naver(parse_qs(parts.query))
        target = self.resolve(path, parts.query)
        if target is None:
            return self.send(404, b"<html><body><h1>404 Not Found</h1></body></html>", "text/html; charset=utf-8")
        data = target.read_bytes()
        ctype = TYPES.get(target.suffix if "@" not in target.name else Path(target.name.split("@")[0]).suffix,
                          "application/octet-stream")
        if ctype.startswith(("text/", "application/rss", "application/atom", "application/json")):
            text = fill_dates(data.decode("utf-8")).replace("{{base}}", self.base_url())
            encoding, _, label = self.charset(target).partition(":")  # "euc-kr:utf-8": a wrong label
            data = text.encode(encoding)
            ctype = f"{ctype}; charset={(label or encoding).upper()}"
        self.send(200, data, ctype)

    def resolve(self, path, query):
        base = (self.root / path.lstrip("/")).resolve()
        if not str(base).startswith(str(self.root.resolve())) or any(p.startswith((".", "_")) for p in Path(path).parts[1:]):
            return None
        if query:  # exact query first, then each single parameter (extra ones like utm_* ignored)
            for key in [query, *query.split("&")]:
                candidate = base.parent / f"{base.name}@{key}"
                if candidate.is_file():
                    return candidate
        if base.is_dir():
            base = base / "index.html"
        return base if base.is_file() else None

    def base_url(self):
        return f"http://{self.headers.get('Host') or '127.0.0.1:%d' % self.server.server_address[1]}/"

    def charset(self, target):
        for folder in [target.parent, *target.parent.parents]:
            marker = folder / ".charset"
            if marker.is_file():
                return charset_for(marker.read_text(), target.name)
            if folder == self.root:
                break
        return "utf-8"

    def fault(self, path, query):
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if path.startswith("/fault/500"):
            return self.send(500, b"server error", "text/plain")
        if path.startswith(("/fault/flaky/", "/fault/429-once/")):
            with self.lock:
                self.counters[path] = seen = self.counters.get(path, 0) + 1
            if seen == 1:
                return self.send(429 if "429" in path else 500, b"try again", "text/plain", {"Retry-After": "0"})
            page = self.root / "fault" / "flaky.html"
            return self.send(200, fill_dates(page.read_text("utf-8")).replace("{{name}}", name).encode(), "text/html; charset=utf-8")
        if path.startswith("/fault/slow"):
            time.sleep(float(parse_qs(query).get("s", [SLOW_SECONDS])[0]))
            return self.send(200, b"<html><body>slow</body></html>", "text/html; charset=utf-8")
        return self.send(404, b"not found", "text/plain")

    def naver(self, params):
        """Shape of the Naver News Search API: keys in headers, query/display/start/sort."""
        if not self.headers.get("X-Naver-Client-Id") or not self.headers.get("X-Naver-Client-Secret"):
            body = {"errorMessage": "Not Exist Client ID : Authentication failed. (인증에 실패했습니다.)", "errorCode": "024"}
            return self.send(401, json.dumps(body).encode(), "application/json; charset=utf-8")
        query = params.get("query", [""])[0]
        display = min(int(params.get("display", ["10"])[0]), 100)
        start = int(params.get("start", ["1"])[0])
        text = fill_dates((self.root / "naver" / "news.json").read_text("utf-8")).replace("{{base}}", self.base_url())
        data = json.loads(text)
        words = query.split()
        items = [i for i in data["items"] if all(w in re.sub(r"<[^>]+>", "", i["title"] + i["description"]) for w in words)]
        body = {"lastBuildDate": format_date(dt.datetime.now(KST), "rfc822"), "total": len(items),
                "start": start, "display": display, "items": items[start - 1:start - 1 + display]}
        self.send(200, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

    do_HEAD = do_GET


class LocalServer:
    """A threaded HTTP server for `handler` on 127.0.0.1 (a free port unless given); a context manager."""

    def __init__(self, handler, port=0):
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SampleSite(LocalServer):
    def __init__(self, root=None, port=0):
        super().__init__(type("SiteHandler", (Handler,), {"root": Path(root or SITE_ROOT), "counters": {}}), port)


def serve(root=None, port=0):
    return SampleSite(root, port)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve the offline sample site on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--root", default=None)
    args = parser.parse_args(argv)
    site = serve(args.root, args.port)
    print(f"sample site at {site.url}  (Ctrl+C to stop)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        site.close()


if __name__ == "__main__":
    main()
