"""Optional drafting help from an OpenAI-compatible endpoint; the product's own answer otherwise.

The only module that imports `openai`. Five uses, one method each, each with a pydantic output
model (`bot.llm_answers`) and a deterministic fallback built from the product's own rules and
prompt templates (`bot.llm_fallbacks`):

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

Privacy: each use sends the minimum it needs (see `bot.llm_payloads`): no Slack ids, no names.
Private reflections and the agreement's confidential fields
(`agreement_terms.confidential_fields()`) are dropped, whatever the caller passes, unless
`may_read_private` (MENTORBOT_LLM_MAY_READ_PRIVATE) is on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import openai
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel

import prompts
from bot.config import Settings
from bot.llm_answers import (
    ECHO_WORDS,
    QUOTE_WORDS,
    AgreementAnswer,
    InvalidAnswer,
    MatchAnswer,
    Opinion,
    ReflectionAnswer,
    ReportAnswer,
    TriageAnswer,
    repeats,
)
from bot.llm_fallbacks import fallback_agreement, fallback_opinion, fallback_report
from bot.llm_payloads import (
    PROGRESS_SENT_MAX,
    agreement_data,
    as_data,
    goals_sent,
    match_data,
    notes_sent,
    triage_data,
)
from bot.text import shorten
from bot.triage import Answers
from storage.models import Kind

if TYPE_CHECKING:
    from bot.contracting import Draft

log = logging.getLogger("mentorbot.llm")

USES = ("triage", "match", "agreement", "reflection", "report")

MAX_OUTPUT_TOKENS = 400
RETRY_PAUSE_SECONDS = 0.2
MIN_ATTEMPT_SECONDS = 0.2

M = TypeVar("M", bound=BaseModel)


class Refused(Exception):
    """The model refused to answer."""


class NoAnswer(Exception):
    """The reply had no usable content."""


class OutOfTime(Exception):
    """No time left in this use's budget for another request."""


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
        data = triage_data(answers)
        answer = self._ask("triage", TriageAnswer, typed=data["need"], answers=data)
        if answer is None:
            return fallback_opinion(answers)
        return Opinion(kind=Kind(answer.kind), reason=answer.reason, from_model=True)

    def match_reason(self, need_summary: str, volunteer_topics: str, fallback_why: str) -> str:
        if not need_summary.strip() or not volunteer_topics.strip():
            return fallback_why
        data = match_data(need_summary, volunteer_topics)
        answer = self._ask("match", MatchAnswer, typed=data["need"], match=data)
        return fallback_why if answer is None else answer.reason

    def agreement_draft(self, draft: Draft) -> str:
        data = agreement_data(draft.kind, draft.terms, private=self.may_read_private)
        answer = self._ask("agreement", AgreementAnswer, agreement=data)
        return fallback_agreement(draft.terms) if answer is None else answer.summary

    def reflection_question(
        self, goals: Sequence[str], fallback: str, recent_notes: Sequence[str] = ()
    ) -> str:
        """`recent_notes` are the person's own private reflections: sent only when allowed."""
        data: dict[str, Any] = {"goals": goals_sent(goals)}
        if self.may_read_private and notes_sent(recent_notes):
            data["recent_notes"] = notes_sent(recent_notes)
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
            "goals": goals_sent(plan_goals),
            "progress": shorten(progress_text, PROGRESS_SENT_MAX),
        }
        if self.may_read_private and notes_sent(shared_notes):
            data["shared_notes"] = notes_sent(shared_notes)
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
            if repeats(answer, system, ECHO_WORDS):
                raise InvalidAnswer("repeats its instructions")
            if typed and repeats(answer, typed, QUOTE_WORDS):
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
