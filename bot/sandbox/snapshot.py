"""What one person sees in the sandbox, as JSON for the page: who is who, their conversations
with the messages and ephemerals in the one they opened, their Home tab, the modal on top of
their stack with its inline errors, and the simulated time. Built from the emulator's record."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.emulator import SlackEmulator
from bot.sandbox.timeline import RecordingClock

JSON = dict[str, Any]
MESSAGES_SHOWN = 80
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")


def moment_label(moment: datetime, zone: str | None = None) -> str:
    """`Mon 7 Dec 2026, 09:00` in `zone` (UTC when unknown), with the zone's abbreviation."""
    try:
        local = moment.astimezone(ZoneInfo(zone)) if zone else moment
    except ZoneInfoNotFoundError:
        local = moment
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} {local.tzname() or 'UTC'}"


def tags(
    user_id: str,
    *,
    coordinators: set[str],
    managers: set[str],
    mentors: set[str],
    coaches: set[str],
) -> list[str]:
    found = []
    for tag, holders in (
        ("coordinator", coordinators),
        ("manager", managers),
        ("mentor", mentors),
        ("coach", coaches),
    ):
        if user_id in holders:
            found.append(tag)
    return found


def people_list(
    rows: Iterable[Mapping[str, Any]],
    *,
    coordinators: set[str],
    mentors: set[str],
    coaches: set[str],
) -> list[JSON]:
    listed = list(rows)
    managers = {str(row["manager"]) for row in listed if row.get("manager")}
    return [
        {
            "id": str(row["id"]),
            "name": str(row.get("real_name") or row.get("name")),
            "title": str(row.get("title", "")),
            "tz": row.get("tz"),
            "tags": tags(
                str(row["id"]),
                coordinators=coordinators,
                managers=managers,
                mentors=mentors,
                coaches=coaches,
            ),
        }
        for row in listed
    ]


def conversation_label(
    conversation: Mapping[str, Any], user_id: str, names: Mapping[str, str]
) -> str:
    kind = conversation["kind"]
    if kind == "im":
        return "Mentorbot"
    if kind == "mpim":
        others = [names.get(m, m) for m in conversation["members"] if m != user_id]
        return ", ".join(others) + " and Mentorbot" if others else "Mentorbot"
    return f"#{conversation['name']}"


def message_json(
    message: Mapping[str, Any], clock: RecordingClock, names: Mapping[str, str]
) -> JSON:
    ts = str(message.get("ts", "0"))
    author = str(message.get("user", ""))
    files = [
        {
            "id": str(f.get("id")),
            "name": str(f.get("name", "")),
            "title": str(f.get("title", "")),
            "image": str(f.get("name", "")).lower().endswith(IMAGE_SUFFIXES),
        }
        for f in message.get("files") or []
        if isinstance(f, dict)
    ]
    return {
        "ts": ts,
        "at": moment_label(clock.at(float(ts))),
        "author": names.get(author, "Mentorbot") if author else "Mentorbot",
        "text": str(message.get("text") or ""),
        "blocks": message.get("blocks") or [],
        "ephemeral": "ephemeral_user" in message,
        "files": files,
    }


def feed(
    emulator: SlackEmulator, user_id: str, channel_id: str, clock: RecordingClock
) -> list[JSON]:
    """The conversation's messages and the person's own ephemerals in it, oldest first."""
    names = _names(emulator)
    shown = emulator.messages(channel_id) + [
        m for m in emulator.ephemerals(user_id) if m.get("channel") == channel_id
    ]
    shown.sort(key=lambda m: float(m.get("ts", 0)))
    return [message_json(m, clock, names) for m in shown[-MESSAGES_SHOWN:]]


def _names(emulator: SlackEmulator) -> dict[str, str]:
    return {
        str(row["id"]): str(row.get("real_name") or row.get("name")) for row in emulator.people()
    }


def snapshot(
    emulator: SlackEmulator,
    clock: RecordingClock,
    *,
    user_id: str,
    conversation: str | None,
    coordinators: set[str],
    mentors: set[str],
    coaches: set[str],
    revision: int,
) -> JSON:
    names = _names(emulator)
    rows = emulator.people()
    conversations = [
        {**c, "label": conversation_label(c, user_id, names)}
        for c in emulator.conversations(user_id)
    ]
    ids = [str(c["id"]) for c in conversations]
    chosen = conversation if conversation in ids else None
    stack = emulator.open_views(user_id)
    modal = None
    if stack:
        top = stack[-1]
        modal = {"view": top, "errors": emulator.view_errors(str(top["id"]))}
    me = next((row for row in rows if row["id"] == user_id), {})
    now = clock()
    return {
        "revision": revision,
        "now": now.isoformat(),
        "now_label": moment_label(now),
        "local_label": moment_label(now, me.get("tz")) if me.get("tz") else "",
        "user": user_id,
        "people": people_list(rows, coordinators=coordinators, mentors=mentors, coaches=coaches),
        "names": {**names, emulator.bot_user_id(_team(emulator, user_id)): "Mentorbot"},
        "conversations": [
            {"id": c["id"], "kind": c["kind"], "label": c["label"]} for c in conversations
        ],
        "conversation": chosen,
        "messages": feed(emulator, user_id, chosen, clock) if chosen else [],
        "home": emulator.home(user_id),
        "modal": modal,
    }


def _team(emulator: SlackEmulator, user_id: str) -> str:
    row = emulator.user(user_id) or {}
    return str(row.get("team_id", "T0EMULATOR"))
