"""The article's headline: metadata checked against the visible heading, outlet/section affixes off.

- `strip_affixes`: '헤드라인 - 사회 | 동녘일보', '헤드라인-정치ㅣ한국일보', '헤드라인 ｜ 가온신문',
  '동녘일보 :: 헤드라인', '헤드라인 < 사회 < 기사본문 - 다온뉴스', '[가람뉴스] 헤드라인' -> '헤드라인'
  ('[단독] 헤드라인' keeps its label).
- `choose_title`: og:title / twitter:title / JSON-LD or Arc headline is the reference; the visible <h1>
  (or another heading) that says the same wins, since metadata may mangle quotes (″ for ") or
  be cut short; never the site's logo or outlet name; pages without metadata fall back to the
  <title> and then to the line just above the article text.
"""
import re
from difflib import SequenceMatcher

from crawler.chrome import key

SECTION_WORDS = ("정치|경제|사회|국제|문화|전국|지역|스포츠|연예|오피니언|사설|칼럼|IT|과학|생활|라이프|교육|건강|사람들|"
                 "사건사고|사건·사고|행정|자치|지방|종합|정책|경찰|법원|검찰|환경|노동|복지|산업|부동산|금융|기사본문|"
                 "뉴스|기사|속보|전체기사|최신기사|뉴스홈|홈|기획|인물|포토|영상|[가-힣]{1,4}일반|지역뉴스|전국뉴스|"
                 "사회부|정치부|경제부|뉴스룸|newsroom|news|home")
OUTLET_WORDS = re.compile(r"(일보|신문|뉴스|방송|TV|티비|타임스|타임즈|미디어|데일리|경제|저널|통신|닷컴|투데이|헤럴드|"
                          r"프레스|라디오|매거진|포커스|넷|news|times|daily|media|journal|herald|press|today|tv|radio|"
                          r"\.com|\.kr|\.net|\.co\.kr)\s*$", re.I)
LABELS = re.compile(r"단독|속보|사설|칼럼|기고|인터뷰|포토|영상|종합|카드|시사|르포|기획|팩트|분석|해설|오피니언|이슈|"
                    r"화제|현장|특집|연재|리포트|브리핑|인사|부고|동정|알림|사진|그래픽|날씨|만평|데스크|논설")
SEP = r"(?:\||ㅣ|｜|∣|::|:|：|«|»|<|>|‹|›)"
# separators between a headline and its affixes: | ㅣ ｜ :: ： < >, spaced - – — · :, and an unspaced
# '-' before a section ('…-정치ㅣ한국일보')
SEPARATORS = re.compile(rf"\s*{SEP}\s*|\s+[-–—·:]\s+|[-–—](?=[^\s\-–—]{{1,12}}\s*(?:\||ㅣ|｜)|(?:{SECTION_WORDS})\s*$)")
TRAILING_SEP = re.compile(rf"\s*(?:{SEP}|[-–—·])\s*$")
LEADING_SEP = re.compile(rf"^\s*(?:{SEP}|[-–—·])\s*")
BRACKET_PREFIX = re.compile(r"^\s*[\[【(]([^\])】]{2,20})[\])】]\s*")


def clean_space(text):
    return re.sub(r"\s+", " ", text or "").strip()


def strip_affixes(title, outlets=(), generic=True):
    """`generic`: also strip affixes that only look like an outlet or a section (not for visible
    headings, which rarely carry them: '…: 가짜 뉴스' stays)."""
    title = clean_space(title)
    outlet_keys = {key(o) for o in outlets if o}
    while True:
        parts = SEPARATORS.split(title)
        if len(parts) < 2:
            break
        first, last = parts[0].strip(), parts[-1].strip()
        if _affix(last, outlet_keys, generic=generic) and len(key(title[: title.rfind(last)])) >= 4:
            title = TRAILING_SEP.sub("", title[: title.rfind(last)]).strip()
            continue
        if first and _affix(first, outlet_keys, generic=generic, prefix=True) and len(key(title[len(first):])) >= 4:
            title = LEADING_SEP.sub("", title[title.find(first) + len(first):]).strip()
            continue
        break
    m = BRACKET_PREFIX.match(title)
    if m and len(key(title[m.end():])) >= 4 and (key(m.group(1)) in outlet_keys or generic
                                                 and OUTLET_WORDS.search(m.group(1)) and not LABELS.search(m.group(1))):
        title = title[m.end():]
    return title.strip()


def _affix(part, outlet_keys, generic=True, prefix=False):
    k = key(part)
    if not k or len(part) > 30:
        return False
    if k in outlet_keys or any(k.startswith(o) and len(k) - len(o) <= 4 for o in outlet_keys):
        return True
    if not generic:
        return False
    if prefix:  # a leading segment must name an outlet: "[단독]", "카드뉴스" and the like stay
        return bool(OUTLET_WORDS.search(part)) and len(part) <= 12 and not re.search(r"[\[\]]", part)
    return bool(OUTLET_WORDS.search(part) or re.fullmatch(rf"(?:{SECTION_WORDS})", part, re.I))


def is_outlet(text, outlets):
    """The text is only a site's name: one of `outlets`, or a short outlet-like word ('::: 남해안신문 :::')."""
    bare = re.sub(r"^[\W_]+|[\W_]+$", "", text or "")
    k = key(bare)
    if not k or any(k == key(o) or k == key(o) + "뉴스" for o in outlets if o):
        return True
    return len(bare) <= 15 and " " not in bare and bool(OUTLET_WORDS.search(bare))


def similarity(a, b):
    a, b = key(a), key(b)
    if not a or not b:
        return 0.0
    if a in b or b in a:
        return min(len(a), len(b)) / max(len(a), len(b)) + 0.3
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _segment_of(heading, raw):
    """`raw` is `heading` followed or preceded by a separator and more ('… | 채널A', '동녘일보 :: …')."""
    heading, raw = clean_space(heading), clean_space(raw)
    if len(heading) < 8 or heading == raw:
        return False
    if raw.startswith(heading):
        return bool(re.match(rf"\s*(?:{SEP}|[-–—·])", raw[len(heading):]))
    if raw.endswith(heading):
        return bool(re.search(rf"(?:{SEP}|[-–—·])\s*$", raw[: -len(heading)]))
    return False


def choose_title(metas, headings, page_title, title_nodes, outlets):
    """`metas`: og/twitter/JSON-LD/Arc titles (best first); `headings`: visible <h1> texts (logos
    left out); `title_nodes`: other heading-like texts; `page_title`: the <title>."""
    clean = [strip_affixes(t, outlets) for t in metas if t]
    clean = [t for t in clean if len(t) >= 4 and not is_outlet(t, outlets)]
    headings = [h for h in (strip_affixes(h, outlets, generic=False) for h in headings)
                if len(h) >= 4 and not is_outlet(h, outlets)]
    page_title = strip_affixes(page_title, outlets)
    if is_outlet(page_title, outlets):
        page_title = ""
    reference = clean[0] if clean else page_title
    for heading in headings:  # the raw metadata is the heading plus affixes: '헤드라인 | 뉴스A | 채널A'
        if any(_segment_of(heading, raw) for raw in [*metas, page_title] if raw):
            return heading
    if reference:
        pool = headings or [strip_affixes(t, outlets, generic=False) for t in title_nodes]
        best = max(pool, key=lambda h: similarity(h, reference), default=None)
        if best and similarity(best, reference) >= 0.75 and not is_outlet(best, outlets):
            return best
        return reference
    if headings:
        return headings[0]
    return next((t for t in (strip_affixes(n, outlets) for n in title_nodes) if len(t) >= 8 and not is_outlet(t, outlets)), "")
