"""Matrix fixtures: one real Synapse per test run, bridges run in-process against it, CSRs as nio clients."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from testkit.appservice import AppserviceHomeserver, populate_appservice
from testkit.homeserver import Homeserver, populate
from testkit.matrix_people import MatrixPerson
from tests.matrix.bridge import InProcessBridge, StartBridge, appservice_raw, matrix_raw


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that start the homeserver carry the `synapse` marker (deselect with -m "not synapse")."""
    for item in items:
        if any("homeserver" in name for name in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.synapse)


@pytest.fixture(scope="session")
def homeserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Homeserver]:
    hs = populate(tmp_path_factory.mktemp("synapse"))
    yield hs
    hs.synapse.stop()


@pytest.fixture(scope="session")
def as_homeserver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppserviceHomeserver]:
    """A second Synapse that loads the bridge's appservice registration."""
    ash = populate_appservice(tmp_path_factory.mktemp("synapse-as"))
    yield ash
    ash.hs.synapse.stop()


@pytest.fixture
async def as_bridge(start_bridge: StartBridge, as_homeserver: AppserviceHomeserver) -> InProcessBridge:
    """A bridge in appservice mode with the widget's API, serving where the registration points."""
    bridge = await start_bridge(appservice_raw(as_homeserver), widget=True, port=as_homeserver.bridge_port)
    await bridge.leading()
    return bridge


@pytest.fixture
async def as_people(as_homeserver: AppserviceHomeserver) -> AsyncIterator[dict[str, MatrixPerson]]:
    """alice, bob (CSRs) and sam (supervisor) on the appservice homeserver, already syncing."""
    started = {name: MatrixPerson(as_homeserver.hs, name) for name in ("alice", "bob", "sam", "mallory")}
    for person in started.values():
        await person.start()
    yield started
    for person in started.values():
        await person.stop()


@pytest.fixture
def matrix_overrides(homeserver: Homeserver) -> dict[str, Any]:
    """Config overrides that turn the Matrix adapter on; tests merge their own on top."""
    return matrix_raw(homeserver)


@pytest.fixture
async def bridge(start_bridge: StartBridge, matrix_overrides: dict[str, Any]) -> InProcessBridge:
    return await start_bridge(matrix_overrides)


@pytest.fixture
async def start_bridge(tmp_path: Path, redis: Redis, redis_url: str) -> AsyncIterator[StartBridge]:
    """Starts bridges on this test's Redis (restarts, several processes); stops what is left at the end."""
    running: list[InProcessBridge] = []

    async def start(overrides: dict[str, Any], **options: Any) -> InProcessBridge:
        started = InProcessBridge(tmp_path, redis_url, overrides, **options)
        running.append(started)
        await started.start()
        return started

    yield start
    for started in running:
        await started.stop()


@pytest.fixture
async def people(homeserver: Homeserver) -> AsyncIterator[dict[str, MatrixPerson]]:
    """alice, bob, carol (CSRs), sam (supervisor) and mallory (not on the roster), already syncing."""
    started = {name: MatrixPerson(homeserver, name) for name in ("alice", "bob", "carol", "sam", "mallory")}
    for person in started.values():
        await person.start()
    yield started
    for person in started.values():
        await person.stop()
