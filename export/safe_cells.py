"""Spreadsheet formula injection (OWASP "CSV Injection"): crawled titles and outlet names are
hostile text, and a cell beginning with = + - @ (or tab / CR, or their full-width forms, which
some spreadsheet locales also accept) would run as a formula when a researcher opens the CSV.

`neutralise` prefixes such text with a single quote, which spreadsheets show as plain text;
numbers (negative ones included) and all other text are left exactly as they are. XLSX files
do not need the quote: their text cells are written with the string type (export/writers.py),
so nothing in them is ever a formula. JSON lines and Parquet are data formats and keep the
text unchanged. See docs/data-dictionary.md.
"""
import re

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# a plain number (also 1,234 / 12.5% / 1e-3) or a lone "-" placeholder: not a formula
HARMLESS = re.compile(r"[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?%?|-")


def neutralise(text):
    """`text` as a spreadsheet shows it literally: "'" + text when it would start a formula."""
    if isinstance(text, str) and text.startswith(FORMULA_START) and not HARMLESS.fullmatch(text):
        return "'" + text
    return text
