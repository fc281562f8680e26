/*
 * limits.h - what `invigil feed` bounds for a client it cannot trust.
 *
 * Anyone who reaches the feed's port can send a hello and commands, so
 * everything a connection can make the feed hold or do is bounded here:
 * the command ids the feed remembers (a window of the newest), the
 * messages a connection may send per second, the connections one address
 * may hold open, and where a hello's resume may start.  The server
 * (server.c) applies them; they are apart from it so that the unit suite
 * can test them without a socket.
 */
#ifndef INVIGIL_FEED_LIMITS_H
#define INVIGIL_FEED_LIMITS_H

#include <stdio.h>

#include <stddef.h>
#include <stdint.h>

#include "proto/proto.h"

/*
 * Command ids remembered, at most: a cmd whose id is among the newest
 * FEED_CMD_WINDOW ids the feed has answered is answered again with the same
 * ok and error and not carried out again (invigil-proto(7), COMMANDS).
 */
#define FEED_CMD_WINDOW		16384

/*
 * Messages a console may send after its hello: FEED_MSG_BURST at once, then
 * FEED_MSG_RATE a second.  A console sends one per command a proctor gives,
 * and after a reconnection the commands still unacknowledged; one that goes
 * beyond is closed with 1008.
 */
#define FEED_MSG_RATE		20
#define FEED_MSG_BURST		200

/*
 * Acks kept for consoles that resume, apart from the --buffer of exam
 * messages: a flood of commands drops old acks, never exam messages.
 */
#define FEED_ACK_BUFFER		10000

/* Log lines a second, after a burst; the rest are counted, not written. */
#define FEED_LOG_RATE		20
#define FEED_LOG_BURST		200

/* Connections one address may hold at once (--max-per-address). */
#define FEED_MAX_PER_ADDRESS	32

/* ---- the command memory: ids answered, the newest FEED_CMD_WINDOW */

struct feed_cmds;

struct feed_cmd_answer {
	int		ok;
	const char     *error;		/* "" when ok */
};

/* A new, empty memory of at most window ids (>= 1).  Never NULL (aborts on
 * out-of-memory). */
struct feed_cmds *feed_cmds_new(size_t window);
void		 feed_cmds_free(struct feed_cmds *);
/*
 * The answer given to id, if it is remembered: 1 and *a filled (valid until
 * the next feed_cmds_add), else 0.  Constant expected time: the table grows
 * with what it holds, and its hash is keyed at random per table, so that a
 * client cannot choose ids that collide.
 */
int		 feed_cmds_find(const struct feed_cmds *, const char *id,
		     struct feed_cmd_answer *a);
/*
 * Remember the answer to id (not already remembered; at most PROTO_ID_MAX
 * bytes, error at most PROTO_TEXT_MAX, cut at a character boundary if
 * longer).  When the memory is full the oldest id is forgotten.
 */
void		 feed_cmds_add(struct feed_cmds *, const char *id, int ok,
		     const char *error);
size_t		 feed_cmds_count(const struct feed_cmds *);
/* The longest chain a lookup may walk (for the unit tests). */
size_t		 feed_cmds_longest_chain(const struct feed_cmds *);

/* ---- a token bucket: what one connection may send */

struct feed_rate {
	double		tokens;
	int64_t		last_us;	/* 0: full, first use */
};

/* Take one token at time now_us: 1 if there was one, 0 if over the rate. */
int		 feed_rate_take(struct feed_rate *, int64_t now_us,
		     double per_sec, double burst);

/* ---- libwebsockets' own log lines */

/*
 * libwebsockets logs some conditions (a failed accept, an unreachable
 * interface) on every turn of the loop.  feed_lws_log_write() writes line to
 * out as "PREFIX: libwebsockets: LINE", sanitised and without its newline,
 * at most FEED_LOG_RATE lines a second after a burst of FEED_LOG_BURST; the
 * lines over are counted in *dropped, and the next line written is preceded
 * by one saying how many were left out.  Returns 1 if line was written.
 */
int		 feed_lws_log_write(FILE *out, struct feed_rate *,
		     unsigned long *dropped, const char *prefix,
		     const char *line, int64_t now_us);

/* feed_lws_log() (feed.h) is this on stderr with one limiter per process. */

/* ---- connections per address */

struct feed_addrs;

struct feed_addrs *feed_addrs_new(void);
void		 feed_addrs_free(struct feed_addrs *);
/*
 * Count one more connection from addr (a textual address) unless it
 * already holds max: returns the entry to give back to feed_addrs_release()
 * when the connection closes, or NULL if the address is at its cap.
 */
void		*feed_addrs_take(struct feed_addrs *, const char *addr, int max);
void		 feed_addrs_release(struct feed_addrs *, void *entry);
/* Connections counted for addr now; for all addresses. */
int		 feed_addrs_count(const struct feed_addrs *, const char *addr);
int		 feed_addrs_total(const struct feed_addrs *);

/*
 * Connections the feed may hold for a process descriptor limit (ulimit -n)
 * of nofile: less a reserve for the rest of the process (standard streams,
 * lws's own pipe and listening socket, --buffer-file, --truth, and in
 * --demo the console's sockets and database), 32 from 256 up, a quarter
 * from 64, 16 below; at least 4.  A connection over it is closed as soon
 * as it is accepted, so accept() never runs out of descriptors.
 */
int		 feed_max_connections(long long nofile);

/* ---- resume */

/*
 * The first seq to send after a hello, for a feed in epoch holding
 * first_seq..last_seq: 1 without a resume or one from another epoch, else
 * after_seq + 1, never above last_seq + 1 and never overflowing, whatever
 * after_seq is.  *ahead is set when the resume claims more than the epoch
 * holds (the feed logs it).  A start below first_seq is the caller's gap.
 */
int64_t		 feed_resume_start(const struct proto_hello *, int64_t epoch,
		     int64_t last_seq, int *ahead);

#endif /* INVIGIL_FEED_LIMITS_H */
