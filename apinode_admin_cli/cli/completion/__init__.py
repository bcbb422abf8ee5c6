"""``completion``: the shell completion scripts."""
