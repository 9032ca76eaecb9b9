# The two set-up commands (see README): `make demo` composes, `make test` runs every check.
# Each bootstraps what it needs: Debian packages, a virtual environment, PyPI packages.
VENV      ?= .venv
PYTHON    ?= python3
BIN       := $(VENV)/bin
SUDO      := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PKGS  := libfluidsynth3 timgm6mb-soundfont

.PHONY: demo test setup system lint typecheck unit bench clean

demo: setup
	$(BIN)/cadenza compose "jazz 16 bars" --seed 7 --out out/demo

test: setup lint typecheck unit

setup: system $(VENV)/.installed

# Debian packages, installed only when missing.
system:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# torch is installed first and pinned, so pip never resolves a CUDA build from a bare requirement.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev,postgres]'
	touch $@

lint:
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy engine storage app bot cli

unit:
	$(BIN)/pytest

bench: setup
	$(BIN)/cadenza bench latency

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
