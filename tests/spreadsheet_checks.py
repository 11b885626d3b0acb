"""Checks that a CSV or XLSX export holds no live spreadsheet formula (OWASP CSV injection)."""
import re
import zipfile

# what makes Excel/LibreOffice read a CSV cell as a formula (half- and full-width)
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
NUMBER = re.compile(r"^([+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?|-)$")


def assert_no_live_csv_formula(rows):
    """rows: lists of cell strings. Numbers (negative ones included) are fine."""
    for row in rows:
        for cell in row:
            assert not (cell.startswith(TRIGGERS) and not NUMBER.match(cell)), f"live formula cell {cell!r} in {row}"


def assert_no_xlsx_formula(path):
    """No <f> (formula) element in any sheet of the workbook."""
    with zipfile.ZipFile(path) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                xml = book.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, f"formula in {name}"
