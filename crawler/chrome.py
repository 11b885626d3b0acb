"""Page chrome in extracted article text, line by line: what the STORED body must not keep.

Share menus, screen-reader headings, bylines and dates of the article head, broadcasters'
transcript markers, tip-line/contact blocks ("■ 제보하기", "▷ 카카오톡 : …", "※ '당신의 제보가
뉴스가 됩니다'", "기사문의 및 제보 : 카톡/라인 …"), production credits ("영상편집 : …"),
copyright lines and reporter e-mail lines. `clean_body` also drops repeated lines and a second
copy of the article (pages that carry the text twice). nlp/clean.py reuses `is_tip_line`.
"""
import re
import unicodedata

from crawler.dates import parse_date

CHROME_LINE = re.compile(
    r"^(기사\s*공유|공유하기|페이스북|카카오톡|트위터|URL\s*복사|스크랩|인쇄(하기)?|글자\s*크기.*|댓글\s*\d*\s*개?|"
    r"로그인 후 댓글.*|무단\s*전재.*|.*재배포\s*금지.*|Copyright.*|ⓒ.*|©.*|<?\s*저작권자.*|많이 본 (뉴스|기사)|"
    r"\[?관련\s*기사\]?.*|All rights reserved\.?|목록(보기)?|제보(는|하기)(\s.*)?|제보\s*[:：].*|\[제보\].*|첨부\s*파일.*|"
    r"ADVERTISEMENT|광고|AD|추천\s*기사|기사\s*원문\s*보기|"
    # screen-reader-only headings that leak when the page hides them by CSS the extractor never sees
    r"(기사\s*)?본문\s*(영역|시작|듣기|바로\s*가기)?|상세\s*페이지|기사\s*(듣기|저장|제목)|주요\s*뉴스|"
    r"본문\s*글자\s*(크기|키우기|줄이기).*|\d+\s*/\s*\d+)$", re.I)
# transcript markers: [앵커] <기자> ◀ 리포트 ▶ (앵커 멘트)
BROADCAST_MARKER = re.compile(r"^\s*[\[<(◀【]\s*(앵커|기자|리포트|인터뷰|녹취|자막|현장음|SYNC|CG|인터뷰\s*\S{0,10}|"
                              r"앵커\s*멘트|기자\s*멘트|리포트\s*멘트|클로징)\s*[\]>)▶】]\s*$")
BYLINE = re.compile(r"^(By\s+[A-Z][\w .-]+|(\S+\s+)?[가-힣]{2,4}\s*(기자|특파원|논설위원|객원기자|인턴기자)(\s*[/|]\s*\S+)?|"
                    r"[가-힣A-Za-z]{2,12}\s*(기자|기자단|취재팀|특별취재팀)|"
                    r"논설위원실|송고시간.*|입력.*|기사입력.*|수정.*|승인.*|업데이트.*)$")
# Broadcasters' tip-line / contact / subscription blocks. (▲ bullets are article lists: not here.)
TIP_WORDS = (r"제보|카카오\s*톡|카톡|채널\s*추가|전화\s*[:：]?\s*\(?\d|(?:이\s*)?메일\s*[:：]|e-?mail|구독|유튜브|"
             r"텔레그램|인스타그램|홈페이지\s*[:：]|원문\s*(?:기사|보기)|(?:기사|뉴스)\s*원문")
TIP_LINE = re.compile(
    rf"^\s*(?:[■□▣◆◇▶▷►▸※☞●○◎★☆◈]\s*.*(?:{TIP_WORDS}).*|"
    r"\[\s*(?:카카오\s*톡|카톡|전화|메일|이메일|온라인\s*제보|홈페이지|유튜브|제보|문자|팩스)\s*\].*|"
    r"(?:기사\s*문의(?:\s*및\s*제보)?|뉴스\s*제보|제보\s*(?:하기|전화|메일|문의|안내))\s*(?:[:：].*)?|"
    r".*당신의\s*제보가\s*뉴스가?\s*됩니다.*|.*제보를\s*기다립니다.*|.*채널\s*추가.*|"
    r".*(?:구독|좋아요)(?:와\s*알림|\s*버튼)?\s*(?:해\s*주세요|부탁|눌러).*)$", re.I)
CREDITS = re.compile(r"^\s*[(\[]?\s*(?:영상\s*(?:취재|편집|촬영|제공|디자인|그래픽)|촬영\s*기자|카메라|촬영|편집|그래픽|CG|디자인|"
                     r"자료\s*제공|화면\s*제공|화면\s*출처|사진\s*제공|취재\s*지원|구성|연출|글\s*구성|AD)\s*[:：=/]\s*\S.{0,60}$", re.I)
OUTLET_NAME = re.compile(r"(일보|신문|뉴스|방송|TV|타임스|타임즈|미디어|데일리|저널|통신|닷컴|투데이|헤럴드|news|times|daily)$", re.I)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL_ONLY = re.compile(r"^(?:https?://|www\.)\S+$")
SHORT_CHROME = {
    "광고", "사진", "목록", "이전", "다음", "이전글", "다음글", "인쇄", "공유", "닫기", "확대", "축소", "댓글", "좋아요",
    "구독", "기자", "홈", "뉴스", "메뉴", "검색", "로그인", "맨위로", "위로", "정치", "경제", "사회", "국제", "문화",
    "전국", "지역", "스포츠", "연예", "사설", "칼럼", "포토", "영상", "속보", "기획", "더보기", "보기", "작게", "크게",
    "프린트", "스크랩", "저장", "북마크", "번역", "듣기", "추천", "비추천", "화나요", "슬퍼요", "글자", "TOP", "AD",
}


def is_tip_line(line):
    """A broadcaster's tip-line/contact/subscription line or a production-credits line."""
    return len(line) < 160 and bool(TIP_LINE.match(line) or CREDITS.match(line))


def is_chrome(line, title_key=""):
    """`line` is whitespace-normalised; True when it is page chrome, not article text."""
    if CHROME_LINE.match(line) or BROADCAST_MARKER.match(line) or is_tip_line(line) or URL_ONLY.match(line):
        return True
    if title_key and key(line) == title_key:
        return True
    if len(line) < 40 and (BYLINE.match(line) or parse_date(line) and len(re.sub(r"[\d\s.:\-/()\[\]년월일시분오전후입력수정등록]", "", line)) < 6):
        return True
    if len(line) <= 12 and " " not in line and OUTLET_NAME.search(line):  # '동해안일보': a banner, not a sentence
        return True
    return len(line) <= 4 and (line in SHORT_CHROME or not re.search(r"[가-힣A-Za-z]{2}", line))


def key(text):
    """Comparison key: letters and digits only, lower case."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFC", text)).lower()


def _all_in(line, drop):
    """The line is one of `drop`, or only such pieces joined by | · / (a row of menu links)."""
    if key(line) in drop:
        return True
    parts = [key(p) for p in re.split(r"\s*[|·/]\s*", line)]
    return len(parts) > 1 and all(not p or p in drop for p in parts)


def without_email(line):
    """A reporter's e-mail address taken out; a line left with only a name or an outlet is a
    signature, not text ('남도신문 배수진 기자 sujin@…', '서해신문 (seohae@…)')."""
    line = EMAIL.sub("", line)
    line = re.sub(r"[(\[<]\s*[)\]>]", "", line).strip(" ()[]<>/,")
    return "" if len(line) <= 15 and not re.search(r"[다요]\.?$", line) else line


def clean_body(text, title=None, drop=frozenset()):
    """Article lines without chrome, repeats or a second copy of the article. `drop`: keys of
    texts that are never article lines on this page (its link texts, the outlet's name)."""
    title_key = key(title or "")
    lines, kept = [], KeptText()
    for raw in (text or "").splitlines():
        line = re.sub(r"\s+", " ", raw).strip().lstrip("-·• ").strip()
        if line and not is_chrome(line, title_key) and EMAIL.search(line):
            line = without_email(line)
        if not line or is_chrome(line, title_key) or drop and _all_in(line, drop):
            continue
        k = key(line)
        if kept.holds(k):  # a repeated line, or a piece of text already kept (the article's second copy)
            continue
        kept.add(k)
        lines.append(line)
    return "\n".join(lines)


class KeptText:
    """The keys of the lines kept so far, joined, and whether a new key is already inside them —
    in time linear in the text (8-character shingles), since pages may be 8 MB."""
    SIZE = 8

    def __init__(self):
        self.joined, self.exact, self.grams = "", set(), set()

    def holds(self, k):
        if len(k) < self.SIZE:
            return False
        if k in self.exact:
            return True
        starts = list(range(0, len(k) - self.SIZE + 1, self.SIZE // 2)) + [len(k) - self.SIZE]
        return all(k[i:i + self.SIZE] in self.grams for i in starts) and k in self.joined

    def add(self, k):
        self.exact.add(k)
        start = max(0, len(self.joined) - self.SIZE + 1)
        self.joined += k
        self.grams.update(self.joined[i:i + self.SIZE] for i in range(start, len(self.joined) - self.SIZE + 1))
