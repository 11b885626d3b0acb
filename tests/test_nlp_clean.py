"""Page-chrome cleaning and rule-based region evidence (no model needed)."""
from nlp.clean import clean_text, document_text
from vocabulary import NATIONAL
from nlp.regions import region_evidence, rule_regions

PAGE = """본문으로 건너뛰기
부산자치경찰위 공식 출범
▸ 페이스북으로 보내기
▸ 프린트
부산자치경찰위 공식 출범
입력 2021.05.06 15:00
[부산일보] 부산자치경찰위원회가 6일 현판식을 열었다.
위원장은 울산지방경찰청장을 지낸 정모 씨다.
서울 맑음 23℃ 부산 흐림 20℃ 대구 비 18℃
현판을 거는 모습. /연합뉴스
홍길동 기자 hong@example.com
ⓒ 부산일보 무단 전재 및 재배포 금지
관련 기사
[TV종합] 인기 드라마 주역들 근황
![사진](https://img.example.com/a.jpg)
"""


def test_clean_removes_chrome_and_keeps_body():
    out = clean_text(PAGE, "부산자치경찰위 공식 출범")
    assert out.splitlines()[0] == "부산자치경찰위원회가 6일 현판식을 열었다."
    for junk in ("건너뛰기", "페이스북", "프린트", "입력 2021", "℃", "연합뉴스", "기자",
                 "무단", "TV종합", "http", "[부산일보]"):
        assert junk not in out, junk
    assert "현판을 거는 모습." in out
    assert "공식 출범" not in out          # repeated headline dropped


def test_document_text_puts_title_first():
    assert document_text("제목", "본문 한 줄") == "제목\n본문 한 줄"
    assert document_text(None, None) == ""


def test_regions_committee_and_agency_are_same_area():
    ev = region_evidence("서울시자치경찰위원회, 서울경찰청과 협약", "서울시자치경찰위원회는 서울경찰청과 손잡았다.")
    assert rule_regions(ev) == ["서울"]


def test_regions_traps_former_post_and_weather():
    title = "부산자치경찰위 공식 출범"
    ev = region_evidence(title, clean_text(PAGE, title))
    assert "울산" not in ev                # former post masked
    assert "대구" not in ev                # weather ticker removed by cleaning
    assert rule_regions(ev) == ["부산"]


def test_regions_national_and_city_map():
    assert rule_regions(region_evidence("전국 18개 시도 자치경찰위원회 평가", "행안부가 발표했다.")) == [NATIONAL]
    ev = region_evidence("충주 자치경찰 시범운영", "충주시가 예산 부족을 호소했다. 충주시 관계자는 말했다.")
    assert rule_regions(ev) == ["충북"]
    ev = region_evidence("경기 남·북부 자치경찰위 2기 출범", "경기도남부자치경찰위원회와 경기도북부자치경찰위원회")
    assert set(rule_regions(ev)) == {"경기남부", "경기북부"}


def test_regions_ignore_university_names_and_economy():
    ev = region_evidence("자치경찰 예산", "경남대 교수와 부산대 교수가 경기 침체를 말했다.")
    assert ev.get("경남") is None and ev.get("부산") is None and "경기남부" not in ev


EN_PAGE = """By Kim Soo-yeon
SEOUL, Nov. 24 (Yonhap) -- The Busan Metropolitan Autonomous Police Committee said Tuesday it will
expand patrols near schools, working with the Busan Metropolitan Police Agency.
Committee officials in Busan said the unified model leaves them without their own officers.
(END)
"""


def test_english_wire_copy_dateline_is_not_a_region():
    out = clean_text(EN_PAGE, "Busan autonomous police to expand school patrols")
    assert out.startswith("The Busan Metropolitan Autonomous Police Committee")
    assert "Yonhap" not in out and "Kim Soo-yeon" not in out
    ev = region_evidence("Busan autonomous police to expand school patrols", out)
    assert ev["부산"]["committee"] == 1 and ev["부산"]["agency"] == 1 and ev["부산"]["title"] == 1
    assert "서울" not in ev  # the dateline says SEOUL, the story is about Busan
    assert rule_regions(ev) == ["부산"]


def test_english_region_names_and_national_cues():
    ev = region_evidence("Jeju's autonomous police", "Jeju Special Self-Governing Province Autonomous Police Committee")
    assert rule_regions(ev) == ["제주"]
    ev = region_evidence("Gyeonggi police", "The Northern Gyeonggi Autonomous Police Committee and the "
                                            "Southern Gyeonggi Autonomous Police Committee met.")
    assert set(rule_regions(ev)) == {"경기남부", "경기북부"}
    ev = region_evidence("Autonomous police law", "The National Assembly passed the bill for all 18 regions nationwide.")
    assert rule_regions(ev) == [NATIONAL]
    assert "서울" not in region_evidence("", "Professors at Seoul National University said ...")


def test_english_text_is_judged_by_the_embedding_head_only():
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from nlp.model import _Blend, korean_share
    share = korean_share(["Busan police committee", "부산 자치경찰위원회 출범", "자치경찰 reform 논의", ""])
    assert share.tolist() == [0.0, 1.0, 1.0, 1.0]
    assert 0 < korean_share(["Police 위원회 committee members"])[0] < 1  # mostly English: partial trust
    X, Xt, y = np.array([[0.0], [1.0], [0.2], [0.9]]), np.array([[1.0], [0.0], [0.8], [0.1]]), np.array([0, 1, 0, 1])
    blend = _Blend(LogisticRegression().fit(X, y), LogisticRegression().fit(Xt, y), 0.5)
    emb_only = blend.emb.predict_proba(X)
    assert np.allclose(blend.predict_proba(X, Xt, np.zeros(4)), emb_only)
    assert np.allclose(blend.predict_proba(X, Xt, np.ones(4)), blend.predict_proba(X, Xt))
    assert not np.allclose(blend.predict_proba(X, Xt), emb_only)
