"""Article fields carried by a page's JavaScript/JSON rather than its visible markup.

- JSON-LD (`<script type="application/ld+json">`): headline, datePublished, articleBody, publisher.
- Arc/Fusion (`Fusion.globalContent = {...}`): headlines.basic, first_publish_date, content_elements.
- Next.js pages router (`<script id="__NEXT_DATA__">`) and app router streams
  (`self.__next_f.push([1, "..."])`, "flight" rows incl. `T` text rows): the longest article-like
  text, React paragraph elements, and publication-date keys.

`page_data(tree)` returns {"bodies", "guessed", "titles", "dates", "publishers"} (lists): "bodies"
are declared article texts (JSON-LD articleBody, Fusion content_elements), "guessed" the
article-like texts found in Next.js data; both plain text with one paragraph per line.
"""
import datetime as dt
import html
import json
import re

ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
                 "BlogPosting", "Report", "LiveBlogPosting", "WebPage", "VideoObject"}
# JSON keys that hold a publication time, best first; keys about modification are never used
DATE_KEYS = [re.compile(p, re.I) for p in (
    r"^(first_?publish(ed)?(_?date|_?at|_?time)?|date_?published|published_?(at|date|time|dt)|publish_?(date|dt|time|at)|pub_?date)$",
    r"^(reg_?(dt|date|datetime|time)|regist(er)?_?(dt|date)|rgst_?dt|input_?(date|dt|time)|insert_?(date|dt)|"
    r"write_?(date|dt)|created_?(at|date|dt|time)?|create_?(dt|date)|post_?(date|dt)|service_?(date|time)|art_?date|date)$")]
BODY_KEYS = re.compile(r"^(article_?body|body|content|contents|text|html|story_?body|cn|artcl_?cn|article_?content|"
                       r"news_?content|detail|description_?html|body_?html|content_?html)$", re.I)
SKIP_ELEMENTS = {"image", "raw_html", "interstitial_link", "video", "oembed_response", "custom_embed", "divider",
                 "gallery", "table", "correction", "link_list", "social_media", "audio"}
BLOCK_TAGS = re.compile(r"(?i)<br\s*/?>|</?(?:p|div|li|h[1-6]|blockquote|tr|section|article|ul|ol|figure|table)\b[^>]*>")
DROP_TAGS = re.compile(r"(?is)<(script|style|figcaption|iframe|noscript|button|template)\b.*?</\1\s*>")
HANGUL = re.compile(r"[가-힣]")


def html_to_text(markup):
    """A CMS HTML fragment -> plain text, one block per line (captions, scripts dropped)."""
    if "<" not in markup and "&" not in markup:
        return markup.replace("\r", "")
    markup = DROP_TAGS.sub(" ", markup)
    markup = BLOCK_TAGS.sub("\n", markup)
    markup = re.sub(r"<[^>]*>", "", markup)
    return html.unescape(markup).replace("\xa0", " ").replace("\r", "")


def articleish(text):
    """Text that reads like an article: long enough, mostly letters, not code or a URL list."""
    squeezed = re.sub(r"\s+", "", text)
    if len(squeezed) < 60:
        return False
    letters = len(re.findall(r"[가-힣A-Za-z]", squeezed))
    code = len(re.findall(r"[{};=<>$\\]", squeezed))
    return letters >= 0.5 * len(squeezed) and code <= 0.01 * len(squeezed) and "http" not in squeezed[:40]


def page_data(tree):
    found = {"bodies": [], "guessed": [], "titles": [], "dates": [], "publishers": []}
    for script in tree.iter("script"):
        text = script.text or ""
        if not text.strip():
            continue
        kind = (script.get("type") or "").lower()
        if kind == "application/ld+json":
            for obj in _loads_all(text):
                _json_ld(obj, found)
        elif script.get("id") == "__NEXT_DATA__":
            data = _loads(text)
            if data is not None:
                _walk(data.get("props", data) if isinstance(data, dict) else data, found)
        elif "Fusion.globalContent" in text:
            _fusion(text, found)
    flight = _flight_payload(tree)
    if flight:
        _flight(flight, found)
    for name in ("bodies", "guessed"):
        found[name] = [b for b in found[name] if articleish(b)]
    return found


# --- JSON helpers ---------------------------------------------------------------------------------
def _loads(text):
    text = text.strip()
    if text.startswith("<!--"):
        text = text.strip("<!->\n ")
    text = re.sub(r"^//\s*<!\[CDATA\[|//\s*\]\]>$", "", text).strip()
    try:
        return json.loads(text, strict=False)  # strict=False: raw line breaks inside strings (common)
    except RecursionError:  # hostile nesting
        return None
    except ValueError:
        try:
            return json.loads(re.sub(r",\s*([}\]])", r"\1", text), strict=False)  # trailing commas
        except (ValueError, RecursionError):
            return None


def _loads_all(text):
    data = _loads(text)
    if data is None:
        return []
    items = data if isinstance(data, list) else [data]
    out = []
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("@graph"), list):
            out.extend(i for i in item["@graph"] if isinstance(i, dict))
        elif isinstance(item, dict):
            out.append(item)
    return out


def _types(obj):
    kind = obj.get("@type")
    return set(kind) if isinstance(kind, list) else {kind}


def _json_ld(obj, found):
    if not (_types(obj) & ARTICLE_TYPES):
        return
    if isinstance(obj.get("headline"), str) and "WebPage" not in _types(obj):
        found["titles"].append(obj["headline"])
    for name in ("datePublished", "dateCreated", "uploadDate"):
        if isinstance(obj.get(name), str):
            found["dates"].append(obj[name])
            break
    body = obj.get("articleBody") or obj.get("text")
    if isinstance(body, str):
        found["bodies"].append(html_to_text(body))
    publisher = obj.get("publisher")
    for p in publisher if isinstance(publisher, list) else [publisher]:
        if isinstance(p, dict) and isinstance(p.get("name"), str):
            found["publishers"].append(p["name"])


# --- Arc / Fusion ---------------------------------------------------------------------------------
def _fusion(text, found):
    start = text.find("Fusion.globalContent")
    start = text.find("=", start) + 1
    try:
        content, _ = json.JSONDecoder(strict=False).raw_decode(text[start:].lstrip())
    except (ValueError, RecursionError):
        return
    if not isinstance(content, dict):
        return
    title = (content.get("headlines") or {}).get("basic")
    if isinstance(title, str) and title.strip():
        found["titles"].append(title)
    for name in ("first_publish_date", "publish_date", "display_date", "created_date"):
        if isinstance(content.get(name), str):
            found["dates"].append(content[name])
            break
    lines = list(_fusion_lines(content.get("content_elements") or []))
    if lines:
        found["bodies"].append("\n".join(lines))


def _fusion_lines(elements, depth=0):
    for element in elements if isinstance(elements, list) and depth < 10 else []:
        if not isinstance(element, dict) or element.get("type") in SKIP_ELEMENTS:
            continue
        if element.get("type") == "list":
            yield from _fusion_lines(element.get("items") or [], depth + 1)
        elif element.get("type") in ("quote", "blockquote") and element.get("content_elements"):
            yield from _fusion_lines(element["content_elements"], depth + 1)
        elif isinstance(element.get("content"), str):
            yield html_to_text(element["content"]).strip()


# --- Next.js data and flight streams --------------------------------------------------------------
def _walk(node, found, depth=0):
    """Body-like strings, lists of text blocks, React <p> element runs and date keys in a JSON tree."""
    if depth > 60:
        return
    if isinstance(node, dict):
        for name, value in node.items():
            if isinstance(value, str):
                if BODY_KEYS.match(name) and len(value) >= 150 and HANGUL.search(value):
                    found["guessed"].append(html_to_text(value))
                elif name == "__html" and value.lstrip().startswith("{"):
                    for obj in _loads_all(value):
                        _json_ld(obj, found)
                elif name == "__html" and len(value) >= 150:
                    found["guessed"].append(html_to_text(value))
            if isinstance(value, (str, int)) and not isinstance(value, bool) and _date_rank(name) is not None:
                found.setdefault("_keyed_dates", []).append((_date_rank(name), depth, epoch_to_iso(value)))
            if isinstance(value, list):
                joined = _text_blocks(value)
                if joined:
                    found["guessed"].append(joined)
            if isinstance(value, (dict, list)):
                _walk(value, found, depth + 1)
    elif isinstance(node, list):
        paragraphs = _react_paragraphs(node)
        if paragraphs:
            found["guessed"].append(paragraphs)
        for item in node:
            if isinstance(item, (dict, list)):
                _walk(item, found, depth + 1)
    if depth == 0 and found.get("_keyed_dates"):
        ranked = sorted(found.pop("_keyed_dates"), key=lambda x: (x[0], x[1]))
        found["dates"].extend(v for _, _, v in ranked if v)


def _date_rank(name):
    for rank, pattern in enumerate(DATE_KEYS):
        if pattern.match(name):
            return rank
    return None


def epoch_to_iso(value):
    """Epoch seconds/milliseconds (int or digit string) become ISO UTC strings; other values stay."""
    if isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"1\d{9}(\d{3})?", value.strip())):
        seconds = int(value) / (1000 if int(value) > 10 ** 11 else 1)
        return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _text_blocks(items):
    """A list of block dicts ({"type": "paragraph", "text": ...}) -> their text, one per line."""
    if len(items) < 2 or not all(isinstance(i, dict) for i in items):
        return None
    lines = []
    for item in items:
        if str(item.get("type", "")).lower() in SKIP_ELEMENTS | {"ad", "advertisement", "related"}:
            continue
        for name in ("text", "content", "html", "value"):
            if isinstance(item.get(name), str):
                lines.append(html_to_text(item[name]).strip())
                break
    return "\n".join(lines) if len(lines) >= 2 else None


TEXT_ELEMENTS = {"p", "h2", "h3", "h4", "li", "blockquote"}


def _react_paragraphs(children):
    """React flight elements ["$", "p", key, {"children": "..."}] in one children list -> lines."""
    lines = []
    for child in children:
        if isinstance(child, list) and len(child) == 4 and child[0] == "$" and child[1] in TEXT_ELEMENTS \
                and isinstance(child[3], dict):
            text = _react_text(child[3].get("children"))
            if text:
                lines.append(text)
    return "\n".join(lines) if len(lines) >= 2 else None


def _react_text(node, depth=0):
    if isinstance(node, str):
        return node if not node.startswith("$") else ""
    if isinstance(node, list) and depth < 20:
        if len(node) == 4 and node[0] == "$" and isinstance(node[3], dict):
            return _react_text(node[3].get("children"), depth + 1)
        return "".join(_react_text(n, depth + 1) for n in node)
    return ""


PUSH = re.compile(r"self\.__next_f\.push\(\s*(\[.*\])\s*\)\s*;?\s*$", re.S)


def _flight_payload(tree):
    chunks = []
    for script in tree.iter("script"):
        text = (script.text or "").strip()
        if not text.startswith(("self.__next_f.push", "(self.__next_f")):
            continue
        m = PUSH.search(text)
        if not m:
            continue
        try:
            data = json.loads(m.group(1))
        except (ValueError, RecursionError):
            continue
        if isinstance(data, list) and len(data) >= 2 and data[0] == 1 and isinstance(data[1], str):
            chunks.append(data[1])
    return "".join(chunks)


ROW = re.compile(rb"([0-9a-fA-F]{1,8}):")


def _flight(payload, found):
    """Rows 'id:JSON' and 'id:T<hex length>,<text>' of a React flight stream."""
    data = payload.encode("utf-8")
    pos = 0
    while pos < len(data):
        m = ROW.match(data, pos)
        if not m:
            nl = data.find(b"\n", pos)
            pos = len(data) if nl < 0 else nl + 1
            continue
        pos = m.end()
        if data[pos:pos + 1] == b"T":
            comma = data.find(b",", pos, pos + 12)
            try:
                size = int(data[pos + 1:comma], 16) if comma > 0 else -1
            except ValueError:
                size = -1
            if size < 0:  # not a text row after all: skip the line
                nl = data.find(b"\n", pos)
                pos = len(data) if nl < 0 else nl + 1
                continue
            found["guessed"].append(html_to_text(data[comma + 1:comma + 1 + size].decode("utf-8", "replace")))
            pos = comma + 1 + size
            continue
        nl = data.find(b"\n", pos)
        end = len(data) if nl < 0 else nl
        row = data[pos:end].decode("utf-8", "replace")
        pos = end + 1
        if row[:1] in "[{":
            parsed = _loads(row)
            if parsed is not None:
                _walk(parsed, found)
