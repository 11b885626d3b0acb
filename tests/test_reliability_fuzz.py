"""Property-based fuzzing (hypothesis) of the Korean date parser and the URL canonicaliser."""
import datetime as dt
import re
from urllib.parse import parse_qsl, urlsplit

from hypothesis import HealthCheck, example, given, settings, strategies as st

from crawler.dates import parse_date
from crawler.urls import TRACKING, canonical_url

KST = dt.timezone(dt.timedelta(hours=9))
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

korean_noise = st.text(alphabet=st.sampled_from(list("0123456789년월일시분초오전후입력수정.:-/ ()T+Z전주간방금") + ["\u3000"]),
                       max_size=40)


@FUZZ
@given(st.one_of(st.text(max_size=80), korean_noise))
@example("2026년 13월 45일")
@example("입력 0000.00.00 25:61")
@example("99999999999999999999 시간 전")
@example("2026-02-30T10:00:00+09:00")
def test_parse_date_never_raises_and_returns_iso_utc_or_none(text):
    result = parse_date(text)
    assert result is None or ISO_Z.match(result), result
    if result:
        dt.datetime.fromisoformat(result.replace("Z", "+00:00"))


@st.composite
def korean_dates(draw):
    stamp = draw(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2099, 12, 31)))
    stamp = stamp.replace(second=0, microsecond=0)
    h12 = stamp.hour % 12 or 12
    ampm = "오전" if stamp.hour < 12 else "오후"
    weekday = "월화수목금토일"[stamp.weekday()]
    label = draw(st.sampled_from(["", "입력 ", "등록일 : ", "기사입력 "]))
    text = draw(st.sampled_from([
        f"{stamp.year}년 {stamp.month}월 {stamp.day}일 {ampm} {h12}시 {stamp.minute}분",
        f"{stamp.year}년 {stamp.month:02d}월 {stamp.day:02d}일({weekday}) {stamp.hour}:{stamp.minute:02d}",
        f"{stamp:%Y.%m.%d %H:%M}",
        f"{stamp:%Y-%m-%d %H:%M}",
        f"{stamp:%Y/%m/%d} {ampm} {h12}:{stamp.minute:02d}",
        f"{stamp:%Y.%m.%d} ({stamp:%H:%M})",
    ]))
    return label + text, stamp


@FUZZ
@given(korean_dates())
def test_korean_dates_are_read_in_seoul_time(case):
    text, stamp = case
    expected = stamp.replace(tzinfo=KST).astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert parse_date(text) == expected, text


@FUZZ
@given(st.integers(1, 500), st.sampled_from(["초", "분", "시간", "일", "주"]))
def test_relative_dates_are_before_now(n, unit):
    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.timezone.utc)
    result = parse_date(f"{n}{unit} 전", now=now)
    assert result is not None and result <= "2026-03-02T12:00:00Z"


hosts = st.sampled_from(["news.example.kr", "www.example.com", "m.hanbit.co.kr", "mobile.busan.go.kr", "127.0.0.1",
                         "EXAMPLE.KR", "xn--3e0b707e.kr"])
segments = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc"), blacklist_characters="/?#"),
                   max_size=12)
keys = st.one_of(st.sampled_from(["id", "idxno", "utm_source", "utm_medium", "fbclid", "page", "rss", "ref", "q"]),
                 st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=8))
values = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Zs", "Cc"), blacklist_characters="&#="),
                 max_size=10)


@st.composite
def urls(draw):
    scheme = draw(st.sampled_from(["http", "https", "HTTP"]))
    port = draw(st.one_of(st.none(), st.sampled_from([80, 443, 8080, 8000])))
    path = "/".join(draw(st.lists(segments, max_size=4)))
    query = "&".join(f"{k}={v}" for k, v in draw(st.lists(st.tuples(keys, values), max_size=4)))
    fragment = draw(st.one_of(st.none(), st.text(max_size=6)))
    host = draw(hosts) + (f":{port}" if port else "")
    return f"{scheme}://{host}/{path}" + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


@FUZZ
@given(urls())
@example("https://m.hanbit.co.kr/m/news/articleView.html?idxno=1002&utm_source=gnews#top")
@example("http://news.example.kr//a//articleprint.html?id=3&fbclid=x")
def test_canonical_url_is_idempotent_and_drops_tracking(url):
    canon = canonical_url(url)
    assert canonical_url(canon) == canon
    parts = urlsplit(canon)
    assert parts.scheme in ("http", "https") and not parts.fragment and parts.hostname
    assert not any(TRACKING.match(k) for k, _ in parse_qsl(parts.query, keep_blank_values=True))
    assert canonical_url(url + ("&" if "?" in url.split("#")[0] else "?") + "utm_campaign=x") == canon or "#" in url


@FUZZ
@given(st.text(max_size=60))
@example("http://127.0.0.1:99999/a")
@example("http://[::1/a")
@example("https://exa mple.kr/뉴스?id=1")
def test_canonical_url_never_crashes_on_junk(text):
    """Links come from crawled pages: junk may raise ValueError (caught by the spider) but nothing else."""
    try:
        result = canonical_url(text)
    except ValueError:
        return
    assert isinstance(result, str)
