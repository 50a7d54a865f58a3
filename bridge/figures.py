"""Durations and shares as people read them: one wording on Slack, Matrix, commands and reports.

Live views round to the minute: they refresh themselves, and a value that changed every second
would rewrite the Matrix status message all the time. Cards and reports show seconds.
"""


def format_duration(seconds: float, *, compact: bool = False) -> str:
    """`1 min 15 s`; `compact` is the terse form Slack's card fields use (`1m 15s`)."""
    s = int(round(max(seconds, 0)))
    sec, mins, hours = ("s", "m", "h") if compact else (" s", " min", " h")
    if s < 60:
        return f"{s}{sec}"
    if s < 3600:
        return f"{s // 60}{mins} {s % 60:02d}{sec}"
    return f"{s // 3600}{hours} {s % 3600 // 60:02d}{mins}"


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    total = int(max(seconds, 0) // 60)
    if total < 1:
        return "<1 min"
    if total < 60:
        return f"{total} min"
    return f"{total // 60} h {total % 60:02d} min"


def share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}% ({part}/{whole})" if whole else "—"
