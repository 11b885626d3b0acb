"""Reading the TOML config files with one set of clear errors, and 'file:line' of a key in
a TOML text, so every config error names where to fix it (config/settings.toml:
digest/settings.py; config/sources.toml: crawler/config.py; config/events.toml: events/config.py)."""
import re
import tomllib


def read_toml(path, error, what):
    """(text, parsed data) of a UTF-8 TOML file; `error(message)` is raised with a one-line
    Korean/English message naming the file when it is missing, unreadable, not UTF-8 or not TOML."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"설정 파일이 없습니다 / {what} file not found: {path}") from None
    except UnicodeDecodeError:
        raise error(f"{path} is not UTF-8 text: save it as UTF-8 / UTF-8로 저장하세요") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} file ({exc.strerror or exc})") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: TOML 문법 오류 / not valid TOML: {exc}") from None


def where(path, text, section, key=None):
    """'file:line' of `key` in [section] (or of the section header), 'file' if not found."""
    current = None
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            current = stripped.strip("[]").strip()
            if key is None and current == section:
                return f"{path}:{number}"
        elif current == section and key and re.match(rf'"?{re.escape(key)}"?\s*=', stripped):
            return f"{path}:{number}"
    return str(path)
