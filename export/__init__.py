"""Research export: trend tables and document tables as CSV, JSON lines, Parquet or xlsx,
by command (`monitor.py export`) and by HTTP API (`/api/v1/...` on the dashboard server).

Modules: params (validate user parameters), columns (column names and types), trends and
documents (the rows), writers (file formats), meta (the sidecar metadata), cli, api.
"""
