"""A bad [crawl] value is a config error with file:line and a non-zero exit (it used to make
the crawl do nothing and report success), and a crawl process that died is never a success."""
import signal
import time

import pytest

from crawler.run import start_crawl
from reliability_support import GOOD_NAME, FaultSite, feed_source, monitor, wait_until, write_config


@pytest.mark.parametrize("line, message", [
    ('timeout = "abc"', "[crawl] timeout must be a number of seconds above 0, e.g. 30, not 'abc'"),
    ('retries = "many"', "[crawl] retries must be a whole number, 0 or more, not 'many'"),
    ("max_pages = 0", "[crawl] max_pages must be a whole number, at least 1, not 0"),
    ('log_level = "LOUD"', "[crawl] log_level must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("timout = 5", "[crawl] timout: unknown setting"),
])
def test_bad_crawl_values_name_file_and_line(tmp_path, sample_site, line, message):
    config = tmp_path / "sources.toml"
    key = line.split("=")[0].strip()
    lines = [l for l in write_config(config).read_text(encoding="utf-8").splitlines() if not l.startswith(f"{key} =")]
    text = "\n".join(lines).replace("[crawl]\n", f"[crawl]\n{line}\n", 1) + "\n"
    config.write_text(text, encoding="utf-8")
    line_number = text.splitlines().index(line) + 1
    done = monitor("--db", tmp_path / "m.db", "crawl", "--config", config, "--base-url", sample_site.url)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{config}:{line_number}: {message}" in done.stdout, done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_a_crawl_process_killed_after_some_sources_is_an_error(tmp_path, sample_site):
    with FaultSite() as faults:
        config = write_config(tmp_path / "sources.toml", feed_source("멈춘 피드", f"{faults.url}hang/feed.xml"),
                              timeout=60, retries=0)
        job = start_crawl(tmp_path / "m.db", config, base_url=sample_site.url)
        try:
            # the good board finishes and writes its summary line; the hanging feed keeps the crawl alive
            assert wait_until(lambda: GOOD_NAME in open(job.results, encoding="utf-8").read(), 120)
            time.sleep(0.5)
            job.proc.send_signal(signal.SIGKILL)
            summaries = job.wait(timeout=60)
        finally:
            job.terminate()
    by_source = {s["source"]: s for s in summaries}
    assert by_source[GOOD_NAME]["status"] == "ok"
    assert by_source[None]["status"] == "error" and "killed by signal 9" in by_source[None]["error"]
