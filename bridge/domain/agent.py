"""Agents as the core sees them: a roster entry plus live presence."""

from enum import StrEnum


class Presence(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    OFFLINE = "offline"


class Role(StrEnum):
    CSR = "csr"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return {"csr": 0, "supervisor": 1, "admin": 2}[self.value]

    def at_least(self, other: "Role") -> bool:
        return self.rank >= other.rank
