"""Configuration: one TOML file, validated at start with every problem reported at once."""

from bridge.config.loader import load_config, parse_config
from bridge.config.problems import ConfigError, ConfigProblem
from bridge.config.root import BridgeConfig

__all__ = ["BridgeConfig", "ConfigError", "ConfigProblem", "load_config", "parse_config"]
