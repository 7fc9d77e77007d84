# weir - plain make, pkg-config for the three libraries.
# Programs: every cmd/NAME.c becomes bin/NAME, linked with lib/libweir.a.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
# Where Debian's systemd, bash-completion, zsh and fish look for what is
# installed under /usr/local (see weir-run(1)).
UNITDIR = $(PREFIX)/lib/systemd/system
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d

CC ?= cc
PKGS = rdkafka jansson yaml-0.1 libmicrohttpd libpcre2-8 avro-c libcurl

# The libraries' flags are looked up when a recipe first needs them, not
# when make reads this file, so that 'make deps demo' installs them first
# and then builds in one run.  Each is computed once (the eval caches it).
# A missing library stops the build with pkg-config's own message.
pkg_check = $(if $(shell pkg-config --exists $(PKGS) && echo ok),,$(error \
  missing libraries: $(shell pkg-config --print-errors --exists $(PKGS) 2>&1 | \
  head -n 1); run 'make deps' (Debian) or install them))
PKG_CFLAGS = $(pkg_check)$(eval PKG_CFLAGS := $$(shell pkg-config --cflags \
  $(PKGS)))$(PKG_CFLAGS)
# libcurl, libmicrohttpd, librdkafka and avro-c are compiled against but
# not linked: they are loaded when the Schema Registry or an OAUTHBEARER
# token (curl), the metrics server or the dashboard (microhttpd), Kafka
# (lib/kafka/kafka_dl.h) or an Avro schema (lib/value/avro_dl.h) needs
# them (lib/base/dl.h): their libraries made the start of every program
# several times slower.
PKGS_DLOPEN = libcurl libmicrohttpd rdkafka avro-c
PKG_LIBS = $(pkg_check)$(eval PKG_LIBS := $$(shell pkg-config --libs \
  $(filter-out $(PKGS_DLOPEN),$(PKGS))))$(PKG_LIBS)

OPT ?= -O2
CFLAGS ?= $(OPT) -g
WARN = -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(LIB_INC) $(CPPFLAGS) \
  $(PKG_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -MMD -MP
LDLIBS = -Wl,--as-needed $(LDFLAGS) $(PKG_LIBS) -lm -lpthread $(EXTRA_LDLIBS)

# A recipe that fails leaves no half-written target behind.
.DELETE_ON_ERROR:

# Build directory: plain builds in build/, sanitizer builds in build-asan/.
B ?= build
BIN ?= bin

# lib/ is in layers, one folder each (lib/LAYERS; make lint checks it).
LIB_DIRS = $(patsubst %/,%,$(sort $(dir $(wildcard lib/*/*.[ch]))))
LIB_INC = $(addprefix -I,$(LIB_DIRS))
LIB_SRC = $(wildcard lib/*/*.c)
LIB_OBJ = $(LIB_SRC:lib/%.c=$(B)/lib/%.o)
CMD_SRC = $(wildcard cmd/*.c)
PROGS = $(CMD_SRC:cmd/%.c=$(BIN)/%)
UNIT_SRC = $(wildcard tests/unit/*.c)
UNITS = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRC = $(wildcard tests/fuzz/*.c)
MANS = $(wildcard man/*.[1-8])

.PHONY: all test unit bats asan asan-test fuzz bench bench-deps bench-nexmark deps demo install uninstall lint clean completions browser-deps

all: $(PROGS)

$(B)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(B)/libweir.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN)/%: cmd/%.c $(B)/libweir.a
	@mkdir -p $(@D) $(B)/dep
	$(CC) $(ALL_CFLAGS) -MF $(B)/dep/$*.d $< -o $@ $(B)/libweir.a $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(B)/libweir.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $< -o $@ $(B)/libweir.a $(LDLIBS)

# The dashboard's page (weir-sink -f dashboard), built into the program as
# a C string; the header is checked in, so a build needs no generator.
lib/stream/dash_page.h: lib/stream/dash_page.html tools/embed.sh
	sh tools/embed.sh weir_dash_page lib/stream/dash_page.html > $@
$(B)/lib/stream/dash.o build-fuzz/lib/stream/dash.o: lib/stream/dash_page.h

# Header dependencies, as the compiler saw them (-MMD -MP).
-include $(wildcard $(B)/lib/*/*.d $(B)/tests/*.d $(B)/dep/*.d)

unit: $(UNITS)
	@tests/run-units $(UNITS)

bats: all
	WEIR_BIN=$(CURDIR)/$(BIN) bats --tap tests/bats

# The whole suite: unit tests, then the program tests (TAP, with a summary).
test: all unit
	@WEIR_BIN=$(CURDIR)/$(BIN) tests/run-bats

# AddressSanitizer + UndefinedBehaviorSanitizer build and run of the suite,
# but for its slowest files (ASAN_EXCLUDE): the examples of the manuals, the
# browser, the Kafka crash tests and the Nexmark queries, whose programs and
# code paths the other files run too (the generator under the sanitizers in
# test_nexmark); CI's time goes to the rest.
ASAN_EXCLUDE = man-examples.bats dashboard-browser.bats eos.bats \
  ckpt-kafka.bats kafka_group.bats nexmark.bats
ASAN_FLAGS = -O1 -g -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer -fno-sanitize-recover=all
asan:
	$(MAKE) B=build-asan BIN=build-asan/bin CFLAGS="$(ASAN_FLAGS)" EXTRA_LDLIBS="-fsanitize=address,undefined" all $(UNIT_SRC:tests/unit/%.c=build-asan/tests/%)
asan-test: asan
	@ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  tests/run-units -q $(UNIT_SRC:tests/unit/%.c=build-asan/tests/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  WEIR_KILL_ROUNDS=5 BATS_EXCLUDE="$(ASAN_EXCLUDE)" \
	  WEIR_BIN=$(CURDIR)/build-asan/bin tests/run-bats

# libFuzzer targets (clang), each run for FUZZ_SECONDS.  The library is
# compiled once with fuzzer instrumentation; each target links against it.
FUZZ_SECONDS ?= 30
# A sanitizer report stops the target (no recovery) and fails the run; the
# log is searched too, so no report can scroll by in a passing run.
FUZZ_SAN = -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE $(LIB_INC) $(PKG_CFLAGS) -O1 -g $(FUZZ_SAN)
FUZZ_OBJ = $(LIB_SRC:lib/%.c=build-fuzz/lib/%.o)
# FUZZ_TARGETS="fuzz_expr fuzz_frame" runs only those.
FUZZ_TARGETS ?= $(FUZZ_SRC:tests/fuzz/%.c=%)
FUZZ_BINS = $(FUZZ_TARGETS:%=build-fuzz/%)

build-fuzz/lib/%.o: lib/%.c $(wildcard lib/*/*.h)
	@mkdir -p $(@D)
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

build-fuzz/libweir.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

build-fuzz/%: tests/fuzz/%.c build-fuzz/libweir.a
	clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $< -o $@ build-fuzz/libweir.a $(LDLIBS)

# Each target is its own goal, so that 'make -j2 fuzz' runs two at a time.
FUZZ_RUNS = $(FUZZ_TARGETS:%=fuzz-run-%)
.PHONY: $(FUZZ_RUNS)
fuzz: $(FUZZ_RUNS)
$(FUZZ_RUNS): fuzz-run-%: build-fuzz/%
	@mkdir -p build-fuzz/corpus/$*
	@cp -n tests/fuzz/seeds/$*/* build-fuzz/corpus/$*/ 2>/dev/null || true
	@if UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    build-fuzz/$* -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	    -artifact_prefix=build-fuzz/$*- build-fuzz/corpus/$* \
	    > build-fuzz/$*.log 2>&1 && \
	    ! grep -q 'runtime error:\|ERROR: [A-Za-z]*Sanitizer' build-fuzz/$*.log; \
	then echo "# fuzz $* for $(FUZZ_SECONDS)s: $$(tail -n 1 build-fuzz/$*.log)"; \
	else echo "# fuzz $* for $(FUZZ_SECONDS)s failed:"; \
	  tail -n 40 build-fuzz/$*.log; exit 1; fi

bench: all bench-deps
	@bench/run

# Nexmark, every query of pipelines/nexmark: events/s and events per
# CPU-second (NEXMARK_N events, default 10000000).
bench-nexmark: all
	@bench/nexmark.sh

# The bench's peers (bench/peers.sh): DuckDB's Node.js package from the npm
# registry, into build/bench-node; never part of make deps.
BENCH_NODE = build/bench-node
DUCKDB_NODE = @duckdb/node-api@1.5.6-r.1
bench-deps: $(BENCH_NODE)/node_modules/@duckdb/node-api/package.json
$(BENCH_NODE)/node_modules/@duckdb/node-api/package.json:
	@mkdir -p $(BENCH_NODE)
	cd $(BENCH_NODE) && echo '{"name": "weir-bench-peers", "private": true}' \
	    > package.json && npm install --no-audit --no-fund $(DUCKDB_NODE)

deps:
	@sh tests/deps.sh

# The npm packages of the browser tests (playwright-core driving Debian's
# chromium; tests/bats/dashboard-browser.bats runs this), from the lock file.
browser-deps: tests/browser/node_modules/playwright-core/package.json
tests/browser/node_modules/playwright-core/package.json: tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

lint: $(B)/libweir.a
	mandoc -Tlint -Wwarning $(MANS)
	sh tools/layers.sh $(B)/libweir.a

# Shell completions, generated from what each program's --help prints.
COMPLETIONS = completions/weir.bash completions/_weir completions/weir.fish
completions: $(COMPLETIONS)
$(COMPLETIONS) &: tools/completions.sh $(PROGS)
	sh tools/completions.sh $(BIN) completions

# The unit with the programs' directory filled in; bash-completion and
# fish load a command's completions from a file named after it, so each
# program gets a link to the one file.
install: all $(COMPLETIONS)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)
	@for m in $(MANS); do s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
	  install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done
	install -d $(DESTDIR)$(UNITDIR)
	sed 's|/usr/local/bin/|$(BINDIR)/|g' pipelines/weir@.service > \
	  $(DESTDIR)$(UNITDIR)/weir@.service
	chmod 644 $(DESTDIR)$(UNITDIR)/weir@.service
	install -d $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 644 completions/weir.bash $(DESTDIR)$(BASHCOMPDIR)/weir
	install -m 644 completions/_weir $(DESTDIR)$(ZSHCOMPDIR)/_weir
	install -m 644 completions/weir.fish $(DESTDIR)$(FISHCOMPDIR)/weir.fish
	@for p in $(filter-out $(BIN)/weir,$(PROGS)); do n=$$(basename $$p); \
	  ln -sf weir $(DESTDIR)$(BASHCOMPDIR)/$$n; \
	  ln -sf weir.fish $(DESTDIR)$(FISHCOMPDIR)/$$n.fish; done

uninstall:
	@for p in $(PROGS); do n=$$(basename $$p); rm -f $(DESTDIR)$(BINDIR)/$$n \
	  $(DESTDIR)$(BASHCOMPDIR)/$$n $(DESTDIR)$(FISHCOMPDIR)/$$n.fish; done
	@for m in $(MANS); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$$(basename $$m); done
	rm -f $(DESTDIR)$(UNITDIR)/weir@.service $(DESTDIR)$(ZSHCOMPDIR)/_weir

clean:
	rm -rf build build-asan build-fuzz bin completions

# The README's quick start: the main job on the built-in click generator,
# run as a supervised pipeline (pipelines/clicks-demo.yaml), into
# $(B)/demo.ndjson.  On a terminal: a summary that fits a screen (per
# minute, the ten biggest spenders; ISO 8601 times, tables as wide as the
# terminal) and the whole result as a table in $(B)/demo.txt.  Into a file
# or a pipe: the whole result as a table.
DEMO_N ?= 200000
demo: all
	@mkdir -p $(B)
	@COUNT=$(DEMO_N) FORMAT=ndjson $(BIN)/weir-run pipelines/clicks-demo.yaml \
	  > $(B)/demo.ndjson
	@$(BIN)/weir-sink -f table --time-format iso8601 < $(B)/demo.ndjson \
	  > $(B)/demo.txt
	@if [ -t 1 ]; then \
	  echo "$(DEMO_N) generated clicks per user and minute" \
	    "(pipelines/clicks-demo.yaml)"; echo; echo "Per minute:"; \
	  $(BIN)/weir-source --time .window_start --max-delay 0 \
	    $(B)/demo.ndjson | $(BIN)/weir-window tumbling 1m | \
	  $(BIN)/weir-agg users=count clicks=sum:.clicks spent=sum:.spent | \
	  $(BIN)/weir-sink; \
	  echo; echo "The ten biggest spenders:"; \
	  $(BIN)/weir-source $(B)/demo.ndjson | \
	  $(BIN)/weir-agg -g .user minutes=count clicks=sum:.clicks \
	    spent=sum:.spent | $(BIN)/weir-sink -f csv | \
	  { IFS= read -r h; echo "$$h"; sort -t, -k4 -nr | head -n 10; } | \
	  $(BIN)/weir-source -f csv | $(BIN)/weir-sink; \
	  echo; echo "The whole result, $$(($$(wc -l < $(B)/demo.txt) - 1))" \
	    "rows: $(B)/demo.txt, $(B)/demo.ndjson"; \
	  echo "(or: make -s demo | less)"; \
	else cat $(B)/demo.txt; fi
