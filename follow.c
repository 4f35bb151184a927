/*
 * follow.c: following one session's events after a command, until it
 * settles (cm new, send --wait, keys --wait): what state it reached, and
 * the exit code for it.
 *
 * Invariants: events are taken in the order the agent sent them, and only
 * those after fl->after count (they were caused by the command); a confirm
 * that auto-confirm will answer is not settled, nor the first idle of a
 * session with a task; events cm new sees before it knows the session's
 * name are kept (at most CM_FOLLOW_EARLY_MAX bytes) and replayed when it
 * does.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "cli.h"

static int
settled(const char *st)
{
	return (strcmp(st, "idle") == 0 || strcmp(st, "confirm") == 0 ||
	    strcmp(st, "input") == 0 || strcmp(st, "error") == 0 ||
	    strcmp(st, "exited") == 0);
}

void
follow_event(struct follow *fl, const struct ev *e)
{
	enum state	 st;
	char		 type[32];

	if (e->seq > fl->last)
		fl->last = e->seq;
	if (fl->name[0] == '\0' && fl->early.max > 0 && e->seq > fl->after) {
		/* cm new, before the agent said the name: keep it. */
		if (fl->early.len + 4 * (e->name.n + e->type.n +
		    e->detail.n) + 64 > fl->early.max ||
		    buf_printf(&fl->early, "%llu %lld",
		    (unsigned long long)e->seq, (long long)e->time) == -1)
			return;
		arg_add(&fl->early, e->name.p, e->name.n);
		arg_add(&fl->early, e->type.p, e->type.n);
		arg_add(&fl->early, e->detail.p, e->detail.n);
		(void)buf_add(&fl->early, "\n", 1);
		return;
	}
	if (fl->name[0] == '\0' || e->seq <= fl->after ||
	    !proto_field_eq(&e->name, fl->name))
		return;
	if (fl->done) {
		/* Settled: cm new's first-second check still looks. */
		if (proto_field_eq(&e->type, "exited")) {
			fl->exited = 1;
			snprintf(fl->detail, sizeof fl->detail, "%.*s",
			    (int)e->detail.n, e->detail.p);
		}
		return;
	}
	snprintf(type, sizeof type, "%.*s", (int)e->type.n, e->type.p);
	if (strcmp(type, "confirm-on") == 0)
		fl->confirm = 1;
	else if (strcmp(type, "confirm-off") == 0 ||
	    strcmp(type, "confirm-expired") == 0)
		fl->confirm = 0;
	if (fl->pending) {
		if (strcmp(type, "auto-confirm") == 0) {
			fl->pending = 0;
			return;
		}
		if (strcmp(type, "denied") == 0 || strcmp(type, "ask") == 0 ||
		    strcmp(type, "confirm-paused") == 0 ||
		    strcmp(type, "confirm-stuck") == 0) {
			fl->pending = 0;
			fl->done = 1;
			return;
		}
	}
	if (state_parse(type, &st) == -1)
		return;
	fl->seen = 1;
	fl->states |= 1u << st;
	if (st == S_EXITED)
		fl->exited = 1;
	fl->pending = 0;
	snprintf(fl->state, sizeof fl->state, "%s", type);
	snprintf(fl->detail, sizeof fl->detail, "%.*s", (int)e->detail.n,
	    e->detail.p);
	fl->seq = e->seq;
	fl->time = e->time;
	if (!settled(type))
		return;
	if (fl->task && !fl->typed && st == S_IDLE) {
		fl->typed = 1;
		return;
	}
	if (st == S_CONFIRM && fl->confirm) {
		fl->pending = 1;
		return;
	}
	fl->done = 1;
}

/* A record of watch's snapshot: NAME STATE CREATED CONFIRM ... */
static void
follow_row(struct field *f, int nf, void *arg)
{
	struct follow	*fl = arg;

	if (nf < 4)
		return;
	fl->confirm = proto_field_eq(&f[3], "1");
	snprintf(fl->state, sizeof fl->state, "%.*s", (int)f[1].n, f[1].p);
	fl->seen = -1;	/* found, but not a change */
}

/*
 * Make c a watcher of name (NULL: of every session) and note the last
 * event before now: what comes after it is caused by what we do next.
 */
void
follow_start(struct conn *c, struct follow *fl, const char *name)
{
	struct buf	 a;
	struct reply	 r;
	int		 id;

	memset(fl, 0, sizeof *fl);
	buf_init(&a, CM_LINE_MAX);
	if (name != NULL) {
		snprintf(fl->name, sizeof fl->name, "%s", name);
		arg_adds(&a, "snapshot");
		arg_adds(&a, name);
	}
	id = request(c, "watch", &a);
	buf_free(&a);
	await_follow(c, id, CM_CLIENT_TIMEOUT_MS, follow_row, fl, &r, fl);
	if (!r.ok)
		die("%s", r.msg);
	if (r.nf < 3 || proto_field_u64(&r.f[2], &fl->after) == -1)
		die("bad answer to watch from agent");
	fl->last = fl->after;
	if (fl->seen == -1)
		fl->seen = 0;
	else
		fl->state[0] = '\0';
	if (name == NULL)
		buf_init(&fl->early, CM_FOLLOW_EARLY_MAX);
}

/* cm new: the name is known now; what it did before counts too. */
void
follow_name(struct follow *fl, const char *name)
{
	struct field	 f[5];
	struct ev	 e;
	const char	*why;
	char		*l, *nl, *end;
	uint64_t	 v;

	snprintf(fl->name, sizeof fl->name, "%s", name);
	l = buf_ptr(&fl->early);
	end = l + fl->early.len;
	for (; l < end; l = nl + 1) {
		if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL)
			break;
		if (proto_split(l, (size_t)(nl - l), f, 5, &why) != 5 ||
		    proto_field_u64(&f[0], &e.seq) == -1 ||
		    proto_field_u64(&f[1], &v) == -1)
			continue;
		e.time = (int64_t)v;
		e.name = f[2];
		e.type = f[3];
		e.detail = f[4];
		follow_event(fl, &e);
	}
	buf_free(&fl->early);
}

/*
 * Read events until the session settles (or with exit_only, until it
 * exits) or the deadline (0: none) passes.  Returns 1 if it did, 0 on
 * timeout.
 */
int
follow_wait(struct conn *c, struct follow *fl, int64_t deadline, int exit_only)
{
	struct field	 f[CM_FIELDS_MAX];
	struct ev	 e;
	char		 cause[256];
	int		 nf, k, left;

	while (exit_only ? !fl->exited : !fl->done) {
		left = deadline != 0 ? (int)(deadline - now_ms()) : -1;
		if (deadline != 0 && left <= 0)
			return (0);
		k = conn_line(c, left, f, &nf, cause, sizeof cause);
		if (k == 0)
			continue;
		if (k == -1)
			die("%s", cause);
		if (nf >= 1 && proto_field_eq(&f[0], "bye"))
			die("agent closed the connection");
		if (parse_event(f, nf, &e) == 0)
			follow_event(fl, &e);
	}
	return (1);
}

/*
 * Print where the session settled, as watch prints an event, and return the
 * exit code for it: 0 idle, 3 confirm, 4 input, 5 error, 6 exited.
 */
int
follow_report(const struct follow *fl, int json)
{
	struct field	 n, t, d;

	n.p = (char *)fl->name;
	n.n = strlen(fl->name);
	t.p = (char *)fl->state;
	t.n = strlen(fl->state);
	d.p = (char *)fl->detail;
	d.n = strlen(fl->detail);
	print_event(json, fl->time, &n, &t, &d, fl->seq, 0);
	if (strcmp(fl->state, "idle") == 0)
		return (0);
	if (strcmp(fl->state, "confirm") == 0)
		return (3);
	if (strcmp(fl->state, "input") == 0)
		return (4);
	if (strcmp(fl->state, "error") == 0)
		return (5);
	return (6);
}
