"""`/mentoring status chart`: program health over time as an image, drawn server-side."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure
from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient

from bot import program_history
from bot.errors import DomainError
from bot.roles import require_coordinator
from bot.services import Services


def render_png(weeks: Sequence[program_history.Week]) -> bytes:
    """Active relationships and at-risk count (left axis), checkpoint completion (right)."""
    labels = [w.ending.strftime("%d %b") for w in weeks]
    positions = list(range(len(weeks)))
    # A bare Figure renders with Agg and needs no display or pyplot global state.
    figure = Figure(figsize=(9, 4.5), dpi=100)
    left = figure.subplots()
    left.plot(positions, [w.active for w in weeks], marker="o", label="Active relationships")
    left.bar(positions, [w.at_risk for w in weeks], alpha=0.35, color="tab:red", label="At risk")
    left.set_xticks(positions, labels)
    left.set_ylabel("Relationships")
    right = left.twinx()
    right.plot(
        positions,
        [float("nan") if w.completion is None else w.completion * 100 for w in weeks],
        marker="s",
        color="tab:green",
        label="Checkpoints kept (%)",
    )
    right.set_ylim(0, 100)
    right.set_ylabel("Checkpoints kept (%)")
    left.set_title("Mentoring program health, week by week")
    left.tick_params(axis="x", rotation=45)
    handles = left.get_legend_handles_labels()
    more = right.get_legend_handles_labels()
    left.legend(handles[0] + more[0], handles[1] + more[1], loc="upper left", fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def chart_subcommand(
    ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """Ack first: drawing reads the program's history and may take a moment."""
    services: Services = context["services"]
    team_id, user_id = context.team_id or "", context.user_id or ""
    try:
        require_coordinator(services, team_id=team_id, user_id=user_id, action="status.chart")
    except DomainError as problem:
        ack(text=str(problem))
        return
    ack(text="Drawing the chart; it will appear here in a moment.")
    weeks = program_history.weekly(services, team_id=team_id, user_id=user_id)
    channel = command.get("channel_id") or ""
    if channel != services.settings.mentorbot_coordinator_channel:
        channel = str(client.conversations_open(users=user_id)["channel"]["id"])
    client.files_upload_v2(
        channel=channel,
        filename="mentoring-health.png",
        content=render_png(weeks),
        title="Mentoring program health",
        initial_comment="Active relationships, checkpoints kept and "
        "at-risk count over the last 12 weeks.",
    )
