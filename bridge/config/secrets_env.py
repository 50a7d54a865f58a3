"""Secrets may come from the environment instead of the file; the environment wins when set."""

import os
from typing import Any

from pydantic import BaseModel, SecretStr

SECRET_ENV: dict[tuple[str, str], str] = {
    ("slack", "bot_token"): "CSR_SLACK_BOT_TOKEN",
    ("slack", "signing_secret"): "CSR_SLACK_SIGNING_SECRET",
    ("slack", "app_token"): "CSR_SLACK_APP_TOKEN",
    ("matrix", "password"): "CSR_MATRIX_PASSWORD",
    ("matrix", "access_token"): "CSR_MATRIX_ACCESS_TOKEN",
    ("matrix", "as_token"): "CSR_MATRIX_AS_TOKEN",
    ("matrix", "hs_token"): "CSR_MATRIX_HS_TOKEN",
    ("widget", "signing_key"): "CSR_WIDGET_SIGNING_KEY",
    ("widget", "identity_secret"): "CSR_WIDGET_IDENTITY_SECRET",
    ("cases", "webhook_secret"): "CSR_CASES_WEBHOOK_SECRET",
    ("server", "metrics_token"): "CSR_METRICS_TOKEN",
    ("redis", "password"): "CSR_REDIS_PASSWORD",
    ("redis", "sentinel_password"): "CSR_REDIS_SENTINEL_PASSWORD",
}
SECRET_KEYS = {key for _, key in SECRET_ENV} | {"password"}


def apply_secret_env(raw: dict[str, Any], environ: os._Environ[str] | dict[str, str] = os.environ) -> None:
    for (section, key), var in SECRET_ENV.items():
        value = environ.get(var)
        if value:
            target = raw.setdefault(section, {})
            if isinstance(target, dict):
                target[key] = value


def secret_values(model: BaseModel) -> list[str]:
    """Every non-empty secret in a config, wherever it sits, for the log redactor to search for."""
    found: list[str] = []
    for name in type(model).model_fields:
        for value in _items(getattr(model, name)):
            if isinstance(value, SecretStr) and value.get_secret_value():
                found.append(value.get_secret_value())
            elif isinstance(value, BaseModel):
                found += secret_values(value)
    return found


def _items(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, list | tuple) else [value]
