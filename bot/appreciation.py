"""Appreciation: a thank-you from one person to another, optionally shouted out in public.

The message always reaches the recipient in a DM; a public shout-out happens only when the
sender asks for it and the recipient has not opted out. Every thank-you counts towards the
recipient's record as a mentor or coach.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot import visibility
from bot.errors import NotAllowed
from bot.forms import FormErrors
from bot.people import Known
from bot.services import Services
from bot.text import clean_input
from storage import people, relationships
from storage.models import Appreciation

MESSAGE_MAX = 500


@dataclass(frozen=True)
class Thanked:
    appreciation_id: int
    sender: str
    recipient: str
    message: str
    shout_out: bool
    opted_out: bool


def send(
    services: Services,
    sender: Known,
    *,
    team_id: str,
    recipient: Known,
    message: str | None,
    public: bool,
) -> Thanked:
    visibility.place("thanks")
    text = clean_input(message or "")
    if not text:
        raise FormErrors({"message": "Please say what you are thankful for."})
    if len(text) > MESSAGE_MAX:
        raise FormErrors({"message": f"Please keep it under {MESSAGE_MAX} characters."})
    if recipient.id == sender.id:
        raise NotAllowed("Thanking yourself is lovely, but try someone who helped you.")
    with services.database.transaction() as session:
        receiver = people.by_slack_id(
            session, team_id=team_id, slack_user_id=recipient.slack_user_id
        )
        opted_out = bool(receiver and receiver.shoutouts_opt_out)
        shared = relationships.shared(
            session, team_id=team_id, person_ids=(sender.id, recipient.id)
        )
        thanks = Appreciation(
            team_id=team_id,
            from_id=sender.id,
            to_id=recipient.id,
            relationship_id=shared,
            message=text,
            public=public and not opted_out,
            created_at=services.now(),
        )
        session.add(thanks)
        session.flush()
        assert thanks.id is not None
        return Thanked(
            appreciation_id=thanks.id,
            sender=sender.slack_user_id,
            recipient=recipient.slack_user_id,
            message=text,
            shout_out=thanks.public,
            opted_out=opted_out and public,
        )


def set_shoutouts(services: Services, *, team_id: str, user_id: str, allowed: bool) -> None:
    with services.database.transaction() as session:
        person = people.seen(session, team_id=team_id, slack_user_id=user_id, at=services.now())
        person.shoutouts_opt_out = not allowed
        session.add(person)
