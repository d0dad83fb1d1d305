"""Mentorbot: the domain and runtime (config, matching, contracting, nudges, reports, CLI)."""
