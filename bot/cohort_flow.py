"""Matching a whole intake at once: the coordinator sees the optimal proposal, then approves it.

Nothing is sent until approval. The approval carries a fingerprint of the proposal; if the
intake or the pool changed in between, the coordinator is shown the new proposal instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot import cohort, requesting
from bot.errors import DomainError, StaleAction
from bot.roles import require_coordinator
from bot.services import Services
from storage import audit, requests


@dataclass(frozen=True)
class CohortLine:
    request_id: int
    requester: str
    volunteer: str
    volunteer_person_id: int
    kind: str
    score: float
    why: str


@dataclass(frozen=True)
class CohortProposal:
    lines: tuple[CohortLine, ...]
    unmatched: tuple[tuple[int, str], ...]
    total: float
    fingerprint: str


def propose(services: Services, *, team_id: str, user_id: str) -> CohortProposal:
    require_coordinator(services, team_id=team_id, user_id=user_id, action="cohort")
    proposal = _compute(services, team_id)
    with services.database.transaction() as session:
        audit.record(
            session,
            team_id=team_id,
            actor=user_id,
            action="cohort.propose",
            at=services.now(),
            detail={"pairings": len(proposal.lines), "unmatched": len(proposal.unmatched)},
        )
    return proposal


def approve(
    services: Services, *, team_id: str, user_id: str, fingerprint: str
) -> tuple[list[requesting.Invited], list[str]]:
    """Send the invitations of an approved proposal; returns (invited, problems)."""
    require_coordinator(services, team_id=team_id, user_id=user_id, action="cohort.approve")
    proposal = _compute(services, team_id)
    if proposal.fingerprint != fingerprint:
        raise StaleAction(
            "The intake or the pool changed since this proposal: run "
            "`/mentoring cohort` again to see the new one."
        )
    invited, problems = [], []
    for line in proposal.lines:
        try:
            invited.append(
                requesting.ask(
                    services,
                    team_id=team_id,
                    user_id=user_id,
                    request_id=line.request_id,
                    volunteer_person_id=line.volunteer_person_id,
                    assigned_by=user_id,
                    why=line.why,
                )
            )
        except DomainError as problem:
            problems.append(f"<@{line.requester}>: {problem}")
    with services.database.transaction() as session:
        audit.record(
            session,
            team_id=team_id,
            actor=user_id,
            action="cohort.approve",
            at=services.now(),
            detail={"invited": len(invited), "problems": len(problems)},
        )
    return invited, problems


def _compute(services: Services, team_id: str) -> CohortProposal:
    now = services.now()
    with services.database.reading() as session:
        intake = requests.waiting(session, team_id=team_id)
        seekers = [requesting.seeker_for(session, request) for request in intake]
        volunteers = requesting.pool(session, team_id=team_id, now=now)
    by_seeker = dict(zip(seekers, intake, strict=True))
    result = cohort.propose(seekers, volunteers, on=now.date())
    lines = tuple(
        CohortLine(
            request_id=by_seeker[p.seeker].id or 0,
            requester=p.seeker.slack_user_id,
            volunteer=p.volunteer.slack_user_id,
            volunteer_person_id=p.volunteer.person_id,
            kind=p.seeker.kind,
            score=p.score,
            why=p.why,
        )
        for p in result.pairings
    )
    unmatched = tuple((by_seeker[s].id or 0, s.slack_user_id) for s in result.unmatched)
    digest = hashlib.sha256(repr([(x.request_id, x.volunteer_person_id) for x in lines]).encode())
    return CohortProposal(
        lines=lines,
        unmatched=unmatched,
        total=result.total_score,
        fingerprint=digest.hexdigest()[:16],
    )
