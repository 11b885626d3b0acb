"""Serve the app on 127.0.0.1 in a thread and drive headless Chromium (browser tests and
`python -m dashboard.screenshots`)."""
import shutil
import threading

import logging

from werkzeug.serving import make_server

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                  "--lang=ko-KR")


class Server:
    """app.server on a free 127.0.0.1 port until close()."""

    def __init__(self, app):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        self._srv = make_server("127.0.0.1", 0, app.server, threaded=True)
        self.url = f"http://127.0.0.1:{self._srv.server_port}"
        self._thread = threading.Thread(target=self._srv.serve_forever, daemon=True)
        self._thread.start()

    def close(self):
        self._srv.shutdown()
        self._thread.join(5)


def find_chromium():
    """(browser, driver) paths, or None when Chromium is not installed."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def chromium(width=1400, height=1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    found = find_chromium()
    if not found:
        raise RuntimeError("Chromium/chromedriver not found (apt-get install -y chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = found[0]
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    return webdriver.Chrome(service=Service(found[1]), options=options)


def phone(driver, width=390, height=844):
    """Make the page think it runs on a phone of this size (Chromium's window cannot be
    narrower than 500 px; the viewport can)."""
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 2, "mobile": True})
    return driver
