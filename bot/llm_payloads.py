"""What each LLM use sends: the minimum data per use (no Slack ids, no names, confidential
agreement fields only when allowed), capped in length, and `as_data` to wrap it for the prompt."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from bot import agreement_terms
from bot.text import shorten
from bot.triage import Answers

NEED_SENT_MAX = 2000
NEED_SUMMARY_MAX = 300
TOPICS_SENT_MAX = 300
GOALS_SENT = 5
GOAL_SENT_MAX = 200
NOTES_SENT = 3
NOTE_SENT_MAX = 500
PROGRESS_SENT_MAX = 500


def triage_data(answers: Answers) -> dict[str, Any]:
    return {
        "need": shorten(answers.need, NEED_SENT_MAX),
        "drivers": sorted(driver.value for driver in answers.drivers),
        "goal_scope": answers.goal_scope.value,
        "format": answers.format.value,
    }


def match_data(need_summary: str, volunteer_topics: str) -> dict[str, Any]:
    return {
        "need": shorten(need_summary, NEED_SUMMARY_MAX),
        "volunteer_topics": shorten(volunteer_topics, TOPICS_SENT_MAX),
    }


def agreement_data(kind: str, terms: Mapping[str, Any], *, private: bool) -> dict[str, Any]:
    """The terms as labels, minus Slack ids (the experts) and, unless `private`, minus the
    confidential fields."""
    confidential = agreement_terms.confidential_fields()
    sent: dict[str, Any] = {}
    for step in agreement_terms.steps_for(kind):
        values = terms.get(step.name) or {}
        fields: dict[str, Any] = {}
        for spec in step.fields:
            value = values.get(spec.name)
            if value in (None, "", []) or spec.kind == "users":
                continue
            if (step.name, spec.name) in confidential and not private:
                continue
            if spec.kind == "choice":
                fields[spec.label] = agreement_terms.label_of(step.name, spec.name, str(value))
            elif spec.kind == "choices":
                fields[spec.label] = agreement_terms.labels_of(
                    step.name, spec.name, [str(v) for v in value]
                )
            else:
                fields[spec.label] = shorten(str(value), spec.limit)
        if fields:
            sent[step.title] = fields
    return {"kind": kind.replace("_", " "), "terms": sent}


def goals_sent(goals: Sequence[str]) -> list[str]:
    return [shorten(g, GOAL_SENT_MAX) for g in goals if g.strip()][:GOALS_SENT]


def notes_sent(notes: Sequence[str]) -> list[str]:
    return [shorten(n, NOTE_SENT_MAX) for n in notes if n.strip()][:NOTES_SENT]


def as_data(value: Mapping[str, Any]) -> str:
    """One JSON object for the user message; `<`, `>` and `&` escaped (still valid JSON), so the
    data can never close its <data> delimiter."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
