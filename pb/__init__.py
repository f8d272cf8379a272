"""Participatory budgeting: pabulib I/O and outcome rules (pure), plus the web shell."""
