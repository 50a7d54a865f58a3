"""One Synapse process on loopback, run from the installed matrix-synapse package.

Its config is generated once into its folder (signing key, database, registration secret) and kept, so a
restart finds the same users and rooms; `overrides` are written on every start and win over it. Accounts
are made through the shared-secret admin API, which works with public registration off.
"""

import hashlib
import hmac
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from bridge.startup import StartupError

START_TIMEOUT = 90.0


class SynapseError(StartupError):
    """The homeserver could not start or refused a setup call; the message says which."""


class AccountExists(SynapseError):
    pass


def listener(port: int) -> list[dict[str, Any]]:
    """The client API only, on IPv4 loopback (IPv6 `::1` may be missing): no federation, nothing public."""
    return [{"port": port, "bind_addresses": ["127.0.0.1"], "type": "http", "tls": False, "x_forwarded": False,
             "resources": [{"names": ["client"], "compress": False}]}]


class Synapse:
    def __init__(self, workdir: Path, port: int, server_name: str, overrides: dict[str, Any]) -> None:
        self.workdir = workdir
        self.port = port
        self.server_name = server_name
        self.overrides = overrides
        self.process: subprocess.Popen[bytes] | None = None
        self._shared_secret = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def config_file(self) -> Path:
        return self.workdir / "homeserver.yaml"

    def user_id(self, localpart: str) -> str:
        return f"@{localpart}:{self.server_name}"

    def start(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        if not self.config_file.exists():
            self._generate()
        self._shared_secret = str(yaml.safe_load(self.config_file.read_text())["registration_shared_secret"])
        (self.workdir / "overrides.yaml").write_text(yaml.safe_dump({"listeners": listener(self.port),
                                                                     **self.overrides}))
        self._run()

    def _generate(self) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "synapse.app.homeserver", "--server-name", self.server_name,
             "--config-path", str(self.config_file), "--data-directory", str(self.workdir),
             "--generate-config", "--report-stats=no"],
            cwd=self.workdir, capture_output=True, text=True,
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise SynapseError(f"could not generate the homeserver's config in {self.workdir}: {last}")

    def _run(self) -> None:
        with open(self.workdir / "stdout.log", "ab") as log:
            # Own session: a Ctrl-C in the terminal reaches the bridge, which stops the homeserver after itself.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "synapse.app.homeserver", "-c", str(self.config_file),
                 "-c", str(self.workdir / "overrides.yaml")],
                cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
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
                raise SynapseError(f"the homeserver exited at start: see {self.workdir / 'homeserver.log'}")
            try:
                if httpx.get(f"{self.url}/_matrix/client/versions", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise SynapseError(f"the homeserver did not answer within {START_TIMEOUT:g}s: see "
                           f"{self.workdir / 'homeserver.log'}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def register(self, localpart: str, password: str, admin: bool = False) -> str:
        """Makes an account with the shared-secret HMAC; returns its access token (AccountExists if taken)."""
        endpoint = f"{self.url}/_synapse/admin/v1/register"
        nonce = httpx.get(endpoint).json()["nonce"]
        mac = hmac.new(self._shared_secret.encode(), digestmod=hashlib.sha1)
        mac.update(b"\x00".join([nonce.encode(), localpart.encode(), password.encode(),
                                 b"admin" if admin else b"notadmin"]))
        body = {"nonce": nonce, "username": localpart, "password": password, "admin": admin, "mac": mac.hexdigest()}
        resp = httpx.post(endpoint, json=body)
        if resp.status_code == 400 and resp.json().get("errcode") == "M_USER_IN_USE":
            raise AccountExists(f"{self.user_id(localpart)} exists")
        _check(resp, f"register {localpart}")
        return str(resp.json()["access_token"])

    def login(self, localpart: str, password: str) -> str:
        resp = httpx.post(f"{self.url}/_matrix/client/v3/login",
                          json={"type": "m.login.password", "password": password,
                                "identifier": {"type": "m.id.user", "user": localpart}})
        _check(resp, f"log in as {localpart}")
        return str(resp.json()["access_token"])

    def api(self, method: str, path: str, token: str, json: dict[str, Any] | None = None) -> Any:
        resp = httpx.request(method, f"{self.url}{path}", json=json, headers={"Authorization": f"Bearer {token}"})
        _check(resp, f"{method} {path.split('?')[0]}")
        return resp.json()


def _check(resp: httpx.Response, what: str) -> None:
    if resp.is_success:
        return
    try:
        body = resp.json()
        why = f"{body.get('errcode', '')} {body.get('error', '')}".strip()
    except ValueError:
        why = resp.text[:200]
    raise SynapseError(f"the homeserver refused to {what}: {resp.status_code} {why}")
