# invigil - plain Makefile.  `make` builds ./invigil; `make check` installs
# missing Debian packages, builds and runs every test; `make demo` opens the
# console on the built-in simulator.  Objects go under $(O)/ so that a
# sanitizer build (make check-asan) lives beside the normal one.

PREFIX	?= /usr/local
DESTDIR	?=
O	?= build
CC	?= cc
PKG_CONFIG ?= pkg-config

PKGS	 = ncursesw libwebsockets sqlite3 jansson libcrypto
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -Wall -Wextra -Werror -Wshadow -Wpointer-arith \
	   -Wstrict-prototypes -Wmissing-prototypes -I. \
	   $(shell $(PKG_CONFIG) --cflags $(PKGS) check 2>/dev/null)
LDLIBS	+= $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lm
CHECK_LIBS = $(shell $(PKG_CONFIG) --libs check 2>/dev/null)

ifeq ($(SAN),1)
CFLAGS	+= -O1 -fno-omit-frame-pointer -fsanitize=address,undefined \
	   -fno-sanitize-recover=all
LDFLAGS	+= -fsanitize=address,undefined
endif

# Module libraries, in link order (a module may use those after it).
MODULES	 = console rules forensics feed store proto
console_SRC = $(filter-out console/main.c,$(wildcard console/*.c))
rules_SRC   = $(wildcard rules/*.c)
forensics_SRC = $(wildcard forensics/*.c)
feed_SRC    = $(wildcard feed/*.c)
store_SRC   = $(wildcard store/*.c)
proto_SRC   = $(wildcard proto/*.c)

LIBS	 = $(foreach m,$(MODULES),$(O)/lib$(m).a)
ALL_SRC	 = $(foreach m,$(MODULES),$($(m)_SRC)) console/main.c
TESTS	 = $(patsubst tests/%.c,$(O)/%,$(wildcard tests/check_*.c))

.PHONY: all deps demo check check-unit check-e2e check-asan crash-test install clean
all: invigil

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

define module_lib
$(O)/lib$(1).a: $$(patsubst %.c,$(O)/%.o,$$($(1)_SRC))
	@rm -f $$@
	$$(AR) rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call module_lib,$(m))))

$(O)/invigil: $(O)/console/main.o $(LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

invigil: $(O)/invigil
	cp $< $@.tmp && mv -f $@.tmp $@

# Each suite links only the modules it tests (and what they use), so one
# module's suite builds while another module is being changed.
check_proto_MODS = proto
check_store_MODS = store proto
check_sign_MODS  = store proto
check_feed_MODS  = feed proto
check_rules_MODS = rules proto
check_protodoc_MODS = proto
check_journal_MODS = store proto
check_merkle_MODS = store proto
check_query_MODS = store proto
check_import_MODS = store proto
check_timeline_MODS = store proto
check_bundle_MODS = store proto
check_outcome_MODS = store proto
check_trust_MODS = store proto
check_model_MODS = console rules store proto
check_reasons_MODS = console proto
# check_decide and check_views: the act table with a test act in it
# (INVIGIL_TEST_ACT, acts.c), linked before the library's own acts.o,
# so that an act added to the table is seen to reach the keys, the help,
# the key bar and the headless API.
check_decide_MODS = console rules store proto
check_decide_OBJS = $(O)/test-act/console/acts.o
check_views_OBJS = $(O)/test-act/console/acts.o
$(O)/test-act/console/acts.o: console/acts.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DINVIGIL_TEST_ACT -MMD -MP -c -o $@ $<
-include $(O)/test-act/console/acts.d
# The forensics suites share the seeded simulator tests/fx-sim.c.
check_forensics_MODS = forensics proto
check_forensics_OBJS = $(O)/tests/fx-sim.o
check_similar_MODS = forensics proto
check_similar_OBJS = $(O)/tests/fx-sim.o
check_fxrun_MODS = forensics proto
check_fxrun_OBJS = $(O)/tests/fx-sim.o
define check_suite
$(O)/check_$(1): $$(check_$(1)_OBJS) $(O)/tests/check_$(1).o $$(foreach m,$$(or $$(check_$(1)_MODS),$(MODULES)),$(O)/lib$$(m).a)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS) $$(CHECK_LIBS)
endef
$(foreach t,$(patsubst tests/check_%.c,%,$(wildcard tests/check_*.c)),$(eval $(call check_suite,$(t))))


deps:
	@scripts/install-deps

demo: deps
	$(MAKE) invigil
	./invigil --demo --db demo.db

# make check: set-up, build, then every Check suite and end-to-end test.
check: deps
	$(MAKE) check-unit check-e2e

check-unit: $(TESTS)
	@set -e; for t in $(TESTS); do echo "== $$t"; CK_FORK=yes $$t; done

# make check-e2e [E2E="name ..."]: the chosen end-to-end tests, or all.
# Everything the e2e scripts run is built here, before the first one: no
# script runs make in the tree (e2e-sign-peer uses check_sign).
check-e2e: $(O)/invigil $(O)/check_sign
	@O=$(O) INVIGIL=$(CURDIR)/$(O)/invigil E2E_TIMEOUT_FACTOR=$(or $(E2E_TIMEOUT_FACTOR),1) \
	    tests/run-e2e $(E2E)

# A longer crash test than the one in make check: 500 SIGKILLs.
crash-test: $(O)/invigil
	CRASH_ROUNDS=$${CRASH_ROUNDS:-500} CRASH_MESSAGES=$${CRASH_MESSAGES:-100000} \
	    CRASH_RATE=$${CRASH_RATE:-400} INVIGIL=$(CURDIR)/$(O)/invigil \
	    bash tests/e2e-crash.sh

check-asan: deps
	$(MAKE) O=build-asan SAN=1 E2E_TIMEOUT_FACTOR=3 check-unit check-e2e

install: $(O)/invigil
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7
	install -m 755 $(O)/invigil $(DESTDIR)$(PREFIX)/bin/invigil
	for f in man/*.[157]; do \
		s=$${f##*.}; install -m 644 $$f $(DESTDIR)$(PREFIX)/share/man/man$$s/; \
	done

clean:
	rm -rf build build-asan invigil

-include $(patsubst %.c,$(O)/%.d,$(ALL_SRC) $(wildcard tests/*.c))
-include tests/fuzz/fuzz.mk
-include bench/bench.mk

# make mutants [MUTANTS="name1 name2"]: does the test suite notice bugs put in
# on purpose?  See tests/mutants/run; not part of make check (it is slow).
.PHONY: mutants
mutants:
	nice -n 10 tests/mutants/run $(MUTANTS_FLAGS) $(MUTANTS)
