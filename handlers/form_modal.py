"""The modal shell the thanks, ending and report forms share, and the services from a context."""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import BoltContext
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.services import Services


def services_of(context: BoltContext) -> Services:
    services: Services = context["services"]
    return services


def form_modal(
    callback_id: str, title: str, blocks: list[Block], submit: str, metadata: dict[str, Any]
) -> dict[str, Any]:
    """A modal with Cancel, carrying `metadata` as JSON in private_metadata."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=json.dumps(metadata),
        blocks=blocks,
    ).to_dict()
