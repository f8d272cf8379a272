"""Polis-style deliberation: opinion clustering math (pure), plus the web shell."""
