"""Durations as supervisors read them.

Live views round to the minute: they refresh themselves, and a value that changed every second
would rewrite the Matrix status message all the time. Reports show seconds.
"""


def minutes(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    total = int(max(seconds, 0) // 60)
    if total < 1:
        return "<1 min"
    if total < 60:
        return f"{total} min"
    return f"{total // 60} h {total % 60:02d} min"


def precise(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = int(round(max(seconds, 0)))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


def share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}% ({part}/{whole})" if whole else "—"
