"""`monitor.py export`: every format round-trips against the DB, filters hold, the wide form
matches the long form, files are byte-reproducible, bad input is refused without damage."""
import datetime as dt
import hashlib
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest

import monitor
import store
from export.columns import document_columns, trend_columns
from store.periods import period_start
from export.writers import write_file
from store import queries as q
from export_support import END, as_written, build_store, expected_document, found_rows, meta_of, read_back

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ["csv", "json", "parquet", "xlsx"]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory, tiny_model_dir):
    path = tmp_path_factory.mktemp("export") / "monitor.db"
    build_store(path, tiny_model_dir)
    return path


@pytest.fixture
def db(store_path):
    database = store.open_db(store_path)
    yield database
    database.conn.close()


def export(store_path, *argv):
    return monitor.main(["--db", str(store_path), "export", *map(str, argv)])


def sort_key(row):
    return (row["pub_date"] or "", row["published_at"] or "", row["id"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_documents_round_trip_against_the_db(store_path, db, tmp_path, fmt):
    out = tmp_path / f"docs.{fmt}"
    assert export(store_path, "documents", "--relevance", "all", "--include-duplicates", "--with-text",
                  "--format", fmt, "--out", out) == 0
    got = read_back(out, fmt, document_columns(with_text=True))
    ids = [r[0] for r in db.execute("SELECT id FROM documents")]
    want = sorted((expected_document(db, i, with_text=True) for i in ids), key=sort_key)
    assert len(got) == len(ids) == 705
    assert got == as_written(want, fmt)
    # The real classifier's scores came through (not just the synthetic labels).
    scored = [r for r in got if r["sentiment_score_negative"] is not None]
    assert len(scored) == 4 and all(r["topic_score_budget"] is not None for r in scored)
    assert any("\n" in (r["body"] or "") and '"' in r["title"] for r in got)
    meta = meta_of(out)
    assert meta["row_count"] == 705 and meta["parameters"]["format"] == fmt
    assert set(meta["model_versions"]) == {"synthetic-1", scored[0]["model_version"], "(unlabelled)"}


@pytest.mark.parametrize("fmt", FORMATS)
def test_trends_round_trip_against_the_db(store_path, db, tmp_path, fmt):
    out = tmp_path / f"trends.{fmt}"
    assert export(store_path, "trends", "--by", "week", "--group", "region,topic", "--from", "2025-03-01",
                  "--to", END, "--format", fmt, "--out", out) == 0
    got = read_back(out, fmt, trend_columns(["region", "topic"]))
    want = q.counts_multi(db, "week", ["region", "topic"], q.Filters(date_from="2025-03-01", date_to=END))
    assert len(found_rows(got)) == len(want) > 100
    assert found_rows(got) == as_written([{k: w[k] for k in found_rows(got)[0]} for w in want], fmt)
    # zero rows too: 6 weeks (02-24 .. 03-31) × 19 regions × 11 topics
    assert len(got) == 6 * 19 * 11 and {r["period"] for r in got if r["partial"]} == {"2025-02-24", "2025-03-31"}
    # A single group gives exactly the shared `counts` query's numbers.
    single = tmp_path / f"single.{fmt}"
    assert export(store_path, "trends", "--by", "month", "--group", "sentiment", "--format", fmt, "--out", single) == 0
    expected = [{k: r[k] for k in ("period", "sentiment", "articles", "negative_share")}
                for r in q.counts(db, "month", "sentiment")]
    assert [{k: r[k] for k in expected[0]} for r in found_rows(read_back(single, fmt, trend_columns(["sentiment"])))] \
        == as_written(expected, fmt)


def test_trend_counts_mean_what_the_dictionary_says(store_path, tmp_path):
    """Recount articles, stories, outlets and sentiment from the documents export."""
    docs, trends = tmp_path / "d.parquet", tmp_path / "t.parquet"
    assert export(store_path, "documents", "--out", docs) == 0
    assert export(store_path, "trends", "--by", "week", "--group", "source_kind", "--out", trends) == 0
    buckets = defaultdict(list)
    for r in read_back(docs, "parquet", document_columns()):
        week = period_start("week", dt.date.fromisoformat(r["pub_date"])).isoformat()
        buckets[(week, r["source_kind"])].append(r)
    rows = found_rows(read_back(trends, "parquet", trend_columns(["source_kind"])))
    assert len(rows) == len(buckets)
    for row in rows:
        members = buckets[(row["period"], row["source_kind"])]
        sentiments = [m["sentiment"] for m in members]
        assert row["articles"] == len(members)
        assert row["stories"] == len({m["cluster_id"] for m in members})
        assert row["outlets"] == len({m["outlet"] for m in members})
        assert row["negative"] == sentiments.count("negative")
        assert row["negative_share"] == pytest.approx(sentiments.count("negative") / len(members))


def test_csv_starts_with_a_bom_and_keeps_korean(store_path, tmp_path):
    for dataset in ("trends", "documents"):
        out = tmp_path / f"{dataset}.csv"
        assert export(store_path, dataset, "--out", out) == 0
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and not raw[3:].startswith(b"\xef\xbb\xbf")
        assert "period" in raw.decode("utf-8-sig").splitlines()[0] or dataset == "documents"
    assert "시민연대" in (tmp_path / "documents.csv").read_text(encoding="utf-8-sig")


def test_filters_are_honoured(store_path, db, tmp_path):
    out = tmp_path / "f.json"
    args = ["--from", "2025-02-25", "--to", "2025-03-20", "--region", "서울", "--region", "부산,전국,경기남부",
            "--topic", "budget,staffing,model,committee,workload", "--sentiment", "negative,neutral",
            "--source-kind", "news", "--source-kind", "civic"]
    assert export(store_path, "documents", *args, "--out", out) == 0
    rows = read_back(out, "json", document_columns())
    filters = q.Filters(date_from="2025-02-25", date_to="2025-03-20", regions=["서울", "부산", "전국", "경기남부"],
                        topics=["budget", "staffing", "model", "committee", "workload"],
                        sentiments=["negative", "neutral"], source_kinds=["news", "civic"])
    assert [r["id"] for r in rows] == [r["id"] for r in sorted(
        q.search_documents(db, filters, limit=10**6)[0], key=sort_key)]
    assert 10 < len(rows) < 200
    for r in rows:
        assert "2025-02-25" <= r["pub_date"] <= "2025-03-20" and r["relevant"] == 1
        assert set(r["regions"]) & set(filters.regions) and set(r["topics"]) & set(filters.topics)
        assert r["sentiment"] in ("negative", "neutral") and r["source_kind"] in ("news", "civic")
    assert meta_of(out)["filters"]["regions"] == ["서울", "부산", "전국", "경기남부"]
    # Trend totals under the same filters add up to the same documents.
    trends = tmp_path / "t.csv"
    assert export(store_path, "trends", *args, "--out", trends) == 0
    assert sum(r["articles"] for r in read_back(trends, "csv", trend_columns([]))) == len(rows)


def test_text_outlet_and_duplicate_filters(store_path, tmp_path):
    text = tmp_path / "text.csv"
    assert export(store_path, "documents", "--relevance", "all", "--text", "예산", "--with-text", "--out", text) == 0
    found = read_back(text, "csv", document_columns(with_text=True))
    assert found and all("예산" in r["title"] or "예산" in r["body"] for r in found)
    outlet = tmp_path / "outlet.csv"
    assert export(store_path, "documents", "--relevance", "all", "--outlet", "시민연대", "--out", outlet) == 0
    assert {r["outlet"] for r in read_back(outlet, "csv", document_columns())} == {"시민연대"}
    with_dups, plain = tmp_path / "dups.csv", tmp_path / "plain.csv"
    assert export(store_path, "documents", "--relevance", "all", "--include-duplicates", "--out", with_dups) == 0
    assert export(store_path, "documents", "--relevance", "all", "--out", plain) == 0
    all_rows, plain_rows = (read_back(p, "csv", document_columns()) for p in (with_dups, plain))
    assert [r["outlet"] for r in all_rows if r["duplicate_of"]] == ["미러"]
    assert len(all_rows) == len(plain_rows) + 1


@pytest.mark.parametrize("metric", ["articles", "negative_share"])
def test_wide_form_matches_long_form(store_path, tmp_path, metric):
    long_out, wide_out = tmp_path / "long.parquet", tmp_path / "wide.parquet"
    common = ["--by", "week", "--group", "region,topic", "--from", "2025-02-20", "--to", END]
    assert export(store_path, "trends", *common, "--out", long_out) == 0
    assert export(store_path, "trends", *common, "--wide", "--metric", metric, "--out", wide_out) == 0
    long_rows = read_back(long_out, "parquet", trend_columns(["region", "topic"]))
    import pyarrow.parquet as pq
    table = pq.read_table(wide_out)
    wide = {r["period"].isoformat(): r for r in table.to_pylist()}
    assert table.num_columns == 3 + 19 * 11  # period, coverage, every region × topic from the vocabulary
    assert [(r["days_in_period"], r["partial"]) for r in wide.values()][::6] == [(4, True), (1, True)]
    # Every week from the Monday on/before 'from' to the week of 'to', gaps included.
    assert list(wide) == ["2025-02-17", "2025-02-24", "2025-03-03", "2025-03-10", "2025-03-17",
                          "2025-03-24", "2025-03-31"]
    seen = set()
    for r in long_rows:
        key = f"{r['region']}|{r['topic']}"
        assert wide[r["period"]][key] == r[metric]
        seen.add((r["period"], key))
    empty = 0 if metric == "articles" else None
    for period, row in wide.items():
        for key, value in row.items():
            if key not in ("period", "days_in_period", "partial") and (period, key) not in seen:
                assert value == empty
    assert sum(v for row in wide.values() for k, v in row.items() if "|" in k and v) == \
        pytest.approx(sum(r[metric] or 0 for r in long_rows))


def test_exports_are_byte_reproducible(store_path, tmp_path):
    runs = []
    for attempt in range(2):
        folder = tmp_path / str(attempt)
        for fmt in FORMATS:
            assert export(store_path, "documents", "--with-text", "--relevance", "all", "--out", folder / f"d.{fmt}") == 0
            assert export(store_path, "trends", "--by", "day", "--group", "region", "--wide",
                          "--out", folder / f"w.{fmt}") == 0
            assert export(store_path, "trends", "--group", "topic,sentiment", "--out", folder / f"t.{fmt}") == 0
        runs.append(folder)
        if attempt == 0:
            time.sleep(1.1)  # the xlsx zip and document properties carry the second
    for path in sorted(runs[0].iterdir()):
        twin = runs[1] / path.name
        if path.name.endswith(".meta.json"):
            a, b = meta_of(runs[0] / path.name[:-10]), meta_of(runs[1] / path.name[:-10])
            assert a.pop("exported_at") != b.pop("exported_at")
            assert a == b
        else:
            assert path.read_bytes() == twin.read_bytes(), path.name


def test_sidecar_describes_the_file(store_path, tmp_path):
    out = tmp_path / "docs.parquet"
    assert export(store_path, "documents", "--sentiment", "positive", "--out", out) == 0
    meta = meta_of(out)
    assert meta["dataset"] == "documents" and meta["filters"]["sentiments"] == ["positive"]
    assert meta["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest() and meta["bytes"] == out.stat().st_size
    assert meta["row_count"] == meta["documents_matched"] == len(read_back(out, "parquet", document_columns()))
    rows = read_back(out, "parquet", document_columns())
    assert meta["model_versions"] == dict(Counter(r["model_version"] for r in rows))  # synthetic and/or real model
    assert sum(meta["model_versions"].values()) == meta["row_count"] and "synthetic-1" in meta["model_versions"]
    assert [c["name"] for c in meta["columns"]] == [n for n, _ in document_columns()]
    assert dt.datetime.fromisoformat(meta["exported_at"].replace("Z", "+00:00"))


@pytest.mark.parametrize("argv, message", [
    (["trends", "--region", "서울시"], "invalid region: 서울시"),
    (["trends", "--from", "2025-02-30"], "invalid date for from"),
    (["trends", "--from", "2025-03-10", "--to", "2025-03-01"], "is after"),
    (["trends", "--group", "region,colour"], "invalid group: colour"),
    (["trends", "--group", "region,region"], "repeated"),
    (["trends", "--wide"], "needs at least one group"),
    (["documents", "--topic", "예산"], "invalid topic: 예산"),
])
def test_bad_parameters_are_refused_and_lose_nothing(store_path, tmp_path, capsys, argv, message):
    out = tmp_path / "keep.csv"
    out.write_text("previous export", encoding="utf-8")
    assert export(store_path, *argv, "--out", out) == 2
    assert message in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "previous export"
    assert not (tmp_path / "keep.csv.meta.json").exists()


def test_output_path_that_is_a_folder_is_a_clear_error(store_path, tmp_path, capsys):
    assert export(store_path, "trends", "--out", tmp_path) == 2
    assert "is a directory" in capsys.readouterr().err


def test_xlsx_cleans_control_characters_and_cuts_over_long_cells(tmp_path):
    columns = [("title", "str"), ("body", "str")]
    stats = write_file(tmp_path / "x.xlsx", "xlsx", columns, [{"title": "벨\x07소리", "body": "가" * 40000}])
    assert stats == {"rows": 1, "truncated_cells": 1}
    row = read_back(tmp_path / "x.xlsx", "xlsx", columns)[0]
    assert row["title"] == "벨소리" and len(row["body"]) == 32767


def test_command_line_entry_point(store_path, tmp_path):
    out = tmp_path / "t.xlsx"
    done = subprocess.run([sys.executable, str(ROOT / "monitor.py"), "--db", str(store_path), "export", "trends",
                           "--by", "month", "--group", "region", "--out", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "exported" in done.stdout and out.exists() and (tmp_path / "t.xlsx.meta.json").exists()


def test_data_dictionary_documents_every_column():
    text = (ROOT / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
    from store.queries import GROUPS
    for name, _ in document_columns(with_text=True) + trend_columns(list(GROUPS)):
        assert f"`{name}`" in text, name


def test_xlsx_trends_open_readably_in_a_spreadsheet(store_path, tmp_path):
    """Dates as date cells with a date format and room to show them (not ###), shares as
    percentages, the header row frozen, zero rows and partial periods flagged."""
    from openpyxl import load_workbook
    out = tmp_path / "t.xlsx"
    assert export(store_path, "trends", "--by", "week", "--group", "topic", "--from", "2025-03-05", "--to", END,
                  "--out", out) == 0
    sheet = load_workbook(out)["data"]
    header = [c.value for c in sheet[1]]
    assert header == [name for name, _ in trend_columns(["topic"])]
    assert sheet.freeze_panes == "A2"
    col = {name: i + 1 for i, name in enumerate(header)}
    letter = lambda name: sheet.cell(row=1, column=col[name]).column_letter  # noqa: E731
    assert sheet.column_dimensions[letter("period")].width >= 11  # 'yyyy-mm-dd' fits
    assert all(sheet.column_dimensions[letter(n)].width >= len(n) for n in header)
    first = [c for c in sheet[2]]
    assert isinstance(first[col["period"] - 1].value, dt.datetime) and first[col["period"] - 1].number_format == "yyyy-mm-dd"
    shares = [r for r in sheet.iter_rows(min_row=2) if r[col["negative_share"] - 1].value is not None]
    assert shares and all(r[col[n] - 1].number_format == "0.0%" for r in shares
                          for n in ("negative_share", "negative_share_low", "negative_share_high", "net_sentiment"))
    assert first[col["partial"] - 1].number_format == '"TRUE";"TRUE";"FALSE"'  # LibreOffice: TRUE, not 1
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5 * 11 and any(r[col["articles"] - 1] == 0 for r in rows)  # 5 weeks × 11 topics
    assert rows[0][col["partial"] - 1] is True and rows[0][col["days_in_period"] - 1] == 5  # from a Wednesday
