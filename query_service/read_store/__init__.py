"""The read-store port and its adapters (one per search engine)."""
