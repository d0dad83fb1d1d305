"""Several workspaces: installing through OAuth, isolation between workspaces, uninstalling, and
Slack's retries per workspace, all through the real HTTP endpoint and the emulator."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select as select_rows
from sqlmodel import select

from bot import nudge_plan
from bot.cli.program import actor, ask_action, ask_for, choose, offered, volunteer
from bot.cli.wiring import build_web_app
from bot.config import ConfigError, load_settings
from bot.emulator import SlackDriver, SlackEmulator
from bot.emulator.actor import wait_for
from bot.local_server import serve_in_thread
from bot.services import Services
from handlers import ids
from handlers.nudge_sender import EVENT_TYPE
from handlers.sweeps import expire_invitations, send_nudges
from handlers.workspaces import NOT_INSTALLED, clients_for, installation_store
from storage import slack_tables
from storage.db import Database
from storage.models import (
    AuditEvent,
    Invitation,
    Nudge,
    Person,
    Relationship,
    SlackEventReceipt,
)
from tests.conftest import SIGNING_SECRET, TEAM_ID, FrozenClock, RunningApp
from tests.support import seed_pair

CLIENT_ID = "1111111111.2222222222"
CLIENT_SECRET = "emulator-oauth-client-secret-0123"
TEAM_A = TEAM_ID  # Larkspur Instruments: the emulator's seeded company
TEAM_B = "T0HARBOR"
DOT, KOFI, AMARA, PRIYA = "U0DOROTHEA01", "U0KOFI01", "U0AMARA01", "U0PRIYA01"
PETRA, OSCAR, LENA = "U0HBPETRA01", "U0HBOSCAR01", "U0HBLENA01"
HARBOR_PEOPLE = [
    {
        "id": PETRA,
        "name": "petra.holm",
        "real_name": "Petra Holm",
        "display_name": "Petra",
        "title": "Head of Data",
        "email": "petra@harbor.example",
        "tz": "Europe/London",
        "manager": None,
        "coordinator": False,
    },
    {
        "id": OSCAR,
        "name": "oscar.lund",
        "real_name": "Oscar Lund",
        "display_name": "Oscar",
        "title": "Analyst",
        "email": "oscar@harbor.example",
        "tz": "Europe/London",
        "manager": PETRA,
        "coordinator": False,
    },
    {
        "id": LENA,
        "name": "lena.berg",
        "real_name": "Lena Berg",
        "display_name": "Lena",
        "title": "Analyst",
        "email": "lena@harbor.example",
        "tz": "Europe/London",
        "manager": PETRA,
        "coordinator": False,
    },
]
SQL_TOPICS = "SQL, data modelling, code review and writing better SQL for reports"


# -- fixtures: the app in multi-workspace mode -------------------------------------------------


@pytest.fixture
def oauth_services(
    database_url: str, emulator: SlackEmulator, clock: FrozenClock
) -> Iterator[Services]:
    emulator.register_oauth_app(CLIENT_ID, CLIENT_SECRET)
    settings = load_settings(
        {
            "slack_client_id": CLIENT_ID,
            "slack_client_secret": CLIENT_SECRET,
            "slack_signing_secret": SIGNING_SECRET,
            "slack_api_url": emulator.api_url,
            "database_url": database_url,
        },
        env_file=None,
    )
    assert settings.multi_workspace
    built = Services(settings=settings, database=Database.from_url(database_url), clock=clock)
    yield built
    built.database.dispose()


@pytest.fixture
def oauth_app(oauth_services: Services) -> Iterator[RunningApp]:
    server = serve_in_thread(build_web_app(oauth_services))
    yield RunningApp(server=server, services=oauth_services)
    server.stop()


def get(
    url: str, cookie: str | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], str]:
    """One request without following redirects (Slack's authorize page is not reachable)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, response.read().decode()
    finally:
        connection.close()


def start_install(app: RunningApp) -> tuple[str, str, str]:
    """GET /slack/install: (where it redirects, the state in that URL, the state cookie)."""
    status, headers, _ = get(app.url + "/slack/install")
    assert status == 302
    location = headers["location"]
    state = parse_qs(urlsplit(location).query)["state"][0]
    cookie = headers["set-cookie"].split(";")[0]
    return location, state, cookie


def finish_install(app: RunningApp, code: str, state: str, cookie: str) -> tuple[int, str]:
    query = urlencode({"code": code, "state": state})
    status, _, body = get(f"{app.url}/slack/oauth_redirect?{query}", cookie=cookie)
    return status, body


def install(app: RunningApp, emulator: SlackEmulator, team_id: str, users=None) -> None:
    _, state, cookie = start_install(app)
    status, _ = finish_install(app, emulator.issue_oauth_code(team_id, users), state, cookie)
    assert status == 200


def bot_token(services: Services, team_id: str) -> str | None:
    bot = installation_store(services.settings, services.database).find_bot(
        enterprise_id=None, team_id=team_id
    )
    return bot.bot_token if bot is not None else None


@pytest.fixture
def two_workspaces(oauth_app, emulator) -> tuple[SlackDriver, SlackDriver]:
    install(oauth_app, emulator, TEAM_A)
    install(oauth_app, emulator, TEAM_B, HARBOR_PEOPLE)
    return (
        SlackDriver(oauth_app.events_url, SIGNING_SECRET, emulator, team_id=TEAM_A),
        SlackDriver(oauth_app.events_url, SIGNING_SECRET, emulator, team_id=TEAM_B),
    )


def rows(services, model):
    with services.database.reading() as session:
        return list(session.exec(select(model)).all())


# -- installing ----------------------------------------------------------------------------


def test_install_redirects_to_slack_with_a_state_and_stores_the_workspace(
    oauth_app, oauth_services, emulator
):
    location, state, cookie = start_install(oauth_app)
    assert location.startswith("https://slack.com/oauth/v2/authorize?")
    query = parse_qs(urlsplit(location).query)
    assert query["client_id"] == [CLIENT_ID]
    assert "chat:write" in query["scope"][0].split(",")
    assert cookie == f"slack-app-oauth-state={state}"
    assert bot_token(oauth_services, TEAM_B) is None

    status, _ = finish_install(
        oauth_app, emulator.issue_oauth_code(TEAM_B, HARBOR_PEOPLE), state, cookie
    )
    assert status == 200
    token = bot_token(oauth_services, TEAM_B)
    assert token is not None and token.startswith("xoxb-")
    store = installation_store(oauth_services.settings, oauth_services.database)
    installation = store.find_installation(enterprise_id=None, team_id=TEAM_B)
    assert installation is not None
    assert installation.bot_user_id == emulator.bot_user_id(TEAM_B)
    assert installation.user_id == PETRA  # who installed it
    assert [c.team_id for c in emulator.calls("oauth.v2.access")] == [TEAM_B]


def test_a_reused_or_wrong_state_is_refused(oauth_app, oauth_services, emulator):
    _, state, cookie = start_install(oauth_app)
    assert finish_install(oauth_app, emulator.issue_oauth_code(TEAM_B), state, cookie)[0] == 200
    first_token = bot_token(oauth_services, TEAM_B)

    # The same state again (a replayed redirect): used up, refused before any code exchange.
    replay = emulator.issue_oauth_code(TEAM_B)
    assert finish_install(oauth_app, replay, state, cookie)[0] == 401
    # A state that was never issued, even with a matching cookie.
    forged = "0f2d6a8e-0000-4000-8000-000000000000"
    forged_cookie = f"slack-app-oauth-state={forged}"
    assert finish_install(oauth_app, replay, forged, forged_cookie)[0] == 401
    # A real state, but from another browser (the cookie does not match it).
    _, fresh_state, _ = start_install(oauth_app)
    assert finish_install(oauth_app, replay, fresh_state, cookie)[0] == 400
    # No cookie at all.
    query = urlencode({"code": replay, "state": fresh_state})
    assert get(f"{oauth_app.url}/slack/oauth_redirect?{query}")[0] == 400

    assert len(emulator.calls("oauth.v2.access", include_failed=True)) == 1
    assert bot_token(oauth_services, TEAM_B) == first_token
    with oauth_services.database.reading() as session:
        pending = session.execute(select_rows(slack_tables.oauth_states)).all()
    assert len(pending) == 1  # the fresh state, not used yet
    # The fresh state is still good in its own browser, and the unused code still works.
    fresh_cookie = f"slack-app-oauth-state={fresh_state}"
    assert finish_install(oauth_app, replay, fresh_state, fresh_cookie)[0] == 200
    assert len(emulator.calls("oauth.v2.access")) == 2


def test_the_settings_choose_the_mode():
    both = {"slack_client_id": CLIENT_ID, "slack_client_secret": CLIENT_SECRET}
    several = load_settings(both, env_file=None)
    assert several.multi_workspace
    several.require(["slack_bot_token"])  # each workspace's token comes from its install
    one = load_settings({**both, "slack_bot_token": "xoxb-1-2"}, env_file=None)
    assert not one.multi_workspace  # a bot token always means one workspace
    half = load_settings({"slack_client_id": CLIENT_ID}, env_file=None)
    assert not half.multi_workspace
    with pytest.raises(ConfigError, match=r"SLACK_BOT_TOKEN \(or SLACK_CLIENT_ID"):
        half.require(["slack_bot_token"])
    with pytest.raises(ConfigError, match="SLACK_CLIENT_ID"):
        load_settings({"slack_client_id": "my-app"}, env_file=None)
    with pytest.raises(ConfigError, match="SLACK_CLIENT_SECRET"):
        load_settings({**both, "slack_client_secret": "changeme"}, env_file=None)


def test_install_pages_answer_only_get(oauth_app):
    assert get(oauth_app.url + "/slack/install", method="POST")[0] == 405
    assert get(oauth_app.url + "/slack/oauth_redirect", method="POST")[0] == 405


def test_a_single_workspace_app_has_no_install_pages(running_app):
    assert get(running_app.url + "/slack/install")[0] == 404
    assert get(running_app.url + "/slack/oauth_redirect?code=x&state=y")[0] == 404


def test_a_workspace_that_never_installed_is_not_served(oauth_app, emulator):
    install(oauth_app, emulator, TEAM_B, HARBOR_PEOPLE)
    stranger = SlackDriver(oauth_app.events_url, SIGNING_SECRET, emulator, team_id=TEAM_A)
    response = stranger.command(DOT, "/mentoring", "me")
    assert response.status == 200
    assert response.text == ""  # Bolt answers through the response_url instead
    told = wait_for(lambda: emulator.ephemerals(DOT), what="the answer to Dot")
    assert "reinstall" in str(told[-1]).lower()
    assert [c.method for c in emulator.calls() if c.team_id == TEAM_A] == ["response_url"]


# -- isolation -------------------------------------------------------------------------------


def test_two_workspaces_see_only_their_own_data(two_workspaces, emulator, oauth_services):
    larkspur, harbor = two_workspaces
    volunteer(actor(larkspur, emulator, DOT), roles=["coach", "mentor"], topics=SQL_TOPICS)
    volunteer(
        actor(harbor, emulator, LENA),
        roles=["coach", "mentor"],
        topics=SQL_TOPICS + " at Harbor",
    )

    dot_sees = actor(larkspur, emulator, DOT).command("/mentoring", "me").text
    lena_sees = actor(harbor, emulator, LENA).command("/mentoring", "me").text
    assert "Your offer" in dot_sees and "at Harbor" not in dot_sees
    assert "Your offer" in lena_sees and "at Harbor" in lena_sees
    assert "nothing going on yet" in actor(harbor, emulator, OSCAR).command("/mentoring", "me").text

    kofi = actor(larkspur, emulator, KOFI)
    view_id = ask_for(
        kofi,
        "/coach",
        need="I need to write much better SQL for our reports",
        manager=PRIYA,
        scope="specific_skill",
    )
    shown = offered(choose(kofi, view_id, "coach"))
    assert shown == [DOT]

    oscar = actor(harbor, emulator, OSCAR)
    view_id = ask_for(
        oscar,
        "/coach",
        need="I need to write much better SQL for our reports",
        manager=PETRA,
        scope="specific_skill",
    )
    assert offered(choose(oscar, view_id, "coach")) == [LENA]

    people = {p.slack_user_id: p.team_id for p in rows(oauth_services, Person)}
    assert people[DOT] == people[KOFI] == TEAM_A
    assert people[LENA] == people[OSCAR] == TEAM_B
    # Each workspace's modals were opened with its own token (the emulator refuses a trigger
    # of one workspace with the token of another), and no call failed.
    assert {c.team_id for c in emulator.calls("views.open")} == {TEAM_A, TEAM_B}
    assert not [c for c in emulator.calls(include_failed=True) if not c.ok]
    assert bot_token(oauth_services, TEAM_B) != bot_token(oauth_services, TEAM_A)


# -- uninstalling ----------------------------------------------------------------------------


def _pairs_with_a_reminder_due(services: Services) -> datetime:
    """A relationship in each workspace with a checkpoint on Monday 30 March; everyone is in
    London, so both reminders fall due on Friday 27 March at 09:00 UTC."""
    due = datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    seed_pair(
        services.database,
        guide=(DOT, "Europe/London"),
        learner=(KOFI, "Europe/London"),
        due=[due],
        team_id=TEAM_A,
    )
    seed_pair(
        services.database,
        guide=(LENA, "Europe/London"),
        learner=(OSCAR, "Europe/London"),
        due=[due],
        team_id=TEAM_B,
    )
    nudge_plan.plan(services, now=datetime(2026, 3, 25, 12, 0, tzinfo=UTC))
    return datetime(2026, 3, 27, 9, 5, tzinfo=UTC)


def _nudge_posts(emulator: SlackEmulator) -> list[str | None]:
    found = []
    for call in emulator.calls("chat.postMessage"):
        metadata = call.params.get("metadata") or {}
        if isinstance(metadata, str):
            metadata = json.loads(metadata)
        if metadata.get("event_type") == EVENT_TYPE:
            found.append(call.team_id)
    return found


def test_after_an_uninstall_the_token_is_gone_and_the_clock_sends_nothing_there(
    two_workspaces, oauth_app, emulator, oauth_services
):
    _, harbor = two_workspaces
    friday_morning = _pairs_with_a_reminder_due(oauth_services)

    response = harbor.event({"type": "app_uninstalled"})
    assert response.status == 200
    wait_for(lambda: bot_token(oauth_services, TEAM_B) is None, what="the token to be deleted")
    store = installation_store(oauth_services.settings, oauth_services.database)
    assert store.find_installation(enterprise_id=None, team_id=TEAM_B) is None
    assert bot_token(oauth_services, TEAM_A) is not None
    wait_for(
        lambda: any(e.action == "workspace.uninstalled" for e in rows(oauth_services, AuditEvent))
    )
    calls_before = len(emulator.calls(include_failed=True))

    outbox = clients_for(oauth_services.settings, oauth_services.database, outbox=True)
    lines = send_nudges(outbox, oauth_services, worker="clock", now=friday_morning)

    outcomes = {line.to: line.outcome for line in lines}
    assert outcomes[DOT] == outcomes[KOFI] == "sent"
    assert outcomes[LENA] == outcomes[OSCAR] == f"skipped: failed: {NOT_INSTALLED}"
    new_calls = emulator.calls(include_failed=True)[calls_before:]
    assert {c.team_id for c in new_calls} == {TEAM_A}
    assert _nudge_posts(emulator) == [TEAM_A, TEAM_A]
    by_team: dict[str, set[tuple[str, str | None]]] = {}
    for nudge in rows(oauth_services, Nudge):
        by_team.setdefault(nudge.team_id, set()).add((nudge.status, nudge.last_error))
    assert by_team[TEAM_B] == {("skipped", f"failed: {NOT_INSTALLED}")}
    # Harbor's data stays until a coordinator erases it.
    assert {r.team_id for r in rows(oauth_services, Relationship)} == {TEAM_A, TEAM_B}
    assert {p.slack_user_id for p in rows(oauth_services, Person) if p.team_id == TEAM_B} == {
        LENA,
        OSCAR,
    }

    # Harbor installs the app again: it is served again, with its data.
    install(oauth_app, emulator, TEAM_B)
    assert "Relationships" in actor(harbor, emulator, LENA).command("/mentoring", "me").text


def test_an_invitation_expiring_after_an_uninstall_sends_nothing_there(
    two_workspaces, emulator, oauth_services, clock
):
    larkspur, harbor = two_workspaces
    volunteer(actor(harbor, emulator, LENA), roles=["coach"], topics=SQL_TOPICS)
    volunteer(actor(larkspur, emulator, DOT), roles=["coach"], topics=SQL_TOPICS)
    for driver, learner, guide, manager in (
        (harbor, OSCAR, LENA, PETRA),
        (larkspur, KOFI, DOT, PRIYA),
    ):
        person = actor(driver, emulator, learner)
        view_id = ask_for(
            person, "/coach", need="Better SQL for reports", manager=manager, scope="specific_skill"
        )
        person.click_in_view(view_id, ask_action(choose(person, view_id, "coach"), guide))
        actor(driver, emulator, guide).latest_message_with(ids.INVITE_ACCEPT)

    assert harbor.event({"type": "app_uninstalled"}).status == 200
    wait_for(lambda: bot_token(oauth_services, TEAM_B) is None, what="the token to be deleted")
    calls_before = len(emulator.calls(include_failed=True))
    clock.current += timedelta(days=30)
    client = clients_for(oauth_services.settings, oauth_services.database, outbox=False)

    assert expire_invitations(client, oauth_services) == 2
    new_calls = emulator.calls(include_failed=True)[calls_before:]
    assert new_calls and {c.team_id for c in new_calls} == {TEAM_A}
    assert any("didn't answer in time" in s.text for s in emulator.seen(KOFI))
    assert not any("didn't answer in time" in s.text for s in emulator.seen(OSCAR))
    assert {(i.team_id, i.status) for i in rows(oauth_services, Invitation)} == {
        (TEAM_A, "expired"),
        (TEAM_B, "expired"),
    }


def test_revoking_the_bot_token_removes_the_installation(two_workspaces, oauth_services):
    _, harbor = two_workspaces
    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [PETRA], "bot": ["U0HARBORBOT"]}}
    assert harbor.event(revoked).status == 200
    wait_for(lambda: bot_token(oauth_services, TEAM_B) is None, what="the token to be deleted")
    store = installation_store(oauth_services.settings, oauth_services.database)
    assert store.find_installation(enterprise_id=None, team_id=TEAM_B) is None
    assert bot_token(oauth_services, TEAM_A) is not None


# -- Slack's retries, per workspace ---------------------------------------------------------


def test_the_same_event_id_from_two_workspaces_is_two_events(
    two_workspaces, emulator, oauth_services
):
    larkspur, harbor = two_workspaces
    opened = {"type": "app_home_opened", "tab": "home", "event_ts": "1.2"}
    first = larkspur.event({**opened, "user": AMARA, "channel": "D0AMARA01"}, event_id="Ev0SAME01")
    other = harbor.event({**opened, "user": LENA, "channel": "D0HBLENA01"}, event_id="Ev0SAME01")
    assert first.status == other.status == 200
    wait_for(lambda: emulator.home(AMARA), what="Amara's home tab")
    wait_for(lambda: emulator.home(LENA), what="Lena's home tab")

    retry = larkspur.event(
        {**opened, "user": AMARA, "channel": "D0AMARA01"}, event_id="Ev0SAME01", retry_num=1
    )
    assert retry.status == 200
    time.sleep(0.3)
    published = emulator.calls("views.publish")
    assert sorted(c.team_id or "" for c in published) == sorted([TEAM_A, TEAM_B])
    receipts = {(r.team_id, r.event_id) for r in rows(oauth_services, SlackEventReceipt)}
    assert receipts == {(TEAM_A, "Ev0SAME01"), (TEAM_B, "Ev0SAME01")}
