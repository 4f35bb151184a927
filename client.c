/*
 * client.c: the agent's clients.  Accepting a connection (same uid only),
 * reading and framing its lines, authentication, dispatching each request to
 * its verb's handler, and queueing the replies; the verbs that are not
 * about one session's tmux side are answered here.
 *
 * Invariants:
 *  - a client's input is read only while it has room for a whole line and
 *    its output has room for a maximum-size reply;
 *  - a client's output queue never passes CM_CLIENT_OUT_MAX: one that would
 *    gets "bye overflow SEQ" from the reserve and is closed after it;
 *  - nothing but "auth" is answered before authentication; a wrong token
 *    closes the client after a delay that grows with recent failures;
 *  - a client is flagged dead, never freed here in the middle of a
 *    dispatch; agent.c reaps it at the end of the pass;
 *  - every line is built in the one scratch buffer and queued whole.
 */

#if defined(__linux__)
#define _GNU_SOURCE
#endif

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"
#include "agent.h"

struct client		*clients[CM_CLIENTS_MAX];
int			 nclients;
static int		 next_cid = 1;
static uint64_t		 auth_failures;
int64_t			 auth_penalty_until;
struct buf		 scratch;	/* one line being built */

/* Building lines in the scratch buffer. */
void
line_start(const char *kind, const char *id)
{
	buf_clear(&scratch);
	(void)buf_adds(&scratch, kind);
	if (id != NULL) {
		(void)buf_add(&scratch, " ", 1);
		(void)buf_adds(&scratch, id);
	}
}

void
line_field(const char *s, size_t n)
{
	(void)buf_add(&scratch, " ", 1);
	(void)proto_escape(&scratch, s, n);
}

void
line_fields(const char *s)
{
	line_field(s, strlen(s));
}

void
line_num(long long v)
{
	(void)buf_printf(&scratch, " %lld", v);
}

void
line_send(struct client *c)
{
	(void)buf_add(&scratch, "\n", 1);
	client_queue(c, buf_ptr(&scratch), scratch.len);
}

struct client *
client_find(int cid)
{
	int	 i;

	for (i = 0; i < nclients; i++) {
		if (clients[i]->cid == cid && !clients[i]->dead)
			return (clients[i]);
	}
	return (NULL);
}

void
client_close_soon(struct client *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	c->close_at = now_ms() + CM_BYE_MS;
}

/*
 * Queue a whole line for a client.  A client whose queue would pass its
 * limit gets "bye overflow SEQ" (from the reserve) and is closed after it.
 */
void
client_queue(struct client *c, const char *p, size_t n)
{
	char	 bye[64];
	int	 len;

	if (c->dead || c->overflowed)
		return;
	if (c->out.len + n > CM_CLIENT_OUT_MAX - CM_CLIENT_RESERVE) {
		len = snprintf(bye, sizeof bye, "bye overflow %llu\n",
		    (unsigned long long)seq);
		(void)buf_add(&c->out, bye, (size_t)len);
		c->overflowed = 1;
		client_close_soon(c);
		log_warn("client %d: output queue full, dropped", c->cid);
		return;
	}
	if (buf_add(&c->out, p, n) == -1) {
		c->overflowed = 1;
		client_close_soon(c);
	}
}

void
reply_ok(struct client *c, const char *id)
{
	line_start("ok", id);
	line_send(c);
}

void
reply_err(struct client *c, const char *id, const char *code, const char *fmt,
    ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	line_start("err", id);
	line_fields(code);
	line_fields(msg);
	line_send(c);
}

/* Session records: "NAME STATE CREATED CONFIRM CMD DETAIL PROFILE MODE". */
void
line_session(const struct session *s)
{
	line_fields(s->name);
	line_fields(state_name(s->state));
	line_num((long long)s->created);
	line_num(s->confirm);
	line_fields(s->cmd);
	line_fields(s->detail);
	line_fields(profile_name(s->profile));
	line_num(s->confirm ? (long long)s->confirm_until : 0);
	line_fields(s->dir != NULL ? s->dir : "");
	line_num((long long)s->pane_pid);
	line_fields(s->mode);
}

static void
do_confirm(struct client *c, struct request *r)
{
	struct session	*s;
	uint64_t	 secs = 0;
	struct field	 v;
	int		 on;

	if ((s = need_session(c, r, 0)) == NULL)
		return;
	on = proto_field_eq(&r->argv[1], "on");
	if (r->argc == 3) {
		v.p = r->argv[2].p + 4;
		v.n = r->argv[2].n - 4;
		(void)proto_field_u64(&v, &secs);
	}
	session_set_confirm(s, on, secs ? wall_ms() + (int64_t)secs * 1000 :
	    0);
	event_emit(s->name, on ? "confirm-on" : "confirm-off",
	    secs ? "limited" : "");
	reply_ok(c, r->id);
}

/* The tail of the audit log, one data line per entry, optionally for one
 * session only. */
static void
do_log(struct client *c, struct request *r)
{
	struct field	 f[8];
	struct buf	 b;
	const char	*cause;
	char		*l, *end, *nl;
	off_t		 size;
	int		 fd, nf, count = 0;
	ssize_t		 n;

	fd = open(audit_path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT)
			reply_err(c, r->id, "internal", "%s: %s", audit_path,
			    strerror(errno));
		else
			reply_ok(c, r->id);
		return;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size > CM_LOG_MAX)
		(void)lseek(fd, size - CM_LOG_MAX, SEEK_SET);
	else
		(void)lseek(fd, 0, SEEK_SET);
	buf_init(&b, CM_LOG_MAX + 1);
	while ((n = buf_read(&b, fd)) > 0)
		;
	close(fd);
	l = buf_ptr(&b);
	end = l + b.len;
	if (size > CM_LOG_MAX && (nl = memchr(l, '\n', b.len)) != NULL)
		l = nl + 1;	/* a partial first line */
	for (; l < end; l = nl + 1) {
		if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL)
			break;
		/* Fields are tab-separated and already escaped. */
		nf = proto_split(l, (size_t)(nl - l), f, 8, &cause);
		if (nf != 6)
			continue;
		if (r->argc == 1 && (f[1].n != r->argv[0].n ||
		    memcmp(f[1].p, r->argv[0].p, f[1].n) != 0))
			continue;
		line_start("data", r->id);
		for (nf = 0; nf < 6; nf++)
			line_field(f[nf].p, f[nf].n);
		line_send(c);
		count++;
	}
	buf_free(&b);
	line_start("ok", r->id);
	line_num(count);
	line_send(c);
}

static void
do_ls(struct client *c, struct request *r)
{
	int	 i, n = 0;

	for (i = 0; i < nsessions; i++) {
		if (sessions[i]->gone || sessions[i]->creating)
			continue;
		line_start("data", r->id);
		line_session(sessions[i]);
		line_send(c);
		n++;
	}
	line_start("ok", r->id);
	line_num(n);
	line_send(c);
}

static void
do_get(struct client *c, struct request *r)
{
	struct session	*s;

	if ((s = need_session(c, r, 0)) == NULL)
		return;
	line_start("ok", r->id);
	line_session(s);
	line_send(c);
}

static void
do_status(struct client *c, struct request *r)
{
	int	 i, live = 0;

	for (i = 0; i < nsessions; i++) {
		if (!sessions[i]->gone && !sessions[i]->creating)
			live++;
	}
	line_start("ok", r->id);
	(void)buf_printf(&scratch, " version=%s instance=%s pid=%ld "
	    "uptime=%lld sessions=%d clients=%d events=%llu confirms=%llu "
	    "started=%lld spawns=%llu captures=%llu", CM_VERSION, instance,
	    (long)getpid(), (long long)((now_ms() - started_ms) / 1000), live,
	    nclients, (unsigned long long)seq, (unsigned long long)confirms,
	    (long long)(started_wall / 1000), (unsigned long long)spawns,
	    (unsigned long long)captures);
	(void)buf_printf(&scratch, " job_failures=%llu ctl_restarts=%llu",
	    (unsigned long long)job_failures,
	    (unsigned long long)ctl_restarts);
	autoconfirm_counts();
	line_send(c);
}

/* Authentication: a wrong token closes the client after a delay that grows
 * with recent failures, so guessing is slow. */
static void
do_auth(struct client *c, struct request *r)
{
	char		 given[CM_TOKEN_MAX + 1];
	int64_t		 delay;

	memcpy(given, r->argv[0].p, r->argv[0].n);
	given[r->argv[0].n] = '\0';
	if (token_equal(given, token)) {
		c->authed = 1;
		reply_ok(c, r->id);
		return;
	}
	auth_failures++;
	delay = 100LL << (auth_failures < 6 ? auth_failures : 6);
	if (delay > CM_AUTH_DELAY_MAX_MS)
		delay = CM_AUTH_DELAY_MAX_MS;
	auth_penalty_until = now_ms() + delay;
	log_warn("client %d: authentication failed (%llu so far)", c->cid,
	    (unsigned long long)auth_failures);
	reply_err(c, r->id, "auth", "authentication failed");
	c->closing = 1;
	c->close_at = now_ms() + delay;
}

static void
client_line(struct client *c, char *l, size_t n)
{
	struct request	 r;
	const char	*cause;

	if (proto_parse_request(l, n, &r, &cause) == -1) {
		reply_err(c, r.id, "usage", "%s", cause);
		if (!c->authed)
			client_close_soon(c);
		return;
	}
	if (!c->authed && r.verb != V_AUTH) {
		reply_err(c, r.id, "auth", "authenticate first");
		client_close_soon(c);
		return;
	}
	if (quitting) {
		reply_err(c, r.id, "shutdown", "agent is shutting down");
		return;
	}
	switch (r.verb) {
	case V_AUTH:
		if (c->authed)
			reply_ok(c, r.id);
		else
			do_auth(c, &r);
		break;
	case V_PING:
		line_start("ok", r.id);
		line_fields("pong");
		line_send(c);
		break;
	case V_STATUS:
		do_status(c, &r);
		break;
	case V_NEW:
		do_new(c, &r);
		break;
	case V_SEND:
		do_send(c, &r);
		break;
	case V_KEYS:
		do_keys(c, &r);
		break;
	case V_LS:
		do_ls(c, &r);
		break;
	case V_GET:
		do_get(c, &r);
		break;
	case V_SHOW:
		do_show(c, &r);
		break;
	case V_KILL:
		do_kill(c, &r);
		break;
	case V_WATCH:
		do_watch(c, &r);
		break;
	case V_CONFIRM:
		do_confirm(c, &r);
		break;
	case V_LOG:
		do_log(c, &r);
		break;
	case V_UNWATCH:
		c->watching = 0;
		reply_ok(c, r.id);
		break;
	case V_NVERBS:
		break;
	}
}

/* May this client's input be read now? */
int
client_readable(const struct client *c)
{
	if (c->dead || c->closing || c->eof || c->in.len >= c->in.max)
		return (0);
	/* Room for a maximum-size reply before taking another request. */
	if (c->out.len > CM_CLIENT_OUT_MAX / 2)
		return (0);
	if (!c->authed && auth_penalty_until > now_ms())
		return (0);
	return (1);
}

void
client_read(struct client *c)
{
	ssize_t	 r;

	r = buf_read(&c->in, c->fd);
	if (r == CM_AGAIN)
		return;
	if (r == -1) {
		c->dead = 1;
		return;
	}
	if (r == 0)
		c->eof = 1;
	client_process(c);
}

/* Answer the whole lines in a client's input, while it has room. */
void
client_process(struct client *c)
{
	ssize_t	 used;
	char	*l;
	size_t	 n;

	while (!c->dead && !c->closing && c->in.len > 0 &&
	    c->out.len <= CM_CLIENT_OUT_MAX / 2) {
		used = proto_frame(&c->in, &c->scanned, CM_LINE_MAX, &l, &n);
		if (used == 0)
			break;
		if (used == -1) {
			reply_err(c, "-", "toolong", "line longer than %d "
			    "bytes", CM_LINE_MAX);
			client_close_soon(c);
			buf_clear(&c->in);
			break;
		}
		client_line(c, l, n);
		buf_consume(&c->in, (size_t)used);
	}
	buf_shrink(&c->in);
}

void
client_accept(void)
{
	struct client	*c;
	int		 fd;
	uid_t		 uid;
#if defined(SO_PEERCRED)
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
#else
	gid_t		 gid;
#endif

	for (;;) {
		fd = accept(listen_fd, NULL, NULL);
		if (fd == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != ECONNABORTED)
				log_warn("accept: %s", strerror(errno));
			return;
		}
#if defined(SO_PEERCRED)
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
			uid = (uid_t)-1;
		else
			uid = cred.uid;
#else
		if (getpeereid(fd, &uid, &gid) == -1)
			uid = (uid_t)-1;
#endif
		if (uid != getuid()) {
			log_warn("refused a connection from uid %ld",
			    (long)uid);
			close(fd);
			continue;
		}
		if (fd_nonblock(fd) == -1 || fd_cloexec(fd) == -1) {
			log_warn("fcntl: %s", strerror(errno));
			close(fd);
			continue;
		}
		if (nclients == CM_CLIENTS_MAX) {
			static const char full[] = "bye full\n";
			(void)!write(fd, full, sizeof full - 1);
			close(fd);
			log_warn("refused a client: %d connected",
			    CM_CLIENTS_MAX);
			continue;
		}
		c = xcalloc(1, sizeof *c);
		c->cid = next_cid++;
		c->fd = fd;
		buf_init(&c->in, CM_CLIENT_IN_MAX);
		buf_init(&c->out, CM_CLIENT_OUT_MAX);
		clients[nclients++] = c;
		line_start("hello", NULL);
		line_fields("cm");
		line_num(CM_PROTO_VERSION);
		line_fields(instance);
		line_send(c);
		log_debug("client %d connected", c->cid);
	}
}

void
client_free(struct client *c)
{
	int	 i;

	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	for (i = 0; i < c->nwatch; i++)
		free(c->watch[i]);
	free(c->watch);
	free(c);
}
