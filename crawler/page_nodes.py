"""One pass over a parsed page that sorts out the nodes extraction cares about.

`survey(tree)` walks the lxml tree once (a Python pass over ~3,000 nodes costs a few ms; a dozen
XPath scans with attribute tests cost several times that) and returns a `Survey` with:
- hidden: what a reader never sees (scripts, comments, screen-reader text such as .blind /
  .sr-only / .screen_out, [hidden], aria-hidden, display:none) — removed before the headline is read;
- chrome: menus, header/footer, share/related/comment boxes, ads (class/id words such as ad,
  banner, dable, share, related, ranking; split on - _ digits and camelCase) — removed before
  the body is read;
- headings, logo names, byline nodes, data-* date attributes, <time>, links.
"""
import re

SCRIPT_TAGS = {"script", "style", "noscript", "template"}
DROP_TAGS = {"button", "input", "select", "textarea", "iframe", "object", "embed", "svg", "canvas", "video", "audio",
             "figcaption", "nav", "header", "footer", "aside", "menu", "ins"}
KEEP_TAGS = {"html", "body", "main", "article"}
HIDDEN_CLASSES = {"blind", "sr-only", "sr_only", "screen_out", "screen-out", "screen_only", "visually-hidden",
                  "visuallyhidden", "hidden", "skip", "skipnav", "skip-nav", "hide-text", "ir", "offscreen", "a11y"}
AD_TOKENS = {"ad", "ads", "advert", "advertisement", "adsbygoogle", "adsense", "adfit", "banner", "sponsor", "sponsored",
             "promotion", "promo", "dable", "taboola", "outbrain", "gpt", "googletag", "adbox", "adarea", "adwrap"}
CHROME_TOKENS = {"share", "sns", "social", "related", "relation", "comment", "comments", "reply", "ranking", "popular",
                 "recommend", "subscribe", "newsletter", "breadcrumb", "copyright", "gnb", "lnb", "snb", "sitemap",
                 "login", "toolbar", "util", "utility", "pagination", "paging", "tags", "hashtag", "keyword", "keywords",
                 "journalist", "profile", "byline", "reporter", "writer", "function", "btn", "sidebar", "widget",
                 "paywall", "logo", "topnews", "headlines", "caption", "photo", "figure", "thumb", "img", "image",
                 "gallery", "video", "player", "vod", "reaction", "emotion", "vote", "rating", "most", "trending"}
STRIP_TOKENS = AD_TOKENS | CHROME_TOKENS
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
SPLIT = re.compile(r"(?<=[a-z])(?=[A-Z])|[\s_\-\d]+")
TITLE_CLASS = re.compile(r"tit|subject|headline", re.I)
BYLINE_CLASS = re.compile(r"date|time|byline|info|publish|article-head|meta", re.I)
AUTHOR_CLASS = re.compile(r"byline|reporter|writer|infomation", re.I)
DATE_ATTR = re.compile(r"^data-(?:.*(?:publish|deploy|pub-?date|reg-?(?:date|dt)|input-?(?:date|dt)|"
                       r"create[d]?(?:-(?:at|dt|date))?|first|write-?(?:date|dt)|article-date|date-published|service-?time)"
                       r".*|date|datetime|time|timestamp)$")
NOT_PUBLISH = re.compile(r"modif|update|edit|expire|end")
SENTENCE_END = re.compile(r"(?:다|요|죠|까)[.?!]|[.?!][\"'”’]?\s")
HOME_LINKS = {"/", "./", "/index.html", "index.html", "/index.php", "/index.do", "/main.do"}


class Survey:
    def __init__(self):
        self.hidden, self.chrome, self.headings, self.title_nodes = [], [], [], []
        self.logo_names, self.byline, self.authors, self.data_dates, self.times, self.links = [], [], [], [], [], []


def tokens(cls):
    """Class/id words, lower case: 'article_ad adArea' -> {'article', 'ad', 'area'}."""
    return {t.lower() for t in SPLIT.split(cls) if t}


def survey(tree):
    s = Survey()
    for node in tree.iter():
        tag = node.tag
        if not isinstance(tag, str):  # comments, processing instructions
            s.hidden.append(node)
            continue
        if tag in SCRIPT_TAGS:
            s.hidden.append(node)
            continue
        if tag in DROP_TAGS:
            s.chrome.append(node)
        elif tag in ("h1", "h2", "h3", "h4"):
            if tag == "h1":
                s.headings.append(node)
            s.title_nodes.append(node)
        elif tag == "a":
            s.links.append(node)
            if node.get("href", "").strip() in HOME_LINKS:
                s.logo_names.append(_name_of(node))
        elif tag == "time" and node.get("datetime"):
            s.times.append(node)
        elif tag == "img" and node.get("alt") and _in_logo(node):
            s.logo_names.append(node.get("alt"))
        if not node.attrib:
            continue
        cls, ident = node.get("class", ""), node.get("id", "")
        if _hidden(node, cls):
            s.hidden.append(node)
            continue
        words = tokens(f"{cls} {ident}") if cls or ident else ()
        if words and tag not in KEEP_TAGS and words & STRIP_TOKENS:
            s.chrome.append(node)
        if "logo" in words:
            s.logo_names.append(_name_of(node))
        if cls:
            if TITLE_CLASS.search(cls) or "title" in ident.lower() or "subject" in ident.lower():
                s.title_nodes.append(node)
            if BYLINE_CLASS.search(cls):
                s.byline.append(node)
            if AUTHOR_CLASS.search(cls):
                s.authors.append(node)
        for name, value in node.items():
            if name.startswith("data-") and DATE_ATTR.match(name) and not NOT_PUBLISH.search(name) and value.strip():
                s.data_dates.append((name, value))
    return s


def _hidden(node, cls):
    if node.get("hidden") is not None and not node.get("id", "").startswith("S:"):  # S:n = streamed React content
        return True
    if node.get("aria-hidden") == "true" or HIDDEN_STYLE.search(node.get("style", "")):
        return True
    return bool(cls) and bool(set(cls.lower().split()) & HIDDEN_CLASSES)


def _in_logo(img):
    for parent in img.iterancestors():
        if parent.tag == "h1" or "logo" in f"{parent.get('class', '')} {parent.get('id', '')}".lower():
            return True
        if parent.tag in ("body", "main", "article", "p"):
            return False
    return False


def _name_of(node):
    text = " ".join(t.strip() for t in node.itertext() if t.strip())
    if not text:
        img = node.find(".//img[@alt]")
        text = img.get("alt") if img is not None else ""
    return text if len(text) <= 30 else ""


def attached(node):
    """Still in the document (no ancestor was dropped)."""
    last = node
    for last in node.iterancestors():
        pass
    return last.tag == "html"


def page_text_length(tree):
    body = tree.find("body")
    return len((body if body is not None else tree).text_content()) or 1


def drop(nodes, tree, keep_share, keep_prose=False):
    """Remove `nodes` (keeping their tail text); a node holding more than `keep_share` of the
    page's text stays (the article's own container, or an article a script reveals), and with
    `keep_prose` so does one that reads like an article (YTN's body is id="CmAdContent")."""
    total = page_text_length(tree)
    for node in nodes:
        if node.getparent() is None or node.tag in KEEP_TAGS:
            continue
        if isinstance(node.tag, str) and node.tag not in SCRIPT_TAGS:
            text = node.text_content()
            if len(text) > keep_share * total or keep_prose and node.tag not in DROP_TAGS and prose(node, text):
                continue
        node.drop_tree()  # keeps the tail text ("위원회는 이날 <ad/> 회의를 열었다")


def prose(node, text):
    """200+ characters of sentences, mostly not link text: article text, whatever its class says."""
    if len(text) < 200 or len(SENTENCE_END.findall(text)) < 2:
        return False
    links = sum(len(a.text_content()) for a in node.iter("a"))
    return links < 0.3 * len(text)
