"""`csr-bridge matrix registration`: writes the appservice registration file for the homeserver's admin."""

import argparse
import sys
from pathlib import Path
from typing import Any

from adapters.matrix.appservice.registration import ghost_regex, write_registration
from adapters.matrix.appservice.tokens import tokens_file, with_tokens
from bridge.config.root import BridgeConfig

REGISTRATION_FILE = "matrix-registration.yaml"


def add_parser(sub: Any, default_config: str) -> None:
    p = sub.add_parser("matrix", help="Matrix: the appservice registration")
    actions = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    r = actions.add_parser("registration", help="write the appservice registration YAML for the homeserver")
    r.add_argument("--config", "-c", default=default_config, help="TOML config file (default: %(default)s)")
    r.add_argument("--output", "-o", default="", help=f"where to write it (default: data_dir/{REGISTRATION_FILE})")
    r.set_defaults(run=run)


def run(cfg: BridgeConfig, _config_path: str, args: argparse.Namespace) -> int:
    if cfg.matrix.embedded:
        print("csr-bridge: the registration is for your own homeserver: set [matrix] homeserver to its URL",
              file=sys.stderr)
        return 2
    config = with_tokens(cfg, create=True)
    out = Path(args.output) if args.output else config.data_path / REGISTRATION_FILE
    write_registration(config.matrix, out)
    m = config.matrix
    print(f"wrote {out} (readable only by you: it holds both tokens; the tokens are kept in {tokens_file(config)})")
    print(f"  bot {m.user_id}, ghosts {ghost_regex(m)}, homeserver pushes to {m.appservice_url}")
    if m.mode != "appservice":
        print('  set [matrix] mode = "appservice" in the config to use it', file=sys.stderr)
    return 0
