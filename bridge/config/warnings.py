"""Warnings: a config that is valid but leaves customers without a person who could come.

They never stop `serve` or fail `check-config` (a bridge may well start before its CSRs are on the
roster); `check-config` prints them with their fix, `serve` logs them, and /readyz shows them as degraded.
"""

import json

from bridge.config.problems import ConfigProblem
from bridge.config.root import BridgeConfig


def roster_warnings(cfg: BridgeConfig) -> list[ConfigProblem]:
    enabled = [name for name, on in (("Slack", cfg.slack.enabled), ("Matrix", cfg.matrix.enabled)) if on]
    if not enabled:
        return [ConfigProblem("slack.enabled, matrix.enabled",
                              "no CSR platform is enabled, so no CSR can sign in: a customer who asks for a person "
                              "is told at once that nobody can chat",
                              "set slack.enabled or matrix.enabled (the README's Set up sections say how)")]
    ids = " or ".join({"Slack": "slack_user_id", "Matrix": "matrix_user_id"}[p] for p in enabled)
    problems = []
    for i, queue in enumerate(cfg.queues):
        if any(a.can_take(queue) and cfg.platforms_of(a) for a in cfg.agents):
            continue
        skills = f", skills = {json.dumps(queue.skills)}" if queue.skills else ""
        then = f"move on to '{queue.overflow}'" if queue.overflow else "are asked to leave a message"
        problems.append(ConfigProblem(
            f"queues[{i}]", f"nobody on the roster can take queue '{queue.name}' on {' or '.join(enabled)}: "
            f"its customers {then} at once",
            f'give a CSR queues = ["{queue.name}"]{skills} and a {ids}'))
    return problems
