"""One duration wording for every surface: Slack's compact form differs in its units only."""

from bridge.figures import format_duration, minutes


def test_durations_read_the_same_on_every_surface() -> None:
    assert [format_duration(s) for s in (-3, 0, 59.4, 75, 3599, 3600, 4500)] == [
        "0 s", "0 s", "59 s", "1 min 15 s", "59 min 59 s", "1 h 00 min", "1 h 15 min"]
    assert [format_duration(s, compact=True) for s in (42, 75, 4500)] == ["42s", "1m 15s", "1h 15m"]
    assert [minutes(s) for s in (None, 30, 300, 3900)] == ["—", "<1 min", "5 min", "1 h 05 min"]
