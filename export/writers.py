"""Write rows (dicts) to CSV, JSON lines, Parquet or xlsx, streaming and byte-reproducible.

`columns` is a list of (name, type) from export.columns. Files are written to a temporary
name beside the target and renamed at the end, so a failed export never leaves a half file
or destroys the previous one. Nothing time-dependent goes into the files themselves.
"""
import csv
import datetime as dt
import io
import itertools
import json
import os
import re
import shutil
import zipfile
from pathlib import Path

from export.safe_cells import neutralise

LIST_SEPARATOR = ";"        # lists (topics, regions) in CSV and xlsx cells
XLSX_MAX_ROWS = 1_048_575   # Excel's sheet limit, less the header row
XLSX_MAX_CELL = 32_767      # Excel's cell text limit
XLSX_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_ILLEGAL_XML = re.compile(r"[\000-\010\013\014\016-\037]")


class ExportError(Exception):
    """The export cannot be written as asked (message says why and what to do)."""


def text_cell(kind, value):
    """A value as CSV text: empty for missing, lists joined by ';', floats exact, text that
    would start a spreadsheet formula quoted (export/safe_cells.py)."""
    if value is None:
        return ""
    if kind == "list":
        return neutralise(LIST_SEPARATOR.join(value))
    if kind == "bool":
        return "true" if value else "false"
    if kind == "float":
        return repr(value)
    return neutralise(str(value)) if kind == "str" else str(value)


def write_csv(fh, columns, rows):
    """CSV to a text stream (the caller opens it as utf-8-sig, newline='')."""
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow([neutralise(name) for name, _ in columns])  # wide tables: names are group values
    count = 0
    for row in rows:
        writer.writerow([text_cell(kind, row[name]) for name, kind in columns])
        count += 1
    return {"rows": count}


def csv_bytes(columns, rows):
    """A small table as CSV bytes with the UTF-8 BOM (API responses)."""
    buffer = io.StringIO()
    write_csv(buffer, columns, rows)
    return buffer.getvalue().encode("utf-8-sig")


def _write_json(path, columns, rows):
    count = 0
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps({name: row[name] for name, _ in columns}, ensure_ascii=False) + "\n")
            count += 1
    return {"rows": count}


def _write_csv_file(path, columns, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:  # BOM: Excel reads Korean right
        return write_csv(fh, columns, rows)


def arrow_schema(columns):
    import pyarrow as pa
    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "date": pa.date32(),
             "list": pa.list_(pa.string()), "bool": pa.bool_()}
    return pa.schema([pa.field(name, types[kind]) for name, kind in columns])


def _as_date(value):
    return None if value is None else dt.date.fromisoformat(value)


def _write_parquet(path, columns, rows, batch_rows=20_000):
    import pyarrow as pa
    import pyarrow.parquet as pq
    schema = arrow_schema(columns)
    count = 0
    with pq.ParquetWriter(path, schema, compression="snappy") as writer:
        iterator = iter(rows)
        while True:
            batch = list(itertools.islice(iterator, batch_rows))
            if not batch:
                break
            arrays = [pa.array([_as_date(r[name]) if kind == "date" else r[name] for r in batch], type=field.type)
                      for (name, kind), field in zip(columns, schema)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            count += len(batch)
    return {"rows": count}


def _xlsx_cell(kind, value, stats):
    if value is None:
        return None
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "list":
        value = LIST_SEPARATOR.join(value)
    if isinstance(value, str):
        value = _ILLEGAL_XML.sub("", value)
        if len(value) > XLSX_MAX_CELL:
            stats["truncated_cells"] += 1
            value = value[:XLSX_MAX_CELL]
    return value


# How a spreadsheet shows the cells: dates as dates (not ###), shares as percentages.
XLSX_DATE_FORMAT = "yyyy-mm-dd"
XLSX_PERCENT_FORMAT = "0.0%"
XLSX_BOOL_FORMAT = '"TRUE";"TRUE";"FALSE"'  # LibreOffice otherwise shows a boolean cell as 1/0
XLSX_WIDTHS = {"date": 12, "int": 10, "float": 12, "bool": 9, "str": 18, "list": 22}
XLSX_WIDE_TEXT = {"url": 50, "canonical_url": 50, "title": 60, "summary": 60, "body": 80}


def is_share(name):
    """Columns holding a share of articles (0-1), shown as percentages in xlsx."""
    return name.endswith(("_share", "_share_low", "_share_high")) or name == "net_sentiment"


def xlsx_layout(columns):
    """(width, number format or None) per column."""
    out = []
    for name, kind in columns:
        width = max(len(name) + 2, XLSX_WIDE_TEXT.get(name, XLSX_WIDTHS[kind]))
        number_format = {"date": XLSX_DATE_FORMAT, "bool": XLSX_BOOL_FORMAT}.get(
            kind, XLSX_PERCENT_FORMAT if is_share(name) else None)
        out.append((width, number_format))
    return out


def _cell(sheet, value, number_format=None):
    """One xlsx cell: every string string-typed (openpyxl would write a string that starts
    with '=' as a live formula, safe_cells.py); numbers and dates with their display format."""
    from openpyxl.cell import WriteOnlyCell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    if number_format and value is not None:
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = number_format
        return cell
    return value


def _write_xlsx(path, columns, rows):
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    layout = xlsx_layout(columns)
    for i, (width, _) in enumerate(layout, 1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"  # the header row stays in view
    sheet.append([_cell(sheet, name) for name, _ in columns])
    stats = {"rows": 0, "truncated_cells": 0}
    for row in rows:
        if stats["rows"] >= XLSX_MAX_ROWS:
            raise ExportError(f"xlsx는 최대 {XLSX_MAX_ROWS:,}행 / an xlsx sheet holds at most {XLSX_MAX_ROWS:,} rows; "
                              "use csv or parquet, or narrow the filters")
        sheet.append([_cell(sheet, _xlsx_cell(kind, row[name], stats), number_format)
                      for (name, kind), (_, number_format) in zip(columns, layout)])
        stats["rows"] += 1
    workbook.save(path)
    _pin_zip_times(path)
    return stats


def _pin_zip_times(path):
    """Rewrite the xlsx zip with fixed entry times and document-property dates, so the
    same rows give the same bytes (openpyxl stamps the save time into both)."""
    fixed = "%04d-%02d-%02dT%02d:%02d:%02dZ" % XLSX_FIXED_TIME
    tmp = Path(str(path) + ".zip")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=XLSX_FIXED_TIME)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            if item.filename == "docProps/core.xml":
                xml = zin.read(item).decode("utf-8")
                xml = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", rf"\g<1>{fixed}", xml)
                zout.writestr(info, xml.encode("utf-8"))
                continue
            with zin.open(item) as src, zout.open(info, "w") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
    os.replace(tmp, path)


WRITERS = {"csv": _write_csv_file, "json": _write_json, "parquet": _write_parquet, "xlsx": _write_xlsx}


def write_file(path, fmt, columns, rows):
    """Write the rows to `path` in `fmt`; returns stats (rows, and truncated_cells for xlsx)."""
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"출력 경로가 폴더입니다 / the output path {path} is a directory; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create the folder for {path}: {exc.strerror}") from exc
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        stats = WRITERS[fmt](tmp, columns, rows)
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp.exists():
            tmp.unlink()
        leftover = Path(str(tmp) + ".zip")
        if leftover.exists():
            leftover.unlink()
    return stats
