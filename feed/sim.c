/*
 * sim.c - the simulator behind `invigil feed --simulate N`.
 *
 * N candidates sit one exam session.  Each is a small state machine with
 * three clocks: the next answer (or lifecycle step before the exam starts,
 * or the submission after the last item), the next behaviour episode, and a
 * follow-up owed by the last episode (focus_returned after focus_lost,
 * network_restored after network_lost, ...).  A min-heap keyed by (due time,
 * candidate index) holds every live candidate once; sim_advance() pops the
 * earliest, lets it emit exactly one message (none when a copier starts
 * to wait for its source) and pushes it back with its new due time.
 * Because a candidate draws only from its own random streams and hashes,
 * every step emits at a time fixed before the step, and steps run in
 * (due, index) order (so a copier sees its source's progress the same way
 * every time), the output depends on the seed, the config and the
 * sequence of advance and command calls, never on how finely time is
 * sliced.
 *
 * Profiles are fixed at sim_new(): a shuffled quota of each profile, so that
 * even small sessions get a realistic mix.  Couplings between candidates are
 * settled there too, as plain data: a proxy copies another attempt's device,
 * a colluding pair shares a /24 and a start time (a few seconds apart); its
 * second member copies a share of the first's answers (sim-answers.c) and
 * gives each copied answer a few seconds after the source gave it: the one
 * place where a candidate waits for another (answer_copied()).
 *
 * Answers and their times come from the item response and response time
 * models in sim-answers.c, which use libm (exp, log): a seed gives the same
 * session on every machine with the same libm.  Everything else here is
 * integer arithmetic (probabilities in per mille).
 *
 * With sim_config.truth, what each profile injects is recorded as it is
 * emitted (episodes of events, outages, a cheat's answers), without a
 * single draw from any stream, so the messages stay the same; the
 * --truth file (sim_truth_write) is made from that record and from the
 * profiles and couplings settled at sim_new().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "feed/feed.h"
#include "proto/xmalloc.h"
#include "feed/rng.h"
#include "feed/sim-answers.h"

#define SIM_DEFAULT_ITEMS	60
#define SIM_DEFAULT_EXAM	"EXAM-1"
#define SIM_SECOND		INT64_C(1000)
#define SIM_MINUTE		(60 * SIM_SECOND)

/* Salts for rng_hash(): one per kind of thing derived from the seed. */
enum {
	SALT_PROFILES = 1, SALT_UNUSED, SALT_CANDIDATE, SALT_PACE, SALT_PAIR,
	SALT_NAME, SALT_DEVICE, SALT_HOST, SALT_KEY, SALT_BLOCK, SALT_LINKS
};

/* Where a candidate is in its life; PH_NEW .. PH_CHECKED_IN are pre-exam. */
enum sim_phase {
	PH_NEW,		/* attempt message due at start */
	PH_ANNOUNCED,	/* checked_in due */
	PH_CHECKED_IN,	/* in_progress due */
	PH_RUNNING,	/* answering, behaving */
	PH_PAUSED,	/* out of the heap until resumed */
	PH_LOCKED,	/* screen locked: out of the heap until resumed, still
			   in_progress on the wire (a lock is not a state) */
	PH_ENDED	/* submitted or terminated, out of the heap for good */
};

/* Behaviour episodes: one event, perhaps with a follow-up. */
enum sim_episode {
	EP_FOCUS,	/* focus_lost, then focus_returned */
	EP_GAZE,
	EP_VOICE,
	EP_IDLE,
	EP_FACE,	/* face_missing, then face_returned */
	EP_FULLSCREEN,
	EP_RAISE_HAND,
	EP_PHONE,	/* object_detected phone */
	EP_OBJECT,	/* object_detected book or earbuds */
	EP_IDENTITY,
	EP_FACES,
	EP_CLIPBOARD,
	EP_PROCESS,
	EP_REMOTE,
	EP_NETWORK,	/* network_lost, silence, network_restored, maybe ip_change */
	EP_COUNT
};

/* The follow-up a candidate owes. */
enum sim_follow {
	FOLLOW_NONE,
	FOLLOW_FOCUS_RETURNED,
	FOLLOW_FACE_RETURNED,
	FOLLOW_NETWORK_RESTORED,
	FOLLOW_IP_CHANGE,
	FOLLOW_IDENTITY		/* a proxy's early identity check */
};

/*
 * How each profile behaves: episodes per 1000 minutes, the weight of each
 * episode.  Answers are sim-answers.c's.
 */
struct sim_behaviour {
	unsigned	rate;
	unsigned char	weight[EP_COUNT];
};

static const struct sim_behaviour behaviours[SIM_PROFILE_COUNT] = {
	[SIM_HONEST] = { 1000, {
	    [EP_FOCUS] = 40, [EP_GAZE] = 35, [EP_RAISE_HAND] = 10,
	    [EP_VOICE] = 10, [EP_FULLSCREEN] = 5 } },
	[SIM_DISTRACTED] = { 5500, {
	    [EP_FOCUS] = 30, [EP_GAZE] = 22, [EP_VOICE] = 15, [EP_IDLE] = 10,
	    [EP_FACE] = 10, [EP_FULLSCREEN] = 5, [EP_OBJECT] = 5,
	    [EP_RAISE_HAND] = 3 } },
	[SIM_PHONE] = { 2500, {
	    [EP_PHONE] = 35, [EP_GAZE] = 35, [EP_FACE] = 10, [EP_FOCUS] = 10,
	    [EP_VOICE] = 10 } },
	[SIM_PROXY] = { 1200, {
	    [EP_GAZE] = 30, [EP_FOCUS] = 25, [EP_VOICE] = 20,
	    [EP_IDENTITY] = 10, [EP_FACES] = 10, [EP_REMOTE] = 5 } },
	[SIM_COLLUDING] = { 1500, {
	    [EP_FOCUS] = 35, [EP_GAZE] = 20, [EP_CLIPBOARD] = 15,
	    [EP_VOICE] = 15, [EP_PROCESS] = 15 } },
	[SIM_PREKNOWLEDGE] = { 1000, {
	    [EP_FOCUS] = 40, [EP_GAZE] = 35, [EP_CLIPBOARD] = 10,
	    [EP_FULLSCREEN] = 10, [EP_RAISE_HAND] = 5 } },
	[SIM_FLAKY_NETWORK] = { 1200, {
	    [EP_NETWORK] = 45, [EP_FOCUS] = 25, [EP_GAZE] = 20,
	    [EP_RAISE_HAND] = 10 } },
	[SIM_RAPID_GUESSER] = { 1000, {
	    [EP_FOCUS] = 40, [EP_GAZE] = 35, [EP_RAISE_HAND] = 10,
	    [EP_VOICE] = 10, [EP_FULLSCREEN] = 5 } },
};

/* Share of each profile in a session, per cent; honest takes the rest. */
static const unsigned profile_percent[SIM_PROFILE_COUNT] = {
	[SIM_DISTRACTED] = 12, [SIM_PHONE] = 8, [SIM_PROXY] = 6,
	[SIM_COLLUDING] = 6, [SIM_PREKNOWLEDGE] = 6, [SIM_FLAKY_NETWORK] = 7,
	[SIM_RAPID_GUESSER] = 3
};

static const char *const profile_names[SIM_PROFILE_COUNT] = {
	"honest", "distracted", "phone", "proxy", "colluding", "preknowledge",
	"flaky_network", "rapid_guesser"
};

static const char *const first_names[] = {
	"Amelia", "Ben", "Chiara", "David", "Elif", "Farah", "Grace",
	"Hiroshi", "Inès", "Jonas", "Kwame", "Lena", "Mateo", "Noor", "Oscar",
	"Priya", "Rafael", "Sofia", "Tomás", "Uma", "Zoë", "Ólafur", "Søren",
	"Chloé"
};
static const char *const last_names[] = {
	"Ångström", "Baker", "Chen", "Dubois", "Eriksen", "Fernández",
	"García", "Hansen", "Ivanova", "Jensen", "Kowalski", "Lindqvist",
	"Müller", "Nakamura", "O'Neill", "Patel", "Quinn", "Rossi", "Schmidt",
	"Okafor", "van den Berg", "Wiśniewska", "Yılmaz", "Zhang"
};
/* Names that do not split into first and last the European way. */
static const char *const whole_names[] = {
	"Nguyễn Văn An", "Trần Thị Bích", "Zoë Ångström", "Ólafur Ragnarsson",
	"Siobhán Ní Bhriain", "José María Núñez", "Łukasz Żółć", "Αλέξανδρος Παππάς"
};

static const char *const apps_benign[] = {
	"Mail", "Notification Center", "System Settings", "Calendar"
};
static const char *const apps_distracted[] = {
	"Spotify", "Messages", "YouTube", "Mail", "Slack"
};
static const char *const apps_colluding[] = {
	"Discord", "WhatsApp", "Telegram", "Signal"
};
static const char *const processes[] = {
	"discord", "whatsapp", "obs64", "telegram"
};
static const char *const remote_tools[] = {
	"AnyDesk", "TeamViewer", "Chrome Remote Desktop"
};
static const char *const directions[] = { "left", "right", "down", "up" };

#define NITEMS(a)	(sizeof (a) / sizeof (a)[0])

struct sim_cand {
	uint64_t	rng;		/* own stream: behaviour, small choices */
	uint64_t	pace;		/* the last look before submitting (a pair's shared) */
	int64_t		due;		/* heap key, derived from the clocks below */
	int64_t		t_step;		/* next lifecycle step, answer or submission */
	int64_t		t_event;	/* next episode */
	int64_t		t_follow;	/* follow-up owed, if follow != FOLLOW_NONE */
	int64_t		t_prev;		/* last answer, or the start of the exam */
	int64_t		t_checkin;	/* checked_in due */
	int64_t		t_start;	/* in_progress due */
	int64_t		t_paused;	/* when paused or locked */
	int64_t		extra;		/* extend: ms the submission owes */
	int64_t		extended;	/* extend: ms given in all, for truth */
	int64_t		t_lost;		/* when the network went */
	int64_t		calm_until;	/* warned: behaves until then */
	int64_t		t_first;	/* first message of a changed answer */
	uint64_t	device;		/* 48 bits, "dev-%012x" */
	uint32_t	ip;		/* current IPv4 address */
	int		heap_pos;	/* index in the heap, -1 when out */
	int		link;		/* colluding partner or proxy's device owner, -1 */
	uint16_t	answered;
	uint16_t	follow_arg;	/* seconds or per-mille of the follow-up */
	uint8_t		profile;
	uint8_t		phase;
	uint8_t		state;		/* enum proto_state, as last emitted */
	uint8_t		follow;
	uint8_t		modality;
	uint8_t		center;		/* 1-based, test centres only */
	uint8_t		stage;		/* enum sim_stage of the current item */
	uint8_t		pend_changed;	/* the final message is a change */
	uint8_t		pend_copied;	/* the final answer is copied */
	char		pend_resp;	/* its response, 'A'-'D' */
	char		shown;		/* the first response, when changed */
};

/* Where a candidate is on its current item. */
enum sim_stage {
	STAGE_NEXT,	/* t_step: its first message */
	STAGE_FINAL,	/* t_step: the final message (pend_resp) */
	STAGE_WAIT	/* a copier waiting for its source; t_step INT64_MAX */
};

/*
 * Ground truth (--truth): what was injected into one attempt, recorded as it
 * is emitted.  Instantaneous events of one kind join into an episode while
 * they come within TRUTH_JOIN of each other; an outage is an episode of its
 * own, from network_lost to network_restored.
 */
#define TRUTH_JOIN	(60 * SIM_SECOND)

struct sim_episode_rec {
	int64_t		from, to;	/* to: INT64_MIN while an outage is open */
	uint32_t	events;
	uint8_t		kind;		/* enum proto_event_kind (the first) */
	uint8_t		ip_change;	/* outage: back on another address */
};

struct sim_answer_rec {			/* colluding and pre-knowledge only */
	int64_t		at;		/* 0: not answered */
	int32_t		elapsed;
	char		response;
	uint8_t		correct;
};

struct sim_change_rec {			/* an answer changed */
	int64_t		at;
	uint16_t	item;
	char		from, to;
};

struct sim_truth {
	struct sim_episode_rec *ep;
	struct sim_answer_rec *ans;	/* items entries, or NULL */
	struct sim_change_rec *chg;
	int		nchg, capchg;
	int		copied;		/* copier: copied answers given */
	int64_t		t_began;	/* in_progress, INT64_MIN before */
	int64_t		t_end;		/* submitted or terminated, INT64_MIN */
	uint16_t	nep, capep;
	uint8_t		merged;		/* episodes merged to stay under the cap */
};

struct sim {
	struct sim_cand	*cand;
	int		 n;
	int		 items;
	int		 forms;
	int		 item_width;	/* digits in "Q01" */
	int		 id_width;	/* digits in "A0001" */
	uint64_t	 seed;
	int64_t		 start_ms;
	int64_t		 now;		/* latest time advanced to */
	char		 exam[PROTO_ID_MAX + 1];
	struct sim_item	*form[SIM_FORMS_MAX];	/* forms entries of items each */
	struct sim_person *people;	/* ability, speed, form: one per attempt */
	int		*heap;		/* candidate indices */
	int		 heap_len;
	char		 data[256];	/* event data of the message being emitted */
	struct sim_truth *truth;	/* one per candidate, or NULL */
};

/*
 * ---- the heap: each live candidate once, earliest (due, index) on top.
 * A candidate never has two entries, so (due, index) is a total order and
 * no per-candidate sequence number is needed to break ties.
 */

static int
heap_less(const struct sim *s, int a, int b)
{
	const struct sim_cand	*ca = &s->cand[a], *cb = &s->cand[b];

	if (ca->due != cb->due)
		return ca->due < cb->due;
	return a < b;
}

static void
heap_set(struct sim *s, int pos, int idx)
{
	s->heap[pos] = idx;
	s->cand[idx].heap_pos = pos;
}

static void
heap_up(struct sim *s, int pos)
{
	int	idx = s->heap[pos], parent;

	while (pos > 0) {
		parent = (pos - 1) / 2;
		if (!heap_less(s, idx, s->heap[parent]))
			break;
		heap_set(s, pos, s->heap[parent]);
		pos = parent;
	}
	heap_set(s, pos, idx);
}

static void
heap_down(struct sim *s, int pos)
{
	int	idx = s->heap[pos], child;

	for (;;) {
		child = 2 * pos + 1;
		if (child >= s->heap_len)
			break;
		if (child + 1 < s->heap_len &&
		    heap_less(s, s->heap[child + 1], s->heap[child]))
			child++;
		if (!heap_less(s, s->heap[child], idx))
			break;
		heap_set(s, pos, s->heap[child]);
		pos = child;
	}
	heap_set(s, pos, idx);
}

static void
heap_push(struct sim *s, int idx)
{
	heap_set(s, s->heap_len++, idx);
	heap_up(s, s->heap_len - 1);
}

static void
heap_remove(struct sim *s, int idx)
{
	int	pos = s->cand[idx].heap_pos, last;

	if (pos < 0)
		return;
	s->cand[idx].heap_pos = -1;
	last = s->heap[--s->heap_len];
	if (pos == s->heap_len)
		return;
	heap_set(s, pos, last);
	heap_up(s, pos);
	heap_down(s, s->cand[last].heap_pos);
}

/* Recompute a candidate's due time from its clocks and fix its place. */
static void
cand_reschedule(struct sim *s, int idx)
{
	struct sim_cand	*c = &s->cand[idx];
	int64_t		 due;

	switch (c->phase) {
	case PH_PAUSED:
	case PH_LOCKED:
	case PH_ENDED:
		heap_remove(s, idx);
		return;
	case PH_RUNNING:
		due = c->t_step < c->t_event ? c->t_step : c->t_event;
		if (c->follow != FOLLOW_NONE && c->t_follow < due)
			due = c->t_follow;
		break;
	default:
		due = c->t_step;
		break;
	}
	c->due = due;
	if (c->heap_pos < 0)
		heap_push(s, idx);
	else {
		heap_up(s, c->heap_pos);
		heap_down(s, c->heap_pos);
	}
}

/* ---- identities */

static void
format_ip(uint32_t ip, char *out, size_t outsz)
{
	snprintf(out, outsz, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
	    (ip >> 8) & 0xff, ip & 0xff);
}

static void
format_attempt_id(const struct sim *s, int idx, char *out, size_t outsz)
{
	snprintf(out, outsz, "A%0*d", s->id_width, idx + 1);
}

static void
format_name(const struct sim *s, int idx, char *out, size_t outsz)
{
	uint64_t	h = rng_hash(s->seed, SALT_NAME, (uint64_t)idx);

	if (h % 12 == 0)
		snprintf(out, outsz, "%s",
		    whole_names[(h >> 8) % NITEMS(whole_names)]);
	else
		snprintf(out, outsz, "%s %s",
		    first_names[(h >> 8) % NITEMS(first_names)],
		    last_names[(h >> 24) % NITEMS(last_names)]);
}

/*
 * The attempt index named by id, or -1.  Ids are "A" and exactly id_width
 * digits (more once N outgrows them), so the id is formatted back and
 * compared rather than trusted.
 */
static int
parse_attempt_id(const struct sim *s, const char *id)
{
	char		 buf[PROTO_ID_MAX + 1];
	const char	*p;
	long		 v = 0;

	if (id[0] != 'A' || id[1] == '\0')
		return -1;
	for (p = id + 1; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || p - id > 9)
			return -1;
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > s->n)
		return -1;
	format_attempt_id(s, (int)v - 1, buf, sizeof buf);
	if (strcmp(buf, id) != 0)
		return -1;
	return (int)v - 1;
}

/* ---- ground truth, recorded as it is emitted */

static struct sim_episode_rec *
truth_push(struct sim_truth *tr)
{
	if (tr->nep == tr->capep) {
		tr->capep = tr->capep == 0 ? 4 : tr->capep * 2;
		tr->ep = xreallocarray(tr->ep, tr->capep, sizeof *tr->ep);
	}
	return &tr->ep[tr->nep++];
}

/* The latest episode of kind, or NULL. */
static struct sim_episode_rec *
truth_last(struct sim_truth *tr, enum proto_event_kind kind)
{
	int	i;

	for (i = tr->nep - 1; i >= 0; i--) {
		if (tr->ep[i].kind == kind)
			return &tr->ep[i];
	}
	return NULL;
}

/*
 * No room for another episode: merge the two nearest of one kind (the gap
 * from one's end to the next one's start the smallest), outages only if
 * nothing else can go.  Windows widen; every event stays inside one.
 */
static void
truth_make_room(struct sim_truth *tr)
{
	struct sim_episode_rec	*e, *x;
	int			 last[PROTO_EV_COUNT], i, k, pass;
	int			 best = -1, prev = -1;
	int64_t			 gap, bestgap = INT64_MAX;

	for (pass = 0; pass < 2 && best < 0; pass++) {
		for (k = 0; k < PROTO_EV_COUNT; k++)
			last[k] = -1;
		for (i = 0; i < tr->nep; i++) {
			k = tr->ep[i].kind;
			if ((k == PROTO_EV_NETWORK_LOST) != pass)
				continue;
			if (last[k] >= 0 && tr->ep[last[k]].to != INT64_MIN) {
				gap = tr->ep[i].from - tr->ep[last[k]].to;
				if (gap < bestgap) {
					bestgap = gap;
					best = i;
					prev = last[k];
				}
			}
			last[k] = i;
		}
	}
	if (best < 0)
		return;
	e = &tr->ep[prev];
	x = &tr->ep[best];
	if (x->to == INT64_MIN || x->to > e->to)
		e->to = x->to;
	e->events += x->events;
	e->ip_change |= x->ip_change;
	memmove(x, x + 1, (size_t)(tr->nep - best - 1) * sizeof *x);
	tr->nep--;
	tr->merged = 1;
}

/*
 * Record an event of kind at t lasting dur ms: joined to the latest
 * episode of its kind if it comes within TRUTH_JOIN of its end, else a new
 * episode.  network_lost always opens one.
 */
static void
truth_event(struct sim *s, int idx, int64_t t, enum proto_event_kind kind,
    int64_t dur)
{
	struct sim_truth	*tr;
	struct sim_episode_rec	*e;

	if (s->truth == NULL)
		return;
	tr = &s->truth[idx];
	e = truth_last(tr, kind);
	if (e != NULL && kind != PROTO_EV_NETWORK_LOST &&
	    t <= e->to + TRUTH_JOIN) {
		if (t + dur > e->to)
			e->to = t + dur;
		e->events++;
		return;
	}
	if (tr->nep >= SIM_TRUTH_EPISODES)
		truth_make_room(tr);
	if (tr->nep >= SIM_TRUTH_EPISODES)
		return;		/* cannot happen: fewer kinds than room */
	e = truth_push(tr);
	memset(e, 0, sizeof *e);
	e->from = t;
	e->to = kind == PROTO_EV_NETWORK_LOST ? INT64_MIN : t + dur;
	e->events = 1;
	e->kind = (uint8_t)kind;
}

/* An episode event: recorded if it is what the profile injects. */
static void
truth_episode(struct sim *s, int idx, int64_t t, enum proto_event_kind kind,
    int64_t dur)
{
	const struct sim_cand	*c = &s->cand[idx];
	int			 keep = 0;

	/* A warned candidate behaves: what it does then is not its profile. */
	if (t < c->calm_until && c->profile != SIM_PROXY &&
	    c->profile != SIM_FLAKY_NETWORK)
		return;
	switch (c->profile) {
	case SIM_PHONE:
		keep = kind == PROTO_EV_OBJECT_DETECTED ||
		    kind == PROTO_EV_GAZE_AWAY;
		break;
	case SIM_PROXY:
		keep = kind == PROTO_EV_IDENTITY_MISMATCH ||
		    kind == PROTO_EV_FACES_MULTIPLE ||
		    kind == PROTO_EV_REMOTE_ACCESS;
		break;
	case SIM_COLLUDING:
		keep = kind == PROTO_EV_FOCUS_LOST ||
		    kind == PROTO_EV_CLIPBOARD ||
		    kind == PROTO_EV_PROHIBITED_PROCESS;
		break;
	case SIM_DISTRACTED:
		keep = 1;
		break;
	case SIM_FLAKY_NETWORK:
		keep = kind == PROTO_EV_NETWORK_LOST;
		break;
	default:
		break;
	}
	if (keep)
		truth_event(s, idx, t, kind, dur);
}

/* The open outage ends at t (restored, or the attempt ended). */
static void
truth_outage_end(struct sim *s, int idx, int64_t t)
{
	struct sim_episode_rec	*e;

	if (s->truth == NULL)
		return;
	e = truth_last(&s->truth[idx], PROTO_EV_NETWORK_LOST);
	if (e != NULL && e->to == INT64_MIN)
		e->to = t;
}

static void
truth_ip_change(struct sim *s, int idx)
{
	struct sim_episode_rec	*e;

	if (s->truth == NULL)
		return;
	e = truth_last(&s->truth[idx], PROTO_EV_NETWORK_LOST);
	if (e != NULL)
		e->ip_change = 1;
}

static void
truth_ended(struct sim *s, int idx, int64_t t)
{
	if (s->truth == NULL)
		return;
	s->truth[idx].t_end = t;
	truth_outage_end(s, idx, t);
}

/* ---- emitting */

/*
 * Start m as a stream message of type (attempt, state, event or answer)
 * at t about candidate idx: its part of the union zeroed, no seq yet (the
 * feed numbers it), the attempt id written.
 */
static void
msg_start(struct sim *s, int idx, int64_t t, enum proto_type type,
    struct proto_msg *m)
{
	m->type = type;
	m->seq = 0;
	m->ts_ms = t;
	switch (type) {
	case PROTO_ATTEMPT:
		memset(&m->u.attempt, 0, sizeof m->u.attempt);
		format_attempt_id(s, idx, m->u.attempt.attempt,
		    sizeof m->u.attempt.attempt);
		break;
	case PROTO_STATE:
		memset(&m->u.state, 0, sizeof m->u.state);
		format_attempt_id(s, idx, m->u.state.attempt,
		    sizeof m->u.state.attempt);
		break;
	case PROTO_EVENT:
		memset(&m->u.event, 0, sizeof m->u.event);
		format_attempt_id(s, idx, m->u.event.attempt,
		    sizeof m->u.event.attempt);
		break;
	case PROTO_ANSWER:
	default:
		memset(&m->u.answer, 0, sizeof m->u.answer);
		format_attempt_id(s, idx, m->u.answer.attempt,
		    sizeof m->u.answer.attempt);
		break;
	}
}

static void
emit_attempt(struct sim *s, int idx, int64_t t, sim_emit_fn emit, void *arg)
{
	struct sim_cand		*c = &s->cand[idx];
	struct proto_msg	 m;
	struct proto_attempt	*a = &m.u.attempt;

	msg_start(s, idx, t, PROTO_ATTEMPT, &m);
	snprintf(a->candidate, sizeof a->candidate, "C%0*d", s->id_width,
	    idx + 1);
	format_name(s, idx, a->name, sizeof a->name);
	snprintf(a->exam, sizeof a->exam, "%s", s->exam);
	snprintf(a->form, sizeof a->form, "F%d", s->people[idx].form + 1);
	if (c->modality == PROTO_MODALITY_TEST_CENTER)
		snprintf(a->center, sizeof a->center, "TC-%02u", c->center);
	a->modality = c->modality;
	a->state = PROTO_STATE_SCHEDULED;
	format_ip(c->ip, a->ip, sizeof a->ip);
	snprintf(a->device, sizeof a->device, "dev-%012" PRIx64, c->device);
	c->state = PROTO_STATE_SCHEDULED;
	emit(&m, arg);
}

static void
emit_state(struct sim *s, int idx, int64_t t, enum proto_state st,
    sim_emit_fn emit, void *arg)
{
	struct proto_msg	m;

	msg_start(s, idx, t, PROTO_STATE, &m);
	m.u.state.state = st;
	s->cand[idx].state = st;
	emit(&m, arg);
}

/* Emit an event whose data is already in s->data. */
static void
emit_event(struct sim *s, int idx, int64_t t, enum proto_event_kind kind,
    sim_emit_fn emit, void *arg)
{
	struct proto_msg	m;

	msg_start(s, idx, t, PROTO_EVENT, &m);
	m.u.event.kind = kind;
	m.u.event.data = s->data;
	m.u.event.data_len = strlen(s->data);
	emit(&m, arg);
}

/* ---- behaviour */

/* Episodes per 1000 minutes and their weights, now. */
static const struct sim_behaviour *
cand_behaviour(const struct sim_cand *c, int64_t t)
{
	if (t < c->calm_until && c->profile != SIM_FLAKY_NETWORK)
		return &behaviours[SIM_HONEST];
	return &behaviours[c->profile];
}

/*
 * Time from one episode to the next: triangular on [0, 2 * mean), the mean
 * being 1000 / rate minutes, at least one second.
 */
static int64_t
episode_gap(struct sim_cand *c, int64_t t)
{
	const struct sim_behaviour	*b = cand_behaviour(c, t);
	uint64_t			 x = rng_next(&c->rng);
	int64_t				 mean, gap;

	mean = SIM_MINUTE * 1000 / b->rate;
	gap = (int64_t)(((x & 0xffffffff) * (uint64_t)mean) >> 32) +
	    (int64_t)(((x >> 32) * (uint64_t)mean) >> 32);
	return gap < SIM_SECOND ? SIM_SECOND : gap;
}

/* Owe a follow-up at t; the next episode waits until it is paid. */
static void
cand_follow(struct sim_cand *c, enum sim_follow f, int64_t t, unsigned arg)
{
	c->follow = f;
	c->t_follow = t;
	c->follow_arg = (uint16_t)arg;
}

static void
schedule_episode(struct sim_cand *c, int64_t t)
{
	int64_t	from = t;

	if (c->follow != FOLLOW_NONE && c->t_follow > from)
		from = c->t_follow;
	c->t_event = from + episode_gap(c, t);
}

static enum sim_episode
pick_episode(struct sim_cand *c, int64_t t)
{
	const struct sim_behaviour	*b = cand_behaviour(c, t);
	unsigned			 total = 0, r;
	int				 e;

	for (e = 0; e < EP_COUNT; e++)
		total += b->weight[e];
	r = rng_below(&c->rng, total);
	for (e = 0; e < EP_COUNT; e++) {
		if (r < b->weight[e])
			return (enum sim_episode)e;
		r -= b->weight[e];
	}
	return EP_GAZE;
}

static const char *
pick(uint64_t *rng, const char *const *table, size_t n)
{
	return table[rng_below(rng, (uint32_t)n)];
}

/* Start an episode at t: emit its event, owe its follow-up. */
static void
run_episode(struct sim *s, int idx, int64_t t, sim_emit_fn emit, void *arg)
{
	struct sim_cand		*c = &s->cand[idx];
	uint64_t		*r = &c->rng;
	enum sim_episode	 ep = pick_episode(c, t);
	enum proto_event_kind	 kind;
	const char		*app;
	int64_t			 secs, offline, dur = 0;

	switch (ep) {
	case EP_FOCUS:
		if (c->profile == SIM_DISTRACTED && t >= c->calm_until)
			app = pick(r, apps_distracted, NITEMS(apps_distracted));
		else if (c->profile == SIM_COLLUDING && t >= c->calm_until)
			app = pick(r, apps_colluding, NITEMS(apps_colluding));
		else
			app = pick(r, apps_benign, NITEMS(apps_benign));
		snprintf(s->data, sizeof s->data, "{\"app\":\"%s\"}", app);
		kind = PROTO_EV_FOCUS_LOST;
		secs = c->profile == SIM_HONEST ? rng_range(r, 2, 15) :
		    rng_range(r, 3, 60);
		cand_follow(c, FOLLOW_FOCUS_RETURNED, t + secs * SIM_SECOND,
		    (unsigned)secs);
		dur = secs * SIM_SECOND;
		break;
	case EP_GAZE:
		secs = c->profile == SIM_HONEST ? rng_range(r, 2, 6) :
		    rng_range(r, 3, 20);
		snprintf(s->data, sizeof s->data,
		    "{\"seconds\":%d,\"direction\":\"%s\"}", (int)secs,
		    c->profile == SIM_PHONE ? "down" :
		    pick(r, directions, NITEMS(directions)));
		kind = PROTO_EV_GAZE_AWAY;
		dur = secs * SIM_SECOND;
		break;
	case EP_VOICE:
		secs = rng_range(r, 1, c->profile == SIM_HONEST ? 3 : 12);
		snprintf(s->data, sizeof s->data, "{\"seconds\":%d}",
		    (int)secs);
		kind = PROTO_EV_VOICE_DETECTED;
		dur = secs * SIM_SECOND;
		break;
	case EP_IDLE:
		snprintf(s->data, sizeof s->data, "{\"seconds\":%d}",
		    (int)rng_range(r, 60, 240));
		kind = PROTO_EV_IDLE;
		break;
	case EP_FACE:
		snprintf(s->data, sizeof s->data, "{}");
		kind = PROTO_EV_FACE_MISSING;
		secs = rng_range(r, 4, 45);
		cand_follow(c, FOLLOW_FACE_RETURNED, t + secs * SIM_SECOND,
		    (unsigned)secs);
		dur = secs * SIM_SECOND;
		break;
	case EP_FULLSCREEN:
		snprintf(s->data, sizeof s->data, "{}");
		kind = PROTO_EV_FULLSCREEN_EXIT;
		break;
	case EP_RAISE_HAND:
		snprintf(s->data, sizeof s->data, "{}");
		kind = PROTO_EV_RAISE_HAND;
		break;
	case EP_PHONE:
		snprintf(s->data, sizeof s->data,
		    "{\"object\":\"phone\",\"confidence\":0.%02d}",
		    (int)rng_range(r, 80, 97));
		kind = PROTO_EV_OBJECT_DETECTED;
		break;
	case EP_OBJECT:
		snprintf(s->data, sizeof s->data,
		    "{\"object\":\"%s\",\"confidence\":0.%02d}",
		    rng_chance(r, 500) ? "book" : "earbuds",
		    (int)rng_range(r, 60, 90));
		kind = PROTO_EV_OBJECT_DETECTED;
		break;
	case EP_IDENTITY:
		snprintf(s->data, sizeof s->data,
		    "{\"similarity\":0.%02d,\"threshold\":0.60}",
		    (int)rng_range(r, 20, 55));
		kind = PROTO_EV_IDENTITY_MISMATCH;
		break;
	case EP_FACES:
		snprintf(s->data, sizeof s->data, "{\"count\":%d}",
		    rng_chance(r, 850) ? 2 : 3);
		kind = PROTO_EV_FACES_MULTIPLE;
		break;
	case EP_CLIPBOARD:
		snprintf(s->data, sizeof s->data,
		    "{\"op\":\"%s\",\"chars\":%d}",
		    rng_chance(r, 700) ? "paste" : "copy",
		    (int)rng_range(r, 8, 400));
		kind = PROTO_EV_CLIPBOARD;
		break;
	case EP_PROCESS:
		snprintf(s->data, sizeof s->data, "{\"name\":\"%s\"}",
		    pick(r, processes, NITEMS(processes)));
		kind = PROTO_EV_PROHIBITED_PROCESS;
		break;
	case EP_REMOTE:
		snprintf(s->data, sizeof s->data, "{\"tool\":\"%s\"}",
		    pick(r, remote_tools, NITEMS(remote_tools)));
		kind = PROTO_EV_REMOTE_ACCESS;
		break;
	case EP_NETWORK:
	default:
		/*
		 * The connection goes: nothing arrives until it is back, so
		 * the answer clock stops for the outage (the platform does
		 * not count offline time against the item).
		 */
		snprintf(s->data, sizeof s->data, "{}");
		kind = PROTO_EV_NETWORK_LOST;
		offline = rng_chance(r, 850) ? rng_range(r, 5000, 60000) :
		    rng_range(r, 60000, 240000);
		c->t_lost = t;
		if (c->t_step != INT64_MAX)	/* not a waiting copier */
			c->t_step += offline;
		c->t_prev += offline;
		c->t_first += offline;
		cand_follow(c, FOLLOW_NETWORK_RESTORED, t + offline, 0);
		break;
	}
	truth_episode(s, idx, t, kind, dur);
	emit_event(s, idx, t, kind, emit, arg);
	schedule_episode(c, t);
}

/* Pay the follow-up owed at t; it may owe another. */
static void
run_follow(struct sim *s, int idx, int64_t t, sim_emit_fn emit, void *arg)
{
	struct sim_cand		*c = &s->cand[idx];
	enum proto_event_kind	 kind;
	char			 from[PROTO_IP_MAX + 1], to[PROTO_IP_MAX + 1];
	uint32_t		 ip;
	enum sim_follow		 f = c->follow;

	c->follow = FOLLOW_NONE;
	switch (f) {
	case FOLLOW_FOCUS_RETURNED:
	case FOLLOW_FACE_RETURNED:
		snprintf(s->data, sizeof s->data, "{\"seconds\":%u}",
		    c->follow_arg);
		kind = f == FOLLOW_FOCUS_RETURNED ? PROTO_EV_FOCUS_RETURNED :
		    PROTO_EV_FACE_RETURNED;
		break;
	case FOLLOW_NETWORK_RESTORED:
		snprintf(s->data, sizeof s->data, "{\"offline_ms\":%" PRId64 "}",
		    t - c->t_lost);
		kind = PROTO_EV_NETWORK_RESTORED;
		truth_outage_end(s, idx, t);
		if (rng_chance(&c->rng, 300))
			cand_follow(c, FOLLOW_IP_CHANGE,
			    t + rng_range(&c->rng, 500, 3000), 0);
		break;
	case FOLLOW_IP_CHANGE:
		/* Back on another link: a carrier-grade NAT address. */
		ip = (100u << 24) | ((64u + rng_below(&c->rng, 64)) << 16) |
		    (rng_below(&c->rng, 256) << 8) |
		    (1 + rng_below(&c->rng, 254));
		format_ip(c->ip, from, sizeof from);
		format_ip(ip, to, sizeof to);
		c->ip = ip;
		snprintf(s->data, sizeof s->data,
		    "{\"from\":\"%s\",\"to\":\"%s\"}", from, to);
		kind = PROTO_EV_IP_CHANGE;
		truth_ip_change(s, idx);
		break;
	case FOLLOW_IDENTITY:
	default:
		snprintf(s->data, sizeof s->data,
		    "{\"similarity\":0.%02d,\"threshold\":0.60}",
		    (int)rng_range(&c->rng, 20, 55));
		kind = PROTO_EV_IDENTITY_MISMATCH;
		truth_episode(s, idx, t, kind, 0);
		break;
	}
	emit_event(s, idx, t, kind, emit, arg);
	if (c->follow != FOLLOW_NONE && c->t_event <= c->t_follow)
		c->t_event = c->t_follow + SIM_SECOND;
}

/* ---- answers */

/* Item k of attempt idx, as sim-answers.c plans it. */
static void
plan_of(const struct sim *s, int idx, int k, struct sim_plan *p)
{
	sim_plan_item(s->seed, s->people, idx, s->form[s->people[idx].form],
	    k, p);
}

/*
 * Time from the last answer to the first message about item k.  A copier
 * whose source has given item k already just takes the answer.
 */
static int64_t
answer_gap(const struct sim *s, int idx, int k)
{
	struct sim_plan	p;

	plan_of(s, idx, k, &p);
	if (p.copied && s->cand[s->people[idx].source].answered > k)
		return sim_copy_delay(s->seed, idx, k);
	return p.first != p.final ? p.t_first : p.t_total;
}

/* Emit an answer message about candidate idx's current item. */
static void
emit_answer(struct sim *s, int idx, int64_t t, int resp, int changed,
    int64_t elapsed, sim_emit_fn emit, void *arg)
{
	const struct sim_person	*pp = &s->people[idx];
	struct proto_msg	 m;
	struct proto_answer	*a = &m.u.answer;
	int			 k = s->cand[idx].answered;

	msg_start(s, idx, t, PROTO_ANSWER, &m);
	sim_item_id(s->forms, s->item_width, pp->form, k, a->item,
	    sizeof a->item);
	a->response[0] = (char)('A' + resp);
	a->correct = resp == s->form[pp->form][k].key;
	a->elapsed_ms = elapsed;
	a->changed = changed;
	emit(&m, arg);
}

/* A first answer that will be changed to final (pend_resp) later. */
static void
answer_first(struct sim *s, int idx, int64_t t, int shown, int final,
    sim_emit_fn emit, void *arg)
{
	struct sim_cand	*c = &s->cand[idx];

	c->t_first = t;
	c->shown = (char)('A' + shown);
	c->pend_resp = (char)('A' + final);
	c->pend_changed = 1;
	c->stage = STAGE_FINAL;
	emit_answer(s, idx, t, shown, 0, t - c->t_prev, emit, arg);
}

/*
 * Candidate idx, source of a copier, gave item k (k < 0: its attempt
 * ended): the copier waiting on it answers a few seconds later.
 */
static void
wake_copier(struct sim *s, int idx, int k, int64_t t)
{
	int		 j = s->cand[idx].link;
	struct sim_cand	*c;

	if (j < 0 || s->people[j].source != idx)
		return;
	c = &s->cand[j];
	if (c->stage != STAGE_WAIT || c->phase == PH_ENDED ||
	    (k >= 0 && c->answered != k))
		return;
	c->stage = STAGE_FINAL;
	c->t_step = t + sim_copy_delay(s->seed, j, c->answered);
	if (c->follow == FOLLOW_NETWORK_RESTORED && c->t_follow > t)
		c->t_step += c->t_follow - t;
	if (c->phase == PH_RUNNING)
		cand_reschedule(s, j);
}

/*
 * The final answer on the current item: recorded, the next item (or the
 * submission) scheduled, a waiting copier woken, the message emitted.
 */
static void
answer_final(struct sim *s, int idx, int64_t t, int resp, sim_emit_fn emit,
    void *arg)
{
	struct sim_cand		*c = &s->cand[idx];
	struct sim_truth	*tr = s->truth != NULL ? &s->truth[idx] : NULL;
	int			 k = c->answered, changed = c->pend_changed;
	int64_t			 elapsed = t - (changed ? c->t_first : c->t_prev);

	if (tr != NULL && tr->ans != NULL) {
		tr->ans[k].at = t;
		tr->ans[k].elapsed = (int32_t)elapsed;
		tr->ans[k].response = (char)('A' + resp);
		tr->ans[k].correct = resp == s->form[s->people[idx].form][k].key;
	}
	if (tr != NULL && changed) {
		if (tr->nchg == tr->capchg) {
			tr->capchg = tr->capchg == 0 ? 4 : tr->capchg * 2;
			tr->chg = xreallocarray(tr->chg, (size_t)tr->capchg,
			    sizeof *tr->chg);
		}
		tr->chg[tr->nchg].at = t;
		tr->chg[tr->nchg].item = (uint16_t)k;
		tr->chg[tr->nchg].from = c->shown;
		tr->chg[tr->nchg++].to = (char)('A' + resp);
	}
	if (tr != NULL && c->pend_copied)
		tr->copied++;
	emit_answer(s, idx, t, resp, changed, elapsed, emit, arg);
	c->stage = STAGE_NEXT;
	c->pend_changed = c->pend_copied = 0;
	c->t_prev = t;
	c->answered++;
	if (c->answered < s->items)
		c->t_step = t + answer_gap(s, idx, c->answered);
	else
		/* a last look over the paper, then submit (later by any
		 * extra time given so far) */
		c->t_step = t + 2000 + rng_below(&c->pace, 18000) + c->extra;
	wake_copier(s, idx, k, t);
}

/*
 * A copier's copied item, due at its own pace: given at once if the
 * source has answered it, else the copier waits for the source (showing
 * its own answer meanwhile if the plan says so, then changing it to the
 * source's: the abnormal change of invigil-feed(1)).
 */
static void
answer_copied(struct sim *s, int idx, int64_t t, const struct sim_plan *p,
    sim_emit_fn emit, void *arg)
{
	struct sim_cand	*c = &s->cand[idx];
	const struct sim_cand *src = &s->cand[s->people[idx].source];

	c->pend_copied = 1;
	if (src->answered > c->answered || src->phase == PH_ENDED) {
		answer_final(s, idx, t, p->final, emit, arg);
		return;
	}
	c->pend_resp = (char)('A' + p->final);
	if (p->own_first)
		answer_first(s, idx, t, p->own, p->final, emit, arg);
	c->stage = STAGE_WAIT;
	c->t_step = INT64_MAX;
}

static void
run_answer(struct sim *s, int idx, int64_t t, sim_emit_fn emit, void *arg)
{
	struct sim_cand	*c = &s->cand[idx];
	struct sim_plan	 p;

	if (c->stage == STAGE_FINAL) {
		answer_final(s, idx, t, c->pend_resp - 'A', emit, arg);
		return;
	}
	plan_of(s, idx, c->answered, &p);
	if (p.copied)
		answer_copied(s, idx, t, &p, emit, arg);
	else if (p.first == p.final)
		answer_final(s, idx, t, p.final, emit, arg);
	else {
		answer_first(s, idx, t, p.first, p.final, emit, arg);
		c->t_step = t + (p.t_total - p.t_first);
	}
}

/* Let candidate idx emit the one message due at its due time. */
static void
cand_step(struct sim *s, int idx, sim_emit_fn emit, void *arg)
{
	struct sim_cand	*c = &s->cand[idx];
	int64_t		 t = c->due;

	switch (c->phase) {
	case PH_NEW:
		emit_attempt(s, idx, t, emit, arg);
		c->phase = PH_ANNOUNCED;
		c->t_step = c->t_checkin;
		break;
	case PH_ANNOUNCED:
		emit_state(s, idx, t, PROTO_STATE_CHECKED_IN, emit, arg);
		c->phase = PH_CHECKED_IN;
		c->t_step = c->t_start;
		break;
	case PH_CHECKED_IN:
		c->phase = PH_RUNNING;
		c->t_prev = t;
		c->t_step = t + answer_gap(s, idx, 0);
		if (c->profile == SIM_PROXY && rng_chance(&c->rng, 600))
			cand_follow(c, FOLLOW_IDENTITY,
			    t + rng_range(&c->rng, 20, 120) * SIM_SECOND, 0);
		schedule_episode(c, t);
		if (s->truth != NULL)
			s->truth[idx].t_began = t;
		emit_state(s, idx, t, PROTO_STATE_IN_PROGRESS, emit, arg);
		break;
	case PH_RUNNING:
		/* Ties: the follow-up first, then the answer, then an episode. */
		if (c->follow != FOLLOW_NONE && c->t_follow == t)
			run_follow(s, idx, t, emit, arg);
		else if (c->t_step == t && c->answered >= s->items) {
			truth_ended(s, idx, t);
			emit_state(s, idx, t, PROTO_STATE_SUBMITTED, emit, arg);
			c->phase = PH_ENDED;
		} else if (c->t_step == t)
			run_answer(s, idx, t, emit, arg);
		else
			run_episode(s, idx, t, emit, arg);
		break;
	default:
		fprintf(stderr, "invigil: sim: attempt %d stepped in phase %d\n",
		    idx, c->phase);
		abort();
	}
	cand_reschedule(s, idx);
}

/* ---- the session */

/* Shuffle a[0..n) with the stream r (Fisher-Yates). */
static void
shuffle(int *a, int n, uint64_t *r)
{
	int	i, j, tmp;

	for (i = n - 1; i > 0; i--) {
		j = (int)rng_below(r, (uint32_t)i + 1);
		tmp = a[i];
		a[i] = a[j];
		a[j] = tmp;
	}
}

/*
 * Deal the profiles: a quota of each (rounded, a whole number of colluding
 * pairs, no proxy without someone to borrow a device from), honest for the
 * rest, shuffled by the seed.
 */
static void
assign_profiles(struct sim *s)
{
	int		*deck = xcalloc((size_t)s->n, sizeof *deck);
	int		 p, i, k, count, used = 0;
	uint64_t	 r = rng_hash(s->seed, SALT_PROFILES, 0);

	for (p = 1; p < SIM_PROFILE_COUNT; p++) {
		count = (int)(((int64_t)s->n * profile_percent[p] + 50) / 100);
		if (p == SIM_COLLUDING)
			count &= ~1;
		if (p == SIM_PROXY && s->n < 2)
			count = 0;
		if (count > s->n - used)
			count = s->n - used;
		for (k = 0; k < count; k++)
			deck[used++] = p;
	}
	for (i = used; i < s->n; i++)
		deck[i] = SIM_HONEST;
	shuffle(deck, s->n, &r);
	for (i = 0; i < s->n; i++)
		s->cand[i].profile = (uint8_t)deck[i];
	free(deck);
}

/*
 * The forms' items (sim-answers.c) and each attempt's ability, speed and
 * form: round-robin, F1, F2, ... (a copier's is its source's, see
 * link_candidates()).
 */
static void
make_people(struct sim *s)
{
	int	f, i;

	for (f = 0; f < s->forms; f++) {
		s->form[f] = xcalloc((size_t)s->items, sizeof *s->form[f]);
		sim_items_make(s->seed, f, s->items, s->form[f]);
	}
	s->people = xcalloc((size_t)s->n, sizeof *s->people);
	for (i = 0; i < s->n; i++) {
		sim_person_make(s->seed, i,
		    (enum sim_profile)s->cand[i].profile, s->items,
		    &s->people[i]);
		s->people[i].form = i % s->forms;
	}
}

/* Who each candidate is, where and when they check in. */
static void
init_candidate(struct sim *s, int idx, int ncenters, uint32_t block0)
{
	struct sim_cand	*c = &s->cand[idx];
	uint64_t	 h = rng_hash(s->seed, SALT_HOST, (uint64_t)idx);
	uint32_t	 block;

	c->rng = rng_hash(s->seed, SALT_CANDIDATE, (uint64_t)idx);
	c->pace = rng_hash(s->seed, SALT_PACE, (uint64_t)idx);
	c->heap_pos = -1;
	c->link = -1;
	c->phase = PH_NEW;
	c->state = PROTO_STATE_SCHEDULED;
	c->calm_until = INT64_MIN;
	c->device = rng_hash(s->seed, SALT_DEVICE, (uint64_t)idx) &
	    UINT64_C(0xffffffffffff);

	/* Some sit in a test centre; cheats of the networked kind do not. */
	c->modality = PROTO_MODALITY_REMOTE;
	if ((c->profile == SIM_HONEST || c->profile == SIM_DISTRACTED ||
	    c->profile == SIM_PHONE || c->profile == SIM_PREKNOWLEDGE) &&
	    h % 100 < 15) {
		c->modality = PROTO_MODALITY_TEST_CENTER;
		c->center = (uint8_t)(1 + (h >> 8) % (uint64_t)ncenters);
		/* The centre's own block, 198.18.C.0/24 (RFC 2544). */
		c->ip = (198u << 24) | (18u << 16) | ((uint32_t)c->center << 8) |
		    (uint32_t)(10 + (h >> 16) % 240);
	} else {
		/*
		 * A home network: a /24 of its own (a bijection of the index,
		 * so no two candidates share one by accident), any host.
		 */
		block = (block0 + (uint32_t)idx * 40503u) & 0xffff;
		c->ip = (10u << 24) | (block << 8) |
		    (uint32_t)(2 + (h >> 16) % 253);
	}
	c->t_step = s->start_ms;
	c->t_event = INT64_MAX;
	c->t_follow = INT64_MAX;
	c->t_checkin = s->start_ms + 2 * SIM_SECOND +
	    rng_range(&c->rng, 0, 8000);
	c->t_start = c->t_checkin + rng_range(&c->rng, 3000, 15000);
}

/*
 * Couplings: a proxy borrows a remote attempt's device; a colluding pair
 * (consecutive colluders in index order) shares a /24 or an address, a
 * form, a start a few seconds apart, a speed (tau) and the pace of its
 * last look; the second copies from the first.
 */
static void
link_candidates(struct sim *s)
{
	uint64_t	 r = rng_hash(s->seed, SALT_LINKS, 0);
	int		*pool = xcalloc((size_t)s->n, sizeof *pool);
	int		 i, n = 0, lead = -1, off;
	struct sim_cand	*c, *l;

	for (i = 0; i < s->n; i++) {
		if (s->cand[i].profile != SIM_PROXY &&
		    s->cand[i].modality == PROTO_MODALITY_REMOTE)
			pool[n++] = i;
	}
	if (n == 0) {
		for (i = 0; i < s->n; i++)
			if (s->cand[i].profile != SIM_PROXY)
				pool[n++] = i;
	}
	for (i = 0; i < s->n; i++) {
		c = &s->cand[i];
		if (c->profile != SIM_PROXY || n == 0)
			continue;
		c->link = pool[rng_below(&r, (uint32_t)n)];
		c->device = s->cand[c->link].device;
	}
	free(pool);

	for (i = 0; i < s->n; i++) {
		c = &s->cand[i];
		if (c->profile != SIM_COLLUDING)
			continue;
		if (lead < 0) {
			lead = i;
			continue;
		}
		l = &s->cand[lead];
		l->link = i;
		c->link = lead;
		l->pace = c->pace = rng_hash(s->seed, SALT_PAIR, (uint64_t)lead);
		s->people[i].source = lead;
		s->people[i].form = s->people[lead].form;
		s->people[i].tau = s->people[lead].tau;	/* one pace */
		if (rng_chance(&r, 400))
			c->ip = l->ip;
		else
			c->ip = (l->ip & 0xffffff00) |
			    (2 + ((l->ip & 0xff) - 2 + 1 +
			    rng_below(&r, 251)) % 253);
		off = (int)rng_range(&r, 1000, 4000);
		c->t_checkin = l->t_checkin + off;
		c->t_start = l->t_start + off;
		lead = -1;
	}
}

struct sim *
sim_new(const struct sim_config *cfg, int64_t start_ms)
{
	struct sim	*s = xcalloc(1, sizeof *s);
	int		 i, ncenters;
	uint32_t	 block0;

	s->n = cfg->candidates >= 1 ? cfg->candidates : 1;
	s->items = cfg->items >= 1 ? cfg->items : SIM_DEFAULT_ITEMS;
	if (s->items > SIM_ITEMS_MAX)
		s->items = SIM_ITEMS_MAX;
	s->item_width = s->items < 100 ? 2 : 3;
	s->forms = cfg->forms >= 1 ? cfg->forms : 1;
	if (s->forms > SIM_FORMS_MAX)
		s->forms = SIM_FORMS_MAX;
	s->id_width = 4;
	s->seed = cfg->seed;
	s->start_ms = start_ms;
	s->now = INT64_MIN;
	snprintf(s->exam, sizeof s->exam, "%s",
	    cfg->exam != NULL && cfg->exam[0] != '\0' ? cfg->exam :
	    SIM_DEFAULT_EXAM);

	s->cand = xcalloc((size_t)s->n, sizeof *s->cand);
	s->heap = xcalloc((size_t)s->n, sizeof *s->heap);
	assign_profiles(s);
	make_people(s);

	/* About one test centre per 300 candidates, at most 99. */
	ncenters = 1 + s->n / 300;
	if (ncenters > 99)
		ncenters = 99;
	block0 = (uint32_t)rng_hash(s->seed, SALT_BLOCK, 0) & 0xffff;
	for (i = 0; i < s->n; i++)
		init_candidate(s, i, ncenters, block0);
	link_candidates(s);
	if (cfg->truth) {
		s->truth = xcalloc((size_t)s->n, sizeof *s->truth);
		for (i = 0; i < s->n; i++) {
			s->truth[i].t_began = s->truth[i].t_end = INT64_MIN;
			if (s->cand[i].profile == SIM_COLLUDING ||
			    s->cand[i].profile == SIM_PREKNOWLEDGE)
				s->truth[i].ans = xcalloc((size_t)s->items,
				    sizeof *s->truth[i].ans);
		}
	}
	for (i = 0; i < s->n; i++)
		cand_reschedule(s, i);
	return s;
}

void
sim_free(struct sim *s)
{
	int	i;

	if (s == NULL)
		return;
	if (s->truth != NULL) {
		for (i = 0; i < s->n; i++) {
			free(s->truth[i].ep);
			free(s->truth[i].ans);
			free(s->truth[i].chg);
		}
		free(s->truth);
	}
	free(s->cand);
	free(s->heap);
	for (i = 0; i < s->forms; i++)
		free(s->form[i]);
	free(s->people);
	free(s);
}

void
sim_advance(struct sim *s, int64_t now_ms, sim_emit_fn emit, void *arg)
{
	while (s->heap_len > 0 && s->cand[s->heap[0]].due <= now_ms)
		cand_step(s, s->heap[0], emit, arg);
	if (now_ms > s->now)
		s->now = now_ms;
}

int64_t
sim_next_due(const struct sim *s)
{
	if (s->heap_len == 0)
		return INT64_MAX;
	return s->cand[s->heap[0]].due;
}

/*
 * Hold a candidate who is answering: paused (phase PH_PAUSED) or locked
 * (PH_LOCKED), out of the heap until sim_unhold().  0, or -1 with err: a
 * locked one is neither paused nor locked again, and only a running one
 * is held.
 */
static int
sim_hold(struct sim *s, int idx, const char *attempt, int phase,
    int64_t now_ms, char *err, size_t errlen)
{
	struct sim_cand	*c = &s->cand[idx];

	if (c->phase == PH_LOCKED && phase == PH_LOCKED) {
		snprintf(err, errlen, "attempt %s is already locked", attempt);
		return -1;
	}
	if (c->phase == PH_LOCKED) {
		snprintf(err, errlen, "attempt %s cannot be paused: it is "
		    "locked (resume it first)", attempt);
		return -1;
	}
	if (c->phase != PH_RUNNING) {
		snprintf(err, errlen, "attempt %s cannot be %s: it is %s, not "
		    "in_progress", attempt, phase == PH_LOCKED ? "locked" :
		    "paused", proto_state_name(c->state));
		return -1;
	}
	c->phase = (uint8_t)phase;
	c->t_paused = now_ms;
	cand_reschedule(s, idx);
	return 0;
}

/*
 * A paused or locked candidate goes on: everything owed moves on by the
 * time spent held (an outage's offline_ms still counts wall time, the
 * hold included).
 */
static void
sim_unhold(struct sim *s, int idx, int64_t now_ms)
{
	struct sim_cand	*c = &s->cand[idx];
	int64_t		 shift = now_ms - c->t_paused;

	if (c->t_step != INT64_MAX)
		c->t_step += shift;
	c->t_prev += shift;
	c->t_first += shift;
	if (c->t_event != INT64_MAX)
		c->t_event += shift;
	if (c->follow != FOLLOW_NONE)
		c->t_follow += shift;
	c->phase = PH_RUNNING;
	cand_reschedule(s, idx);
}

/*
 * extend: the submission comes cmd->minutes later.  Once every item is
 * answered the submission is scheduled (t_step) and moves now; before,
 * the time is owed and added when it is scheduled (answer_final).  The
 * codec has checked 1..PROTO_EXTEND_MAX; checked again, as the sim is
 * also called directly.  0, or -1 with err.
 */
static int
sim_extend(struct sim *s, int idx, const struct proto_cmd *cmd, char *err,
    size_t errlen)
{
	struct sim_cand	*c = &s->cand[idx];
	int64_t		 ms;

	if (cmd->minutes < 1 || cmd->minutes > PROTO_EXTEND_MAX) {
		snprintf(err, errlen, "attempt %s cannot be extended by %lld "
		    "minutes: from 1 to %d", cmd->attempt,
		    (long long)cmd->minutes, PROTO_EXTEND_MAX);
		return -1;
	}
	ms = cmd->minutes * SIM_MINUTE;
	/* Bounded: at most a year in all, far from overflow. */
	if (c->extended > 365LL * 24 * 60 * SIM_MINUTE) {
		snprintf(err, errlen, "attempt %s has been extended too often",
		    cmd->attempt);
		return -1;
	}
	c->extended += ms;
	if (c->answered >= s->items && c->stage == STAGE_NEXT &&
	    c->t_step != INT64_MAX && c->phase >= PH_RUNNING) {
		c->t_step += ms;
		cand_reschedule(s, idx);
	} else
		c->extra += ms;
	return 0;
}

int
sim_command(struct sim *s, const struct proto_cmd *cmd, int64_t now_ms,
    sim_emit_fn emit, void *arg, char *err, size_t errlen)
{
	struct sim_cand	*c;
	int		 idx;

	if ((idx = parse_attempt_id(s, cmd->attempt)) < 0) {
		snprintf(err, errlen, "no attempt \"%s\" in this session",
		    cmd->attempt);
		return -1;
	}

	/*
	 * A command happens at a point on the simulated clock: never before
	 * what has been emitted already, nor before the attempts exist.
	 * Whatever is due by then is emitted first, so the stream stays in
	 * time order.
	 */
	if (now_ms < s->now)
		now_ms = s->now;
	if (now_ms < s->start_ms)
		now_ms = s->start_ms;
	sim_advance(s, now_ms, emit, arg);
	c = &s->cand[idx];

	if (c->phase == PH_ENDED) {
		snprintf(err, errlen, "attempt %s is already %s", cmd->attempt,
		    proto_state_name(c->state));
		return -1;
	}
	switch (cmd->action) {
	case PROTO_ACTION_WARN:
	case PROTO_ACTION_MESSAGE:
		/* A warned candidate behaves for three to six minutes. */
		if (c->profile == SIM_FLAKY_NETWORK || c->profile == SIM_HONEST)
			return 0;
		c->calm_until = now_ms + rng_range(&c->rng, 3, 6) * SIM_MINUTE;
		if (c->phase == PH_RUNNING) {
			schedule_episode(c, now_ms);
			cand_reschedule(s, idx);
		}
		return 0;
	case PROTO_ACTION_EXTEND:
		return sim_extend(s, idx, cmd, err, errlen);
	case PROTO_ACTION_LOCK:
		/* Like a pause, but no state message: still in_progress. */
		return sim_hold(s, idx, cmd->attempt, PH_LOCKED, now_ms, err,
		    errlen);
	case PROTO_ACTION_PAUSE:
		if (sim_hold(s, idx, cmd->attempt, PH_PAUSED, now_ms, err,
		    errlen) != 0)
			return -1;
		emit_state(s, idx, now_ms, PROTO_STATE_PAUSED, emit, arg);
		return 0;
	case PROTO_ACTION_RESUME:
		if (c->phase != PH_PAUSED && c->phase != PH_LOCKED) {
			snprintf(err, errlen, "attempt %s cannot be resumed: it "
			    "is %s, not paused or locked", cmd->attempt,
			    proto_state_name(c->state));
			return -1;
		}
		sim_unhold(s, idx, now_ms);
		/* An unlocked screen changes no state: the ack says it. */
		if (c->state == PROTO_STATE_PAUSED)
			emit_state(s, idx, now_ms, PROTO_STATE_IN_PROGRESS,
			    emit, arg);
		return 0;
	case PROTO_ACTION_TERMINATE:
		truth_ended(s, idx, now_ms);
		c->phase = PH_ENDED;
		cand_reschedule(s, idx);
		wake_copier(s, idx, -1, now_ms);
		emit_state(s, idx, now_ms, PROTO_STATE_TERMINATED, emit, arg);
		return 0;
	default:
		snprintf(err, errlen, "unknown action %d", (int)cmd->action);
		return -1;
	}
}

int
sim_candidates(const struct sim *s)
{
	return s->n;
}

enum sim_profile
sim_profile_of(const struct sim *s, int index)
{
	if (index < 0 || index >= s->n)
		return SIM_PROFILE_COUNT;
	return (enum sim_profile)s->cand[index].profile;
}

const char *
sim_profile_name(enum sim_profile p)
{
	if ((int)p < 0 || p >= SIM_PROFILE_COUNT)
		return "?";
	return profile_names[p];
}

int
sim_link_of(const struct sim *s, int index)
{
	if (index < 0 || index >= s->n)
		return -1;
	return s->cand[index].link;
}

int
sim_item_leaked(const struct sim *s, int item)
{
	if (item < 0 || item >= s->items)
		return 0;
	return s->form[0][item].leaked;
}

/* ---- ground truth, written (invigil-feed(1), GROUND TRUTH) */

/* What an episode of kind is called in a profile's truth. */
static const char *
truth_signal(enum sim_profile p, enum proto_event_kind kind)
{
	if (p == SIM_PHONE && kind == PROTO_EV_OBJECT_DETECTED)
		return "phone_seen";
	if (p == SIM_PHONE && kind == PROTO_EV_GAZE_AWAY)
		return "looks_down";
	if (p == SIM_COLLUDING && kind == PROTO_EV_FOCUS_LOST)
		return "chat_app";
	if (kind == PROTO_EV_NETWORK_LOST)
		return "outage";
	return proto_event_kind_name(kind);
}

/* ,"key":"2026-...Z" or ,"key":null */
static void
truth_time(FILE *out, const char *key, int64_t ms)
{
	char	ts[32];

	if (ms == INT64_MIN) {
		fprintf(out, ",\"%s\":null", key);
		return;
	}
	proto_time_format(ms, ts);
	fprintf(out, ",\"%s\":\"%s\"", key, ts);
}

static void
truth_id(const struct sim *s, FILE *out, int idx)
{
	char	id[PROTO_ID_MAX + 1];

	format_attempt_id(s, idx, id, sizeof id);
	fprintf(out, "\"%s\"", id);
}

static void
truth_item(const struct sim *s, FILE *out, int f, int k)
{
	char	id[32];

	sim_item_id(s->forms, s->item_width, f, k, id, sizeof id);
	fprintf(out, "\"%s\"", id);
}

/* Open an entry of a list: {"type":T,"signal":G */
static void
truth_entry(FILE *out, int *first, const char *type, const char *signal)
{
	fprintf(out, "%s{\"type\":\"%s\",\"signal\":\"%s\"", *first ? "" : ",",
	    type, signal);
	*first = 0;
}

/* Whole-attempt entries of a proxy or a colluder, and answer-made ones. */
static void
truth_coupled(const struct sim *s, FILE *out, int idx, int *first)
{
	const struct sim_cand	*c = &s->cand[idx], *p;
	const struct sim_truth	*tr = s->truth != NULL ? &s->truth[idx] : NULL;
	const struct sim_answer_rec *a, *b;
	int64_t			 end = tr != NULL ? tr->t_end : INT64_MIN;
	int64_t			 lo = INT64_MAX, hi = INT64_MIN;
	char			 ip[PROTO_IP_MAX + 1];
	int			 k, answered = 0, compared = 0, same = 0;
	int			 close = 0, n, f = s->people[idx].form;
	const struct sim_item	*it = s->form[f];

	if (c->profile == SIM_PROXY && c->link >= 0) {
		truth_entry(out, first, "proxy", "shared_device");
		fprintf(out, ",\"with\":");
		truth_id(s, out, c->link);
		fprintf(out, ",\"device\":\"dev-%012" PRIx64 "\"", c->device);
		truth_time(out, "from", s->start_ms);
		truth_time(out, "to", end);
		fputc('}', out);
	}
	if (c->profile == SIM_COLLUDING && c->link >= 0) {
		p = &s->cand[c->link];
		truth_entry(out, first, "colluding", "partner");
		fprintf(out, ",\"with\":");
		truth_id(s, out, c->link);
		truth_time(out, "from", s->start_ms);
		truth_time(out, "to", end);
		fputc('}', out);
		truth_entry(out, first, "colluding", "shared_network");
		fprintf(out, ",\"with\":");
		truth_id(s, out, c->link);
		format_ip(c->ip, ip, sizeof ip);
		fprintf(out, ",\"ip\":\"%s\"", ip);
		format_ip(p->ip, ip, sizeof ip);
		fprintf(out, ",\"partner_ip\":\"%s\",\"same_address\":%s", ip,
		    c->ip == p->ip ? "true" : "false");
		truth_time(out, "from", s->start_ms);
		truth_time(out, "to", end);
		fputc('}', out);
		if (tr != NULL && tr->ans != NULL &&
		    s->truth[c->link].ans != NULL) {
			for (k = 0; k < s->items; k++) {
				a = &tr->ans[k];
				b = &s->truth[c->link].ans[k];
				if (a->at == 0)
					continue;
				answered++;
				lo = a->at < lo ? a->at : lo;
				hi = a->at > hi ? a->at : hi;
				if (b->at == 0)
					continue;
				compared++;
				same += a->response == b->response;
				close += llabs(a->at - b->at) <= 5 * SIM_SECOND;
			}
			if (answered > 0) {
				truth_entry(out, first, "colluding",
				    "similar_answers");
				fprintf(out, ",\"with\":");
				truth_id(s, out, c->link);
				truth_time(out, "from", lo);
				truth_time(out, "to", hi);
				fprintf(out, ",\"events\":%d,\"compared\":%d,"
				    "\"same\":%d,\"close\":%d}", answered,
				    compared, same, close);
			}
		}
	}
	if (c->profile == SIM_PREKNOWLEDGE) {
		truth_entry(out, first, "preknowledge", "leaked_items");
		fprintf(out, ",\"items\":[");
		for (k = n = 0; k < s->items; k++) {
			if (!it[k].leaked)
				continue;
			if (n++ > 0)
				fputc(',', out);
			truth_item(s, out, f, k);
		}
		fputc(']', out);
		truth_time(out, "from", s->start_ms);
		truth_time(out, "to", end);
		fputc('}', out);
		if (tr == NULL || tr->ans == NULL)
			return;
		for (k = n = 0; k < s->items; k++) {
			a = &tr->ans[k];
			if (!it[k].leaked || a->at == 0)
				continue;
			n++;
			lo = a->at < lo ? a->at : lo;
			hi = a->at > hi ? a->at : hi;
		}
		if (n == 0)
			return;
		truth_entry(out, first, "preknowledge", "fast_correct");
		truth_time(out, "from", lo);
		truth_time(out, "to", hi);
		fprintf(out, ",\"events\":%d,\"answers\":[", n);
		for (k = n = 0; k < s->items; k++) {
			a = &tr->ans[k];
			if (!it[k].leaked || a->at == 0)
				continue;
			fprintf(out, "%s{\"item\":", n++ > 0 ? "," : "");
			truth_item(s, out, f, k);
			truth_time(out, "at", a->at);
			fprintf(out, ",\"elapsed_ms\":%d,\"correct\":%s}",
			    (int)a->elapsed, a->correct ? "true" : "false");
		}
		fprintf(out, "]}");
	}
}

/* The recorded episodes that go in list (0 misconduct, 1 behaviour, 2 outages). */
static void
truth_episodes(const struct sim *s, FILE *out, int idx, int list, int *first)
{
	const struct sim_cand	*c = &s->cand[idx];
	const struct sim_truth	*tr;
	const struct sim_episode_rec *e;
	enum sim_profile	 p = (enum sim_profile)c->profile;
	int			 i, want;

	if (s->truth == NULL)
		return;
	tr = &s->truth[idx];
	for (i = 0; i < tr->nep; i++) {
		e = &tr->ep[i];
		if (e->kind == PROTO_EV_NETWORK_LOST)
			want = 2;
		else if (p == SIM_DISTRACTED)
			want = 1;
		else
			want = 0;
		if (want != list)
			continue;
		truth_entry(out, first, list == 2 ? "outage" : profile_names[p],
		    truth_signal(p, (enum proto_event_kind)e->kind));
		if (list != 2)
			fprintf(out, ",\"event\":\"%s\"",
			    proto_event_kind_name((enum proto_event_kind)e->kind));
		truth_time(out, "from", e->from);
		truth_time(out, "to", e->to);
		fprintf(out, ",\"events\":%" PRIu32, e->events);
		if (list == 2) {
			if (e->to != INT64_MIN)
				fprintf(out, ",\"offline_ms\":%" PRId64,
				    e->to - e->from);
			fprintf(out, ",\"ip_change\":%s",
			    e->ip_change ? "true" : "false");
		}
		fputc('}', out);
	}
}

static int
truth_cheating(enum sim_profile p)
{
	return p == SIM_PHONE || p == SIM_PROXY || p == SIM_COLLUDING ||
	    p == SIM_PREKNOWLEDGE;
}

/*
 * The attempt's form, ability and speed, what its profile did to its
 * answers, and its answer changes.
 */
static void
truth_model(const struct sim *s, FILE *out, int idx)
{
	const struct sim_person	*pp = &s->people[idx];
	const struct sim_truth	*tr = s->truth != NULL ? &s->truth[idx] : NULL;
	struct sim_plan		 p;
	int			 k, n, i;

	fprintf(out, ",\"form\":\"F%d\",\"theta\":%.4f,\"tau\":%.4f",
	    pp->form + 1, pp->theta, pp->tau);
	if (pp->profile == SIM_PROXY)
		fprintf(out, ",\"history_theta\":%.4f,\"history_tau\":%.4f",
		    pp->history_theta, pp->history_tau);
	if (pp->source >= 0) {
		for (k = n = 0; k < s->items; k++) {
			plan_of(s, idx, k, &p);
			n += p.copied;
		}
		fprintf(out, ",\"role\":\"copier\",\"source\":");
		truth_id(s, out, pp->source);
		fprintf(out, ",\"copy_share\":%.4f,\"copy_planned\":%d,"
		    "\"copied\":%d", pp->copy_share, n,
		    tr != NULL ? tr->copied : 0);
	} else if (pp->profile == SIM_COLLUDING &&
	    s->cand[idx].link >= 0)
		fprintf(out, ",\"role\":\"source\"");
	if (pp->profile == SIM_RAPID_GUESSER) {
		fprintf(out, ",\"rapid_from\":");
		truth_item(s, out, pp->form, pp->rapid_from);
		fprintf(out, ",\"rapid_items\":%d", s->items - pp->rapid_from);
	}
	fprintf(out, ",\"changes\":[");
	for (i = 0; tr != NULL && i < tr->nchg; i++) {
		fprintf(out, "%s{\"item\":", i > 0 ? "," : "");
		truth_item(s, out, pp->form, tr->chg[i].item);
		fprintf(out, ",\"from\":\"%c\",\"to\":\"%c\"", tr->chg[i].from,
		    tr->chg[i].to);
		truth_time(out, "at", tr->chg[i].at);
		fputc('}', out);
	}
	fputc(']', out);
}

static void
truth_attempt(const struct sim *s, FILE *out, int idx, const int *lent_first,
    const int *lent_next)
{
	const struct sim_cand	*c = &s->cand[idx];
	const struct sim_truth	*tr = s->truth != NULL ? &s->truth[idx] : NULL;
	enum sim_profile	 p = (enum sim_profile)c->profile;
	int			 first, j;

	fprintf(out, "{\"t\":\"attempt\",\"attempt\":");
	truth_id(s, out, idx);
	fprintf(out, ",\"candidate\":\"C%0*d\",\"profile\":\"%s\","
	    "\"cheating\":%s,\"state\":\"%s\"", s->id_width, idx + 1,
	    profile_names[p], truth_cheating(p) ? "true" : "false",
	    proto_state_name((enum proto_state)c->state));
	truth_time(out, "started", tr != NULL ? tr->t_began : INT64_MIN);
	truth_time(out, "ended", tr != NULL ? tr->t_end : INT64_MIN);
	if (c->extended > 0)
		fprintf(out, ",\"extended_min\":%lld",
		    (long long)(c->extended / SIM_MINUTE));
	fprintf(out, ",\"answered\":%d,\"links\":[", c->answered);
	if (c->link >= 0)
		truth_id(s, out, c->link);
	fputc(']', out);
	if (lent_first[idx] >= 0) {
		fprintf(out, ",\"lent_device_to\":[");
		for (j = lent_first[idx]; j >= 0; j = lent_next[j]) {
			truth_id(s, out, j);
			if (lent_next[j] >= 0)
				fputc(',', out);
		}
		fputc(']', out);
	}
	truth_model(s, out, idx);
	fprintf(out, ",\"misconduct\":[");
	first = 1;
	truth_coupled(s, out, idx, &first);
	truth_episodes(s, out, idx, 0, &first);
	fprintf(out, "],\"behaviour\":[");
	first = 1;
	truth_episodes(s, out, idx, 1, &first);
	fprintf(out, "],\"outages\":[");
	first = 1;
	truth_episodes(s, out, idx, 2, &first);
	fputc(']', out);
	if (tr != NULL && tr->merged)
		fprintf(out, ",\"merged\":true");
	fprintf(out, "}\n");
}

int
sim_truth_write(const struct sim *s, FILE *out)
{
	int	*lent_first, *lent_next, count[SIM_PROFILE_COUNT];
	int	 i, k, n, f;

	lent_first = xcalloc((size_t)s->n, sizeof *lent_first);
	lent_next = xcalloc((size_t)s->n, sizeof *lent_next);
	memset(count, 0, sizeof count);
	for (i = 0; i < s->n; i++)
		lent_first[i] = lent_next[i] = -1;
	/* Backwards, so that each owner's list comes out in index order. */
	for (i = s->n - 1; i >= 0; i--) {
		count[s->cand[i].profile]++;
		if (s->cand[i].profile == SIM_PROXY && s->cand[i].link >= 0) {
			lent_next[i] = lent_first[s->cand[i].link];
			lent_first[s->cand[i].link] = i;
		}
	}

	fprintf(out, "{\"t\":\"session\",\"format\":1,\"seed\":%" PRIu64
	    ",\"exam\":\"%s\",\"items\":%d,\"forms\":%d,\"candidates\":%d",
	    s->seed, s->exam, s->items, s->forms, s->n);
	truth_time(out, "start", s->start_ms);
	truth_time(out, "as_of", s->now > s->start_ms ? s->now : s->start_ms);
	fprintf(out, ",\"ended\":%s,\"episodes\":%s,\"leaked\":[",
	    sim_next_due(s) == INT64_MAX ? "true" : "false",
	    s->truth != NULL ? "true" : "false");
	for (f = n = 0; f < s->forms; f++) {
		for (k = 0; k < s->items; k++) {
			if (!s->form[f][k].leaked)
				continue;
			if (n++ > 0)
				fputc(',', out);
			truth_item(s, out, f, k);
		}
	}
	fprintf(out, "],\"profiles\":{");
	for (i = 0; i < SIM_PROFILE_COUNT; i++)
		fprintf(out, "%s\"%s\":%d", i > 0 ? "," : "", profile_names[i],
		    count[i]);
	fprintf(out, "},\"misconduct_types\":[");
	for (i = n = 0; i < SIM_PROFILE_COUNT; i++) {
		if (truth_cheating((enum sim_profile)i))
			fprintf(out, "%s\"%s\"", n++ > 0 ? "," : "",
			    profile_names[i]);
	}
	fprintf(out, "]}\n");
	for (f = 0; f < s->forms; f++)
		for (k = 0; k < s->items; k++)
			sim_item_truth(out, s->forms, s->item_width, f, k,
			    &s->form[f][k]);
	for (i = 0; i < s->n; i++)
		truth_attempt(s, out, i, lent_first, lent_next);
	free(lent_first);
	free(lent_next);
	return ferror(out) ? -1 : 0;
}

int
sim_truth_save(const struct sim *s, const char *path, char *err,
    size_t errlen)
{
	char	 tmp[4096], shown[1024];
	FILE	*fp;
	int	 rc, e, fd;

	proto_clean(path, shown, sizeof shown);
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >=
	    sizeof tmp) {
		snprintf(err, errlen, "--truth %s: the path is too long", shown);
		return -1;
	}
	/*
	 * A new file of a name no one could guess, mode 0600 (O_CREAT|O_EXCL:
	 * never a file or a link planted in advance), renamed over path.
	 */
	if ((fd = mkstemp(tmp)) == -1) {
		snprintf(err, errlen, "--truth %s: cannot create a temporary "
		    "file beside it: %s", shown, strerror(errno));
		return -1;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "--truth %s: %s", shown, strerror(errno));
		close(fd);
		remove(tmp);
		return -1;
	}
	rc = sim_truth_write(s, fp);
	if (fflush(fp) != 0)
		rc = -1;
	e = errno;
	if (fclose(fp) != 0 && rc == 0) {
		rc = -1;
		e = errno;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		rc = -1;
		e = errno;
	}
	if (rc != 0) {
		remove(tmp);
		snprintf(err, errlen, "--truth %s: %s", shown, strerror(e));
	}
	return rc;
}
