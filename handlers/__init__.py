"""Everything that knows Slack: the Bolt app factory, thin listeners and Block Kit builders."""
