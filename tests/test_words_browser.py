"""The 인물·연관어 tab and the spike "what drove it" words in headless Chromium (one session):
the entity tables and the related-words network/table show what /api/v1/entities and
/api/v1/related answer for the same dates and filters; entity counts recounted with plain
SQL; a click on a node centres the network; the spike words are /api/v1/keywords?ref=before:28."""
import json
import urllib.parse
import urllib.request

import pytest

from dashboard.browser import find_chromium
from nlp.indexing import index_pending
from store import open_db, rollups
from test_dashboard_browser import browser, css, server, wait_for  # noqa: F401 - fixtures (server uses this seeded_path)
from test_terms import _doc

pytestmark = pytest.mark.skipif(find_chromium() is None, reason="needs chromium and chromium-driver (apt)")
WEEK2 = "start=2026-11-09&end=2026-11-15"
NETWORK = "return document.querySelector('#rl-network .js-plotly-plot')"


@pytest.fixture(scope="module")
def seeded_path(tmp_path_factory):
    """Week 1: 김철수 위원장 and 예산; week 2: 이영희 위원장 (6 of 10), 참여연대 (8), 강남구 (4),
    경찰국 with 예산 in the same sentences; 11-16: a burst of 6 critical statements."""
    path = tmp_path_factory.mktemp("words_dash") / "monitor.db"
    db = open_db(path)
    for i in range(10):
        _doc(db, f"w1-{i}", f"자치경찰 예산 소식 {i}", "김철수 위원장은 예산 심의를 열었다. 주민 안전 대책을 논의했다.",
             f"2026-11-0{2 + i % 7}")
    for i in range(10):
        body = ["경찰국 예산 신설에 대한 비판이 커졌다."]
        body += ["이영희 위원장은 경찰국 예산을 비판했다."] if i < 6 else []
        body += ["참여연대는 성명을 냈다."] if i < 8 else []
        body += ["강남구 주민 간담회가 열렸다."] if i < 4 else []
        _doc(db, f"w2-{i}", f"자치경찰 경찰국 예산 {i}", " ".join(body), f"2026-11-{9 + i % 7:02d}",
             "negative" if i < 5 else "neutral")
    for i in range(6):
        _doc(db, f"burst-{i}", f"경찰국 독립성 훼손 규탄 성명 {i}", "시민단체가 독립성 훼손을 규탄했다.", "2026-11-16",
             "negative", kind="civic")
    rollups.ensure(db)
    index_pending(db)
    db.conn.close()
    return path


def api(server, name, **params):
    query = urllib.parse.urlencode(params, doseq=True)
    with urllib.request.urlopen(f"{server.url}/api/v1/{name}?{query}", timeout=30) as r:
        return json.load(r)


def table_rows(browser, table_id):
    """The rows of a DataTable as shown: [[cell text, ...]]."""
    return [[td.text for td in tr.find_elements("css selector", "td")]
            for tr in css(browser, f"#{table_id} tr") if tr.find_elements("css selector", "td")]


def test_entity_tables_match_the_api_and_plain_sql(browser, server, seeded_path):
    browser.get(f"{server.url}/?view=words&{WEEK2}")
    wait_for(browser, lambda d: table_rows(d, "en-table-person"), what="person table")
    shown = {kind: table_rows(browser, f"en-table-{kind}") for kind in ("person", "org", "place")}
    data = api(server, "entities", **{"from": "2026-11-09", "to": "2026-11-15"})["data"]
    for kind, rows in shown.items():
        expected = [r for r in data if r["kind"] == kind]
        assert [(int(r[0]), r[1], r[2], r[3]) for r in rows] == [
            (e["rank"], e["entity"], f"{e['documents']:,}건", f"{e['comparison_documents']:,}건") for e in expected]
    assert shown["person"][0][:3] == ["1", "이영희", "6건"] and shown["person"][0][4] == "새로 나옴"
    assert ["참여연대", "8건"] == shown["org"][0][1:3] and "강남구" in [r[1] for r in shown["place"]]
    db = open_db(seeded_path)  # recount: documents of the period whose stored terms include the name
    try:
        for e in data:
            (n,), = db.execute("""SELECT COUNT(DISTINCT d.id) FROM documents d JOIN labels l ON l.document_id = d.id
                                  JOIN doc_terms t ON t.doc = d.rowid JOIN term_vocab v ON v.id = t.term
                                  WHERE v.term = ? AND v.kind = ? AND l.relevant = 1 AND d.duplicate_of IS NULL
                                  AND d.pub_date BETWEEN '2026-11-09' AND '2026-11-15'""", [e["entity"], e["kind"]])
            assert n == e["documents"], e
        for name, n in (("이영희", 6), ("참여연대", 8), ("강남구", 4), ("김철수", 0)):  # and in the raw text
            assert db.execute("SELECT COUNT(*) FROM documents WHERE pub_date BETWEEN '2026-11-09' AND '2026-11-15' "
                              "AND (title LIKE ? OR body LIKE ?)", [f"%{name}%"] * 2).fetchone()[0] == n
        assert [e["comparison_documents"] for e in data if e["entity"] == "김철수"] in ([], [10])
    finally:
        db.conn.close()
    trend = "return document.querySelector('#en-trend .js-plotly-plot')"
    wait_for(browser, lambda d: d.execute_script(trend + "?.data?.[0]?.name") == "이영희", what="trend")
    assert sum(browser.execute_script(trend + ".data[0].y")) == 6
    css(browser, "#en-table-org td")[1].click()  # a click on a name shows its trend
    wait_for(browser, lambda d: d.execute_script(trend + ".data[0].name") == "참여연대", what="org trend")
    assert sum(browser.execute_script(trend + ".data[0].y")) == 8


def test_related_network_and_table_match_the_api_and_a_click_centres_it(browser, server, tmp_path):
    browser.get(f"{server.url}/?view=words&{WEEK2}")
    wait_for(browser, lambda d: table_rows(d, "rl-edges"), what="edge table")
    whole = api(server, "related", **{"from": "2026-11-09", "to": "2026-11-15", "top": 30})
    rows = table_rows(browser, "rl-edges")
    assert [(r[0], r[1], int(r[2]), float(r[3])) for r in rows] == [
        (e["source"], e["target"], e["cooccurrences"], round(e["pmi"], 2)) for e in whole["data"]][:len(rows)]
    title = browser.execute_script(NETWORK + ".layout.title.text")
    assert f"문장 {whole['meta']['sentences']}개" in title
    csv_link = css(browser, "#rl-csv")[0].get_attribute("href")
    with urllib.request.urlopen(csv_link, timeout=30) as r:
        lines = r.read().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("source,target") and len(lines) == len(whole["data"]) + 1
    nodes = [n for trace in browser.execute_script(NETWORK + ".data") if trace["mode"] == "markers+text"
             for n in trace["text"]]
    assert "예산" in nodes and "경찰국" in nodes
    browser.save_screenshot(str(tmp_path / "words.png"))
    # a click on the 경찰국 node centres the network on it: the table is /api/v1/related?word=경찰국
    point = browser.execute_script("""const p = document.querySelector('#rl-network .js-plotly-plot');
        const t = p.data.findIndex(d => d.mode === 'markers+text' && d.text.includes('경찰국'));
        return [t, p.data[t].text.indexOf('경찰국')];""")
    traces = css(browser, "#rl-network .scatterlayer .trace")
    marker = traces[point[0]].find_elements("css selector", ".point")[point[1]]
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(browser).move_to_element(marker).click().perform()
    wait_for(browser, lambda d: css(d, "#rl-word")[0].get_attribute("value") == "경찰국", what="word box")
    focused = api(server, "related", **{"from": "2026-11-09", "to": "2026-11-15", "word": "경찰국", "n": 30})
    wait_for(browser, lambda d: [r[:3] for r in table_rows(d, "rl-edges")] == [
        [e["source"], e["target"], str(e["cooccurrences"])] for e in focused["data"]][:15], what="word table")
    assert "word=%EA%B2%BD%EC%B0%B0%EA%B5%AD" in css(browser, "#rl-csv")[0].get_attribute("href")
    box = css(browser, "#rl-word")[0]
    box.clear()
    box.send_keys("없는낱말\n")
    wait_for(browser, lambda d: "분석된 기사에 없는 단어" in css(d, "#rl-notice")[0].text, what="unknown word")


def test_spike_drivers_are_the_keywords_against_the_four_weeks_before(browser, server):
    day = "2026-11-16"
    browser.get(f"{server.url}/?view=documents&start={day}&end={day}&spike={day}")
    panel = wait_for(browser, lambda d: (p := css(d, "#doc-drivers-panel")) and p[0], what="what drove it")
    words = [li.text for li in panel.find_elements("css selector", ".third:last-child li")]
    expected = [t for t in api(server, "keywords", **{"from": day, "to": day, "ref": "before:28", "n": 10})["data"]
                if t["z"] > 1.96]
    assert expected and words == [f"{t['term']} (기사 {t['documents']}건 · 앞선 28일 {t['reference_documents']}건)"
                                  for t in expected]
    assert "독립성" in [t["term"] for t in expected]
