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
 *    gets "bye overflow SEQ" and is closed after it, SEQ being the last
 *    event it was sent whole; only whole lines are written (but for one
 *    line longer than a write), so the bye ends the stream on a line
 *    boundary, and on Linux half the socket's send buffer is kept free so
 *    that the bye reaches even a client that stopped reading;
 *  - nothing but "auth" is answered before authentication; a wrong token is
 *    answered, and its connection closed, only after a delay that grows with
 *    recent failures (which are forgotten one per CM_AUTH_DECAY_MS); the
 *    delay holds that connection only: a right token is answered at once;
 *  - at most CM_UNAUTH_MAX connections are unauthenticated at once, and each
 *    for at most CM_AUTH_TIMEOUT_MS ("bye timeout"); when one more comes, the
 *    oldest of them (one whose token was wrong first) past CM_AUTH_GRACE_MS
 *    makes room ("bye full"), else the newcomer gets "bye full": they never
 *    hold the slots of authenticated clients for long;
 *  - running out of descriptors (EMFILE) sheds the newcomer with "bye full"
 *    through a spare descriptor, or pauses accepting: the loop never spins;
 *  - a client is flagged dead, never freed here in the middle of a
 *    dispatch; agent.c reaps it at the end of the pass;
 *  - every line is built in the one scratch buffer and queued whole.
 */

#include <sys/types.h>
#include <sys/ioctl.h>
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

/* Room for the clients dropped in a pass, until the pass reaps them. */
struct client		*clients[CM_CLIENTS_MAX + CM_UNAUTH_MAX];
int			 nclients;
static int		 next_cid = 1;
static int64_t		 auth_score;	/* failures, in ms of decay */
static int64_t		 auth_score_at;	/* when it was last decayed */
int64_t			 accept_resume_at;	/* after EMFILE */
static int		 spare_fd = -1;	/* given up to shed a client */
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

/* The sequence number of an event line "event INSTANCE SEQ ...", or 0. */
static uint64_t
line_event_seq(const char *p, size_t n)
{
	struct field	 f;
	uint64_t	 v;
	size_t		 i;

	if (n < 8 || memcmp(p, "event ", 6) != 0)
		return (0);
	i = 6;
	while (i < n && p[i] != ' ')	/* the instance */
		i++;
	f.p = (char *)p + i + 1;
	for (f.n = 0; i + 1 + f.n < n && f.p[f.n] != ' '; f.n++)
		;
	if (i >= n || proto_field_u64(&f, &v) == -1)
		return (0);
	return (v);
}

/* Note the last event among the whole lines of p[0..n) as sent. */
static void
note_sent(struct client *c, const char *p, size_t n)
{
	size_t		 end = n, start;
	uint64_t	 v;

	while (end > 0) {
		if (p[end - 1] != '\n') {	/* a line not yet whole */
			while (end > 0 && p[end - 1] != '\n')
				end--;
			continue;
		}
		start = end - 1;
		while (start > 0 && p[start - 1] != '\n')
			start--;
		if ((v = line_event_seq(p + start, end - 1 - start)) != 0) {
			c->sent_seq = v;
			return;
		}
		end = start;
	}
}

/*
 * Write what a client is owed, whole lines only, and on Linux only while
 * the socket holds less than half of its send buffer: the other half is
 * kept so that a final "bye" always fits, even for a client that has
 * stopped reading.  Returns -1 if the connection failed.
 */
int
client_write(struct client *c)
{
	const char	*p = buf_ptr(&c->out), *nl;
	size_t		 n = c->out.len, k;
	ssize_t		 w;
#if defined(__linux__) && defined(TIOCOUTQ)
	int		 q;

	if (!c->overflowed && c->sndbuf > 0 &&
	    ioctl(c->fd, TIOCOUTQ, &q) == 0 && q >= 0) {
		if (n + (size_t)q > (size_t)(c->sndbuf / 2)) {
			/* poll says writable again once a quarter is left */
			if (q > c->sndbuf / 4)
				return (0);
			n = (size_t)(c->sndbuf / 2 - q);
		}
	}
#endif
	if (n > CM_WRITE_SLICE)
		n = CM_WRITE_SLICE;
	if (n < c->out.len) {
		for (k = n; k > 0 && p[k - 1] != '\n'; k--)
			;
		if (k > 0)
			n = k;
		else {
			/* The first line does not fit: it goes whole, or a
			 * slice of it if it is longer than a slice. */
			k = c->out.len < CM_WRITE_SLICE ? c->out.len :
			    CM_WRITE_SLICE;
			nl = memchr(p, '\n', k);
			n = nl != NULL ? (size_t)(nl + 1 - p) : k;
		}
	}
	if ((w = fd_write_some(c->fd, p, n)) <= 0)
		return (w);
	note_sent(c, p, (size_t)w);
	c->partial = p[w - 1] != '\n';
	if (c->partial) {
		/* The line cut short: what it is, while it is all here. */
		for (k = (size_t)w; k > 0 && p[k - 1] != '\n'; k--)
			;
		n = k;
		while (n < c->out.len && p[n] != '\n')
			n++;
		c->partial_seq = line_event_seq(p + k, n - k);
	}
	buf_consume(&c->out, (size_t)w);
	return (0);
}

/*
 * The client's queue is full: keep only the rest of a line it was sent in
 * part, then "bye overflow SEQ", SEQ being the last event it was sent
 * whole, from which it can resume; close after that.
 */
void
client_overflow(struct client *c)
{
	char		 bye[64];
	const char	*p, *nl;
	size_t		 keep = 0;
	int		 len;

	if (c->dead || c->overflowed)
		return;
	if (c->partial) {
		p = buf_ptr(&c->out);
		nl = memchr(p, '\n', c->out.len);
		keep = nl != NULL ? (size_t)(nl + 1 - p) : c->out.len;
	}
	buf_truncate(&c->out, keep);
	/* That line's start went out; with its end, the whole of it has. */
	if (keep > 0 && c->partial_seq != 0)
		c->sent_seq = c->partial_seq;
	len = snprintf(bye, sizeof bye, "bye overflow %llu\n",
	    (unsigned long long)c->sent_seq);
	(void)buf_add(&c->out, bye, (size_t)len);
	c->overflowed = 1;
	c->replaying = 0;
	client_close_soon(c);
	log_warn("client %d: output queue full, dropped (bye overflow %llu)",
	    c->cid, (unsigned long long)c->sent_seq);
	if (client_write(c) == -1)
		c->dead = 1;
}

/*
 * Queue a whole line for a client.  A client whose queue would pass its
 * limit gets "bye overflow SEQ" and is closed after it.
 */
void
client_queue(struct client *c, const char *p, size_t n)
{
	if (c->dead || c->overflowed)
		return;
	if (c->out.len + n > CM_CLIENT_OUT_MAX - CM_CLIENT_RESERVE ||
	    buf_add(&c->out, p, n) == -1)
		client_overflow(c);
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
	while (buf_read(&b, fd) > 0)
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
	n += line_unadopted(c, r->id);
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
	line_fields(rules_broken ? "rules=broken" : "rules=ok");
	if (rules_broken) {
		(void)buf_adds(&scratch, " rules_error=");
		(void)proto_escapes(&scratch, rules_error);
	}
	line_send(c);
}

/*
 * Authentication.  A right token is answered at once, whatever else is
 * going on.  A wrong one is answered, and its connection closed, only after
 * a delay of 100 ms doubled per recent failure (at most
 * CM_AUTH_DELAY_MAX_MS); the failures are forgotten one per
 * CM_AUTH_DECAY_MS.  The delay holds that connection only: nobody else
 * waits for it.
 */
static void
do_auth(struct client *c, struct request *r)
{
	char		 given[CM_TOKEN_MAX + 1];
	int64_t		 delay, now = now_ms(), fails;

	memcpy(given, r->argv[0].p, r->argv[0].n);
	given[r->argv[0].n] = '\0';
	if (token_equal(given, token)) {
		c->authed = 1;
		reply_ok(c, r->id);
		return;
	}
	auth_score -= now - auth_score_at;
	if (auth_score < 0)
		auth_score = 0;
	auth_score_at = now;
	if (auth_score < 64 * CM_AUTH_DECAY_MS)
		auth_score += CM_AUTH_DECAY_MS;
	fails = (auth_score + CM_AUTH_DECAY_MS - 1) / CM_AUTH_DECAY_MS;
	delay = 100LL << (fails < 6 ? fails : 6);
	if (delay > CM_AUTH_DELAY_MAX_MS)
		delay = CM_AUTH_DELAY_MAX_MS;
	log_warn("client %d: authentication failed (%lld recent), answered "
	    "in %lld ms", c->cid, (long long)fails, (long long)delay);
	c->fail_at = now + delay;
	snprintf(c->fail_id, sizeof c->fail_id, "%s", r->id);
}

/*
 * A client's own deadlines: a wrong token's answer, and the time to
 * authenticate.  Returns when it next needs looking at.
 */
int64_t
client_timers(struct client *c, int64_t now)
{
	static const char	 bye[] = "bye timeout\n";

	if (c->authed || c->dead || c->closing)
		return (INT64_MAX);
	if (c->fail_at != 0) {
		if (now < c->fail_at)
			return (c->fail_at);
		c->fail_at = 0;
		reply_err(c, c->fail_id, "auth", "authentication failed");
		client_close_soon(c);
		return (c->close_at);
	}
	if (now >= c->accepted + CM_AUTH_TIMEOUT_MS) {
		log_warn("client %d: not authenticated in %d ms, closed",
		    c->cid, CM_AUTH_TIMEOUT_MS);
		client_queue(c, bye, sizeof bye - 1);
		client_close_soon(c);
		return (c->close_at);
	}
	return (c->accepted + CM_AUTH_TIMEOUT_MS);
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
	if (c->fail_at != 0)
		return;		/* nothing more until the wrong token's answer */
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
		c->replaying = 0;
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
	if (c->fail_at != 0)
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

	while (!c->dead && !c->closing && c->fail_at == 0 && c->in.len > 0 &&
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

/* Refuse a connection: "bye full", as far as it goes without waiting. */
static void
refuse_full(int fd)
{
	static const char	 full[] = "bye full\n";

	(void)!write(fd, full, sizeof full - 1);
	close(fd);
}

/* The peer has sent bytes not yet read (MSG_PEEK: they stay; the
 * descriptor is non-blocking). */
static int
unread(int fd)
{
	char	 b;
	ssize_t	 r;

	while ((r = recv(fd, &b, 1, MSG_PEEK)) == -1 &&
	    errno == EINTR)
		;
	return (r > 0);
}

/*
 * Make room for a new connection: flag for closing, with "bye full", the
 * unauthenticated client to drop first: one whose token was wrong, else the
 * oldest that has sent nothing the loop has not read, if it has had
 * CM_AUTH_GRACE_MS to authenticate.  Returns 1 if one
 * was dropped.
 */
static int
evict_unauthed(int64_t now)
{
	static const char	 full[] = "bye full\n";
	struct client		*c, *best = NULL;
	int			 i;

	for (i = 0; i < nclients; i++) {
		c = clients[i];
		if (c->authed || c->dead)
			continue;
		/* Bytes the loop has not read yet (a busy agent reads after
		 * it accepts): its token, likely; not a candidate. */
		if (c->fail_at == 0 && unread(c->fd))
			continue;
		if (best == NULL || (c->fail_at != 0 && best->fail_at == 0) ||
		    ((c->fail_at != 0) == (best->fail_at != 0) &&
		    c->accepted < best->accepted))
			best = c;
	}
	if (best == NULL || (best->fail_at == 0 &&
	    now < best->accepted + CM_AUTH_GRACE_MS))
		return (0);
	/* Straight to the socket: what is queued for it no longer matters. */
	(void)!write(best->fd, full, sizeof full - 1);
	best->dead = 1;
	log_warn("client %d: unauthenticated, dropped for a newer one",
	    best->cid);
	return (1);
}

/* Clients that count against CM_CLIENTS_MAX and CM_UNAUTH_MAX. */
static void
count_clients(int *all, int *unauthed)
{
	int	 i;

	*all = *unauthed = 0;
	for (i = 0; i < nclients; i++) {
		if (clients[i]->dead)
			continue;
		(*all)++;
		if (!clients[i]->authed)
			(*unauthed)++;
	}
}

/*
 * Out of descriptors: shed the newcomer with "bye full" through the spare
 * descriptor, so that it is told and the listener does not stay readable;
 * without a spare, stop accepting for CM_ACCEPT_PAUSE_MS.  Either way the
 * loop does not spin.
 */
static void
accept_emfile(int err)
{
	static int64_t	 logged;
	int64_t		 now = now_ms();
	int		 fd;

	if (now - logged > 1000) {
		log_warn("accept: %s: refusing clients", strerror(err));
		logged = now;
	}
	if (spare_fd != -1) {
		close(spare_fd);
		spare_fd = -1;
		if ((fd = accept(listen_fd, NULL, NULL)) != -1)
			refuse_full(fd);
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
	if (spare_fd == -1)
		accept_resume_at = now + CM_ACCEPT_PAUSE_MS;
}

void
client_accept(void)
{
	struct client	*c;
	int		 fd, all, unauthed, n;
	uid_t		 uid;
	socklen_t	 sl;
	int64_t		 now;

	if (spare_fd == -1)
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	/* A bounded batch: the rest wait for the next pass. */
	for (n = 0; n < CM_CLIENTS_MAX; n++) {
		fd = accept(listen_fd, NULL, NULL);
		if (fd == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				accept_emfile(errno);
				return;
			}
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != ECONNABORTED)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		if (sock_peer_uid(fd, &uid) == -1)
			uid = (uid_t)-1;
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
		now = now_ms();
		count_clients(&all, &unauthed);
		if ((all >= CM_CLIENTS_MAX || unauthed >= CM_UNAUTH_MAX) &&
		    !evict_unauthed(now)) {
			refuse_full(fd);
			log_warn("refused a client: %d connected, %d of them "
			    "not authenticated", all, unauthed);
			continue;
		}
		if (nclients == CM_CLIENTS_MAX + CM_UNAUTH_MAX) {
			refuse_full(fd);	/* cannot happen */
			continue;
		}
		c = xcalloc(1, sizeof *c);
		c->cid = next_cid++;
		c->fd = fd;
		sl = sizeof c->sndbuf;
		if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &c->sndbuf, &sl) == -1)
			c->sndbuf = 0;
		c->accepted = now;
		buf_init(&c->in, CM_CLIENT_IN_MAX);
		buf_init(&c->out, CM_CLIENT_OUT_MAX);
		clients[nclients++] = c;
		line_start("hello", NULL);
		line_fields("cm");
		line_num(CM_PROTO_VERSION);
		line_fields(instance);
		line_fields("new-check");	/* what it can do: words */
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
