/*
 * names.c - the protocol's enums and their names on the wire.
 *
 * One table per enum, indexed by the enum value; the tables are the single
 * source of truth for names (the codec, the store and the screen all use
 * them).
 */
#include <string.h>

#include "proto/proto.h"

static const char *const type_names[PROTO_TYPE_COUNT] = {
	"hello", "welcome", "attempt", "event", "answer", "state", "cmd",
	"ack", "gap"
};

static const char *const state_names[PROTO_STATE_COUNT] = {
	"scheduled", "checked_in", "in_progress", "paused", "submitted",
	"terminated"
};

static const char *const modality_names[PROTO_MODALITY_COUNT] = {
	"remote", "test_center"
};

static const char *const event_kind_names[PROTO_EV_COUNT] = {
	"focus_lost", "focus_returned", "fullscreen_exit", "clipboard",
	"print_screen", "devtools_opened", "display_added", "vm_detected",
	"remote_access", "prohibited_process", "face_missing",
	"face_returned", "faces_multiple", "gaze_away", "voice_detected",
	"object_detected", "identity_mismatch", "ip_change", "device_change",
	"network_lost", "network_restored", "idle", "raise_hand"
};

static const char *const action_names[PROTO_ACTION_COUNT] = {
	"warn", "message", "pause", "resume", "terminate", "extend", "lock"
};

static const char *const severity_names[PROTO_SEV_COUNT] = {
	"info", "low", "medium", "high", "critical"
};

static const char *
name_of(const char *const *table, int count, int value)
{
	if (value < 0 || value >= count)
		return "?";
	return table[value];
}

static int
parse_in(const char *const *table, int count, const char *s)
{
	int	i;

	if (s == NULL)
		return -1;
	for (i = 0; i < count; i++) {
		if (strcmp(table[i], s) == 0)
			return i;
	}
	return -1;
}

const char *
proto_type_name(enum proto_type v)
{
	return name_of(type_names, PROTO_TYPE_COUNT, v);
}

int
proto_type_parse(const char *s)
{
	return parse_in(type_names, PROTO_TYPE_COUNT, s);
}

const char *
proto_state_name(enum proto_state v)
{
	return name_of(state_names, PROTO_STATE_COUNT, v);
}

int
proto_state_parse(const char *s)
{
	return parse_in(state_names, PROTO_STATE_COUNT, s);
}

const char *
proto_modality_name(enum proto_modality v)
{
	return name_of(modality_names, PROTO_MODALITY_COUNT, v);
}

int
proto_modality_parse(const char *s)
{
	return parse_in(modality_names, PROTO_MODALITY_COUNT, s);
}

const char *
proto_event_kind_name(enum proto_event_kind v)
{
	return name_of(event_kind_names, PROTO_EV_COUNT, v);
}

int
proto_event_kind_parse(const char *s)
{
	return parse_in(event_kind_names, PROTO_EV_COUNT, s);
}

const char *
proto_action_name(enum proto_action v)
{
	return name_of(action_names, PROTO_ACTION_COUNT, v);
}

int
proto_action_parse(const char *s)
{
	return parse_in(action_names, PROTO_ACTION_COUNT, s);
}

int
proto_type_is_stream(enum proto_type t)
{
	return t == PROTO_ATTEMPT || t == PROTO_EVENT || t == PROTO_ANSWER ||
	    t == PROTO_STATE || t == PROTO_ACK;
}

const char *
proto_severity_name(enum proto_severity v)
{
	return name_of(severity_names, PROTO_SEV_COUNT, v);
}

int
proto_severity_parse(const char *s)
{
	return parse_in(severity_names, PROTO_SEV_COUNT, s);
}
