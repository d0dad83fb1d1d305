"""LLM help shown after the fact: the listener acks and shows the rules' answer at once; the
assistant is asked afterwards on a pool of its own, and a usable answer updates what the person
already sees (views.update, chat.update).

Nothing here runs unless an LLM is configured (`services.llm.enabled`), and nothing here ever
runs before an ack or on Bolt's listener pool: a slow model cannot starve later acks. A model
answer replaces nothing the person has moved on from: each update first checks, in the
database or with the view's hash, that the screen is still the one it was meant for. When the
assistant falls back to the rules, the screen already shows the rules' answer, so nothing is
updated.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

import prompts
from bot import contracting, llm_inputs
from bot.contracting import Draft
from bot.llm_fallbacks import fallback_agreement, fallback_report
from bot.requesting import Proposal, Submitted
from bot.services import Services
from bot.text import escape_mrkdwn
from bot.triage import Answers
from handlers import agreement_blocks, request_blocks
from handlers.blocks import section

log = logging.getLogger("mentorbot.llm")

LLM_THREADS = 4
"""Follow-ups run here, never on the listener pool (handlers/app.py LISTENER_THREADS)."""
STALE_SECONDS = 20.0
"""A follow-up that waited this long in the queue is dropped: the person has moved on."""
OPEN_WAIT_SECONDS = 2.0
"""How long an update by external_id waits for the modal's views.open to land."""
ANSWER_WAIT_SECONDS = 3.0
"""How long an update of a view set by the ack waits for that ack to be sent (Slack's limit)."""
SECOND_OPINION_BLOCK = "request_second_opinion"

_executor = ThreadPoolExecutor(max_workers=LLM_THREADS, thread_name_prefix="mentorbot-llm")
_idle = threading.Condition()
_in_flight = 0


def after_ack(use: str, work: Callable[[], None]) -> None:
    """Run `work` on the LLM pool. Slack errors (the view was closed or changed meanwhile) and
    anything else are logged by type, never raised: the person already has the rules' answer."""
    global _in_flight
    queued = time.monotonic()

    def run() -> None:
        global _in_flight
        try:
            if time.monotonic() - queued > STALE_SECONDS:
                log.info("llm %s: follow-up dropped, queued too long", use)
                return
            work()
        except SlackApiError as error:
            log.info(
                "llm %s: follow-up not shown (%s)",
                use,
                error.response.get("error"),
                extra={"outcome": "not_shown", "error": str(error.response.get("error"))},
            )
        except Exception as error:
            log.warning(
                "llm %s: follow-up failed (%s)",
                use,
                type(error).__name__,
                extra={"outcome": "failed", "error": type(error).__name__},
            )
        finally:
            with _idle:
                _in_flight -= 1
                _idle.notify_all()

    with _idle:
        _in_flight += 1
    _executor.submit(run)


def wait_idle(timeout: float) -> bool:
    """Wait until no follow-up is queued or running (tests, the demo); False on timeout."""
    with _idle:
        return _idle.wait_for(lambda: _in_flight == 0, timeout=timeout)


# --- the follow-ups ---------------------------------------------------------------------------


def second_opinion(
    client: WebClient,
    services: Services,
    *,
    team_id: str,
    view_id: str,
    submitted: Submitted,
    answers: Answers,
    answered: threading.Event | None,
) -> None:
    """Add the model's second opinion to the triage view the ack showed. The ack set that view
    with `response_action`, so the update waits until the ack has been sent (`answered`): sent
    earlier, the ack would replace it."""
    if not services.llm.enabled:
        return

    def work() -> None:
        opinion = services.llm.triage_opinion(answers)
        if not opinion.from_model:
            return
        rules = submitted.recommendation.kind
        if opinion.kind == rules:
            text = prompts.render("triage_second_opinion", reason=escape_mrkdwn(opinion.reason))
        else:
            text = prompts.render(
                "triage_second_opinion_differs",
                suggested=request_blocks.KIND_LABEL[opinion.kind],
                recommended=request_blocks.KIND_LABEL[rules],
                reason=escape_mrkdwn(opinion.reason),
            )
        view = request_blocks.triage_view(submitted)
        block = section(text)
        block.block_id = SECOND_OPINION_BLOCK
        view["blocks"].insert(1, block.to_dict())
        if not llm_inputs.request_at_triage(
            services, team_id=team_id, request_id=submitted.request_id
        ):
            return  # they already chose: the modal shows the candidates now
        if answered is not None:
            answered.wait(ANSWER_WAIT_SECONDS)
        client.views_update(view_id=view_id, view=view)

    after_ack("triage", work)


def match_reasons(
    client: WebClient, services: Services, *, view_id: str, view_hash: str, proposal: Proposal
) -> None:
    """Replace the matcher's "why" sentences with the model's, while the candidates view is
    unchanged (its hash)."""
    if not services.llm.enabled or proposal.queued or not view_hash:
        return

    def work() -> None:
        need = proposal.card.summary or proposal.card.need
        better = list(proposal.candidates)
        for n, candidate in enumerate(proposal.candidates):
            why = services.llm.match_reason(need, candidate.volunteer.topics, candidate.why)
            if why == candidate.why:
                break  # the model is unavailable or unusable: keep the matcher's sentences
            better[n] = replace(candidate, why=why)
        if better == list(proposal.candidates):
            return
        view = request_blocks.candidates_view(replace(proposal, candidates=tuple(better)))
        client.views_update(view_id=view_id, hash=view_hash, view=view)

    after_ack("match", work)


def tailor_reflection(
    client: WebClient,
    services: Services,
    *,
    team_id: str,
    user_id: str,
    external_id: str,
    relationship_id: int | None,
    fallback: str,
    rebuild: Callable[[str], dict[str, Any]],
) -> None:
    """Swap the rotating question of a reflection modal (opened by the caller with
    `external_id`) for one tailored to the plan's goals. The inputs keep their ids, so anything
    already typed stays."""
    if not services.llm.enabled:
        return
    written = llm_inputs.reflection_count(services, team_id=team_id, user_id=user_id)

    def work() -> None:
        goals = (
            llm_inputs.plan_goals(
                services, team_id=team_id, user_id=user_id, relationship_id=relationship_id
            )
            if relationship_id
            else ()
        )
        notes = llm_inputs.own_recent_notes(services, team_id=team_id, user_id=user_id)
        question = services.llm.reflection_question(goals, fallback, notes)
        if question == fallback:
            return
        if llm_inputs.reflection_count(services, team_id=team_id, user_id=user_id) != written:
            return  # submitted already: the modal shows "Reflection saved" now
        view = rebuild(question)
        deadline = time.monotonic() + OPEN_WAIT_SECONDS
        while True:
            try:
                client.views_update(external_id=external_id, view=view)
                return
            except SlackApiError as error:
                if error.response.get("error") != "not_found" or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # the caller's views.open has not landed yet

    after_ack("reflection", work)


def draft_learned(
    client: WebClient,
    services: Services,
    *,
    team_id: str,
    view_id: str,
    view_hash: str,
    relationship_id: int,
    goals: tuple[str, ...],
    progress: str,
    rebuild: Callable[[str], dict[str, Any]],
) -> None:
    """Fill the report's empty "what was learned" with the model's first draft, while the
    modal is unchanged (its hash)."""
    if not services.llm.enabled or not view_hash:
        return

    def work() -> None:
        notes = llm_inputs.shared_notes(services, team_id=team_id, relationship_id=relationship_id)
        learned = services.llm.report_summary(goals, progress, notes)
        if learned == fallback_report(goals, progress):
            return
        client.views_update(view_id=view_id, hash=view_hash, view=rebuild(learned))

    after_ack("report", work)


def friendly_summary(
    client: WebClient, services: Services, *, team_id: str, draft: Draft, channel: str, ts: str
) -> None:
    """Add the model's short paragraph to the agreement summary just posted, re-reading the
    agreement so the update shows who has confirmed since."""
    if not services.llm.enabled:
        return

    def work() -> None:
        text = services.llm.agreement_draft(draft)
        if text == fallback_agreement(draft.terms):
            return
        current = contracting.view(
            services,
            team_id=team_id,
            user_id=draft.guide.slack_user_id,
            relationship_id=draft.relationship_id,
        )
        if current.agreement_id != draft.agreement_id:
            return  # a newer version exists: this summary is being retired
        client.chat_update(
            channel=channel,
            ts=ts,
            text=f"Our agreement (version {current.version})",
            blocks=agreement_blocks.summary_message(
                current, friendly=agreement_blocks.friendly_block(text)
            ),
        )

    after_ack("agreement", work)
