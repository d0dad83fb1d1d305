"""`/mentoring me`: a person's open requests, offer, invitations and relationships."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from bot import dm_budget, pool, service_levels
from bot.dm_gate import Standing
from bot.services import Services
from storage import overview


@dataclass(frozen=True)
class RequestLine:
    request_id: int
    kind: str
    status: str
    created_at: datetime
    waited: int = 0
    """Whole working days it has waited, in the requester's zone."""
    escalated: bool = False
    """Past its service level: the coordinators were asked to help."""


@dataclass(frozen=True)
class RelationshipLine:
    relationship_id: int
    kind: str
    role: str
    partners: tuple[str, ...]
    partner_names: tuple[str, ...]
    started_at: datetime


@dataclass(frozen=True)
class Overview:
    requests: tuple[RequestLine, ...]
    offer: pool.OfferState | None
    invitations_waiting: int
    relationships: tuple[RelationshipLine, ...]
    messages: Standing
    """The person's standing with the bot's DMs (budget used, paused, stopped, muted)."""

    @property
    def empty(self) -> bool:
        return not (self.requests or self.offer or self.invitations_waiting or self.relationships)


def for_person(services: Services, *, team_id: str, user_id: str) -> Overview:
    now = services.now()
    with services.database.reading_rows() as connection:
        rows = overview.for_person(
            connection, team_id=team_id, slack_user_id=user_id, dms_since=now - dm_budget.WINDOW
        )
    return from_rows(
        rows,
        now=now,
        default_tz=services.settings.mentorbot_default_timezone,
        budget=services.settings.mentorbot_dm_budget,
    )


def from_rows(
    rows: Iterable[overview.OverviewRow], *, now: datetime, default_tz: str, budget: int
) -> Overview:
    """The overview from storage's rows: requests oldest first, relationships in the order they
    began, each with its other members in the order they joined."""
    requests: list[overview.OverviewRow] = []
    members: dict[int, list[overview.OverviewRow]] = {}
    offer: pool.OfferState | None = None
    waiting = 0
    messages = Standing(budget, 0, None, False, False)
    for row in rows:
        if row.part == overview.REQUEST:
            requests.append(row)
        elif row.part == overview.RELATIONSHIP:
            members.setdefault(row.ref or 0, []).append(row)
        elif row.part == overview.INVITATIONS:
            waiting = row.number or 0
        elif row.part == overview.OFFER:
            offer = _offer(row)
        elif row.part == overview.MESSAGES:
            messages = _standing(row, now=now, budget=budget)
    requests.sort(key=lambda r: (r.at or _EPOCH, r.ref or 0))
    return Overview(
        requests=tuple(
            RequestLine(
                request_id=r.ref or 0,
                kind=r.kind or "",
                status=r.status or "",
                created_at=_at(r),
                waited=service_levels.age(_at(r), now, r.tz, default_tz),
                escalated=r.escalated_at is not None,
            )
            for r in requests
        ),
        offer=offer,
        invitations_waiting=waiting,
        relationships=tuple(
            _relationship(sorted(group, key=lambda m: m.position or 0))
            for group in sorted(members.values(), key=lambda g: (_at(g[0]), g[0].ref or 0))
        ),
        messages=messages,
    )


def _relationship(group: list[overview.OverviewRow]) -> RelationshipLine:
    first = group[0]
    others = [m for m in group if m.partner is not None]
    return RelationshipLine(
        relationship_id=first.ref or 0,
        kind=first.kind or "",
        role=first.status or "",
        partners=tuple(m.partner or "" for m in others),
        partner_names=tuple(m.partner_name or m.partner or "" for m in others),
        started_at=_at(first),
    )


def _standing(row: overview.OverviewRow, *, now: datetime, budget: int) -> Standing:
    paused = row.at if row.at is not None and row.at > now else None
    return Standing(
        budget, row.number or 0, paused, row.escalated_at is not None, bool(row.as_mentor)
    )


def _offer(row: overview.OverviewRow) -> pool.OfferState:
    return pool.OfferState(
        as_mentor=bool(row.as_mentor),
        as_coach=bool(row.as_coach),
        topics=row.topics or "",
        style=row.style or "",
        formats=tuple(row.formats or ()),
        capacity=row.capacity or 0,
        availability=row.availability or "",
        status=row.status or "",
        active_count=row.number or 0,
    )


def _at(row: overview.OverviewRow) -> datetime:
    return row.at or _EPOCH


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
