"""Ceilings: the same work as a role of the stack, done by the plainest means on the same
machine, so that each figure of ``benchmarks.distributed`` can be read as a fraction of
what the hardware and the infrastructure allow (not as an absolute number)."""
