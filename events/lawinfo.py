"""Korean law information API (법제처 DRF): lawSearch.do in XML.

GET {url}lawSearch.do?OC=…&target=eflaw&type=XML&query=…&display=100&page=1
-> <LawSearch><totalCnt>N</totalCnt><law id="1"><법령일련번호>…</법령일련번호><법령명한글>…
   <법령ID>, <공포일자>YYYYMMDD, <공포번호>, <제개정구분명>, <법령구분명>, <시행일자>, <현행연혁코드> …</law>…
target=law lists the current version of each law; target=eflaw every version by effective
date, future ones included. XML is used because JSON answers have come back as HTML error
pages; an OC that is not approved gets an HTML page too, which is detected and reported.

Each version gives a 공포 (promulgation) event and a 시행 (entry into force) event; a law
(법령구분명 법률) is kind 'law', anything else (대통령령, 부령 …) 'decree'.
"""
import html
import re
import xml.etree.ElementTree as ET

from events.assembly import api_date
from events.http import ApiError, get

MAX_DISPLAY = 100
HTML_PAGE = ("국가법령정보 API가 XML 대신 HTML 오류 페이지를 보냈습니다: LAW_API_OC가 승인되지 않았거나 이 서버의 "
             "IP·도메인이 등록되지 않았습니다 / the law API answered with an HTML error page: the OC in LAW_API_OC "
             "is not approved for the open API (or this server's IP/domain is not registered)")


def _is_html(ctype, text):
    head = text[:500].lstrip().lower()
    return "html" in (ctype or "").lower() or head.startswith(("<!doctype html", "<html")) or "<body" in head


def _page_text(text, secret):
    """The HTML page's own words, short, without tags or the OC."""
    words = re.sub(r"\s+", " ", html.unescape(re.sub(r"(?s)<(script|style).*?</\1>|<[^>]+>", " ", text))).strip()
    return words.replace(secret, "***")[:160] if secret else words[:160]


def parse(body, ctype="text/xml", secret=None):
    """(totalCnt, items as dicts of tag -> text); ApiError for HTML pages and bad XML."""
    text = body.decode("utf-8", "replace")
    if _is_html(ctype, text):
        said = _page_text(text, secret)
        raise ApiError(HTML_PAGE + (f" (페이지 내용 / page says: {said})" if said else ""), code="HTML")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ApiError(f"국가법령정보 API 응답이 올바른 XML이 아닙니다 / the law API's answer is not valid XML ({exc})",
                       code="NOT-XML") from None
    if root.tag != "LawSearch":
        raise ApiError(f"국가법령정보 API 응답 형식이 다릅니다 / unexpected answer from the law API: <{root.tag[:40]}>",
                       code="SHAPE")
    try:
        total = int((root.findtext("totalCnt") or "0").strip())
    except ValueError:
        raise ApiError("국가법령정보 API의 totalCnt가 숫자가 아닙니다 / totalCnt is not a number", code="SHAPE") from None
    items = [{child.tag: (child.text or "").strip() for child in law} for law in root.findall("law")]
    return total, items


def _name(text):
    return re.sub(r"\s+", " ", text or "").strip()


def fetch_versions(url, oc, names, targets=("eflaw",), max_pages=20, timeout=20, display=MAX_DISPLAY):
    """(items, missing names): every version of the laws named exactly `names`, once per
    (법령일련번호, 시행일자)."""
    found, missing = {}, []
    for name in names:
        hits = 0
        for target in targets:
            for page in range(1, max_pages + 1):
                ctype, body = get(f"{url.rstrip('/')}/lawSearch.do", {
                    "OC": oc, "target": target, "type": "XML", "query": name, "display": display, "page": page},
                    timeout=timeout)
                total, items = parse(body, ctype, secret=oc)
                for item in items:
                    if _name(item.get("법령명한글")) == _name(name) and item.get("법령일련번호"):
                        found.setdefault((item["법령일련번호"], item.get("시행일자")), item)
                        hits += 1
                if not items or page * display >= total:
                    break
        if not hits:
            missing.append(name)
    return list(found.values()), missing


def version_events(item, site="https://www.law.go.kr"):
    """The 공포 and 시행 events of one law version."""
    mst, name = item["법령일련번호"], _name(item.get("법령명한글"))
    kind = "law" if item.get("법령구분명") == "법률" else "decree"
    change = item.get("제개정구분명") or "개정"
    promulgated, effective = api_date(item.get("공포일자")), api_date(item.get("시행일자"))
    number = f" ({item.get('법령구분명') or '법령'} 제{item['공포번호']}호)" if item.get("공포번호") else ""
    detail = {k: item.get(k) for k in ("법령일련번호", "법령ID", "공포번호", "제개정구분명", "법령구분명", "현행연혁코드",
                                       "소관부처명") if item.get(k)}
    link = f"{site.rstrip('/')}/LSW/lsInfoP.do?lsiSeq={mst}" + (f"&efYd={effective.replace('-', '')}" if effective else "")
    events = []
    if promulgated:
        events.append({"external_id": f"{mst}:promulgated", "date": promulgated, "kind": kind,
                       "title": f"「{name}」 {change} 공포{number}", "url": link, "detail": detail})
    if effective:
        events.append({"external_id": f"{mst}:effective:{effective}", "date": effective, "kind": kind,
                       "title": f"「{name}」 {change} 시행", "url": link, "detail": detail})
    return events
