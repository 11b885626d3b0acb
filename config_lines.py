"""'file:line' of a key in a TOML text, so every config error names where to fix it
(config/settings.toml: digest/settings.py; config/sources.toml [crawl]: crawler/config.py)."""
import re


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
