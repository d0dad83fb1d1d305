"""`mentorbot sandbox`: the real app and the built-in Slack emulator behind a small web page on
localhost, so anyone can click through Mentorbot as the people of a fictional company, with no
Slack workspace, no tokens and no network."""
