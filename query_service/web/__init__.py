"""The programme pages: server-rendered HTML over the same read-store port as the JSON API."""
