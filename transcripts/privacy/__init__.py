"""A customer's data on request (GDPR): export everything kept about one person, erase it everywhere the bridge
put it, and keep an audit trail of both (`csr-bridge customers export|erase|audit`)."""
