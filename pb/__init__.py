"""Participatory budgeting: pabulib I/O and outcome rules (pure), plus the web shell.

Pure engine (no Flask, no SQLAlchemy; spec: docs/pb-rules.md):

- :mod:`pb.instance` — ``Instance``, ``Profile``, ``Ballot``, ``validate_ballot``
- :mod:`pb.pabulib` — ``read_pabulib``, ``parse_pabulib``, ``write_pabulib``
- :mod:`pb.rules` — ``RULES`` (greedy, mes, phragmen) returning one ``Outcome`` type
- ``python -m pb outcome FILE --rule ...`` / ``python -m pb info FILE``
"""
