"""The terms of a document, from Kiwi morphemes: nouns and noun compounds, with the named
entities among them (people, organisations, places), per sentence.

A term is a run of nouns written together in one word (a compound stays whole:
자치경찰위원회, 경찰국, 이원화, 참여연대), without particles, of 2+ characters, not a number and
not a stop-word (byline and boilerplate words, the outlet's own name). A committee named in
any form of config/aliases.toml (부산 자경위, 부산시자치경찰위 …) becomes that committee's full
name. Kinds: 'org' (aliases, names ending like 위원회·경찰청·연대 with a name before the ending,
and a few whole names such as 경찰청), 'place' (regions, words ending
in 시·도·군·구·동), 'person' (a proper noun right before a title such as 위원장·청장·의원), else
'noun'. Rules are simple and visible here; they trade some recall for no surprises.
"""
import collections
import dataclasses
import functools
import re

from vocabulary import REGIONS

MAX_DOC_TERMS = 40   # a document's term list: its title's terms and its most frequent ones
STOP = {
    "기자", "뉴스", "사진", "제공", "관련", "보도", "오늘", "이번", "지난", "위해", "통해", "대해", "대한", "이날", "당시", "최근",
    "무단전재", "재배포", "금지", "무단", "전재", "배포", "저작권", "기사", "속보", "단독", "종합", "특파원", "앵커",
    "오전", "오후", "가운데", "이후", "이상", "이하", "정도", "경우", "부분", "내용", "때문", "사실", "자신", "하나",
    "올해", "내년", "작년", "지난해", "현재", "지금", "여기", "이곳", "그것", "이것", "우리", "모두", "모든",
}
NOUN_TAGS = ("NNG", "NNP", "SL", "SH")
PERSON_TITLES = ("대통령", "장관", "차관", "총리", "위원장", "부위원장", "위원", "청장", "차장", "서장", "국장", "시장",
                 "도지사", "지사", "군수", "구청장", "의원", "의장", "대표", "교수", "변호사", "사무국장", "사무총장", "회장")
ORG_ENDINGS = ("위원회", "경찰청", "경찰서", "지구대", "파출소", "연대", "연합", "협회", "재단", "센터", "본부", "의회",
               "공단", "노조", "조합", "학회", "연구원", "연구소", "행정안전부", "법무부", "검찰청", "시청", "도청", "구청")
ORG_NAMES = {"경찰청", "행정안전부", "법무부", "검찰청", "국회"}  # whole names; a bare 위원회 or 지구대 is not one
PLACE_ENDINGS = ("시", "도", "군", "구")
PLACES = set(REGIONS) | {"서울시", "경기", "경기도", "강원도", "제주도", "세종시", "충청", "전라", "경상"}


@dataclasses.dataclass
class DocTerms:
    terms: list        # the document's term list (distinct, at most MAX_DOC_TERMS)
    sentences: list    # per sentence, its distinct terms (title first), for co-occurrence
    kinds: dict        # term -> 'noun' | 'org' | 'place' | 'person'


@functools.lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi
    return Kiwi(num_workers=1)


@functools.lru_cache(maxsize=1)
def _aliases():
    """(regex over every alias form with a space or of a committee, {form: (name, kind)})."""
    from store.search import alias_groups
    names = {}
    for group in alias_groups():
        for form in group["forms"]:
            names[form] = (group["name"], "org" if group["kind"] == "committee" else group.get("kind") or "org")
    if not names:
        return None, {}
    pattern = "|".join(re.escape(f) for f in sorted(names, key=len, reverse=True))
    return re.compile(pattern), names


def _compounds(tokens):
    """[(text, kind, start, end)] of the noun runs written together (no space inside)."""
    runs, run = [], []
    for t in tokens:
        tag = t.tag.split("-")[0]
        if run and t.start == run[-1].start + run[-1].len and (tag in NOUN_TAGS or tag == "XSN"):
            run.append(t)
            continue
        if run:
            runs.append(run)
        run = [t] if tag in NOUN_TAGS else []
    if run:
        runs.append(run)
    out = []
    for i, r in enumerate(runs):
        after = _text(runs[i + 1]) if i + 1 < len(runs) else ""
        out.append((_text(r), _kind(r, after), r[0].start, r[-1].start + r[-1].len))
    return out


def _text(run):
    return "".join(t.form for t in run)


def _kind(run, after):
    text = _text(run)
    proper = any(t.tag.startswith("NNP") for t in run)
    if text in PLACES or (proper and len(run) == 1 and text.endswith(PLACE_ENDINGS) and len(text) >= 3):
        return "place"
    if text in ORG_NAMES or any(text.endswith(e) and len(text) > len(e) for e in ORG_ENDINGS):
        return "org"
    if after.endswith(PERSON_TITLES) and re.fullmatch(r"[가-힣]{2,4}", text) and (proper or len(run) > 1):
        return "person"
    return "noun"


def _keep(text, stop):
    return len(text) >= 2 and text not in stop and not text.isdigit() and not re.fullmatch(r"[\W\d_]+", text)


def analyse(title, body, outlet=None):
    """DocTerms of one document (title first, then each sentence of the body)."""
    return analyse_many([(title, body, outlet)])[0]


def analyse_many(items):
    """DocTerms for [(title, body, outlet)], one Kiwi pass over all sentences."""
    kiwi = _kiwi()
    pattern, alias_names = _aliases()
    texts, owners = [], []
    for n, (title, body, _outlet) in enumerate(items):
        for part in (title or "", body or ""):
            if part.strip():
                texts.append(part)
                owners.append(n)
    per_doc = [[] for _ in items]  # [(sentence terms, kinds)] per document
    sentence_lists = kiwi.split_into_sents(texts, return_tokens=True) if texts else []
    for n, sentences in zip(owners, sentence_lists):
        stop = STOP | ({items[n][2]} if items[n][2] else set())
        for sentence in sentences:
            runs = _compounds(list(sentence.tokens))
            named, spans = [], []
            if pattern is not None:  # a committee in any of its forms is one organisation
                for m in pattern.finditer(sentence.text):
                    spans.append((sentence.start + m.start(), sentence.start + m.end()))
                    named.append((spans[-1][0], *alias_names[m.group(0)]))
            found = [(start, text, kind) for text, kind, start, end in runs
                     if _keep(text, stop) and not any(a <= start and end <= b for a, b in spans)]
            per_doc[n].append([(text, kind) for _, text, kind in sorted(found + named)])
    return [_doc_terms(sentences, bool(items[n][0] and str(items[n][0]).strip())) for n, sentences in enumerate(per_doc)]


def _doc_terms(sentences, has_title):
    kinds, counts, first = {}, collections.Counter(), {}
    lists = []
    for i, found in enumerate(sentences):
        distinct = list(dict.fromkeys(t for t, _ in found))
        lists.append(distinct)
        for text, kind in found:
            kinds.setdefault(text, kind)
            counts[text] += 1
            first.setdefault(text, i)
    title = lists[0] if has_title and lists else []
    ranked = sorted(counts, key=lambda t: (-counts[t], first[t], t))
    terms = list(dict.fromkeys(title + ranked))[:MAX_DOC_TERMS]
    return DocTerms(terms=terms, sentences=[s for s in lists if s], kinds={t: kinds[t] for t in kinds})
