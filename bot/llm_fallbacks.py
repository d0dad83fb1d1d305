"""The product's own answers for each LLM use: what the person sees when there is no model or
its answer is missing, late or unusable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import prompts
from bot import agreement_terms
from bot.llm_answers import Opinion
from bot.text import shorten
from bot.triage import Answers, triage


def fallback_opinion(answers: Answers) -> Opinion:
    recommendation = triage(answers)
    return Opinion(kind=recommendation.kind, reason=recommendation.reason, from_model=False)


def fallback_agreement(terms: Mapping[str, Any]) -> str:
    """A short paragraph from the agreed schedule and plan (never the confidential fields)."""
    schedule = terms.get("schedule") or {}

    def label(field: str, default: str) -> str:
        value = schedule.get(field)
        return agreement_terms.label_of("schedule", field, str(value)) if value else default

    cadence = label("cadence_days", "regularly")
    length = label("session_minutes", "as long as you need")
    medium = label("medium", "as you agreed")
    review = str(schedule.get("end_date") or "the date you agreed")
    goals = [goal for goal, _, _ in agreement_terms.plan_rows(terms.get("plan") or {})]
    plan = f"Your plan: {'; '.join(shorten(g, 120) for g in goals)}." if goals else ""
    return prompts.render(
        "llm_agreement_fallback",
        cadence=_lower_first(cadence),
        length=_lower_first(length),
        medium=_lower_first(medium),
        review=review,
        goals=plan,
    ).strip()


def fallback_report(plan_goals: Sequence[str], progress_text: str) -> str:
    goals = "; ".join(shorten(g, 120) for g in plan_goals) or "no goals were written in the plan"
    return prompts.render("llm_report_fallback", goals=goals, progress=progress_text).strip()


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
