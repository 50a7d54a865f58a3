"""Tables for the scale runs: memory per open chat, and throughput by number of serve processes."""

from bench.scale.memory import MemoryRun
from bench.scale.processes import ProcessRun

KB = 1024
MB = 1024 * 1024


def memory_table(run: MemoryRun) -> str:
    redis_chat, rss_chat = run.per_chat("active")
    _, rss_socket = run.per_chat("sockets")
    rows = [
        ("open chats / CSRs on one serve process", f"{run.chats:,} / {run.csrs:,}"),
        ("opened (start, escalate, offer, accept, thread)", f"{run.open_seconds:.0f} s, "
                                                              f"{run.chats / run.open_seconds:.0f} chats/s"),
        ("Redis memory: empty -> all open", f"{run.empty.redis / MB:.1f} -> {run.active.redis / MB:.1f} MB"),
        ("Redis memory per open chat", f"{redis_chat / KB:.1f} KB"),
        ("serve RSS: empty -> all open -> all sockets", f"{run.empty.rss / MB:.0f} -> {run.active.rss / MB:.0f} -> "
                                                         f"{run.sockets.rss / MB:.0f} MB"),
        ("serve RSS per open chat", f"{rss_chat / KB:.1f} KB"),
        ("serve RSS per customer WebSocket", f"{rss_socket / KB:.1f} KB"),
    ]
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}} | {value}" for label, value in rows)


def processes_table(runs: list[ProcessRun]) -> str:
    head = (f"{'serve processes':>15} | {'msg/s':>6} | {'vs 1':>5} | {'serve CPU':>11} | {'redis CPU':>10} | "
            f"{'sent/once/dup/lost':>18}")
    lines = [head, "-" * len(head)]
    base = runs[0].rate or 1.0
    for r in runs:
        c = r.counts
        lines.append(f"{r.processes:>15} | {r.rate:>6.0f} | {r.rate / base:>4.2f}x | {r.cores('serve'):>7.2f} cores"
                     f" | {r.cores('redis'):>4.2f} cores | {f'{c.sent}/{c.delivered}/{c.duplicated}/{c.lost}':>18}")
    return "\n".join(lines)
