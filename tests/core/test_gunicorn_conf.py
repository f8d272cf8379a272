"""gunicorn.conf.py (read by gunicorn from the directory it starts in): before each worker is
forked, what the preloaded app allocated is frozen out of the workers' garbage collections."""
from __future__ import annotations

import gc
import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_objects_allocated_before_the_fork_are_frozen():
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        hooks["pre_fork"](server=None, worker=None)
        assert gc.get_freeze_count() > 1000  # the test run's own modules, at least
    finally:
        gc.unfreeze()
