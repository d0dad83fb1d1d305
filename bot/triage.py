"""Suggesting a mentor or a coach from what someone told us about their development need.

A coach suits a clear, concrete skill to sharpen in the current role: practice, feedback and
results that can be checked within a set time. A mentor suits the broader questions: career
direction, decisions, working out what the goal even is, growth with no fixed end date.

`triage` adds up signed pulls (positive = coach, negative = mentor) from the stated goal scope,
the drivers, the wording of the need and the format, and recommends the side that wins. The
stated scope outweighs everything else combined, so an explicit answer is never overruled. The
need text is only ever tokenised and searched: it is never formatted, compiled or echoed back.

Pure: the only I/O is reading the reason sentences through `prompts.render`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from prompts import render
from storage.models import Kind


class Driver(StrEnum):
    """Why the person wants to develop."""

    PERSONAL_GROWTH = "personal_growth"
    JOB_REQUIREMENTS = "job_requirements"
    PERFORMANCE = "performance_improvement"
    CAREER = "career_enhancement"


class GoalScope(StrEnum):
    SPECIFIC_SKILL = "specific_skill"
    BROAD_DIRECTION = "broad_direction"
    UNSURE = "unsure"


class Format(StrEnum):
    ONE_TO_ONE = "one_to_one"
    GROUP = "group"
    OBSERVATION = "observation"


@dataclass(frozen=True)
class Answers:
    need: str
    drivers: frozenset[Driver] = frozenset()
    goal_scope: GoalScope = GoalScope.UNSURE
    format: Format = Format.ONE_TO_ONE


@dataclass(frozen=True)
class Recommendation:
    kind: Kind
    reason: str
    lean: float
    signals: tuple[str, ...]


# --- Weights: positive pulls toward a coach, negative toward a mentor. ------------------------

# A stated scope is the person's own answer to the coach/mentor question, so it must outweigh
# every other signal combined (tests/test_triage.py checks this invariant).
SCOPE_WEIGHTS: Mapping[GoalScope, float] = {
    GoalScope.SPECIFIC_SKILL: 4.0,
    GoalScope.BROAD_DIRECTION: -4.0,
    GoalScope.UNSURE: 0.0,
}
# A changed job or a performance gap is about the current role (coach); career is a mentor's
# territory; personal growth leans mentor but is often a concrete skill too, so only half.
DRIVER_WEIGHTS: Mapping[Driver, float] = {
    Driver.JOB_REQUIREMENTS: 1.0,
    Driver.PERFORMANCE: 1.0,
    Driver.PERSONAL_GROWTH: -0.5,
    Driver.CAREER: -1.0,
}
# Each distinct group of phrases found in the need counts once; free text is noisy, so its
# total is capped below a single stated scope.
TEXT_GROUP_WEIGHT = 0.5
TEXT_CAP = 1.5
# Being watched at work implies practice, feedback and correction: a coach's way of working.
FORMAT_WEIGHTS: Mapping[Format, float] = {
    Format.OBSERVATION: 0.25,
    Format.GROUP: 0.0,
    Format.ONE_TO_ONE: 0.0,
}
# Only this much of the need is read: enough for any honest answer, bounded for any input.
MAX_NEED_CHARS = 20_000


def _side_max(sign: float) -> float:
    """The largest pull every signal together can give toward one side (sign +1 or -1)."""
    drivers = sum(max(sign * weight, 0.0) for weight in DRIVER_WEIGHTS.values())
    fmt = max(max(sign * weight, 0.0) for weight in FORMAT_WEIGHTS.values())
    scope = max(max(sign * weight, 0.0) for weight in SCOPE_WEIGHTS.values())
    return scope + drivers + TEXT_CAP + fmt


COACH_MAX_PULL = _side_max(1.0)
MENTOR_MAX_PULL = _side_max(-1.0)


# --- Reading the need: casefolded, stemmed tokens matched as phrases. ------------------------

_TOKEN = re.compile(r"[^\W_]+|%")
_APOSTROPHES = str.maketrans("", "", "'\u2019\u02bc")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ed", "es", "s", "e")
_MIN_STEM = 3


def _stem(word: str) -> str:
    """Strip one common English ending, so presenting/presentations/presented all meet."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def _stems(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return [_stem(token) for token in _TOKEN.findall(text)]


_NUMBER_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_MONTHS = (
    *("january", "february", "march", "april", "may", "june", "july", "august"),
    *("september", "october", "november", "december", "jan", "feb", "mar", "apr", "jun"),
    *("jul", "aug", "sep", "sept", "oct", "nov", "dec", "q1", "q2", "q3", "q4"),
)
_UNITS = ("day", "week", "month", "quarter", "sprint")


def _choice(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


def _stemmed(words: tuple[str, ...]) -> list[str]:
    return [re.escape(_stem(word)) for word in words]


# Slots usable in phrases below; `...` lets up to three words sit between its neighbours.
_SLOTS = {
    "<n>": _choice(r"\d+", *_stemmed(_NUMBER_WORDS)),
    "<month>": _choice(*_stemmed(_MONTHS)),
    "<unit>": _choice(*_stemmed(_UNITS)),
}
_GAP = "..."


COACH_PHRASES: Mapping[str, tuple[str, ...]] = {
    "get_better": (
        "better at",
        "improve my",
        "improve on",
        "learn to",
        "learn how to",
        "sharpen",
        "brush up",
        "practice",
        "practise",
        "hone",
        "level up",
    ),
    "presenting": ("present", "public speaking", "speak in public", "pitch", "slide deck"),
    "named_skill": (
        "sql",
        "excel",
        "python",
        "javascript",
        "typescript",
        "java",
        "powerpoint",
        "tableau",
        "power bi",
        "jira",
        "figma",
        "salesforce",
        "spreadsheet",
        "pivot table",
        "git",
        "code review",
        "review code",
        "unit test",
    ),
    "negotiation": ("negotiate", "negotiation", "negotiator"),
    "writing": (
        "write ... report",
        "written ... report",
        "report writing",
        "write ... proposal",
        "business writing",
    ),
    "workplace_skill": (
        "give feedback",
        "delegate",
        "delegation",
        "run ... meeting",
        "running ... meeting",
        "facilitate",
        "facilitation",
        "time management",
        "prioritise",
        "prioritize",
    ),
    "deadline": (
        "deadline",
        "by <month>",
        "by the end of",
        "by end of",
        "by next",
        "in <n> <unit>",
        "within <n> <unit>",
    ),
    "measurable": (
        "<n> %",
        "percent",
        "per cent",
        "target",
        "kpi",
        "metric",
        "score",
        "certification",
        "certified",
        "certificate",
        "exam",
        "from <n> to <n>",
    ),
}

MENTOR_PHRASES: Mapping[str, tuple[str, ...]] = {
    "career": ("career", "promotion path", "get promoted", "progression"),
    "direction": ("direction", "future", "long term", "what ... next", "big picture", "next step"),
    "decision": (
        "decide",
        "decision",
        "should i",
        "figure out",
        "choose between",
        "choice",
        "weigh ... option",
        "not sure whether",
    ),
    "transition": (
        "move into",
        "transition",
        "pivot into",
        "pivot to",
        "step into",
        "become a manager",
    ),
    "growth": ("leadership journey", "my journey", "grow as a", "kind of leader"),
    "balance": ("balance", "work life", "burnout", "wellbeing", "well being"),
    "purpose": (
        "purpose",
        "meaningful",
        "my values",
        "fulfil",
        "fulfilled",
        "fulfilment",
        "fulfillment",
        "passion",
    ),
    "guidance": (
        "guidance",
        "advice",
        "sounding board",
        "talk through",
        "think through",
        "reflect",
        "reflection",
    ),
}


def _phrase(phrase: str) -> str:
    """A phrase as a regex over the space-separated stems, each stem followed by a space."""
    parts: list[str] = []
    for word in phrase.split():
        if word == _GAP:
            parts.append(r"(?:\S+ ){0,3}")
        elif word in _SLOTS:
            parts.append(_SLOTS[word] + " ")
        else:
            parts.extend(re.escape(stem) + " " for stem in _stems(word))
    return "".join(parts)


def _compile(phrases: Mapping[str, tuple[str, ...]]) -> dict[str, re.Pattern[str]]:
    return {
        name: re.compile(" " + _choice(*(_phrase(phrase) for phrase in group)))
        for name, group in phrases.items()
    }


_COACH_PATTERNS = _compile(COACH_PHRASES)
_MENTOR_PATTERNS = _compile(MENTOR_PHRASES)


def _text_signals(need: str) -> tuple[list[str], list[str]]:
    """Names of the coach and the mentor phrase groups found in `need`."""
    searched = " " + " ".join(_stems(need[:MAX_NEED_CHARS])) + " "
    coach = [name for name, pattern in _COACH_PATTERNS.items() if pattern.search(searched)]
    mentor = [name for name, pattern in _MENTOR_PATTERNS.items() if pattern.search(searched)]
    return coach, mentor


# --- The decision. ------------------------------------------------------------------------------


def triage(answers: Answers) -> Recommendation:
    """Recommend a coach or a mentor for `answers`, with a one-sentence reason."""
    weighted = [
        (f"scope:{answers.goal_scope.value}", SCOPE_WEIGHTS[answers.goal_scope]),
        *((f"driver:{d.value}", DRIVER_WEIGHTS[d]) for d in Driver if d in answers.drivers),
        (f"format:{answers.format.value}", FORMAT_WEIGHTS[answers.format]),
    ]
    coach_text, mentor_text = _text_signals(answers.need)
    text_pull = TEXT_GROUP_WEIGHT * (len(coach_text) - len(mentor_text))
    pull = sum(weight for _, weight in weighted) + max(-TEXT_CAP, min(TEXT_CAP, text_pull))
    signals = [name for name, weight in weighted if weight]
    signals += [f"text:{name}" for name in coach_text + mentor_text]

    if pull > 0:
        kind, reason, lean = Kind.COACH, "triage_coach", pull / COACH_MAX_PULL
    elif pull < 0:
        kind, reason, lean = Kind.MENTOR, "triage_mentor", pull / MENTOR_MAX_PULL
    else:
        kind, reason, lean = Kind.MENTOR, "triage_open", 0.0
    return Recommendation(
        kind=kind,
        reason=render(reason),
        lean=round(max(-1.0, min(1.0, lean)), 3),
        signals=tuple(signals),
    )


def mismatch_note(asked: Kind, recommendation: Recommendation) -> str | None:
    """None when the person asked for what is recommended; otherwise one friendly sentence saying
    their answers point to the other kind and that they can still choose."""
    if Kind(asked) == recommendation.kind:
        return None
    return render("triage_mismatch", asked=Kind(asked).value, recommended=recommendation.kind.value)
