"""Command handlers, one module per area; each exposes COMMANDS for the registry."""
