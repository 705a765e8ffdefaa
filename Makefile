# Two entry points: `make demo` (the main job) and `make test`.
# Both create .venv with Python 3.10 (NNabla 1.39 has no wheels for newer Pythons).
VENV := .venv
PYTHON := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WEIGHTS ?=
DEMO_OUT ?= results/demo

.PHONY: setup test demo bench clean-venv

setup: $(STAMP)

$(STAMP): requirements.txt
	@bash utils/make_venv.sh $(VENV) requirements.txt
	@touch $(STAMP)

test: $(STAMP)
	$(PYTHON) -m pytest -q tests

demo: $(STAMP)
	@if [ -z "$(WEIGHTS)" ]; then \
	  echo "make demo needs a weights file: make demo WEIGHTS=path/to/tecogan_model.h5"; exit 2; fi
	$(PYTHON) generate.py --model "$(WEIGHTS)" --input-dir-lr data/calendar_lr --output-dir $(DEMO_OUT) --output-video $(DEMO_OUT)/calendar_x4.mp4

bench: $(STAMP)
	$(PYTHON) benchmarks/bench_generate.py

clean-venv:
	rm -rf $(VENV)
