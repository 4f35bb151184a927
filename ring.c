/*
 * ring.c: the event ring.  Every state change becomes a numbered event,
 * pushed to every client watching its session and remembered, so that a
 * watcher that comes back with "since=SEQ" is replayed what it missed, or
 * is sent a snapshot when that is no longer possible.
 *
 * Invariants:
 *  - event sequence numbers grow by exactly one per event for the life of
 *    the agent; event seq lives in ring[seq % CM_EVENTS_MAX], and the last
 *    CM_EVENTS_MAX are kept;
 *  - a replay is sent only to a watcher of this same agent instance, and
 *    only when every event it missed is still in the ring.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "agent.h"

/*
 * A remembered event: its line as sent, with the session's name found inside
 * it (names need no escaping).  Event seq lives in ring[seq % CM_EVENTS_MAX].
 */
struct event {
	char		*line;
	uint32_t	 len;
	uint16_t	 name_off;
	uint16_t	 name_len;
};

static struct event	 ring[CM_EVENTS_MAX];
uint64_t		 seq;

/* Does the client's watch list take this session? */
static int
name_watched_n(const struct client *c, const char *name, size_t n)
{
	int	 i;

	if (c->watch == NULL)
		return (1);
	for (i = 0; i < c->nwatch; i++) {
		if (strlen(c->watch[i]) == n &&
		    memcmp(c->watch[i], name, n) == 0)
			return (1);
	}
	return (0);
}

static int
name_watched(const struct client *c, const char *name)
{
	return (name_watched_n(c, name, strlen(name)));
}

static int
client_watches(const struct client *c, const char *name)
{
	return (c->authed && c->watching && name_watched(c, name));
}

/* Record an event and push it to every client watching its session. */
void
event_emit(const char *name, const char *type, const char *detail)
{
	struct event	*e;
	size_t		 off;
	int		 i;

	seq++;
	line_start("event", NULL);
	line_fields(instance);
	line_num((long long)seq);
	line_num((long long)wall_ms());
	off = scratch.len + 1;
	line_fields(name);
	line_fields(type);
	line_fields(detail);
	(void)buf_add(&scratch, "\n", 1);

	e = &ring[seq % CM_EVENTS_MAX];
	free(e->line);
	e->line = xmalloc(scratch.len);
	memcpy(e->line, buf_ptr(&scratch), scratch.len);
	e->len = (uint32_t)scratch.len;
	e->name_off = (uint16_t)off;
	e->name_len = (uint16_t)strlen(name);
	log_debug("event %llu %s %s", (unsigned long long)seq, name, type);

	for (i = 0; i < nclients; i++) {
		if (client_watches(clients[i], name))
			client_queue(clients[i], e->line, e->len);
	}
}

static void
send_snapshot(struct client *c, const char *id)
{
	int	 i;

	for (i = 0; i < nsessions; i++) {
		if (sessions[i]->gone || sessions[i]->creating ||
		    !name_watched(c, sessions[i]->name))
			continue;
		line_start("data", id);
		line_session(sessions[i]);
		line_send(c);
	}
}

void
do_watch(struct client *c, struct request *r)
{
	uint64_t	 since = 0, oldest, s;
	int		 has_since = 0, snapshot = 0, same = 1, i, nn = 0;
	struct field	*f, v;
	const char	*mode;
	struct event	*e;

	for (i = 0; i < c->nwatch; i++)
		free(c->watch[i]);
	free(c->watch);
	c->watch = NULL;
	c->nwatch = 0;
	for (i = 0; i < r->argc; i++) {
		f = &r->argv[i];
		if (f->n > 6 && memcmp(f->p, "since=", 6) == 0) {
			v.p = f->p + 6;
			v.n = f->n - 6;
			(void)proto_field_u64(&v, &since);
			has_since = 1;
		} else if (f->n > 9 && memcmp(f->p, "instance=", 9) == 0)
			same = f->n - 9 == strlen(instance) &&
			    memcmp(f->p + 9, instance, f->n - 9) == 0;
		else if (proto_field_eq(f, "snapshot"))
			snapshot = 1;
		else
			nn++;
	}
	if (nn > 0) {
		c->watch = xcalloc((size_t)nn, sizeof *c->watch);
		for (i = 0; i < r->argc; i++) {
			f = &r->argv[i];
			if (memchr(f->p, '=', f->n) != NULL ||
			    proto_field_eq(f, "snapshot"))
				continue;
			c->watch[c->nwatch++] = proto_field_str(f);
		}
	}
	oldest = seq >= CM_EVENTS_MAX ? seq - CM_EVENTS_MAX + 1 : 1;
	if (has_since && same && since <= seq && since + 1 >= oldest) {
		for (s = since + 1; s <= seq; s++) {
			e = &ring[s % CM_EVENTS_MAX];
			if (name_watched_n(c, e->line + e->name_off,
			    e->name_len))
				client_queue(c, e->line, e->len);
		}
		mode = "replay";
	} else if (has_since) {
		send_snapshot(c, r->id);
		mode = "resync";
	} else if (snapshot) {
		send_snapshot(c, r->id);
		mode = "snapshot";
	} else
		mode = "live";
	c->watching = 1;
	line_start("ok", r->id);
	line_num((long long)seq);
	line_fields(mode);
	line_send(c);
}

/* Free the remembered events (at exit). */
void
ring_free(void)
{
	int	 i;

	for (i = 0; i < CM_EVENTS_MAX; i++)
		free(ring[i].line);
}
