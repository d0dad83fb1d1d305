"""Parsing what people type after `/mentoring`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Parsed:
    name: str
    args: str


def parse_subcommand(text: str) -> Parsed:
    """Split `/mentoring` text into a lower-case subcommand and the rest, as typed."""
    stripped = text.strip()
    if not stripped:
        return Parsed(name="", args="")
    head, _, rest = stripped.partition(" ")
    return Parsed(name=head.lower(), args=rest.strip())
