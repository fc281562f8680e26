# bench/bench.mk - benchmarks (included from the Makefile).
#   make bench        the full benchmarks (1,000,000 events), writes
#                     bench/results.md; takes a few minutes
#   make bench-smoke  each benchmark for about a second (20,000 events), so
#                     that CI keeps them working; asserts no timing
BENCH_BIN = $(O)/bench/ws-ceiling $(O)/bench/sqlite-ceiling $(O)/bench/queries

.PHONY: bench bench-smoke bench-bin
bench-bin: $(O)/invigil $(BENCH_BIN)

$(O)/bench/ws-ceiling: $(O)/bench/ws-ceiling.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/sqlite-ceiling: $(O)/bench/sqlite-ceiling.o $(O)/libstore.a $(O)/libproto.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/queries: $(O)/bench/queries.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

bench: bench-bin
	O=$(O) bench/run

bench-smoke: bench-bin
	O=$(O) bench/run --smoke

-include $(O)/bench/ws-ceiling.d $(O)/bench/sqlite-ceiling.d $(O)/bench/queries.d
