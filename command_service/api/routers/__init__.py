"""One router per resource of the write API."""
