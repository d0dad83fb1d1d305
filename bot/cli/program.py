"""Acting out the program: volunteers joining the pool, people asking for help.

The demo's scenes and the tests share these steps, so both exercise the same signed requests."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.emulator import DriverResponse, SlackDriver, SlackEmulator
from bot.emulator.actor import Actor, wait_for
from bot.emulator.driver import find_action
from handlers import ids

# Seed users (bot/emulator/users.json): Amara (VP) manages Tomás and Priya; Tomás manages
# Jonah, Ines, Dot and Wren; Priya manages Kofi, Elodie, Hana and Leilani; Marcus coordinates.
AMARA, TOMAS, PRIYA = "U0AMARA01", "U0TOMAS01", "U0PRIYA01"
JONAH, INES, KOFI, ELODIE = "U0JONAH01", "U0INES01", "U0KOFI01", "U0ELODIE01"
DOT, RAFA, HANA, SIOBHAN = "U0DOROTHEA01", "U0RAFAEL01", "U0HANA01", "U0SIOBHAN01"
WREN, MARCUS, LEILANI = "U0WREN01", "U0MARCUS01", "U0LEILANI01"


def actor(driver: SlackDriver, emulator: SlackEmulator, user_id: str) -> Actor:
    return Actor(driver, emulator, user_id)


def volunteer(
    person: Actor,
    *,
    roles: Iterable[str],
    topics: str,
    capacity: int = 2,
    formats: Iterable[str] = ("one_to_one",),
    style: str = "guide",
) -> Any:
    view_id = person.open_modal("/mentoring", "offer")
    response = person.submit(
        view_id,
        {
            ids.OFFER_ROLES: list(roles),
            ids.OFFER_TOPICS: topics,
            ids.OFFER_STYLE: style,
            ids.OFFER_FORMATS: list(formats),
            ids.OFFER_CAPACITY: str(capacity),
        },
    )
    _expect_update(response)
    return response


def request_values(
    *,
    need: str,
    manager: str,
    scope: str = "unsure",
    drivers: Iterable[str] = (),
    format: str = "one_to_one",
    time: str = "1h_fortnight",
    summary: str = "",
) -> dict[str, Any]:
    values: dict[str, Any] = {
        ids.REQUEST_NEED: need,
        ids.REQUEST_DRIVERS: list(drivers),
        ids.REQUEST_SCOPE: scope,
        ids.REQUEST_FORMAT: format,
        ids.REQUEST_TIME: time,
        ids.REQUEST_MANAGER: manager,
    }
    if summary:
        values[ids.REQUEST_SUMMARY] = summary
    return values


def ask_for(person: Actor, command: str, **answers: Any) -> str:
    """Open the request modal, submit it, and return the modal's id (now the triage view)."""
    view_id = person.open_modal(command)
    _expect_update(person.submit(view_id, request_values(**answers)))
    return view_id


def choose(person: Actor, view_id: str, kind: str) -> dict[str, Any]:
    action = ids.REQUEST_CHOOSE_COACH if kind == "coach" else ids.REQUEST_CHOOSE_MENTOR
    person.click_in_view(view_id, action)
    return wait_for(lambda: _updated(person, view_id), what="the candidates view")


def _updated(person: Actor, view_id: str) -> dict[str, Any] | None:
    view = person.emulator.view(view_id)
    return view if view.get("title", {}).get("text") != "Mentor or coach?" else None


def offered(view: dict[str, Any]) -> list[str]:
    """Slack ids of the candidates shown in a candidates view or message, in order."""
    found = []
    for block in view.get("blocks", []):
        accessory = block.get("accessory") or {}
        if str(accessory.get("action_id", "")).startswith(ids.REQUEST_ASK):
            text = block["text"]["text"]
            found.append(text.split("<@", 1)[1].split(">", 1)[0])
    return found


def ask_action(view: dict[str, Any], user_id: str) -> str:
    for block in view.get("blocks", []):
        accessory = block.get("accessory") or {}
        if f"<@{user_id}>" in block.get("text", {}).get("text", "") and accessory:
            return str(accessory["action_id"])
    raise AssertionError(f"{user_id} is not offered")


def decline(person: Actor, reason: str = "") -> None:
    before = person.modal_ids()
    person.click_in_message(ids.INVITE_DECLINE)
    form = person.new_modal(before)
    person.submit(form, {ids.DECLINE_REASON: reason})


def _expect_update(response: DriverResponse) -> None:
    answer = response.json()
    if (
        response.status != 200
        or not isinstance(answer, dict)
        or answer.get("response_action") != "update"
    ):
        raise AssertionError(f"the form was not accepted: {response.status} {answer}")


def match(
    requester: Actor, guide: Actor, *, kind: str, need: str, manager: str, topics: str
) -> str:
    """Put `guide` in the pool, have `requester` ask for them, and have them accept.
    Returns the group conversation where the two agree how they will work."""
    volunteer(guide, roles=[kind], topics=topics)
    scope = "specific_skill" if kind == "coach" else "broad_direction"
    view_id = ask_for(requester, f"/{kind}", need=need, manager=manager, scope=scope)
    requester.click_in_view(view_id, ask_action(choose(requester, view_id, kind), guide.user_id))
    guide.click_in_message(ids.INVITE_ACCEPT)
    return kickoff_channel(guide)


def kickoff_channel(person: Actor) -> str:
    """The group conversation where the bot invited `person` to start an agreement."""

    def found() -> str | None:
        for call in reversed(person.emulator.calls("chat.postMessage")):
            blocks = call.params.get("blocks") or []
            channel = str(call.params.get("channel", ""))
            if find_action(blocks, ids.AGREEMENT_START) and person.user_id in (
                person.emulator.channel_members(channel)
            ):
                return channel
        return None

    return wait_for(found, what="the agreement kick-off")


STEP_ANSWERS: dict[str, dict[str, Any]] = {
    "scope": {
        "goals": "Write SQL for the weekly reports without help",
        "covers": "Joins, window functions, query plans",
        "excludes": "Database administration",
    },
    "style": {"directive": "teacher", "feedback": "Direct, in the moment"},
    "confidentiality": {"manager_sees": ["meeting"], "private": "Nothing about my team"},
    "schedule": {
        "cadence_days": "14",
        "session_minutes": "60",
        "medium": "call",
        "preferred_days": ["1", "3"],
        "review_every": "1",
        "end_date": None,
    },
    "expectations": {"learner": "Come prepared with a query", "guide": "Review it beforehand"},
    "observation": {
        "observed": "How Dot runs a query review",
        "practice": "Run the next review myself",
    },
    "plan": {
        "goal_1": "Weekly report in SQL",
        "deliverable_1": "The report query",
        "due_1": None,
        "resources": "Use The Index, Luke\nOur data dictionary",
    },
}


def step_values(step: str, answers: dict[str, Any]) -> dict[str, Any]:
    """A step's answers keyed by the modal's action ids (`step.field`)."""
    return {f"{step}.{name}": value for name, value in answers.items() if value is not None}


def fill_step(person: Actor, view_id: str, step: str, answers: dict[str, Any]) -> DriverResponse:
    return person.submit(view_id, step_values(step, answers))


def start_agreement(person: Actor, channel: str) -> str:
    before = person.modal_ids()
    person.click_in_message(ids.AGREEMENT_START, channel=channel)
    return person.new_modal(before)


def current_step(person: Actor, view_id: str) -> str:
    meta = json.loads(person.emulator.view(view_id).get("private_metadata") or "{}")
    return str(meta.get("step", ""))
