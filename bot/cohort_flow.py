"""Matching a whole intake at once: the coordinator sees the optimal proposal, then approves it.

Nothing is sent until approval. The approval carries a fingerprint of the proposal; if the
intake or the pool changed in between, the coordinator is shown the new proposal instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from bot import cohort, requesting, visibility
from bot.errors import DomainError, StaleAction
from bot.roles import require_coordinator
from bot.services import Services
from storage import audit, relationships, requests


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
    visibility.place("cohort")
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


@dataclass(frozen=True)
class GroupLine:
    coach: str
    coach_person_id: int
    learners: tuple[tuple[int, str, int], ...]  # (request id, slack id, person id)


@dataclass(frozen=True)
class GroupProposal:
    groups: tuple[GroupLine, ...]
    left_over: int
    size: int
    fingerprint: str


def propose_groups(services: Services, *, team_id: str, user_id: str, size: int) -> GroupProposal:
    require_coordinator(services, team_id=team_id, user_id=user_id, action="cohort.groups")
    return _compute_groups(services, team_id, size)


def approve_groups(
    services: Services, *, team_id: str, user_id: str, size: int, fingerprint: str
) -> list[int]:
    """Create the proposed coaching groups; each learner still confirms the group's agreement.
    Returns the new relationships' ids, for the kick-off."""
    require_coordinator(services, team_id=team_id, user_id=user_id, action="cohort.groups.approve")
    proposal = _compute_groups(services, team_id, size)
    if proposal.fingerprint != fingerprint:
        raise StaleAction(
            "The intake or the pool changed since this proposal: run "
            "`/mentoring cohort groups` again to see the new one."
        )
    made = []
    now = services.now()
    with services.database.transaction() as session:
        for group in proposal.groups:
            relationship = relationships.start_group(
                session,
                team_id=team_id,
                kind="group_coaching",
                topic="Coaching group",
                guide_id=group.coach_person_id,
                learner_ids=[person for _, _, person in group.learners],
                at=now,
            )
            for request_id, _, _ in group.learners:
                request = requests.get_for_update(session, team_id=team_id, request_id=request_id)
                if request is not None:
                    requests.set_status(session, request, "matched", now)
            made.append(relationship.id or 0)
        audit.record(
            session,
            team_id=team_id,
            actor=user_id,
            action="cohort.groups.approve",
            at=now,
            detail={"groups": len(made)},
        )
    return made


def _compute_groups(services: Services, team_id: str, size: int) -> GroupProposal:
    now = services.now()
    with services.database.reading() as session:
        intake = requests.waiting(session, team_id=team_id)
        seekers = [requesting.seeker_for(session, request) for request in intake]
        volunteers = requesting.pool(session, team_id=team_id, now=now)
    try:
        groups, left = cohort.coaching_groups(seekers, volunteers, size=size, on=now.date())
    except ValueError as problem:
        raise StaleAction(
            f"Choose a group size from {cohort.MIN_GROUP_SIZE} to {cohort.MAX_GROUP_SIZE}."
        ) from problem
    by_seeker = dict(zip(seekers, intake, strict=True))
    lines = tuple(
        GroupLine(
            coach=g.coach.slack_user_id,
            coach_person_id=g.coach.person_id,
            learners=tuple(
                (by_seeker[s].id or 0, s.slack_user_id, s.person_id) for s in g.learners
            ),
        )
        for g in groups
    )
    digest = hashlib.sha256(repr([(g.coach_person_id, g.learners) for g in lines]).encode())
    return GroupProposal(
        groups=lines, left_over=len(left), size=size, fingerprint=digest.hexdigest()[:16]
    )
