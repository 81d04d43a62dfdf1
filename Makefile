# The README's two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
WAREHOUSE := data/warehouse.duckdb
PORT ?= 8501

.PHONY: run test test-moved-clock install demo bench lint clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

$(WAREHOUSE): | $(STAMP)
	$(BIN)/sqd demo

demo: install
	$(BIN)/sqd demo

# localhost only unless accounts exist (docs/security.md); ADDRESS=... chooses (without accounts the dashboard then
# refuses to serve anything but a loopback address)
ADDRESS ?= $$($(BIN)/python -m pipelines.accounts --address)

run: install $(WAREHOUSE)
	$(BIN)/sqd status
	$(BIN)/streamlit run dashboard/app.py --server.port $(PORT) --server.address $(ADDRESS) --server.headless true --browser.gatherUsageStats false

# Two workers, each taking whole test files (module fixtures are built once; tests/shared_build.py builds the demo
# warehouses once per run). TEST_WORKERS=0 runs everything in this process (e.g. with pdb).
TEST_WORKERS ?= 2
PYTEST := $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

test: install
	$(PYTEST)

# The suite with the machine's wall clock years ahead (in-process, tests/conftest.py); every test pins its own
# "now", so none may notice. Browser tests run a separate server process the move does not reach: left out here.
# docs/architecture.md "Time: one clock".
MOVED_CLOCKS ?= 2027-01-01T00:30:00+08:00 2029-02-28T10:00:00+08:00
test-moved-clock: install
	for moment in $(MOVED_CLOCKS); do \
	  SQD_TEST_WALL_CLOCK="$$moment" $(PYTEST) -p no:cacheprovider -m "not browser" || exit 1; done

bench: install
	$(BIN)/python bench/ingest.py --tickets 1000000

clean:
	rm -rf $(VENV) $(WAREHOUSE) data/demo data/.sqd
