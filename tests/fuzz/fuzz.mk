# tests/fuzz/fuzz.mk - libFuzzer harnesses, included by the top-level Makefile.
#
# `make fuzz` builds every tests/fuzz/fuzz_*.c with clang, libFuzzer, ASan
# and UBSan into build-fuzz/, with the proto sources compiled in (not the
# gcc-built libproto.a), then runs each for FUZZ_SECONDS (600) on a fresh
# copy of its seed corpus, tests/fuzz/corpus/<name>/, in
# build-fuzz/corpus-<name>/.  `make fuzz-smoke` does the same for 20
# seconds each, for CI.  A finding fails the target and names the input
# libFuzzer wrote (build-fuzz/<name>-crash-...); replay it with
# `build-fuzz/fuzz_<name> FILE`.

FUZZ_O		?= build-fuzz
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 600
FUZZ_SAN	 = -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS	 = -std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra \
		   -I. $(FUZZ_SAN) \
		   $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
FUZZ_LDLIBS	 = $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

FUZZ_NAMES	 = decode reassembly rules notes feedclient reasons config
FUZZ_BINS	 = $(foreach n,$(FUZZ_NAMES),$(FUZZ_O)/fuzz_$(n))
FUZZ_PROTO_OBJ	 = $(patsubst %.c,$(FUZZ_O)/%.o,$(proto_SRC))
FUZZ_RULES_OBJ	 = $(patsubst %.c,$(FUZZ_O)/%.o,$(rules_SRC))

# libFuzzer options per harness (besides the time, corpus and artifacts).
FUZZ_OPTS_decode     = -dict=tests/fuzz/proto.dict -max_len=70000
FUZZ_OPTS_reassembly = -max_len=4096
FUZZ_OPTS_rules      = -max_len=8192
FUZZ_OPTS_notes      = -max_len=8192
FUZZ_OPTS_feedclient = -dict=tests/fuzz/proto.dict -max_len=4096
FUZZ_OPTS_reasons    = -max_len=8192
FUZZ_OPTS_config     = -max_len=8192
FUZZ_OPTS	     = -timeout=25 -print_final_stats=1

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-clean

$(FUZZ_O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c -o $@ $<

$(FUZZ_O)/fuzz_%: $(FUZZ_O)/tests/fuzz/fuzz_%.o $(FUZZ_PROTO_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDLIBS)

# The rule-file harness needs the rules engine as well.
$(FUZZ_O)/fuzz_rules: $(FUZZ_O)/tests/fuzz/fuzz_rules.o $(FUZZ_RULES_OBJ) \
    $(FUZZ_PROTO_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDLIBS) -lm

# The checkpoint-file harness needs the note code and libcrypto.
$(FUZZ_O)/fuzz_notes: $(FUZZ_O)/tests/fuzz/fuzz_notes.o $(FUZZ_O)/store/sign.o \
    $(FUZZ_PROTO_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDLIBS)

# What the feed does with a console's hello and cmd needs its limits.
$(FUZZ_O)/fuzz_feedclient: $(FUZZ_O)/tests/fuzz/fuzz_feedclient.o \
    $(FUZZ_O)/feed/limits.o $(FUZZ_PROTO_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDLIBS)

# The reason-file harness: the parser and the act names it checks acts=
# against (both pure).
$(FUZZ_O)/fuzz_reasons: $(FUZZ_O)/tests/fuzz/fuzz_reasons.o \
    $(FUZZ_O)/console/reasons.o $(FUZZ_O)/console/acts.o $(FUZZ_PROTO_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDLIBS)

# The config file's harness: the parser, and the key directory's rules
# (sign.o, for config_default_path) with libcrypto.
$(FUZZ_O)/fuzz_config: $(FUZZ_O)/tests/fuzz/fuzz_config.o \
    $(FUZZ_O)/console/config.o $(FUZZ_O)/store/sign.o $(FUZZ_PROTO_OBJ)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDLIBS)

fuzz-build: $(FUZZ_BINS)

# Keep the objects: they are only named by pattern rules.
.SECONDARY: $(FUZZ_PROTO_OBJ) $(FUZZ_RULES_OBJ) $(FUZZ_O)/store/sign.o \
    $(FUZZ_O)/feed/limits.o $(FUZZ_O)/console/reasons.o \
    $(FUZZ_O)/console/acts.o $(FUZZ_O)/console/config.o \
    $(patsubst %,$(FUZZ_O)/tests/fuzz/fuzz_%.o,$(FUZZ_NAMES))

# Run one harness; its log is build-fuzz/fuzz_<name>.log.  On a finding,
# show the end of the log and the input's path, and fail.
define fuzz_run
	@set -e; n=$(1); log=$(FUZZ_O)/fuzz_$$n.log; \
	rm -rf $(FUZZ_O)/corpus-$$n; \
	cp -R tests/fuzz/corpus/$$n $(FUZZ_O)/corpus-$$n; \
	echo "fuzz: $$n for $(FUZZ_SECONDS)s, log $$log"; \
	if ! $(FUZZ_O)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
	    $(FUZZ_OPTS) $(FUZZ_OPTS_$(1)) \
	    -artifact_prefix=$(FUZZ_O)/$$n- \
	    $(FUZZ_O)/corpus-$$n >$$log 2>&1; then \
		tail -n 60 $$log; \
		echo "fuzz: $$n: FINDING"; \
		grep -h 'Test unit written to' $$log || \
		    echo "fuzz: $$n: no input written (see $$log)"; \
		exit 1; \
	fi; \
	grep -a 'DONE' $$log | tail -n 1; \
	sed -n 's/^#\([0-9]*\)[[:space:]]*DONE.*/\1/p' $$log | tail -n 1 \
	    >$(FUZZ_O)/fuzz_$$n.execs
endef

fuzz: deps
	$(MAKE) fuzz-build
	$(call fuzz_run,decode)
	$(call fuzz_run,reassembly)
	$(call fuzz_run,rules)
	$(call fuzz_run,notes)
	$(call fuzz_run,feedclient)
	$(call fuzz_run,reasons)
	$(call fuzz_run,config)
	@echo "fuzz: decode $$(cat $(FUZZ_O)/fuzz_decode.execs) execs," \
	    "reassembly $$(cat $(FUZZ_O)/fuzz_reassembly.execs) execs," \
	    "rules $$(cat $(FUZZ_O)/fuzz_rules.execs) execs," \
	    "notes $$(cat $(FUZZ_O)/fuzz_notes.execs) execs," \
	    "feedclient $$(cat $(FUZZ_O)/fuzz_feedclient.execs) execs," \
	    "reasons $$(cat $(FUZZ_O)/fuzz_reasons.execs) execs," \
	    "config $$(cat $(FUZZ_O)/fuzz_config.execs) execs, no finding"

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=20

fuzz-clean:
	rm -rf $(FUZZ_O)

-include $(patsubst %.c,$(FUZZ_O)/%.d,$(proto_SRC) feed/limits.c \
    console/reasons.c console/acts.c console/config.c \
    $(wildcard tests/fuzz/fuzz_*.c))
