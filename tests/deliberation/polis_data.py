"""Loaders shared by the deliberation tests: real Polis data lives in ../shared/data/polis."""
from __future__ import annotations

import json
from pathlib import Path

POLIS_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "polis"
FIXTURES = ["below-100-ptpts", "25ptpt-3gp-no-strict-with-meta", "150ptpt-3gp-no-strict-no-meta"]
OPENDATA = ["brexit-consensus", "vtaiwan.uberx", "american-assembly.bowling-green"]


def fixture_dir(name: str) -> Path:
    return POLIS_DATA / "reddwarf-fixtures" / name


def gold_math(name: str) -> dict:
    return json.loads((fixture_dir(name) / "math-pca2.json").read_text(encoding="utf-8"))

