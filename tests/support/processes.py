"""Which processes a test's `serve` left behind: any whose command line names the test's own folder."""

from pathlib import Path


def leftovers(folder: Path) -> list[str]:
    """Redis, workers and the homeserver all name a path under the folder (socket, config, data)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(folder) in cmdline:
                found.append(cmdline)
    return found
