"""National Assembly open API, bill search TVBPMBILL11 ("법률안 심사 및 처리(의안검색)").

GET {url}TVBPMBILL11?KEY=…&Type=json&pIndex=1&pSize=100&AGE=22&BILL_NAME=자치경찰
Success: {"TVBPMBILL11": [{"head": [{"list_total_count": N}, {"RESULT": {"CODE": "INFO-000"}}]},
                          {"row": [...]}]}
No data: {"RESULT": {"CODE": "INFO-200", ...}}; errors: {"RESULT": {"CODE": "ERROR-290", ...}}.

Each dated step of a bill becomes one event (external id BILL_ID:step): 발의 (PROPOSE_DT),
소관위원회 회부 (COMMITTEE_DT), 법제사법위원회 체계·자구 심사 (LAW_PROC_DT), 처리 결과
(PROC_DT with PROC_RESULT_CD: 원안가결, 수정가결, 대안반영폐기 …). Promulgation is not in this
service: it comes from the law information API (lawinfo.py) once the law is published.
"""
import datetime as dt
import json
import logging
import re

from events.http import ApiError, get

log = logging.getLogger(__name__)

SERVICE = "TVBPMBILL11"
MAX_PAGE_SIZE = 1000
# The API's result codes, in words an operator can act on.
MESSAGES = {
    "ERROR-290": "인증키가 유효하지 않습니다 / the key in ASSEMBLY_API_KEY is not valid (check it on the open API portal)",
    "ERROR-300": "필수 값이 빠졌습니다 / a required parameter is missing (AGE: set [assembly] ages in config/events.toml)",
    "ERROR-310": "서비스를 찾을 수 없습니다 / service not found (check [assembly] url in config/events.toml)",
    "ERROR-333": "요청 위치 값이 정수가 아닙니다 / pIndex must be a whole number",
    "ERROR-336": "한 번에 1,000건을 넘게 요청했습니다 / pSize over 1000 (lower [assembly] page_size)",
    "ERROR-337": "일별 호출 한도를 넘었습니다 / the daily call limit is used up; the next daily run tries again",
    "ERROR-500": "국회 API 서버 오류 / server error at the Assembly API; tried again on the next run",
    "ERROR-600": "국회 API 데이터베이스 연결 오류 / database error at the Assembly API; tried again on the next run",
    "ERROR-601": "국회 API SQL 오류 / SQL error at the Assembly API; tried again on the next run",
    "INFO-300": "관리자가 인증키 사용을 제한했습니다 / the key was restricted by the portal's administrator",
}
# (step, date field, title prefix); the decision's prefix is its PROC_RESULT_CD
STEPS = (("propose", "PROPOSE_DT", "발의"), ("committee", "COMMITTEE_DT", "소관위원회 회부"),
         ("judiciary", "LAW_PROC_DT", "법제사법위원회 체계·자구 심사"), ("decided", "PROC_DT", "처리"))


def error_for(result):
    code = str(result.get("CODE") or "?")
    message = MESSAGES.get(code) or f"{str(result.get('MESSAGE') or 'unexpected result')[:200]}"
    return ApiError(f"국회 API {code}: {message}", code=code)


def parse(body):
    """(list_total_count, rows) from one answer; (0, []) for INFO-200; ApiError otherwise."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        head = body[:200].decode("utf-8", "replace").strip().lower()
        what = "an HTML page" if head.startswith(("<!doctype", "<html")) or "<html" in head else "not JSON"
        raise ApiError(f"국회 API가 JSON이 아닌 응답을 보냈습니다 / the Assembly API answered with {what}",
                       code="NOT-JSON") from None
    if not isinstance(data, dict):
        raise ApiError("국회 API 응답 형식이 다릅니다 / unexpected answer shape from the Assembly API", code="SHAPE")
    if isinstance(data.get("RESULT"), dict):
        if data["RESULT"].get("CODE") == "INFO-200":
            return 0, []
        raise error_for(data["RESULT"])
    try:
        head, body_part = data[SERVICE][0]["head"], data[SERVICE][1]
        total = int(next(h["list_total_count"] for h in head if "list_total_count" in h))
        result = next(h["RESULT"] for h in head if "RESULT" in h)
        rows = body_part.get("row") or []
    except (KeyError, IndexError, TypeError, ValueError, StopIteration, AttributeError):
        raise ApiError("국회 API 응답 형식이 다릅니다 / unexpected answer shape from the Assembly API",
                       code="SHAPE") from None
    if result.get("CODE") != "INFO-000":
        if result.get("CODE") == "INFO-200":
            return 0, []
        raise error_for(result)
    return total, [r for r in rows if isinstance(r, dict)]


def fetch_bills(url, key, ages, names, page_size=100, max_pages=50, timeout=20):
    """Every bill of the given assemblies (AGE) whose name contains one of `names`, each
    once (by BILL_ID); pages through list_total_count."""
    bills = {}
    for age in ages:
        for name in names:
            for page in range(1, max_pages + 1):
                _, body = get(f"{url.rstrip('/')}/{SERVICE}", {
                    "KEY": key, "Type": "json", "pIndex": page, "pSize": page_size, "AGE": age, "BILL_NAME": name},
                    timeout=timeout)
                total, rows = parse(body)
                for row in rows:
                    if row.get("BILL_ID"):
                        bills.setdefault(str(row["BILL_ID"]), row)
                if not rows or page * page_size >= total:
                    break
            else:
                log.warning("assembly: AGE %s %r has more than %d pages; the rest is left for a narrower query",
                            age, name, max_pages)
    return list(bills.values())


def api_date(value):
    """'2024-06-05', '2024-06-05 00:00:00' or '20240605' -> '2024-06-05'; None for anything
    else, impossible dates included."""
    match = re.match(r"(\d{4})-?(\d{2})-?(\d{2})", str(value or "").strip())
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3])).isoformat() if match else None
    except ValueError:
        return None


def bill_events(row):
    """The dated steps of one bill as event dicts (external_id BILL_ID:step)."""
    name = str(row.get("BILL_NAME") or "").strip() or f"의안 {row.get('BILL_NO') or row['BILL_ID']}"
    committee = str(row.get("CURR_COMMITTEE") or row.get("COMMITTEE") or "").strip()
    result = str(row.get("PROC_RESULT_CD") or row.get("PROC_RESULT") or "").strip()
    # what each step's event keeps: a later step must not change an earlier step's event
    detail = {k: row.get(k) for k in ("BILL_ID", "BILL_NO", "AGE", "PROPOSER", "PROPOSER_KIND") if row.get(k)}
    events = []
    for step, field, prefix in STEPS:
        date = api_date(row.get(field))
        if not date:
            continue
        extra = {}
        if step == "committee" and committee:
            prefix, extra = f"{prefix}({committee})", {"CURR_COMMITTEE": committee}
        if step == "decided" and result:
            prefix, extra = result, {"PROC_RESULT_CD": result}
        events.append({"external_id": f"{row['BILL_ID']}:{step}", "date": date, "kind": "bill",
                       "title": f"{prefix}: {name}", "url": row.get("LINK_URL"),
                       "detail": {**detail, **extra, "step": step}})
    return events
