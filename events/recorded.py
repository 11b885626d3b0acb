"""Recorded-response servers for the two open APIs on 127.0.0.1, for the tests and
`scheduler.py --demo` (answers written for the project: tests/fixtures/events/README.md).

- National Assembly: GET /portal/openapi/TVBPMBILL11?KEY=&Type=json&pIndex=&pSize=&AGE=&BILL_NAME=
  rows filtered by AGE and BILL_NAME, paged, with the API's INFO/ERROR envelopes.
- Law information: GET /DRF/lawSearch.do?OC=&target=law|eflaw&type=XML&query=&display=&page=
  versions filtered and paged; an unknown OC (or type=JSON) gets the HTML error page.
Dates are `{{d-10|date}}` placeholders (crawler.sample_site), `|compact` for YYYYMMDD.
Run by hand: `python -m events.recorded`.
"""
import json
import re
import threading
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from crawler.sample_site import LocalServer, QuietHandler, fill_dates, site_datetime

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "events"
DEMO_KEY = "demo"
USED_UP_KEY = "used-up"  # the Assembly server answers ERROR-337 (daily limit) to it
_COMPACT = re.compile(r"\{\{d(-?\d+)\|compact\}\}")


def fill(text):
    """Both placeholder kinds filled with dates relative to today (Seoul)."""
    return fill_dates(_COMPACT.sub(lambda m: site_datetime(int(m[1])).strftime("%Y%m%d"), text))


class _Handler(QuietHandler):
    def params(self):
        return {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}

    def json(self, body):
        self.send(200, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")


class AssemblyHandler(_Handler):
    def do_GET(self):
        path, p = urlsplit(self.path).path, self.params()
        if not path.startswith("/portal/openapi/"):
            return self.send(404, b"not found", "text/plain")
        if path.rstrip("/").rsplit("/", 1)[-1] != "TVBPMBILL11":
            return self.result("ERROR-310")
        if p.get("KEY") == USED_UP_KEY:
            return self.result("ERROR-337")
        if p.get("KEY") != DEMO_KEY:
            return self.result("ERROR-290")
        if not p.get("AGE"):
            return self.result("ERROR-300")
        try:
            index, size = int(p.get("pIndex") or 1), int(p.get("pSize") or 100)
        except ValueError:
            return self.result("ERROR-333")
        if size > 1000:
            return self.result("ERROR-336")
        rows = json.loads(fill((FIXTURES / "assembly" / "bills.json").read_text("utf-8")))
        rows = [r for r in rows if r["AGE"] == p["AGE"] and p.get("BILL_NAME", "") in r["BILL_NAME"]]
        page = rows[(index - 1) * size:index * size]
        if not page:
            return self.result("INFO-200")
        self.json({"TVBPMBILL11": [
            {"head": [{"list_total_count": len(rows)}, {"RESULT": {"CODE": "INFO-000", "MESSAGE": "정상 처리되었습니다."}}]},
            {"row": page}]})

    def result(self, code):
        self.send(200, (FIXTURES / "assembly" / "results" / f"{code}.json").read_bytes(), "application/json; charset=utf-8")


class LawHandler(_Handler):
    def do_GET(self):
        path, p = urlsplit(self.path).path, self.params()
        if path != "/DRF/lawSearch.do":
            return self.send(404, b"not found", "text/plain")
        if p.get("OC") != DEMO_KEY or p.get("type", "XML").upper() != "XML":
            page = (FIXTURES / "law" / "unapproved.html").read_text("utf-8").replace("{{oc}}", p.get("OC", ""))
            return self.send(200, page.encode("utf-8"), "text/html; charset=UTF-8")
        root = ET.fromstring(fill((FIXTURES / "law" / "eflaw.xml").read_text("utf-8")).encode("utf-8"))
        laws = [law for law in root.findall("law") if p.get("query", "") in (law.findtext("법령명한글") or "")
                and (p.get("target") == "eflaw" or law.findtext("현행연혁코드") == "현행")]
        display, number = min(int(p.get("display") or 20), 100), int(p.get("page") or 1)
        answer = ET.Element("LawSearch")
        for tag, text in (("target", p.get("target", "law")), ("키워드", p.get("query", "*")), ("section", "lawNm"),
                          ("totalCnt", str(len(laws))), ("page", str(number))):
            ET.SubElement(answer, tag).text = text
        for n, law in enumerate(laws[(number - 1) * display:number * display], (number - 1) * display + 1):
            law.set("id", str(n))
            answer.append(law)
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + ET.tostring(answer, encoding="unicode")).encode("utf-8")
        self.send(200, body, "text/xml; charset=UTF-8")


class RecordedApis:
    """Both servers; `endpoints` is what events.collect.fetch_all takes (URLs and demo keys)."""

    def __init__(self):
        self.assembly = LocalServer(AssemblyHandler)
        self.law = LocalServer(LawHandler)
        self.endpoints = {"assembly_url": self.assembly.url + "portal/openapi/", "assembly_key": DEMO_KEY,
                          "law_url": self.law.url + "DRF/", "law_oc": DEMO_KEY}

    def close(self):
        self.assembly.close()
        self.law.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def serve():
    return RecordedApis()


if __name__ == "__main__":
    apis = serve()
    print(json.dumps(apis.endpoints, indent=1), "(Ctrl+C to stop)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        apis.close()
