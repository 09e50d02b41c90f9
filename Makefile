# SM Fusion — developer and user entry points. `make demo` and `make test` install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY        := /usr/bin/python3
VENV      := .venv
VPY       := $(VENV)/bin/python
SUDO      := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
APT_PKGS  := qgis python3-qgis qgis-providers gdal-bin python3-gdal python3-numpy python3-scipy python3-xarray python3-netcdf4 \
             python3-venv python3-pip python3-matplotlib qttools5-dev-tools
PLUGINS   := $(CURDIR)/build/plugins
QGIS_PROFILE := $(CURDIR)/build/qgis-profile
QGIS_ENV  := QT_QPA_PLATFORM=offscreen QGIS_PLUGINPATH=$(PLUGINS) QGIS_CUSTOM_CONFIG_PATH=$(QGIS_PROFILE)
QGIS_PROCESS := /usr/bin/qgis_process.bin
DEMO_DIR  ?= $(CURDIR)/build/demo
DEMO_ARGS ?= WIDTH=200 HEIGHT=200 START=2021-04-01 DAYS=183 SEED=42 STATIONS=40

.PHONY: help setup apt venv deps link test test-fast setup-qgis340 test-qgis340 test-qgis344 demo-qgis340 bench bench-qgis340 train-cnn model \
        pins fuzz zip help-pages translations lint clean

help:
	@echo "make demo   install what is missing, then write the demo region and run the whole pipeline on it"
	@echo "make test   install what is missing, then run every test headless"
	@echo "make test-fast  the edit loop: the tests without demo regions, qgis_process or pip (under a minute)"
	@echo "make test-qgis340  the same in a cached Debian 13 root with QGIS 3.40 (test-qgis344: Debian unstable, 3.44)"
	@echo "make pins  rewrite the hashes of the pinned package sets (requirements/)"
	@echo "make fuzz  the reader fuzz suite for 10 min (FUZZ_SECONDS=…, FUZZ_SEED=… to replay)"
	@echo "make bench  print the benchmark figures"
	@echo "make train-cnn  pretrain the calibration CNNs (installs PyTorch CPU into .venv) -> models/*.onnx"
	@echo "make model rebuild the graphical model processing_provider/pipeline_model.model3"
	@echo "make zip    build dist/smfusion.zip for 'Install from ZIP'"
	@echo "make help-pages  write the tools' help pages (help/) from the README's tool sections"
	@echo "make translations  update i18n/*.ts from the code's strings and compile them to .qm"
	@echo "make lint   ruff"

setup: apt venv deps link

apt:
	@missing=$$(for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "setup: installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

# The test venv sees the system site-packages (QGIS, GDAL, numpy 1.24): numpy is pinned to that version.
venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt
	@test -x $(VPY) || $(PY) -m venv --system-site-packages $(VENV)
	@echo "numpy==$$($(PY) -c 'import numpy; print(numpy.__version__)')" > $(VENV)/constraints.txt
	$(VPY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt -c $(VENV)/constraints.txt
	@touch $@

# Runtime packages: the pinned set of this Python and numpy (requirements/), installed by the plugin's own
# installer where QGIS looks for them (~/.local/share/smfusion/packages/<set>, or $$SMFUSION_DEPS_DIR).
deps:
	@$(PY) plugin/dependencies.py --install

link:
	@mkdir -p $(PLUGINS) $(QGIS_PROFILE)
	@[ -L $(PLUGINS)/smfusion ] || ln -sfn $(CURDIR) $(PLUGINS)/smfusion

# The test files are shared out to one pytest-xdist worker per core (at most TEST_WORKERS), each file's tests in one
# worker (its module fixtures are built once); TEST_WORKERS=0 runs them in this process, one after the other.
TEST_WORKERS ?= 4
test: setup
	QT_QPA_PLATFORM=offscreen $(VPY) -m pytest -q $(if $(filter 0,$(TEST_WORKERS)),,-n auto --maxprocesses $(TEST_WORKERS) --dist loadfile) tests

# the edit loop (under a minute): the engine and provider tests without demo regions, qgis_process or pip
test-fast: setup
	QT_QPA_PLATFORM=offscreen $(VPY) -m pytest -q -m "not slow" tests

demo: setup
	@$(QGIS_ENV) $(QGIS_PROCESS) plugins enable smfusion >/dev/null 2>&1 || true   # exits 1 if already on
	$(QGIS_ENV) $(QGIS_PROCESS) run smfusion:demodata -- OUTPUT=$(DEMO_DIR) $(DEMO_ARGS)
	$(QGIS_ENV) $(QGIS_PROCESS) run smfusion:pipeline -- FINE=$(DEMO_DIR)/fine COARSE=$(DEMO_DIR)/coarse \
	    SSM=$(DEMO_DIR)/gleam/ssm RZSM=$(DEMO_DIR)/gleam/rzsm STATIC=$(DEMO_DIR)/static \
	    STATIONS=$(DEMO_DIR)/stations/stations.gpkg HOLDOUT=0.25 SEED=0 TRUTH=$(DEMO_DIR)/truth \
	    OUTPUT=$(DEMO_DIR)/run \
	    2>&1 | sed -n '/^Held-out stations/,/^Report:/p'
	@echo
	@echo "Demo region: $(DEMO_DIR) (inputs fine/ coarse/ gleam/ static/, stations/, truth/, demo.json)"
	@echo "Pipeline outputs: $(DEMO_DIR)/run (fused/ downscaled/ calibrated/ models/ metrics.csv metrics.gpkg run.json)"
	@echo "Report: $(DEMO_DIR)/run/report.html"

bench: setup
	$(VPY) bench/run.py

# Other QGIS versions: a Debian root (debootstrap, Debian's packages) cached outside the checkout, the
# checkout copied in, and the same make target run there with chroot (scripts/debian_root.sh).
ROOTS     ?= /var/cache/smfusion/roots
IN_ROOT   := scripts/debian_root.sh
define in_root
	$(SUDO) bash $(IN_ROOT) build $(1) $(ROOTS)/$(1)
	$(SUDO) bash $(IN_ROOT) run $(ROOTS)/$(1) $(CURDIR) -- make $(2)
endef

setup-qgis340:
	$(call in_root,trixie,setup)
test-qgis340:
	$(call in_root,trixie,test)
test-qgis344:
	$(call in_root,sid,test)
demo-qgis340:
	$(call in_root,trixie,demo)
bench-qgis340:
	$(call in_root,trixie,bench)

pins:
	$(PY) scripts/pin_sets.py

# The reader fuzz suite for longer than make test's 60 s (FUZZ_SECONDS, FUZZ_SEED to replay a failure)
FUZZ_SECONDS ?= 600
fuzz: setup
	SMFUSION_FUZZ_SECONDS=$(FUZZ_SECONDS) $(if $(FUZZ_SEED),SMFUSION_FUZZ_SEED=$(FUZZ_SEED)) QT_QPA_PLATFORM=offscreen \
	    $(VPY) -m pytest -q -s tests/test_fuzz.py

# The graphical model smfusion:pipeline_model, rebuilt from the tools' parameters
model: setup
	QT_QPA_PLATFORM=offscreen $(PY) scripts/make_model.py

# PyTorch is only for training: the CPU wheel torch==2.13.0 lies on this machine's disk; numpy stays pinned.
train-cnn: setup
	$(VPY) -c "import torch" 2>/dev/null || $(VPY) -m pip install -q --disable-pip-version-check torch==2.13.0 \
	    -c $(VENV)/constraints.txt
	$(VPY) models/train_cnn.py --layer ssm --out models/cnn_ssm.onnx --seed 0
	$(VPY) models/train_cnn.py --layer rzsm --out models/cnn_rzsm.onnx --seed 0
	$(VPY) models/train_cnn.py --layer ssm --out models/cnn_ssm_any.onnx --seed 0 --kind any
	$(VPY) models/train_cnn.py --layer rzsm --out models/cnn_rzsm_any.onnx --seed 0 --kind any

zip:
	@$(PY) scripts/make_zip.py dist/smfusion.zip

# the translations: i18n/smfusion_<lang>.ts updated from the code's strings, then compiled to .qm (shipped)
translations: venv link
	QT_QPA_PLATFORM=offscreen $(VPY) scripts/update_translations.py
	for ts in i18n/*.ts; do lrelease -silent "$$ts" -qm "$${ts%.ts}.qm"; done

# the tools' help pages (help/<name>.html, the tools' help links) from the README's tool sections
help-pages: venv link
	QT_QPA_PLATFORM=offscreen $(VPY) scripts/make_help.py

lint: apt venv
	$(VENV)/bin/ruff check .

clean:
	rm -rf build dist .pytest_cache ext-libs
