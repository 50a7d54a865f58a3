"""Counting one direction of a scenario: what was sent, what arrived once, twice or never, and in what order."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Tally:
    scenario: str
    direction: str
    sent: int = 0
    delivered: int = 0
    duplicated: int = 0
    lost: int = 0
    out_of_order: int = 0
    """Chats whose messages arrived in another order than they were sent."""
    ordered: bool = True
    """False where order means nothing (offer timeouts): the table says n/a."""
    notes: list[str] = field(default_factory=list)

    @property
    def exactly_once(self) -> bool:
        return self.sent > 0 and self.delivered == self.sent and self.duplicated == 0 and self.lost == 0 \
            and self.out_of_order == 0

    def add_chat(self, sent: list[str], seen: list[str]) -> None:
        """`sent` in sending order; `seen` as they arrived (repeats included). Anything else seen is ignored."""
        expected = set(sent)
        arrived = [s for s in seen if s in expected]
        counts = Counter(arrived)
        self.sent += len(sent)
        self.delivered += len(counts)
        self.duplicated += sum(n - 1 for n in counts.values())
        self.lost += len(expected - counts.keys())
        first_seen = list(dict.fromkeys(arrived))
        if first_seen != [s for s in sent if s in counts]:
            self.out_of_order += 1


def table(tallies: list[Tally]) -> str:
    head = (f"{'scenario':<34} {'direction':<22} {'sent':>6} {'delivered':>9} {'duplicated':>10} {'lost':>5} "
            f"{'in order':>8}  notes")
    lines = [head, "-" * len(head)]
    for t in tallies:
        order = "n/a" if not t.ordered else "yes" if t.out_of_order == 0 else f"no ({t.out_of_order})"
        lines.append(f"{t.scenario:<34} {t.direction:<22} {t.sent:>6} {t.delivered:>9} {t.duplicated:>10} "
                     f"{t.lost:>5} {order:>8}  {'; '.join(t.notes)}")
    return "\n".join(lines)
