"""Finds a `serve`'s other processes (`[server] processes` above 1): the children it started with the hidden
`--process N` argument (bridge/serve_children.py). The bench meters them and the tests kill them."""

import contextlib

import psutil


def serve_children(parent: int) -> list[psutil.Process]:
    """The live `serve --process N` children of `parent` (a killed one is a zombie until `parent` reaps it,
    and is left out)."""
    found = []
    for child in psutil.Process(parent).children():
        with contextlib.suppress(psutil.Error):
            if "--process" in child.cmdline():
                found.append(child)
    return found
