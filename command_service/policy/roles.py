"""The roles the write API knows; a token may carry several and gets all they allow."""

ORGANIZER = "organizer"
SPEAKER = "speaker"
ATTENDEE = "attendee"
