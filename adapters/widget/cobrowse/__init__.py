"""Co-browse over HTTP: the customer's consent and DOM stream (under /api/v1), the CSR's viewer (/cobrowse)."""
