"""Persistence: SQLModel tables, the engine and sessions, and every query Mentorbot runs."""
