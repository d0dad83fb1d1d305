"""Modals and the Home tab: views.* methods and the stack changes a view submission causes.

Slack keeps, per person, a stack of at most three open modals. `views.open` starts a stack,
`views.push` (or `response_action: push`) adds to it, submitting closes the top view and
`response_action: clear` closes them all.
"""

from __future__ import annotations

import time

from bot.emulator.limits import Violation, check_view
from bot.emulator.render import render_view
from bot.emulator.state import (
    APP_ID,
    JSON,
    ApiError,
    Team,
    Trigger,
    ViewRecord,
    Workspace,
    assign_ids,
    new_hash,
    new_id,
)

STACK_MAX = 3


def _check(view: object, kind: str) -> JSON:
    violation = check_view(view)
    if violation is None and isinstance(view, dict) and view.get("type") != kind:
        violation = Violation(
            "invalid_arguments", (f"[ERROR] must be {kind} [json-pointer:/view/type]",)
        )
    if violation is not None:
        raise ApiError(violation.error, violation.messages)
    assert isinstance(view, dict)
    return view


def _exchange(ws: Workspace, team: Team, trigger_id: object) -> Trigger:
    """Spend a trigger: each one opens a single view, within `trigger_ttl` seconds."""
    trigger = ws.triggers.get(str(trigger_id or ""))
    if trigger is None or trigger.team_id != team.team_id:
        raise ApiError("invalid_trigger_id")
    if trigger.used or time.time() - trigger.issued_at > ws.trigger_ttl:
        raise ApiError("expired_trigger_id")
    trigger.used = True
    return trigger


def _external_id_free(ws: Workspace, team: Team, spec: JSON, keep: str | None = None) -> None:
    external_id = spec.get("external_id")
    if not external_id:
        return
    for view_id, record in ws.views.items():
        same_team = record.team_id == team.team_id
        if view_id != keep and same_team and record.view.get("external_id") == external_id:
            raise ApiError("duplicate_external_id")


def _build(team: Team, spec: JSON, view_id: str, root: str, previous: str | None) -> JSON:
    return {
        "id": view_id,
        "team_id": team.team_id,
        "type": spec["type"],
        "blocks": assign_ids(spec.get("blocks", [])),
        "private_metadata": spec.get("private_metadata", ""),
        "callback_id": spec.get("callback_id", ""),
        "state": {"values": {}},
        "hash": new_hash(),
        "title": spec.get("title"),
        "clear_on_close": bool(spec.get("clear_on_close", False)),
        "notify_on_close": bool(spec.get("notify_on_close", False)),
        "close": spec.get("close"),
        "submit": spec.get("submit"),
        "previous_view_id": previous,
        "root_view_id": root,
        "app_id": APP_ID,
        "external_id": spec.get("external_id", ""),
        "app_installed_team_id": team.team_id,
        "bot_id": team.bot_id,
    }


def _show(ws: Workspace, record: ViewRecord) -> None:
    kind = "home" if record.view["type"] == "home" else "modal"
    text = render_view(record.view, names=ws.names())
    ws.record_seen((record.user_id,), None, kind, text)


def _store(ws: Workspace, team: Team, spec: JSON, user_id: str, stack: list[str]) -> JSON:
    view_id = new_id("V")
    view = _build(team, spec, view_id, stack[0] if stack else view_id, stack[-1] if stack else None)
    record = ViewRecord(view, user_id, team.team_id)
    ws.views[view_id] = record
    stack.append(view_id)
    ws.stacks[user_id] = stack
    _show(ws, record)
    return view


def _replace(ws: Workspace, record: ViewRecord, spec: JSON) -> JSON:
    team = ws.teams[record.team_id]
    old = record.view
    record.errors = {}
    record.view = _build(team, spec, old["id"], old["root_view_id"], old["previous_view_id"])
    if not spec.get("external_id"):
        record.view["external_id"] = old.get("external_id", "")
    _show(ws, record)
    return record.view


def views_open(ws: Workspace, team: Team, p: JSON) -> JSON:
    spec = _check(p.get("view"), "modal")
    _external_id_free(ws, team, spec)
    trigger = _exchange(ws, team, p.get("trigger_id"))
    return {"view": _store(ws, team, spec, trigger.user_id, [])}


def views_push(ws: Workspace, team: Team, p: JSON) -> JSON:
    spec = _check(p.get("view"), "modal")
    _external_id_free(ws, team, spec)
    trigger = ws.triggers.get(str(p.get("trigger_id") or ""))
    stack = ws.stacks.get(trigger.user_id, []) if trigger else []
    if trigger is not None and not stack:
        raise ApiError("invalid_arguments", ("[ERROR] no open modal to push onto",))
    if len(stack) >= STACK_MAX:
        raise ApiError("push_limit_reached")
    trigger = _exchange(ws, team, p.get("trigger_id"))
    return {"view": _store(ws, team, spec, trigger.user_id, list(stack))}


def _find(ws: Workspace, team: Team, p: JSON) -> ViewRecord:
    if p.get("view_id"):
        record = ws.views.get(str(p["view_id"]))
    elif p.get("external_id"):
        wanted = p["external_id"]
        record = next(
            (r for r in ws.views.values() if r.view.get("external_id") == wanted),
            None,
        )
    else:
        raise ApiError("invalid_arguments", ("[ERROR] view_id or external_id is required",))
    if record is None or record.team_id != team.team_id:
        raise ApiError("not_found")
    return record


def views_update(ws: Workspace, team: Team, p: JSON) -> JSON:
    record = _find(ws, team, p)
    spec = _check(p.get("view"), record.view["type"])
    if p.get("hash") and p["hash"] != record.view["hash"]:
        raise ApiError("hash_conflict")
    _external_id_free(ws, team, spec, keep=record.view["id"])
    return {"view": _replace(ws, record, spec)}


def views_publish(ws: Workspace, team: Team, p: JSON) -> JSON:
    user = ws.user_in_team(p.get("user_id"), team)
    spec = _check(p.get("view"), "home")
    current = ws.views.get(ws.homes.get(user["id"], ""))
    if p.get("hash") and (current is None or p["hash"] != current.view["hash"]):
        raise ApiError("hash_conflict")
    if current is not None:
        return {"view": _replace(ws, current, spec)}
    view_id = new_id("V")
    record = ViewRecord(_build(team, spec, view_id, view_id, None), user["id"], team.team_id)
    ws.views[view_id] = record
    ws.homes[user["id"]] = view_id
    _show(ws, record)
    return {"view": record.view}


def close(ws: Workspace, view_id: str, *, everything: bool = False) -> None:
    """Close a modal and anything pushed above it (or the person's whole stack)."""
    record = ws.views[view_id]
    stack = ws.stacks.get(record.user_id, [])
    if view_id in stack:
        del stack[0 if everything else stack.index(view_id) :]


def apply_response_action(ws: Workspace, view_id: str, response: JSON | None) -> Violation | None:
    """Do what Slack does with the app's answer to a view_submission."""
    record = ws.views[view_id]
    action = (response or {}).get("response_action")
    if action == "errors":
        errors = (response or {}).get("errors")
        if isinstance(errors, dict):
            record.errors = {str(key): str(value) for key, value in errors.items()}
        return None
    if action == "clear":
        close(ws, view_id, everything=True)
        return None
    if action not in ("update", "push"):
        close(ws, view_id)
        return None
    spec = (response or {}).get("view")
    try:
        checked = _check(spec, "modal")
    except ApiError as exc:
        return Violation(exc.error, exc.messages)
    team = ws.teams[record.team_id]
    if action == "update":
        _replace(ws, record, checked)
        return None
    stack = ws.stacks.get(record.user_id, [])
    if len(stack) >= STACK_MAX:
        return Violation("push_limit_reached")
    _store(ws, team, checked, record.user_id, stack)
    return None
