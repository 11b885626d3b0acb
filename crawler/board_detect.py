"""Find a board's list on its list page, so a board works without hand-written selectors.

- `detect_rows(html, url)`: the repeating rows that each hold a link and a date (table rows,
  list items, WordPress posts …), CSS selectors for the row, its title link and its date, and
  how to reach the next page (a "다음"/next link, or a page parameter such as pageIndex,
  curPage, startPage, page, nPage, bpage, or an offset such as Start=10).
- `json_candidates(html, url)` / `detect_json(data, endpoint, html, url)`: boards whose list is
  filled by a script from a JSON endpoint: the endpoint, the item array and its title, date and
  link fields.
- `source_block(detection, …)`: a ready `[[source]]` entry for config/sources.toml.

Used by `python monitor.py sources detect URL` and by the board spider when a source says
`selectors = "auto"`. A Detection says how sure it is (confidence 0–1) and what is missing.
"""
import json
import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from crawler.dates import parse_date
from crawler.extract import parse_html, text_of
from crawler.page_data import epoch_to_iso

PAGE_PARAMS = ("pageIndex", "curPage", "cpage", "startPage", "page", "nPage", "bpage", "pageNo", "pageNum", "pg",
               "currentPage", "paged", "Start", "start", "offset", "startCount", "firstIndex")
OFFSET_PARAMS = {"Start", "start", "offset", "startCount", "firstIndex"}
DATE = re.compile(r"(?:19|20)\d{2}\s*[.\-/년]\s*\d{1,2}\s*[.\-/월]\s*\d{1,2}|(?<!\d)\d{2}[.\-]\d{2}[.\-]\d{2}(?!\d)")
NEXT_TEXT = re.compile(r"^\s*(다음|다음\s*페이지|다음\s*목록|next|›|»|>|▶)\s*[»›>]?\s*$", re.I)
SCRIPT_LINK = re.compile(r"^\s*(#|javascript:|mailto:|tel:)", re.I)
ENDPOINT = re.compile(r"""['"`]((?:https?://|/|\./|\.\./)?[\w.~/%-]*(?:\.json|/api/|[Ll]ist|ajax|Ajax)[\w.~/%-]*"""
                      r"""(?:\?[^'"`\s<>]*)?)['"`]""")
VIEW_TEMPLATE = re.compile(r"""['"]([^'"\s]*(?:view|View|detail|Detail|read|Read|show)[^'"\s]*?=)['"]\s*\+\s*(?:\w+\.)?(\w+)""")


class Detection:
    def __init__(self, kind, rows, confidence, problems, selectors=None, page=None, json_spec=None):
        self.kind = kind                  # "rows" | "json"
        self.rows = rows                  # [{"title", "url", "date"}] as found on the page
        self.confidence = round(min(max(confidence, 0.0), 1.0), 2)
        self.problems = problems          # what is missing or doubtful, in words
        self.selectors = selectors        # for [source.selectors]
        self.page = page                  # {"param", "first", "step"} or None
        self.json = json_spec             # for [source.json]

    @property
    def label(self):
        return "높음 / high" if self.confidence >= 0.8 else "보통 / medium" if self.confidence >= 0.5 else "낮음 / low"


# --- rows ---------------------------------------------------------------------------------------
def detect_rows(html, url):
    """The best group of repeating rows with a link and a date, or None."""
    tree = parse_html(html)
    for node in tree.xpath("//script|//style|//noscript|//comment()"):
        if node.getparent() is not None:
            node.drop_tree()
    best = None
    for parent in tree.iter():
        children = [c for c in parent if isinstance(c.tag, str)]
        if len(children) < 3:
            continue
        by_tag = {}
        for child in children:
            by_tag.setdefault(child.tag, []).append(child)
        for tag, members in by_tag.items():
            if len(members) < 3:
                continue
            rows = [r for r in (_row(m) for m in members) if r]
            if len(rows) < 3:
                continue
            score = (len(rows), sum(len(r["title"]) for r in rows) / len(rows))
            if best is None or score > best[0]:
                best = (score, parent, tag, members, rows)
    if best is None:
        return None
    _, parent, tag, members, rows = best
    problems = []
    selectors = _selectors(tree, parent, tag, rows)
    page = _page_param(tree, url)
    next_page = _next_selector(tree, url)
    if next_page:
        selectors["next_page"] = next_page
    confidence = (0.45 if len(rows) >= 5 else 0.3) + (0.15 if len(rows) >= 0.8 * len(members) else 0)
    samples = [{"title": r["title"], "url": urljoin(url, r["href"]) if not SCRIPT_LINK.match(r["href"]) else r["href"],
                "date": parse_date(r["date"])} for r in rows]
    if sum(bool(s["date"]) for s in samples) >= 0.8 * len(samples):
        confidence += 0.15
    else:
        problems.append("날짜를 읽지 못한 줄이 많습니다 / many rows have no readable date")
    if next_page or page:
        confidence += 0.25
    else:
        problems.append("다음 페이지 링크나 페이지 변수를 찾지 못해 첫 페이지만 읽습니다 / no next-page link or page parameter: "
                        "only the first list page will be read")
    if sum(bool(SCRIPT_LINK.match(r["href"])) for r in rows) > len(rows) / 2:
        confidence *= 0.3
        problems.append("글 링크가 자바스크립트 호출입니다 (href=\"#\"/javascript:): 글 주소 규칙을 직접 확인하세요 / "
                        "post links are script calls, not URLs")
    return Detection("rows", samples, confidence, problems, selectors=selectors, page=page)


def _row(node):
    """{title, href, anchor, date, date_node} for a row with a title link and a date, else None."""
    anchors = [a for a in node.iter("a") if len(text_of(a)) >= 2 and not (DATE.search(text_of(a)) or a.find(".//time") is not None)]
    if not anchors:
        return None
    anchor = max(anchors, key=lambda a: len(text_of(a)))
    title = text_of(anchor)
    if len(title) < 4:
        return None
    date_node = None
    for el in node.iter():
        if not isinstance(el.tag, str) or _inside(el, anchor):
            continue
        own = (el.text or "") if el.tag != "time" else (el.get("datetime") or el.text or "")
        if DATE.search(own) or el.tag == "time" and parse_date(el.get("datetime")):
            date_node = el
            break
    if date_node is None:
        return None
    return {"title": title, "href": (anchor.get("href") or anchor.get("onclick") or "").strip(), "anchor": anchor,
            "date": text_of(date_node), "date_node": date_node, "node": node}


def _inside(el, ancestor):
    return el is ancestor or any(a is ancestor for a in el.iterancestors())


def _simple(el):
    """tag#id, tag.class or tag: a stable-looking name for one element."""
    ident = el.get("id") or ""
    if ident and re.search(r"[A-Za-z]", ident) and not re.search(r"\d{3,}", ident):
        return f"{el.tag}#{ident}"
    classes = [c for c in (el.get("class") or "").split() if re.match(r"^[A-Za-z][\w-]*$", c) and not re.search(r"\d{3,}", c)]
    return f"{el.tag}.{classes[0]}" if classes else el.tag


def _selectors(tree, parent, tag, rows):
    container = _simple(parent)
    if container == parent.tag:  # no name of its own: anchor it on the nearest named ancestor
        for ancestor in list(parent.iterancestors())[:4]:
            name = _simple(ancestor)
            if name != ancestor.tag:
                container = f"{name} {parent.tag}"
                break
    item = f"{container} > {tag}"
    shared = set((rows[0]["node"].get("class") or "").split())
    for r in rows[1:]:
        shared &= set((r["node"].get("class") or "").split())
    shared = [c for c in shared if re.match(r"^[A-Za-z][\w-]*$", c)]
    if len(tree.cssselect(item)) > 3 * len(rows) and shared:
        item = f"{container} > {tag}.{sorted(shared)[0]}"
    link = _relative(rows, "anchor", lambda r, found: found is r["anchor"])
    date = _relative(rows, "date_node", lambda r, found: parse_date(text_of(found)) is not None)
    return {"item": item, "link": link, "title": link, "date": date}


def _relative(rows, key, good):
    """A selector, relative to a row, whose first match is the row's `key` node on most rows."""
    options = []
    node = rows[0][key]
    classes = [c for c in (node.get("class") or "").split() if re.match(r"^[A-Za-z][\w-]*$", c)]
    if classes:
        options.append(f"{node.tag}.{classes[0]}")
    holder = node.getparent()
    if holder is not None and holder is not rows[0]["node"]:
        holder_classes = [c for c in (holder.get("class") or "").split() if re.match(r"^[A-Za-z][\w-]*$", c)]
        if holder_classes:
            options.append(f"{holder.tag}.{holder_classes[0]} {node.tag}")
    cell = next((a for a in [node, *node.iterancestors()] if a.tag in ("td", "li", "dd", "span", "div")
                 and a.getparent() is rows[0]["node"]), None)
    if cell is not None:
        index = [c for c in rows[0]["node"] if isinstance(c.tag, str)].index(cell) + 1
        options.append(f"{cell.tag}:nth-child({index})" + ("" if cell is node else f" {node.tag}"))
    options.append(node.tag)
    for option in options:
        hits = 0
        for r in rows:
            found = r["node"].cssselect(option)
            hits += bool(found) and bool(good(r, found[0]))
        if hits >= 0.8 * len(rows):
            return option
    return options[0]


# --- pagination ---------------------------------------------------------------------------------
def _page_param(tree, url):
    """{"param", "first", "step"} from the list's page links (?pageIndex=2, ?Start=10 …), or None."""
    here = urlsplit(url)
    found = {}
    for a in tree.iter("a"):
        href = a.get("href") or ""
        script = f"{href} {a.get('onclick') or ''}"
        if re.search(r"egov_link_page|linkPage\(\s*\d", script):  # eGovFrame's script paging posts pageIndex
            found.setdefault("pageIndex", set()).update(int(n) for n in re.findall(r"\((\d+)\)", script))
        if SCRIPT_LINK.match(href):
            continue
        target = urlsplit(urljoin(url, href))
        if target.path.rstrip("/") != here.path.rstrip("/") and here.path:
            continue
        for name, value in parse_qsl(target.query):
            if name in PAGE_PARAMS and value.isdigit():
                found.setdefault(name, set()).add(int(value))
    for name in PAGE_PARAMS:  # the first of the known names that the page uses with 2+ values (or an offset)
        values = sorted(found.get(name, ()))
        if not values or values == [0] or values == [1] and name not in OFFSET_PARAMS:
            continue
        offset = name in OFFSET_PARAMS or 0 in values
        diffs = [b - a for a, b in zip(values, values[1:]) if b > a]
        step = min(diffs) if diffs else (values[0] if offset and values[0] > 1 else 1)
        return {"param": name, "first": 0 if offset else 1, "step": step}
    return None


def _next_selector(tree, url):
    """A selector for the list's next-page link ('a.next', 'a[title*="다음"]' …), or None."""
    for a in tree.iter("a"):
        href = a.get("href") or ""
        if not href or SCRIPT_LINK.match(href) or urljoin(url, href) == url:
            continue
        classes = (a.get("class") or "").split()
        nexts = [c for c in classes if re.search(r"next", c, re.I) and "nextall" not in c.lower()]
        if nexts:
            return f"a.{nexts[0]}"
        if "다음" in (a.get("title") or ""):
            return 'a[title*="다음"]'
        if NEXT_TEXT.match(text_of(a)):
            return f'a:contains("{text_of(a)}")'
    return None


def page_url(url, param, value):
    """`url` with its page parameter set to `value`."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != param] + [(param, str(value))]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


# --- JSON-filled boards -------------------------------------------------------------------------
def json_candidates(html, url):
    """Endpoint URLs named in the page's scripts that may return the list as JSON (best first)."""
    out = []
    scripts = " ".join(s.text or "" for s in parse_html(html).iter("script"))
    for match in ENDPOINT.finditer(scripts):
        path = match.group(1)
        if re.search(r"\.(js|css|png|jpe?g|gif|svg|ico|html?)(\?|$)", path) or len(path) < 5:
            continue
        absolute = urljoin(url, path)
        if absolute not in out:
            out.append(absolute)
    out.sort(key=lambda u: (".json" not in u and "/api/" not in u, len(u)))
    return out[:5]


def endpoint_template(candidate):
    """'…/list.json?page=' or '…/list.json?page=1' -> ('…/list.json?page={page}', 'page'); else (candidate, None)."""
    parts = urlsplit(candidate)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    for name, _ in pairs:
        if name in PAGE_PARAMS:
            query = "&".join(f"{k}={{page}}" if k == name else f"{k}={v}" for k, v in pairs)
            return urlunsplit((parts.scheme, parts.netloc, parts.path, query, "")), name
    return candidate, None


def detect_json(data, endpoint, html, url):
    """A Detection for a list served as JSON (`data` parsed from `endpoint`), or None."""
    path, items = _largest_list(data)
    if not items or len(items) < 2:
        return None
    keys = set().union(*(i.keys() for i in items))
    title_key = _best_key(items, keys, _titleish, r"title|subject|sj|tit|name")
    date_key = _best_key(items, keys, lambda v: parse_date(epoch_to_iso(v)) is not None, r"date|dt|pnttm|regist|creat|time")
    if not title_key:
        return None
    problems = []
    template, param = endpoint_template(endpoint)
    link = None
    url_key = _best_key(items, keys, lambda v: isinstance(v, str) and re.match(r"^(https?://|/|\./)\S+$", v)
                        and not re.search(r"\.(jpe?g|png|gif)$", v), r"url|link|href|path")
    if url_key:
        link = "{" + url_key + "}"
    else:
        view = VIEW_TEMPLATE.search(html or "")
        if view and view.group(2) in keys:
            link = urljoin(url, view.group(1)) + "{" + view.group(2) + "}"
        else:
            id_key = next((k for k in sorted(keys) if re.search(r"(id|no|seq|idx)$", k, re.I)), None)
            problems.append("글 주소 규칙을 찾지 못했습니다: link를 직접 쓰세요 / no post URL pattern found: write `link` yourself")
            link = urljoin(url, "view?" + (id_key or "id")) + "={" + (id_key or "id") + "}"
    spec = {"url": template, "items": path, "title": title_key, "link": link}
    if date_key:
        spec["date"] = date_key
    else:
        problems.append("날짜 항목을 찾지 못했습니다 / no date field found")
    confidence = 0.4 + (0.2 if date_key else 0) + (0.2 if not problems else 0) + (0.2 if param else 0)
    if not param:
        problems.append("페이지 변수를 찾지 못해 첫 페이지만 읽습니다 / no page parameter in the endpoint: only page 1 is read")
    page = {"param": param, "first": 1, "step": 1} if param else None
    rows = [{"title": str(i.get(title_key)), "url": link_for(link, i, url), "date": parse_date(epoch_to_iso(i.get(date_key)))
             if date_key else None} for i in items]
    return Detection("json", rows, confidence, problems, page=page, json_spec=spec)


def link_for(template, item, base):
    """A post URL from a link template ('view.html?id={nttId}') and one JSON item."""
    try:
        return urljoin(base, template.format_map({k: v for k, v in item.items() if not isinstance(v, (dict, list))}))
    except (KeyError, ValueError, IndexError):
        return None


def dig(data, path):
    """data['result']['list'] for path 'result.list' ('' = data itself); None when absent."""
    for part in [p for p in (path or "").split(".") if p]:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def _largest_list(data, path="", depth=0):
    best = ("", None)
    if isinstance(data, list) and data and all(isinstance(i, dict) for i in data):
        best = (path, data)
    if depth < 4:
        children = data.items() if isinstance(data, dict) else []
        for name, value in children:
            found = _largest_list(value, f"{path}.{name}" if path else name, depth + 1)
            if found[1] and (not best[1] or len(found[1]) > len(best[1])):
                best = found
    return best


def _titleish(value):
    return isinstance(value, str) and 4 <= len(value) <= 200 and re.search(r"[가-힣A-Za-z]{2}", value) and not \
        re.match(r"^(https?://|/)", value)


def _best_key(items, keys, test, name_hint):
    scored = []
    for k in keys:
        share = sum(bool(test(i.get(k))) for i in items) / len(items)
        if share >= 0.8:
            scored.append((bool(re.search(name_hint, k, re.I)), share, k))
    return max(scored)[2] if scored else None


def json_loads(text):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


# --- the [[source]] block -------------------------------------------------------------------------
def toml_string(value):
    return json.dumps(value, ensure_ascii=False)


def source_block(detection, url, name="새 게시판 / new board", kind="committee"):
    lines = ["[[source]]", f"name = {toml_string(name)}", f'kind = "{kind}"             # committee | civic | government | news',
             'type = "board"', f"url = {toml_string(url)}", '# region = "서울"            # 18개 지역 중 하나 / one of the 18 areas',
             "enabled = false             # sources test 통과 후 true / true once `sources test` passes",
             f"# 탐지 확신도 / detection confidence: {detection.confidence} ({detection.label})"]
    if detection.page:
        lines += [f"page_param = {toml_string(detection.page['param'])}", f"page_first = {detection.page['first']}",
                  f"page_step = {detection.page['step']}"]
    if detection.kind == "json":
        lines.append("[source.json]")
        lines += [f"{k} = {toml_string(v)}" for k, v in detection.json.items()]
    else:
        lines.append("[source.selectors]")
        lines += [f"{k} = {toml_string(v)}" for k, v in detection.selectors.items() if v]
    return "\n".join(lines) + "\n"
