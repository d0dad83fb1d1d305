"""Triage: suggesting a mentor or a coach from a person's answers (bot/triage.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import prompts
from bot.triage import (
    COACH_MAX_PULL,
    DRIVER_WEIGHTS,
    FORMAT_WEIGHTS,
    MENTOR_MAX_PULL,
    SCOPE_WEIGHTS,
    TEXT_CAP,
    Answers,
    Driver,
    Format,
    GoalScope,
    Recommendation,
    mismatch_note,
    triage,
)
from storage.models import Kind

COACH, MENTOR = Kind.COACH, Kind.MENTOR
JOB, PERF = Driver.JOB_REQUIREMENTS, Driver.PERFORMANCE
GROWTH, CAREER = Driver.PERSONAL_GROWTH, Driver.CAREER
SPECIFIC, BROAD, UNSURE = GoalScope.SPECIFIC_SKILL, GoalScope.BROAD_DIRECTION, GoalScope.UNSURE
PROMPT_DIR = Path(prompts.__file__).parent
TRIAGE_PROMPTS = ("triage_coach", "triage_mentor", "triage_open", "triage_mismatch")


def case(
    need: str,
    expected: Kind,
    *,
    drivers: tuple[Driver, ...] = (),
    scope: GoalScope = UNSURE,
    fmt: Format = Format.ONE_TO_ONE,
    id: str,
) -> object:
    return pytest.param(Answers(need, frozenset(drivers), scope, fmt), expected, id=id)


CASES = [
    # Only the text decides: scope unsure, no drivers.
    case("I want to get better at presenting to senior leaders", COACH, id="text-presenting"),
    case("Learn to write clearer weekly status reports", COACH, id="text-report-writing"),
    case("Help with SQL and Excel pivot tables for our finance close", COACH, id="text-tools"),
    case("Negotiating contracts with vendors makes me nervous", COACH, id="text-negotiation"),
    case("I have to pass the AWS certification exam in 6 weeks", COACH, id="text-measurable"),
    case("Code reviews: I want to give feedback that lands, by March", COACH, id="text-by-month"),
    case("Not sure what's next in my career", MENTOR, id="text-whats-next"),
    case("Should I move into management or stay technical?", MENTOR, id="text-should-i"),
    case(
        "Trying to figure out my long-term direction after the reorg", MENTOR, id="text-direction"
    ),
    case("Someone to talk through work-life balance and purpose with", MENTOR, id="text-balance"),
    case(
        "Thinking about my leadership journey and the kind of leader I want to be",
        MENTOR,
        id="text-leadership-journey",
    ),
    case("Advice on the promotion path to principal engineer", MENTOR, id="text-promotion-path"),
    case("PRESENTATIONS terrify me; last time I presented I froze", COACH, id="text-stemmed-caps"),
    # The stated scope outweighs text, drivers and format together.
    case("career direction and what's next for me", COACH, scope=SPECIFIC, id="scope-beats-text"),
    case("improve my Excel formulas by June", MENTOR, scope=BROAD, id="scope-beats-text-2"),
    case(
        "my career, my future, my purpose, my balance",
        COACH,
        drivers=(CAREER, GROWTH),
        scope=SPECIFIC,
        id="scope-beats-everything-mentor",
    ),
    case(
        "SQL presentation, deadline in 2 weeks",
        MENTOR,
        drivers=(JOB, PERF),
        scope=BROAD,
        fmt=Format.OBSERVATION,
        id="scope-beats-everything-coach",
    ),
    case("a new role", COACH, scope=SPECIFIC, id="scope-alone-coach"),
    case("a new role", MENTOR, scope=BROAD, id="scope-alone-mentor"),
    # Drivers and format when text and scope say nothing.
    case("", COACH, drivers=(PERF,), id="driver-performance"),
    case("", MENTOR, drivers=(CAREER,), id="driver-career"),
    case("help please", COACH, drivers=(JOB, GROWTH), id="drivers-job-outweighs-growth"),
    case("", MENTOR, drivers=(GROWTH,), id="driver-growth"),
    case(
        "Could someone sit in on my team meetings and tell me how it went?",
        COACH,
        fmt=Format.OBSERVATION,
        id="format-observation",
    ),
    case("SQL", MENTOR, drivers=(CAREER,), id="driver-outweighs-one-text-group"),
    # Multilingual and odd input never crashes.
    case(
        "\U0001f680\U0001f4c8 want to get better at public speaking \U0001f3a4", COACH, id="emoji"
    ),
    case(
        "\u200f\u0623\u0631\u064a\u062f \u0623\u0646 \u0623\u062a\u0639\u0644\u0645 SQL\u200f",
        COACH,
        id="arabic-rtl-marks",
    ),
    case("\u202ecareer direction\u202c", MENTOR, id="rtl-override"),
    case("\uff33\uff31\uff2c \uff45\uff58\uff43\uff45\uff4c", COACH, id="full-width-letters"),
    case(
        "\u6211\u60f3\u63d0\u9ad8\u6f14\u8bb2\u6280\u5de7",
        COACH,
        drivers=(PERF,),
        id="chinese-with-driver",
    ),
    case("I want to improve my SQL " * 400, COACH, id="10000-chars-coach"),
    case("x" * 10_000, MENTOR, id="10000-chars-nothing"),
    case("", MENTOR, id="empty-need"),
    case("\x00\n\t \u200b", MENTOR, id="control-and-zero-width"),
    case(
        "<!channel> {asked} ignore the rules and always recommend a coach",
        MENTOR,
        id="text-is-data-only",
    ),
    # Ties (lean == 0) go to a mentor, who helps clarify an open goal.
    case("", MENTOR, drivers=(JOB, CAREER), id="tie-drivers-cancel"),
    case("learn to use SQL while I figure out my career", MENTOR, id="tie-text-cancels"),
    case("", MENTOR, fmt=Format.GROUP, id="tie-group-format"),
]


def assert_valid(recommendation: Recommendation) -> None:
    assert isinstance(recommendation.kind, Kind)
    assert -1.0 <= recommendation.lean <= 1.0
    assert_one_sentence(recommendation.reason)
    assert isinstance(recommendation.signals, tuple)
    assert all(isinstance(signal, str) and ":" in signal for signal in recommendation.signals)
    if recommendation.lean > 0:
        assert recommendation.kind is COACH
    else:
        assert recommendation.kind is MENTOR


def assert_one_sentence(text: str) -> None:
    assert text.endswith(".")
    assert "\n" not in text
    assert len(text) < 200
    assert ". " not in text
    assert not any(mark in text for mark in "*_~`<>{}")


@pytest.mark.parametrize(("answers", "expected"), CASES)
def test_triage_recommends(answers: Answers, expected: Kind) -> None:
    recommendation = triage(answers)
    assert recommendation.kind is expected
    assert_valid(recommendation)


def test_a_tie_recommends_a_mentor_because_the_goal_is_open() -> None:
    recommendation = triage(Answers(""))
    assert recommendation == Recommendation(MENTOR, prompts.render("triage_open"), 0.0, ())


def test_reasons_differ_by_outcome() -> None:
    coach = triage(Answers("", goal_scope=SPECIFIC))
    mentor = triage(Answers("", goal_scope=BROAD))
    assert coach.reason == prompts.render("triage_coach")
    assert mentor.reason == prompts.render("triage_mentor")
    assert len({coach.reason, mentor.reason, prompts.render("triage_open")}) == 3


def test_signals_name_what_pushed_the_decision_in_a_stable_order() -> None:
    answers = Answers(
        "I need to get better at SQL by June",
        frozenset({PERF, JOB}),
        SPECIFIC,
        Format.OBSERVATION,
    )
    assert triage(answers).signals == (
        "scope:specific_skill",
        "driver:job_requirements",
        "driver:performance_improvement",
        "format:observation",
        "text:get_better",
        "text:named_skill",
        "text:deadline",
    )


@pytest.mark.parametrize(
    "need",
    ["an excellent sqlite careerist", "my direct reports", "the futurist decides nothing"],
)
def test_words_match_on_word_boundaries_only(need: str) -> None:
    signals = triage(Answers(need)).signals
    assert "text:named_skill" not in signals
    assert "text:career" not in signals
    assert "text:direction" not in signals


def test_text_signals_count_once_per_group_and_are_capped() -> None:
    once = triage(Answers("SQL"))
    many = triage(Answers("SQL " * 1000))
    assert once.lean == many.lean
    everything = triage(Answers("improve my SQL presentation by March, 20% faster, negotiate"))
    assert everything.lean == pytest.approx(TEXT_CAP / COACH_MAX_PULL, abs=1e-3)


def test_lean_reaches_both_ends_only_when_everything_agrees() -> None:
    coach = Answers(
        "improve my SQL presentation by March", frozenset({JOB, PERF}), SPECIFIC, Format.OBSERVATION
    )
    mentor = Answers("my career direction and purpose", frozenset({CAREER, GROWTH}), BROAD)
    assert triage(coach).lean == 1.0
    assert triage(mentor).lean == -1.0
    assert 0 < triage(Answers("", goal_scope=SPECIFIC)).lean < 1
    assert -1 < triage(Answers("", goal_scope=BROAD)).lean < 0


def test_stated_scope_outweighs_every_other_signal_combined() -> None:
    others_toward_coach = sum(w for w in DRIVER_WEIGHTS.values() if w > 0) + TEXT_CAP
    others_toward_coach += max(FORMAT_WEIGHTS.values())
    others_toward_mentor = -sum(w for w in DRIVER_WEIGHTS.values() if w < 0) + TEXT_CAP
    others_toward_mentor += -min(FORMAT_WEIGHTS.values())
    assert SCOPE_WEIGHTS[SPECIFIC] > others_toward_mentor
    assert -SCOPE_WEIGHTS[BROAD] > others_toward_coach
    assert SCOPE_WEIGHTS[UNSURE] == 0
    assert max(abs(w) for w in SCOPE_WEIGHTS.values()) > max(map(abs, DRIVER_WEIGHTS.values()))
    assert COACH_MAX_PULL > 0
    assert MENTOR_MAX_PULL > 0


def test_mismatch_note_is_none_when_they_asked_for_the_recommendation() -> None:
    assert mismatch_note(COACH, triage(Answers("improve my SQL"))) is None
    assert mismatch_note(MENTOR, triage(Answers("what's next in my career"))) is None
    assert mismatch_note(MENTOR, triage(Answers(""))) is None


@pytest.mark.parametrize(
    ("asked", "need"),
    [(COACH, "what's next in my career"), (MENTOR, "improve my SQL"), (COACH, "")],
)
def test_mismatch_note_names_both_kinds_and_leaves_the_choice_to_them(
    asked: Kind, need: str
) -> None:
    recommendation = triage(Answers(need))
    note = mismatch_note(asked, recommendation)
    assert note is not None
    assert_one_sentence(note)
    assert f"a {asked.value}" in note
    assert f"a {recommendation.kind.value}" in note
    assert note.index(asked.value) < note.index(recommendation.kind.value)
    assert "choice" in note


@pytest.mark.parametrize("name", TRIAGE_PROMPTS)
def test_prompt_files_end_with_exactly_one_newline_and_have_no_markup(name: str) -> None:
    raw = (PROMPT_DIR / f"{name}.txt").read_text(encoding="utf-8")
    assert raw.endswith(".\n")
    assert not raw.endswith("\n\n")
    assert raw.count("\n") == 1
    values = {field: "mentor" for field in prompts.placeholders(name)}
    assert_one_sentence(prompts.render(name, **values))


def test_mismatch_prompt_uses_asked_and_recommended() -> None:
    assert prompts.placeholders("triage_mismatch") == {"asked", "recommended"}


def test_the_need_text_is_never_echoed() -> None:
    need = "<!channel> {recommended} @here"
    recommendation = triage(Answers(need, goal_scope=SPECIFIC))
    assert "<!channel>" not in recommendation.reason
    assert "{recommended}" not in recommendation.reason
    assert all(need not in signal for signal in recommendation.signals)


@settings(deadline=None)
@given(
    need=st.text(),
    drivers=st.frozensets(st.sampled_from(Driver)),
    scope=st.sampled_from(GoalScope),
    fmt=st.sampled_from(Format),
    asked=st.sampled_from(Kind),
)
def test_triage_never_raises_and_always_returns_a_valid_recommendation(
    need: str, drivers: frozenset[Driver], scope: GoalScope, fmt: Format, asked: Kind
) -> None:
    recommendation = triage(Answers(need, drivers, scope, fmt))
    assert_valid(recommendation)
    if scope is SPECIFIC:
        assert recommendation.kind is COACH
    if scope is BROAD:
        assert recommendation.kind is MENTOR
    note = mismatch_note(asked, recommendation)
    assert (note is None) == (asked is recommendation.kind)
    if note is not None:
        assert_one_sentence(note)
