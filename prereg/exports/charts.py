"""Geometry of the statistics charts, drawn by templates as inline SVG.

Only numbers are computed here; the template writes <rect x= y= width= height= fill=> with SVG
presentation attributes (allowed by the strict CSP, unlike style attributes) and escapes labels.
"""

FUNNEL_COLORS = ["#9cc1ea", "#6fa3dc", "#4a86c9", "#2f6db5", "#1f8a4c"]


def day_bars(days, *, width=720, height=200, pad_left=36, pad_bottom=28, pad_top=16):
    """Vertical bars, one per day: [{"x","y","w","h","label","value","tick"}], plus axis values."""
    if not days:
        return None
    top = max(n for _d, n in days) or 1
    plot_w, plot_h = width - pad_left - 8, height - pad_bottom - pad_top
    step = plot_w / len(days)
    bar_w = max(1.0, step * 0.8)
    every = max(1, len(days) // 10)  # at most ~10 date labels
    bars = []
    for i, (day, n) in enumerate(days):
        h = plot_h * n / top
        bars.append({"x": round(pad_left + i * step + (step - bar_w) / 2, 1), "y": round(pad_top + plot_h - h, 1),
                     "w": round(bar_w, 1), "h": round(h, 1), "value": n, "label": f"{day:%m-%d}",
                     "tick": i % every == 0, "tx": round(pad_left + i * step + step / 2, 1)})
    return {"width": width, "height": height, "bars": bars, "max": top, "base": pad_top + plot_h,
            "left": pad_left, "top": pad_top, "label_y": height - 8, "right": width - 8}


def funnel(steps, *, width=720, row=30, label_w=120):
    """Horizontal bars proportional to the first step: [{"y","w","label","value","color"}]."""
    if not steps or not steps[0][1]:
        return None
    first = steps[0][1]
    plot_w = width - label_w - 80
    rows = []
    for i, (label, n) in enumerate(steps):
        rows.append({"y": i * row + 4, "w": round(max(1, plot_w * n / first), 1), "label": label, "value": n,
                     "ty": i * row + 22, "vx": round(label_w + max(1, plot_w * n / first) + 6, 1),
                     "percent": round(100 * n / first), "color": FUNNEL_COLORS[i % len(FUNNEL_COLORS)]})
    return {"width": width, "height": len(steps) * row + 8, "rows": rows, "x": label_w}
