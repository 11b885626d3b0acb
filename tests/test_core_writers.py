"""export/writers.py: every format read back with its own typed reader (openpyxl cells,
Parquet schema, JSON values, CSV bytes), limits at their exact edges, and failures that
leave the previous file in place."""
import datetime as dt
import json
import zipfile

import pytest

from export import writers
from export.writers import ExportError, csv_bytes, text_cell, write_file

# openpyxl's abandoned write-only generators complain when collected after an aborted export
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

COLUMNS = [("id", "str"), ("n", "int"), ("score", "float"), ("day", "date"), ("tags", "list")]
ROWS = [
    {"id": '서울, "따옴표"\n줄바꿈', "n": 3, "score": 0.1 + 0.2, "day": "2026-11-02", "tags": ["budget", "staffing"]},
    {"id": "빈 값", "n": None, "score": None, "day": None, "tags": []},
    {"id": "큰 수", "n": 2**40, "score": 1e-7, "day": "2024-02-29", "tags": ["model"]},
]


def test_csv_bytes_exactly():
    expected = ('\ufeffid,n,score,day,tags\r\n'
                '"서울, ""따옴표""\n줄바꿈",3,0.30000000000000004,2026-11-02,budget;staffing\r\n'
                '빈 값,,,,\r\n'
                '큰 수,1099511627776,1e-07,2024-02-29,model\r\n').encode("utf-8")
    assert csv_bytes(COLUMNS, ROWS) == expected


def test_csv_file_has_one_bom_and_the_row_count(tmp_path):
    out = tmp_path / "x.csv"
    assert write_file(out, "csv", COLUMNS, iter(ROWS)) == {"rows": 3}
    assert out.read_bytes() == csv_bytes(COLUMNS, ROWS)


def test_text_cells():
    assert [text_cell("float", 0.5), text_cell("int", 7), text_cell("list", ["a", "b"]), text_cell("str", None),
            text_cell("list", []), text_cell("date", "2026-01-01")] == ["0.5", "7", "a;b", "", "", "2026-01-01"]


def test_json_lines_keep_types_and_korean(tmp_path):
    out = tmp_path / "x.json"
    assert write_file(out, "json", COLUMNS, ROWS) == {"rows": 3}
    text = out.read_text(encoding="utf-8")
    assert "서울" in text and "\\u" not in text and text.endswith("\n") and "\r" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines == ROWS
    assert [list(line) for line in lines] == [[name for name, _ in COLUMNS]] * 3  # column order
    assert isinstance(lines[0]["n"], int) and isinstance(lines[2]["score"], float)


def test_parquet_column_types_and_values(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    out = tmp_path / "x.parquet"
    assert write_file(out, "parquet", COLUMNS, ROWS) == {"rows": 3}
    schema = pq.read_schema(out)
    assert [(f.name, f.type) for f in schema] == [
        ("id", pa.string()), ("n", pa.int64()), ("score", pa.float64()), ("day", pa.date32()),
        ("tags", pa.list_(pa.string()))]
    rows = pq.read_table(out).to_pylist()
    assert rows[0] == {"id": ROWS[0]["id"], "n": 3, "score": 0.1 + 0.2, "day": dt.date(2026, 11, 2),
                       "tags": ["budget", "staffing"]}
    assert rows[1] == {"id": "빈 값", "n": None, "score": None, "day": None, "tags": []}
    assert rows[2]["day"] == dt.date(2024, 2, 29) and rows[2]["n"] == 2**40


def test_parquet_written_in_batches_keeps_every_row_in_order(tmp_path):
    import pyarrow.parquet as pq
    rows = [dict(ROWS[2], id=str(i), n=i) for i in range(5)]
    assert writers._write_parquet(tmp_path / "b.parquet", COLUMNS, iter(rows), batch_rows=2) == {"rows": 5}
    table = pq.read_table(tmp_path / "b.parquet")
    assert table.column("n").to_pylist() == [0, 1, 2, 3, 4]
    assert pq.ParquetFile(tmp_path / "b.parquet").metadata.num_row_groups == 3
    assert writers._write_parquet(tmp_path / "e.parquet", COLUMNS, iter([])) == {"rows": 0}
    assert pq.read_table(tmp_path / "e.parquet").num_rows == 0


def test_xlsx_cells_are_typed(tmp_path):
    from openpyxl import load_workbook
    out = tmp_path / "x.xlsx"
    assert write_file(out, "xlsx", COLUMNS, ROWS) == {"rows": 3, "truncated_cells": 0}
    sheet = load_workbook(out)["data"]
    cells = list(sheet.iter_rows())
    assert [c.value for c in cells[0]] == ["id", "n", "score", "day", "tags"]
    first = cells[1]
    assert first[3].is_date and first[3].value == dt.datetime(2026, 11, 2)   # a date cell, not text
    assert first[1].data_type == "n" and first[1].value == 3
    assert first[2].data_type == "n" and first[2].value == pytest.approx(0.3)
    assert first[0].value == ROWS[0]["id"] and first[4].value == "budget;staffing"
    assert [c.value for c in cells[2]] == ["빈 값", None, None, None, None]
    assert cells[3][3].value == dt.datetime(2024, 2, 29) and cells[3][1].value == 2**40


def test_xlsx_cell_limit_is_exact_and_control_characters_go(tmp_path):
    from openpyxl import load_workbook
    columns = [("a", "str"), ("b", "str"), ("c", "list")]
    limit = writers.XLSX_MAX_CELL
    rows = [{"a": "가" * limit, "b": "나" * (limit + 1), "c": ["\x00벨\x07", "탭\t줄\n끝\r", "\x0b\x0c\x0e\x1f"]}]
    assert write_file(tmp_path / "x.xlsx", "xlsx", columns, rows) == {"rows": 1, "truncated_cells": 1}
    a, b, c = (cell.value for cell in next(load_workbook(tmp_path / "x.xlsx")["data"].iter_rows(min_row=2)))
    assert (len(a), len(b)) == (limit, limit)
    assert c == "벨;탭\t줄\n끝\r;"


def test_xlsx_row_limit_is_exact_and_keeps_the_previous_file(tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "XLSX_MAX_ROWS", 3)
    out = tmp_path / "x.xlsx"
    assert write_file(out, "xlsx", COLUMNS, ROWS)["rows"] == 3
    before = out.read_bytes()
    with pytest.raises(ExportError, match="at most 3 rows"):
        write_file(out, "xlsx", COLUMNS, ROWS + ROWS[:1])
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.xlsx"]  # no temporary file left


def test_xlsx_has_no_save_time_inside(tmp_path):
    write_file(tmp_path / "x.xlsx", "xlsx", COLUMNS, ROWS)
    with zipfile.ZipFile(tmp_path / "x.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}
        core = z.read("docProps/core.xml").decode("utf-8")
    stamps = [part.split(">", 1)[1] for part in core.split("<dcterms:")[1:]]
    assert stamps and all(s.startswith("1980-01-01T00:00:00Z<") for s in stamps)


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path):
    out = tmp_path / "x.csv"
    out.write_text("previous", encoding="utf-8")

    def rows():
        yield ROWS[0]
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError) as err:
        write_file(out, "csv", COLUMNS, rows())
    assert str(err.value) == f"cannot write {out}: No space left on device"
    assert out.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["x.csv"]


def test_bad_output_paths(tmp_path):
    with pytest.raises(ExportError, match="is a directory"):
        write_file(tmp_path, "csv", COLUMNS, ROWS)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ExportError, match="cannot create the folder"):
        write_file(tmp_path / "file" / "sub" / "x.csv", "csv", COLUMNS, ROWS)
    assert write_file(tmp_path / "new" / "deeper" / "x.json", "json", COLUMNS, ROWS[:1]) == {"rows": 1}


def test_a_failed_xlsx_rewrite_leaves_no_half_file(tmp_path, monkeypatch):
    out = tmp_path / "x.xlsx"
    out.write_bytes(b"previous")
    replace = writers.os.replace

    def disk_full(src, dst):
        if str(src).endswith(".zip"):  # the rewritten zip (fixed times) cannot take the export's place
            raise OSError(28, "No space left on device")
        replace(src, dst)

    monkeypatch.setattr(writers.os, "replace", disk_full)
    with pytest.raises(ExportError, match="No space left on device"):
        write_file(out, "xlsx", COLUMNS, ROWS)
    assert out.read_bytes() == b"previous" and [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]


def test_xlsx_row_limit_is_excels():
    assert writers.XLSX_MAX_ROWS + 1 == 2**20  # Excel's 1,048,576 rows, one of them the header
