"""Chat event streams, change notifications and ordered delivery to the CSR side."""
