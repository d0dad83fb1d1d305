"""Mentorbot's domain and runtime: configuration, matching, contracting, nudges, reports, the CLI."""
