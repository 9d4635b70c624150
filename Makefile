# strongbox: make (build), make check (tests), make demo, make bench,
# make install PREFIX=... DESTDIR=...
#
# make check SANITIZE=1 builds with AddressSanitizer (LeakSanitizer on,
# see t/lib/test-lib.sh) and UndefinedBehaviorSanitizer and runs the same
# suite.  WERROR=1 turns
# warnings into errors (CI sets it).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/strongbox
SYSCONFDIR ?= $(PREFIX)/etc/strongbox

CC ?= cc
PKG_CONFIG ?= pkg-config
PKGS = libpq libcurl libcrypto libarchive jansson expat libzstd
VERSION := $(shell cat VERSION)

CFLAGS ?= -O2 -g
WARNFLAGS = -std=c11 -Wall -Wextra -Wshadow -Wformat=2 -Wno-unused-parameter
# Not part of the flags that force a rebuild: it changes no object.
ifeq ($(WERROR),1)
WERRFLAG = -Werror
endif
ifeq ($(SANITIZE),1)
MODE = san
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
# GCC links the two runtimes as shared libraries, and then UBSan ignores
# log_path and reports on stderr only, where t/lib/test-lib.sh cannot see
# a report of a tool whose stderr a test does not read.  Linked in (as
# clang always does), both honour it.
ifeq ($(findstring clang,$(shell $(CC) --version 2>/dev/null)),)
SANFLAGS += -static-libasan -static-libubsan
endif
else
MODE = opt
SANFLAGS =
endif

# Read when the Makefile is read: on a fresh machine the -dev packages are
# not there yet, so the goals that install them (check, demo, bench) run
# .ci/deps first and then build in a new make, which reads these again.
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARNFLAGS) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE \
	-DSTRONGBOX_VERSION='"$(VERSION)"' \
	-DSTRONGBOX_DATADIR='"$(DATADIR)"' \
	-DSTRONGBOX_SYSCONFDIR='"$(SYSCONFDIR)"' -Ilib $(PKG_CFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS = $(PKG_LIBS) -lpthread -lm

B = build/$(MODE)
LIB_SRC = $(sort $(wildcard lib/*.c))
LIB_OBJ = $(LIB_SRC:%.c=$(B)/%.o)
LIB_A = $(B)/libstrongbox.a
TOOLS = $(patsubst %.c,%,$(sort $(wildcard bin/*.c)))
UNIT_SRC = $(sort $(wildcard t/unit/*.c))
UNITS = $(UNIT_SRC:%.c=%)
HEADERS = $(wildcard lib/*.h) t/unit/tap.h
# The salon data generator for tests, the demo and benchmarks (not a tool).
GEN = share/strongbox/salon-gen

PROVE ?= prove
PROVE_FLAGS ?= -j2 --timer

# Rebuild everything when the mode or flags change, so that a sanitizer
# build never mixes with a plain one.
FLAGS_STAMP = build/flags.$(MODE)
FLAGS_NOW = $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)

.SECONDARY:

.PHONY: all check deps demo bench install clean flags-check fuzz fuzz-age format

all: flags-check $(TOOLS) $(UNITS) $(GEN)

flags-check:
	@$(PKG_CONFIG) --exists $(PKGS) 2>/dev/null || { echo "make: the libraries" \
		"$(PKGS) are not all installed: run 'make deps' (as root) first" >&2; exit 1; }
	@mkdir -p build
	@if [ "$$(cat build/flags 2>/dev/null)" != '$(FLAGS_NOW)' ]; then \
		echo '$(FLAGS_NOW)' > build/flags; touch $(FLAGS_STAMP); fi
	@test -f $(FLAGS_STAMP) || touch $(FLAGS_STAMP)

$(FLAGS_STAMP): flags-check

$(B)/%.o: %.c $(HEADERS) $(FLAGS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(WERRFLAG) -c -o $@ $<

$(LIB_A): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

bin/%: $(B)/bin/%.o $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

t/unit/%: $(B)/t/unit/%.o $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(GEN): $(B)/$(GEN).o $(LIB_A)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

deps:
	@./.ci/deps

# Tests that run make themselves (t/0003-install.t) build as this run did.
check: export STRONGBOX_MAKEFLAGS = SANITIZE=$(SANITIZE)
check: deps
	$(MAKE) all
	$(PROVE) $(PROVE_FLAGS) -r t/

demo: deps
	$(MAKE) all
	sh share/strongbox/demo.sh

bench: deps
	$(MAKE) all
	@for b in t/bench/*.sh; do echo "== $$b"; sh "$$b" || exit 1; done

# The installed templates, scripts and man pages name the real places:
# every /usr/local/etc/strongbox, /usr/local/share/strongbox,
# /usr/local/bin and /usr/local/lib/systemd/system in them becomes
# SYSCONFDIR, DATADIR, BINDIR and UNITDIR; the
# timers' OnCalendar gets the branch's zone, TZ (e.g. make install
# TZ=Asia/Kolkata; none: the machine's zone).
UNITDIR ?= $(PREFIX)/lib/systemd/system
SUBST = sed -e 's|/usr/local/etc/strongbox|$(SYSCONFDIR)|g' \
	-e 's|/usr/local/lib/systemd/system|$(UNITDIR)|g' \
	-e 's|/usr/local/share/strongbox|$(DATADIR)|g' \
	-e 's|/usr/local/bin|$(BINDIR)|g'
TIMER_TZ = $(filter-out :%,$(TZ))
# inst MODE SRC DST: SRC through SUBST to DST, with MODE.
inst = $(SUBST) "$(2)" >"$(3)" && chmod $(1) "$(3)"

install: flags-check $(TOOLS) $(GEN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(DATADIR) $(DESTDIR)$(SYSCONFDIR)/cron.d \
		$(DESTDIR)$(UNITDIR)
	install -m 755 $(TOOLS) $(DESTDIR)$(BINDIR)
	for f in share/man/man*/*.[157]; do \
		$(call inst,644,$$f,$(DESTDIR)$(MANDIR)/$$(basename $$(dirname $$f))/$$(basename $$f)) || exit 1; done
	install -m 644 VERSION $(DESTDIR)$(DATADIR)/VERSION
	for f in share/strongbox/*; do d=$(DESTDIR)$(DATADIR)/$$(basename $$f); case $$f in \
		*.c) ;; \
		$(GEN)) install -m 755 "$$f" "$$d";; \
		*/jobs.sh|*/pg-scratch.sh) $(call inst,644,$$f,$$d) || exit 1;; \
		*.sh|*/strongbox-job) $(call inst,755,$$f,$$d) || exit 1;; \
		*) $(call inst,644,$$f,$$d) || exit 1;; esac; done
	# the environment file holds credentials: owner only
	for f in etc/*.env etc/*.conf etc/cron.d/*; do case $$f in *.env) m=600;; *) m=644;; esac; \
		$(call inst,$$m,$$f,$(DESTDIR)$(SYSCONFDIR)/$${f#etc/}) || exit 1; done
	for f in etc/systemd/*; do d=$(DESTDIR)$(UNITDIR)/$$(basename $$f); \
		$(call inst,644,$$f,$$d) || exit 1; \
		if [ -n "$(TIMER_TZ)" ]; then sed -i 's|^OnCalendar=.*|& $(TIMER_TZ)|' "$$d"; fi; done

# make fuzz: the libFuzzer harness of the archive reader, run for FUZZ_TIME
# seconds on the seed corpus fuzz/corpus (new inputs go to build/fuzz/corpus).
FUZZ_TIME ?= 60
FUZZ_CC ?= clang
FUZZ_BIN = build/fuzz/archive_read_fuzz
# The whole of lib/: the reader's dependencies change as it grows.
FUZZ_SRC = fuzz/archive_read_fuzz.c $(LIB_SRC)
# make fuzz-age: the same for the age decryption and key parsing
FUZZ_AGE_BIN = build/fuzz/age_dec_fuzz
FUZZ_AGE_SRC = fuzz/age_dec_fuzz.c $(LIB_SRC)

$(FUZZ_BIN): $(FUZZ_SRC) $(HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-DSTRONGBOX_VERSION='"$(VERSION)"' \
		-DSTRONGBOX_DATADIR='"$(DATADIR)"' \
		-DSTRONGBOX_SYSCONFDIR='"$(SYSCONFDIR)"' \
		-Ilib $(PKG_CFLAGS) -o $@ $(FUZZ_SRC) $(PKG_LIBS) -lpthread -lm

fuzz: $(FUZZ_BIN)
	@mkdir -p build/fuzz/corpus
	$(FUZZ_BIN) -max_total_time=$(FUZZ_TIME) -rss_limit_mb=1024 \
		-max_len=65536 build/fuzz/corpus fuzz/corpus

$(FUZZ_AGE_BIN): $(FUZZ_AGE_SRC) $(HEADERS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
		-DSTRONGBOX_VERSION='"$(VERSION)"' \
		-DSTRONGBOX_DATADIR='"$(DATADIR)"' \
		-DSTRONGBOX_SYSCONFDIR='"$(SYSCONFDIR)"' \
		-Ilib $(PKG_CFLAGS) -o $@ $(FUZZ_AGE_SRC) $(PKG_LIBS) -lpthread -lm

fuzz-age: $(FUZZ_AGE_BIN)
	@mkdir -p build/fuzz/age-corpus
	$(FUZZ_AGE_BIN) -max_total_time=$(FUZZ_TIME) -rss_limit_mb=1024 \
		-max_len=200000 build/fuzz/age-corpus fuzz/age-corpus

# make format: clang-format (the style of .clang-format) on the C files
# changed in the working tree, new ones included; files not otherwise
# touched keep their layout.  FORMAT_FILES=... names others.
FORMAT_FILES ?= $(shell { git diff --name-only --diff-filter=AM HEAD; \
	git ls-files --others --exclude-standard; } 2>/dev/null | \
	grep '\.[ch]$$' | sort -u)

format:
	@if [ -n "$(FORMAT_FILES)" ]; then echo "clang-format -i $(FORMAT_FILES)"; \
		clang-format -i $(FORMAT_FILES); fi

clean:
	rm -rf build $(TOOLS) $(UNITS) $(GEN)
