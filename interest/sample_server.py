"""A local stand-in for the DataLab search API on 127.0.0.1, for the tests and the demo.

It answers POST /v1/datalab/search in the documented shape from daily search counts written
for this project (tests/fixtures/datalab/volumes.json, not real figures): a group's count in
a bucket is the sum over its keywords and days, scaled by the slice's device/gender/age
shares; the largest value of the request is 100 (ratios rounded to 5 decimals); buckets under
the reporting threshold are left out, as Naver does. Weeks run Monday to Sunday, the first
bucket starts at startDate. It checks what the real API checks (keys, null or unknown
values, limits) and has fault keys: a Client-Id of `wrong` gets 401, `not-enabled` 403,
`limited` 429, `broken` 500, `garbled` a non-JSON 200, `shapeless` a 200 without results.

Run by hand: `python -m interest.sample_server [--port 8001]`.
"""
import argparse
import datetime as dt
import itertools
import json
import math
import random
import threading
from pathlib import Path

from crawler.sample_site import LocalServer, QuietHandler
from store.util import KST

VOLUMES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "datalab" / "volumes.json"
PATH = "/v1/datalab/search"
FIRST = dt.date(2016, 1, 1)
FAULTS = {"wrong": (401, "024", "Authentication failed. (인증에 실패했습니다.)"),
          "not-enabled": (403, "024", "Scope Status Invalid : Authentication failed. (권한이 없습니다.)"),
          "limited": (429, "010", "Query limit exceeded. (호출 한도를 초과했습니다.)"),
          "broken": (500, "999", "System error")}


class Volumes:
    """Daily search counts per keyword from the fixture, with dates relative to today resolved."""

    def __init__(self, path=VOLUMES, today=None):
        self.spec = json.loads(Path(path).read_text(encoding="utf-8"))
        self.today = today or dt.datetime.now(KST).date()
        self._cache = {}

    def _day(self, text):
        if text.startswith("d-"):
            return self.today - dt.timedelta(days=int(text[2:]))
        return dt.date.fromisoformat(text)

    def daily(self, keyword):
        """Searches for `keyword` on each day from 2016-01-01 to today (zeros for a keyword the
        fixture does not know): level x weekday x (1 + event bumps) x noise seeded by the keyword."""
        days = (self.today - FIRST).days + 1
        entry = self.spec["keywords"].get(keyword)
        if entry is None:
            return [0.0] * days
        bump = [1.0] * days
        for event in entry["events"]:
            start = (self._day(event["day"]) - FIRST).days
            for i in range(max(start, 0), min(days, start + int(event["decay"] * 20))):
                bump[i] += event["size"] * math.exp(-(i - start) / event["decay"])
        rng, weekday, noise = random.Random(keyword), self.spec["weekday"], self.spec["noise"]
        first = FIRST.weekday()
        return [entry["level"] * weekday[(first + i) % 7] * bump[i] * (1 + noise * (2 * rng.random() - 1))
                for i in range(days)]

    def total(self, keyword, first, last):
        """Searches for `keyword` from `first` to `last` (dates, inclusive), from running sums."""
        if keyword not in self._cache:
            self._cache[keyword] = [0.0, *itertools.accumulate(self.daily(keyword))]
        running = self._cache[keyword]
        lo, hi = (first - FIRST).days, min((last - FIRST).days + 1, len(running) - 1)
        return running[hi] - running[lo] if hi > lo else 0.0

    def share(self, body):
        """The fraction of searches in the requested slice."""
        share = self.spec["device"][body["device"]] if "device" in body else 1.0
        share *= self.spec["gender"][body["gender"]] if "gender" in body else 1.0
        return share * (sum(self.spec["ages"][a] for a in body["ages"]) if "ages" in body else 1.0)

    def answer(self, body):
        """The documented response for a checked request body."""
        start, end = dt.date.fromisoformat(body["startDate"]), dt.date.fromisoformat(body["endDate"])
        buckets = _buckets(body["timeUnit"], start, end)
        share = self.share(body)
        counts = {}
        for group in body["keywordGroups"]:
            counts[group["groupName"]] = [share * sum(self.total(k, first, last) for k in group["keywords"])
                                          for _, first, last in buckets]
        top = max((v for values in counts.values() for v in values), default=0) or 1.0
        results = [{"title": g["groupName"], "keywords": g["keywords"],
                    "data": [{"period": label.isoformat(), "ratio": round(100 * v / top, 5)}
                             for (label, _, _), v in zip(buckets, counts[g["groupName"]])
                             if v >= self.spec["threshold"]]}
                   for g in body["keywordGroups"]]
        return {"startDate": body["startDate"], "endDate": body["endDate"], "timeUnit": body["timeUnit"],
                "results": results}


def _buckets(unit, start, end):
    """[(label, first day, last day)]: days, Monday-based weeks or months; the first starts at `start`."""
    out, day = [], start
    while day <= end:
        if unit == "date":
            nxt = day + dt.timedelta(days=1)
        elif unit == "week":
            nxt = day + dt.timedelta(days=7 - day.weekday())
        else:
            nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((day, day, min(nxt - dt.timedelta(days=1), end)))
        day = nxt
    return out


def check_body(body):
    """The reason the real API would answer 400, or None."""
    if not isinstance(body, dict):
        return "request body is not a JSON object"
    for key in ("startDate", "endDate", "timeUnit", "keywordGroups"):
        if body.get(key) is None:
            return f"{key} is required"
    try:
        start, end = dt.date.fromisoformat(body["startDate"]), dt.date.fromisoformat(body["endDate"])
    except (TypeError, ValueError):
        return "startDate/endDate must be yyyy-mm-dd"
    if start < dt.date(2016, 1, 1) or end < start:
        return "invalid date range (data from 2016-01-01)"
    if body["timeUnit"] not in ("date", "week", "month"):
        return "timeUnit must be date, week or month"
    groups = body["keywordGroups"]
    if not isinstance(groups, list) or not 1 <= len(groups) <= 5:
        return "keywordGroups: 1 to 5 groups"
    for g in groups:
        if not isinstance(g, dict) or not isinstance(g.get("groupName"), str) or not isinstance(g.get("keywords"), list) \
                or not 1 <= len(g["keywords"]) <= 20 or not all(isinstance(k, str) for k in g["keywords"]):
            return "keywordGroups: groupName and 1 to 20 keywords each"
    allowed = {"device": ("pc", "mo"), "gender": ("m", "f")}
    for key, values in allowed.items():
        if key in body and body[key] not in values:  # null included
            return f"{key} must be one of {', '.join(values)}"
    if "ages" in body and (not isinstance(body["ages"], list)
                           or not all(a in [str(n) for n in range(1, 12)] for a in body["ages"])):
        return "ages must be a list of \"1\"..\"11\""
    unknown = set(body) - {"startDate", "endDate", "timeUnit", "keywordGroups", "device", "gender", "ages"}
    return f"unknown field(s): {', '.join(sorted(unknown))}" if unknown else None


class DataLabHandler(QuietHandler):
    volumes: Volumes = None
    received: list = []       # (client id, body) of every request, for the tests
    lock = threading.Lock()

    def error(self, status, code, message):
        body = json.dumps({"errorMessage": message, "errorCode": code}, ensure_ascii=False).encode("utf-8")
        self.send(status, body, "application/json; charset=utf-8")

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        client, secret = self.headers.get("X-Naver-Client-Id"), self.headers.get("X-Naver-Client-Secret")
        with self.lock:
            self.received.append((client, raw))
        if self.path.split("?")[0] != PATH:
            return self.error(404, "404", "Not found")
        if not client or not secret:
            return self.error(401, "024", "Not Exist Client ID : Authentication failed. (인증에 실패했습니다.)")
        if client in FAULTS:
            return self.error(*FAULTS[client])
        if client == "garbled":
            return self.send(200, b"<html><body>Service Unavailable</body></html>", "text/html")
        if client == "shapeless":
            return self.send(200, b'{"startDate": "2021-01-01", "data": []}', "application/json")
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self.error(400, "400", "invalid JSON body")
        problem = check_body(body)
        if problem:
            return self.error(400, "400", f"Invalid parameter: {problem}")
        answer = json.dumps(self.volumes.answer(body), ensure_ascii=False).encode("utf-8")
        self.send(200, answer, "application/json; charset=utf-8")


class DataLabServer(LocalServer):
    """The stand-in on a free 127.0.0.1 port; `.api_url` is what [interest] url should be."""

    def __init__(self, volumes_path=VOLUMES, today=None, port=0):
        handler = type("Handler", (DataLabHandler,), {"volumes": Volumes(volumes_path, today), "received": []})
        super().__init__(handler, port)
        self.handler = handler
        self.api_url = self.url.rstrip("/") + PATH

    @property
    def received(self):
        return self.handler.received


def main(argv=None):
    parser = argparse.ArgumentParser(description="Serve the local DataLab stand-in on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    args = parser.parse_args(argv)
    server = DataLabServer(port=args.port)
    print(f"DataLab stand-in at {server.api_url}  (Ctrl+C to stop)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.close()


if __name__ == "__main__":
    main()
