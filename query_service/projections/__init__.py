"""Pure projections: an event and the current document(s) in, the new document(s) out."""
