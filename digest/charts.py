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


def _korean_font():
    names = {f.name for f in font_manager.fontManager.ttflist}
    for name in KOREAN_FONTS:
        if name in names:
            return name
    log.warning("no Korean font found for charts (install fonts-noto-cjk); labels may show boxes")
    return None


def _figure():
    font = _korean_font()
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


def _labels(series):
    return [s["week"][5:].replace("-", ".") for s in series]


def _xticks(ax, series):
    ax.set_xticks(range(len(series)), _labels(series))


def volume_chart(series):
    fig, ax, rc = _figure()
    with plt.rc_context(rc):
        values = [s["articles"] for s in series]
        colors = [GREY] * (len(values) - 1) + [BLUE]
        ax.bar(range(len(values)), values, color=colors)
        _xticks(ax, series)
        ax.set_title("주별 관련 기사 수 (최근 12주, 마지막 막대가 이번 주)", loc="left")
        ax.tick_params(axis="x", labelsize=7)
        return _png(fig)


def negative_chart(series):
    fig, ax, rc = _figure()
    with plt.rc_context(rc):
        xs = range(len(series))
        ys = [None if s["negative_share"] is None else s["negative_share"] * 100 for s in series]
        ax.plot(xs, [float("nan") if y is None else y for y in ys], color=RED, marker="o", markersize=3)
        ax.set_ylim(0, max([y for y in ys if y is not None] + [10]) * 1.2)
        ax.set_title("주별 부정 기사 비율 (%)", loc="left")
        _xticks(ax, series)
        ax.tick_params(axis="x", labelsize=7)
        return _png(fig)


def digest_charts(series):
    """{content-id stem: png bytes} for the HTML to reference as cid:."""
    return {"volume": volume_chart(series), "negative": negative_chart(series)}
