"""Traces and logs of every role: off unless the operator's environment asks for them."""
