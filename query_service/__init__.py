"""The query side of Conference Program: projections, read stores, and the search API.

It shares nothing with the command service but ``shared_domain`` (the published events).
"""
