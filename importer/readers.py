"""Streaming readers: one row at a time, never the whole file in memory.

Each reader has `total` (rows to expect, for the progress bar; may be an estimate or None)
and `rows()`, which yields (row number a person sees in the file, values): a tuple of cells
for xlsx and csv (the header row included), a dict for jsonl, or a BadRow for a line that
is not JSON.
"""
import codecs
import csv
import json
import zipfile
from pathlib import Path

from importer.records import BadRow

csv.field_size_limit(64 * 1024 * 1024)  # a hostile 8 MB cell is read, then cut by records.clean_text


class FileError(ValueError):
    """The whole file cannot be read (reason in Korean / English)."""


class XlsxReader:
    def __init__(self, path):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException
        self.path = Path(path)
        try:
            # read_only streams the sheet's XML; data_only gives formulas' cached values, never formulas
            self.book = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise FileError(f"엑셀(xlsx) 파일로 읽을 수 없습니다 / not a readable .xlsx workbook: {self.path.name} "
                            f"({type(exc).__name__}: {str(exc)[:100]}). 오래된 .xls라면 엑셀에서 .xlsx로 저장하세요.") from exc
        self.sheet = self.book.worksheets[0]  # BigKinds writes one sheet
        self.total = self.sheet.max_row
        self.sheet.reset_dimensions()  # read every cell, even where the declared size is wrong

    def rows(self):
        try:
            for number, values in enumerate(self.sheet.iter_rows(values_only=True), start=1):
                yield number, values
        finally:
            self.book.close()


def sniff_encoding(path, encoding="auto"):
    """'auto': UTF-8 (with or without BOM) when the start decodes as UTF-8, else CP949 (Korean Excel)."""
    if encoding != "auto":
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise FileError(f"알 수 없는 인코딩 / unknown encoding: {encoding}") from None
        return encoding
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for name in ("utf-8", "cp949"):
        try:
            codecs.getincrementaldecoder(name)().decode(head, final=False)
            return name
        except UnicodeDecodeError:
            continue
    raise FileError(f"글자 인코딩을 알 수 없습니다 / cannot tell the text encoding of {Path(path).name}; "
                    "--encoding utf-8 또는 cp949를 지정하세요")


def count_lines(path):
    with open(path, "rb") as fh:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))


class CsvReader:
    def __init__(self, path, encoding="auto"):
        self.path = Path(path)
        self.encoding = sniff_encoding(self.path, encoding)
        self.total = count_lines(self.path)  # an estimate: a cell may span lines

    def rows(self):
        with open(self.path, encoding=self.encoding, errors="replace", newline="") as fh:
            first = fh.readline()
            fh.seek(0)
            delimiter = "\t" if first.count("\t") > first.count(",") else ","
            for number, values in enumerate(csv.reader(fh, delimiter=delimiter), start=1):
                yield number, values


class JsonlReader:
    def __init__(self, path, encoding="auto"):
        self.path = Path(path)
        self.encoding = sniff_encoding(self.path, encoding)
        self.total = count_lines(self.path)

    def rows(self):
        with open(self.path, encoding=self.encoding, errors="replace") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except ValueError as exc:
                    yield number, BadRow(f"JSON이 아닙니다 / not JSON: {exc}")
                    continue
                yield number, value if isinstance(value, dict) else BadRow("JSON 객체가 아닙니다 / not a JSON object")


def require_file(path):
    path = Path(path)
    if not path.is_file():
        raise FileError(f"파일이 없습니다 / no such file: {path}")
    return path


def open_reader(path, encoding="auto"):
    """The reader for a file, by its extension (.xlsx, .csv/.tsv/.txt, .jsonl/.json)."""
    path = require_file(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return XlsxReader(path)
    if suffix in (".jsonl", ".json", ".ndjson"):
        return JsonlReader(path, encoding)
    if suffix == ".xls":
        raise FileError(f"{path.name}: 오래된 .xls 형식입니다. 엑셀에서 '다른 이름으로 저장 → .xlsx'로 바꾼 뒤 가져오세요 "
                        "/ old .xls workbooks are not supported; save it as .xlsx")
    return CsvReader(path, encoding)
