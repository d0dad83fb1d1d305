"""What a mentoring or coaching agreement covers, step by step, and how each step is validated.

The steps follow the contracting conversation: the scope of the development, the style of the
relationship, confidentiality, time and scheduling, each side's expectations, and the learning
plan. An observation arrangement adds what will be observed and the practice that follows.
Each step is a list of field specs; the modal builder and the validator both read them, so the
form and its checks cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bot.forms import FormErrors
from bot.text import clean_input

MAX_AGREEMENT_DAYS = 366
PLAN_ROWS = 3

Options = tuple[tuple[str, str], ...]

WEEKDAYS: Options = (("0", "Mon"), ("1", "Tue"), ("2", "Wed"), ("3", "Thu"), ("4", "Fri"))


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text | long_text | choice | choices | date | users
    label: str
    required: bool = True
    limit: int = 500
    options: Options = ()
    default: Any = None
    hint: str = ""
    confidential: bool = False


@dataclass(frozen=True)
class StepSpec:
    name: str
    title: str
    fields: tuple[FieldSpec, ...]
    kinds: frozenset[str] = field(default_factory=frozenset)  # empty = every kind

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


def _plan_rows() -> tuple[FieldSpec, ...]:
    rows: list[FieldSpec] = []
    for n in range(1, PLAN_ROWS + 1):
        first = n == 1
        rows += [
            FieldSpec(f"goal_{n}", "text", f"Goal {n}", required=first, limit=200),
            FieldSpec(
                f"deliverable_{n}",
                "text",
                f"Deliverable for goal {n}",
                required=False,
                limit=200,
                hint="Something you can show or review." if first else "",
            ),
            FieldSpec(f"due_{n}", "date", f"Due date for goal {n}", required=False),
        ]
    return tuple(rows)


STEPS: tuple[StepSpec, ...] = (
    StepSpec(
        "scope",
        "Scope",
        (
            FieldSpec("goals", "long_text", "Goals, in your own words", limit=1000),
            FieldSpec("covers", "long_text", "What the development covers", limit=1000),
            FieldSpec("excludes", "long_text", "What it does not cover", required=False, limit=500),
        ),
    ),
    StepSpec(
        "style",
        "Style",
        (
            FieldSpec(
                "directive",
                "choice",
                "How directive should it be?",
                options=(
                    ("teacher", "Teacher: explains and shows how"),
                    ("guide", "Guide: asks questions and lets you find the way"),
                    ("mix", "A mix of both"),
                ),
                default="guide",
            ),
            FieldSpec(
                "feedback", "long_text", "How should feedback be given?", required=False, limit=500
            ),
        ),
    ),
    StepSpec(
        "confidentiality",
        "Confidentiality",
        (
            FieldSpec(
                "manager_sees",
                "choices",
                "The manager may see",
                required=False,
                options=(
                    ("meeting", "That we meet"),
                    ("goals", "Our goals"),
                    ("progress", "Progress at checkpoints"),
                ),
                hint="Leave all unticked to share nothing with the manager.",
            ),
            FieldSpec(
                "private",
                "long_text",
                "Anything else that stays between us",
                required=False,
                limit=500,
                confidential=True,
            ),
        ),
    ),
    StepSpec(
        "schedule",
        "Time",
        (
            FieldSpec(
                "cadence_days",
                "choice",
                "How often will you meet?",
                options=(
                    ("7", "Every week"),
                    ("14", "Every two weeks"),
                    ("21", "Every three weeks"),
                    ("28", "Every four weeks"),
                ),
                default="14",
            ),
            FieldSpec(
                "session_minutes",
                "choice",
                "How long is a session?",
                options=(
                    ("30", "30 minutes"),
                    ("45", "45 minutes"),
                    ("60", "An hour"),
                    ("90", "90 minutes"),
                ),
                default="60",
            ),
            FieldSpec(
                "medium",
                "choice",
                "Where will you meet?",
                options=(
                    ("in_person", "In person"),
                    ("call", "Video or phone call"),
                    ("chat", "Chat"),
                ),
                default="call",
            ),
            FieldSpec(
                "preferred_days", "choices", "Preferred days", required=False, options=WEEKDAYS
            ),
            FieldSpec(
                "review_every",
                "choice",
                "Check progress",
                options=(
                    ("1", "At every session"),
                    ("2", "Every second session"),
                    ("4", "Every fourth session"),
                ),
                default="2",
            ),
            FieldSpec(
                "end_date",
                "date",
                "Review or end date",
                hint="When you will look back together and decide whether to continue.",
            ),
        ),
    ),
    StepSpec(
        "expectations",
        "Expectations",
        (
            FieldSpec("learner", "long_text", "What the learner expects", limit=500),
            FieldSpec("guide", "long_text", "What the mentor or coach expects", limit=500),
        ),
    ),
    StepSpec(
        "observation",
        "Observation",
        (
            FieldSpec("observed", "long_text", "What will be observed", limit=500),
            FieldSpec(
                "practice",
                "long_text",
                "The practice that follows each observation",
                limit=500,
                hint="Trying it yourself, with feedback: observing alone is not enough.",
            ),
        ),
        kinds=frozenset({"observation"}),
    ),
    StepSpec(
        "plan",
        "Learning plan",
        (
            *_plan_rows(),
            FieldSpec(
                "resources",
                "long_text",
                "Resources",
                required=False,
                limit=1000,
                hint="Books, courses, documents, tools: one per line.",
            ),
            FieldSpec("experts", "users", "Subject-matter experts to involve", required=False),
        ),
    ),
)
STEP_BY_NAME = {step.name: step for step in STEPS}


def steps_for(kind: str) -> tuple[StepSpec, ...]:
    return tuple(step for step in STEPS if step.applies_to(kind))


def next_step(kind: str, terms: Mapping[str, Any], after: str | None = None) -> str | None:
    """The first incomplete step after `after` (or from the start), or None when all are done."""
    names = [step.name for step in steps_for(kind)]
    start = names.index(after) + 1 if after in names else 0
    for name in names[start:] + names[:start]:
        if name not in terms:
            return name
    return None


def complete(kind: str, terms: Mapping[str, Any]) -> bool:
    return next_step(kind, terms) is None


def confidential_fields() -> set[tuple[str, str]]:
    return {(s.name, f.name) for s in STEPS for f in s.fields if f.confidential}


def parse_step(
    step_name: str, raw: Mapping[str, Any], *, today: date, terms: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate one step's raw answers; FormErrors maps field names to friendly messages."""
    step = STEP_BY_NAME[step_name]
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for spec in step.fields:
        value = _field(spec, raw.get(spec.name), today=today, errors=errors)
        if value not in (None, "", []):
            clean[spec.name] = value
    if step_name == "plan":
        _check_plan(clean, terms, today, errors)
    if errors:
        raise FormErrors(errors)
    return clean


def _field(spec: FieldSpec, raw: Any, *, today: date, errors: dict[str, str]) -> Any:
    if spec.kind in ("text", "long_text"):
        text = clean_input(str(raw or ""))
        if spec.required and not text:
            errors[spec.name] = "Please fill this in."
        elif len(text) > spec.limit:
            errors[spec.name] = f"Please keep this under {spec.limit} characters."
        return text
    if spec.kind == "choice":
        allowed = {value for value, _ in spec.options}
        if raw in allowed:
            return raw
        if spec.required or raw:
            errors[spec.name] = "Please choose one of the options."
        return None
    if spec.kind in ("choices", "users"):
        values = [str(v) for v in (raw or [])]
        if spec.kind == "choices" and not set(values) <= {v for v, _ in spec.options}:
            errors[spec.name] = "Please pick from the listed options."
        if spec.kind == "users" and len(values) > 10:
            errors[spec.name] = "Please pick at most ten people."
        if spec.required and not values:
            errors[spec.name] = "Please pick at least one."
        return sorted(set(values))
    return _date_field(spec, raw, today=today, errors=errors)


def _date_field(spec: FieldSpec, raw: Any, *, today: date, errors: dict[str, str]) -> str | None:
    if not raw:
        if spec.required:
            errors[spec.name] = "Please pick a date."
        return None
    try:
        day = date.fromisoformat(str(raw))
    except ValueError:
        errors[spec.name] = "Please pick a date from the calendar."
        return None
    if day <= today:
        errors[spec.name] = "Please pick a date in the future."
    elif day > today + timedelta(days=MAX_AGREEMENT_DAYS):
        errors[spec.name] = "Please pick a date within the next year."
    return day.isoformat()


def _check_plan(
    plan: dict[str, Any], terms: Mapping[str, Any], today: date, errors: dict[str, str]
) -> None:
    end = (terms.get("schedule") or {}).get("end_date")
    for n in range(1, PLAN_ROWS + 1):
        goal, deliverable, due = (
            plan.get(f"goal_{n}"),
            plan.get(f"deliverable_{n}"),
            plan.get(f"due_{n}"),
        )
        if (deliverable or due) and not goal:
            errors.setdefault(f"goal_{n}", "Please name the goal this belongs to.")
        if due and end and due > end and f"due_{n}" not in errors:
            errors[f"due_{n}"] = f"This is after your review date ({end}): pick an earlier one."


def plan_rows(plan: Mapping[str, Any]) -> list[tuple[str, str, date | None]]:
    """(goal, deliverable, due date) for each filled row of the learning plan."""
    rows = []
    for n in range(1, PLAN_ROWS + 1):
        goal = plan.get(f"goal_{n}")
        if goal:
            due = plan.get(f"due_{n}")
            rows.append(
                (
                    str(goal),
                    str(plan.get(f"deliverable_{n}") or ""),
                    date.fromisoformat(due) if due else None,
                )
            )
    return rows


def resources(plan: Mapping[str, Any]) -> list[str]:
    return [line.strip() for line in str(plan.get("resources") or "").splitlines() if line.strip()]


def label_of(step_name: str, field_name: str, value: str) -> str:
    for spec in STEP_BY_NAME[step_name].fields:
        if spec.name == field_name:
            return dict(spec.options).get(value, value)
    return value


def labels_of(step_name: str, field_name: str, values: Sequence[str]) -> list[str]:
    return [label_of(step_name, field_name, v) for v in values]
