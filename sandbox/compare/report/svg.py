"""Bar charts with interval whiskers as standalone inline SVG: no script, no external file."""

from __future__ import annotations

from html import escape

PALETTE = ("#3b6fd8", "#d8773b", "#2f9e6e", "#a04cc4", "#c43b5a", "#6b7a8f", "#b59a1e", "#1e9bb5")

# (label, value, low, high): a value of None reads "no data"; without both ends, no whisker.
BarRow = tuple[str, float | None, float | None, float | None]


def bar_chart_svg(
    title: str,
    rows: list[BarRow],
    *,
    lo: float,
    hi: float,
    reference: float | None = None,
    percent: bool = False,
    colors: dict[str, str] | None = None,
) -> str:
    """A horizontal bar chart with interval whiskers, as standalone inline SVG (no script)."""
    label_w, chart_w, bar_h, gap, top = 210, 420, 18, 8, 30
    height = top + len(rows) * (bar_h + gap) + 24
    width = label_w + chart_w + 120

    def x(v: float) -> float:
        return label_w + (min(max(v, lo), hi) - lo) / (hi - lo) * chart_w

    def fmt(v: float) -> str:
        return f"{v:.0%}" if percent else (f"{v:.2f}" if hi - lo <= 10 else f"{v:.0f}")

    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{escape(title)}</title>',
        f'<text x="0" y="16" class="chart-title">{escape(title)}</text>',
        f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{height - 20}" stroke="#999"/>',
    ]
    parts += [
        f'<text x="{x(tick):.1f}" y="{height - 6}" text-anchor="middle" class="tick">{fmt(tick)}</text>'
        for tick in (lo, (lo + hi) / 2, hi)
    ]
    if reference is not None:
        parts.append(
            f'<line x1="{x(reference):.1f}" y1="{top - 4}" x2="{x(reference):.1f}" y2="{height - 20}" '
            'stroke="#555" stroke-dasharray="4 3"/>'
        )
    for index, (label, value, low, high) in enumerate(rows):
        y = top + index * (bar_h + gap)
        color = (colors or {}).get(label, PALETTE[index % len(PALETTE)])
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar_h - 4}" text-anchor="end" class="label">{escape(label)}</text>'
        )
        if value is None:
            parts.append(f'<text x="{label_w + 6}" y="{y + bar_h - 4}" class="tick">no data</text>')
            continue
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{max(0.0, x(value) - label_w):.1f}" height="{bar_h}" '
            f'fill="{color}" rx="2"><title>{escape(label)}: {fmt(value)}</title></rect>'
        )
        if low is not None and high is not None:
            mid = y + bar_h / 2
            parts.append(
                f'<g class="whisker" stroke="#222" stroke-width="1.5">'
                f'<line x1="{x(low):.1f}" y1="{mid}" x2="{x(high):.1f}" y2="{mid}"/>'
                f'<line x1="{x(low):.1f}" y1="{y + 3}" x2="{x(low):.1f}" y2="{y + bar_h - 3}"/>'
                f'<line x1="{x(high):.1f}" y1="{y + 3}" x2="{x(high):.1f}" y2="{y + bar_h - 3}"/></g>'
            )
        text = fmt(value) + (f" [{fmt(low)}-{fmt(high)}]" if low is not None and high is not None else "")
        parts.append(f'<text x="{label_w + chart_w + 6}" y="{y + bar_h - 4}" class="value">{escape(text)}</text>')
    parts.append("</svg>")
    return "".join(parts)
