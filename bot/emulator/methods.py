"""The method registry, and the Web API methods that post things: messages, reactions, files.

Each handler takes the workspace (its lock already held), the calling team and the parsed
arguments, and returns the response body without `ok` or raises `ApiError`. A handler checks
everything before it changes anything, so a failed call leaves no trace in the workspace.
"""

from __future__ import annotations

import time

from bot.emulator.limits import check_message
from bot.emulator.state import (
    JSON,
    ApiError,
    Channel,
    FileRecord,
    ResponseTarget,
    Team,
    Workspace,
    assign_ids,
    new_id,
)


def flag(value: object) -> bool:
    """Slack's booleans arrive as JSON true, "true" or "1"."""
    return value is True or value == 1 or str(value).lower() in ("true", "1")


def _check_message(text: object, blocks: object) -> None:
    violation = check_message(text, blocks)
    if violation is not None:
        raise ApiError(violation.error, violation.messages)


def chat_post_message(ws: Workspace, team: Team, p: JSON) -> JSON:
    channel = ws.channel(p.get("channel"), team)
    text, blocks, metadata = p.get("text"), p.get("blocks"), p.get("metadata")
    _check_message(text, blocks)
    if not text and not blocks and not p.get("attachments"):
        raise ApiError("no_text")
    if metadata is not None and not (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    ):
        raise ApiError("invalid_metadata_format")
    message = ws.bot_message(team, text, blocks, ws.next_ts())
    thread_ts = p.get("thread_ts")
    if thread_ts:
        message["thread_ts"] = str(thread_ts)
        parent = ws.find_message(channel.id, str(thread_ts))
        if parent is not None:
            parent.setdefault("thread_ts", parent["ts"])
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            parent["latest_reply"] = message["ts"]
    if metadata is not None:
        message["metadata"] = metadata
    ws.post(channel, message)
    shown = {k: v for k, v in message.items() if k != "metadata"}
    return {"channel": channel.id, "ts": message["ts"], "message": shown}


def chat_post_ephemeral(ws: Workspace, team: Team, p: JSON) -> JSON:
    channel = ws.channel(p.get("channel"), team)
    user = ws.user_in_team(p.get("user"), team)
    text, blocks = p.get("text"), p.get("blocks")
    _check_message(text, blocks)
    if not text and not blocks:
        raise ApiError("no_text")
    if user["id"] not in channel.members:
        raise ApiError("user_not_in_channel")
    message = ws.post_ephemeral(team, channel.id, user["id"], text, blocks)
    return {"message_ts": message["ts"]}


def _stored_message(ws: Workspace, team: Team, p: JSON, ts_key: str = "ts") -> tuple[Channel, JSON]:
    channel = ws.channel(p.get("channel"), team)
    ts = str(p.get(ts_key) or "")
    message = next((m for m in channel.messages if m["ts"] == ts), None)
    if message is None:
        raise ApiError("message_not_found")
    return channel, message


def chat_update(ws: Workspace, team: Team, p: JSON) -> JSON:
    channel, message = _stored_message(ws, team, p)
    text, blocks = p.get("text"), p.get("blocks")
    _check_message(text, blocks)
    if text is None and blocks is None:
        raise ApiError("no_text")
    if text is not None:
        message["text"] = text
    if blocks is not None:
        message["blocks"] = assign_ids(blocks)
    if isinstance(p.get("metadata"), dict):
        message["metadata"] = p["metadata"]
    message["edited"] = {"user": team.bot_user_id, "ts": ws.next_ts()}
    rendered = ws.render(message.get("text"), message.get("blocks"))
    ws.record_seen(ws.recipients(channel), channel.id, "update", rendered)
    return {"channel": channel.id, "ts": message["ts"], "text": message["text"], "message": message}


def chat_delete(ws: Workspace, team: Team, p: JSON) -> JSON:
    channel, message = _stored_message(ws, team, p)
    channel.messages.remove(message)
    ws.record_seen(ws.recipients(channel), channel.id, "update", "(message deleted)")
    return {"channel": channel.id, "ts": message["ts"]}


def reactions_add(ws: Workspace, team: Team, p: JSON) -> JSON:
    name = str(p.get("name") or "").strip(":")
    if not name:
        raise ApiError("invalid_name")
    _, message = _stored_message(ws, team, p, ts_key="timestamp")
    reactions: list[JSON] = message.setdefault("reactions", [])
    reaction = next((r for r in reactions if r["name"] == name), None)
    if reaction is not None and team.bot_user_id in reaction["users"]:
        raise ApiError("already_reacted")
    if reaction is None:
        reaction = {"name": name, "users": [], "count": 0}
        reactions.append(reaction)
    reaction["users"].append(team.bot_user_id)
    reaction["count"] += 1
    return {}


def files_get_upload_url(ws: Workspace, team: Team, p: JSON) -> JSON:
    filename = str(p.get("filename") or "")
    try:
        length = int(p.get("length") or 0)
    except ValueError as exc:
        raise ApiError("invalid_arguments") from exc
    if not filename or length <= 0:
        raise ApiError("invalid_arguments")
    record = FileRecord(new_id("F"), filename, length, team.team_id)
    ws.files[record.id] = record
    return {"upload_url": f"{ws.base_url}/upload/{record.id}", "file_id": record.id}


def files_complete_upload(ws: Workspace, team: Team, p: JSON) -> JSON:
    items = p.get("files")
    if not isinstance(items, list) or not items:
        raise ApiError("invalid_arguments")
    records: list[tuple[FileRecord, str]] = []
    for item in items:
        record = ws.files.get(str(item.get("id"))) if isinstance(item, dict) else None
        if record is None or record.content is None or record.team_id != team.team_id:
            raise ApiError("file_not_found")
        records.append((record, str(item.get("title") or record.name)))
    target = p.get("channel_id") or str(p.get("channels") or "").split(",")[0]
    channel = ws.channel(target, team) if target else None
    comment = p.get("initial_comment")
    shown = []
    for record, title in records:
        record.title, record.initial_comment, record.shared_at = title, comment, time.time()
        record.channel = channel.id if channel is not None else None
        shown.append({"id": record.id, "name": record.name, "title": title, "size": record.length})
    if channel is not None:
        message = ws.bot_message(team, comment or "", None, ws.next_ts())
        message.update(files=shown, upload=True)
        channel.messages.append(message)
        lines = [f"📎 {f['title']} ({f['name']}, {f['size']} bytes)" for f in shown]
        text = "\n".join([*lines, ws.render(comment, None)] if comment else lines)
        ws.record_seen(ws.recipients(channel), channel.id, "file", text)
    return {"files": shown}


def deliver_response(ws: Workspace, target: ResponseTarget, payload: JSON, kind: str) -> None:
    """What Slack does with a response_url POST or a command's ack body: post ephemerally (or in
    the channel), replace or delete the original message. `kind` is what the person saw."""
    team = ws.teams[target.team_id]
    original = ws.find_message(target.channel_id, target.message_ts or "")
    viewers: tuple[str, ...] = (target.user_id,)
    channel = ws.channels.get(target.channel_id)
    if original is not None and "ephemeral_user" not in original and channel is not None:
        viewers = ws.recipients(channel)
    if flag(payload.get("delete_original")):
        if original is not None:
            ephemeral = "ephemeral_user" in original
            holder = ws.ephemerals if ephemeral else ws.channels[target.channel_id].messages
            holder.remove(original)
            ws.record_seen(viewers, target.channel_id, "update", "(message deleted)")
        return
    text, blocks = payload.get("text"), payload.get("blocks")
    _check_message(text, blocks)
    if not text and not blocks:
        raise ApiError("no_text")
    if flag(payload.get("replace_original")) and original is not None:
        original["text"] = text or ""
        original["blocks"] = assign_ids(blocks or [])
        ws.record_seen(viewers, target.channel_id, "update", ws.render(text, blocks))
    elif payload.get("response_type") == "in_channel" and channel is not None:
        message = ws.bot_message(team, text, blocks, ws.next_ts())
        ws.post(channel, message, "response" if kind == "response" else "message")
    else:
        ws.post_ephemeral(team, target.channel_id, target.user_id, text, blocks, kind=kind)
