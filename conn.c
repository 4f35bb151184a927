/*
 * conn.c: the connection to an agent.  Connecting (the local socket, a -H
 * host's tunnel, or a --via command's pipes), the greeting and the login,
 * sending requests, and reading until a request's reply: data lines to a
 * callback, events to a follower, "ok" or "err" into a struct reply.  What
 * a line says is read by reply.c, which does no I/O.
 *
 * Invariants:
 *  - nothing is sent before the socket and its listener are checked
 *    (sock_connect); through --via no token is sent at all;
 *  - no read waits longer than its caller's limit (CM_CLIENT_TIMEOUT_MS
 *    for a reply); a line longer than CM_REPLY_LINE_MAX ends the
 *    connection;
 *  - an event is never taken for a reply: a reply is "ok|err|data ID ...",
 *    ID the request's own; an error's message is escaped before it is kept;
 *  - "busy" is asked again, for at most CM_CLIENT_TIMEOUT_MS;
 *  - a --via command is waited for when the connection closes, and what it
 *    wrote on stderr is passed on then.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"
#include "cli.h"

static int
conn_write(struct conn *c, const char *p, size_t n)
{
	return (fd_write_all(c->wfd, p, n) == -1 ? -1 : 0);
}

/*
 * Read the next line into fields.  Returns 1, 0 on timeout, -1 when the
 * connection ended (with a message in cause).
 */
int
conn_line(struct conn *c, int ms, struct field *f, int *nf, char *cause,
    size_t clen)
{
	ssize_t		 r;
	int64_t		 end = ms < 0 ? 0 : now_ms() + ms;
	int		 left, w, x;

	for (;;) {
		x = reply_next(&c->in, &c->scanned, CM_REPLY_LINE_MAX, f, nf,
		    cause, clen);
		if (x != 0)
			return (x);
		left = ms < 0 ? -1 : (int)(end - now_ms());
		if (ms >= 0 && left <= 0)
			return (0);
		if ((w = fd_wait(c->fd, POLLIN, left)) == -1) {
			snprintf(cause, clen, "poll: %s", strerror(errno));
			return (-1);
		}
		if (w == 0)
			return (0);
		r = buf_read(&c->in, c->fd);
		if (r == CM_AGAIN)
			continue;
		if (r == 0) {
			snprintf(cause, clen, "agent closed the connection");
			return (-1);
		}
		if (r == -1) {
			snprintf(cause, clen, "read: %s", strerror(errno));
			return (-1);
		}
	}
}

void
conn_close(struct conn *c)
{
	int	 st, i;

	if (c->wfd != -1 && c->wfd != c->fd)
		close(c->wfd);
	if (c->fd != -1)
		close(c->fd);
	c->fd = c->wfd = -1;
	if (c->via > 0) {
		/* Its stdin is closed: give it a second, then insist. */
		for (i = 0; i < 100; i++) {
			if (child_wait(c->via, &st, WNOHANG) != 0)
				break;
			sleep_ms(10);
		}
		if (i == 100) {
			kill(c->via, SIGTERM);
			(void)child_wait(c->via, &st, 0);
		}
		c->via = -1;
	}
	if (c->via_err != -1) {
		/* What it said while it worked, now that it is done. */
		char	 said[4096];
		ssize_t	 n;

		if (lseek(c->via_err, 0, SEEK_SET) != -1)
			while ((n = read(c->via_err, said, sizeof said)) > 0)
				(void)fd_write_all(2, said, (size_t)n);
		close(c->via_err);
		c->via_err = -1;
	}
	buf_free(&c->in);
}

/*
 * Connect and authenticate.  Returns 0, or -1 with cause set; *absent is set
 * when no agent listens at all.
 */
/*
 * --via COMMAND: run it (split on blanks, no shell) and speak the protocol
 * over its stdin and stdout, e.g. "ssh host cm bridge".
 */
static int
via_open(struct conn *c, char *cause, size_t clen)
{
	const char	*v[64];
	char		 store[1024], *w, cwd[CM_PATH_MAX], found[CM_PATH_MAX];
	char		 errpath[CM_PATH_MAX];
	const char	*path = getenv("PATH"), *tmp = getenv("TMPDIR");
	int		 in[2], out[2], n = 0;

	snprintf(store, sizeof store, "%s", opt_via);
	for (w = strtok(store, " \t"); w != NULL && n < 63;
	    w = strtok(NULL, " \t"))
		v[n++] = w;
	v[n] = NULL;
	if (n == 0) {
		snprintf(cause, clen, "--via: empty command");
		return (-1);
	}
	if (getcwd(cwd, sizeof cwd) == NULL)
		snprintf(cwd, sizeof cwd, ".");
	if (exec_find(v[0], path, cwd, found, sizeof found) == -1) {
		snprintf(cause, clen, "--via: %s: not found (PATH=%.300s)",
		    v[0], path != NULL ? path : CM_DEFAULT_PATH);
		return (-1);
	}
	/* Its stderr goes to a file (unlinked at once) until we are done,
	 * so that a failure can say what it said. */
	snprintf(errpath, sizeof errpath, "%s/cm-via.XXXXXX",
	    tmp != NULL && *tmp == '/' ? tmp : "/tmp");
	if ((c->via_err = mkstemp(errpath)) != -1) {
		(void)unlink(errpath);
		(void)fd_cloexec(c->via_err);
	}
	if (pipe(in) == -1 || pipe(out) == -1) {
		snprintf(cause, clen, "pipe: %s", strerror(errno));
		return (-1);
	}
	(void)fd_cloexec(in[0]);
	(void)fd_cloexec(in[1]);
	(void)fd_cloexec(out[0]);
	(void)fd_cloexec(out[1]);
	c->via = spawn(v, in[0], out[1], c->via_err != -1 ? c->via_err : 2,
	    cause, clen);
	close(in[0]);
	close(out[1]);
	if (c->via == -1) {
		close(in[1]);
		close(out[0]);
		return (-1);
	}
	c->wfd = in[1];
	c->fd = out[0];
	snprintf(c->path, sizeof c->path, "via '%s'", opt_via);
	if (fd_nonblock(c->fd) == -1) {
		snprintf(cause, clen, "fcntl: %s", strerror(errno));
		conn_close(c);
		return (-1);
	}
	return (0);
}

/* What the --via command wrote on its stderr (the first clen bytes). */
static void
via_stderr(struct conn *c, char *out, size_t len)
{
	ssize_t	 n;
	size_t	 k;

	out[0] = '\0';
	if (c->via_err == -1 || lseek(c->via_err, 0, SEEK_SET) == -1)
		return;
	if ((n = read(c->via_err, out, len - 1)) <= 0)
		return;
	out[n] = '\0';
	for (k = 0; k < (size_t)n; k++) {
		if (out[k] == '\n' && k + 1 < (size_t)n)
			out[k] = ' ';
		else if ((unsigned char)out[k] < 0x20 || out[k] == 0x7f)
			out[k] = out[k] == '\n' ? '\0' : '?';
	}
}

/*
 * No greeting through --via: if the command ended, say how, with what it
 * wrote on stderr.  Returns 1 if it did (cause set, c closed), else 0.
 */
static int
via_failed(struct conn *c, char *cause, size_t clen)
{
	char	 said[400];
	int	 st, i;

	/* It may be on its way out: give it a moment. */
	for (i = 0; i < 50; i++) {
		if (child_wait(c->via, &st, WNOHANG) == c->via)
			break;
		sleep_ms(10);
	}
	if (i == 50)
		return (0);
	c->via = -1;
	via_stderr(c, said, sizeof said);
	if (WIFEXITED(st))
		snprintf(cause, clen, "--via '%s' exited with status %d before "
		    "the agent's greeting%s%s", opt_via, WEXITSTATUS(st),
		    said[0] ? ": " : "", said);
	else
		snprintf(cause, clen, "--via '%s' was killed by signal %d "
		    "before the agent's greeting%s%s", opt_via, WTERMSIG(st),
		    said[0] ? ": " : "", said);
	if (c->via_err != -1)
		close(c->via_err);
	c->via_err = -1;
	conn_close(c);
	return (1);
}

static int
conn_try1(struct conn *c, const char *rtoken, char *cause, size_t clen,
    int *absent, int *full)
{
	struct field		 f[CM_FIELDS_MAX];
	char			 token[CM_TOKEN_MAX + 1], why[256];
	struct buf		 b;
	int			 nf, r, h;

	*absent = *full = 0;
	c->fd = c->wfd = -1;
	c->via = -1;
	c->via_err = -1;
	c->next_id = 1;
	buf_init(&c->in, CM_REPLY_LINE_MAX + 65536);
	c->scanned = 0;
	if (opt_via != NULL) {
		if (via_open(c, cause, clen) == -1)
			return (-1);
		goto greeting;
	}
	/* Nothing is sent before the socket and its listener are checked. */
	if ((c->fd = sock_connect(c->path, absent, cause, clen)) == -1) {
		conn_close(c);
		return (-1);
	}
	c->wfd = c->fd;
	if (fd_nonblock(c->fd) == -1) {
		snprintf(cause, clen, "fcntl: %s", strerror(errno));
		conn_close(c);
		return (-1);
	}
greeting:
	r = conn_line(c, CM_CLIENT_TIMEOUT_MS, f, &nf, why, sizeof why);
	h = r == 1 ? reply_hello(f, nf, c->instance, sizeof c->instance,
	    &c->new_check) : HELLO_NONE;
	if (h == HELLO_FULL) {
		snprintf(cause, clen, "%.200s: the agent has no room for "
		    "another connection (bye full); try again shortly",
		    c->path);
		conn_close(c);
		*full = 1;
		return (-1);
	}
	if (h == HELLO_NONE) {
		if (c->via > 0 && via_failed(c, cause, clen))
			return (-1);
		if (r == 0)
			snprintf(cause, clen, "%.200s: no greeting from agent "
			    "in %d ms", c->path, CM_CLIENT_TIMEOUT_MS);
		else
			snprintf(cause, clen, "%.200s: no greeting from "
			    "agent%s%s", c->path, r == -1 ? ": " : "",
			    r == -1 ? why : "");
		conn_close(c);
		return (-1);
	}
	if (h == HELLO_VERSION) {
		snprintf(cause, clen, "agent speaks protocol %.20s, cm speaks "
		    "%d", esc_dup(f[2].p, f[2].n), CM_PROTO_VERSION);
		conn_close(c);
		return (-1);
	}
	/*
	 * Through --via, the bridge at the far end has logged in with that
	 * machine's token: this machine's never travels.  Should it not have,
	 * the first request is refused, and await says why.
	 */
	if (opt_via != NULL)
		return (0);
	if (rtoken != NULL)
		snprintf(token, sizeof token, "%s", rtoken);
	else if (token_get(token, sizeof token, 0, why, sizeof why) == -1) {
		snprintf(cause, clen, "%s", why);
		conn_close(c);
		return (-1);
	}
	buf_init(&b, 512);
	(void)buf_adds(&b, "0 auth ");
	(void)proto_escapes(&b, token);
	(void)buf_add(&b, "\n", 1);
	memset(token, 0, sizeof token);
	r = conn_write(c, buf_ptr(&b), b.len);
	memset(b.data, 0, b.cap);
	buf_free(&b);
	/*
	 * Closed before it answered: a busy agent dropped this connection
	 * for a newer one (its "bye full" may be lost to the reset).  Nothing
	 * was done, so conn_try asks again, as for a full agent; one that
	 * has gone away then refuses the connection.
	 */
	if (r == -1) {
		*full = errno == EPIPE || errno == ECONNRESET;
		snprintf(cause, clen, "write: %s", strerror(errno));
		conn_close(c);
		return (-1);
	}
	for (;;) {
		r = conn_line(c, CM_CLIENT_TIMEOUT_MS, f, &nf, why,
		    sizeof why);
		if (r <= 0) {
			snprintf(cause, clen, "authentication: %s", r == 0 ?
			    "no answer from agent" : why);
			conn_close(c);
			*full = r == -1;
			return (-1);
		}
		if (nf >= 2 && proto_field_eq(&f[0], "bye") &&
		    proto_field_eq(&f[1], "full")) {
			/* Dropped to make room before it read the token:
			 * the same as "bye full" for a greeting. */
			snprintf(cause, clen, "%.200s: the agent has no room "
			    "for another connection (bye full); try again "
			    "shortly", c->path);
			conn_close(c);
			*full = 1;
			return (-1);
		}
		if (nf >= 2 && proto_field_eq(&f[1], "0"))
			break;
	}
	if (!proto_field_eq(&f[0], "ok")) {
		snprintf(cause, clen, "authentication failed (wrong token? "
		    "see CM_AGENT_TOKEN and the token file)");
		conn_close(c);
		return (-1);
	}
	return (0);
}

/*
 * Connect and log in; an agent with no room ("bye full") is asked again,
 * after a short random pause, for CM_FULL_RETRY_MS.
 */
static int
conn_try(struct conn *c, const char *rtoken, char *cause, size_t clen,
    int *absent)
{
	int64_t	 end = now_ms() + CM_FULL_RETRY_MS;
	int	 full, r;

	for (;;) {
		r = conn_try1(c, rtoken, cause, clen, absent, &full);
		if (r == 0 || !full || now_ms() >= end)
			return (r);
		sleep_ms(10 + (int)(((unsigned)getpid() * 7919u +
		    (unsigned)now_ms()) % 90));
	}
}

/*
 * Connect to the agent: the local one, or with -H the one on that host
 * through its ssh tunnel, remade once if what was there no longer works.
 */
int
conn_open(struct conn *c, char *cause, size_t clen, int *absent)
{
	char	 token[CM_TOKEN_MAX + 1];
	int	 fresh, r = -1;

	if (opt_via != NULL)
		return (conn_try(c, NULL, cause, clen, absent));
	if (opt_host == NULL) {
		if (path_socket(c->path, sizeof c->path, NULL) == -1) {
			snprintf(cause, clen, "socket path: %s",
			    strerror(errno));
			return (-1);
		}
		return (conn_try(c, NULL, cause, clen, absent));
	}
	for (fresh = 0; fresh < 2 && r == -1; fresh++) {
		if (remote_socket(opt_host, fresh, c->path, sizeof c->path,
		    token, sizeof token, cause, clen) == -1)
			break;
		r = conn_try(c, token, cause, clen, absent);
	}
	memset(token, 0, sizeof token);
	return (r);
}

void
connect_or_die(struct conn *c)
{
	char	 cause[512];
	int	 absent;

	if (conn_open(c, cause, sizeof cause, &absent) == -1)
		die("%s", cause);
}

/* Send "ID VERB ARGS..." where args are already-escaped text. */
int
request(struct conn *c, const char *verb, const struct buf *args)
{
	struct buf	 b;
	int		 id = c->next_id++, r;

	buf_init(&b, CM_LINE_MAX);
	if (buf_printf(&b, "%d %s", id, verb) == -1 ||
	    (args != NULL && args->len > 0 &&
	    (buf_add(&b, " ", 1) == -1 ||
	    buf_add(&b, buf_ptr(args), args->len) == -1)) ||
	    buf_add(&b, "\n", 1) == -1)
		die("request longer than %d bytes", CM_LINE_MAX);
	r = conn_write(c, buf_ptr(&b), b.len);
	buf_free(&b);
	if (r == -1)
		die("write to agent: %s", strerror(errno));
	return (id);
}


/*
 * Read until the reply to id: data lines go to fn, events are skipped.
 * Fills r; dies if the connection fails or the reply does not come in time.
 */
void
await_follow(struct conn *c, int id, int ms, data_fn *fn, void *arg,
    struct reply *r, struct follow *fl)
{
	char	 cause[256];
	struct ev e;
	int	 x, k;

	for (;;) {
		x = conn_line(c, ms, r->f, &r->nf, cause, sizeof cause);
		if (x == 0)
			die("no answer from agent in %d ms", ms);
		if (x == -1)
			die("%s", cause);
		k = reply_kind(r->f, r->nf, id);
		if (k == REPLY_BYE)
			die("agent closed the connection (%s)",
			    esc_dup(r->nf > 1 ? r->f[1].p : "",
			    r->nf > 1 ? r->f[1].n : 0));
		if (fl != NULL && parse_event(r->f, r->nf, &e) == 0) {
			follow_event(fl, &e);
			continue;
		}
		if (k == REPLY_DATA) {
			if (fn != NULL)
				fn(r->f + 2, r->nf - 2, arg);
			continue;
		}
		if (k == REPLY_OK) {
			r->ok = 1;
			return;
		}
		if (k == REPLY_ERR) {
			if (reply_error(r) == -1)
				die("out of memory");
			if (opt_via != NULL && strcmp(r->code, "auth") == 0)
				snprintf(r->msg, sizeof r->msg, "not logged "
				    "in at the far end of --via ('cm bridge' "
				    "there logs in with its machine's token; "
				    "is there one?)");
			return;
		}
	}
}

void
await(struct conn *c, int id, int ms, data_fn *fn, void *arg, struct reply *r)
{
	await_follow(c, id, ms, fn, arg, r, NULL);
}

void
simple_follow_ms(struct conn *c, const char *verb, struct buf *args,
    data_fn *fn, void *arg, struct reply *r, struct follow *fl, int ms)
{
	int64_t	 end = now_ms() + CM_CLIENT_TIMEOUT_MS;
	int	 id;

	/* "busy" means try again soon: a delayed Enter, a full queue, a
	 * control client restarting; for at most CM_CLIENT_TIMEOUT_MS. */
	for (;;) {
		id = request(c, verb, args);
		await_follow(c, id, ms, fn, arg, r, fl);
		if (r->ok || strcmp(r->code, "busy") != 0 || now_ms() >= end)
			break;
		sleep_ms(20);
	}
	if (!r->ok)
		die("%s", r->msg);
}

void
simple_follow(struct conn *c, const char *verb, struct buf *args,
    data_fn *fn, void *arg, struct reply *r, struct follow *fl)
{
	simple_follow_ms(c, verb, args, fn, arg, r, fl, CM_CLIENT_TIMEOUT_MS);
}

void
simple(struct conn *c, const char *verb, struct buf *args, data_fn *fn,
    void *arg, struct reply *r)
{
	simple_follow(c, verb, args, fn, arg, r, NULL);
}

/* Connect, send one request, take its answer (data to fn), hang up. */
void
call(const char *verb, struct buf *args, data_fn *fn, void *arg)
{
	struct conn	 c;
	struct reply	 r;

	connect_or_die(&c);
	simple(&c, verb, args, fn, arg, &r);
	conn_close(&c);
	if (args != NULL)
		buf_free(args);
}

void
arg_add(struct buf *b, const char *s, size_t n)
{
	if ((b->len > 0 && buf_add(b, " ", 1) == -1) ||
	    proto_escape(b, s, n) == -1)
		die("request longer than %d bytes", CM_LINE_MAX);
}

void
arg_adds(struct buf *b, const char *s)
{
	arg_add(b, s, strlen(s));
}
