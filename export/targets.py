"""Where an export may write: never over the store, over an existing file only with --force
(`monitor.py export trends|documents|events`)."""
from pathlib import Path

from export.meta import sidecar_path
from export.writers import ExportError

FORCE_HELP = "overwrite OUT and OUT.meta.json if they exist (never the database)"


def check_targets(out, db_path, force=False):
    """Refuse to write over the database (or its -wal/-shm/-journal files), ever, and over an
    existing file without --force; both OUT and its OUT.meta.json sidecar are checked."""
    database = {Path(str(db_path) + suffix).resolve() for suffix in ("", "-wal", "-shm", "-journal")}
    for target in (Path(out), sidecar_path(out)):
        if target.resolve() in database or any(target.exists() and p.exists() and target.samefile(p) for p in database):
            raise ExportError(f"데이터베이스를 덮어쓸 수 없습니다 / refusing to overwrite the database with {target}; "
                              "choose another --out")
        if target.exists() and not force and not target.is_dir():
            raise ExportError(f"이미 있는 파일입니다 / {target} already exists; add --force to overwrite it "
                              "or choose another --out")
