# Watchpost (守望). `make run` and `make test` do all the set-up on Debian 12: they install
# the missing system packages first (apt-get as root, sudo otherwise).

SHELL := /bin/bash
GO ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN := bin/watchpost
ARGS ?=

# Build and run: C toolchain, OpenGL/X11 for the window (Fyne/GLFW), FFmpeg's decoders,
# OpenCV for analytics, ALSA for sound, a CJK font so that Chinese renders, and Chromium,
# which prints the PDFs (the residents' QR label sheets).
RUN_PKGS := gcc g++ pkg-config libgl1-mesa-dev xorg-dev libopencv-dev opencv-data \
	libavcodec-dev libavutil-dev libswscale-dev libasound2-dev fonts-noto-cjk chromium
# Tests also use: a virtual display, ffmpeg/ffprobe as independent RTSP clients, Mosquitto
# as an external broker, the sqlite3 shell, ImageMagick for screenshots, real footage, and
# the input method operators type Chinese with (fcitx5 and its pinyin engine, driven by
# xdotool in its own session bus), Chromium to drive the phone pages (chromedp), and
# poppler and ZBar to read printed PDFs back (their pages, text and QR codes).
TEST_PKGS := xvfb ffmpeg mosquitto mosquitto-clients sqlite3 imagemagick opencv-doc \
	fcitx5 fcitx5-chinese-addons xdotool dbus-x11 x11-utils chromium poppler-utils zbar-tools

.PHONY: all build run test security lint bench package screenshots deps deps-test clean help

all: build

help:
	@echo "make run          build and start the console (demo community on first start)"
	@echo "make test         the whole test suite"
	@echo "make lint         go vet, staticcheck and the import rule"
	@echo "make bench        benchmarks: our figures beside their peers' (fails if one fails or is skipped)"
	@echo "make package      a desktop package for this OS (fyne package)"
	@echo "make screenshots  screenshots of the real window under Xvfb into docs/"

# deps installs the Debian packages that are missing; elsewhere it says what to install.
deps:
	@$(call install,$(RUN_PKGS))

deps-test: deps
	@$(call install,$(TEST_PKGS))

define install
	missing=""; \
	if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then \
		echo "This is not Debian: install the equivalents of these packages, then run make again:"; \
		echo "  $(1)"; exit 1; \
	fi; \
	for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing missing packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then sudo=""; \
		elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
		else echo "Run as root or install sudo, or install these packages yourself:$$missing"; exit 1; fi; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) .

run: build
	./$(BIN) $(ARGS)

# The whole suite. UI tests use Fyne's test driver (no display); process tests start the
# real binary. Site keys go to key files in the tests' own folders, never into the keyring of
# whoever runs them.
test bench: export WATCHPOST_KEYRING = off
test: deps-test
	$(GO) test -count=1 -timeout 30m ./...

# The security suite: every attack docs/security.md names, as a test that must be refused
# (make test runs them too; the heaviest attacks are benchmarks in make bench).
security: export WATCHPOST_KEYRING = off
security: deps-test
	$(GO) test -count=1 -timeout 15m -run 'TestAttack' ./...

lint: deps
	$(GO) vet ./...
	$(GO) tool staticcheck ./...
	$(GO) test -count=1 -run 'TestImportRule' .

# Benchmarks print their figures (entries/s, frames/s, ms, cores) as metrics and `bench:`
# lines, each beside its peer measured in the same run; compare ratios within one run. The
# whole output is kept in $(BENCH_LOG); shown are the figures, and every failure or skip with
# its reason (-v: a skip is silent without it). A benchmark that fails or is skipped (a figure
# not measured) fails make bench. -p 1: one package at a time, so that no two measure at once.
# BENCH and BENCH_PKGS narrow it: make bench BENCH=Motion BENCH_PKGS=./video/analytics/
BENCH ?= .
BENCH_PKGS ?= ./...
BENCH_LOG ?= bin/bench.log
BENCH_SHOWN := ^(Benchmark|ok|FAIL|PASS|goos|goarch|pkg:|cpu|panic:|fatal error:|\# )|^\s*--- (FAIL|SKIP|BENCH)|^\s*\S+\.go:[0-9]+:|^ {8}|bench:
bench: deps-test
	@mkdir -p $(dir $(BENCH_LOG)); set -o pipefail; \
	$(GO) test -count=1 -p 1 -v -run '^$$' -bench '$(BENCH)' -benchtime 2s -timeout 60m $(BENCH_PKGS) 2>&1 | tee $(BENCH_LOG) | grep -E '$(BENCH_SHOWN)'; \
	rc=$$?; \
	if grep -qE '^\s*--- SKIP' $(BENCH_LOG); then echo "make bench: benchmarks were skipped (why is above): their figures were not measured"; rc=1; fi; \
	if [ $$rc != 0 ]; then echo "make bench: FAILED (exit $$rc); the whole output is in $(BENCH_LOG)"; fi; \
	exit $$rc

# fyne package rewrites FyneApp.toml (it raises Build): keep the committed one.
package: deps
	cp FyneApp.toml /tmp/FyneApp.toml.keep
	$(GO) run fyne.io/tools/cmd/fyne@v1.7.4 package --release --app-version $(shell sed -n 's/^Version = "\(.*\)"/\1/p' FyneApp.toml) || { cp /tmp/FyneApp.toml.keep FyneApp.toml; exit 1; }
	cp /tmp/FyneApp.toml.keep FyneApp.toml
	@ls -l watchpost*.tar.xz 2>/dev/null || true

# Screenshots of the real window under Xvfb, in Chinese and in English, for the README.
screenshots: build deps-test
	@set -e; data=$$(mktemp -d); cfg=$$(mktemp -d); \
	Xvfb -displayfd 3 -screen 0 1600x900x24 -nolisten tcp 3>$$cfg/display >/dev/null 2>&1 & xvfb=$$!; \
	while [ ! -s $$cfg/display ]; do kill -0 $$xvfb || exit 1; sleep 0.1; done; d=:$$(head -1 $$cfg/display); \
	for lang in zh-CN en; do \
		rm -rf $$data/*; echo "{\"language\": \"$$lang\"}" > $$cfg/config.json; \
		DISPLAY=$$d ./$(BIN) --data $$data --config $$cfg/config.json >/dev/null 2>&1 & pid=$$!; \
		sleep 14; DISPLAY=$$d import -window root docs/screenshot-$$lang.png; \
		kill $$pid; wait $$pid || true; echo "docs/screenshot-$$lang.png"; \
	done; kill $$xvfb; rm -rf $$data $$cfg

clean:
	rm -rf bin watchpost*.tar.xz
