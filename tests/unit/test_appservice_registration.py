"""`csr-bridge matrix registration`: the file Synapse loads, tokens made once and kept 0600, none printed;
`serve` in appservice mode without tokens says what to run."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import yaml

from bridge.cli import main
from testkit.configs import base_raw, merged, write_toml

MATRIX = {"matrix": {"enabled": True, "mode": "appservice", "homeserver": "https://matrix.example.org",
                     "user_id": "@csr-bridge:example.org", "appservice_url": "http://10.0.0.5:8080",
                     "rooms": {"general": "!g:example.org", "billing": "!b:example.org", "tech": "!t:example.org"}}}


def config(tmp_path: Path, extra: dict[str, object] | None = None) -> Path:
    raw = merged(merged(base_raw(), MATRIX), {"data_dir": str(tmp_path / "data"), **(extra or {})})
    return write_toml(tmp_path / "config.toml", raw)


def test_the_registration_has_what_synapse_needs_and_keeps_its_tokens(tmp_path: Path, capsys) -> None:
    path = config(tmp_path)
    assert main(["matrix", "registration", "-c", str(path)]) == 0
    out = capsys.readouterr()
    written = tmp_path / "data" / "matrix-registration.yaml"
    reg = yaml.safe_load(written.read_text())
    assert reg["id"] == "csr-bridge" and reg["url"] == "http://10.0.0.5:8080"
    assert reg["sender_localpart"] == "csr-bridge" and reg["rate_limited"] is False
    assert reg["receive_ephemeral"] is True and reg["de.sorunome.msc2409.push_ephemeral"] is True
    assert reg["namespaces"]["users"] == [{"exclusive": True, "regex": r"@csr_customer_.*:example\.org"}]
    assert len(reg["as_token"]) >= 40 and len(reg["hs_token"]) >= 40 and reg["as_token"] != reg["hs_token"]
    for secret in (reg["as_token"], reg["hs_token"]):
        assert secret not in out.out + out.err
    tokens = tmp_path / "data" / "matrix-appservice-tokens.json"
    for kept in (written, tokens):
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600

    assert main(["matrix", "registration", "-c", str(path), "-o", str(tmp_path / "again.yaml")]) == 0
    again = yaml.safe_load((tmp_path / "again.yaml").read_text())
    assert (again["as_token"], again["hs_token"]) == (reg["as_token"], reg["hs_token"]), "tokens are made once"


def test_tokens_from_the_environment_win(tmp_path: Path) -> None:
    path = config(tmp_path)
    env = {"CSR_MATRIX_AS_TOKEN": "as-token-from-env-0123456789", "CSR_MATRIX_HS_TOKEN": "hs-token-from-env-0123456789"}
    out = tmp_path / "reg.yaml"
    proc = subprocess.run([sys.executable, "-m", "bridge.cli", "matrix", "registration", "-c", str(path), "-o",
                           str(out)], capture_output=True, text=True, timeout=60, env={**_env(), **env})
    assert proc.returncode == 0, proc.stderr
    reg = yaml.safe_load(out.read_text())
    assert (reg["as_token"], reg["hs_token"]) == (env["CSR_MATRIX_AS_TOKEN"], env["CSR_MATRIX_HS_TOKEN"])
    assert not (tmp_path / "data" / "matrix-appservice-tokens.json").exists()


def test_serve_without_tokens_says_to_write_the_registration_first(tmp_path: Path) -> None:
    path = config(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "bridge.cli", "serve", "-c", str(path)],
                          capture_output=True, text=True, timeout=60, env=_env())
    assert proc.returncode == 3
    assert "csr-bridge matrix registration" in proc.stderr


def test_the_embedded_homeserver_takes_no_appservice(tmp_path: Path, capsys) -> None:
    path = config(tmp_path, {"matrix": {**MATRIX["matrix"], "homeserver": "embedded", "rooms": {}, "user_id": ""}})
    assert main(["check-config", str(path)]) == 2
    assert "matrix.mode" in capsys.readouterr().err


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CSR_")}
