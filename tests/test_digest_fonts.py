"""The digest charts' Korean: the chosen font really has Hangul glyphs, the rendered charts
draw no empty boxes, a stale matplotlib font cache does not matter, and without any such
font the digest goes out without charts, says so in the mail, the log and `status`."""
import argparse
import logging
import warnings

import pytest
from matplotlib import font_manager, ft2font

from digest import fonts
from digest.charts import digest_charts, volume_chart
from digest.mail import build_message
from digest.render import NO_CHARTS

SERIES = [{"week": f"2026-W{w:02d}", "articles": w % 5 + 1, "negative_share": (w % 3) / 10} for w in range(36, 48)]


@pytest.fixture(autouse=True)
def fresh_choice():
    fonts.reset()
    yield
    fonts.reset()


def missing_glyph_warnings(render):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = render()
    return out, [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_chosen_font_maps_hangul_to_glyphs_and_matplotlib_resolves_it():
    name, path = fonts.korean_font(), fonts.korean_font_file()
    assert name and path
    charmap = ft2font.FT2Font(str(path)).get_charmap()
    for syllable in "가경찰":
        assert charmap.get(ord(syllable), 0) != 0, syllable  # glyph 0 is .notdef, the empty box
    resolved = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
    assert resolved == str(path)


def test_bundled_nanum_font_is_found_without_debian_fonts(monkeypatch):
    monkeypatch.setattr(fonts, "system_font_files", lambda: [])
    assert fonts.korean_font_file().name == "NanumGothic.ttf"
    assert fonts.korean_font() == "NanumGothic"


def test_rendered_charts_have_no_empty_boxes(monkeypatch):
    charts, missing = missing_glyph_warnings(lambda: digest_charts(SERIES))
    assert set(charts) == {"volume", "negative"} and missing == []
    empty = [dict(s, articles=0, negative_share=None) for s in SERIES]  # axes around 0 get negative ticks
    assert missing_glyph_warnings(lambda: digest_charts(empty))[1] == []
    # the same check does see boxes: a font without Hangul warns for every syllable
    monkeypatch.setattr("digest.charts.korean_font", lambda: "DejaVu Sans")
    boxed, missing = missing_glyph_warnings(lambda: volume_chart(SERIES))
    assert any("HANGUL SYLLABLE" in m for m in missing), missing
    assert boxed != charts["volume"]


def test_font_installed_after_the_font_cache_was_built_is_used(monkeypatch):
    """Simulate a cache built before fonts-noto-cjk was installed: matplotlib's list knows
    no Hangul font and the bundled one is absent; the installed file is still found."""
    installed = [p for p in fonts.system_font_files() if fonts.covers_hangul(p)]
    if not installed:
        pytest.skip("environment: no system font with Hangul (apt-get install fonts-noto-cjk)")
    stale = [f for f in font_manager.fontManager.ttflist if not fonts.covers_hangul(f.fname)]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", stale)
    monkeypatch.setattr(fonts, "bundled_font_files", lambda: [])
    name = fonts.korean_font()
    assert fonts.korean_font_file() == installed[0] and name
    _, missing = missing_glyph_warnings(lambda: volume_chart(SERIES))
    assert missing == []


def test_without_any_hangul_font_the_digest_goes_without_charts_and_says_so(monkeypatch, caplog, capsys, db_path):
    monkeypatch.setattr(fonts, "bundled_font_files", lambda: [])
    monkeypatch.setattr(fonts, "system_font_files", lambda: [])
    with caplog.at_level(logging.ERROR, logger="digest.fonts"):
        assert digest_charts(SERIES) == {}
    assert fonts.MISSING_HELP in caplog.text
    from digest.build import build_digest
    import store
    ctx = build_digest(store.open_db(db_path), "2026-W47")
    msg = build_message(ctx, "monitor@test.example", {"email": "staff@example.org"})
    assert [p.get_content_type() for p in msg.walk() if p.get_content_maintype() == "image"] == []
    assert NO_CHARTS in msg.get_body(("html",)).get_content()
    from store import cli_status
    assert cli_status.run(argparse.Namespace(db=str(db_path), json=False)) == 0
    assert "주간 메일 차트: 없음" in capsys.readouterr().out
