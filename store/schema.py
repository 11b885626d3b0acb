"""Schema, created and migrated forward by code. The version lives in PRAGMA user_version.

Each migration is an SQL script run once, in order, inside a transaction. Never edit a
released migration: add a new one.
"""


_V1_CORE = """
    CREATE TABLE sources (
        name TEXT PRIMARY KEY, kind TEXT NOT NULL, type TEXT NOT NULL, url TEXT, region TEXT,
        outlet TEXT, enabled INTEGER NOT NULL DEFAULT 1, config TEXT,
        last_ok TEXT, last_error TEXT, last_error_at TEXT, error_count INTEGER NOT NULL DEFAULT 0,
        updated_at TEXT
    );
    CREATE TABLE documents (
        id TEXT PRIMARY KEY, url TEXT NOT NULL, canonical_url TEXT NOT NULL UNIQUE,
        source TEXT, kind TEXT, outlet TEXT, title TEXT, summary TEXT, body TEXT, lang TEXT,
        author TEXT, published_at TEXT, pub_date TEXT, date_source TEXT,
        fetched_at TEXT, updated_at TEXT, content_hash TEXT, simhash INTEGER,
        cluster_id TEXT, duplicate_of TEXT, region_hint TEXT
    );
    CREATE INDEX idx_documents_pub_date ON documents(pub_date);
    CREATE INDEX idx_documents_cluster ON documents(cluster_id);
    CREATE INDEX idx_documents_hash ON documents(content_hash);
    CREATE INDEX idx_documents_source ON documents(source);
    CREATE TABLE classifications (
        document_id TEXT NOT NULL REFERENCES documents(id), model_version TEXT NOT NULL,
        model_id TEXT, relevant INTEGER, relevance_score REAL, sentiment TEXT,
        sentiment_scores TEXT, topics TEXT, topic_scores TEXT, regions TEXT, classified_at TEXT,
        PRIMARY KEY (document_id, model_version)
    );
    CREATE TABLE annotations (
        id INTEGER PRIMARY KEY, document_id TEXT NOT NULL REFERENCES documents(id),
        relevant INTEGER, sentiment TEXT, topics TEXT, regions TEXT, note TEXT,
        annotator TEXT NOT NULL, created_at TEXT NOT NULL
    );
    CREATE INDEX idx_annotations_doc ON annotations(document_id);
    CREATE TABLE crawl_runs (
        id INTEGER PRIMARY KEY, source TEXT NOT NULL, started_at TEXT, finished_at TEXT,
        new INTEGER DEFAULT 0, duplicate INTEGER DEFAULT 0, failed INTEGER DEFAULT 0,
        status TEXT, error TEXT
    );
    CREATE INDEX idx_crawl_runs_source ON crawl_runs(source, started_at);
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY, week TEXT NOT NULL, recipient TEXT NOT NULL, region TEXT,
        status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, error TEXT,
        created_at TEXT, sent_at TEXT, UNIQUE (week, recipient)
    );
    -- Full-text index; trigram so Korean words match inside 조사-attached forms.
    CREATE VIRTUAL TABLE documents_fts USING fts5(
        title, body, content='documents', content_rowid='rowid', tokenize='trigram'
    );
    CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);
    END;
    CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
    END;
    CREATE TRIGGER documents_au AFTER UPDATE OF title, body ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body);
        INSERT INTO documents_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body);
    END;
"""


# v2: effective labels (the newest classification with human corrections on top) and spikes.
_V2_LABELS_AND_SPIKES = """
    CREATE TABLE labels (
        document_id TEXT PRIMARY KEY REFERENCES documents(id), model_version TEXT,
        relevant INTEGER, relevance_score REAL, sentiment TEXT, topics TEXT, regions TEXT,
        origin TEXT, updated_at TEXT
    );
    CREATE INDEX idx_labels_rel_sent ON labels(relevant, sentiment);
    CREATE TABLE label_topics (document_id TEXT NOT NULL, topic TEXT NOT NULL, PRIMARY KEY (document_id, topic));
    CREATE INDEX idx_label_topics_topic ON label_topics(topic);
    CREATE TABLE label_regions (document_id TEXT NOT NULL, region TEXT NOT NULL, PRIMARY KEY (document_id, region));
    CREATE INDEX idx_label_regions_region ON label_regions(region);
    CREATE TABLE spikes (
        id INTEGER PRIMARY KEY, day TEXT NOT NULL, metric TEXT NOT NULL, scope TEXT NOT NULL,
        key TEXT NOT NULL, value REAL, baseline REAL, threshold REAL, zscore REAL,
        detected_at TEXT, alerted_at TEXT, UNIQUE (day, metric, scope, key)
    );
"""


# Pages of the documents export/API walk this index in their (date, time, id) order instead
# of sorting every match; it replaces the pub_date-only index, its prefix.
_V3_DOCUMENT_ORDER_INDEX = """
DROP INDEX IF EXISTS idx_documents_pub_date;
CREATE INDEX idx_documents_day_order ON documents(pub_date, published_at, id);
"""


# v4: one row per service job run (crawl cycle, backup) for `status`, /healthz and /metrics.
_V4_JOB_RUNS = """
CREATE TABLE job_runs (
    id INTEGER PRIMARY KEY, job TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT,
    status TEXT NOT NULL, seconds REAL, detail TEXT, error TEXT
);
CREATE INDEX idx_job_runs_job ON job_runs(job, status, finished_at);
"""


# v5: classifier features that do not depend on the trained heads (nlp/feature_cache.py):
# float16 embeddings keyed by (hash of the embedded text, encoder key) and Kiwi content
# morphemes keyed by (text hash, analyser key), so a retrain re-labels without re-encoding.
_V5_FEATURE_CACHE = """
CREATE TABLE embedding_cache (
    text_hash TEXT NOT NULL, encoder_key TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (text_hash, encoder_key)
) WITHOUT ROWID;
CREATE TABLE morpheme_cache (
    text_hash TEXT NOT NULL, analyzer_key TEXT NOT NULL, tokens TEXT NOT NULL,
    PRIMARY KEY (text_hash, analyzer_key)
) WITHOUT ROWID;
"""


# v6: policy events drawn on the timelines (events/): bills, law and decree revisions, milestones
# from config/events.toml, staff notes. A collected event is keyed by (source, external_id);
# staff notes have no external id.
_V6_EVENTS = """
CREATE TABLE events (
    id INTEGER PRIMARY KEY, date TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
    url TEXT, region TEXT, note TEXT, source TEXT NOT NULL, external_id TEXT, detail TEXT,
    author TEXT, updated_by TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX idx_events_date ON events(date);
"""


# v7 (#20), part 1: the bigram index for 2-character search words and its queue (store/search_index.py).
# search_queue holds every document whose current text is not in search_bigrams yet;
# `indexed = 1` rows keep the text the index holds, which comes out before the new text goes in.
_SEARCH_BIGRAMS = """
CREATE VIRTUAL TABLE search_bigrams USING fts5(grams, content='', detail='none', tokenize='ascii');
CREATE TABLE search_queue (rowid INTEGER PRIMARY KEY, indexed INTEGER NOT NULL DEFAULT 0, old_title TEXT, old_body TEXT);
INSERT INTO search_queue(rowid) SELECT rowid FROM documents;
CREATE TRIGGER search_queue_ai AFTER INSERT ON documents BEGIN
    INSERT INTO search_queue(rowid) SELECT NEW.rowid
    WHERE NOT EXISTS (SELECT 1 FROM search_queue WHERE rowid = NEW.rowid);
END;
CREATE TRIGGER search_queue_au AFTER UPDATE OF title, body ON documents BEGIN
    INSERT INTO search_queue(rowid, indexed, old_title, old_body) SELECT OLD.rowid, 1, OLD.title, OLD.body
    WHERE NOT EXISTS (SELECT 1 FROM search_queue WHERE rowid = OLD.rowid);
END;
CREATE TRIGGER search_queue_ad AFTER DELETE ON documents BEGIN
    INSERT INTO search_queue(rowid, indexed, old_title, old_body) SELECT OLD.rowid, 1, OLD.title, OLD.body
    WHERE NOT EXISTS (SELECT 1 FROM search_queue WHERE rowid = OLD.rowid);
    DELETE FROM search_queue WHERE rowid = OLD.rowid AND indexed = 0;
END;
"""


# v7 (#20), part 2: each document's terms (Kiwi nouns and compounds, named entities; nlp/terms.py)
# and their daily counts (store/terms.py). term_queue: documents whose terms are not current;
# term_dirty: days whose daily counts must be recomputed (labels, dates or terms changed).
_TERMS = """
CREATE TABLE term_vocab (id INTEGER PRIMARY KEY, term TEXT NOT NULL UNIQUE, kind TEXT NOT NULL DEFAULT 'noun');
CREATE TABLE doc_terms (doc INTEGER NOT NULL, term INTEGER NOT NULL, PRIMARY KEY (doc, term)) WITHOUT ROWID;
CREATE INDEX idx_doc_terms_term ON doc_terms(term, doc);
CREATE TABLE doc_sentences (doc INTEGER PRIMARY KEY, sentences TEXT NOT NULL);
CREATE TABLE term_queue (rowid INTEGER PRIMARY KEY);
INSERT INTO term_queue(rowid) SELECT rowid FROM documents;
CREATE TABLE term_dirty (day TEXT PRIMARY KEY);
-- bumped whenever stored terms or their daily counts change: readers cache under it
CREATE TABLE term_state (id INTEGER PRIMARY KEY CHECK (id = 1), generation INTEGER NOT NULL);
INSERT INTO term_state VALUES (1, 0);
CREATE TABLE term_base (day TEXT NOT NULL, source_kind TEXT, sentiment TEXT, term INTEGER NOT NULL, docs INTEGER NOT NULL);
CREATE INDEX idx_term_base ON term_base(day, source_kind, sentiment, term, docs);
CREATE TABLE term_region (day TEXT NOT NULL, region TEXT NOT NULL, source_kind TEXT, sentiment TEXT,
    term INTEGER NOT NULL, docs INTEGER NOT NULL);
CREATE INDEX idx_term_region ON term_region(day, region, source_kind, sentiment, term, docs);
CREATE TRIGGER term_queue_ai AFTER INSERT ON documents BEGIN
    INSERT INTO term_queue(rowid) SELECT NEW.rowid WHERE NOT EXISTS (SELECT 1 FROM term_queue WHERE rowid = NEW.rowid);
END;
CREATE TRIGGER term_queue_au AFTER UPDATE OF title, body ON documents BEGIN
    INSERT INTO term_queue(rowid) SELECT NEW.rowid WHERE NOT EXISTS (SELECT 1 FROM term_queue WHERE rowid = NEW.rowid);
END;
CREATE TRIGGER term_docs_ad AFTER DELETE ON documents BEGIN
    DELETE FROM doc_terms WHERE doc = OLD.rowid;
    DELETE FROM doc_sentences WHERE doc = OLD.rowid;
    DELETE FROM term_queue WHERE rowid = OLD.rowid;
    INSERT INTO term_dirty(day) SELECT OLD.pub_date WHERE OLD.pub_date IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM term_dirty WHERE day = OLD.pub_date);
END;
CREATE TRIGGER term_dirty_documents_au AFTER UPDATE OF pub_date, kind, duplicate_of ON documents BEGIN
    INSERT INTO term_dirty(day) SELECT OLD.pub_date WHERE OLD.pub_date IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM term_dirty WHERE day = OLD.pub_date);
    INSERT INTO term_dirty(day) SELECT NEW.pub_date WHERE NEW.pub_date IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM term_dirty WHERE day = NEW.pub_date);
END;
""" + "".join(f"""
CREATE TRIGGER term_dirty_{table}_{event[0].lower()} AFTER {event} ON {table} BEGIN
    INSERT INTO term_dirty(day) SELECT pub_date FROM documents
    WHERE id = {'OLD' if event == 'DELETE' else 'NEW'}.document_id AND pub_date IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM term_dirty t WHERE t.day = documents.pub_date);
END;""" for table in ("labels", "label_regions") for event in ("INSERT", "UPDATE", "DELETE"))


_V7_SEARCH_AND_TERMS = _SEARCH_BIGRAMS + _TERMS  # one migration (#20)


# v8: search interest (interest/): Naver DataLab ratios as fetched and rescaled onto the anchor
# group's scale (interest/chaining.py), one row per group x period x unit x slice; the log of
# DataLab requests; calls per API per Korean day (quota); imported awareness survey results.
_V8_SEARCH_INTEREST = """
CREATE TABLE search_interest (
    group_name TEXT NOT NULL, region TEXT, period TEXT NOT NULL, unit TEXT NOT NULL,
    device TEXT NOT NULL DEFAULT 'all', gender TEXT NOT NULL DEFAULT 'all', ages TEXT NOT NULL DEFAULT 'all',
    ratio REAL NOT NULL, value REAL, scale REAL, partial INTEGER NOT NULL DEFAULT 0,
    is_anchor INTEGER NOT NULL DEFAULT 0,
    fetched_at TEXT NOT NULL, request_hash TEXT NOT NULL,
    PRIMARY KEY (group_name, unit, device, gender, ages, period)
);
CREATE INDEX idx_search_interest_unit_period ON search_interest(unit, period);
CREATE TABLE interest_requests (
    request_hash TEXT PRIMARY KEY, unit TEXT, slice TEXT, start_date TEXT, end_date TEXT, groups TEXT,
    status TEXT NOT NULL, error TEXT, scale REAL, chained_by TEXT, fetched_at TEXT NOT NULL
);
CREATE TABLE api_quota (api TEXT NOT NULL, day TEXT NOT NULL, calls INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (api, day));
CREATE TABLE surveys (
    id INTEGER PRIMARY KEY, date TEXT NOT NULL, region TEXT NOT NULL, question TEXT NOT NULL,
    share REAL NOT NULL, n INTEGER NOT NULL, source TEXT NOT NULL, url TEXT, imported_at TEXT NOT NULL,
    UNIQUE (date, region, question, source)
);
"""


# v10: where a document came from (crawl or an imported file and row), how much text it has,
# a title+date+outlet key to find the same article across imports and crawls, the source's
# own metadata (BigKinds people, places, organisations, keywords), and the import runs.
_V10_IMPORTS = """
ALTER TABLE documents ADD COLUMN text_basis TEXT NOT NULL DEFAULT 'full';  -- full | snippet | title
ALTER TABLE documents ADD COLUMN origin_kind TEXT NOT NULL DEFAULT 'crawl';  -- crawl | bigkinds | csv | jsonl
ALTER TABLE documents ADD COLUMN import_file TEXT;
ALTER TABLE documents ADD COLUMN import_sha256 TEXT;
ALTER TABLE documents ADD COLUMN import_row INTEGER;
ALTER TABLE documents ADD COLUMN match_key TEXT;
CREATE INDEX idx_documents_match_key ON documents(match_key);
CREATE INDEX idx_documents_origin ON documents(origin_kind, pub_date);
CREATE TABLE document_metadata (
    document_id TEXT PRIMARY KEY REFERENCES documents(id), source_ref TEXT,
    categories TEXT, events TEXT, people TEXT, places TEXT, organisations TEXT, keywords TEXT, features TEXT
);
CREATE TABLE imports (
    id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL, options TEXT NOT NULL, file TEXT NOT NULL,
    format TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT, finished_at TEXT,
    rows_done INTEGER NOT NULL DEFAULT 0, new INTEGER NOT NULL DEFAULT 0, merged INTEGER NOT NULL DEFAULT 0,
    unchanged INTEGER NOT NULL DEFAULT 0, duplicate INTEGER NOT NULL DEFAULT 0,
    excluded INTEGER NOT NULL DEFAULT 0, bad INTEGER NOT NULL DEFAULT 0,
    UNIQUE (sha256, options)
);
"""


# v9: a digest send is claimed with a lease: who claimed it (host:pid) and when, so a sender
# that died mid-send is told from one still running (digest/send.py).
_V9_DIGEST_CLAIMS = """
ALTER TABLE digests ADD COLUMN claimed_at TEXT;
ALTER TABLE digests ADD COLUMN claimed_by TEXT;
"""


# v11 (#20): saved watchlists (a search text and filters, watchlists/table.py) and their spike
# alert mails, one row per watchlist and day, claimed with a lease like the digest's (watchlists/alerts.py).
_V11_WATCHLISTS = """
CREATE TABLE watchlists (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, query TEXT NOT NULL DEFAULT '',
    filters TEXT NOT NULL DEFAULT '{}', alert INTEGER NOT NULL DEFAULT 0, recipients TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE TABLE watchlist_alerts (
    watchlist_id INTEGER NOT NULL, day TEXT NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, recipients TEXT, spikes TEXT, error TEXT,
    created_at TEXT, claimed_at TEXT, claimed_by TEXT, sent_at TEXT,
    PRIMARY KEY (watchlist_id, day)
);
"""


# v12 (#20, normalised attention): every item a crawl source listed, relevant or not, once per
# (source, canonical URL), keyed by document_id(canonical URL); the denominator of the
# share-of-collection series (store/listings.py). `day`: the listing's Korean date, else the
# crawl's; `document_id`: the stored document the item became (NULL: filtered out or not stored).
_V12_LISTED_ITEMS = """
CREATE TABLE listed_items (
    source TEXT NOT NULL, item_key TEXT NOT NULL, day TEXT NOT NULL, day_source TEXT NOT NULL,
    outlet TEXT, document_id TEXT, first_listed_at TEXT NOT NULL,
    PRIMARY KEY (source, item_key)
) WITHOUT ROWID;
CREATE INDEX idx_listed_items_day ON listed_items(day, source);
CREATE INDEX idx_listed_items_document ON listed_items(document_id);
CREATE INDEX idx_listed_items_first ON listed_items(first_listed_at);  -- newest listing: readers' cache key
"""


# v13 (#17): region evidence (nlp/regions.py) of each (title, cleaned body), keyed by their
# hash and the rules' key, so re-labelling after a retrain does not run the region rules again.
_V13_REGION_CACHE = """
CREATE TABLE region_cache (
    text_hash TEXT NOT NULL, rules_key TEXT NOT NULL, evidence TEXT NOT NULL,
    PRIMARY KEY (text_hash, rules_key)
) WITHOUT ROWID;
"""


MIGRATIONS = [
    _V1_CORE, _V2_LABELS_AND_SPIKES, _V3_DOCUMENT_ORDER_INDEX, _V4_JOB_RUNS, _V5_FEATURE_CACHE, _V6_EVENTS,
    _V7_SEARCH_AND_TERMS, _V8_SEARCH_INTEREST, _V9_DIGEST_CLAIMS, _V10_IMPORTS, _V11_WATCHLISTS,
    _V12_LISTED_ITEMS, _V13_REGION_CACHE,
]
SCHEMA_VERSION = len(MIGRATIONS)


def current_version(db):
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate(db, target=SCHEMA_VERSION):
    """Apply the missing migrations up to `target`; returns the versions applied."""
    version = current_version(db)
    if version > SCHEMA_VERSION:
        raise RuntimeError(
            f"the database has schema version {version}, newer than this program's {SCHEMA_VERSION}; upgrade the program"
        )
    applied = []
    for number in range(version + 1, target + 1):
        # One transaction per migration: it applies whole or not at all.
        try:
            db.conn.executescript(f"BEGIN IMMEDIATE;\n{MIGRATIONS[number - 1]}\nPRAGMA user_version = {number};\nCOMMIT;")
        except Exception:
            if db.conn.in_transaction:
                db.conn.rollback()
            raise
        applied.append(number)
    return applied
