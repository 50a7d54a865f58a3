"""A Synapse homeserver run by the bridge itself, so the example config shows the CSR side with no setup."""
