"""Every text the bot says that is longer than a line, and every LLM prompt, as files.

`render(name, **values)` is strict: a placeholder without a value, or a value without a
placeholder, is an error, so a renamed field can never silently print `{name}` to a user.
"""

from __future__ import annotations

import string
from functools import cache
from importlib import resources


class PromptError(Exception):
    """A prompt file is missing or was rendered with the wrong values."""


@cache
def source(name: str) -> str:
    resource = resources.files(__name__).joinpath(f"{name}.txt")
    if not resource.is_file():
        raise PromptError(f"no prompt named {name!r}")
    return resource.read_text(encoding="utf-8").rstrip("\n")


def placeholders(name: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(source(name)) if field}


def render(name: str, /, **values: object) -> str:
    wanted = placeholders(name)
    missing = wanted - values.keys()
    unused = values.keys() - wanted
    if missing or unused:
        raise PromptError(f"prompt {name!r}: missing {sorted(missing)} unused {sorted(unused)}")
    return source(name).format(**values)
