"""Whether co-browse can work as configured: rrweb must be installed where `cobrowse.rrweb_dir` points."""

from bridge.config.problems import ConfigProblem
from bridge.config.root import BridgeConfig

RRWEB_FILES = {"rrweb.js": "rrweb.umd.min.cjs", "rrweb.css": "style.min.css"}
"""What the bridge serves under /cobrowse/ -> the file of the rrweb npm package's dist folder."""


def install_warnings(cfg: BridgeConfig) -> list[ConfigProblem]:
    if not cfg.cobrowse.enabled:
        return []
    folder = cfg.resolve_path(cfg.cobrowse.rrweb_dir)
    if all((folder / name).is_file() for name in RRWEB_FILES.values()):
        return []
    return [ConfigProblem("cobrowse.rrweb_dir", f"rrweb is not installed in {folder}: `csr cobrowse` would ask "
                          "customers whose tab can't then be shared",
                          "run scripts/setup.sh (it installs rrweb with npm), or point rrweb_dir at rrweb's dist")]
