"""Render a built digest as e-mail HTML (inline CSS, table layout) and plain text.

`image_src` maps chart names to what <img src> gets: 'cid:...' in mail, data: URIs in a
preview file.
"""
import html

from store.util import is_web_url
from vocabulary import NATIONAL, SENTIMENT_KO

FONT = "font-family:'Apple SD Gothic Neo','Malgun Gothic','Noto Sans KR',sans-serif;"
H2 = f"{FONT}font-size:16px;color:#1d3557;margin:22px 0 8px;padding-bottom:4px;border-bottom:2px solid #1d3557;"
P = f"{FONT}font-size:14px;color:#222;line-height:1.6;margin:4px 0;"
SMALL = f"{FONT}font-size:12px;color:#666;"
TD = f"{FONT}font-size:13px;color:#222;padding:6px 8px;border-bottom:1px solid #e5e5e5;vertical-align:top;"
TH = f"{FONT}font-size:12px;color:#555;padding:6px 8px;border-bottom:1px solid #bbb;text-align:left;background:#f4f6f9;"
A = "color:#1d4f91;text-decoration:none;"
NUM = "white-space:nowrap;text-align:right;"  # numbers never break (readable on a 390 px phone)
ALL_COVERAGE = "전체 보도 (모든 지역)"  # every article; not the "전국" region
NATIONAL_ROW = "전국 단위 (특정 지역 없음)"  # articles labelled with the region 전국
e = html.escape
NO_CHARTS = "이번 메일에는 차트가 없습니다(서버에 한글 글꼴 없음). 추이는 대시보드에서 볼 수 있습니다."


def _a(url, text, style=A):
    """A link only to an http(s) URL; anything else (javascript:, data: ...) shows as text."""
    if not is_web_url(url):
        return e(text)
    return f'<a href="{e(url)}" style="{style}">{e(text)}</a>'


def _url(url):
    """A URL for the plain-text mail: http(s) only (mail clients turn text into links)."""
    return url if is_web_url(url) else "(링크 없음)"


def pct(x):
    return "-" if x is None else f"{x * 100:.0f}%"


def signed_pct(x):
    return "" if x is None else f"{x * 100:+.0f}%"


def points(x):
    return "" if x is None else f"{x * 100:+.0f}%p"


def _kpi(title, value, note):
    """A card that wraps to the next line on a narrow screen instead of squeezing its number."""
    return (f'<div class="kpi" style="{FONT}display:inline-block;vertical-align:top;box-sizing:border-box;'
            f'width:48%;min-width:140px;max-width:160px;margin:0 4px 6px 0;padding:8px 10px;'
            f'border:1px solid #dde3ea;background:#f9fbfd;">'
            f'<div style="{SMALL}">{e(title)}</div>'
            f'<div class="num" style="{FONT}{NUM}text-align:left;font-size:22px;font-weight:bold;color:#1d3557;">'
            f'{e(value)}</div><div style="{SMALL}">{e(note)}</div></div>')


def _kpis(section):
    t, c = section["totals"], section["change"]
    lo, hi = t["negative_ci"]
    labelled = t["negative"] + t["neutral"] + t["positive"]
    share_note = (f"논조 분류 {labelled:,}건 중 · 지난주 대비 {points(section['negative_change']) or '-'}"
                  f" · 95% 구간 {pct(lo)}~{pct(hi)}") if lo is not None else "논조가 분류된 기사 없음"
    return ('<div style="margin:4px 0;">'
            + _kpi("관련 기사", f"{t['articles']:,}건", f"지난주 대비 {signed_pct(c['articles']) or '-'}")
            + _kpi("기사 묶음", f"{t['stories']:,}건", f"지난주 대비 {signed_pct(c['stories']) or '-'}")
            + _kpi("보도 매체", f"{t['outlets']:,}곳", f"지난주 {section['previous']['outlets']:,}곳")
            + _kpi("부정 비율", pct(t["negative_share"]), share_note)
            + "</div>")


def _stories_table(stories, empty):
    """# and the story; its outlets, articles and 논조 on the line under the title (two
    columns stay readable on a phone)."""
    if not stories:
        return f'<p style="{P}">{e(empty)}</p>'
    rows = "".join(
        f'<tr><td style="{TD}width:18px;">{i}</td><td style="{TD}word-break:keep-all;">'
        f'{_a(s["url"], s["title"] or "(제목 없음)")}'
        f'<div style="{SMALL}">{e(s["lead_outlet"] or "")} · {e(", ".join(s["topics"]))}</div>'
        f'<div style="{SMALL}"><span style="{NUM}">{s["outlets"]}개 매체</span> · <span style="{NUM}">기사 {s["articles"]}건</span>'
        f' · 논조 {e(SENTIMENT_KO.get(s["sentiment"], "-"))}</div></td></tr>'
        for i, s in enumerate(stories, 1))
    return (f'<table role="presentation" width="100%" cellspacing="0" cellpadding="0">'
            f'<tr><th style="{TH}">#</th><th style="{TH}">기사 묶음 (대표 기사)</th></tr>{rows}</table>')


def region_name(region):
    return NATIONAL_ROW if region == NATIONAL else region


def share_with_n(line):
    """'31% (n=42)': a share with the articles it is a share of."""
    return "-" if line["negative_share"] is None else f"{pct(line['negative_share'])} (n={line['labelled']})"


def _section_html(section, heading):
    return (f'<h2 style="{H2}">{e(heading)}</h2>' + _kpis(section)
            + f'<h3 style="{H2}font-size:14px;border-bottom:1px solid #ccc;">많이 보도된 기사</h3>'
            + _stories_table(section["top"], "이번 주 관련 기사가 없습니다.")
            + f'<h3 style="{H2}font-size:14px;border-bottom:1px solid #ccc;">비판적 보도</h3>'
            + _stories_table(section["critical"], "이번 주 부정 논조 기사가 없습니다."))


def _list(items, empty):
    if not items:
        return f'<p style="{P}">{e(empty)}</p>'
    return '<ul style="margin:4px 0 4px 18px;padding:0;">' + "".join(
        f'<li style="{P}">{item}</li>' for item in items) + "</ul>"


def interest_line(ctx):
    """One sentence on Naver search interest this week against the 4 weeks before (= 100);
    empty when none is collected (no keys configured)."""
    info = ctx.get("interest") or {}
    if not info.get("stored"):
        return ""
    if not info["groups"]:
        return "네이버 검색 관심: 이번 주와 직전 4주 자료가 아직 다 모이지 않았습니다"
    parts = ", ".join(f"{g['group']} {g['index']:.0f}" for g in info["groups"])
    return (f"네이버 검색 관심 (직전 4주 평균 = 100): {parts}. 상대 지수이며 사람 수나 인지도가 아닙니다"
            + ("" if info["complete"] else " (일부 묶음은 자료 부족으로 뺌)"))


def _events_html(events):
    """이번 주 국회·법령: bills, law revisions, milestones and staff notes of the week (only when any)."""
    if not events:
        return ""
    return f'<h2 style="{H2}">이번 주 국회·법령</h2>' + _list([
        f'<span style="{SMALL}">{e(ev["date"][5:].replace("-", "."))} · {e(ev["kind_ko"])}'
        f'{" · " + e(ev["region"]) if ev["region"] else ""}</span> '
        + _a(ev["url"], ev["title"])
        for ev in events], "")


def render_html(ctx, image_src):
    parts = [
        f'<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{e(ctx["subject"])}</title></head>',
        f'<body style="margin:0;padding:0;background:#eef1f5;">',
        '<table role="presentation" width="100%" cellspacing="0" cellpadding="0" style="background:#eef1f5;"><tr><td align="center">',
        f'<table role="presentation" width="680" cellspacing="0" cellpadding="0" style="max-width:680px;width:100%;background:#ffffff;">',
        f'<tr><td style="background:#1d3557;padding:18px 14px;"><div style="{FONT}font-size:13px;color:#c9d6e8;">자치경찰 언론 모니터 · 주간 동향</div>'
        f'<div style="{FONT}font-size:21px;font-weight:bold;color:#ffffff;">{e(ctx["label"])} ({e(ctx["monday"])} ~ {e(ctx["sunday"])})</div></td></tr>',
        '<tr><td style="padding:8px 14px 22px;">',
        f'<p class="summary" style="{P}font-size:15px;background:#f4f6f9;padding:10px 12px;margin:10px 0;">'
        f'{e(ctx["summary"])}</p>',
    ]
    if ctx["regional"]:
        parts.append(_section_html(ctx["regional"], f"우리 지역: {ctx['region']}"))
    parts.append(_section_html(ctx["national"], ALL_COVERAGE))
    parts.append(f'<h2 style="{H2}">최근 12주 추이</h2>')
    if not image_src:
        parts.append(f'<p style="{P}">{e(NO_CHARTS)}</p>')
    for name, alt in (("volume", "주별 관련 기사 수 차트"), ("negative", "주별 부정 비율 차트")):
        if name not in image_src:  # no font with Hangul on this machine (digest.fonts)
            continue
        parts.append(f'<img src="{e(image_src[name])}" alt="{alt}" width="600" '
                     f'style="display:block;width:100%;max-width:600px;height:auto;border:0;margin:6px 0;">')
    if interest_line(ctx):
        parts.append(f'<p style="{P}">{e(interest_line(ctx))}</p>')
    parts.append(_events_html(ctx.get("events")))
    parts.append(f'<h2 style="{H2}">급증 알림 (한 줄에 한 사건)</h2>')
    parts.append(_list([e(s["text"]) for s in ctx["spikes"]], "이번 주 감지된 급증이 없습니다."))
    if ctx["spikes_total"] > len(ctx["spikes"]):
        parts.append(f'<p style="{SMALL}">외 {ctx["spikes_total"] - len(ctx["spikes"])}건은 대시보드에서 볼 수 있습니다.</p>')
    parts.append(f'<h2 style="{H2}">시민단체 성명·논평</h2>')
    parts.append(_list([_a(c["url"], c["title"] or "(제목 없음)") + ' '
                        f'<span style="{SMALL}">{e(c["outlet"] or "")} · {e(c["pub_date"] or "")}</span>'
                        for c in ctx["civic"]], "이번 주 수집된 시민단체 성명이 없습니다."))
    parts.append(f'<h2 style="{H2}">떠오르는 주제</h2>')
    parts.append(_list([f'{e(r["topic"])}: {r["articles"]}건 <span style="{SMALL}">(직전 4주 평균 {r["average"]:.1f}건)</span>'
                        for r in ctx["rising"]], "눈에 띄게 늘어난 주제가 없습니다."))
    parts.append(f'<h2 style="{H2}">두드러진 단어 (지난주 대비)</h2>')
    parts.append(_list([_term_line(t, e, SMALL) for t in ctx.get("terms") or []], "지난주보다 두드러진 단어가 없습니다."))
    parts.append(f'<h2 style="{H2}">지역별 동향</h2>')
    if ctx["regions"]:
        rows = "".join(f'<tr><td style="{TD}word-break:keep-all;">{e(region_name(r["region"]))}</td>'
                       f'<td class="num" style="{TD}{NUM}">{r["articles"]}건</td>'
                       f'<td class="num" style="{TD}{NUM}">{r["previous"]}건</td>'
                       f'<td class="num" style="{TD}{NUM}">{share_with_n(r)}</td></tr>' for r in ctx["regions"])
        parts.append(f'<table role="presentation" width="100%" cellspacing="0" cellpadding="0"><tr><th style="{TH}">지역</th>'
                     f'<th style="{TH}text-align:right;">이번 주</th><th style="{TH}text-align:right;">지난주</th>'
                     f'<th style="{TH}text-align:right;">부정 비율 (n)</th></tr>{rows}</table>'
                     f'<p style="{SMALL}">n = 논조가 분류된 기사 수. 한 기사가 여러 지역에 해당하면 각 지역에 셉니다. '
                     f'“{NATIONAL_ROW}”은 특정 시·도가 아닌 전국 차원의 기사이며, 위의 “{ALL_COVERAGE}”와 다릅니다.</p>')
    else:
        parts.append(f'<p style="{P}">지역별 기사가 없습니다.</p>')
    parts.append(f'<p style="{P}margin-top:22px;">' + _a(
        ctx["dashboard_url"], "대시보드에서 이번 주 자세히 보기",
        f"{A}display:inline-block;background:#1d3557;color:#ffffff;padding:10px 16px;border-radius:4px;") + "</p>")
    parts.append(f'<p style="{SMALL}margin-top:18px;">관련 기사는 분류 모델이 자치경찰제 관련으로 판단한 기사이며, 같은 내용의 '
                 f'중복·전재 기사는 한 번만 셉니다. 기사 묶음은 같은 사안을 다룬 기사들의 모음입니다. 이 메일은 자동 발송되었습니다.</p>')
    parts.append("</td></tr></table></td></tr></table></body></html>")
    return "\n".join(parts)


def _text_section(section, heading):
    t, c = section["totals"], section["change"]
    lines = [f"■ {heading}",
             f"- 관련 기사 {t['articles']:,}건 (지난주 대비 {signed_pct(c['articles']) or '-'}), "
             f"기사 묶음 {t['stories']:,}건, 보도 매체 {t['outlets']:,}곳",
             f"- 부정 비율 {pct(t['negative_share'])} (논조 분류 {t['negative'] + t['neutral'] + t['positive']:,}건 중, "
             f"지난주 대비 {points(section['negative_change']) or '-'})",
             "", "많이 보도된 기사:"]
    lines += [f"  {i}. {s['title']} ({s['outlets']}개 매체, {s['articles']}건)\n     {_url(s['url'])}"
              for i, s in enumerate(section["top"], 1)] or ["  (없음)"]
    lines += ["", "비판적 보도:"]
    lines += [f"  {i}. {s['title']} ({s['outlets']}개 매체, {s['articles']}건)\n     {_url(s['url'])}"
              for i, s in enumerate(section["critical"], 1)] or ["  (없음)"]
    return lines + [""]


def render_text(ctx):
    lines = [ctx["subject"], "=" * 40, "", ctx["summary"], ""]
    if ctx["regional"]:
        lines += _text_section(ctx["regional"], f"우리 지역: {ctx['region']}")
    lines += _text_section(ctx["national"], ALL_COVERAGE)
    if ctx.get("events"):
        lines += ["■ 이번 주 국회·법령"] + [f"- {ev['date']} [{ev['kind_ko']}] {ev['title']}"
                                     + (f"\n  {ev['url']}" if is_web_url(ev["url"]) else "") for ev in ctx["events"]] + [""]
    more = ctx["spikes_total"] - len(ctx["spikes"])
    lines += [f"■ {interest_line(ctx)}", ""] if interest_line(ctx) else []
    lines += ["■ 급증 알림 (한 줄에 한 사건)"] + ([f"- {s['text']}" for s in ctx["spikes"]] or ["- 없음"])
    lines += ([f"- 외 {more}건은 대시보드에서 볼 수 있습니다."] if more > 0 else []) + [""]
    lines += ["■ 시민단체 성명·논평"] + ([f"- {c['title']} ({c['outlet'] or ''}, {c['pub_date'] or ''})\n  {_url(c['url'])}"
                                  for c in ctx["civic"]] or ["- 없음"]) + [""]
    lines += ["■ 떠오르는 주제"] + ([f"- {r['topic']}: {r['articles']}건 (직전 4주 평균 {r['average']:.1f}건)"
                               for r in ctx["rising"]] or ["- 없음"]) + [""]
    lines += ["■ 두드러진 단어 (지난주 대비)"] + ([f"- {_term_line(t)}" for t in ctx.get("terms") or []]
                                          or ["- 없음"]) + [""]
    lines += ["■ 지역별 동향"] + ([f"- {region_name(r['region'])}: {r['articles']}건 (지난주 {r['previous']}건), "
                               f"부정 {share_with_n(r)}" for r in ctx["regions"]] or ["- 없음"]) + [""]
    lines += [f"대시보드: {_url(ctx['dashboard_url'])}", "", "차트는 HTML 메일에서 볼 수 있습니다. 이 메일은 자동 발송되었습니다."]
    return "\n".join(lines)


def _term_line(t, escape=str, small=None):
    """'경찰국: 8건 (지난주 0건)'; the HTML form escapes the term and greys the bracket."""
    note = f"(지난주 {t['reference_documents']}건)"
    return f"{escape(t['term'])}: {t['documents']}건 " + (f'<span style="{small}">{note}</span>' if small else note)
