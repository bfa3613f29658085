"""``conference check``: the read models compared with the write model, and repaired."""
