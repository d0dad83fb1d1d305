"""The scripted program `mentorbot demo` acts out, scene by scene, through the signed driver:
the running order (the scenes themselves live in scenes_matching, scenes_relationship and
scenes_console) and who each scene is shown for."""

from __future__ import annotations

from collections.abc import Callable

from bot.cli.program import ELODIE, JONAH, MARCUS, TOMAS
from bot.cli.scenes_console import (
    scene_budget,
    scene_coordinators_view,
    scene_health,
    scene_service_level,
)
from bot.cli.scenes_matching import (
    scene_coaching_need,
    scene_coordinators,
    scene_decline,
    scene_first_contact,
    scene_me,
    scene_mentoring_need,
    scene_pool,
)
from bot.cli.scenes_relationship import (
    scene_closing,
    scene_closing_record,
    scene_contract,
    scene_ledger,
    scene_month,
)
from bot.cli.stage import Stage

Scene = Callable[[Stage], None]


AUDIENCES = {
    "scene_coordinators_view": {MARCUS},
    "scene_service_level": {MARCUS, ELODIE},
    "scene_health": {MARCUS, JONAH},
    "scene_budget": {TOMAS},
}


SCENES: list[tuple[str, Scene]] = [
    ("First contact: the Home tab, help, and a typo", scene_first_contact),
    ("Volunteers join the pool", scene_pool),
    ("Kofi needs a coach: triage, a match, and an invitation", scene_coaching_need),
    ("Siobhan declines, so Kofi is offered the next person; Dot accepts", scene_decline),
    ("Kofi and Dot agree how they will work, and both confirm", scene_contract),
    ("Dot checks her Home tab: who can see what about her", scene_ledger),
    (
        "Jonah types /coach but needs a mentor; his own manager is never proposed",
        scene_mentoring_need,
    ),
    ("Nobody is free for Leilani: the coordinators assign by hand", scene_coordinators),
    ("Kofi looks at what he has going on", scene_me),
    (
        "A month in fast-forward: reminders, a reschedule, a missed checkpoint, an alert",
        scene_month,
    ),
    (
        "Kofi reflects, thanks Dot in public, checks his Home tab and closes; Dot reports",
        scene_closing,
    ),
    ("Kofi opens the closing record he keeps", scene_closing_record),
    (
        "Nobody answers Elodie within two working days: the coordinators and Elodie are told",
        scene_service_level,
    ),
    ("Health scores: the coordinators' status and Jonah's Home tab", scene_health),
    (
        "The coordinators' view: status, the health chart, and a cohort of 30 new hires",
        scene_coordinators_view,
    ),
    (
        "A busy week for Tomás: three reminders merged into one DM, then a pause",
        scene_budget,
    ),
]
