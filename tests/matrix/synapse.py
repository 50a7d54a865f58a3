"""A real Synapse homeserver for the Matrix tests, run from the installed matrix-synapse package.

It listens on 127.0.0.1 on a free port, registers users through the shared-secret admin API and has
its rate limits raised, so tests are fast. The message limit (`rc_message`) stays at Synapse's default
(0.2/s, burst 10): `exempt` lifts it per user through the admin API's override_ratelimit, as the README
tells admins to do for the bot, and the one user left unexempted meets M_LIMIT_EXCEEDED for real.
"""

import hashlib
import hmac
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

SERVER_NAME = "localhost"
RAISED = {"per_second": 1000, "burst_count": 1000}
START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def overrides(port: int) -> dict:
    return {
        "listeners": [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False,
                       "x_forwarded": False, "resources": [{"names": ["client"], "compress": False}]}],
        "trusted_key_servers": [],
        "enable_registration": False,
        "bcrypt_rounds": 4,
        "rc_registration": RAISED,
        "rc_login": {"address": RAISED, "account": RAISED, "failed_attempts": RAISED},
        "rc_joins": {"local": RAISED, "remote": RAISED},
        "rc_joins_per_room": RAISED,
        "rc_invites": {"per_room": RAISED, "per_user": RAISED, "per_issuer": RAISED},
        "rc_room_creation": RAISED,
        "rc_presence": {"per_user": RAISED},
        "rc_media_create": {"per_second": 100_000_000, "burst_count": 1_000_000_000},
        "max_upload_size": "20M",
        "presence": {"enabled": False},
        "url_preview_enabled": False,
        "suppress_key_server_warning": True,
        # Each test's clients start with an initial sync; a cached answer from an earlier test would replay it.
        "caches": {"sync_response_cache_duration": 0},
    }


@dataclass
class Synapse:
    """A running homeserver; `users` maps a localpart to its access token."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    shared_secret: str = ""
    users: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        hs = self.workdir / "hs.yaml"
        subprocess.run(
            [sys.executable, "-m", "synapse.app.homeserver", "--server-name", SERVER_NAME, "--config-path", str(hs),
             "--data-directory", str(self.workdir), "--generate-config", "--report-stats=no"],
            cwd=self.workdir, check=True, capture_output=True,
        )
        self.shared_secret = yaml.safe_load(hs.read_text())["registration_shared_secret"]
        (self.workdir / "overrides.yaml").write_text(yaml.safe_dump(overrides(self.port)))
        self._run()

    def _run(self) -> None:
        with open(self.workdir / "stdout.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.workdir / "hs.yaml"),
                 "-c", str(self.workdir / "overrides.yaml")],
                cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
            )
        self._wait_ready()

    def restart(self) -> None:
        """Back on the same port with the same database, as after an outage."""
        self._run()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"synapse exited: see {self.workdir / 'homeserver.log'}")
            try:
                if httpx.get(f"{self.url}/_matrix/client/versions", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("synapse did not answer /_matrix/client/versions in time")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{SERVER_NAME}"

    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """Registers through `/_synapse/admin/v1/register` with the shared-secret HMAC; returns a token."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = httpx.get(endpoint).json()["nonce"]
        mac = hmac.new(self.shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode(),
                                 b"admin" if admin else b"notadmin"]))
        body = {"nonce": nonce, "username": localpart, "password": password, "admin": admin,
                "mac": mac.hexdigest()}
        resp = httpx.post(endpoint, json=body)
        resp.raise_for_status()
        token = str(resp.json()["access_token"])
        self.users[localpart] = token
        return token

    def api(self, method: str, path: str, as_user: str, json: dict | None = None) -> Any:
        resp = httpx.request(method, f"{self.url}{path}", json=json,
                             headers={"Authorization": f"Bearer {self.users[as_user]}"})
        resp.raise_for_status()
        return resp.json()

    def create_room(self, creator: str, name: str, invite: list[str], encrypted: bool = False) -> str:
        body: dict = {"name": name, "preset": "private_chat", "invite": [self.user_id(u) for u in invite]}
        if encrypted:
            body["initial_state"] = [{"type": "m.room.encryption", "state_key": "",
                                      "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]
        return str(self.api("POST", "/_matrix/client/v3/createRoom", creator, body)["room_id"])

    def join(self, localpart: str, room_id: str) -> None:
        self.api("POST", f"/_matrix/client/v3/join/{room_id}", localpart, {})

    def exempt(self, localpart: str) -> None:
        """Lifts the message rate limit for one user (needs the registered `admin` user)."""
        self.api("POST", f"/_synapse/admin/v1/users/{self.user_id(localpart)}/override_ratelimit", "admin",
                 {"messages_per_second": 0, "burst_count": 0})
