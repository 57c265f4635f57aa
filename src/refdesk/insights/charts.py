"""Server-rendered SVG charts: horizontal bars, one or two series. No JavaScript, no inline styles.

Colours come from classes in `insights/insights.css`; sizes are SVG attributes, which the
Content-Security-Policy allows (it forbids only `style` attributes and `<style>` elements).
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ROW = 24
LABEL_W = 190
BAR_W = 300
VALUE_W = 90
TOP = 8


def _fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        text = f"{value:,.1f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    else:
        text = f"{value:,}"
    return f"{text}{' ' + unit if unit and unit != '%' else unit}"


def _label(text: str, limit: int = 28) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bar_chart(
    items: list[dict],
    *,
    title: str,
    unit: str = "",
    kind: str = "bars",
    series: tuple[str, str] = ("", ""),
) -> SafeString:
    """Bars for `items` ({"label", "value", "value2"?, "flag"?}); `kind="pairs"` draws value and value2 side by side."""
    pairs = kind == "pairs"
    values = [float(i.get("value") or 0) for i in items] + (
        [float(i.get("value2") or 0) for i in items] if pairs else []
    )
    top = max(values, default=0) or 1.0
    row_h = ROW + (10 if pairs else 0)
    legend_h = 20 if pairs and any(series) else 0
    height = TOP + legend_h + max(1, len(items)) * row_h + 4
    width = LABEL_W + BAR_W + VALUE_W
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    if legend_h:
        parts.append(f'<rect class="bar" x="{LABEL_W}" y="{TOP}" width="12" height="10"/>'
                     f'<text class="legend" x="{LABEL_W + 16}" y="{TOP + 9}">{escape(series[0])}</text>'
                     f'<rect class="bar bar-b" x="{LABEL_W + 120}" y="{TOP}" width="12" height="10"/>'
                     f'<text class="legend" x="{LABEL_W + 136}" y="{TOP + 9}">{escape(series[1])}</text>')  # fmt: skip
    if not items:
        parts.append(
            f'<text class="empty" x="{LABEL_W}" y="{TOP + legend_h + 16}">Nothing in this period.</text>'
        )
    for n, item in enumerate(items):
        y = TOP + legend_h + n * row_h
        flag = " bar-flag" if item.get("flag") else ""
        parts.append(f'<text class="label" x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end">{escape(_label(item.get("label", "")))}'
                     f'<title>{escape(item.get("label", ""))}</title></text>')  # fmt: skip
        bars = [("value", "bar" + flag, 0)] + ([("value2", "bar bar-b", 13)] if pairs else [])
        for key, cls, dy in bars:
            value = item.get(key)
            w = 0 if value is None else max(1, round(BAR_W * float(value) / top)) if value else 0
            h = 11 if pairs else 16
            parts.append(
                f'<rect class="{cls}" x="{LABEL_W}" y="{y + 3 + dy}" width="{w}" height="{h}"/>'
            )
            parts.append(
                f'<text class="value" x="{LABEL_W + w + 4}" y="{y + 3 + dy + h - 2}">{escape(_fmt(value, unit))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))
