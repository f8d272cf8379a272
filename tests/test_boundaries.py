"""Pure cores import no Flask and no SQLAlchemy (ARCHITECTURE.md "Pure cores stay pure").

ruff's TID251 sees only direct imports; this imports each core in a fresh interpreter and looks
at sys.modules. The layering between packages is tests/test_architecture.py.
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_CORES = ["pb.instance", "pb.pabulib", "pb.rules", "pb.phases", "pb.ballots",
              "deliberation.pipeline", "deliberation.polis_io", "deliberation.phases",
              "petitions.lifecycle", "petitions.identity", "petitions.trending", "core.identity",
              "core.similarity", "core.states", "core.roles", "core.privacy"]
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug")


@pytest.mark.parametrize("module", PURE_CORES)
def test_pure_core_imports_no_web_or_database_code(module):
    probe = (f"import sys, {module}; "
             f"print(','.join(sorted(m for m in sys.modules "
             f"if m.split('.')[0] in {FORBIDDEN!r})))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=120,
                            env={"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1",
                                 "OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", f"{module} loaded {result.stdout.strip()}"


def test_the_probe_would_notice_flask():
    """Guard against a probe that cannot fail: importing app must show flask."""
    probe = "import sys, app; print('flask' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, env={"PYTHONPATH": str(ROOT),
                                                         "PATH": "/usr/bin:/bin"})
    assert result.stdout.strip() == "True", result.stderr
    assert importlib.util.find_spec("flask") is not None
