"""`mentorbot demo` runs the whole scripted program against the emulator and says what it shows."""

from __future__ import annotations

import io

from bot.cli.demo import run_demo


def test_demo_shows_the_program():
    out = io.StringIO()
    assert run_demo(out=out) == 0
    transcript = out.getvalue()
    for expected in (
        "I don't know `frobnicate`",
        "I'd suggest a coach.",
        "I'd suggest a mentor.",
        "can't take this on right now",
        "said yes to being your coach",
        "said yes to being your mentor",
        "Waiting for a coach",
        "asked @Tomás Ferreira-Bly to take on @Leilani Parkhurst's request",
        "Agreement version 1 is active.",
        "Checkpoint coming up",
        "Saved: Checkpoint 1 on",
        "I didn't hear how *Checkpoint 1* went.",
        "Noted as *on track*",
        "A relationship may need support:* @Rafael Quintero-Moss, @Jonah Whitcombe",
        "I've posted the shout-out too.",
        "*Your recent reflections* (only you see these)",
        "wrote a report on your work together",
        "*Who sees what about you.*",
        "Never: the agreement's text and learning plan",
        "your record of this relationship to keep",
        "# Your coaching record",
        "It ended because the goals were met.",
        "*Received: your request is saved.*",
        "*A request has passed its service level:* @Elodie Ashgrove asked for a mentor.",
        "They asked @Rafael Quintero-Moss and are waiting for an answer",
        "An update on your request for a mentor: it is still open",
        "*An agreement is taking a while:* @Tomás Ferreira-Bly, @Leilani Parkhurst",
        "*Queue* (oldest first)",
        "• @Elodie Ashgrove (mentor), ",
        "*At risk* (lowest health first)",
        "Health: *",
        "*Active relationships:* 2",
        "mentoring-health.png",
        "30 pairing(s), 0 unmatched",
        "approved the cohort: 30 invitation(s) sent.",
        "*3 things in one message:* I keep my DMs to a few a week.",
        "Paused: I won't start any messages with you until",
        "While he was paused, 3 question(s) to Tomás were skipped.",
        "Messages from me in the last 7 days: 1 of at most 3. Paused until",
        "Welcome back: reminders and messages are on again.",
    ):
        assert expected in transcript, expected
    assert "0 refused" in transcript
    # Two clocks swept: the coordinators still got one post, and Elodie one DM.
    assert transcript.count("A request has passed its service level") == 1
    assert transcript.count("An update on your request for a mentor") == 1
    assert "health " in transcript.split("*At risk* (lowest health first)")[1][:400]
