# meshctl — every task a developer or CI runs. `make help` lists them.
SWIFT        ?= swift
PREFIX       ?= /usr/local
RELEASE_FLAGS = -c release --static-swift-stdlib
BIN_DIR       = $(shell $(SWIFT) build $(RELEASE_FLAGS) --show-bin-path 2>/dev/null)

.PHONY: help deps build release test examples install dist generate schemas check-generated lint format bench fuzz clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

deps: ## install the Debian packages the build needs (only the missing ones)
	@scripts/ensure-deps.sh

build: deps ## debug build
	$(SWIFT) build

release: deps ## release build, Swift runtime linked in (ships without the toolchain)
	$(SWIFT) build $(RELEASE_FLAGS) --product meshctl

test: ## the whole test suite (what the README and CI run)
	scripts/test.sh

examples: ## the main job on the bundled examples, offline
	scripts/examples.sh

install: release ## install meshctl, the kubectl plugin links, man pages and completions
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BIN_DIR)/meshctl $(DESTDIR)$(PREFIX)/bin/meshctl
	ln -sf meshctl $(DESTDIR)$(PREFIX)/bin/kubectl-mesh
	# kubectl (1.26+) runs kubectl_complete-mesh for `kubectl mesh <TAB>`; meshctl knows the name.
	ln -sf meshctl $(DESTDIR)$(PREFIX)/bin/kubectl_complete-mesh
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 0644 completions/meshctl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/meshctl
	install -m 0644 completions/_meshctl $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_meshctl
	install -m 0644 completions/meshctl.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/meshctl.fish

dist: release ## release archive in dist/ with its sha256, and the krew manifest plugins/mesh.yaml
	scripts/dist.sh $(BIN_DIR)/meshctl dist plugins/mesh.yaml

generate: build ## regenerate completions/ and man/ from the command tree
	scripts/generate.sh

schemas: ## regenerate Sources/MeshSchema/Generated from kubernetes-validate (PyPI) and ../shared/crds
	python3 scripts/generate-schemas.py

check-generated: build ## fail when completions/ or man/ are stale
	scripts/generate.sh --check

lint: ## check formatting with swift format
	$(SWIFT) format lint --strict --recursive Sources Tests

format: ## rewrite sources with swift format
	$(SWIFT) format --in-place --recursive Sources Tests

bench: release ## whole-process benchmarks with hyperfine (see bench/README.md)
	bench/run.sh
	bench/apply.sh

fuzz: deps ## run the libFuzzer targets for a longer campaign (FUZZ_SECONDS, default 60 each; FUZZ_JOBS=2 two at once; FUZZ_RUNS caps executions; FUZZ_MERGE=1 to minimise into Fuzz/corpus)
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) Fuzz/run.sh $(FUZZ_TARGETS)

clean:
	rm -rf .build Fuzz/.build bench/out
