"""The load benchmark (benchmarks/load.py) on a small store: it runs the real dashboard server,
sends exactly the bounded burst, stops by itself and reports throughput and p95."""
import re
import subprocess
import sys

from reliability_support import REPO, env


def test_load_benchmark_stops_by_itself_and_reports(tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "load.py"), "--db", str(tmp_path / "load.db"),
                             "--docs", "2000", "--requests", "50", "--concurrency", "6"],
                            cwd=REPO, env=env(), capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    out = result.stdout
    assert "server: waitress" in out and "store: 2,000 documents · 50 requests · 6 concurrent clients" in out
    all_row = re.search(r"^all\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$", out, re.M)
    assert all_row and all_row.group(1) == "50" and all_row.group(2) == "0"  # every request answered, none failed
    assert int(all_row.group(3)) <= int(all_row.group(4)) <= int(all_row.group(5))  # p50 <= p95 <= max
    first = re.search(r"^trends by day\s+(\d+)\s+(\d+)\s+0\s", out, re.M)  # first (cold) ms, n, failures
    assert first and int(first.group(2)) == 5
    dash = re.search(r"^dash overview\s+(\d+)\s+(\d+)\s+0\s", out, re.M)  # the dashboard's own callbacks too
    assert dash and int(dash.group(2)) == 5
    wall = float(re.search(r"concurrent clients · ([\d.]+)s$", out, re.M).group(1))
    throughput = float(re.search(r"throughput: ([\d.]+) requests/s", out).group(1))
    # the figure is the burst's requests over its wall time (both printed rounded to 0.1)
    assert 50 / (wall + 0.05) - 0.05 <= throughput <= 50 / max(wall - 0.05, 0.01) + 0.05


def test_load_sweep_compares_production_and_development_servers(tmp_path):
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "load.py"), "--db", str(tmp_path / "load.db"),
                             "--docs", "2000", "--sweep", "1,3", "--per-user", "4"],
                            cwd=REPO, env=env(), capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    rows = re.findall(r"^\s+(\d+)\s+(\d+)\s+([\d.]+)\s+(\d+)\s+([\d.]+)$", result.stdout, re.M)
    assert [r[0] for r in rows] == ["1", "3"]  # users; waitress p95 and req/s; dev p95 and req/s
    assert all(float(r[2]) > 0 and float(r[4]) > 0 for r in rows)
    served = re.search(r"^users served at p95 < 1 s: waitress (\d+), dev (\d+)$", result.stdout, re.M)
    assert served and {served.group(1), served.group(2)} <= {"0", "1", "3"}
