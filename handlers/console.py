"""The coordinator console: `/mentoring status|report|export|coordinators` (and `cohort`)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import cohort_flow, coordinator_reports, program_status, roles
from bot.commands import mentioned_users
from bot.errors import DomainError
from bot.services import Services
from bot.text import escape_mrkdwn
from handlers import announce, console_blocks, contracting, ids
from handlers.blocks import notice
from handlers.chart import chart_subcommand
from handlers.replies import whisper

log = logging.getLogger("mentorbot.console")
REPORT_WINDOW = timedelta(days=90)
DEFAULT_GROUP_SIZE = 6


def _services(context: BoltContext) -> Services:
    services: Services = context["services"]
    return services


def _visibility(services: Services, command: dict[str, Any]) -> str:
    """Post for the whole coordinator channel there; anywhere else only the asker sees it."""
    channel = services.settings.mentorbot_coordinator_channel
    return "in_channel" if channel and command.get("channel_id") == channel else "ephemeral"


def status_subcommand(
    ack: Ack, args: str, command: dict[str, Any], client: WebClient, context: BoltContext, **_: Any
) -> None:
    services = _services(context)
    if args.strip().lower().startswith("chart"):
        chart_subcommand(ack, command, client, context)
        return
    try:
        filters = program_status.parse_filters(args)
        overview = program_status.status(
            services, team_id=context.team_id or "", user_id=context.user_id or "", filters=filters
        )
    except (program_status.FilterError, DomainError) as problem:
        ack(text=escape_mrkdwn(str(problem)))  # a filter error quotes what was typed
        return
    ack(
        response_type=_visibility(services, command),
        text="Program status",
        blocks=console_blocks.status_message(overview),
    )


def report_subcommand(
    ack: Ack, args: str, command: dict[str, Any], context: BoltContext, **_: Any
) -> None:
    services = _services(context)
    words = args.split()
    since = services.now() - REPORT_WINDOW
    since_text = "in the last 90 days"
    if words[:1] == ["since"] and len(words) == 2:
        try:
            since = datetime.combine(date.fromisoformat(words[1]), time(), tzinfo=UTC)
        except ValueError:
            ack(text="Write the date as `/mentoring report since 2026-01-01`.")
            return
        since_text = f"since {since:%d %b %Y}"
    elif words:
        ack(text="Try `/mentoring report` or `/mentoring report since 2026-01-01`.")
        return
    try:
        lines = coordinator_reports.mentor_reports(
            services, team_id=context.team_id or "", user_id=context.user_id or "", since=since
        )
    except DomainError as problem:
        ack(text=str(problem))
        return
    ack(
        response_type=_visibility(services, command),
        text="Mentor reports",
        blocks=console_blocks.reports_message(lines, since_text),
    )


def export_subcommand(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, **_: Any
) -> None:
    services = _services(context)
    user_id = context.user_id or ""
    try:
        roles.require_coordinator(
            services, team_id=context.team_id or "", user_id=user_id, action="export"
        )
    except DomainError as problem:
        ack(text=str(problem))
        return
    ack(text="Preparing the export; the file will appear here in a moment.")
    content = coordinator_reports.export_csv(
        services, team_id=context.team_id or "", user_id=user_id
    )
    channel = command.get("channel_id") or ""
    if _visibility(services, command) != "in_channel":
        channel = str(client.conversations_open(users=user_id)["channel"]["id"])
    stamp = services.now().strftime("%Y-%m-%d")
    client.files_upload_v2(
        channel=channel,
        filename=f"mentorbot-export-{stamp}.csv",
        content=content,
        title=f"Mentoring program export {stamp}",
        initial_comment="Relationships, checkpoints and outcomes (metadata only).",
    )


def coordinators_subcommand(ack: Ack, args: str, context: BoltContext, **_: Any) -> None:
    services = _services(context)
    team_id, user_id = context.team_id or "", context.user_id or ""
    words = args.split()
    action = words[0].lower() if words else "list"
    targets = mentioned_users(args)
    try:
        if action == "list":
            roster = roles.roster(services, team_id=team_id, by=user_id)
            everyone = [*roster.configured, *roster.added]
            ack(text="Coordinators: " + (", ".join(f"<@{u}>" for u in everyone) or "none yet"))
            return
        if action not in ("add", "remove") or len(targets) != 1:
            ack(
                text="Try `/mentoring coordinators add @person`, `remove @person`, or "
                "`/mentoring coordinators` to list them."
            )
            return
        change = roles.add if action == "add" else roles.remove
        change(services, team_id=team_id, by=user_id, user_id=targets[0])
    except DomainError as problem:
        ack(text=str(problem))
        return
    done = "is now a coordinator" if action == "add" else "is no longer a coordinator"
    ack(text=f"<@{targets[0]}> {done}.", blocks=notice(f"<@{targets[0]}> {done}."))


def cohort_subcommand(
    ack: Ack, args: str, command: dict[str, Any], context: BoltContext, **_: Any
) -> None:
    services = _services(context)
    words = args.lower().split()
    if words[:1] == ["groups"]:
        size = int(words[1]) if len(words) > 1 and words[1].isdigit() else DEFAULT_GROUP_SIZE
        try:
            groups = cohort_flow.propose_groups(
                services,
                team_id=context.team_id or "",
                user_id=context.user_id or "",
                size=size,
            )
        except DomainError as problem:
            ack(text=str(problem))
            return
        ack(
            response_type=_visibility(services, command),
            text="Coaching groups",
            blocks=console_blocks.groups_message(groups),
        )
        return
    if words:
        ack(
            text="Try `/mentoring cohort` for one-to-one matches, or `/mentoring cohort groups "
            "[size]` for coaching groups."
        )
        return
    try:
        proposal = cohort_flow.propose(
            services, team_id=context.team_id or "", user_id=context.user_id or ""
        )
    except DomainError as problem:
        ack(text=str(problem))
        return
    ack(
        response_type=_visibility(services, command),
        text="Cohort proposal",
        blocks=console_blocks.cohort_message(proposal),
    )


def approve_cohort(
    ack: Ack, action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    services = _services(context)
    try:
        invited, problems = cohort_flow.approve(
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            fingerprint=str(action.get("value", "")),
        )
    except DomainError as problem:
        whisper(respond, str(problem))
        return
    for one in invited:
        announce.invitation(client, services, one)
    summary = f"<@{context.user_id}> approved the cohort: {len(invited)} invitation(s) sent."
    if problems:
        summary += " Not sent: " + "; ".join(problems[:5])
    respond(replace_original=True, text=summary, blocks=notice(summary))


def approve_groups(
    ack: Ack, action: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
) -> None:
    ack()
    services = _services(context)
    size, _, fingerprint = str(action.get("value", "")).partition(":")
    try:
        made = cohort_flow.approve_groups(
            services,
            team_id=context.team_id or "",
            user_id=context.user_id or "",
            size=int(size) if size.isdigit() else 0,
            fingerprint=fingerprint,
        )
    except DomainError as problem:
        whisper(respond, str(problem))
        return
    for relationship_id in made:
        contracting.kickoff(
            client, services, team_id=context.team_id or "", relationship_id=relationship_id
        )
    summary = (
        f"<@{context.user_id}> approved {len(made)} coaching group(s); each group has "
        "its own conversation to agree how it will work."
    )
    respond(replace_original=True, text=summary, blocks=notice(summary))


def register(app: App) -> None:
    app.action(ids.COHORT_APPROVE)(approve_cohort)
    app.action(ids.COHORT_GROUPS_APPROVE)(approve_groups)
