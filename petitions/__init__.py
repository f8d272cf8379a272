"""Petitions: lifecycle state machine (pure), signatures, official responses."""
