"""Callback, block and action ids shared by the Block Kit builders and the listeners."""

from __future__ import annotations

# Request modal
REQUEST_FORM = "request_form"
REQUEST_NEED = "request_need"
REQUEST_DRIVERS = "request_drivers"
REQUEST_SCOPE = "request_scope"
REQUEST_FORMAT = "request_format"
REQUEST_TIME = "request_time"
REQUEST_MANAGER = "request_manager"
REQUEST_SUMMARY = "request_summary"
REQUEST_FIELDS = {
    "need": REQUEST_NEED,
    "drivers": REQUEST_DRIVERS,
    "goal_scope": REQUEST_SCOPE,
    "format": REQUEST_FORMAT,
    "time_commitment": REQUEST_TIME,
    "manager": REQUEST_MANAGER,
    "summary": REQUEST_SUMMARY,
}

# Request flow buttons
REQUEST_CHOOSE_COACH = "request_choose_coach"
REQUEST_CHOOSE_MENTOR = "request_choose_mentor"
REQUEST_ASK = "request_ask"
REQUEST_CANCEL = "request_cancel"
REQUEST_FLOW_VIEW = "request_flow"

# Invitations
INVITE_ACCEPT = "invite_accept"
INVITE_DECLINE = "invite_decline"
DECLINE_FORM = "invite_decline_form"
DECLINE_REASON = "invite_decline_reason"

# Coordinators
QUEUE_ASSIGN = "queue_assign"
ASSIGN_FORM = "assign_form"
ASSIGN_PERSON = "assign_person"

# Offer modal
OFFER_FORM = "offer_form"
OFFER_ROLES = "offer_roles"
OFFER_TOPICS = "offer_topics"
OFFER_STYLE = "offer_style"
OFFER_FORMATS = "offer_formats"
OFFER_CAPACITY = "offer_capacity"
OFFER_AVAILABILITY = "offer_availability"
OFFER_FIELDS = {
    "roles": OFFER_ROLES,
    "topics": OFFER_TOPICS,
    "style": OFFER_STYLE,
    "formats": OFFER_FORMATS,
    "capacity": OFFER_CAPACITY,
    "availability": OFFER_AVAILABILITY,
}

# Agreement
AGREEMENT_START = "agreement_start"
AGREEMENT_STEP = "agreement_step"
AGREEMENT_CONFIRM = "agreement_confirm"
AGREEMENT_EDIT = "agreement_edit"
AGREEMENT_CHOOSE_STEP = "agreement_choose_step"
AGREEMENT_STEP_PICK = "agreement_step_pick"

# Checkpoints
CHECKPOINT_MENU = "checkpoint_menu"
CHECKPOINT_ADD = "checkpoint_add"
CHECKPOINT_FORM = "checkpoint_form"
CHECKPOINT_DAY = "checkpoint_day"
CHECKPOINT_TITLE = "checkpoint_title"

# Nudges and assessments
NUDGE_DONE = "nudge_done"
NUDGE_RESCHEDULE = "nudge_reschedule"
NUDGE_SNOOZE = "nudge_snooze"
ASSESS_ON_TRACK = "assess_on_track"
ASSESS_BEHIND = "assess_behind"
ASSESS_BLOCKED = "assess_blocked"
ASSESS_NOTE = "assess_note"
ASSESS_NOTE_FORM = "assess_note_form"
ASSESS_NOTE_TEXT = "assess_note_text"

# Reflections
REFLECT_OPEN = "reflect_open"
REFLECT_FORM = "reflect_form"
REFLECT_RELATIONSHIP = "reflect_relationship"
REFLECT_LEARNED = "reflect_learned"
REFLECT_NEXT = "reflect_next"
REFLECT_USEFUL = "reflect_useful"
REFLECT_SHARING = "reflect_sharing"

# Appreciation, closure, reports, home
THANKS_OPEN = "thanks_open"
THANKS_FORM = "thanks_form"
THANKS_TO = "thanks_to"
THANKS_MESSAGE = "thanks_message"
THANKS_PUBLIC = "thanks_public"
END_FORM = "end_form"
END_RELATIONSHIP = "end_relationship"
END_REASON = "end_reason"
REPORT_OPEN = "report_open"
REPORT_FORM = "report_form"
REPORT_GOALS = "report_goals"
REPORT_PROGRESS = "report_progress"
REPORT_LEARNED = "report_learned"
REPORT_RECOMMENDATIONS = "report_recommendations"
REPORT_SHARE = "report_share"
HOME_ASK_MENTOR = "home_ask_mentor"
HOME_ASK_COACH = "home_ask_coach"

# Data rights
FORGET_FORM = "forget_form"
FORGET_CONFIRM = "forget_confirm"

# Pulse surveys
PULSE_RATE = "pulse_rate"
PULSE_SUGGEST = "pulse_suggest"
PULSE_FORM = "pulse_form"
PULSE_TEXT = "pulse_text"
COHORT_APPROVE = "cohort_approve"
COHORT_GROUPS_APPROVE = "cohort_groups_approve"
LEAVE_CONFIRM = "leave_confirm"
LEAVE_CANCEL = "leave_cancel"
