# bench/bench.mk - benchmarks (included from the Makefile).
#   make bench        every benchmark with its ceiling, at full size, writes
#                     bench/results.md; takes about ten minutes
#   make bench-smoke  each benchmark for about a second, so that CI keeps
#                     them working; asserts no timing
BENCH_BIN = $(O)/bench/ws-ceiling $(O)/bench/sqlite-ceiling $(O)/bench/queries \
	    $(O)/bench/latency-probe $(O)/bench/screen $(O)/bench/review-db \
	    $(O)/bench/forensics-pairs $(O)/bench/forensics-full \
	    $(O)/bench/export-db $(O)/bench/export-ceiling

.PHONY: bench bench-smoke bench-bin
bench-bin: $(O)/invigil $(BENCH_BIN)

# What every benchmark program shares (bench.h).
BENCH_O = $(O)/bench/bench.o

$(O)/bench/ws-ceiling: $(O)/bench/ws-ceiling.o $(BENCH_O)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/sqlite-ceiling: $(O)/bench/sqlite-ceiling.o $(BENCH_O) $(O)/libstore.a $(O)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/queries: $(O)/bench/queries.o $(BENCH_O) $(O)/libstore.a $(O)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/latency-probe: $(O)/bench/latency-probe.o $(O)/libstore.a $(O)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The console's own model and screen code, driven without a loop.
$(O)/bench/screen: $(O)/bench/screen.o $(BENCH_O) $(LIBS)
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(LDLIBS)

$(O)/bench/review-db: $(O)/bench/review-db.o $(BENCH_O) $(O)/libconsole.a $(O)/librules.a $(O)/libstore.a $(O)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# All pairs of one form through forensics/ (the simulator from tests/).
$(O)/bench/forensics-pairs: $(O)/bench/forensics-pairs.o $(O)/tests/fx-sim.o $(O)/libforensics.a $(O)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ -lm

# `make bench/forensics-pairs`: build it and time 5,000 x 200.
.PHONY: bench/forensics-pairs
bench/forensics-pairs: $(O)/bench/forensics-pairs
	$(O)/bench/forensics-pairs

# The whole analysis of one form, stage by stage.
$(O)/bench/forensics-full: $(O)/bench/forensics-full.o $(BENCH_O) $(O)/tests/fx-sim.o $(O)/libforensics.a $(O)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ -lm

# `make bench/forensics-full`: build it and time 10,000 x 200.
.PHONY: bench/forensics-full
bench/forensics-full: $(O)/bench/forensics-full
	$(O)/bench/forensics-full

# The export benchmark's database and ceiling (bench/export.sh).
$(O)/bench/export-db: $(O)/bench/export-db.o $(O)/libstore.a $(O)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/export-ceiling: $(O)/bench/export-ceiling.o $(BENCH_O) $(O)/libstore.a $(O)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench: bench-bin
	O=$(O) bench/run

bench-smoke: bench-bin
	O=$(O) bench/run --smoke

-include $(patsubst %,%.d,$(BENCH_BIN) $(O)/bench/bench)
