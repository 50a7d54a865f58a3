"""A second test Synapse that loads the bridge's appservice registration, as the README tells admins to.

The registration comes from the product's own `registration()`, pointed at the port the test bridges
will serve on; the bot (the registration's sender) is registered through the appservice API, as the
bridge itself does at start. Rate limits are the test homeserver's (rc_message at Synapse's default).
"""

import secrets
from dataclasses import dataclass
from pathlib import Path

import httpx
from pydantic import SecretStr

from adapters.matrix.appservice.registration import write_registration
from bridge.config.matrix import MatrixConfig
from bridge.embedded_redis import free_port
from testkit.homeserver import BOT, Homeserver, make_rooms, start_cast
from testkit.synapse import Synapse


@dataclass
class AppserviceHomeserver:
    hs: Homeserver
    bridge_port: int
    """Where the homeserver pushes transactions: the test bridges' HTTP port."""
    matrix: MatrixConfig
    """The appservice settings the registration was made from (tokens included)."""


def appservice_settings(server_url: str, bridge_port: int, bot: str = BOT) -> MatrixConfig:
    return MatrixConfig(enabled=True, mode="appservice", homeserver=server_url, user_id=f"@{bot}:localhost",
                        appservice_id="csr-bridge-test", appservice_url=f"http://127.0.0.1:{bridge_port}",
                        as_token=SecretStr(secrets.token_urlsafe(32)), hs_token=SecretStr(secrets.token_urlsafe(32)))


def populate_appservice(workdir: Path, extra: dict[str, object] | None = None,
                        bridge_port: int = 0) -> AppserviceHomeserver:
    """`bridge_port`: where the bridge will serve (default: a free port)."""
    port, bridge_port = free_port(), bridge_port or free_port()
    matrix = appservice_settings(f"http://127.0.0.1:{port}", bridge_port)
    registration = workdir / "registration.yaml"
    write_registration(matrix, registration)
    synapse = Synapse(workdir / "synapse", port, {"app_service_config_files": [str(registration)], **(extra or {})})
    start_cast(synapse, ())
    register_bot(synapse, matrix)
    return AppserviceHomeserver(make_rooms(synapse, (BOT,)), bridge_port, matrix)


def register_bot(synapse: Synapse, matrix: MatrixConfig) -> None:
    """The appservice's bot, registered through the appservice API (so rooms can invite it before it runs)."""
    resp = httpx.post(f"{synapse.url}/_matrix/client/v3/register",
                      json={"type": "m.login.application_service", "username": matrix.localpart,
                            "inhibit_login": True},
                      headers={"Authorization": f"Bearer {matrix.as_token.get_secret_value()}"})
    assert resp.status_code == 200, resp.text
