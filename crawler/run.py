"""Python API for the scheduler and the CLI: run a crawl in its own process.

    summaries = crawl("data/monitor.db", sources=["샘플 뉴스 검색"], base_url=site.url)

Each summary: source, status (ok | warning | empty | error | skipped | interrupted |
config_error), error, and counts (listed, filtered, known, fetched, failed, blocked, new,
updated, unchanged, duplicate). `start_crawl` returns a CrawlJob the caller can terminate.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_ACTIVE = set()


class CrawlJob:
    """A running crawl child process."""

    def __init__(self, db_path, config_path=None, sources=None, base_url=None, recrawl=False, fast=False, quiet=True,
                 dry_run=None):
        """`dry_run`: None, or {"max_items": N, "max_pages": N}: no database, items in the results."""
        fd, self.results = tempfile.mkstemp(prefix="crawl-", suffix=".jsonl")
        os.close(fd)
        cmd = [sys.executable, "-m", "crawler.process", "--results", self.results]
        if dry_run is not None:
            cmd += ["--dry-run", "--max-items", str(dry_run["max_items"]), "--max-pages", str(dry_run["max_pages"])]
        else:
            cmd += ["--db", str(Path(db_path).resolve())]
        if config_path:
            cmd += ["--config", str(Path(config_path).resolve())]
        for name in sources or ():
            cmd += ["--source", name]
        if base_url:
            cmd += ["--base-url", base_url]
        if recrawl:
            cmd.append("--recrawl")
        if fast:
            cmd.append("--fast")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
        self.log = tempfile.TemporaryFile() if quiet else None
        self.proc = subprocess.Popen(cmd, cwd=str(REPO), env=env, stdout=self.log, stderr=self.log)
        self.expected = list(sources or ())
        _ACTIVE.add(self)

    def wait(self, timeout=None):
        """Wait for the crawl; on timeout it is terminated. Returns the per-source summaries."""
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.terminate()
            code = None
        except BaseException:  # KeyboardInterrupt / scheduler shutdown: never orphan the child
            self.terminate()
            raise
        _ACTIVE.discard(self)
        summaries = self.read_results()
        if code is not None and died(code, summaries):  # never a silent success
            tail = self.log_tail()
            how = f"killed by signal {-code}" if code < 0 else f"ended with code {code}"
            summaries.append({"source": None, "status": "error",
                              "error": f"crawl process {how}; sources without a summary line were not "
                                       f"(fully) crawled" + (f": {tail}" if tail else "")})
        if code is None:
            done = {s.get("source") for s in summaries}
            summaries += [{"source": n, "status": "interrupted", "error": f"crawl timed out after {timeout}s"}
                          for n in self.expected if n not in done]
        return summaries

    def terminate(self, grace=10):
        """SIGTERM (Scrapy closes spiders cleanly and records the runs), then SIGKILL."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        _ACTIVE.discard(self)

    def read_results(self):
        try:
            with open(self.results, encoding="utf-8") as fh:
                return [json.loads(line) for line in fh if line.strip()]
        except (OSError, ValueError):
            return []
        finally:
            try:
                os.unlink(self.results)
            except OSError:
                pass

    def log_tail(self, chars=2000):
        if not self.log:
            return ""
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-chars:]


def died(code, summaries):
    """True when the crawl process did not end the way crawler.process ends: 0, or 1/2/3 after
    writing its errors as summary lines (a signal, or Python's exit 1 before any line)."""
    return code != 0 and not (code in (1, 2, 3) and summaries)


def start_crawl(db_path, config_path=None, sources=None, base_url=None, recrawl=False, fast=False, quiet=True):
    return CrawlJob(db_path, config_path, sources, base_url, recrawl, fast, quiet)


def crawl(db_path, config_path=None, sources=None, base_url=None, recrawl=False, timeout=None, fast=False, quiet=True):
    """Run the crawl in a child process and return the per-source summaries when it ends."""
    return start_crawl(db_path, config_path, sources, base_url, recrawl, fast, quiet).wait(timeout)


def dry_run(config_path, source, base_url=None, max_items=10, max_pages=1, timeout=None):
    """Run one source without the database: (summary, items)."""
    job = CrawlJob(None, config_path, [source], base_url, dry_run={"max_items": max_items, "max_pages": max_pages})
    lines = job.wait(timeout)
    items = [line["item"] for line in lines if "item" in line]
    summaries = [line for line in lines if "item" not in line]
    return (summaries[-1] if summaries else {"source": source, "status": "error", "error": "no result"}), items


def terminate_all():
    """Stop every crawl this process started (scheduler shutdown)."""
    for job in list(_ACTIVE):
        job.terminate()
