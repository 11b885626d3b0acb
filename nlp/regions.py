"""Region evidence from text: committee names, police agencies, province and city names.

`region_evidence` returns per-region counts of each kind of mention, after
masking traps (a person's former post, "○○ 출신", weather tickers are removed by
clean.py). `RegionModel` (in nlp.model) turns this evidence plus the document
embedding into the final region set; `rule_regions` is the rules-only fallback.
"""
from __future__ import annotations

import hashlib
import re
import threading
from collections import defaultdict
from pathlib import Path

from nlp.clean import MAX_TEXT_CHARS, MAX_TITLE_CHARS
from vocabulary import NATIONAL, REGIONS

# Names that denote a committee's whole area (province/metropolitan city).
AREA_NAMES = {
    "서울": ["서울특별시", "서울시", "서울"],
    "부산": ["부산광역시", "부산시", "부산"],
    "대구": ["대구광역시", "대구시", "대구"],
    "인천": ["인천광역시", "인천시", "인천"],
    "광주": ["광주광역시", "광주시", "광주"],
    "대전": ["대전광역시", "대전시", "대전"],
    "울산": ["울산광역시", "울산시", "울산"],
    "세종": ["세종특별자치시", "세종시", "세종"],
    "경기남부": ["경기남부", "경기도남부", "경기 남부"],
    "경기북부": ["경기북부", "경기도북부", "경기 북부"],
    "강원": ["강원특별자치도", "강원도", "강원"],
    "충북": ["충청북도", "충북"],
    "충남": ["충청남도", "충남"],
    "전북": ["전북특별자치도", "전라북도", "전북"],
    "전남": ["전라남도", "전남"],
    "경북": ["경상북도", "경북"],
    "경남": ["경상남도", "경남"],
    "제주": ["제주특별자치도", "제주도", "제주"],
}
# Cities and counties -> committee area (a few dozen frequent ones).
CITY_AREA = {
    "수원": "경기남부", "용인": "경기남부", "성남": "경기남부", "화성": "경기남부", "안산": "경기남부",
    "안양": "경기남부", "평택": "경기남부", "시흥": "경기남부", "광명": "경기남부", "군포": "경기남부",
    "오산": "경기남부", "이천": "경기남부", "안성": "경기남부", "하남": "경기남부", "부천": "경기남부",
    "김포": "경기남부", "과천": "경기남부", "의왕": "경기남부", "여주": "경기남부",
    "고양": "경기북부", "의정부": "경기북부", "남양주": "경기북부", "파주": "경기북부", "구리": "경기북부",
    "양주": "경기북부", "포천": "경기북부", "동두천": "경기북부", "가평": "경기북부", "연천": "경기북부",
    "춘천": "강원", "원주": "강원", "강릉": "강원", "속초": "강원", "동해": "강원", "삼척": "강원",
    "청주": "충북", "충주": "충북", "제천": "충북", "진천": "충북", "괴산": "충북", "음성": "충북",
    "천안": "충남", "아산": "충남", "서산": "충남", "당진": "충남", "공주": "충남", "논산": "충남", "홍성": "충남",
    "전주": "전북", "군산": "전북", "익산": "전북", "정읍": "전북", "남원": "전북", "김제": "전북",
    "목포": "전남", "여수": "전남", "순천": "전남", "나주": "전남", "광양": "전남", "무안": "전남",
    "포항": "경북", "경주": "경북", "구미": "경북", "안동": "경북", "김천": "경북", "영주": "경북", "경산": "경북",
    "창원": "경남", "김해": "경남", "진주": "경남", "양산": "경남", "거제": "경남", "통영": "경남", "마산": "경남",
    "서귀포": "제주",
}
# English coverage (Yonhap English, Korea Herald, Korea Times, JoongAng Daily): romanised
# names, old spellings included. "Gwangju" is the metropolitan city, as in Korean.
ENGLISH_AREA_NAMES = {
    "서울": ["Seoul"], "부산": ["Busan", "Pusan"], "대구": ["Daegu", "Taegu"], "인천": ["Incheon", "Inchon"],
    "광주": ["Gwangju", "Kwangju"], "대전": ["Daejeon", "Taejon"], "울산": ["Ulsan"], "세종": ["Sejong"],
    "경기남부": ["Southern Gyeonggi", "South Gyeonggi", "Gyeonggi Nambu", "Gyeonggi Southern"],
    "경기북부": ["Northern Gyeonggi", "North Gyeonggi", "Gyeonggi Bukbu", "Gyeonggi Northern"],
    "강원": ["Gangwon", "Kangwon"], "충북": ["North Chungcheong", "Chungcheongbuk", "Chungbuk"],
    "충남": ["South Chungcheong", "Chungcheongnam", "Chungnam"],
    "전북": ["North Jeolla", "Jeollabuk", "Jeonbuk"], "전남": ["South Jeolla", "Jeollanam", "Jeonnam"],
    "경북": ["North Gyeongsang", "Gyeongsangbuk", "Gyeongbuk"],
    "경남": ["South Gyeongsang", "Gyeongsangnam", "Gyeongnam"], "제주": ["Jeju", "Cheju"],
}
_EN_TO_AREA = {n.lower(): a for a, ns in ENGLISH_AREA_NAMES.items() for n in ns}
_EN_AREA_RE = "|".join(sorted({n for ns in ENGLISH_AREA_NAMES.values() for n in ns}, key=len, reverse=True))
_EN_PLACE = r"(?:\s(?:Metropolitan\sCity|Special\s(?:Self-Governing\s)?(?:City|Province)|Province|City))?"
EN_COMMITTEE = re.compile(rf"\b({_EN_AREA_RE}){_EN_PLACE}(?:'s)?\s(?:Municipal\s|Provincial\s|Metropolitan\s)?"
                          r"Autonomous\sPolice\sCommittee", re.I)
EN_AGENCY = re.compile(rf"\b({_EN_AREA_RE}){_EN_PLACE}\s(?:Metropolitan\s|Provincial\s)?Police\sAgency", re.I)
EN_AREA = re.compile(rf"\b({_EN_AREA_RE})\b(?!\s(?:National\sUniversity|University))")
EN_GYEONGGI = re.compile(r"\bGyeonggi(?:\sProvince)?\b(?!\s(?:Nambu|Bukbu|Southern|Northern))(?<!Southern\sGyeonggi)"
                         r"(?<!Northern\sGyeonggi)(?<!South\sGyeonggi)(?<!North\sGyeonggi)")
EN_NATIONAL_CUES = re.compile(r"\bnationwide\b|\bNational\sAssembly\b|\bInterior\sMinistry\b|"
                              r"\bMinistry\sof\s(?:the\s)?Interior\b|\ball\s(?:17|18)\s(?:regions|cities\sand\sprovinces)", re.I)

_AREA_RE = "|".join(sorted({n for ns in AREA_NAMES.values() for n in ns}, key=len, reverse=True))
_NAME_TO_AREA = {n: a for a, ns in AREA_NAMES.items() for n in ns}
_NAME_TO_AREA.update({"경기 남부": "경기남부", "경기 북부": "경기북부"})

COMMITTEE = re.compile(rf"({_AREA_RE})\s?(?:도|시)?\s?자치경찰(?:위원회|위)")
AGENCY = re.compile(rf"({_AREA_RE})\s?(?:지방)?경찰청")
AREA = re.compile(rf"({_AREA_RE})(?![가-힣]{{0,1}}대학교|대\b)")
CITY = re.compile("(" + "|".join(sorted(CITY_AREA, key=len, reverse=True)) + r")(?:시|군|구)?")
GYEONGGI_BOTH = re.compile(r"경기\s?(?:도\s?)?남[·ㆍ,/‧ ]*북부|경기\s?(?:남·북|남북)")
GYEONGGI = re.compile(r"경기도(?!\s?[남북]부)|(?<=[·ㆍ,])경기(?![남북]부|\s?[남북]부)|경기(?=[·ㆍ,]|\s?지역|\s?도내)")
# "X경찰청장을 지낸", "전 X경찰청장", "X 출신", "X에서 근무했던": a person's former post.
TRAP = re.compile(
    rf"(?:전\s|前\s?)?(?:{_AREA_RE})[가-힣\s]{{0,12}}?(?:청장|서장|국장|과장|부장|시장|지사|위원장)?"
    r"(?:을|를)?\s?(?:지낸|역임한|출신|거친|근무했던|재직했던)")
NATIONAL_CUES = re.compile(
    r"전국\s?(?:18개|17개)?\s?(?:시[·ㆍ]?도|자치경찰위원회|위원회)|18개\s?시[·ㆍ]?도|"
    r"전국\s?(?:에서|적으로|단위|동시|일제히|전면)|전국 시행|국회|행정안전부|행안부|경찰청장|정부|국가경찰위원회")
LISTING = re.compile(rf"(?:(?:{_AREA_RE})\s?[·ㆍ,]\s?){{2,}}(?:{_AREA_RE})")
KINDS = ("committee", "agency", "area", "city", "title", "listed")


def mask_traps(text: str) -> str:
    return TRAP.sub(lambda m: "□" * len(m.group(0)), text)


def region_evidence(title: str, body: str) -> dict[str, dict[str, float]]:
    """{region: {kind: count}} for regions mentioned, plus national cue count under '전국'."""
    ev: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    title, body = (title or "")[:MAX_TITLE_CHARS], (body or "")[:MAX_TEXT_CHARS]  # hostile pages: see clean.py
    full = mask_traps(f"{title or ''}\n{body or ''}")
    t = mask_traps(title or "")

    def add(area, kind, w=1.0):
        if area in REGIONS:
            ev[area][kind] += w

    for m in COMMITTEE.finditer(full):
        add(_NAME_TO_AREA[m.group(1)], "committee")
    for m in AGENCY.finditer(full):
        add(_NAME_TO_AREA[m.group(1)], "agency")
    for m in AREA.finditer(full):
        add(_NAME_TO_AREA[m.group(1)], "area")
    for m in CITY.finditer(full):
        add(CITY_AREA[m.group(1)], "city")
    for m in GYEONGGI_BOTH.finditer(full):
        add("경기남부", "area"); add("경기북부", "area")
    n_gg = len(GYEONGGI.findall(full))
    if n_gg:                      # bare "경기": split between the two committees
        add("경기남부", "area", n_gg / 2); add("경기북부", "area", n_gg / 2)
    for m in AREA.finditer(t):
        add(_NAME_TO_AREA[m.group(1)], "title")
    for m in CITY.finditer(t):
        add(CITY_AREA[m.group(1)], "title")
    for m in LISTING.finditer(full):      # "대구·경북·부산·울산·경남"
        for a in AREA.finditer(m.group(0)):
            add(_NAME_TO_AREA[a.group(1)], "listed")
    for pattern, kind in ((EN_COMMITTEE, "committee"), (EN_AGENCY, "agency"), (EN_AREA, "area")):
        for m in pattern.finditer(full):
            add(_EN_TO_AREA[m.group(1).lower()], kind)
    n_gg = len(EN_GYEONGGI.findall(full))
    if n_gg:
        add("경기남부", "area", n_gg / 2); add("경기북부", "area", n_gg / 2)
    for m in EN_AREA.finditer(t):
        add(_EN_TO_AREA[m.group(1).lower()], "title")
    nat = len(NATIONAL_CUES.findall(full)) + len(EN_NATIONAL_CUES.findall(full))
    if nat:
        ev[NATIONAL]["cue"] = nat
    # "광주" is also a Gyeonggi city; keep it as 광주 (metropolitan) — the common case.
    return {k: dict(v) for k, v in ev.items()}


# While set (nlp/feature_cache.py): a function [(title, body)] -> [evidence] that reads the
# store's cache and computes only what it lacks; None = compute every time.
_cache = threading.local()


def set_cache(lookup) -> None:
    _cache.lookup = lookup


def evidence_many(pairs: list[tuple[str, str]]) -> list[dict]:
    """region_evidence of each (title, cleaned body), through the store's cache while one is set."""
    lookup = getattr(_cache, "lookup", None)
    return lookup(pairs) if lookup else [region_evidence(t, b) for t, b in pairs]


def rules_key() -> str:
    """Changes with these rules or the region vocabulary (key of cached evidence)."""
    h = hashlib.sha256()
    for f in (Path(__file__), Path(__file__).resolve().parent.parent / "vocabulary.py"):
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def candidate_features(ev: dict, region: str, hint: str | None = None) -> list[float]:
    """Features of one (document, candidate region) pair for the region model."""
    e = ev.get(region, {})
    totals = {r: sum(v.values()) for r, v in ev.items() if r in REGIONS}
    top = max(totals.values(), default=0.0)
    mine = totals.get(region, 0.0)
    share = mine / max(sum(totals.values()), 1e-9)
    return [
        min(e.get(k, 0.0), 5.0) for k in KINDS
    ] + [
        share, mine / top if top else 0.0, float(mine == top and top > 0),
        float(len(totals)), min(ev.get(NATIONAL, {}).get("cue", 0.0), 5.0),
        float(bool(hint) and hint == region),
    ]


def rule_score(ev: dict, region: str) -> float:
    e = ev.get(region, {})
    return (3 * e.get("committee", 0) + 2 * e.get("agency", 0) + e.get("area", 0)
            + e.get("city", 0) + 2 * e.get("title", 0))


def rule_regions(ev: dict) -> list[str]:
    """The rules: regions with a strong share of the evidence, plus every region named in an
    enumeration ("세종·강원·제주·전북": lists of regions count, docs/annotation.md); else 전국."""
    scores = {r: rule_score(ev, r) for r in ev if r in REGIONS}
    top = max(scores.values(), default=0.0)
    chosen = [r for r in REGIONS if scores.get(r, 0) >= max(2.0, 0.4 * top)
              or ev.get(r, {}).get("listed", 0) >= 1]
    return chosen or [NATIONAL]
