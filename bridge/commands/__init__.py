"""The platform-neutral command layer: parse, check permission, execute, reply neutrally."""
