"""Read your writes: the ``Consistency-Token`` the write API signs and the search API opens."""
