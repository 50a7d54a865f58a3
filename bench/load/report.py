"""The load run's table: one column per platform, one row per figure."""

from bench.load.procs import Usage
from bench.load.results import Counts, PlatformRun, pct

MB = 1024 * 1024


def ms(samples: list[float]) -> str:
    return f"{pct(samples, 50):.1f} / {pct(samples, 99):.1f} ms" if samples else "-"


def cpu(usage: dict[str, Usage], name: str) -> str:
    u = usage.get(name)
    return f"{u.cores * 100:.0f}% of a core" if u else "-"


def counts(c: Counts) -> str:
    return f"{c.sent} / {c.delivered} / {c.duplicated} / {c.lost}" + (f" (+{c.echoed} echoed)" if c.echoed else "")


def cpu_per_message(usage: dict[str, Usage], names: list[str], messages: int) -> list[float]:
    """Milliseconds of CPU per message in each named process (0 for one not measured)."""
    return [usage[n].cpu_seconds * 1000 / messages if n in usage and messages else 0.0 for n in names]


def flood_cost(run: PlatformRun, server: str) -> tuple[str, str, str]:
    """Where the flood's CPU went, beside the bare SDK's: on a machine whose cores are all busy, the ratio
    is about the inverse of the two totals."""
    bridge = cpu_per_message(run.flood_usage, ["serve-0", "redis", server, "bench"], run.flood_messages)
    bare = cpu_per_message(run.baseline_usage, ["baseline", server], run.baseline_messages)
    return (" / ".join(f"{x:.2f}" for x in bridge), " / ".join(f"{x:.2f}" for x in bare),
            f"{sum(bridge):.2f} vs {sum(bare):.2f} ms")


def rows(run: PlatformRun) -> list[tuple[str, str]]:
    serve = run.usage.get("serve-0")
    per_message = (serve.cpu_seconds * 1000 / (run.conversation_messages + run.flood_messages)) if serve else 0.0
    platform_proc = "fake-slack" if run.platform == "slack" else "synapse"
    base = run.baseline_usage.get("baseline")
    flood_cpu, bare_cpu, totals = flood_cost(run, platform_proc)
    return [
        ("customers / CSRs", f"{run.customers} / {run.csrs}"),
        ("escalation -> offer p50 / p99", ms(run.escalate_ms)),
        ("customer -> thread p50 / p99", ms(run.to_thread_ms)),
        ("CSR -> customer p50 / p99", ms(run.to_customer_ms)),
        ("conversation msg/s (both ways)", f"{run.conversation_rate:.0f}"),
        ("flood msg/s through serve", f"{run.flood_rate:.0f} ({run.flood_messages} messages)"),
        ("bare SDK msg/s, same posts", f"{run.baseline_rate:.0f} ({run.baseline_messages} messages)"),
        ("ratio bridge / bare SDK", f"{run.ratio:.2f}"),
        ("serve CPU (whole run)", cpu(run.usage, "serve-0")),
        ("serve CPU per message", f"{per_message:.2f} ms"),
        ("bare SDK CPU per message", f"{base.cpu_seconds * 1000 / run.baseline_messages:.2f} ms"
         if base and run.baseline_messages else "-"),
        ("flood CPU ms/msg: serve/redis/server/bench", flood_cpu),
        ("bare CPU ms/msg: SDK client/server", bare_cpu),
        ("CPU per message, bridge vs bare", totals),
        ("serve peak RSS", f"{serve.peak_rss / MB:.0f} MB" if serve else "-"),
        ("worker / redis CPU", f"{cpu(run.usage, 'worker-0')} / {cpu(run.usage, 'redis')}"),
        ("platform server / bench CPU", f"{cpu(run.usage, platform_proc)} / {cpu(run.usage, 'bench')}"),
        ("to thread: sent/once/dup/lost", counts(run.to_thread)),
        ("to customer: sent/once/dup/lost", counts(run.to_customer)),
        ("posts merging 2+ messages", str(run.merged_posts)),
        ("errors seen by the bench", str(len(run.errors)) + (f" ({'; '.join(sorted(set(run.errors))[:3])})"
                                                            if run.errors else "")),
    ]


def table(runs: list[PlatformRun]) -> str:
    grid = [rows(r) for r in runs]
    width = max(len(label) for label, _ in grid[0])
    cols = [max(len(v) for _, v in g) for g in grid]
    head = f"{'':<{width}} | " + " | ".join(f"{r.platform:<{c}}" for r, c in zip(runs, cols, strict=True))
    lines = [head, "-" * len(head)]
    for i, (label, _) in enumerate(grid[0]):
        lines.append(f"{label:<{width}} | " + " | ".join(f"{g[i][1]:<{c}}" for g, c in zip(grid, cols, strict=True)))
    logged = runs[0].logged if runs else {}
    lines.append(f"errors in the bridge's logs (whole run): {sum(logged.values())}")
    lines += [f"  {n} x {message}" for message, n in list(logged.items())[:5]]
    return "\n".join(lines)
