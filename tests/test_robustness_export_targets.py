"""`export --out` never overwrites the database (nor its -wal/-shm files), and an existing
file or sidecar only with --force; the .meta.json sidecar is written atomically."""
import sqlite3

import pytest

import monitor
import store
from store.synthetic import seed_synthetic


def export(db_path, *argv):
    return monitor.main(["--db", str(db_path), "export", *map(str, argv)])


@pytest.fixture
def seeded(db, db_path):
    seed_synthetic(db, 30, days=10, end_date="2026-03-05", seed=3)
    db.conn.commit()
    return db_path


def documents_in(db_path):
    conn = sqlite3.connect(str(db_path))
    try:
        return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.parametrize("dataset", [["documents", "--relevance", "all"], ["events"]])
@pytest.mark.parametrize("target", ["{db}", "{db}-wal", "{link}"])
def test_the_database_is_never_overwritten(seeded, tmp_path, capsys, target, dataset):
    before = seeded.read_bytes()
    link = tmp_path / "alias.db"
    link.symlink_to(seeded)
    out = target.format(db=seeded, link=link)
    for force in ([], ["--force"]):
        assert export(seeded, *dataset, "--out", out, *force) == 2
        assert "refusing to overwrite the database" in capsys.readouterr().err
    assert seeded.read_bytes() == before and documents_in(seeded) == 30


def test_a_sidecar_that_would_be_the_database_is_refused(tmp_path, capsys):
    db_path = tmp_path / "store.csv.meta.json"  # `--out store.csv` would put its sidecar here
    db = store.open_db(db_path)
    seed_synthetic(db, 30, days=10, end_date="2026-03-05", seed=3)
    db.conn.close()
    assert export(db_path, "documents", "--relevance", "all", "--out", tmp_path / "store.csv", "--force") == 2
    assert "refusing to overwrite the database" in capsys.readouterr().err
    assert documents_in(db_path) == 30 and not (tmp_path / "store.csv").exists()


def test_events_export_needs_force_for_an_existing_file(seeded, tmp_path, capsys):
    out = tmp_path / "events.csv"
    out.write_text("keep me", encoding="utf-8")
    assert export(seeded, "events", "--out", out) == 2
    assert "already exists; add --force" in capsys.readouterr().err and out.read_text(encoding="utf-8") == "keep me"
    assert export(seeded, "events", "--out", out, "--force") == 0
    assert out.read_text(encoding="utf-8-sig").startswith("id,date")


def test_an_existing_file_needs_force(seeded, tmp_path, capsys):
    out = tmp_path / "docs.csv"
    out.write_text("keep me", encoding="utf-8")
    assert export(seeded, "documents", "--relevance", "all", "--out", out) == 2
    assert "already exists; add --force" in capsys.readouterr().err and out.read_text(encoding="utf-8") == "keep me"
    assert export(seeded, "documents", "--relevance", "all", "--out", out, "--force") == 0
    assert out.read_text(encoding="utf-8-sig").startswith("id,url")
    # the sidecar counts as an existing file too
    fresh = tmp_path / "fresh.csv"
    (tmp_path / "fresh.csv.meta.json").write_text("{}", encoding="utf-8")
    assert export(seeded, "documents", "--out", fresh) == 2 and not fresh.exists()
    assert "fresh.csv.meta.json already exists" in capsys.readouterr().err


def test_sidecar_is_replaced_by_rename_not_written_through(seeded, tmp_path):
    out = tmp_path / "out" / "docs.json"
    out.parent.mkdir()
    precious = tmp_path / "precious.txt"
    precious.write_text("do not touch", encoding="utf-8")
    (out.parent / "docs.json.meta.json").symlink_to(precious)  # a link left where the sidecar goes
    assert export(seeded, "documents", "--relevance", "all", "--out", out, "--force") == 0
    assert precious.read_text(encoding="utf-8") == "do not touch"
    sidecar = out.parent / "docs.json.meta.json"
    assert not sidecar.is_symlink() and '"row_count": 30' in sidecar.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.parent.iterdir()) == ["docs.json", "docs.json.meta.json"]  # no temporary left
