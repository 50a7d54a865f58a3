"""Test tools that both `tests/` and `bench/` use: a local Slack Web API, requests signed as Slack signs
them, a Synapse set up for tests and the people on it, and config builders. Not part of the product."""
