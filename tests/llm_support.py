"""What the LLM tests share: the fake model's timeout, its failing modes, and the private texts
that must never reach the model unless the workspace allows it."""

TIMEOUT = 0.5
BAD_MODES = ["hang", "error500", "malformed", "schema", "channel", "refusal"]
PRIVATE_NOTE = "PRIVATE-REFLECTION-5521 I froze when my manager asked about joins"
PRIVATE_TERM = "PRIVATE-AGREEMENT-7781 nothing about my team's reorganisation"
