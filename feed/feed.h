/*
 * feed.h - `invigil feed`: the reference feed server.
 *
 * A feed numbers every stream message (gapless seq within an epoch), keeps
 * them in a replay buffer and streams them to any number of consoles over
 * WebSocket.  Messages come from the simulator (sim.c), a scenario file
 * (replay.c) or, later, an exam platform.  The server part (server.c) lives
 * on a libwebsockets context it may share with a console (--demo), so it
 * never owns the loop: feed_attach() adds a vhost and timers, and the
 * caller runs lws_service().
 */
#ifndef INVIGIL_FEED_H
#define INVIGIL_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/proto.h"

struct lws_context;

/* ---- simulator (sim.c): deterministic candidates with behaviour profiles */

enum sim_profile {
	SIM_HONEST,
	SIM_DISTRACTED,
	SIM_PHONE,		/* looks at a phone: object_detected phone, gaze_away */
	SIM_PROXY,		/* someone else sits the exam on a device shared with another attempt */
	SIM_COLLUDING,		/* pair: same network; one copies from the other */
	SIM_PREKNOWLEDGE,	/* fast correct answers on the leaked items */
	SIM_FLAKY_NETWORK,	/* honest, but the connection drops now and then */
	SIM_RAPID_GUESSER,	/* answers the last stretch in seconds, at random */
	SIM_PROFILE_COUNT
};

struct sim_config {
	int		candidates;	/* >= 1 */
	uint64_t	seed;
	int		items;		/* items per exam form, default 60, at most 999 */
	const char     *exam;		/* exam id, default "EXAM-1" */
	int		truth;		/* record the ground truth (sim_truth_write) */
	int		forms;		/* forms F1..FK, default 1, at most 26 */
};

struct sim;

/* Called for every message the simulator produces, in order.  seq is 0;
 * ts_ms is the simulated time.  The message is only valid during the call. */
typedef void	(*sim_emit_fn)(const struct proto_msg *m, void *arg);

/*
 * A new simulation starting at simulated time start_ms.  The same config
 * (seed included) and the same sequence of sim_advance()/sim_command() calls
 * produce the same messages.  Never returns NULL (aborts on OOM).
 */
struct sim	*sim_new(const struct sim_config *c, int64_t start_ms);
void		 sim_free(struct sim *);

/* Emit, in time order, every message due at or before simulated time now_ms. */
void		 sim_advance(struct sim *, int64_t now_ms, sim_emit_fn, void *arg);

/*
 * Earliest simulated time something is due; INT64_MAX when all ended.
 * Something is emitted then, except when it is a copier starting to wait
 * for its source's answer (invigil-feed(1), SIMULATOR).
 */
int64_t		 sim_next_due(const struct sim *);

/*
 * Obey a proctor's command at simulated time now_ms: pause (the attempt goes
 * quiet), resume, terminate (it ends), warn and message (acknowledged; a
 * distracted candidate behaves for a while).  State changes are emitted
 * through emit before it returns, after everything due by now_ms; the
 * command takes effect no earlier than the last time advanced to, so
 * timestamps never go backwards.  Returns 0, or -1 with a sentence in err
 * (unknown attempt, action impossible in the attempt's state).
 */
int		 sim_command(struct sim *, const struct proto_cmd *, int64_t now_ms,
		     sim_emit_fn, void *arg, char *err, size_t errlen);

int		 sim_candidates(const struct sim *);
/* The profile of the index-th attempt; SIM_PROFILE_COUNT if out of range. */
enum sim_profile sim_profile_of(const struct sim *, int index);
const char	*sim_profile_name(enum sim_profile);
/* The colluding partner or the proxy's device owner of attempt index; -1. */
int		 sim_link_of(const struct sim *, int index);
/* Whether item (0-based) of form F1 was leaked; 0 if out of range. */
int		 sim_item_leaked(const struct sim *, int item);

/*
 * Ground truth, for scoring flags (see invigil-feed(1), GROUND TRUTH): a
 * "session" JSON line, then one line per attempt with its profile, links and
 * the misconduct, behaviour and outages injected so far.  Episodes are
 * recorded only when the sim was made with sim_config.truth, at most
 * SIM_TRUTH_EPISODES per attempt (past that the nearest two of a kind are
 * merged, and the line says "merged": windows widen, no event is lost).  sim_truth_write returns 0, or -1 on a write error;
 * sim_truth_save writes a new temporary PATH.XXXXXX (mkstemp(3): mode 0600,
 * never a file or link planted in advance) and renames it to PATH, so a
 * reader never sees a partial file, and returns 0 or -1 with a sentence in
 * err.
 */
#define SIM_TRUTH_EPISODES	64
int		 sim_truth_write(const struct sim *, FILE *);
int		 sim_truth_save(const struct sim *, const char *path, char *err,
		     size_t errlen);

/* ---- replay of a scenario file (replay.c) */

struct replay;

/*
 * Load a JSONL scenario: one protocol stream message per line (attempt,
 * event, answer, state), seq and ts optional.  Blank lines and lines starting
 * with '#' are skipped.  Returns NULL with "FILE:LINE: reason" in err.
 */
struct replay	*replay_load(const char *path, char *err, size_t errlen);
void		 replay_free(struct replay *);
size_t		 replay_count(const struct replay *);
/* The i-th message (0-based), decoded again from the kept line text into
 * a scratch message of the replay; NULL past the end.  Valid until the
 * next replay_message() on the same replay or replay_free(), whichever
 * comes first: copy what must last longer. */
const struct proto_msg *replay_message(const struct replay *, size_t i);

/* ---- the server (server.c) */

struct feed_config {
	const char     *listen_host;	/* "127.0.0.1" */
	int		listen_port;	/* 0: ephemeral, see feed_port() */
	const char     *id;		/* stable feed id sent in welcome */
	const char     *name;		/* display name */
	int64_t		epoch;		/* 0: derived from the start time */
	size_t		buffer;		/* replay buffer, messages (default 1,000,000) */
	double		rate;		/* simulate: speed multiplier; replay: messages/s, 0 = unlimited */
	int		simulate;	/* candidates, 0 = no simulation */
	int		sim_items;	/* items per form, 0: the default (60) */
	int		sim_forms;	/* forms, 0: one */
	uint64_t	seed;
	const char     *replay_path;	/* scenario file, or NULL */
	const char     *truth_path;	/* --simulate: ground truth kept here, or NULL */
	const char     *buffer_file;	/* persist the buffer here, or NULL */
	const char     *token;		/* required bearer token, or NULL */
	const char     *cert_path;	/* TLS certificate chain (PEM), or NULL */
	const char     *key_path;	/* its private key */
	int		hello_timeout;	/* seconds a console has to say hello */
	int		max_per_address; /* connections per address, 0: default */
	int		quiet;		/* no log lines on stderr */
	int		stamp;		/* add "sent_mono_ns" to stream messages as sent */
};

struct feed;

/*
 * Attach a feed to ctx: a vhost listening on host:port (subprotocol
 * invigil.v1) and the timers that drive the simulator or the replay.
 * Returns NULL with a sentence in err (port in use, unreadable scenario).
 */
struct feed	*feed_attach(struct lws_context *ctx, const struct feed_config *c,
		     char *err, size_t errlen);
/* Free a feed; call after lws_context_destroy() of the context it is on. */
void		 feed_detach(struct feed *);
int		 feed_port(const struct feed *);	/* the port actually bound */

/* ---- where to listen (listen.c) */

struct sockaddr;

/*
 * Resolve the host of --listen (a name, an IPv4 or IPv6 literal, IPv6
 * with or without brackets) once, with getaddrinfo(): the first address,
 * as numeric text for lws, in addr; *loopback set when it is a loopback
 * address (127.0.0.0/8, ::1).  Returns 0, or -1 with a sentence in err.
 */
int		 feed_listen_resolve(const char *host, char *addr,
		     size_t addrlen, int *loopback, char *err, size_t errlen);
/*
 * Whether a socket can bind the numeric addr and port (a test bind, closed
 * at once): lws, given an address that is not this machine's, logs it and
 * listens nowhere.  Returns 0, or -1 with a sentence in err.
 */
int		 feed_listen_probe(const char *addr, int port, char *err,
		     size_t errlen);
/* Whether sa (AF_INET or AF_INET6) is a loopback address. */
int		 feed_address_is_loopback(const struct sockaddr *sa);

/*
 * A libwebsockets log line on stderr as "PREFIX: libwebsockets: LINE",
 * sanitised, at most FEED_LOG_RATE lines a second (the rest counted and
 * reported with the next line written; see feed_lws_log_write() in
 * limits.h): what `invigil feed` and the console, whose --demo feed shares
 * its context, both hand lws's lines to.
 */
void		 feed_lws_log(const char *prefix, const char *line);

#endif /* INVIGIL_FEED_H */
