"""The sandbox page in headless Chromium: a request, an acceptance, an agreement both confirm, a
week of time travel that brings a nudge, and the coordinator's status, clicked and typed as a
person would, with a screenshot after each step.

Needs Debian's chromium at /usr/bin/chromium (CI installs it). Without it the test is skipped,
unless MENTORBOT_REQUIRE_BROWSER=1, when it fails. Screenshots go to $MENTORBOT_SCREENSHOTS, else
to the test's tmp_path."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli.program import DOT, KOFI, MARCUS, PRIYA
from tests.sandbox.conftest import RunningSandbox

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 15_000
HOSTILE = "<img src=x onerror=alert(1)> & <b>tags</b>"

if not CHROMIUM.exists():
    if os.environ.get("MENTORBOT_REQUIRE_BROWSER") == "1":
        raise RuntimeError(
            f"MENTORBOT_REQUIRE_BROWSER=1 but {CHROMIUM} is missing: apt-get install chromium"
        )
    pytest.skip(
        f"{CHROMIUM} is missing (apt-get install chromium); set MENTORBOT_REQUIRE_BROWSER=1 "
        "to make this a failure",
        allow_module_level=True,
    )

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402

expect.set_options(timeout=WAIT_MS)


@pytest.fixture
def page(running_sandbox: RunningSandbox) -> Iterator[Page]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 860})
            opened = context.new_page()
            opened.set_default_timeout(WAIT_MS)
            errors: list[str] = []
            opened.on("pageerror", lambda error: errors.append(str(error)))
            opened.on("dialog", lambda dialog: dialog.accept())
            opened.goto(running_sandbox.url + "/")
            yield opened
            assert errors == [], errors
        finally:
            browser.close()


class Shots:
    def __init__(self, page: Page, folder: Path) -> None:
        self.page, self.folder, self.count = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)

    def take(self, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def shots(page: Page, tmp_path: Path) -> Shots:
    folder = os.environ.get("MENTORBOT_SCREENSHOTS")
    return Shots(page, Path(folder) if folder else tmp_path / "screenshots")


def settled(page: Page, timeout: float = WAIT_MS) -> None:
    """The page has sent what was done and shows the sandbox's answer."""
    expect(page.locator("body")).to_have_attribute("data-busy", "no", timeout=timeout)


def act_as(page: Page, user_id: str, greeting: str) -> None:
    settled(page)
    page.select_option("#person", user_id)
    expect(page.locator("#where")).to_have_text("Home")
    expect(page.locator("#feed")).to_contain_text(f"Hi {greeting}!")
    settled(page)


def open_conversation(page: Page, label: str) -> None:
    page.locator("#conversations .nav-item", has_text=label).first.click()
    expect(page.locator("#where")).to_contain_text(label)


def type_command(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")
    expect(page.locator("#message")).to_have_value("")
    settled(page)


def modal(page: Page, title: str) -> None:
    expect(page.locator("#modal")).to_be_visible()
    expect(page.locator("#modal-title")).to_have_text(title)


def close_modals(page: Page) -> None:
    """Press Close until no modal is left (a pushed view closes back to the one below)."""
    for _ in range(3):
        if not page.locator("#modal").is_visible():
            return
        page.locator("#modal-close").click()
        settled(page)
    expect(page.locator("#modal")).to_be_hidden()


def submit(page: Page) -> None:
    page.locator("#modal-submit").click()


def fill_step(page: Page, answers: dict[str, str], *, ticks: tuple[str, ...] = ()) -> None:
    """One step of the agreement: text and dates by label, choices by their option's label."""
    for label, value in answers.items():
        field = page.get_by_label(label, exact=True)
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    for label in ticks:
        page.get_by_label(label, exact=True).check()
    submit(page)
    settled(page)


def test_request_accept_agree_nudge_and_status(
    page: Page, shots: Shots, running_sandbox: RunningSandbox
) -> None:
    # Dot volunteers; a capacity out of range comes back as an error beside that field.
    act_as(page, DOT, "Dot")
    type_command(page, "/mentoring offer")
    modal(page, "Volunteer")
    page.get_by_label("Coach (specific skills)").check()
    page.get_by_label("What can you help with?").fill("SQL, data modelling, code review")
    page.get_by_label("How many people at once").fill("99")
    submit(page)
    field = page.locator(".block.input.has-error")
    expect(field).to_contain_text("Please enter a number of people from 1 to 10.")
    shots.take("offer-error")
    page.get_by_label("How many people at once").fill("2")
    submit(page)
    modal(page, "Thank you")
    expect(page.locator("#modal-body")).to_contain_text("You're in the pool as a coach")
    page.locator("#modal-close").click()
    expect(page.locator("#modal")).to_be_hidden()
    expect(page.locator("#person")).to_contain_text("Dorothea Vance · coach")

    # Kofi asks for a coach: the request form, triage, the candidates, and Dot is asked.
    act_as(page, KOFI, "Kofi")
    type_command(page, "/coach write faster SQL for the weekly reports")
    modal(page, "Find a coach")
    expect(page.get_by_label("What do you want to develop?")).to_have_value(
        "write faster SQL for the weekly reports"
    )
    # Like Slack, the page does not send a form while a required answer is missing.
    submit(page)
    missing = page.locator(".block.input.has-error .label-row")
    expect(missing).to_have_text(
        ["What kind of goal is it?", "How much time can you give?", "Who is your manager?"]
    )
    expect(page.locator(".block.input.has-error .field-error").first).to_have_text(
        "Please complete this required field."
    )
    page.get_by_label("A specific skill for my current role").check()
    page.get_by_label("How much time can you give?").select_option(index=1)
    page.get_by_label("Who is your manager?").select_option(PRIYA)
    shots.take("request-form")
    submit(page)
    expect(page.locator("#modal-body")).to_contain_text("I'd suggest a coach.")
    page.locator("#modal-body button", has_text="coach").first.click()
    ask_dot = page.locator("#modal-body button", has_text="Ask Dot")
    expect(ask_dot).to_be_visible()
    shots.take("candidates")
    ask_dot.click()
    expect(page.locator("#modal-body")).to_contain_text("Dorothea Vance")

    # Dot accepts the invitation in her DM.
    close_modals(page)
    act_as(page, DOT, "Dot")
    open_conversation(page, "Mentorbot")
    page.locator("#feed button", has_text="Accept").last.click()
    expect(page.locator("#feed")).to_contain_text("Kofi")
    shots.take("accepted")

    # Kofi fills in the agreement in their group conversation, step by step.
    act_as(page, KOFI, "Kofi")
    open_conversation(page, "Dorothea Vance and Mentorbot")
    page.locator("#feed button", has_text="Start our agreement").last.click()
    expect(page.locator("#modal")).to_be_visible()
    today = running_sandbox.sandbox.stage.services.now().date()
    fill_step(
        page,
        {
            "Goals, in your own words": "Write the weekly report queries without help",
            "What the development covers": "Joins, window functions, query plans",
        },
    )
    fill_step(page, {}, ticks=("Teacher: explains and shows how",))
    fill_step(page, {}, ticks=("That we meet",))
    expect(page.get_by_label("How often will you meet?")).to_be_visible()
    shots.take("agreement-time")
    fill_step(
        page,
        {
            "How often will you meet?": "Every week",
            "Review or end date": (today + timedelta(days=84)).isoformat(),
        },
        ticks=("At every session",),
    )
    fill_step(
        page,
        {
            "What the learner expects": "Come with a query to review",
            "What the mentor or coach expects": "Read it beforehand",
        },
    )
    fill_step(
        page,
        {
            "Goal 1": f"Weekly report in SQL {HOSTILE}",
            "Due date for goal 1": (today + timedelta(days=30)).isoformat(),
        },
    )
    expect(page.locator("#modal-body")).to_contain_text("Everything is filled in.")
    close_modals(page)
    confirm = page.locator("#feed button", has_text="I agree")
    expect(confirm.last).to_be_visible()
    # What people type is shown as text: markup in it is never made into elements.
    expect(page.locator("#feed")).to_contain_text(f"Weekly report in SQL {HOSTILE}")
    assert page.locator("#feed img, #feed b").count() == 0
    confirm.last.click()
    settled(page)
    shots.take("kofi-confirmed")

    # Dot confirms too: the agreement is active and its checkpoints are set.
    act_as(page, DOT, "Dot")
    open_conversation(page, "Kofi Adeyemi-Strand and Mentorbot")
    page.locator("#feed button", has_text="I agree").last.click()
    settled(page)
    expect(page.locator("#feed")).to_contain_text("Agreement version 1 is active.")
    shots.take("dot-confirmed")

    # A week goes by: the clock's sweeps send Kofi a reminder before his first checkpoint.
    act_as(page, KOFI, "Kofi")
    before = page.locator("#now").inner_text()
    page.locator("#plus-week").click()
    settled(page, timeout=60_000)
    expect(page.locator("#now")).not_to_have_text(before)
    open_conversation(page, "Mentorbot")
    expect(page.locator("#feed")).to_contain_text("Checkpoint coming up")
    expect(page.locator("#feed .mention").last).to_have_text("@Dorothea Vance")
    shots.take("nudge")

    # Marcus, a coordinator, asks for the program's status in the coordinators' channel.
    act_as(page, MARCUS, "Marcus")
    open_conversation(page, "#mentoring-coordinators")
    type_command(page, "/mentoring status")
    expect(page.locator("#feed")).to_contain_text("Active relationships: 1")
    shots.take("status")
