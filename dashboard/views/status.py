"""상태: sources' health, last crawl, model version, next scheduled jobs."""
from dash import html

import datetime as dt
import re

from dashboard.views.common import fmt_int, kpi, table
from interest.collect import SKIPPED_NO_KEYS
from store.cli_status import collect
from store.util import KST

TITLE = "상태"
OUTPUTS = (("st-body", "children"),)
KIND_KO = {"news": "언론", "civic": "시민단체", "committee": "자치경찰위원회", "government": "정부"}


def kst(stamp):
    """'2026-11-28T22:11:12Z' -> '2026-11-29 07:11' (Korean time); '-' when empty."""
    if not stamp:
        return "-"
    try:
        when = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        return str(stamp)
    when = when.replace(tzinfo=when.tzinfo or dt.timezone.utc)
    return when.astimezone(KST).strftime("%Y-%m-%d %H:%M")


def _interest_note(s):
    """Why search interest is missing (no keys, quota…) or when it was last fetched."""
    if s.get("stopped") == SKIPPED_NO_KEYS:
        return "API 키 없음: 검색 관심 수집을 건너뜁니다 (NAVER_CLIENT_ID / NAVER_CLIENT_SECRET 설정)"
    if s.get("stopped"):
        return f"마지막 실행 중단: {s['stopped'][:120]}"
    return f"마지막 수집 {kst(s['last_fetch'])}"
WEEKDAYS = {"mon": "월", "tue": "화", "wed": "수", "thu": "목", "fri": "금", "sat": "토", "sun": "일"}


def schedule_text(trigger):
    """APScheduler's trigger text in Korean: "cron[hour='7', minute='30']" -> '매일 07:30',
    "cron[day_of_week='mon', hour='8', minute='0']" -> '매주 월요일 08:00',
    'interval[3:00:00]' -> '3시간마다'; anything else is shown as it is."""
    text = (trigger or "").strip()
    match = re.fullmatch(r"interval\[(?:(\d+) days?, )?(\d+):(\d+):(\d+)\]", text)
    if match:
        days, hours, minutes = int(match[1] or 0), int(match[2]), int(match[3])
        parts = [f"{days}일" if days else "", f"{hours}시간" if hours else "", f"{minutes}분" if minutes else ""]
        return " ".join(p for p in parts if p) + "마다" if any(parts) else text
    match = re.fullmatch(r"cron\[(.*)\]", text)
    if not match:
        return text or "-"
    fields = dict(re.findall(r"(\w+)='([^']*)'", match[1]))
    if set(fields) - {"day_of_week", "hour", "minute", "second"} or not fields.get("hour", "").isdigit() \
            or not fields.get("minute", "0").isdigit():
        return text
    when = f"{int(fields['hour']):02d}:{int(fields.get('minute', 0)):02d}"
    day = fields.get("day_of_week")
    if not day:
        return f"매일 {when}"
    names = [WEEKDAYS.get(d.strip()) for d in day.split(",")]
    return f"매주 {'·'.join(names)}요일 {when}" if all(names) else text


def layout():
    return html.Div(id="st-body")


def render(data, db, ctx):
    s = data.cached("status", 30, lambda: collect(db))
    model = s["models"][0] if s["models"] else None
    cards = html.Div([
        kpi("수집된 기사", fmt_int(s["documents"], "건"), f"중복 {fmt_int(s['duplicates'])}건"),
        kpi("분류된 기사", fmt_int(s["classified"], "건"), f"관련 {fmt_int(s['relevant'])}건"),
        kpi("사람 수정", fmt_int(s["annotations"], "건"), "학습(train)에 쓰입니다"),
        kpi("사용 중인 모델", model["model_version"] if model else "없음",
            f"마지막 분류 {kst(model['last_used'])}" if model else "python monitor.py classify 실행 필요",
            "kpi-model"),
        kpi("검색 관심 API 오늘 호출", f"{fmt_int(s['search_interest']['calls_today'])} / "
            f"{fmt_int(s['search_interest']['daily_quota'])}회",
            _interest_note(s["search_interest"]), "kpi-interest"),
    ], className="kpis")
    sources = [{"수집원": r["name"], "유형": KIND_KO.get(r["kind"], r["kind"]), "기사 수": fmt_int(r["documents"]),
                "마지막 수집": kst(r["last_run_started"]), "마지막 성공": kst(r["last_ok"]),
                "상태": ("사용 안 함" if not r["enabled"] else "정상" if not r["error_count"]
                       else f"오류 {r['error_count']}회 연속: {r['last_error']}")} for r in s["sources"]]
    jobs = [{"작업": j.get("name") or j.get("job_id"), "일정": schedule_text(j.get("trigger")),
             "다음 실행": kst(j.get("next_run_at"))} for j in s["next_jobs"]]
    return {"st-body": [
        cards,
        html.H3("수집원 상태 (한국 시간)"),
        table("st-sources", sources, [(c, c) for c in ("수집원", "유형", "기사 수", "마지막 수집", "마지막 성공", "상태")])
        if sources else html.P("등록된 수집원이 없습니다. python monitor.py crawl 로 수집을 시작하세요.", className="notice"),
        html.H3("다음 예약 작업 (한국 시간)"),
        table("st-jobs", jobs, [(c, c) for c in ("작업", "일정", "다음 실행")]) if jobs
        else html.P("스케줄러가 실행 중이 아닙니다 (python scheduler.py).", className="notice"),
        html.P(f"DB: {s['db']}", className="hint")]}


def rows(data, db, ctx):
    return [{k: v for k, v in r.items()} for r in collect(db)["sources"]]
