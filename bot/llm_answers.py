"""What the model may answer: the pydantic output model of each use and the checks an answer
must pass before the product shows it (`checked`, `repeats`)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, field_validator

from bot.text import clean_input
from storage.models import Kind

REASON_MAX = 200
QUESTION_MAX = 200
SUMMARY_MAX = 600
LEARNED_MAX = 800
LEARNED_LINES = 6

ECHO_WORDS = 8
"""An answer sharing this many consecutive words with its instructions is repeating them."""
QUOTE_WORDS = 6
"""An answer sharing this many consecutive words with what the person typed is quoting them
(the triage and match prompts ask for no quotes: the matcher's own sentence never does either)."""

_MENTIONS = ("<!", "<@", "<#", "@channel", "@here", "@everyone")
_LINKS = re.compile(r"https?:|www\.|mailto:|slack:", re.IGNORECASE)
_WORDS = re.compile(r"[^\W_]+")


class InvalidAnswer(ValueError):
    """The model's answer is not something the product may show."""


def checked(text: str, limit: int, *, lines: int = 1) -> str:
    """`text` made safe to show, or InvalidAnswer: trimmed, whitespace collapsed (at most
    `lines` lines), non-empty, within `limit`, with no Slack mention syntax and no links."""
    normal = unicodedata.normalize("NFKC", clean_input(text))
    kept = [" ".join(line.split()) for line in normal.splitlines()]
    kept = [line for line in kept if line]
    if not kept:
        raise InvalidAnswer("empty")
    if len(kept) > lines:
        raise InvalidAnswer("too many lines")
    result = "\n".join(kept)
    if len(result) > limit:
        raise InvalidAnswer("too long")
    folded = result.casefold()
    if any(mark in folded for mark in _MENTIONS):
        raise InvalidAnswer("mention syntax")
    if _LINKS.search(result):
        raise InvalidAnswer("link")
    return result


class TriageAnswer(BaseModel):
    kind: Literal["coach", "mentor"]
    reason: str

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return checked(value, REASON_MAX)


class MatchAnswer(BaseModel):
    reason: str

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return checked(value, REASON_MAX)


class AgreementAnswer(BaseModel):
    summary: str

    @field_validator("summary")
    @classmethod
    def _summary(cls, value: str) -> str:
        return checked(value, SUMMARY_MAX)


class ReflectionAnswer(BaseModel):
    question: str

    @field_validator("question")
    @classmethod
    def _question(cls, value: str) -> str:
        question = checked(value, QUESTION_MAX)
        if not question.endswith("?"):
            raise InvalidAnswer("not a question")
        return question


class ReportAnswer(BaseModel):
    learned: str

    @field_validator("learned")
    @classmethod
    def _learned(cls, value: str) -> str:
        return checked(value, LEARNED_MAX, lines=LEARNED_LINES)


@dataclass(frozen=True)
class Opinion:
    kind: Kind
    reason: str
    from_model: bool = False


def repeats(answer: BaseModel, source: str, run: int) -> bool:
    """True when a text field of `answer` repeats `run` consecutive words of `source`."""
    haystack = " " + " ".join(_WORDS.findall(source.casefold())) + " "
    for value in answer.model_dump().values():
        if not isinstance(value, str):
            continue
        words = _WORDS.findall(value.casefold())
        for start in range(len(words) - run + 1):
            if " " + " ".join(words[start : start + run]) + " " in haystack:
                return True
    return False
