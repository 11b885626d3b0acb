"""Shared fixtures: a fresh store, the bundled sample site on 127.0.0.1, a tiny model."""
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "monitor.db"


@pytest.fixture
def db(db_path):
    import store
    database = store.open_db(db_path)
    yield database
    database.conn.close()


@pytest.fixture(scope="session")
def sample_site():
    from crawler.sample_site import serve
    site = serve()
    yield site
    site.close()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A 2-layer randomly initialised encoder with the real tokenizer (fast tests), its
    classifier bundle built once (child processes given `--model` find it ready)."""
    from tiny_model import build_tiny_bundle, build_tiny_model
    path = build_tiny_model(tmp_path_factory.mktemp("tiny_model"))
    build_tiny_bundle(path)
    return path
