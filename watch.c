/*
 * watch.c: the commands that wait on the agent's events: watch (and its
 * --exec for notifications), wait, and attach (which finds the session
 * that asked for the person last).
 *
 * Invariants: watch reconnects when the agent goes and resumes from the
 * last event it printed (since=SEQ, same instance), saying "agent-gone",
 * "agent-back" or "resync" when it could not see everything; no event is
 * printed twice; wait waits by design, with -t as its only limit; a
 * confirm that auto-confirm answers within WAIT_CONFIRM_GRACE_MS is not
 * the person's.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"
#include "cli.h"

/* Print kept "NAME STATE DETAIL" rows as state lines, at the time now. */
static void
print_rows(struct buf *rows, int json, uint64_t seq)
{
	struct field	 f[3];
	const char	*why;
	char		*l, *nl, *end;
	int64_t		 t = wall_now();

	l = buf_ptr(rows);
	end = l + rows->len;
	for (; l < end; l = nl + 1) {
		nl = memchr(l, '\n', (size_t)(end - l));
		if (nl == NULL)
			break;
		if (proto_split(l, (size_t)(nl - l), f, 3, &why) == 3)
			print_event(json, t, &f[0], &f[1], &f[2], seq, 1);
	}
}

/* A line about the agent itself (session "-"): resync, agent-gone, ... */
static void
print_agent_line(int json, const char *type, const char *detail)
{
	struct field	 dash = { "-", 1 }, t, d;

	t.p = (char *)type;
	t.n = strlen(type);
	d.p = (char *)detail;
	d.n = strlen(detail);
	print_event(json, wall_now(), &dash, &t, &d, 0, 0);
}

int
cmd_watch(int argc, char **argv)
{
	struct conn	 c;
	struct reply	 r;
	struct buf	 a;
	struct ev	 e;
	struct buf	 rows;
	char		 cause[512], inst[CM_ID_MAX + 1] = "";
	uint64_t	 last = 0;
	int		 i, have = 0, absent, x2, delay = 100, first = 1;
	int		 json = 0, snapshot = 1, gone = 0, overflow = 0;
	int		 tmo = -1, done = -1;
	char		**exec_argv = NULL;
	unsigned	 on = 0;
	struct cm_config cfg;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--no-snapshot") == 0)
			snapshot = 0;
		else if (strcmp(argv[i], "--on") == 0 && i + 1 < argc) {
			if (notify_parse_on(argv[++i], &on, cause,
			    sizeof cause) == -1)
				die("--on: unknown event '%s' (confirm, input, "
				    "error, exited, done)", cause);
			argv[i - 1] = argv[i] = (char *)"-";
		} else if ((strcmp(argv[i], "--timeout") == 0 ||
		    strcmp(argv[i], "--done-after") == 0) && i + 1 < argc) {
			if (argv[i][2] == 't')
				tmo = (int)parse_count(argv[i + 1], argv[i]);
			else
				done = (int)parse_count(argv[i + 1], argv[i]);
			argv[i] = argv[i + 1] = (char *)"-";
			i++;
		} else if (strcmp(argv[i], "--exec") == 0 && i + 1 < argc) {
			exec_argv = argv + i + 1;
			argc = i;	/* the rest is the command's */
		} else if (argv[i][0] == '-')
			usage();
		else
			check_name(&argv[i]);
	}
	if (exec_argv != NULL) {
		/* The config's defaults for what the command line left out. */
		(void)config_read(NULL, &cfg, config_quiet);
		if (on == 0)
			on = cfg.notify_on;
		if (tmo == -1)
			tmo = cfg.notify_timeout;
		if (done == -1)
			done = cfg.done_after;
	}
	if ((on != 0) != (exec_argv != NULL))
		die("--on and --exec go together (e.g. cm watch --on confirm "
		    "--exec notify-send cm \"needs you\")");
	if (exec_argv != NULL) {
		notify_init(on, exec_argv, (tmo > 0 ? tmo : 30) * 1000,
		    done * 1000, opt_host);
		snapshot = 0;	/* only what happens from now on */
	}
	for (;;) {
		if (conn_open(&c, cause, sizeof cause, &absent) == -1) {
			if (first)
				die("%s", cause);
			if (!gone) {
				print_agent_line(json, "agent-gone", cause);
				gone = 1;
			}
			sleep_ms(delay);
			if (delay < 2000)
				delay *= 2;
			continue;
		}
		delay = 100;
		buf_init(&a, CM_LINE_MAX);
		if (have) {
			char kv[64];

			snprintf(kv, sizeof kv, "since=%llu",
			    (unsigned long long)last);
			arg_adds(&a, kv);
			snprintf(kv, sizeof kv, "instance=%s", inst);
			arg_adds(&a, kv);
		} else if (snapshot)
			arg_adds(&a, "snapshot");
		for (i = 1; i < argc; i++) {
			if (argv[i][0] != '-')
				arg_adds(&a, argv[i]);
		}
		(void)request(&c, "watch", &a);
		buf_free(&a);
		buf_init(&rows, CM_CLIENT_OUT_MAX);
		/* Replayed events come before the ok: print them now.  The
		 * session rows of a snapshot or a resync come before it too:
		 * keep them. */
		for (;;) {
			x2 = conn_line(&c, CM_CLIENT_TIMEOUT_MS, r.f, &r.nf,
			    cause, sizeof cause);
			if (x2 <= 0)
				break;
			if (parse_event(r.f, r.nf, &e) == 0) {
				if (!have || e.seq > last) {
					if (gone) {
						print_agent_line(json,
						    "agent-back", c.instance);
						gone = 0;
					}
					if (exec_argv != NULL)
						notify_event(e.time, &e.name,
						    &e.type, &e.detail, e.seq);
					else
						print_event(json, e.time,
						    &e.name, &e.type,
						    &e.detail, e.seq, 0);
					last = e.seq;
				}
				continue;
			}
			if (r.nf >= 8 && proto_field_eq(&r.f[0], "data")) {
				/* NAME STATE CREATED CONFIRM CMD DETAIL */
				arg_add(&rows, r.f[2].p, r.f[2].n);
				arg_add(&rows, r.f[3].p, r.f[3].n);
				arg_add(&rows, r.f[7].p, r.f[7].n);
				(void)buf_add(&rows, "\n", 1);
				continue;
			}
			if (r.nf >= 2 && (proto_field_eq(&r.f[0], "ok") ||
			    proto_field_eq(&r.f[0], "err") ||
			    proto_field_eq(&r.f[0], "bye")))
				break;
		}
		if (x2 <= 0 || proto_field_eq(&r.f[0], "bye")) {
			/* The agent went away mid-answer: start again. */
			buf_free(&rows);
			conn_close(&c);
			if (first)
				die("%s", x2 <= 0 ? cause : "agent closed the "
				    "connection");
			continue;
		}
		if (proto_field_eq(&r.f[0], "err"))
			die("%s", esc_dup(r.nf > 3 ? r.f[3].p : "",
			    r.nf > 3 ? r.f[3].n : 0));
		if (gone) {
			print_agent_line(json, "agent-back", c.instance);
			gone = 0;
		}
		if (r.nf >= 3)
			(void)proto_field_u64(&r.f[2], &last);
		if (r.nf >= 4 && proto_field_eq(&r.f[3], "resync")) {
			/* Missed events we cannot replay: say so, then the
			 * current state of every session. */
			if (exec_argv == NULL) {
				print_agent_line(json, "resync",
				    strcmp(inst, c.instance) != 0 ?
				    "agent restarted" : "events lost");
				print_rows(&rows, json, last);
			}
		} else if (r.nf >= 4 && proto_field_eq(&r.f[3], "snapshot"))
			print_rows(&rows, json, last);
		buf_free(&rows);
		snprintf(inst, sizeof inst, "%s", c.instance);
		have = 1;
		first = 0;
		for (;;) {
			x2 = conn_line(&c, exec_argv != NULL ? notify_tick() :
			    -1, r.f, &r.nf, cause, sizeof cause);
			if (x2 == 0)
				continue;	/* a tick for the commands */
			if (x2 < 0)
				break;
			if (r.nf >= 1 && proto_field_eq(&r.f[0], "bye")) {
				snprintf(cause, sizeof cause, "agent said bye "
				    "(%.*s)", r.nf > 1 ? (int)r.f[1].n : 0,
				    r.nf > 1 ? r.f[1].p : "");
				/* Overflow: it is there, resume at once. */
				overflow = r.nf > 1 &&
				    proto_field_eq(&r.f[1], "overflow");
				break;
			}
			if (parse_event(r.f, r.nf, &e) == -1)
				continue;
			if (e.seq <= last)
				continue;
			if (exec_argv != NULL)
				notify_event(e.time, &e.name, &e.type,
				    &e.detail, e.seq);
			else
				print_event(json, e.time, &e.name, &e.type,
				    &e.detail, e.seq, 0);
			last = e.seq;
		}
		conn_close(&c);
		if (!overflow) {
			print_agent_line(json, "agent-gone", cause);
			gone = 1;
		}
		overflow = 0;
	}
}

/* Is a field a state's name? */
static int
state_parse_field(const struct field *f)
{
	enum state	 st;
	char		 s[16];

	if (f->n >= sizeof s)
		return (-1);
	memcpy(s, f->p, f->n);
	s[f->n] = '\0';
	return (state_parse(s, &st));
}

struct waitctx {
	int		 found;
	int		 autoconfirm;	/* on for the session */
	char		 state[16];
};

/* A confirm that auto-confirm answers within this is not the person's. */
#define WAIT_CONFIRM_GRACE_MS	400

static void
wait_row(struct field *f, int nf, void *arg)
{
	struct waitctx	*x = arg;

	if (nf < 2)
		return;
	x->found = 1;
	snprintf(x->state, sizeof x->state, "%.*s", (int)f[1].n, f[1].p);
	x->autoconfirm = nf > 3 && proto_field_eq(&f[3], "1");
}

/*
 * Is x's state one of the nwant wanted?  0: no; 1: yes, the wait is over;
 * 2: a confirm auto-confirm may answer: hold it WAIT_CONFIRM_GRACE_MS (its
 * "working" may be near).
 */
static int
wanted(const char **want, int nwant, const struct waitctx *x)
{
	int	 k;

	for (k = 0; k < nwant; k++) {
		if (strcmp(want[k], x->state) != 0)
			continue;
		if (x->autoconfirm && strcmp(x->state, "confirm") == 0)
			return (2);
		return (1);
	}
	return (0);
}

/*
 * wait --after SEQ: did the session reach one of the states (mask) in an
 * event after SEQ?  The agent replays what it still holds; if it restarted
 * or has forgotten them, the current state decides.  Returns 1 if so (the
 * wait is over), 0 to go on waiting for live events (the caller's watch
 * replaces this one); exits 1 if it exited.
 */
static int
wait_after(struct conn *c, const char *name, uint64_t after, unsigned mask,
    int64_t deadline, struct waitctx *x)
{
	struct follow	 fl;
	struct buf	 a;
	struct reply	 r;
	char		 kv[64];
	int		 id;
	enum state	 st;

	(void)deadline;
	memset(&fl, 0, sizeof fl);
	snprintf(fl.name, sizeof fl.name, "%s", name);
	fl.after = after;
	buf_init(&a, CM_LINE_MAX);
	snprintf(kv, sizeof kv, "since=%llu", (unsigned long long)after);
	arg_adds(&a, kv);
	snprintf(kv, sizeof kv, "instance=%s", c->instance);
	arg_adds(&a, kv);
	arg_adds(&a, name);
	id = request(c, "watch", &a);
	buf_free(&a);
	await_follow(c, id, CM_CLIENT_TIMEOUT_MS, wait_row, x, &r, &fl);
	if (!r.ok)
		die("%s", r.msg);
	if (fl.states & mask)
		return (1);
	if (r.nf >= 4 && proto_field_eq(&r.f[3], "resync")) {
		if (!x->found)
			die("session '%s' not found", name);
		if (state_parse(x->state, &st) == 0 && (mask & (1u << st)))
			return (1);
	}
	if (fl.exited)
		die("session '%s' exited", name);
	return (0);
}

int
cmd_wait(int argc, char **argv)
{
	struct conn	 c;
	struct reply	 r;
	struct buf	 a;
	struct waitctx	 x;
	struct ev	 e;
	enum state	 st;
	const char	*name = NULL, *want[S_NSTATES + 1];
	char		 cause[256], *end;
	double		 secs = -1;
	int64_t		 deadline = 0, held = 0;
	uint64_t	 after = 0;
	unsigned	 mask = 0;
	int		 i, nwant = 0, id, k, left, has_after = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-t") == 0 && i + 1 < argc) {
			secs = strtod(argv[++i], &end);
			if (*end != '\0' || secs < 0 || secs > 1e7)
				usage();
		} else if (strcmp(argv[i], "--after") == 0 && i + 1 < argc) {
			after = (uint64_t)parse_count(argv[++i], "--after");
			has_after = 1;
		} else if (argv[i][0] == '-')
			usage();
		else if (name == NULL)
			name = argv[i];
		else {
			if (state_parse(argv[i], &st) == -1)
				die("unknown state '%s' (starting, working, "
				    "idle, confirm, input, error, exited, "
				    "unknown)", argv[i]);
			if (nwant < S_NSTATES)
				want[nwant++] = argv[i];
			mask |= 1u << st;
		}
	}
	if (name == NULL || nwant == 0)
		usage();
	check_name((char **)&name);
	if (secs >= 0)
		deadline = now_ms() + (int64_t)(secs * 1000);
	memset(&x, 0, sizeof x);
	connect_or_die(&c);
	buf_init(&a, CM_LINE_MAX);
	if (has_after) {
		if (wait_after(&c, name, after, mask, deadline, &x))
			goto done;
		goto live;
	}
	arg_adds(&a, "snapshot");
	arg_adds(&a, name);
	id = request(&c, "watch", &a);
	await(&c, id, CM_CLIENT_TIMEOUT_MS, wait_row, &x, &r);
	if (!r.ok)
		die("%s", r.msg);
	if (!x.found)
		die("session '%s' not found", name);
	if ((k = wanted(want, nwant, &x)) == 1)
		goto done;
	if (k == 2)
		held = now_ms() + WAIT_CONFIRM_GRACE_MS;
live:
	/*
	 * With auto-confirm on, "confirm" means a question left to the
	 * person: one the agent answers at once (an auto-confirm event
	 * within WAIT_CONFIRM_GRACE_MS) does not count.
	 */
	for (;;) {
		left = -1;
		if (deadline != 0) {
			left = (int)(deadline - now_ms());
			if (left <= 0)
				die("timed out waiting for '%s' (it is %s)",
				    name, esc_dup(x.state, strlen(x.state)));
		}
		if (held != 0) {
			if (now_ms() >= held)
				goto done;
			if (left == -1 || held - now_ms() < left)
				left = (int)(held - now_ms());
		}
		k = conn_line(&c, left, r.f, &r.nf, cause, sizeof cause);
		if (k == 0)
			continue;
		if (k == -1)
			die("%s", cause);
		if (r.nf >= 1 && proto_field_eq(&r.f[0], "bye"))
			die("agent closed the connection");
		if (parse_event(r.f, r.nf, &e) == -1)
			continue;
		if (held != 0 && proto_field_eq(&e.type, "auto-confirm")) {
			held = 0;	/* answered: not the person's */
			continue;
		}
		if (held != 0 && (proto_field_eq(&e.type, "denied") ||
		    proto_field_eq(&e.type, "ask")))
			goto done;
		if (state_parse_field(&e.type) == -1)
			continue;	/* not a state */
		held = 0;
		snprintf(x.state, sizeof x.state, "%.*s", (int)e.type.n,
		    e.type.p);
		if ((k = wanted(want, nwant, &x)) == 1)
			goto done;
		if (k == 2)
			held = now_ms() + WAIT_CONFIRM_GRACE_MS;
		if (held != 0)
			continue;
		if (strcmp(x.state, "exited") == 0)
			die("session '%s' exited", name);
	}
done:
	buf_free(&a);
	conn_close(&c);
	return (0);
}

/* Who asked for the person last: per session, the seq of its last ask. */
struct askctx {
	char		 name[CM_NAME_MAX + 1];	/* the best so far */
	uint64_t	 seq;
	int		 found;
	struct buf	 asked;		/* "NAME SEQ" lines, from the events */
};

static int
asks_for_person(const struct field *type)
{
	return (proto_field_eq(type, "confirm") ||
	    proto_field_eq(type, "input") || proto_field_eq(type, "error") ||
	    proto_field_eq(type, "denied") || proto_field_eq(type, "ask") ||
	    proto_field_eq(type, "confirm-paused"));
}

/* An ls row: a session that waits for the person now, and its last ask. */
static void
attach_row(struct field *f, int nf, void *arg)
{
	struct askctx	*x = arg;
	char		*l, *nl, *sp;
	uint64_t	 seq = 0;

	if (nf < 2 || !asks_for_person(&f[1]) || f[0].n > CM_NAME_MAX)
		return;
	(void)buf_add(&x->asked, "", 1);
	for (l = buf_ptr(&x->asked); (nl = strchr(l, '\n')) != NULL;
	    l = nl + 1) {
		sp = strchr(l, ' ');
		if (sp != NULL && (size_t)(sp - l) == f[0].n &&
		    memcmp(l, f[0].p, f[0].n) == 0)
			seq = strtoull(sp + 1, NULL, 10);
	}
	x->asked.len--;
	if (!x->found || seq > x->seq) {
		snprintf(x->name, sizeof x->name, "%.*s", (int)f[0].n,
		    f[0].p);
		x->seq = seq;
		x->found = 1;
	}
}

/*
 * Hand the terminal to a session: tmux attach on cm's tmux server (inside
 * tmux: switch-client or a popup), or with -H, ssh -t to the far cm's attach.
 * With no name: the session waiting for the person whose ask came last.
 */
int
cmd_attach(int argc, char **argv)
{
	struct conn	 c;
	struct reply	 r;
	struct askctx	 x;
	struct buf	 a;
	struct ev	 e;
	char		 cause[512], kv[64], *name = NULL;
	int		 id, k;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		usage();
	if (argc == 2) {
		name = argv[1];
		check_name(&name);
	}
	memset(&x, 0, sizeof x);
	buf_init(&x.asked, CM_CLIENT_OUT_MAX);
	connect_or_die(&c);
	if (name == NULL) {
		/* Every remembered event, for who asked when. */
		buf_init(&a, CM_LINE_MAX);
		arg_adds(&a, "since=0");
		snprintf(kv, sizeof kv, "instance=%s", c.instance);
		arg_adds(&a, kv);
		id = request(&c, "watch", &a);
		buf_free(&a);
		for (;;) {
			k = conn_line(&c, CM_CLIENT_TIMEOUT_MS, r.f, &r.nf,
			    cause, sizeof cause);
			if (k == 0)
				die("no answer from agent in %d ms",
				    CM_CLIENT_TIMEOUT_MS);
			if (k == -1)
				die("%s", cause);
			if (parse_event(r.f, r.nf, &e) == 0) {
				if (asks_for_person(&e.type))
					(void)buf_printf(&x.asked, "%.*s %llu\n",
					    (int)e.name.n, e.name.p,
					    (unsigned long long)e.seq);
				continue;
			}
			snprintf(kv, sizeof kv, "%d", id);
			if (r.nf >= 2 && !proto_field_eq(&r.f[0], "data") &&
			    proto_field_eq(&r.f[1], kv))
				break;
		}
		simple(&c, "ls", NULL, attach_row, &x, &r);
		if (!x.found)
			die("no session is waiting for you (name one: cm "
			    "attach NAME; see cm ls)");
		name = x.name;
	} else {
		buf_init(&a, CM_LINE_MAX);
		arg_adds(&a, name);
		simple(&c, "get", &a, NULL, NULL, &r);
		buf_free(&a);
	}
	conn_close(&c);
	if (!isatty(0) || !isatty(1))
		die("attach needs a terminal (stdin and stdout)");
	if (opt_host != NULL)
		(void)remote_attach(opt_host, name, cause, sizeof cause);
	else
		(void)attach_exec(name, cause, sizeof cause);
	die("%s", cause);
}
