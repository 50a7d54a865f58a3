"""The report's chart: chats queued (stacked bars) and average wait (lines), per queue over the period.

Drawn with matplotlib's object API on the Agg canvas: no pyplot state, no display, the exact pixel
size asked for (no tight bounding box, which would change it).
"""

import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bridge.config.root import BridgeConfig
from reports.figures import Report, average

DPI = 100


def render_chart(report: Report, config: BridgeConfig, title: str) -> bytes:
    cfg = config.reports
    fig = Figure(figsize=(cfg.chart_width / DPI, cfg.chart_height / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    volume_ax, wait_ax = fig.subplots(2, 1, sharex=True)
    period = report.period
    xs = list(range(len(period.buckets)))
    bottom = [0] * len(xs)
    all_waits = [v for q in report.queues for w in report.bucket_waits[q] for v in w]
    scale, unit = (60, "min") if max(all_waits, default=0) >= 120 else (1, "s")
    for queue in report.queues:
        name = config.queue(queue).display_name
        counts = report.volume[queue]
        volume_ax.bar(xs, counts, bottom=bottom, label=name)
        bottom = [b + c for b, c in zip(bottom, counts)]
        waits = [average(w) for w in report.bucket_waits[queue]]
        wait_ax.plot(xs, [w / scale if w is not None else float("nan") for w in waits], marker="o", label=name)
    volume_ax.set_ylabel("Chats queued")
    volume_ax.set_title(title)
    volume_ax.margins(y=0.15)
    wait_ax.set_ylabel(f"Average wait ({unit})")
    wait_ax.set_xlabel(f"Time ({period.tz})")
    step = max(1, len(xs) // 12)
    wait_ax.set_xticks(xs[::step], [period.bucket_label(i) for i in xs[::step]])
    for ax in (volume_ax, wait_ax):
        ax.grid(axis="y", alpha=0.3)
        if report.queues:
            ax.legend(loc="upper left", fontsize="small")
    fig.subplots_adjust(left=0.08, right=0.98, top=0.93, bottom=0.1, hspace=0.15)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()
