"""A local Slack: the Web API emulator and the signed-request driver that plays the person.

Standard library only, so the demo and the tests run offline against the app's real clients.
"""

from bot.emulator.driver import DriverResponse, SlackDriver, find_action, input_values
from bot.emulator.limits import Violation, check_message, check_view
from bot.emulator.render import Seen, render_blocks, render_view
from bot.emulator.server import SlackEmulator, seed_users
from bot.emulator.state import RecordedCall

__all__ = [
    "DriverResponse",
    "RecordedCall",
    "Seen",
    "SlackDriver",
    "SlackEmulator",
    "Violation",
    "check_message",
    "check_view",
    "find_action",
    "input_values",
    "render_blocks",
    "render_view",
    "seed_users",
]
