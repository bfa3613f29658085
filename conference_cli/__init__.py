"""The ``conference`` console script: one subcommand per role and per operator task."""
