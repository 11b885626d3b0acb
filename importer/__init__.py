"""Importing history from files: BigKinds news-search Excel exports and research CSV/JSONL.

    python monitor.py import bigkinds FILE.xlsx [FILE2 ...]
    python monitor.py import csv|jsonl FILE --map title=...,date=...

Modules: records (one row -> a document: dates, URLs, text basis, limits), bigkinds (the
BigKinds header and its variants), tabular (CSV/JSONL with a column map), readers (streaming
xlsx/csv/jsonl rows), load (batches into the store: dedup, resume, counts), cli.
"""
