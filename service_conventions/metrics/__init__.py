"""Prometheus signals of every role: the catalog of names (the contract) and how a role
serves them."""
