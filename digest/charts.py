"""The digest's two small charts (12-week volume, negative share) as PNG bytes."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from digest.fonts import korean_font  # noqa: E402

BLUE, RED, GREY = "#2f5d9e", "#c0392b", "#888888"


def _figure():
    rc = {"font.size": 9, "axes.spines.top": False, "axes.spines.right": False, "font.family": korean_font(),
          "axes.unicode_minus": False}  # NanumGothic has no U+2212: an empty week's axis showed a box
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
    """{content-id stem: png bytes} for the HTML to reference as cid:; empty when no font
    with Hangul exists (digest.fonts logs it): no charts rather than charts of empty boxes."""
    if korean_font() is None:
        return {}
    return {"volume": volume_chart(series), "negative": negative_chart(series)}
