"""The domain model and the published language of Conference Program.

Pure Python: no I/O, no framework imports. Both services depend on this package and on
nothing of each other.
"""
