"""The sandbox's one workspace: a stage (database, emulator, the real app) that the page's
requests act on as the chosen person, one request at a time. Reset replaces the whole stage."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.cli.clock import run_jobs_once
from bot.cli.demo_scenes import SCENES
from bot.cli.stage import TEAM_ID, Stage, emulated_stage
from bot.emulator import DriverResponse, input_values
from bot.sandbox import typed
from bot.sandbox.snapshot import JSON, snapshot
from bot.sandbox.timeline import RecordingClock
from storage import coordinators, offers

StageFactory = Callable[[RecordingClock], AbstractContextManager[Stage]]
CLOCK_STEP = timedelta(hours=1)
MAX_TRAVEL = timedelta(days=31)
WORKER = "sandbox-clock"


class SandboxError(Exception):
    """A request the sandbox refuses; the message is shown to the person as it is."""


def fresh_stage(clock: RecordingClock) -> AbstractContextManager[Stage]:
    return emulated_stage(clock=clock)


class Sandbox:
    def __init__(self, stage_factory: StageFactory = fresh_stage) -> None:
        self._factory = stage_factory
        self._lock = threading.RLock()
        self._exits, self._clock, self.stage = self._start()

    def _start(self) -> tuple[ExitStack, RecordingClock, Stage]:
        exits = ExitStack()
        clock = RecordingClock(datetime.now(UTC).replace(microsecond=0))
        return exits, clock, exits.enter_context(self._factory(clock))

    def close(self) -> None:
        with self._lock:
            self._exits.close()

    # -- the workspace as a whole -------------------------------------------------------------
    def reset(self) -> None:
        """A fresh database and a fresh emulator: nobody has done anything yet."""
        with self._lock:
            self._exits.close()
            self._exits, self._clock, self.stage = self._start()

    def load_demo(self) -> None:
        """A fresh workspace, then the demo program acted out in it (about 15 seconds)."""
        with self._lock:
            self.reset()
            for _title, scene in SCENES:
                scene(self.stage)
                self.stage.settle()

    def travel(self, delta: timedelta) -> int:
        """Move the clock on an hour at a time, running the clock's jobs after each hour as
        `mentorbot clock` would; returns how many nudges were sent."""
        if not timedelta(0) < delta <= MAX_TRAVEL:
            raise SandboxError("Time travel goes forward, up to a month at a time.")
        with self._lock:
            stage, sent = self.stage, 0
            target = self._clock() + delta
            while self._clock() < target:
                self._clock.advance(min(CLOCK_STEP, target - self._clock()))
                lines = run_jobs_once(
                    stage.services, client=stage.client, outbox=stage.outbox, worker=WORKER
                )
                sent += sum(1 for line in lines if line.outcome.startswith("sent"))
            stage.settle()
            return sent

    # -- what a person does -------------------------------------------------------------------
    def command(self, user_id: str, text: str, conversation: str | None) -> None:
        with self._lock:
            self._person(user_id)
            try:
                parsed = typed.parse(text, self.stage.emulator.people())
            except typed.NotACommand as error:
                raise SandboxError(str(error)) from None
            channel = self._conversation(user_id, conversation)
            reply = self.stage.driver.command(user_id, parsed.command, parsed.text, channel)
            self._settled(reply)

    def open_home(self, user_id: str) -> None:
        """Open the App Home tab: Slack sends `app_home_opened`, the app publishes the view."""
        with self._lock:
            self._person(user_id)
            event = {
                "type": "app_home_opened",
                "user": user_id,
                "tab": "home",
                "channel": self.stage.emulator.dm_channel(user_id),
                "event_ts": f"{time.time():.6f}",
            }
            self._settled(self.stage.driver.event(event))

    def click(self, user_id: str, action: Mapping[str, Any]) -> None:
        """A button, select, overflow menu or date picker used in a message, the Home tab or a
        modal; in a modal, `values` holds what the inputs show at that moment."""
        with self._lock:
            self._person(user_id)
            emulator = self.stage.emulator
            action_id = _text(action, "action_id")
            extra: dict[str, Any] = {
                key: action[key]
                for key in ("selected_option", "selected_date", "selected_user")
                if action.get(key) not in (None, "")
            }
            value = action.get("value")
            try:
                if action.get("view_id"):
                    view_id = self._own_view(user_id, _text(action, "view_id"))
                    values = _mapping(action.get("values"))
                    state = input_values(emulator.view(view_id), values) if values else None
                    reply = self.stage.driver.click(
                        user_id,
                        action_id,
                        None if value is None else str(value),
                        view_id=view_id,
                        state=state,
                        **extra,
                    )
                else:
                    channel = self._conversation(user_id, _text(action, "conversation"))
                    ts = _text(action, "ts")
                    found = emulator.message(channel, ts)
                    if found is None or found.get("ephemeral_user") not in (None, user_id):
                        raise SandboxError("That message is gone: it may have been replaced.")
                    reply = self.stage.driver.click(
                        user_id,
                        action_id,
                        None if value is None else str(value),
                        message=(channel, ts),
                        **extra,
                    )
            except (LookupError, ValueError) as error:
                raise SandboxError(f"That control cannot be used: {error}") from None
            self._settled(reply)

    def submit(self, user_id: str, view_id: str, values: Mapping[str, Any]) -> dict[str, str]:
        """Press Submit; returns the inline errors the app answered (empty when accepted)."""
        with self._lock:
            self._person(user_id)
            emulator = self.stage.emulator
            view_id = self._own_view(user_id, view_id, must_be_open=True)
            try:
                input_values(emulator.view(view_id), values)  # refuse before anything is recorded
            except (LookupError, ValueError) as error:
                raise SandboxError(f"That form does not have such a field: {error}") from None
            self._settled(self.stage.actor(user_id).submit(view_id, values))
            return emulator.view_errors(view_id)

    def close_view(self, user_id: str, view_id: str) -> None:
        with self._lock:
            self._person(user_id)
            view_id = self._own_view(user_id, view_id, must_be_open=True)
            reply = self.stage.driver.close_view(user_id, view_id)
            if reply is not None:
                self._settled(reply)

    # -- what the page shows ------------------------------------------------------------------
    def snapshot(self, user_id: str, conversation: str | None) -> JSON:
        """What `user_id` sees (the first person of the workspace when that is nobody)."""
        with self._lock:
            stage = self.stage
            if not self._known(user_id):
                user_id = str(stage.emulator.people()[0]["id"])
            settings = stage.services.settings
            with stage.services.database.reading() as session:
                pool = offers.active_pool(session, team_id=TEAM_ID)
                listed = set(coordinators.listed(session, team_id=TEAM_ID))
            return snapshot(
                stage.emulator,
                self._clock,
                user_id=user_id,
                conversation=conversation,
                coordinators=listed | set(settings.mentorbot_coordinators),
                mentors={p.slack_user_id for o, p in pool if o.as_mentor},
                coaches={p.slack_user_id for o, p in pool if o.as_coach},
                revision=self.revision(),
            )

    def revision(self) -> int:
        """Grows whenever anything anyone could see changed, or the clock moved."""
        emulator = self.stage.emulator
        return (
            len(emulator.calls(include_failed=True))
            + len(emulator.seen())
            + int(self._clock().timestamp())
        )

    def file(self, file_id: str) -> tuple[str, bytes] | None:
        with self._lock:
            return self.stage.emulator.file_content(file_id)

    # -- checks -------------------------------------------------------------------------------
    def _known(self, user_id: str) -> bool:
        row = self.stage.emulator.user(user_id) if user_id else None
        return row is not None and not row.get("is_bot")

    def _person(self, user_id: str) -> None:
        if not self._known(user_id):
            raise SandboxError("Pick someone from the list first.")

    def _conversation(self, user_id: str, conversation: str | None) -> str:
        emulator = self.stage.emulator
        if not conversation:
            return emulator.dm_channel(user_id)
        if conversation not in {str(c["id"]) for c in emulator.conversations(user_id)}:
            raise SandboxError("That person is not in that conversation.")
        return conversation

    def _own_view(self, user_id: str, view_id: str, *, must_be_open: bool = False) -> str:
        emulator = self.stage.emulator
        try:
            owner = emulator.view_owner(view_id)
        except KeyError:
            owner = None
        if owner != user_id:
            raise SandboxError("That form belongs to someone else, or is gone.")
        if must_be_open and view_id not in {str(v["id"]) for v in emulator.open_views(user_id)}:
            raise SandboxError("That form was already closed.")
        return view_id

    def _settled(self, reply: DriverResponse) -> None:
        self.stage.settle()
        if reply.status >= 400:
            raise SandboxError(f"The app answered {reply.status}: see the terminal for details.")


def _text(action: Mapping[str, Any], key: str) -> str:
    value = action.get(key)
    if not isinstance(value, str) or not value:
        raise SandboxError(f"Missing {key}.")
    return value


def _mapping(value: object) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SandboxError("Form values must be an object.")
    return value
