"""The paced run's table: per platform and channel count, the capacity found and the figures at it."""

from dataclasses import dataclass, field

from bench.load.report import counts
from bench.paced.measure import Use, total
from bench.paced.search import best
from bench.paced.trial import TARGET_P95, Opening, Trial

GOALS = {2: 1.8, 4: 3.5}
"""Slack channels per queue over one: a channel has a pace of its own (a Matrix room has not)."""


@dataclass
class Capacity:
    platform: str
    buckets: int
    """Slack channels for the queue, or Matrix rooms."""
    trials: list[Trial] = field(default_factory=list)
    openings: list[Opening] = field(default_factory=list)
    """Matrix: the chats opened for the search and the bot's sends and refusals meanwhile (Slack: not counted)."""

    @property
    def label(self) -> str:
        noun = "channel" if self.platform == "slack" else "room"
        return f"{self.platform}, {self.buckets} {noun}{'s' if self.buckets > 1 else ''}"


def share(use: Use) -> str:
    """The share of the backlog's seconds the posts' pace slots covered, with the posts and seconds."""
    if not use.seconds:
        return "- (no backlog)"
    return f"{use.share:.2f} ({use.posts} posts in {use.seconds:.0f} s)"


def opening_line(label: str, o: Opening) -> str:
    return f"  {label}: opened {o.chats} chats in {o.seconds:.0f} s: {o.sends} sends, {o.refused} x 429"


def opening_cost(c: Capacity) -> str:
    """The bot's refusals and sends while it opened the search's chats."""
    if not c.openings:
        return "-"
    sends, refused = sum(o.sends for o in c.openings), sum(o.refused for o in c.openings)
    return f"{refused} / {sends} ({sum(o.chats for o in c.openings)} chats)"


def trial_line(label: str, t: Trial) -> str:
    verdict = "pass" if t.passed else "FAIL"
    placed = f" (placed {'/'.join(map(str, t.placement))})" if len(t.placement) > 1 else ""
    return (f"  {label}: {t.chats} chats{placed} -> p95 {t.p95:.2f} s, p99 {t.p99:.2f} s "
            f"over {len(t.latencies)} messages, {t.per_post:.2f} msg/post, "
            f"share of allowed posts used in backlog {share(t.use)}, "
            f"{t.other_posts} other posts, {t.refused} x 429, "
            f"to thread {counts(t.to_thread)}, to customer {counts(t.to_customer)}: {verdict}")


def rows(c: Capacity) -> list[tuple[str, str]]:
    b = best(c.trials)
    if b is None:
        return [("capacity (chats, p95 < 3 s)", f"< {min(t.chats for t in c.trials)}")] + [("", "")] * 8
    refused = sum(t.refused for t in c.trials)
    return [
        (f"capacity (chats, p95 < {TARGET_P95:.0f} s)", str(b.chats)),
        ("customer -> thread p95 / p99", f"{b.p95:.2f} / {b.p99:.2f} s"),
        ("messages per post", f"{b.per_post:.2f}"),
        ("share of allowed posts used in backlog", share(b.use)),
        ("the same, all trials", share(total(t.use for t in c.trials))),
        ("429s / M_LIMIT_EXCEEDED (all trials)", str(refused)),
        ("429s / sends while opening chats", opening_cost(c)),
        ("to thread sent/once/dup/lost", counts(b.to_thread)),
        ("to customer sent/once/dup/lost", counts(b.to_customer)),
    ]


def table(runs: list[Capacity]) -> str:
    grid = [rows(r) for r in runs]
    width = max(len(label) for label, _ in grid[0])
    cols = [max(len(r.label), *(len(v) for _, v in g)) for r, g in zip(runs, grid, strict=True)]
    head = f"{'':<{width}} | " + " | ".join(f"{r.label:<{c}}" for r, c in zip(runs, cols, strict=True))
    lines = [head, "-" * len(head)]
    for i, (label, _) in enumerate(grid[0]):
        lines.append(f"{label:<{width}} | " + " | ".join(f"{g[i][1]:<{c}}" for g, c in zip(grid, cols, strict=True)))
    return "\n".join(lines)


def ratios(runs: list[Capacity]) -> str:
    """Capacity with N channels over capacity with one, against the goals."""
    lines = []
    for platform in dict.fromkeys(r.platform for r in runs):
        found = {r.buckets: best(r.trials) for r in runs if r.platform == platform}
        one = found.get(1)
        for n, b in sorted(found.items()):
            if n == 1 or one is None or b is None:
                continue
            goal = GOALS.get(n) if platform == "slack" else None
            target = f" (goal {goal}x: {'met' if b.chats / one.chats >= goal else 'missed'})" if goal else ""
            lines.append(f"{platform}: {n} vs 1: {b.chats / one.chats:.2f}x{target}")
    return "\n".join(lines)
