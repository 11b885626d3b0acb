"""The font with Hangul glyphs for the digest charts (one place for every chart).

Where it comes from, in order: the NanumGothic files inside the pinned
`koreanize-matplotlib` wheel (found without importing that package, whose import changes
matplotlib's global settings), then any installed font whose character map covers Hangul
(fonts-noto-cjk, Nanum, ...). The chosen file is registered with matplotlib's font_manager
by path, so it works without Debian fonts and when a font was installed after matplotlib
built its font cache. When no such font exists, `korean_font()` is None: the digest then
goes out without charts (boxes instead of Korean would be worse) and `status` says so.
"""
import functools
import importlib.util
import logging
from pathlib import Path

log = logging.getLogger(__name__)
HANGUL_PROBE = "가경찰위원회주별기사수부정비율"  # syllables the chart titles use
BUNDLED_PACKAGE = "koreanize_matplotlib"
MISSING_HELP = ("한글 글꼴이 없어 주간 메일을 차트 없이 보냅니다 / no font with Hangul glyphs: the digest is sent "
                "without charts (pip install -r requirements.txt installs koreanize-matplotlib, or apt-get install "
                "fonts-noto-cjk)")


def bundled_font_files():
    """NanumGothic*.ttf shipped inside koreanize-matplotlib (regular weight first)."""
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(list(spec.submodule_search_locations)[0]) / "fonts"
    return sorted(folder.glob("NanumGothic*.ttf"), key=lambda p: (p.name != "NanumGothic.ttf", p.name))


def system_font_files():
    """Installed font files, likely Korean ones first (found afresh, not from matplotlib's cache)."""
    from matplotlib import font_manager
    hints = ("nanum", "cjk", "gothic", "un")
    return sorted((Path(p) for p in font_manager.findSystemFonts()),
                  key=lambda p: (not any(h in p.name.lower() for h in hints), str(p)))


def covers_hangul(path):
    """True when the font file maps every syllable of HANGUL_PROBE to a glyph."""
    from matplotlib import ft2font
    try:
        charmap = ft2font.FT2Font(str(path)).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in HANGUL_PROBE)


def register(path):
    """Add the font file to matplotlib; returns the family name charts should ask for."""
    from matplotlib import font_manager
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


@functools.lru_cache(maxsize=None)
def korean_font_file():
    """The first bundled or installed font file covering Hangul, or None."""
    for path in [*bundled_font_files(), *system_font_files()]:
        if covers_hangul(path):
            return path
    return None


@functools.lru_cache(maxsize=None)
def korean_font():
    """Family name of a registered font with Hangul glyphs, or None (logged as an error)."""
    path = korean_font_file()
    if path is None:
        log.error(MISSING_HELP)
        return None
    return register(path)


def reset():
    """Forget the choice (tests; a font installed while the process runs)."""
    korean_font_file.cache_clear()
    korean_font.cache_clear()
