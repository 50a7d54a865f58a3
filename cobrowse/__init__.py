"""Co-browse: with the customer's consent, the CSR watches the customer's tab live (rrweb)."""
