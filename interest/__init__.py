"""Search interest and awareness surveys beside media coverage (docs/interest.md).

Modules: config ([interest] settings), datalab (the Naver DataLab API client), chaining (one
scale for answers of different requests and days, through the anchor group), store (tables
and quota), collect (the collector job), survey (survey CSV import, Wilson intervals),
series (reads for the dashboard, digest and API), export (tables for `export interest` and
/api/v1/search-interest), cli (`monitor.py interest`), sample_server (a local DataLab stand-in).
"""
