"""Optional drafting help from an OpenAI-compatible endpoint; the product's own answer otherwise.

The only module that imports `openai`. Five uses, one method each, each with a pydantic output
model and a deterministic fallback built from the product's own rules and prompt templates:

* `triage_opinion(answers)`: a second opinion on coach or mentor (fallback: `bot.triage`);
* `match_reason(need_summary, volunteer_topics, fallback_why)`: why a volunteer fits (fallback:
  the matcher's own sentence);
* `agreement_draft(draft)`: a friendly paragraph summing up an agreement (fallback: a template
  filled from the terms);
* `reflection_question(goals, fallback)`: a reflection question tailored to the plan's goals
  (fallback: the rotating question it is given);
* `report_summary(plan_goals, progress_text)`: a first draft of "what was learned" for the
  mentor's report (fallback: a template from the goals and the checkpoint counts).

How each use asks:

* Its system and user prompts are files in prompts/ (`llm_<use>_system`, `llm_<use>_user`),
  rendered strictly. What people typed travels only inside the user message, as one JSON object
  between <data> and </data> (with `<` and `>` escaped, so it cannot close the delimiter); it is
  never spliced into the instructions.
* Structured output first (`chat.completions.parse(response_format=Model)`). A server that
  refuses it (400/422) is asked again without `response_format` (the prompts describe the JSON
  shape anyway) and that answer is validated with the same model; the client then remembers not
  to ask for structured output again.
* Any exception, timeout, refusal or validation failure gives the fallback, logged at INFO with
  the use name and the error's type only, never any text. Valid means: the model's fields with
  the right types, one line (the report draft: a few), within the use's length cap, with no
  Slack mention syntax (`<!`, `<@`, `<#`, `@channel`…), no links, and no run of words copied
  from the instructions.
* Time: each request may take `timeout` seconds; a fast transient failure (connection reset,
  429, 5xx) is retried once after a short pause (Retry-After is not honoured: it could hold a
  worker for minutes), and one use never takes more than twice `timeout` in all. The client's own
  retries are off for the same reason.

Privacy: each use sends the minimum it needs (see `_triage_data`, `_match_data`, …): no Slack
ids, no names. Private reflections and the agreement's confidential fields
(`agreement_terms.confidential_fields()`) are dropped here, whatever the caller passes, unless
`may_read_private` (MENTORBOT_LLM_MAY_READ_PRIVATE) is on.
"""

from __future__ import annotations

import json
import logging
import re
import time
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import openai
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, field_validator

import prompts
from bot import agreement_terms
from bot.config import Settings
from bot.text import clean_input, shorten
from bot.triage import Answers, triage
from storage.models import Kind

if TYPE_CHECKING:
    from bot.contracting import Draft

log = logging.getLogger("mentorbot.llm")

USES = ("triage", "match", "agreement", "reflection", "report")

REASON_MAX = 200
QUESTION_MAX = 200
SUMMARY_MAX = 600
LEARNED_MAX = 800
LEARNED_LINES = 6
MAX_OUTPUT_TOKENS = 400

NEED_SENT_MAX = 2000
NEED_SUMMARY_MAX = 300
TOPICS_SENT_MAX = 300
GOALS_SENT = 5
GOAL_SENT_MAX = 200
NOTES_SENT = 3
NOTE_SENT_MAX = 500
PROGRESS_SENT_MAX = 500

RETRY_PAUSE_SECONDS = 0.2
MIN_ATTEMPT_SECONDS = 0.2
ECHO_WORDS = 8
"""An answer sharing this many consecutive words with its instructions is repeating them."""
QUOTE_WORDS = 6
"""An answer sharing this many consecutive words with what the person typed is quoting them
(the triage and match prompts ask for no quotes: the matcher's own sentence never does either)."""

_MENTIONS = ("<!", "<@", "<#", "@channel", "@here", "@everyone")
_LINKS = re.compile(r"https?:|www\.|mailto:|slack:", re.IGNORECASE)
_WORDS = re.compile(r"[^\W_]+")

M = TypeVar("M", bound=BaseModel)


class InvalidAnswer(ValueError):
    """The model's answer is not something the product may show."""


class Refused(Exception):
    """The model refused to answer."""


class NoAnswer(Exception):
    """The reply had no usable content."""


class OutOfTime(Exception):
    """No time left in this use's budget for another request."""


# --- output models ----------------------------------------------------------------------------


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


# --- fallbacks: the product's own answers -----------------------------------------------------


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


# --- what each use sends ----------------------------------------------------------------------


def _triage_data(answers: Answers) -> dict[str, Any]:
    return {
        "need": shorten(answers.need, NEED_SENT_MAX),
        "drivers": sorted(driver.value for driver in answers.drivers),
        "goal_scope": answers.goal_scope.value,
        "format": answers.format.value,
    }


def _match_data(need_summary: str, volunteer_topics: str) -> dict[str, Any]:
    return {
        "need": shorten(need_summary, NEED_SUMMARY_MAX),
        "volunteer_topics": shorten(volunteer_topics, TOPICS_SENT_MAX),
    }


def _agreement_data(kind: str, terms: Mapping[str, Any], *, private: bool) -> dict[str, Any]:
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


def _goals(goals: Sequence[str]) -> list[str]:
    return [shorten(g, GOAL_SENT_MAX) for g in goals if g.strip()][:GOALS_SENT]


def _notes(notes: Sequence[str]) -> list[str]:
    return [shorten(n, NOTE_SENT_MAX) for n in notes if n.strip()][:NOTES_SENT]


def as_data(value: Mapping[str, Any]) -> str:
    """One JSON object for the user message; `<`, `>` and `&` escaped (still valid JSON), so the
    data can never close its <data> delimiter."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _repeats(answer: BaseModel, source: str, run: int) -> bool:
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


def _json_object(content: str) -> str:
    """The outermost {...} of a reply (models often wrap JSON in prose or code fences)."""
    start, end = content.find("{"), content.rfind("}")
    if start < 0 or end < start:
        raise NoAnswer("no JSON object")
    return content[start : end + 1]


# --- the assistants ---------------------------------------------------------------------------


class Assistant:
    """Asks an OpenAI-compatible endpoint; every method returns the product's own answer when the
    model's is missing, late or unusable, so callers never see an error."""

    def __init__(
        self,
        *,
        client: openai.OpenAI | None,
        model: str,
        timeout: float,
        may_read_private: bool = False,
    ) -> None:
        self._client = client
        self._model = model
        self._timeout = timeout
        self._structured = True
        self.may_read_private = may_read_private

    @property
    def enabled(self) -> bool:
        """True when there is a model to ask (the offline assistant has none)."""
        return self._client is not None

    @property
    def timeout(self) -> float:
        return self._timeout

    @property
    def budget(self) -> float:
        """The longest one use can take, every request and the retry included."""
        return 2 * self._timeout

    # -- the five uses --

    def triage_opinion(self, answers: Answers) -> Opinion:
        data = _triage_data(answers)
        answer = self._ask("triage", TriageAnswer, typed=data["need"], answers=data)
        if answer is None:
            return fallback_opinion(answers)
        return Opinion(kind=Kind(answer.kind), reason=answer.reason, from_model=True)

    def match_reason(self, need_summary: str, volunteer_topics: str, fallback_why: str) -> str:
        if not need_summary.strip() or not volunteer_topics.strip():
            return fallback_why
        data = _match_data(need_summary, volunteer_topics)
        answer = self._ask("match", MatchAnswer, typed=data["need"], match=data)
        return fallback_why if answer is None else answer.reason

    def agreement_draft(self, draft: Draft) -> str:
        data = _agreement_data(draft.kind, draft.terms, private=self.may_read_private)
        answer = self._ask("agreement", AgreementAnswer, agreement=data)
        return fallback_agreement(draft.terms) if answer is None else answer.summary

    def reflection_question(
        self, goals: Sequence[str], fallback: str, recent_notes: Sequence[str] = ()
    ) -> str:
        """`recent_notes` are the person's own private reflections: sent only when allowed."""
        data: dict[str, Any] = {"goals": _goals(goals)}
        if self.may_read_private and _notes(recent_notes):
            data["recent_notes"] = _notes(recent_notes)
        if not data["goals"] and "recent_notes" not in data:
            return fallback
        answer = self._ask("reflection", ReflectionAnswer, plan=data)
        return fallback if answer is None else answer.question

    def report_summary(
        self, plan_goals: Sequence[str], progress_text: str, shared_notes: Sequence[str] = ()
    ) -> str:
        """`shared_notes` are reflections the learner shared with the mentor: sent only when
        allowed."""
        data: dict[str, Any] = {
            "goals": _goals(plan_goals),
            "progress": shorten(progress_text, PROGRESS_SENT_MAX),
        }
        if self.may_read_private and _notes(shared_notes):
            data["shared_notes"] = _notes(shared_notes)
        answer = self._ask("report", ReportAnswer, record=data)
        return fallback_report(plan_goals, progress_text) if answer is None else answer.learned

    # -- asking --

    def _ask(
        self, use: str, output: type[M], *, typed: str = "", **data: Mapping[str, Any]
    ) -> M | None:
        """The model's validated answer, or None (logged) for the caller's fallback. `typed` is
        what the person wrote, which the answer must not quote back."""
        if self._client is None:
            return None
        started = time.monotonic()
        try:
            system = prompts.render(f"llm_{use}_system")
            user = prompts.render(
                f"llm_{use}_user", **{name: as_data(value) for name, value in data.items()}
            )
            messages: list[ChatCompletionMessageParam] = [
                {"role": "system", "content": system},
                {"role": "user", "content": user},
            ]
            answer = self._complete(self._client, output, messages, started + self.budget)
            if _repeats(answer, system, ECHO_WORDS):
                raise InvalidAnswer("repeats its instructions")
            if typed and _repeats(answer, typed, QUOTE_WORDS):
                raise InvalidAnswer("quotes the person")
        except Exception as error:  # any failure at all means the product's own answer
            log.info(
                "llm %s: fell back to the rules (%s)",
                use,
                type(error).__name__,
                extra={"outcome": "fallback", "error": type(error).__name__},
            )
            return None
        log.info(
            "llm %s: answered in %d ms",
            use,
            (time.monotonic() - started) * 1000,
            extra={"outcome": "answered", "latency_ms": int((time.monotonic() - started) * 1000)},
        )
        return answer

    def _complete(
        self,
        client: openai.OpenAI,
        output: type[M],
        messages: list[ChatCompletionMessageParam],
        deadline: float,
    ) -> M:
        retried = False
        while True:
            remaining = deadline - time.monotonic()
            if remaining < MIN_ATTEMPT_SECONDS:
                raise OutOfTime()
            timeout = min(self._timeout, remaining)
            structured = self._structured
            try:
                if structured:
                    return self._parse(client, output, messages, timeout)
                return self._plain(client, output, messages, timeout)
            except (openai.BadRequestError, openai.UnprocessableEntityError):
                if not structured:
                    raise
                self._structured = False  # this server does not take response_format
            except openai.APITimeoutError:
                raise
            except (
                openai.APIConnectionError,
                openai.RateLimitError,
                openai.InternalServerError,
            ):
                if retried:
                    raise
                retried = True
                time.sleep(RETRY_PAUSE_SECONDS)

    def _parse(
        self,
        client: openai.OpenAI,
        output: type[M],
        messages: list[ChatCompletionMessageParam],
        timeout: float,
    ) -> M:
        completion = client.chat.completions.parse(
            model=self._model,
            messages=messages,
            response_format=output,
            max_completion_tokens=MAX_OUTPUT_TOKENS,
            timeout=timeout,
        )
        if not completion.choices:
            raise NoAnswer("no choices")
        message = completion.choices[0].message
        if message.refusal:
            raise Refused()
        if message.parsed is None:
            raise NoAnswer("nothing parsed")
        return message.parsed  # validated against `output`, field validators included

    def _plain(
        self,
        client: openai.OpenAI,
        output: type[M],
        messages: list[ChatCompletionMessageParam],
        timeout: float,
    ) -> M:
        completion = client.chat.completions.create(
            model=self._model,
            messages=messages,
            max_completion_tokens=MAX_OUTPUT_TOKENS,
            timeout=timeout,
        )
        if not completion.choices:
            raise NoAnswer("no choices")
        message = completion.choices[0].message
        if message.refusal:
            raise Refused()
        return output.model_validate_json(_json_object(message.content or ""))


class OfflineAssistant(Assistant):
    """No model: every method gives the product's own answer. The default."""

    def __init__(self) -> None:
        super().__init__(client=None, model="", timeout=0.5)


def build_assistant(settings: Settings) -> Assistant:
    """An assistant on OPENAI_BASE_URL (OpenAI's own API when unset) when OPENAI_API_KEY is set;
    the offline assistant otherwise."""
    if not settings.llm_enabled:
        return OfflineAssistant()
    # The client logs whole request bodies (prompts, so people's text) at DEBUG: never let it.
    for name in ("openai", "httpx2"):
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.level, logging.INFO))
    client = openai.OpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url or None,
        timeout=settings.mentorbot_llm_timeout_seconds,
        max_retries=0,
    )
    return Assistant(
        client=client,
        model=settings.mentorbot_llm_model,
        timeout=settings.mentorbot_llm_timeout_seconds,
        may_read_private=settings.mentorbot_llm_may_read_private,
    )
