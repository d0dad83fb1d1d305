"""The bot token scopes the app needs: the `oauth_config.scopes.bot` list of manifest.yml.

manifest.yml lives at the repository root, outside the installed package, so the list is kept
here too for `mentorbot doctor` and the emulator; a test keeps the two equal.
"""

from __future__ import annotations

BOT_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "mpim:write",
    "im:history",
    "users:read",
    "channels:read",
    "groups:read",
    "files:write",
)


def manifest_bot_scopes(text: str) -> tuple[str, ...]:
    """The `oauth_config: scopes: bot:` list of a Slack app manifest in YAML, read without a
    YAML library: the manifest's block style (`key:` lines, `- item` lines) is all it handles."""
    path: list[tuple[int, str]] = []  # (indent, key) of the mapping keys enclosing this line
    found: list[str] = []
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(stripped)
        while path and path[-1][0] >= indent and not stripped.startswith("- "):
            path.pop()
        keys = [key for _, key in path]
        if stripped.startswith("- "):
            if keys[-3:] == ["oauth_config", "scopes", "bot"]:
                found.append(stripped[2:].strip().strip("\"'"))
            continue
        if stripped.endswith(":"):
            path.append((indent, stripped[:-1].strip()))
    return tuple(found)
