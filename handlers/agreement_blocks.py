"""Block Kit for the contracting conversation: kick-off, step modals, the summary, the plan."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    OverflowMenuElement,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

import prompts
from bot import agreement_terms, visibility
from bot.agreement_terms import FieldSpec, StepSpec
from bot.contracting import CheckpointView, Draft
from bot.text import escape_mrkdwn, shorten
from handlers import ids, ledger_blocks
from handlers.blocks import BlockDicts, context, divider, header, render, section

KIND_WORDS = {
    "mentoring": "mentoring",
    "coaching": "coaching",
    "group_coaching": "group coaching",
    "observation": "observation",
}
SUMMARY_FIELD_LIMIT = 600
FRIENDLY_BLOCK = "agreement_friendly"


def _variant(kind: str) -> str:
    return "mentor" if kind == "mentoring" else "coach"


def people(slack_ids: Sequence[str]) -> str:
    return ", ".join(f"<@{user}>" for user in slack_ids)


def kickoff_message(draft: Draft) -> BlockDicts:
    return render(
        [
            section(
                prompts.render(
                    "contract_kickoff",
                    guide=f"<@{draft.guide.slack_user_id}>",
                    learners=people([p.slack_user_id for p in draft.learners]),
                    kind=KIND_WORDS.get(draft.kind, draft.kind),
                )
            ),
            ActionsBlock(
                block_id="agreement_kickoff",
                elements=[
                    ButtonElement(
                        text="Start our agreement",
                        action_id=ids.AGREEMENT_START,
                        value=str(draft.relationship_id),
                        style="primary",
                    ),
                ],
            ),
        ]
    )


def step_modal(draft: Draft, step_name: str, *, viewer: str = "") -> dict[str, Any]:
    step = agreement_terms.STEP_BY_NAME[step_name]
    names = [s.name for s in agreement_terms.steps_for(draft.kind)]
    position = names.index(step_name) + 1
    current = draft.terms.get(step_name, {})
    intro = _step_intro(step, draft)
    blocks: list[Block] = [section(intro)]
    if step_name == "confidentiality":
        blocks.append(section(privacy_ledger(draft, viewer)))
    blocks += [_input(step, spec, current.get(spec.name)) for spec in step.fields]
    blocks.append(context(prompts.render("contract_saved_as_you_go")))
    last = position == len(names)
    view = View(
        type="modal",
        callback_id=ids.AGREEMENT_STEP,
        title=shorten(f"{step.title} ({position} of {len(names)})", 24),
        submit="Save" if last else "Save and next",
        close="Close",
        private_metadata=json.dumps({"relationship_id": draft.relationship_id, "step": step_name}),
        blocks=blocks,
    )
    return view.to_dict()


def _step_intro(step: StepSpec, draft: Draft) -> str:
    name = f"contract_{step.name}"
    if step.name in ("scope", "plan"):
        name = f"{name}_{_variant(draft.kind)}"
    if step.name == "schedule":
        zones = ", ".join(f"<@{p.slack_user_id}> {p.tz}" for p in draft.parties)
        return prompts.render(name, zones=zones)
    return prompts.render(name)


def privacy_ledger(draft: Draft, viewer: str) -> str:
    """Who can see what about `viewer` in this relationship, from bot.visibility's rules."""
    role = visibility.GUIDE if viewer == draft.guide.slack_user_id else visibility.LEARNER
    agreed = agreement_terms.labels_of(
        "confidentiality",
        "manager_sees",
        (draft.terms.get("confidentiality") or {}).get("manager_sees") or [],
    )
    return ledger_blocks.ledger_text(visibility.ledger(role, manager_agreed=agreed))


def block_id(step: StepSpec, spec: FieldSpec) -> str:
    return f"{step.name}.{spec.name}"


def _input(step: StepSpec, spec: FieldSpec, current: Any) -> InputBlock:
    action = block_id(step, spec)
    value = current if current not in (None, "", []) else spec.default
    options = [Option(value=v, label=label) for v, label in spec.options]
    chosen = [o for o in options if o.value in (value if isinstance(value, list) else [value])]
    element: Any
    if spec.kind in ("text", "long_text"):
        element = PlainTextInputElement(
            action_id=action,
            multiline=spec.kind == "long_text",
            max_length=spec.limit,
            initial_value=value or None,
        )
    elif spec.kind == "choice" and len(options) <= 3:
        element = RadioButtonsElement(
            action_id=action, options=options, initial_option=chosen[0] if chosen else None
        )
    elif spec.kind == "choice":
        element = StaticSelectElement(
            action_id=action,
            options=options,
            initial_option=chosen[0] if chosen else None,
            placeholder="Choose",
        )
    elif spec.kind == "choices":
        element = CheckboxesElement(
            action_id=action, options=options, initial_options=chosen or None
        )
    elif spec.kind == "users":
        element = UserMultiSelectElement(
            action_id=action,
            initial_users=value or None,
            placeholder="Pick people",
            max_selected_items=10,
        )
    else:
        element = DatePickerElement(
            action_id=action, initial_date=value or None, placeholder="Pick a date"
        )
    return InputBlock(
        block_id=action,
        label=spec.label,
        element=element,
        optional=not spec.required,
        hint=spec.hint or None,
    )


def summary_message(draft: Draft, friendly: dict[str, Any] | None = None) -> BlockDicts:
    """The agreement to confirm; `friendly` is the LLM's short paragraph (`friendly_block`),
    shown under the names when there is one."""
    blocks: list[Block] = [
        header(f"Our agreement (version {draft.version})"),
        context(
            f"{KIND_WORDS.get(draft.kind, draft.kind).capitalize()}: "
            f"{people([p.slack_user_id for p in draft.parties])}"
        ),
    ]
    for step in agreement_terms.steps_for(draft.kind):
        lines = summary_lines(step, draft.terms.get(step.name, {}))
        if lines:
            blocks.append(section(f"*{step.title}*\n" + "\n".join(lines)))
    blocks.append(context(status_line(draft)))
    if draft.status == "proposed":
        blocks.append(
            ActionsBlock(
                block_id="agreement_answer",
                elements=[
                    ButtonElement(
                        text="I agree",
                        action_id=ids.AGREEMENT_CONFIRM,
                        value=str(draft.agreement_id),
                        style="primary",
                    ),
                    ButtonElement(
                        text="Change something",
                        action_id=ids.AGREEMENT_EDIT,
                        value=str(draft.relationship_id),
                    ),
                ],
            )
        )
    rendered = render(blocks)
    if friendly is not None:
        rendered.insert(2, friendly)
    return rendered


def friendly_block(text: str) -> dict[str, Any]:
    """The LLM's paragraph about the agreement, as a block (its text escaped: never a ping)."""
    block = section(prompts.render("agreement_friendly", text=escape_mrkdwn(text)))
    block.block_id = FRIENDLY_BLOCK
    return block.to_dict()


def kept_friendly(message: dict[str, Any] | None) -> dict[str, Any] | None:
    """The paragraph block of a summary as posted, to keep it when the summary is redrawn."""
    for block in (message or {}).get("blocks") or []:
        text = block.get("text") if isinstance(block, dict) else None
        if block.get("block_id") == FRIENDLY_BLOCK and isinstance(text, dict):
            shown = str(text.get("text") or "")
            if any(mark in shown for mark in ("<!", "<@", "<#")):
                return None  # never ours: ours is escaped
            kept = section(shown)
            kept.block_id = FRIENDLY_BLOCK
            return kept.to_dict()
    return None


def status_line(draft: Draft) -> str:
    if draft.status == "active":
        return "Active: confirmed by everyone. :white_check_mark:"
    if draft.status == "superseded":
        return "Replaced by a newer version."
    done = [f"<@{u}>" for u in sorted(draft.confirmed)]
    waiting = people(draft.waiting_for)
    agreed = f"Agreed so far: {', '.join(done)}. " if done else ""
    return f"{agreed}Waiting for: {waiting}. It becomes active when everyone agrees."


def summary_lines(step: StepSpec, values: dict[str, Any]) -> list[str]:
    if step.name == "plan":
        return _plan_lines(values)
    lines = []
    for spec in step.fields:
        value = values.get(spec.name)
        if value in (None, "", []):
            continue
        if spec.kind == "choices":
            shown = ", ".join(agreement_terms.labels_of(step.name, spec.name, value))
        elif spec.kind == "choice":
            shown = agreement_terms.label_of(step.name, spec.name, value)
        elif spec.kind == "users":
            shown = people(value)
        elif spec.kind == "date":
            shown = _day(value)
        else:
            shown = escape_mrkdwn(shorten(str(value), SUMMARY_FIELD_LIMIT))
        lines.append(f"• _{spec.label}:_ {shown}")
    if step.name == "confidentiality" and not values.get("manager_sees"):
        lines.insert(0, "• _The manager sees:_ nothing")
    if step.name == "confidentiality":
        program = next(
            line
            for line in visibility.ledger(visibility.LEARNER)
            if line.audience is visibility.Audience.COORDINATORS
        )
        lines.append("• _The program sees:_ " + escape_mrkdwn("; ".join(program.sees)))
    return lines


def _plan_lines(plan: dict[str, Any]) -> list[str]:
    lines = []
    for goal, deliverable, due in agreement_terms.plan_rows(plan):
        text = f"• *{escape_mrkdwn(shorten(goal, 200))}*"
        if deliverable:
            text += f": {escape_mrkdwn(shorten(deliverable, 200))}"
        if due:
            text += f" (due {_day(due.isoformat())})"
        lines.append(text)
    resources = agreement_terms.resources(plan)
    if resources:
        lines.append(
            "• _Resources:_ " + escape_mrkdwn(shorten("; ".join(resources), SUMMARY_FIELD_LIMIT))
        )
    if plan.get("experts"):
        lines.append("• _Experts to involve:_ " + people(plan["experts"]))
    return lines


def _day(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day:%a %d %b %Y}"


def activated_message(draft: Draft, made: Sequence[CheckpointView]) -> BlockDicts:
    first = made[:8]
    lines = [f"• {_when(c)}: {escape_mrkdwn(c.title)}" for c in first]
    if len(made) > len(first):
        lines.append(f"• …and {len(made) - len(first)} more (`/mentoring plan` lists them all)")
    return render(
        [
            section(
                prompts.render(
                    "contract_active",
                    version=draft.version,
                    count=len(made),
                    checkpoints="\n".join(lines),
                )
            )
        ]
    )


def _when(checkpoint: CheckpointView) -> str:
    """Slack's date token shows the time in each reader's own time zone."""
    stamp = int(checkpoint.due_at.timestamp())
    fallback = f"{checkpoint.due_at:%d %b %Y %H:%M} UTC"
    return f"<!date^{stamp}^{{date_short_pretty}} at {{time}}|{fallback}>"


def edit_chooser(draft: Draft) -> dict[str, Any]:
    options = [
        Option(value=step.name, label=step.title) for step in agreement_terms.steps_for(draft.kind)
    ]
    view = View(
        type="modal",
        callback_id=ids.AGREEMENT_CHOOSE_STEP,
        title="Change the agreement",
        submit="Open",
        close="Cancel",
        private_metadata=json.dumps({"relationship_id": draft.relationship_id}),
        blocks=[
            section(prompts.render("contract_change")),
            InputBlock(
                block_id=ids.AGREEMENT_STEP_PICK,
                label="Which part?",
                element=StaticSelectElement(
                    action_id=ids.AGREEMENT_STEP_PICK, options=options, placeholder="Choose"
                ),
            ),
        ],
    )
    return view.to_dict()


def plan_overview(drafts: Sequence[tuple[Draft, Sequence[CheckpointView]]]) -> BlockDicts:
    if not drafts:
        return render([section(prompts.render("plan_none"))])
    blocks: list[Block] = []
    for draft, upcoming in drafts[:3]:
        others = [p.slack_user_id for p in draft.parties]
        blocks.append(header(f"{KIND_WORDS.get(draft.kind, draft.kind).capitalize()}"))
        blocks.append(context(f"{people(others)} · version {draft.version} · {draft.status}"))
        for step in agreement_terms.steps_for(draft.kind):
            if step.name in ("scope", "plan", "schedule"):
                lines = summary_lines(step, draft.terms.get(step.name, {}))
                if lines:
                    blocks.append(section(f"*{step.title}*\n" + "\n".join(lines)))
        for checkpoint in upcoming[:5]:
            block = section(f"{_when(checkpoint)} · {escape_mrkdwn(checkpoint.title)}")
            block.accessory = OverflowMenuElement(
                action_id=ids.CHECKPOINT_MENU,
                options=[
                    Option(value=f"move:{checkpoint.checkpoint_id}", label="Move"),
                    Option(value=f"remove:{checkpoint.checkpoint_id}", label="Remove"),
                ],
            )
            blocks.append(block)
        if len(upcoming) > 5:
            blocks.append(context(f"…and {len(upcoming) - 5} more checkpoints."))
        blocks.append(
            ActionsBlock(
                block_id=f"plan_actions_{draft.relationship_id}",
                elements=[
                    ButtonElement(
                        text="Change the agreement",
                        action_id=ids.AGREEMENT_EDIT,
                        value=str(draft.relationship_id),
                    ),
                    ButtonElement(
                        text="Add a checkpoint",
                        action_id=ids.CHECKPOINT_ADD,
                        value=str(draft.relationship_id),
                    ),
                ],
            )
        )
        blocks.append(divider())
    if len(drafts) > 3:
        blocks.append(context(f"Showing 3 of {len(drafts)} relationships."))
    return render(blocks)


def checkpoint_modal(
    relationship_id: int, checkpoint_id: int | None, initial: date | None
) -> dict[str, Any]:
    moving = checkpoint_id is not None
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.CHECKPOINT_DAY,
            label="Which day?",
            element=DatePickerElement(
                action_id=ids.CHECKPOINT_DAY,
                initial_date=initial.isoformat() if initial else None,
                placeholder="Pick a weekday",
            ),
        ),
    ]
    if not moving:
        blocks.append(
            InputBlock(
                block_id=ids.CHECKPOINT_TITLE,
                label="What will you review?",
                optional=True,
                element=PlainTextInputElement(action_id=ids.CHECKPOINT_TITLE, max_length=120),
            )
        )
    view = View(
        type="modal",
        callback_id=ids.CHECKPOINT_FORM,
        title="Move a checkpoint" if moving else "Add a checkpoint",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps(
            {"relationship_id": relationship_id, "checkpoint_id": checkpoint_id}
        ),
        blocks=[section(prompts.render("checkpoint_time")), *blocks],
    )
    return view.to_dict()
