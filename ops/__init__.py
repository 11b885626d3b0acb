"""Operating the service: health checks (/healthz), Prometheus metrics (/metrics) and their
routes on the dashboard's server. Backups live in store/backup.py, serving in dashboard/serve.py."""
