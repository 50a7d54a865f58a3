"""Co-browse's config: check-config says when rrweb is missing, and refuses nonsense limits with the key path."""

from pathlib import Path

import pytest

from bridge.config import ConfigError
from cobrowse.checks import install_warnings
from testkit.configs import make_config
from tests.cobrowse.helpers import RRWEB_DIR


def test_a_missing_rrweb_is_a_warning_with_its_fix(tmp_path: Path) -> None:
    assert install_warnings(make_config(tmp_path, cobrowse={"enabled": True, "rrweb_dir": str(RRWEB_DIR)})) == []
    assert install_warnings(make_config(tmp_path, cobrowse={"enabled": False, "rrweb_dir": "nowhere"})) == []
    [warning] = install_warnings(make_config(tmp_path, cobrowse={"enabled": True, "rrweb_dir": "nowhere"}))
    assert warning.path == "cobrowse.rrweb_dir" and "scripts/setup.sh" in str(warning)


@pytest.mark.parametrize(("section", "key"), [
    ({"limits": {"max_frame_bytes": 10}}, "cobrowse.limits.max_frame_bytes"),
    ({"link_minutes": 0}, "cobrowse.link_minutes"),
    ({"texts": {"banner": "x" * 1000}}, "cobrowse.texts.banner"),
    ({"recrod": True}, "cobrowse.recrod"),
])
def test_nonsense_is_refused_with_its_key(tmp_path: Path, section: dict, key: str) -> None:
    with pytest.raises(ConfigError) as err:
        make_config(tmp_path, cobrowse=section)
    assert key in str(err.value)
