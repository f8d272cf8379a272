# make run   : install, migrate, seed the demo and serve on http://127.0.0.1:5000
# make test  : install with dev extras (+ Debian chromium for browser tests, postgresql), run pytest
#              on SQLite, then the database tests again on a throwaway PostgreSQL cluster
# make bench : benchmarks against pabutools and red-dwarf (prints our time, theirs, ratio)
# make mutate: mutation testing of the promise-holding modules (mutmut; not part of `make test`;
#              config in pyproject.toml [tool.mutmut]; results in bench/RESULTS-mutation.md)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := app:create_app
# Small BLAS calls are 50-100x slower and erratic with 2 threads on a 2-core box (docs/ecosystem.md §2).
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export NUMBA_NUM_THREADS := 1

.PHONY: run test test-sqlite test-postgresql postgresql-deps bench mutate lint install install-dev system-deps translations translations-update clean

# Debian ships `venv` in a separate package (python3-venv); install it when we can.
$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { rm -rf $(VENV); \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null \
	            && $(PYTHON) -m venv $(VENV); \
	    else echo "error: '$(PYTHON) -m venv' failed; install python3-venv (Debian) and retry" >&2; exit 1; fi; }
	$(BIN)/pip install -q uv || true

# Install with uv (about 10x faster), fall back to pip when uv is unavailable.
# editable_mode=compat: the editable install is a plain .pth line holding the project folder.
# setuptools' default (an import hook, __editable___*_finder, loaded by `site` at every start)
# costs ~11 ms of each `python` process, a tenth of `python -m pb outcome` on a large file.
EDITABLE := editable_mode=compat
define install_extras
	@if [ -x $(BIN)/uv ]; then \
	    $(BIN)/uv pip install -q --python $(BIN)/python -C $(EDITABLE) -e ".$(1)"; \
	else \
	    $(BIN)/pip install -q --config-settings $(EDITABLE) -e ".$(1)"; \
	fi
endef

# The runtime install includes the PostgreSQL driver, so DATABASE_URL=postgresql+psycopg://... works.
# Makefile too: a change of how we install (e.g. EDITABLE) reaches existing venvs.
$(VENV)/.installed: pyproject.toml Makefile | $(BIN)/python
	$(call install_extras,[postgres])
	touch $@

$(VENV)/.installed-dev: pyproject.toml Makefile | $(BIN)/python
	$(call install_extras,[dev])
	touch $(VENV)/.installed $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: | $(BIN)/python
	$(BIN)/pybabel compile -f -d translations

# After adding or changing user-facing strings: extract them all, merge into every catalogue,
# then translate the new empty msgstr entries in translations/*/LC_MESSAGES/messages.po.
translations-update: | $(BIN)/python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --project=civic-platform \
	    --ignore-dirs=".* _* .venv bench build migrations mutants tests translations" \
	    -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

# Browser tests drive Debian's chromium (Playwright cannot download its own browser here), with
# CJK and emoji fonts so zh-Hant pages and user content render as characters, not boxes
# (tests/browser/test_locale_and_scripts.py fails on tofu).
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	            || echo "warning: could not install chromium; browser tests will be skipped"; \
	    else echo "warning: chromium missing and apt-get unavailable; browser tests will be skipped"; fi; \
	fi
	@if ! fc-list :lang=zh-tw 2>/dev/null | grep -q . || ! fc-list 2>/dev/null | grep -qi "color emoji"; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-noto-color-emoji >/dev/null) \
	            || echo "warning: could not install fonts-noto-cjk/fonts-noto-color-emoji; CJK and emoji render as boxes"; \
	    else echo "warning: fonts-noto-cjk or fonts-noto-color-emoji missing and apt-get unavailable"; fi; \
	fi

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo
	@echo "Emails (confirmation, password reset) wait in the outbox: run"
	@echo "  $(BIN)/flask mail send     in another terminal to print them (SMTP if MAIL_SERVER is set)."
	@echo "The conversations worker runs beside the server (recomputes opinion groups as votes arrive)."
	$(BIN)/flask conversations worker --interval 10 & $(BIN)/flask run --host 127.0.0.1 --port 5000

# The PostgreSQL half (tests/database.py): initdb/pg_ctl from Debian's `postgresql`, which puts
# them in /usr/lib/postgresql/<major>/bin; the cluster lives in a temp folder, never the system one.
postgresql-deps:
	@if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	            || echo "warning: could not install postgresql; the PostgreSQL half will be skipped"; \
	    else echo "warning: postgresql missing and apt-get unavailable; the PostgreSQL half will be skipped"; fi; \
	fi

# Every test on SQLite, then every test that reaches the database on PostgreSQL (tests pinned to
# one database and browser tests run once). Either half alone: make test-sqlite / test-postgresql.
test: install-dev system-deps postgresql-deps
	$(BIN)/python -m pytest
	CIVIC_TEST_DATABASE=postgresql $(BIN)/python -m pytest

test-sqlite: install-dev system-deps
	$(BIN)/python -m pytest

test-postgresql: install-dev postgresql-deps
	CIVIC_TEST_DATABASE=postgresql $(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python bench/pb_vs_pabutools.py
	$(BIN)/python bench/polis_vs_reddwarf.py
	$(BIN)/python bench/whole_process.py

# Niced and at most 2 workers: the box is shared. mutmut keeps its results in mutants/ and
# re-runs only what changed; `rm -rf mutants` for a clean run. A subset by name, e.g.
#   make mutate MUTANTS='petitions.thresholds* petitions.lifecycle*'
#   make mutate MUTANTS='pb.ballots* pb.phases* pb.voting* deliberation.phases* deliberation.service*'
# The run loads tests/mutation_plugin.py (cheap scrypt, SQLite without fsync; not in make test).
# It prints its wall and CPU time at the end; mutants/mutmut-cost.tsv holds each mutant's CPU
# (bench/mutation_cost.py). Each run starts from an empty mutants/: mutmut never re-copies a
# file already there, so an old copy of a changed test would be run instead of the new one.
MUTANTS ?=
mutate: install-dev translations
	rm -rf mutants
	$(BIN)/python bench/mutation_timed.py nice -n 10 $(BIN)/mutmut run --max-children 2 $(MUTANTS)
	$(BIN)/mutmut results

lint: install-dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) build *.egg-info
