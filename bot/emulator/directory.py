"""Web API methods about the workspace itself: who is in it, its conversations, installs.

Handlers follow the contract described in `bot.emulator.methods`.
"""

from __future__ import annotations

import base64
import secrets
import time
from typing import Any

from bot.emulator.methods import flag
from bot.emulator.state import (
    APP_ID,
    JSON,
    SLACKBOT,
    ApiError,
    Channel,
    Team,
    Workspace,
    user_object,
)

SCOPES = "commands,chat:write,chat:write.public,im:write,mpim:write,im:history,users:read"


def _page(items: list[Any], p: JSON, default: int = 100) -> tuple[list[Any], str]:
    """Slice `items` by Slack's cursor/limit arguments; returns the page and next_cursor."""
    start = 0
    if p.get("cursor"):
        try:
            start = int(base64.b64decode(str(p["cursor"])).decode().removeprefix("next:"))
        except ValueError as exc:
            raise ApiError("invalid_cursor") from exc
    limit = int(p.get("limit") or default) or default
    end = start + limit
    cursor = base64.b64encode(f"next:{end}".encode()).decode() if end < len(items) else ""
    return items[start:end], cursor


def channel_object(ws: Workspace, channel: Channel) -> JSON:
    obj: JSON = {
        "id": channel.id,
        "created": channel.created,
        "is_channel": channel.kind == "channel",
        "is_group": False,
        "is_im": channel.kind == "im",
        "is_mpim": channel.kind == "mpim",
        "is_private": channel.kind != "channel",
        "is_archived": False,
        "is_member": True,
        "is_org_shared": False,
        "context_team_id": channel.team_id,
    }
    if channel.kind == "im":
        obj.update(user=ws.recipients(channel)[0], is_open=True, is_user_deleted=False, priority=0)
    else:
        obj.update(name=channel.name, name_normalized=channel.name)
    return obj


def auth_test(ws: Workspace, team: Team, p: JSON) -> JSON:
    return {
        "url": f"https://{team.domain}.slack.com/",
        "team": team.name,
        "user": "mentorbot",
        "team_id": team.team_id,
        "user_id": team.bot_user_id,
        "bot_id": team.bot_id,
        "is_enterprise_install": False,
    }


def team_info(ws: Workspace, team: Team, p: JSON) -> JSON:
    wanted = ws.teams.get(str(p.get("team") or team.team_id))
    if wanted is None:
        raise ApiError("team_not_found")
    return {
        "team": {
            "id": wanted.team_id,
            "name": wanted.name,
            "domain": wanted.domain,
            "email_domain": "example.com",
            "icon": {"image_default": True},
        }
    }


def conversations_open(ws: Workspace, team: Team, p: JSON) -> JSON:
    if p.get("channel"):
        channel, existed = ws.channel(p["channel"], team), True
    else:
        raw = p.get("users") or ""
        ids = [u.strip() for u in (raw if isinstance(raw, list) else str(raw).split(","))]
        ids = [u for u in dict.fromkeys(ids) if u and u != team.bot_user_id]
        if not ids:
            raise ApiError("users_list_not_supplied")
        if len(ids) > 8:
            raise ApiError("too_many_users")
        for user_id in ids:
            ws.user_in_team(user_id, team)
        if len(ids) == 1:
            existed = "D" + ids[0][1:] in ws.channels
            channel = ws.dm(ids[0])
        else:
            channel, created = ws.mpim(ids, team)
            existed = not created
    shown = channel_object(ws, channel) if flag(p.get("return_im")) else {"id": channel.id}
    body: JSON = {"channel": shown}
    if existed:
        body.update(no_op=True, already_open=True)
    return body


def conversations_info(ws: Workspace, team: Team, p: JSON) -> JSON:
    channel = ws.channel(p.get("channel"), team)
    obj = channel_object(ws, channel)
    if flag(p.get("include_num_members")):
        obj["num_members"] = len(channel.members)
    return {"channel": obj}


def _visible(message: JSON, with_metadata: bool) -> JSON:
    return message if with_metadata else {k: v for k, v in message.items() if k != "metadata"}


def conversations_history(ws: Workspace, team: Team, p: JSON) -> JSON:
    channel = ws.channel(p.get("channel"), team)
    inclusive = flag(p.get("inclusive"))
    oldest, latest = float(p.get("oldest") or 0), float(p.get("latest") or "inf")
    found = [
        m
        for m in reversed(channel.messages)
        if m.get("thread_ts") in (None, m["ts"])
        and (oldest <= float(m["ts"]) <= latest if inclusive else oldest < float(m["ts"]) < latest)
    ]
    page, cursor = _page(found, p)
    metadata = flag(p.get("include_all_metadata"))
    return {
        "messages": [_visible(m, metadata) for m in page],
        "has_more": bool(cursor),
        "pin_count": 0,
        "response_metadata": {"next_cursor": cursor},
    }


def conversations_replies(ws: Workspace, team: Team, p: JSON) -> JSON:
    channel = ws.channel(p.get("channel"), team)
    ts = str(p.get("ts") or "")
    thread = [m for m in channel.messages if m["ts"] == ts or m.get("thread_ts") == ts]
    if not thread:
        raise ApiError("thread_not_found")
    page, cursor = _page(thread, p)
    metadata = flag(p.get("include_all_metadata"))
    return {
        "messages": [_visible(m, metadata) for m in page],
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }


def conversations_members(ws: Workspace, team: Team, p: JSON) -> JSON:
    page, cursor = _page(list(ws.channel(p.get("channel"), team).members), p)
    return {"members": page, "response_metadata": {"next_cursor": cursor}}


def users_info(ws: Workspace, team: Team, p: JSON) -> JSON:
    return {"user": user_object(ws.user_in_team(p.get("user"), team), team.team_id)}


def users_lookup_by_email(ws: Workspace, team: Team, p: JSON) -> JSON:
    email = str(p.get("email") or "").lower()
    for row in ws.users.values():
        if row["team_id"] == team.team_id and str(row.get("email") or "").lower() == email:
            return {"user": user_object(row, team.team_id)}
    raise ApiError("users_not_found")


def users_list(ws: Workspace, team: Team, p: JSON) -> JSON:
    rows = [r for r in ws.users.values() if r["team_id"] == team.team_id]
    slackbot = {"id": SLACKBOT, "name": "slackbot", "real_name": "Slackbot", "tz": None}
    members = [user_object(r, team.team_id) for r in [*rows, slackbot]]
    page, cursor = _page(members, p, default=1000)
    return {
        "members": page,
        "cache_ts": int(time.time()),
        "response_metadata": {"next_cursor": cursor},
    }


def oauth_v2_access(ws: Workspace, p: JSON) -> JSON:
    """oauth.v2.access needs no token: the app proves itself with its client id and secret."""
    client_id, secret = str(p.get("client_id") or ""), str(p.get("client_secret") or "")
    if client_id not in ws.oauth_apps:
        raise ApiError("invalid_client_id")
    if not secrets.compare_digest(ws.oauth_apps[client_id], secret):
        raise ApiError("bad_client_secret")
    code = ws.oauth_codes.pop(str(p.get("code") or ""), None)
    if code is None:
        raise ApiError("invalid_code")
    team_id, users = code
    token = "xoxb-" + secrets.token_hex(12)
    team = ws.add_team(token, team_id, users)
    humans = [u["id"] for u in users if not u.get("is_bot")]
    return {
        "access_token": token,
        "token_type": "bot",
        "scope": SCOPES,
        "bot_user_id": team.bot_user_id,
        "app_id": APP_ID,
        "team": {"id": team.team_id, "name": team.name},
        "enterprise": None,
        "is_enterprise_install": False,
        "authed_user": {"id": humans[0] if humans else "U0INSTALLER"},
    }
