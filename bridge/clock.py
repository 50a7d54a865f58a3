"""Wall-clock time in one place, so tests and reports agree on what 'now' is."""

import time


def now() -> float:
    return time.time()
