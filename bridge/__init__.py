"""CSR Bridge core: domain, message service, command layer, config, CLI and wiring."""
