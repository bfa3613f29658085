"""The write API: HTTP in, commands to the handlers, problem+json for every refusal."""
