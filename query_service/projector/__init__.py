"""The projector: events from a transport, through the projections, into the read store."""
