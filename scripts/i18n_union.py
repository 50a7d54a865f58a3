"""Resolves merge conflicts in the catalogs: each conflicted .po/.pot becomes the union of both sides' entries.

Two branches that each add strings conflict in every catalog (the entries sit side by side, sorted). Run
`scripts/i18n.sh union` during the merge: it rewrites each conflicted catalog from both sides (ours wins where
both translated the same msgid), then `scripts/i18n.sh extract` brings the templates in step with the merged code.
"""

import subprocess
import sys
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po


def side(path: str, stage: int) -> Catalog:
    blob = subprocess.run(["git", "show", f":{stage}:{path}"], capture_output=True, check=False).stdout
    return read_po(BytesIO(blob))


def union(path: str) -> None:
    ours, theirs = side(path, 2), side(path, 3)
    for message in theirs:
        if message.id and (message.id not in ours or not ours[message.id].string):
            ours[message.id] = message
    with Path(path).open("wb") as fp:
        write_po(fp, ours, width=120, sort_output=True, omit_header=path.endswith(".pot"))
    subprocess.run(["git", "add", path], check=True)
    print(f"i18n: merged {path}", file=sys.stderr)


def main() -> None:
    conflicted = subprocess.run(["git", "diff", "--name-only", "--diff-filter=U"], capture_output=True, text=True,
                                check=True).stdout.split()
    for path in conflicted:
        if path.startswith("bridge/i18n/locales/") and path.endswith((".po", ".pot")):
            union(path)


if __name__ == "__main__":
    main()
