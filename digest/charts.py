"""The digest's two small charts (12-week volume, negative share) as PNG bytes."""
import io
import logging

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402

log = logging.getLogger(__name__)
KOREAN_FONTS = ("Noto Sans CJK KR", "NanumGothic", "Malgun Gothic", "AppleGothic", "UnDotum")
BLUE, RED, GREY = "#2f5d9e", "#c0392b", "#888888"


NO_FONT = "no Korean font for the digest charts (install fonts-noto-cjk): digests are sent without charts"
_rebuilt = []  # the font cache is rebuilt at most once per process


def _known_korean_font():
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in KOREAN_FONTS if name in names), None)


def korean_font():
    """The first Korean font matplotlib knows, or None. When none is known, matplotlib's font
    cache is rebuilt once: a cache built before the font was installed does not list it, and
    charts would print Korean as empty boxes."""
    font = _known_korean_font()
    if font is None and not _rebuilt:
        _rebuilt.append(True)
        fresh = font_manager._load_fontmanager(try_read_cache=False)
        font_manager.fontManager.__dict__.update(fresh.__dict__)  # in place: other modules hold this object
        font_manager.FontManager._findfont_cached.cache_clear()
        font = _known_korean_font()
        log.info("matplotlib font cache rebuilt: Korean font %s", font or "still missing")
    return font


def _figure(font):
    rc = {"font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
    if font:
        rc["font.family"] = font
    with plt.rc_context(rc):
        fig, ax = plt.subplots(figsize=(6.0, 2.2), dpi=110)
    return fig, ax, rc


def _png(fig):
    buf = io.BytesIO()
    fig.tight_layout()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def _labels(series, with_n=False):
    """'11.16' per week (its Monday); with_n: the articles with a sentiment under it."""
    return [s["week"][5:].replace("-", ".") + (f"\nn={s.get('labelled', 0)}" if with_n else "") for s in series]


def _xticks(ax, series, with_n=False):
    ax.set_xticks(range(len(series)), _labels(series, with_n))
    ax.tick_params(axis="x", labelsize=7)
    ax.set_xlabel("주 (월요일 시작)", fontsize=8)


def volume_chart(series, font=None):
    """Every week of the 12 (zeros drawn), whole-number ticks from 0."""
    from matplotlib.ticker import MaxNLocator
    fig, ax, rc = _figure(font or korean_font())
    with plt.rc_context(rc):
        values = [s["articles"] for s in series]
        colors = [GREY] * (len(values) - 1) + [BLUE]
        ax.bar(range(len(values)), values, color=colors)
        _xticks(ax, series)
        ax.set_ylim(0, max(values + [1]) * 1.15)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.set_ylabel("기사 수 (건)", fontsize=8)
        ax.set_title("주별 관련 기사 수 (최근 12주, 마지막 막대가 이번 주)", loc="left")
        return _png(fig)


def negative_chart(series, font=None):
    """Negative share per week; n under each week is the number of articles it is a share of
    (a week without articles has no share: a gap, not 0%)."""
    fig, ax, rc = _figure(font or korean_font())
    with plt.rc_context(rc):
        xs = range(len(series))
        ys = [None if s["negative_share"] is None else s["negative_share"] * 100 for s in series]
        ax.plot(xs, [float("nan") if y is None else y for y in ys], color=RED, marker="o", markersize=3)
        ax.set_ylim(0, max([y for y in ys if y is not None] + [10]) * 1.2)
        ax.set_ylabel("부정 비율 (%)", fontsize=8)
        ax.set_title("주별 부정 기사 비율 (%, n = 논조가 분류된 기사 수)", loc="left")
        _xticks(ax, series, with_n=True)
        return _png(fig)


def digest_charts(series):
    """{content-id stem: png bytes} for the HTML to reference as cid:; empty (and an error
    logged) when no Korean font exists, rather than charts whose labels are empty boxes."""
    font = korean_font()
    if font is None:
        log.error(NO_FONT)
        return {}
    return {"volume": volume_chart(series, font), "negative": negative_chart(series, font)}
