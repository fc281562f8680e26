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

#include "proto/proto.h"

struct lws_context;

/* ---- simulator (sim.c): deterministic candidates with behaviour profiles */

enum sim_profile {
	SIM_HONEST,
	SIM_DISTRACTED,
	SIM_PHONE,		/* looks at a phone: object_detected phone, gaze_away */
	SIM_PROXY,		/* someone else sits the exam on a device shared with another attempt */
	SIM_COLLUDING,		/* pair: same network, similar answers, close timing */
	SIM_PREKNOWLEDGE,	/* fast correct answers on a subset of items */
	SIM_FLAKY_NETWORK,	/* honest, but the connection drops now and then */
	SIM_PROFILE_COUNT
};

struct sim_config {
	int		candidates;	/* >= 1 */
	uint64_t	seed;
	int		items;		/* items per exam form, default 60 */
	const char     *exam;		/* exam id, default "EXAM-1" */
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

/* Earliest simulated time something is due; INT64_MAX when all ended. */
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
/* The i-th message (0-based), decoded; NULL past the end.  Valid until
 * replay_free(). */
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
	uint64_t	seed;
	const char     *replay_path;	/* scenario file, or NULL */
	const char     *buffer_file;	/* persist the buffer here, or NULL */
	const char     *token;		/* required bearer token, or NULL */
	const char     *cert_path;	/* TLS certificate chain (PEM), or NULL */
	const char     *key_path;	/* its private key */
	int		hello_timeout;	/* seconds a console has to say hello */
	int		quiet;		/* no log lines on stderr */
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

#endif /* INVIGIL_FEED_H */
