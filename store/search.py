"""The search language of the dashboard's search box and the API's `q`, turned into one
safe SQL condition on `documents d`.

    예산 인력              both words (AND is implied; writing AND is allowed)
    예산 OR 인력           either word
    -경찰국   NOT 경찰국    without the word
    "자치경찰 예산"         the exact phrase
    (예산 OR 인력) 치안     parentheses group

OR binds closer than the side-by-side AND (as in web search engines): 예산 OR 인력 -경찰국
means (예산 OR 인력) AND NOT 경찰국; 치안 예산 OR 인력 means 치안 AND (예산 OR 인력).
Operators are written in capitals (`or`, `and`, `not` are ordinary words). A word or
phrase matches where it appears inside the title or the body, 조사 attached or not, as
the plain substring search did before. A word or phrase that is one form of an alias in
config/aliases.toml (부산자치경찰위원회, 부산시자치경찰위, 부산 자경위 ...) matches every form of
that alias; so do the words of a form typed without quotes (부산 자경위).

Indexes: words and phrases of 3+ characters use the trigram full-text index
(documents_fts); 2-character words the bigram index (store/search_index.py); a
1-character word scans titles and bodies (LIKE). Every user value travels as an SQL
parameter; FTS5 expressions quote every word.
"""
import functools
import re
import tomllib
from pathlib import Path

from store.errors import QueryError

ALIASES_FILE = Path(__file__).resolve().parent.parent / "config" / "aliases.toml"
MAX_CHARS = 500          # whole search text
MAX_SEARCH_WORDS = 50    # words and phrases the user typed
MAX_LEAVES = 300         # after alias expansion
MAX_DEPTH = 5            # nested parentheses
MAX_ALIAS_WORDS = 4      # an unquoted alias form spans at most this many words
OPERATORS = {"OR", "AND", "NOT"}
_WORD_CHARS = re.compile(r"[^\W_]+")


class SearchError(QueryError):
    """A search text that cannot be understood; the message says what to fix."""


def _error(korean, english):
    return SearchError(f"검색식 오류: {korean} / search syntax: {english}")


# --- aliases ----------------------------------------------------------------------------

def _key(text):
    return " ".join(text.split()).lower()


@functools.lru_cache(maxsize=4)
def alias_groups(path=ALIASES_FILE):
    """[{name, kind, region, forms}] from config/aliases.toml: one per [[committee]]
    (kind 'committee') and per [[alias]] (kind 'alias'); empty when the file is missing."""
    path = Path(path)
    if not path.exists():
        return ()
    try:
        config = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SearchError(f"별칭 설정 파일 오류 / cannot read {path.name}: {exc}") from exc
    groups = []
    for c in config.get("committee", []):
        forms = committee_forms(c.get("places") or [c["region"]], c.get("names", []))
        groups.append({"name": (c.get("names") or forms)[0], "kind": "committee", "region": c["region"],
                       "forms": forms})
    for a in config.get("alias", []):
        groups.append({"name": a["name"], "kind": "alias", "region": a.get("region"),
                       "forms": [a["name"], *a.get("forms", [])]})
    for g in groups:
        g["forms"] = tuple(dict.fromkeys(" ".join(f.split()) for f in g["forms"] if f and f.strip()))
    return tuple(groups)


@functools.lru_cache(maxsize=4)
def load_aliases(path=ALIASES_FILE):
    """{normalised form: every form of the groups that have it}."""
    table = {}
    for group in alias_groups(path):
        for form in group["forms"]:
            table[_key(form)] = tuple(dict.fromkeys(table.get(_key(form), ()) + group["forms"]))
    return table


def committee_forms(places, names=()):
    """The ways articles name a committee: its full names, then for each place
    <place>자치경찰위원회, <place>자치경찰위, <place>자경위, with and without a space."""
    forms = list(names)
    for place in places:
        for suffix in ("자치경찰위원회", "자치경찰위", "자경위"):
            forms += [f"{place}{suffix}", f"{place} {suffix}"]
    return forms


# --- parsing -----------------------------------------------------------------------------

def _tokens(text):
    """[(kind, value)]: kind is '(' ')' 'OP' 'WORD' 'PHRASE' or '-' (a leading minus)."""
    out, i, n = [], 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append((ch, ch))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise _error("따옴표(\")가 닫히지 않았습니다", 'a quote (") is not closed')
            phrase = " ".join(text[i + 1:end].split())
            if phrase:
                out.append(("PHRASE", phrase))
            elif out and out[-1][0] == "-":
                out.pop()
            i = end + 1
        elif ch == "-" and (i + 1 >= n or text[i + 1].isspace()):
            raise _error("'-' 뒤에 뺄 검색어가 없습니다 (-경찰국 처럼 붙여 쓰세요)",
                         "nothing after '-' (write it attached: -word)")
        elif ch == "-" and (not out or out[-1][0] != "-"):
            out.append(("-", "-"))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            word = text[i:j]
            out.append(("OP", word) if word in OPERATORS else ("WORD", word))
            i = j
    return out


class _Parser:
    def __init__(self, tokens, aliases):
        self.tokens, self.pos, self.aliases = tokens, 0, aliases

    def peek(self, offset=0):
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else (None, None)

    def parse(self):
        node = self.and_expr(0)
        kind, value = self.peek()
        if kind == ")":
            raise _error("짝이 없는 닫는 괄호 ')'가 있습니다", "')' without '('")
        if kind is not None:  # cannot happen: and_expr stops only at ')' or the end
            raise _error(f"'{value}'을(를) 이해할 수 없습니다", f"unexpected {value!r}")
        return node

    def and_expr(self, depth):
        """Words side by side (or joined by AND) must all match."""
        parts = []
        while True:
            kind, value = self.peek()
            if kind is None or kind == ")":
                break
            if (kind, value) == ("OP", "AND"):
                self.pos += 1
                if not parts or self.peek()[0] in (None, ")") or self.peek() in (("OP", "AND"), ("OP", "OR")):
                    raise _error("AND 앞뒤에 검색어가 있어야 합니다", "AND needs a word on each side")
                continue
            parts.append(self.or_expr(depth))
        if not parts:
            raise _error("빈 괄호 ()가 있습니다", "empty parentheses")
        return parts[0] if len(parts) == 1 else ("and", tuple(parts))

    def or_expr(self, depth):
        """OR binds closer than the side-by-side AND: 예산 OR 인력 -경찰국 = (예산 OR 인력) -경찰국."""
        if self.peek() == ("OP", "OR"):
            raise _error("OR 앞에 검색어가 없습니다", "nothing before OR")
        parts = [self.unary(depth)]
        while self.peek() == ("OP", "OR"):
            self.pos += 1
            if self.peek()[0] in (None, ")") or self.peek() in (("OP", "OR"), ("OP", "AND")):
                raise _error("OR 뒤에 검색어가 없습니다", "nothing after OR")
            parts.append(self.unary(depth))
        return parts[0] if len(parts) == 1 else ("or", tuple(parts))

    def unary(self, depth):
        kind, value = self.peek()
        if kind == "-" or (kind, value) == ("OP", "NOT"):
            self.pos += 1
            if self.peek()[0] in (None, ")") or self.peek()[0] == "OP":
                raise _error("NOT 뒤에 뺄 검색어가 없습니다", "nothing after NOT")
            return ("not", self.unary(depth))
        return self.atom(depth)

    def atom(self, depth):
        kind, value = self.peek()
        if kind == "(":
            if depth >= MAX_DEPTH:
                raise SearchError(f"괄호가 너무 깊습니다 (최대 {MAX_DEPTH}단) / parentheses nested too deep "
                                  f"(at most {MAX_DEPTH} levels)")
            self.pos += 1
            if self.peek()[0] == ")":
                raise _error("빈 괄호 ()가 있습니다", "empty parentheses")
            node = self.and_expr(depth + 1)
            if self.peek()[0] != ")":
                raise _error("여는 괄호 '('에 맞는 닫는 괄호 ')'가 없습니다", "'(' without ')'")
            self.pos += 1
            return node
        if kind == ")":
            raise _error("짝이 없는 닫는 괄호 ')'가 있습니다", "')' without '('")
        if kind == "OP":
            raise _error(f"{value} 앞에 검색어가 없습니다", f"nothing before {value}")
        self.pos += 1
        if kind == "WORD":
            value = self._alias_run(value)
        return self._term(value)

    def _alias_run(self, word):
        """The longest run of plain words starting here that is an alias form (부산 자경위)."""
        best, words = None, [word]
        for offset in range(MAX_ALIAS_WORDS - 1):
            kind, value = self.peek(offset)
            if kind != "WORD":
                break
            words.append(value)
            if _key(" ".join(words)) in self.aliases:
                best = offset + 1
        if best:
            self.pos += best
            return " ".join(words[:best + 1])
        return word

    def _term(self, text):
        forms = self.aliases.get(_key(text))
        if not forms:
            return ("term", text)
        return ("or", tuple(("term", f) for f in forms)) if len(forms) > 1 else ("term", forms[0])


def parse(text, aliases=None):
    """The search text as a tree: ('term', text) | ('and'|'or', children) | ('not', child);
    None for a blank text. SearchError (a QueryError) for what cannot be understood."""
    text = text or ""
    too_long = SearchError(f"검색식이 너무 깁니다 (최대 {MAX_CHARS}자, 입력 {len(text):,}자) / "
                           f"search text too long: {len(text):,} characters (at most {MAX_CHARS})")
    if len(text) > 40 * MAX_CHARS:
        raise too_long
    tokens = _tokens(text)
    words = sum(1 for kind, _ in tokens if kind in ("WORD", "PHRASE"))
    if words > MAX_SEARCH_WORDS:
        raise SearchError(f"검색어가 너무 많습니다 (최대 {MAX_SEARCH_WORDS}단어, 입력 {words:,}단어) / "
                          f"too many search words: {words:,} (at most {MAX_SEARCH_WORDS})")
    if len(text) > MAX_CHARS:
        raise too_long
    if not tokens:
        return None
    tree = _Parser(tokens, load_aliases() if aliases is None else aliases).parse()
    if sum(1 for _ in leaves(tree)) > MAX_LEAVES:
        raise SearchError(f"별칭을 펼친 검색어가 너무 많습니다 (최대 {MAX_LEAVES}개) / "
                          f"too many words once aliases are expanded (at most {MAX_LEAVES})")
    return tree


def leaves(tree):
    """Every ('term', text) of the tree, in order."""
    if tree is None:
        return
    if tree[0] == "term":
        yield tree
    elif tree[0] == "not":
        yield from leaves(tree[1])
    else:
        for child in tree[1]:
            yield from leaves(child)


def positive_terms(tree):
    """The words and phrases a matching document contains (not those under NOT): what the
    search highlights and what a watchlist counts."""
    if tree is None or tree[0] == "not":
        return []
    if tree[0] == "term":
        return [tree[1]]
    return [t for child in tree[1] for t in positive_terms(child)]


# --- SQL ---------------------------------------------------------------------------------

def index_for(term):
    """'trigram' (3+ characters), 'bigram' (two letters or digits) or 'like'."""
    if len(term) >= 3:
        return "trigram"
    if _WORD_CHARS.fullmatch(term) and len(term) == 2:
        return "bigram"
    return "like"


def _quote(term):
    return '"' + term.replace('"', '""') + '"'


def _like_pattern(term):
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


_TRIGRAM = "d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)"
_LIKE = "(COALESCE(d.title, '') LIKE ? ESCAPE '\\' OR COALESCE(d.body, '') LIKE ? ESCAPE '\\')"
# A document waiting in search_queue is not (or not in its current text) in the bigram
# index yet: it is searched by LIKE until store.search_index has indexed it.
_BIGRAM = ("((d.rowid IN (SELECT rowid FROM search_bigrams WHERE search_bigrams MATCH ?)"
           " AND d.rowid NOT IN (SELECT rowid FROM search_queue))"
           " OR d.rowid IN (SELECT q.rowid FROM search_queue q JOIN documents x ON x.rowid = q.rowid"
           " WHERE COALESCE(x.title, '') LIKE ? ESCAPE '\\' OR COALESCE(x.body, '') LIKE ? ESCAPE '\\'))")


def _compile(node):
    """('fts', expression) when the trigram index answers the whole node in one MATCH,
    else ('sql', condition, params)."""
    kind = node[0]
    if kind == "term":
        term = node[1]
        how = index_for(term)
        if how == "trigram":
            return ("fts", _quote(term))
        if how == "bigram":
            return ("sql", _BIGRAM, [_quote(term), _like_pattern(term), _like_pattern(term)])
        return ("sql", _LIKE, [_like_pattern(term), _like_pattern(term)])
    if kind == "not":
        condition, values = _sql(_compile(node[1]))
        return ("sql", "NOT " + condition, values)
    parts = [_compile(child) for child in node[1]]
    if kind == "or":
        fts = [p[1] for p in parts if p[0] == "fts"]
        if len(fts) == len(parts):
            return ("fts", "(" + " OR ".join(fts) + ")")
        sqls = ([_sql(("fts", "(" + " OR ".join(fts) + ")"))] if fts else []) + [_sql(p) for p in parts if p[0] == "sql"]
        return ("sql", "(" + " OR ".join(s for s, _ in sqls) + ")", [v for _, ps in sqls for v in ps])
    # and: FTS5 takes 'a AND b NOT c' in one MATCH when it has a positive part
    positive = [p[1] for p in parts if p[0] == "fts"]
    inner = [_compile(child[1]) if child[0] == "not" else None for child in node[1]]
    negative = [i for i, p in enumerate(inner) if positive and p and p[0] == "fts"]
    others = [p for i, p in enumerate(parts) if p[0] == "sql" and i not in negative]
    fts = None
    if positive:
        fts = "(" + " AND ".join(positive) + ")"
        for i in negative:
            fts = f"({fts} NOT {inner[i][1]})"
    if fts and not others:
        return ("fts", fts)
    sqls = ([_sql(("fts", fts))] if fts else []) + [_sql(p) for p in others]
    return ("sql", "(" + " AND ".join(s for s, _ in sqls) + ")", [v for _, ps in sqls for v in ps])


def _sql(part):
    if part[0] == "fts":
        return _TRIGRAM, [part[1]]
    return "(" + part[1] + ")", part[2]


def sql_condition(text, params, aliases=None):
    """The SQL condition (on documents d) for a search text, its values appended to params;
    None for a blank text."""
    tree = parse(text, aliases)
    if tree is None:
        return None
    condition, values = _sql(_compile(tree))
    params.extend(values)
    return condition
