"""The 검토 필요 view in headless Chromium: the least certain label comes first, its title
opens the correction form in the 문서 view, and a saved correction takes it off the queue."""
import pytest

from dashboard.browser import Server, chromium, find_chromium
from tests.review_support import make_store
from tests.test_dashboard_browser import css, wait_for

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="needs chromium and chromium-driver (apt)")


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("review") / "monitor.db"
    db, ids = make_store(path)
    titles = {k: db.execute("SELECT title FROM documents WHERE id = ?", [v]).fetchone()[0] for k, v in ids.items()}
    db.conn.close()
    return path, ids, titles


def test_review_queue_opens_the_correction_form(store):
    from dashboard.app import create_app
    path, ids, titles = store
    srv, driver = Server(create_app(path)), chromium()
    try:
        driver.get(f"{srv.url}/?view=review")
        links = wait_for(driver, lambda d: css(d, "#rv-table td[data-dash-column='title_link'] a"), what="queue rows")
        assert [a.text for a in links[:2]] == [titles["story"], titles["unsure_rel"]]
        assert "감성 경합" in css(driver, "#rv-table td[data-dash-column='reason']")[0].text
        links[0].click()
        wait_for(driver, lambda d: css(d, "#ann-form")[0].is_displayed(), what="correction form")
        assert css(driver, "#view-documents")[0].is_displayed()
        assert titles["story"] in css(driver, "#doc-detail-panel h3")[0].text
        next(el for el in css(driver, "#ann-sentiment label") if el.text.strip() == "중립").click()
        name = css(driver, "#ann-annotator")[0]
        name.clear()
        name.send_keys("검토담당")
        css(driver, "#ann-save")[0].click()
        wait_for(driver, lambda d: "저장되었습니다" in css(d, "#ann-result")[0].text, what="saved message")
        driver.get(f"{srv.url}/?view=review")
        first = wait_for(driver, lambda d: css(d, "#rv-table td[data-dash-column='title_link'] a"), what="queue")[0]
        assert first.text == titles["unsure_rel"]       # the corrected document left the queue
    finally:
        driver.quit()
        srv.close()
