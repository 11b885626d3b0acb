"""export/params.py: the checks shared by `monitor.py export` and /api/v1, at their edges,
with exact messages; and the API's answers to them (exact status codes)."""
import flask
import pytest

from export.api import register
from export.params import (ParamError, as_list, choice, date, flag, format_for, integer, one, parse_filters,
                           parse_trend_options)
from store.queries import Filters


@pytest.mark.parametrize("value, expected", [
    (None, []), ("", []), ("a", ["a"]), (" a , b ,, ", ["a", "b"]), (["a", "b,c"], ["a", "b", "c"]),
    (("x", " "), ["x"]), ([3], ["3"]),
])
def test_as_list(value, expected):
    assert as_list(value) == expected


def test_one_takes_the_last_value():
    assert (one(["a", "b"]), one(("a",)), one([]), one("z"), one(None)) == ("b", "a", None, "z", None)


def test_choice():
    assert choice("by", None, ("day", "week"), "day") == "day"
    assert choice("by", "", ("day", "week"), "day") == "day"
    assert choice("by", ["day", "week"], ("day", "week")) == "week"
    with pytest.raises(ParamError, match=r"^잘못된 by / invalid by: 'year' \(allowed: day, week\)$"):
        choice("by", "year", ("day", "week"))


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "on", True, ["0", "1"]])
def test_flag_true(value):
    assert flag("x", value) is True


@pytest.mark.parametrize("value", ["0", "false", "No", "off", "", None, False, ["1", "0"]])
def test_flag_false(value):
    assert flag("x", value) is False


def test_flag_refuses_other_words():
    with pytest.raises(ParamError, match=r"invalid include_duplicates: 'perhaps' \(use true or false\)"):
        flag("include_duplicates", "perhaps")


@pytest.mark.parametrize("value, expected", [(None, None), ("", None), ("2024-02-29", "2024-02-29"),
                                             (["2020-01-01", "2026-11-02"], "2026-11-02")])
def test_date_accepts(value, expected):
    assert date("from", value) == expected


@pytest.mark.parametrize("value", ["2025-02-29", "2026-2-3", "20260203", "2026-11-02T00:00", "어제", "2026-13-01"])
def test_date_refuses(value):
    with pytest.raises(ParamError, match=rf"^잘못된 날짜 / invalid date for from: '{value}' \(use YYYY-MM-DD\)$"):
        date("from", value)


def test_integer_bounds_are_inclusive():
    assert integer("page", None, 7, 1, 10) == 7 and integer("page", "", 7, 1, 10) == 7
    assert (integer("page", "1", 7, 1, 10), integer("page", "10", 7, 1, 10), integer("page", ["2", "3"], 7, 1, 10)) \
        == (1, 10, 3)
    for bad in ("0", "11", "-1"):
        with pytest.raises(ParamError, match=rf"page must be between 1 and 10, not {int(bad)}$"):
            integer("page", bad, 7, 1, 10)
    with pytest.raises(ParamError, match=r"invalid page: '2\.5' \(a whole number\)"):
        integer("page", "2.5", 7, 1, 10)


def test_filters_from_parameters():
    f = parse_filters({"from": "2026-11-02", "to": "2026-11-02", "region": ["서울,부산", "서울"],
                       "topic": "budget", "sentiment": "negative,neutral", "source_kind": "civic",
                       "outlet": "아무 매체", "source": "src-x", "q": "  예산 삭감 ", "relevance": "all",
                       "include_duplicates": "yes"})
    assert f == Filters(date_from="2026-11-02", date_to="2026-11-02", regions=["서울", "부산"], topics=["budget"],
                        sentiments=["negative", "neutral"], source_kinds=["civic"], outlets=["아무 매체"],
                        sources=["src-x"], text="예산 삭감", relevance="all", include_duplicates=True)
    assert parse_filters({}) == Filters()
    assert parse_filters({"relevance": "relevant"}).relevance == "relevant"   # the default, also when given
    assert parse_filters({"relevance": "irrelevant"}).relevance == "irrelevant"
    assert parse_filters({"q": "   ", "region": ""}).text is None and parse_filters({"region": ""}).regions is None


@pytest.mark.parametrize("raw, message", [
    ({"from": "2026-11-03", "to": "2026-11-02"}, "'from' (2026-11-03) is after 'to' (2026-11-02)"),
    ({"region": "서울,서울시"}, "invalid region: 서울시"),
    ({"topic": "예산"}, "invalid topic: 예산"),
    ({"sentiment": "angry"}, "invalid sentiment: angry"),
    ({"source_kind": "blog"}, "invalid source_kind: blog"),
    ({"relevance": "maybe"}, "invalid relevance: 'maybe'"),
    ({"include_duplicates": "2"}, "invalid include_duplicates: '2'"),
])
def test_bad_filters(raw, message):
    with pytest.raises(ParamError) as err:
        parse_filters(raw)
    assert message in str(err.value)


def test_trend_options():
    assert parse_trend_options({}) == ("day", [], "long", "articles")
    assert parse_trend_options({"shape": "long", "by": "day", "metric": "articles"}) == ("day", [], "long", "articles")
    assert parse_trend_options({"by": "month", "group": "region,topic", "shape": "wide", "metric": "negative_share"}) \
        == ("month", ["region", "topic"], "wide", "negative_share")
    for raw, message in (({"group": "region,colour"}, "invalid group: colour"),
                         ({"group": ["topic", "topic"]}, "a group is repeated: topic, topic"),
                         ({"shape": "wide"}, "the wide shape needs at least one group"),
                         ({"shape": "tall"}, "invalid shape: 'tall'"),
                         ({"metric": "clicks"}, "invalid metric: 'clicks'"),
                         ({"by": "year"}, "invalid by: 'year'")):
        with pytest.raises(ParamError) as err:
            parse_trend_options(raw)
        assert message in str(err.value), raw


@pytest.mark.parametrize("path, fmt, expected", [
    ("out.csv", None, "csv"), ("out.json", None, "json"), ("out.jsonl", None, "json"),
    ("out.parquet", None, "parquet"), ("OUT.XLSX", None, "xlsx"), ("out.txt", None, "csv"), ("out", None, "csv"),
    ("out.csv", "parquet", "parquet"), ("out.csv", "xlsx", "xlsx"), ("out.xlsx", "json", "json"),
])
def test_format_for(path, fmt, expected):
    assert format_for(path, fmt) == expected


def test_format_for_refuses_unknown_formats():
    with pytest.raises(ParamError, match=r"invalid format: 'xml' \(allowed: csv, json, parquet, xlsx\)"):
        format_for("out.xml", "xml")


# ---- through the API ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(tmp_path_factory):
    import store
    from store.synthetic import seed_synthetic
    path = tmp_path_factory.mktemp("params") / "monitor.db"
    db = store.open_db(path)
    seed_synthetic(db, 60, days=10, end_date="2026-11-10", seed=3)
    db.conn.close()
    return register(flask.Flask("params-test"), path).test_client()


@pytest.mark.parametrize("query, status", [
    ("from=2026-11-05&to=2026-11-05", 200),      # a one-day period
    ("from=2026-11-06&to=2026-11-05", 400),
    ("per_page=1", 200), ("per_page=1000", 200), ("per_page=0", 400), ("per_page=1001", 400),
    ("page=1", 200), ("page=0", 400),
    ("from=2026-11-01&to=2026-11-10&region=서울&topic=budget&sentiment=negative&source_kind=news&outlet=KBS"
     "&source=src-KBS&q=자치경찰&relevance=all&include_duplicates=true&format=csv&page=1&per_page=5", 200),
    ("with_text=1", 200), ("by=week", 400),
])
def test_api_documents_status_codes(client, query, status):
    r = client.get("/api/v1/documents?" + query)
    assert r.status_code == status, r.data[:300]


def test_api_one_day_period_returns_that_day_only(client):
    body = client.get("/api/v1/documents?from=2026-11-05&to=2026-11-05&per_page=1000").get_json()
    assert body["data"] and {row["pub_date"] for row in body["data"]} == {"2026-11-05"}
    trends = client.get("/api/v1/trends?from=2026-11-05&to=2026-11-05").get_json()["data"]
    assert [row["period"] for row in trends] == ["2026-11-05"]
    assert trends[0]["articles"] == len(body["data"])


@pytest.mark.parametrize("query, status", [
    ("by=week&group=region,topic&shape=wide&metric=negative", 200), ("by=week&with_text=1", 400),
    ("shape=wide", 400), ("group=region&group=region", 400),
])
def test_api_trends_status_codes(client, query, status):
    assert client.get("/api/v1/trends?" + query).status_code == status
