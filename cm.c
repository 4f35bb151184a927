/*
 * cm.c: the command line.  Every command but "agent" is a client: it
 * connects to the agent's socket, authenticates, sends one or two requests
 * and prints the replies, one record per line, in stable columns.
 *
 * Invariants: exit 0 on success, 1 on failure with "cm: ..." on stderr, 2 on
 * a usage error (send --wait and keys --wait: 3 confirm, 4 input, 5 error,
 * 6 exited); no command waits on the agent longer than CM_CLIENT_TIMEOUT_MS
 * except watch, wait and --wait, which wait by design, and new, which
 * watches the program's first second (CM_NEW_CHECK_MS); a command that
 * waits for what a change caused watches the session on the same
 * connection before it makes the change, so no event can fall between; bytes
 * from the wire are printed escaped unless the command prints a screen.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm.h"

struct conn {
	int		 fd;		/* read from the agent */
	int		 wfd;		/* write to it: fd, or a pipe with --via */
	pid_t		 via;		/* the --via command, or -1 */
	int		 via_err;	/* its stderr, a file, or -1 */
	struct buf	 in;
	size_t		 scanned;
	char		 instance[CM_ID_MAX + 1];
	char		 path[CM_PATH_MAX];
	int		 next_id;
	int		 new_check;	/* the agent answers "new check=1" */
};

/* A reply: "ok ID ..." or "err ID CODE MESSAGE"; fields after the id. */
struct reply {
	int		 ok;
	int		 nf;
	struct field	 f[CM_FIELDS_MAX];
	char		 code[32];
	char		 msg[512];
};

typedef int	 cmd_fn(int, char **);

struct command {
	const char	*name;
	cmd_fn		*fn;
	const char	*usage;
	const char	*help;
};

static const struct command *current;
static const char *opt_host;	/* -H or CM_HOST: the agent is there */
static const char *opt_via;	/* --via or CM_VIA: a command to reach it */
#define CM_HOSTS_MAX	32	/* -H given more than once */
static const char *hosts[CM_HOSTS_MAX];
static int	 nhosts;
static const char *self_path;

static int	 via_open(struct conn *, char *, size_t);
static int	 several_hosts(int, char **);
static int	 take_hosts(int, char **);
static int	 expand_all_hosts(void);
static void	 print_usage(FILE *);
static int	 dispatch(int, char **);

static void	 sleep_ms(int);
static void	 arg_add(struct buf *, const char *, size_t);
static long long parse_count(const char *, const char *);
static void	 arg_adds(struct buf *, const char *);
static void	 config_quiet(const char *);
static void	 print_event(int, int64_t, const struct field *,
		    const struct field *, const struct field *, uint64_t, int);

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: cm %s\n", current->usage);
	exit(2);
}

static void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fputs("cm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
write_out(const char *p, size_t n)
{
	if (fwrite(p, 1, n, stdout) != n)
		die("write: %s", strerror(errno));
}

/*
 * Bytes from the wire (or a screen) on their way to a person: escaped by
 * esc_text, so that no control byte and no invalid UTF-8 reaches the
 * terminal, one record stays one line and columns stay columns (a tab is
 * "\t"; a space is itself).  esc_dup gives a string to keep or to pass to
 * printf; print_escaped prints a field.  An empty field prints nothing.
 */
static char *
esc_dup(const void *p, size_t n)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, 4 * n + 8);
	if (esc_text(&b, p, n, 0) == -1)
		die("out of memory");
	s = xmalloc(b.len + 1);
	if (b.len > 0)
		memcpy(s, buf_ptr(&b), b.len);
	s[b.len] = '\0';
	buf_free(&b);
	return (s);
}

static void
print_escaped_to(FILE *out, const struct field *f)
{
	struct buf	 b;

	if (f->n == 0)
		return;
	buf_init(&b, 4 * f->n + 8);
	if (esc_text(&b, f->p, f->n, 0) == -1)
		die("out of memory");
	if (fwrite(buf_ptr(&b), 1, b.len, out) != b.len)
		die("write: %s", strerror(errno));
	buf_free(&b);
}

/* A string for a person, escaped as print_escaped does. */
static void
print_text(const char *s)
{
	struct field	 f;

	f.p = (char *)s;
	f.n = strlen(s);
	print_escaped_to(stdout, &f);
}

static void
print_escaped(const struct field *f)
{
	print_escaped_to(stdout, f);
}

static void
print_json_string(const char *p, size_t n)
{
	struct buf	 b;

	buf_init(&b, 6 * n + 8);
	if (esc_json(&b, p, n) == -1)
		die("out of memory");
	write_out(buf_ptr(&b), b.len);
	buf_free(&b);
}

static int
conn_write(struct conn *c, const char *p, size_t n)
{
	return (fd_write_all(c->wfd, p, n) == -1 ? -1 : 0);
}

/*
 * Read the next line into fields.  Returns 1, 0 on timeout, -1 when the
 * connection ended (with a message in cause).
 */
static int
conn_line(struct conn *c, int ms, struct field *f, int *nf, char *cause,
    size_t clen)
{
	const char	*why;
	char		*l;
	size_t		 n;
	ssize_t		 used, r;
	int64_t		 end = ms < 0 ? 0 : now_ms() + ms;
	int		 left, w;

	for (;;) {
		used = proto_frame(&c->in, &c->scanned, CM_REPLY_LINE_MAX, &l,
		    &n);
		if (used == -1) {
			snprintf(cause, clen, "agent sent a line longer than "
			    "%d bytes", CM_REPLY_LINE_MAX);
			return (-1);
		}
		if (used > 0) {
			*nf = proto_split(l, n, f, CM_FIELDS_MAX, &why);
			/* The fields stay valid until the next call. */
			c->in.off += (size_t)used;
			c->in.len -= (size_t)used;
			if (*nf == -1) {
				snprintf(cause, clen, "bad line from agent: %s",
				    why);
				return (-1);
			}
			return (1);
		}
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

static void
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
			if (waitpid(c->via, &st, WNOHANG) != 0)
				break;
			sleep_ms(10);
		}
		if (i == 100) {
			kill(c->via, SIGTERM);
			while (waitpid(c->via, &st, 0) == -1 && errno == EINTR)
				;
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
	if (exec_find(v[0], getenv("PATH"), cwd, found, sizeof found) == -1) {
		snprintf(cause, clen, "--via: %s: not found (PATH=%.300s)",
		    v[0], getenv("PATH") != NULL ? getenv("PATH") :
		    CM_DEFAULT_PATH);
		return (-1);
	}
	/* Its stderr goes to a file (unlinked at once) until we are done,
	 * so that a failure can say what it said. */
	snprintf(errpath, sizeof errpath, "%s/cm-via.XXXXXX",
	    getenv("TMPDIR") != NULL && *getenv("TMPDIR") == '/' ?
	    getenv("TMPDIR") : "/tmp");
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
		if (waitpid(c->via, &st, WNOHANG) == c->via)
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
	int			 nf, r, i;

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
	if (r == 1 && nf >= 2 && proto_field_eq(&f[0], "bye") &&
	    proto_field_eq(&f[1], "full")) {
		snprintf(cause, clen, "%.200s: the agent has no room for "
		    "another connection (bye full); try again shortly",
		    c->path);
		conn_close(c);
		*full = 1;
		return (-1);
	}
	if (r <= 0 || nf < 4 || !proto_field_eq(&f[0], "hello") ||
	    !proto_field_eq(&f[1], "cm")) {
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
	if (!proto_field_eq(&f[2], "1")) {
		snprintf(cause, clen, "agent speaks protocol %.20s, cm speaks "
		    "%d", esc_dup(f[2].p, f[2].n), CM_PROTO_VERSION);
		conn_close(c);
		return (-1);
	}
	snprintf(c->instance, sizeof c->instance, "%.*s", (int)f[3].n, f[3].p);
	/* What the agent can do past protocol 1's start: words after it. */
	c->new_check = 0;
	for (i = 4; i < nf; i++) {
		if (proto_field_eq(&f[i], "new-check"))
			c->new_check = 1;
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
static int
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

static void
connect_or_die(struct conn *c)
{
	char	 cause[512];
	int	 absent;

	if (conn_open(c, cause, sizeof cause, &absent) == -1)
		die("%s", cause);
}

/* Send "ID VERB ARGS..." where args are already-escaped text. */
static int
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

/* An event: "event INSTANCE SEQ TIME NAME TYPE DETAIL". */
struct ev {
	uint64_t	 seq;
	int64_t		 time;
	struct field	 name, type, detail;
};

static int
parse_event(struct field *f, int nf, struct ev *e)
{
	uint64_t	 t;

	if (nf < 7 || !proto_field_eq(&f[0], "event") ||
	    proto_field_u64(&f[2], &e->seq) == -1 ||
	    proto_field_u64(&f[3], &t) == -1)
		return (-1);
	e->time = (int64_t)t;
	e->name = f[4];
	e->type = f[5];
	e->detail = f[6];
	return (0);
}


/*
 * Following one session on a connection that watches it, until it settles
 * after a command: every event goes through follow_event, in the order the
 * agent sent it.  Events up to "after" happened before the command took
 * effect.  Settled is idle, confirm, input, error or exited; a confirm that
 * auto-confirm will answer is not (the event after it says), and with a task
 * the first idle is where the agent types it, so it is not either.
 */
struct follow {
	char		 name[CM_NAME_MAX + 1];	/* "": track seq only */
	uint64_t	 after;
	uint64_t	 last;		/* the newest event seen, any session */
	int		 confirm;	/* its auto-confirm is on */
	int		 task;		/* a task waits for the first idle */
	int		 typed;		/* ... and has been typed */
	int		 pending;	/* a confirm auto-confirm may answer */
	int		 done;
	int		 seen;		/* any state event after "after" */
	int		 exited;	/* one of them was "exited" */
	unsigned	 states;	/* 1 << state of each of them */
	struct buf	 early;		/* events before the name is known */
	char		 state[32];
	char		 detail[4 * CM_DETAIL_MAX];
	uint64_t	 seq;
	int64_t		 time;
};

static int
settled(const char *st)
{
	return (strcmp(st, "idle") == 0 || strcmp(st, "confirm") == 0 ||
	    strcmp(st, "input") == 0 || strcmp(st, "error") == 0 ||
	    strcmp(st, "exited") == 0);
}

static void
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

typedef void	 data_fn(struct field *, int, void *);

/*
 * Read until the reply to id: data lines go to fn, events are skipped.
 * Fills r; dies if the connection fails or the reply does not come in time.
 */
static void
await_follow(struct conn *c, int id, int ms, data_fn *fn, void *arg,
    struct reply *r, struct follow *fl)
{
	char	 want[16], cause[256], *msg;
	struct ev e;
	int	 x;

	snprintf(want, sizeof want, "%d", id);
	for (;;) {
		x = conn_line(c, ms, r->f, &r->nf, cause, sizeof cause);
		if (x == 0)
			die("no answer from agent in %d ms", ms);
		if (x == -1)
			die("%s", cause);
		if (r->nf >= 1 && proto_field_eq(&r->f[0], "bye"))
			die("agent closed the connection (%s)",
			    esc_dup(r->nf > 1 ? r->f[1].p : "",
			    r->nf > 1 ? r->f[1].n : 0));
		if (fl != NULL && parse_event(r->f, r->nf, &e) == 0) {
			follow_event(fl, &e);
			continue;
		}
		if (r->nf < 2 || !proto_field_eq(&r->f[1], want))
			continue;
		if (proto_field_eq(&r->f[0], "data")) {
			if (fn != NULL)
				fn(r->f + 2, r->nf - 2, arg);
			continue;
		}
		if (proto_field_eq(&r->f[0], "ok")) {
			r->ok = 1;
			return;
		}
		if (proto_field_eq(&r->f[0], "err")) {
			r->ok = 0;
			snprintf(r->code, sizeof r->code, "%.*s",
			    r->nf > 2 ? (int)r->f[2].n : 0,
			    r->nf > 2 ? r->f[2].p : "");
			/* Only ever printed: escaped, cut to size. */
			msg = esc_dup(r->nf > 3 ? r->f[3].p : "",
			    r->nf > 3 ? r->f[3].n : 0);
			snprintf(r->msg, sizeof r->msg, "%s", msg);
			free(msg);
			if (opt_via != NULL && strcmp(r->code, "auth") == 0)
				snprintf(r->msg, sizeof r->msg, "not logged "
				    "in at the far end of --via ('cm bridge' "
				    "there logs in with its machine's token; "
				    "is there one?)");
			return;
		}
	}
}

static void
await(struct conn *c, int id, int ms, data_fn *fn, void *arg, struct reply *r)
{
	await_follow(c, id, ms, fn, arg, r, NULL);
}

static void
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

static void
simple_follow(struct conn *c, const char *verb, struct buf *args,
    data_fn *fn, void *arg, struct reply *r, struct follow *fl)
{
	simple_follow_ms(c, verb, args, fn, arg, r, fl, CM_CLIENT_TIMEOUT_MS);
}

static void
simple(struct conn *c, const char *verb, struct buf *args, data_fn *fn,
    void *arg, struct reply *r)
{
	simple_follow(c, verb, args, fn, arg, r, NULL);
}

/* Connect, send one request, take its answer (data to fn), hang up. */
static void
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
static void
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
static void
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
static int
follow_wait(struct conn *c, struct follow *fl, int64_t deadline, int exit_only)
{
	struct field	 f[CM_FIELDS_MAX];
	struct ev	 e;
	char		 cause[256];
	int		 nf, k, left;

	while (exit_only ? !fl->exited : !fl->done) {
		left = -1;
		if (deadline != 0 && (left = (int)(deadline - now_ms())) <= 0)
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
static int
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

/* --json of a command that changes something: the event it caused. */
static void
print_seq(const char *name, uint64_t seq)
{
	fputs("{\"session\":", stdout);
	print_json_string(name, strlen(name));
	printf(",\"seq\":%llu}\n", (unsigned long long)seq);
}

/* -t SECS: a deadline in ms on the monotonic clock, 0 for none. */
static int64_t
parse_timeout(const char *s)
{
	char	*end;
	double	 secs;

	secs = strtod(s, &end);
	if (end == s || *end != '\0' || secs < 0 || secs > 1e7)
		usage();
	return (now_ms() + (int64_t)(secs * 1000));
}

static void
arg_add(struct buf *b, const char *s, size_t n)
{
	if ((b->len > 0 && buf_add(b, " ", 1) == -1) ||
	    proto_escape(b, s, n) == -1)
		die("request longer than %d bytes", CM_LINE_MAX);
}

static void
arg_adds(struct buf *b, const char *s)
{
	arg_add(b, s, strlen(s));
}

/*
 * A session named on the command line: "name", or "host:name", which means
 * -H host.  Exits 2 on a malformed name.
 */
static void
check_name(char **namep)
{
	static char	 host[256];
	char		*name = *namep, *colon;

	if ((colon = strrchr(name, ':')) != NULL) {
		if ((size_t)(colon - name) >= sizeof host || colon == name) {
			fprintf(stderr, "cm: bad host in '%s'\n", name);
			exit(2);
		}
		memcpy(host, name, (size_t)(colon - name));
		host[colon - name] = '\0';
		/* The session's own host wins over -H. */
		if (opt_via != NULL) {
			fprintf(stderr, "cm: '%s' names a host, and --via is "
			    "given\n", name);
			exit(2);
		}
		opt_host = host;
		name = *namep = colon + 1;
	}
	if (!proto_valid_name(name, strlen(name))) {
		fprintf(stderr, "cm: bad session name '%s' (letters, digits, "
		    "_ . -; at most %d; no leading -)\n", name, CM_NAME_MAX);
		exit(2);
	}
}

/* "cm CMD --help" (or -h) prints the command's usage and help. */
static void
maybe_help(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: cm %s\n%s\n", current->usage, current->help);
		exit(0);
	}
}

static int
cmd_agent(int argc, char **argv)
{
	return (agent_main(argc, argv));
}

/*
 * Load the user's profile files (as the agent does) and, if extra is not
 * NULL, the profile file extra on top.  Errors are fatal when strict;
 * otherwise a directory that does not parse is left to the agent.
 */
static int
load_profiles(const char *extra, int strict)
{
	char	 dir[CM_PATH_MAX], err[CM_PATH_MAX + 256];

	if (path_config(dir, sizeof dir, "profiles") == -1) {
		if (strict)
			die("profiles: path too long");
		return (-1);
	}
	if (profile_load(dir, extra, err, sizeof err) == -1) {
		if (strict)
			die("%s", err);
		return (-1);
	}
	return (0);
}

/* A profile the agent will know, or a usage error naming those it does. */
static int
check_profile(const char *name, int strict)
{
	char	 names[CM_PROFILES_MAX * (CM_PROFILE_NAME_MAX + 2)];
	int	 i;

	if (load_profiles(NULL, strict) == -1)
		return (-1);
	if ((i = profile_find(name)) == -1) {
		profile_names(names, sizeof names);
		die("unknown profile '%s' (%s)", name, names);
	}
	return (i);
}

struct showctx {
	struct buf	 screen;
};

static void
show_row(struct field *f, int nf, void *arg)
{
	struct showctx	*x = arg;

	if (nf < 1)
		return;
	if (buf_add(&x->screen, f[0].p, f[0].n) == -1 ||
	    buf_add(&x->screen, "\n", 1) == -1)
		die("screen larger than %d bytes", CM_SCREEN_MAX);
}

/* A row of a dead pane worth showing: not blank, not tmux's "Pane is dead". */
static int
keep_row(const char *p, size_t n)
{
	while (n > 0 && p[n - 1] == ' ')
		n--;
	return (n > 0 && !(n >= 12 && memcmp(p, "Pane is dead", 12) == 0));
}

/*
 * The program of a new session ended in its first second: say so, with the
 * last lines of its screen, and exit 1.  The session stays, for "cm show".
 */
static void __attribute__((noreturn))
new_died(struct conn *c, struct follow *fl)
{
	struct buf	 a;
	struct reply	 r;
	struct field	 f;
	struct showctx	 x;
	char		*p, *end, *l, *nl, *q;
	int		 rows;

	buf_init(&a, CM_LINE_MAX);
	arg_adds(&a, fl->name);
	buf_init(&x.screen, CM_SCREEN_MAX);
	simple(c, "show", &a, show_row, &x, &r);
	buf_free(&a);
	fflush(stdout);
	fprintf(stderr, "cm: %s: the program exited at once (%s)", fl->name,
	    fl->detail);
	/* The last 10 rows that hold something, tmux's own "Pane is
	 * dead" left out. */
	p = buf_ptr(&x.screen);
	end = p + x.screen.len;
	for (rows = 0, l = end; l > p && rows < 10; ) {
		nl = l - 1;		/* the end of the row before l */
		q = nl;
		while (q > p && q[-1] != '\n')
			q--;
		if (keep_row(q, (size_t)(nl - q)))
			rows++;
		l = q;
	}
	fputs(rows > 0 ? "; its screen ends:\n" : "\n", stderr);
	for (; l < end; l = nl + 1) {
		if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL)
			nl = end;
		if (!keep_row(l, (size_t)(nl - l)))
			continue;
		f.p = l;
		f.n = (size_t)(nl - l);
		fputs("  ", stderr);
		print_escaped_to(stderr, &f);
		fputc('\n', stderr);
	}
	buf_free(&x.screen);
	conn_close(c);
	exit(1);
}

static int
cmd_new(int argc, char **argv)
{
	struct conn	 c;
	struct reply	 r;
	struct buf	 a;
	char		 cwd[CM_PATH_MAX], dirbuf[2 * CM_PATH_MAX];
	const char	*name = NULL, *dir = NULL, *task = NULL;
	const char	*profile = NULL;
	struct follow	 fl;
	int64_t		 deadline = 0;
	int		 confirm = 0, i, wait = 0, json = 0, nowait = 0, rc = 0;
	int		 nenv = 0, k;
	const char	*envs[CM_FIELDS_MAX / 2];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-')
			break;
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) {
			if (nenv == CM_FIELDS_MAX / 2)
				die("too many -e");
			envs[nenv++] = argv[++i];
		} else if (strcmp(argv[i], "--wait") == 0)
			wait = 1;
		else if (strcmp(argv[i], "--no-wait") == 0)
			nowait = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			deadline = parse_timeout(argv[++i]);
		else if (strcmp(argv[i], "-C") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "-y") == 0)
			confirm = 1;
		else if (strcmp(argv[i], "--task") == 0 && i + 1 < argc)
			task = argv[++i];
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			profile = argv[++i];
		else
			usage();
	}
	if (i >= argc)
		usage();
	if (argc - i > CM_ARGV_MAX)
		die("the command has %d words, more than %d", argc - i,
		    CM_ARGV_MAX);
	/* The agent knows the profiles; here, a typo is caught early. */
	if (profile != NULL && opt_host == NULL)
		check_profile(profile, 0);
	if (name != NULL)
		check_name((char **)&name);
	if (opt_host != NULL) {
		/* Here's directories mean nothing there: -C must be absolute,
		 * and without it the remote agent's home is used. */
		if (dir != NULL && dir[0] != '/')
			die("-C needs an absolute path with -H");
	} else {
		if (getcwd(cwd, sizeof cwd) == NULL)
			die("getcwd: %s", strerror(errno));
		if (dir == NULL)
			dir = cwd;
		else if (dir[0] != '/') {
			snprintf(dirbuf, sizeof dirbuf, "%s/%s", cwd, dir);
			dir = dirbuf;
		}
		if (access(dir, X_OK) == -1)
			die("%s: %s", dir, strerror(errno));
	}
	if (dir != NULL && strlen(dir) >= CM_PATH_MAX)
		die("directory path longer than %d bytes", CM_PATH_MAX - 1);
	if (task != NULL && strlen(task) > CM_TEXT_MAX)
		die("task longer than %d bytes", CM_TEXT_MAX);

	buf_init(&a, CM_LINE_MAX);
	{
		struct buf	 kv;

		buf_init(&kv, CM_LINE_MAX);
		if (name != NULL) {
			(void)buf_adds(&kv, "name=");
			(void)buf_adds(&kv, name);
			arg_add(&a, buf_ptr(&kv), kv.len);
			buf_clear(&kv);
		}
		if (dir != NULL) {
			(void)buf_adds(&kv, "dir=");
			(void)buf_adds(&kv, dir);
			arg_add(&a, buf_ptr(&kv), kv.len);
			buf_clear(&kv);
		}
		if (task != NULL) {
			(void)buf_adds(&kv, "task=");
			(void)buf_adds(&kv, task);
			arg_add(&a, buf_ptr(&kv), kv.len);
		}
		buf_free(&kv);
	}
	for (k = 0; k < nenv; k++) {
		struct buf	 kv;

		if (strchr(envs[k], '=') == NULL || envs[k][0] == '=')
			die("-e wants NAME=VALUE, not '%s'", envs[k]);
		buf_init(&kv, CM_LINE_MAX);
		if (buf_adds(&kv, "env=") == -1 || buf_adds(&kv, envs[k]) == -1)
			die("-e longer than %d bytes", CM_LINE_MAX);
		arg_add(&a, buf_ptr(&kv), kv.len);
		buf_free(&kv);
	}
	if (confirm)
		arg_adds(&a, "confirm=1");
	if (profile != NULL) {
		char	 kv[64];

		snprintf(kv, sizeof kv, "profile=%s", profile);
		arg_adds(&a, kv);
	}
	if (wait && nowait)
		usage();
	connect_or_die(&c);
	if (!nowait && c.new_check)
		arg_adds(&a, "check=1");	/* answer after the first second */
	arg_adds(&a, "--");
	for (; i < argc; i++)
		arg_adds(&a, argv[i]);
	if (nowait && !wait && !json) {
		simple(&c, "new", &a, NULL, NULL, &r);
		if (r.nf > 2)
			print_escaped(&r.f[2]);
		putchar('\n');
		conn_close(&c);
		buf_free(&a);
		return (0);
	}
	/* Watch from before it exists: every event of it is seen. */
	follow_start(&c, &fl, NULL);
	/* The answer waits for the program's first second, too. */
	simple_follow_ms(&c, "new", &a, NULL, NULL, &r, &fl,
	    CM_CLIENT_TIMEOUT_MS + CM_NEW_CHECK_MS + CM_NEW_CHECK_MAX_MS);
	buf_free(&a);
	if (r.nf < 3 || !proto_valid_name(r.f[2].p, r.f[2].n))
		die("bad answer to new from agent");
	r.f[2].p[r.f[2].n] = '\0';
	fl.task = task != NULL && *task != '\0';
	follow_name(&fl, r.f[2].p);
	if (nowait)
		;
	else if (r.nf >= 5 && proto_field_eq(&r.f[3], "exited")) {
		/* The agent looked at its first second, and it had ended. */
		snprintf(fl.detail, sizeof fl.detail, "%.*s", (int)r.f[4].n,
		    r.f[4].p);
		new_died(&c, &fl);
	} else if (r.nf >= 4 && proto_field_eq(&r.f[3], "running"))
		;
	else if (follow_wait(&c, &fl, now_ms() + CM_NEW_CHECK_MS +
	    CM_NEW_CHECK_SLACK_MS, 1) == 1)
		new_died(&c, &fl);	/* an agent that does not look itself */
	if (json)
		print_seq(fl.name, fl.after);
	else
		printf("%s\n", fl.name);
	if (fflush(stdout) == EOF)
		die("write: %s", strerror(errno));
	if (wait) {
		if (follow_wait(&c, &fl, deadline, 0) == 0)
			die("timed out waiting for '%s' to settle (it is %s)",
			    fl.name, fl.state[0] ? fl.state : "starting");
		rc = follow_report(&fl, json);
	}
	conn_close(&c);
	return (rc);
}

/*
 * Send a changing request for one session.  With --json or --wait, watch
 * it first on the same connection, so that every event after the answer is
 * known to come after the change: --json prints the last event before it
 * (for "cm wait --after"), --wait waits for the session to react and
 * settle, prints where it settled and exits with its code.
 */
static int
changing(const char *verb, const char *name, struct buf *args, int json,
    int wait, int64_t deadline)
{
	struct conn	 c;
	struct reply	 r;
	struct follow	 fl;

	if (!json && !wait) {
		call(verb, args, NULL, NULL);
		return (0);
	}
	connect_or_die(&c);
	follow_start(&c, &fl, name);
	simple_follow(&c, verb, args, NULL, NULL, &r, &fl);
	buf_free(args);
	fl.after = fl.last;
	if (!wait) {
		print_seq(name, fl.after);
		conn_close(&c);
		return (0);
	}
	if (follow_wait(&c, &fl, deadline, 0) == 0)
		die("timed out waiting for '%s' to settle (it is %s)", name,
		    fl.state[0] ? fl.state : "unchanged");
	conn_close(&c);
	return (follow_report(&fl, json));
}

static int
cmd_send(int argc, char **argv)
{
	struct buf	 a, text;
	int		 enter = 1, i = 1, json = 0, wait = 0;
	int64_t		 deadline = 0;
	ssize_t		 n;

	while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-n") == 0)
			enter = 0;
		else if (strcmp(argv[i], "--wait") == 0)
			wait = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			deadline = parse_timeout(argv[++i]);
		else
			usage();
		i++;
	}
	if (argc - i < 2)
		usage();
	check_name(&argv[i]);
	buf_init(&text, CM_TEXT_MAX);
	if (argc - i == 2 && strcmp(argv[i + 1], "-") == 0) {
		for (;;) {
			n = buf_read(&text, 0);
			if (n == 0)
				break;
			if (n == -1 && errno == ENOBUFS)
				die("text longer than %d bytes", CM_TEXT_MAX);
			if (n == -1)
				die("stdin: %s", strerror(errno));
			if (n == CM_AGAIN && fd_wait(0, POLLIN, -1) == -1)
				die("stdin: %s", strerror(errno));
		}
		/* One trailing newline is the end of the input, not text. */
		if (text.len > 0 && buf_ptr(&text)[text.len - 1] == '\n')
			buf_truncate(&text, text.len - 1);
	} else {
		for (int k = i + 1; k < argc; k++) {
			if ((k > i + 1 && buf_add(&text, " ", 1) == -1) ||
			    buf_adds(&text, argv[k]) == -1)
				die("text longer than %d bytes", CM_TEXT_MAX);
		}
	}
	buf_init(&a, CM_LINE_MAX);
	arg_adds(&a, argv[i]);
	arg_add(&a, buf_ptr(&text), text.len);
	if (enter)
		arg_adds(&a, "enter");
	buf_free(&text);
	return (changing("send", argv[i], &a, json, wait, deadline));
}

static int
cmd_keys(int argc, char **argv)
{
	struct buf	 a;
	int		 i, json = 0, wait = 0;
	int64_t		 deadline = 0;

	while (argc > 1 && argv[1][0] == '-') {
		if (strcmp(argv[1], "--json") == 0)
			json = 1;
		else if (strcmp(argv[1], "--wait") == 0)
			wait = 1;
		else if (strcmp(argv[1], "-t") == 0 && argc > 2) {
			deadline = parse_timeout(argv[2]);
			argc--;
			argv++;
		} else
			usage();
		argc--;
		argv++;
	}
	if (argc < 3 || argc - 2 > CM_KEYS_MAX)
		usage();
	check_name(&argv[1]);
	for (i = 2; i < argc; i++) {
		if (!proto_valid_key(argv[i], strlen(argv[i])))
			die("bad key name '%s' (e.g. Enter, Escape, C-c, Up, "
			    "Tab, F1, or one character)", argv[i]);
	}
	buf_init(&a, CM_LINE_MAX);
	for (i = 1; i < argc; i++)
		arg_adds(&a, argv[i]);
	return (changing("keys", argv[1], &a, json, wait, deadline));
}

/* A session from ls: its fields as sent (for --json) and escaped. */
struct lsrow {
	char	*name, *state, *cmd, *detail, *profile, *dir, *mode;
	char	 age[32];
	char	 ac[64];		/* auto-confirm, as shown */
	long long created;
	long long until;		/* epoch ms, 0: none */
	long long pid;
	int	 confirm;
};

struct lsctx {
	struct lsrow	*rows;
	int		 n;
	int		 json;
};

static char *
field_dup(const struct field *f)
{
	char	*s = xmalloc(f->n + 1);

	memcpy(s, f->p, f->n);
	s[f->n] = '\0';
	return (s);
}

static void
format_age(char *out, size_t len, long long secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(out, len, "%llds", secs);
	else if (secs < 3600)
		snprintf(out, len, "%lldm", secs / 60);
	else if (secs < 86400)
		snprintf(out, len, "%lldh%02lldm", secs / 3600,
		    secs / 60 % 60);
	else
		snprintf(out, len, "%lldd%02lldh", secs / 86400,
		    secs / 3600 % 24);
}

/* Auto-confirm as a person reads it: "off", "on", "on until 14:05". */
static void
format_autoconfirm(char *out, size_t len, int on, long long until_ms)
{
	time_t		 t = (time_t)(until_ms / 1000);
	struct tm	 tm;

	if (!on)
		snprintf(out, len, "off");
	else if (until_ms == 0 || localtime_r(&t, &tm) == NULL)
		snprintf(out, len, "on");
	else if (t - time(NULL) < 86400)
		snprintf(out, len, "on until %02d:%02d", tm.tm_hour, tm.tm_min);
	else
		snprintf(out, len, "on until %04d-%02d-%02d %02d:%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min);
}

static long long
field_ll(struct field *f)
{
	char	 b[32];

	snprintf(b, sizeof b, "%.*s", (int)(f->n < 31 ? f->n : 31), f->p);
	return (strtoll(b, NULL, 10));
}

/* NAME STATE CREATED CONFIRM CMD DETAIL [PROFILE [UNTIL DIR PID [MODE]]] */
static void
ls_row(struct field *f, int nf, void *arg)
{
	struct lsctx	*x = arg;
	struct lsrow	*r;
	struct field	 none = { "", 0 };

	if (nf < 6)
		return;
	x->rows = realloc(x->rows, (size_t)(x->n + 1) * sizeof *x->rows);
	if (x->rows == NULL)
		die("out of memory");
	r = &x->rows[x->n++];
	r->name = field_dup(&f[0]);
	r->state = field_dup(&f[1]);
	r->created = field_ll(&f[2]);
	r->confirm = f[3].n == 1 && f[3].p[0] == '1';
	r->cmd = field_dup(&f[4]);
	r->detail = field_dup(&f[5]);
	r->profile = field_dup(nf > 6 ? &f[6] : &none);
	r->until = nf > 7 ? field_ll(&f[7]) : 0;
	r->dir = field_dup(nf > 8 ? &f[8] : &none);
	r->pid = nf > 9 ? field_ll(&f[9]) : 0;
	r->mode = nf > 10 && f[10].n > 0 ? field_dup(&f[10]) : xstrdup("-");
	format_age(r->age, sizeof r->age, (long long)time(NULL) - r->created);
	format_autoconfirm(r->ac, sizeof r->ac, r->confirm, r->until);
}

/*
 * One line for a status bar: "2 working · 1 idle · 1 needs you: fix
 * (confirm)"; "no sessions" when there are none.
 */
static int
ls_summary(struct lsctx *x)
{
	static const char *const order[] = { "working", "idle", "starting",
	    "exited", "unknown", NULL };
	const char	*sep = "";
	int		 i, k, n, need = 0;

	if (opt_host != NULL)
		printf("%s: ", opt_host);

	for (k = 0; order[k] != NULL; k++) {
		for (i = n = 0; i < x->n; i++)
			n += strcmp(x->rows[i].state, order[k]) == 0;
		if (n > 0) {
			printf("%s%d %s", sep, n, order[k]);
			sep = " · ";
		}
	}
	for (i = 0; i < x->n; i++) {
		if (strcmp(x->rows[i].state, "confirm") != 0 &&
		    strcmp(x->rows[i].state, "input") != 0 &&
		    strcmp(x->rows[i].state, "error") != 0)
			continue;
		if (need++ == 0) {
			for (k = n = 0; k < x->n; k++)
				n += strcmp(x->rows[k].state, "confirm") == 0 ||
				    strcmp(x->rows[k].state, "input") == 0 ||
				    strcmp(x->rows[k].state, "error") == 0;
			printf("%s%d needs you: ", sep, n);
		} else
			fputs(", ", stdout);
		printf("%s (%s)", x->rows[i].name, x->rows[i].state);
	}
	if (x->n == 0)
		fputs("no sessions", stdout);
	putchar('\n');
	for (i = 0; i < x->n; i++) {
		free(x->rows[i].name);
		free(x->rows[i].state);
		free(x->rows[i].cmd);
		free(x->rows[i].detail);
		free(x->rows[i].profile);
		free(x->rows[i].dir);
		free(x->rows[i].mode);
	}
	free(x->rows);
	return (0);
}

static void
json_member(const char *key, const char *val)
{
	printf(",\"%s\":", key);
	print_json_string(val, strlen(val));
}

/*
 * ls: NAME STATE COMMAND AGE PROFILE AUTOCONFIRM, tab-separated (padded,
 * with a header, on a terminal); --json: one object per session.
 */
static int
cmd_ls(int argc, char **argv)
{
	struct lsctx	 x;
	struct lsrow	*r;
	int		 i, k, tty, w[6] = { 4, 5, 7, 3, 7, 11 }, summary = 0;
	char		 ts[40];
	const char	*col[6];

	memset(&x, 0, sizeof x);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			x.json = 1;
		else if (strcmp(argv[i], "--summary") == 0)
			summary = 1;
		else
			usage();
	}
	if (summary && x.json)
		usage();
	call("ls", NULL, ls_row, &x);
	if (summary)
		return (ls_summary(&x));
	/* What a person reads: no control byte from the wire reaches the
	 * terminal (the JSON below escapes on its own). */
	for (i = 0; i < x.n && !x.json; i++) {
		char	**fld[] = { &x.rows[i].name, &x.rows[i].state,
		    &x.rows[i].cmd, &x.rows[i].profile, &x.rows[i].mode };
		char	*e;

		for (k = 0; k < (int)(sizeof fld / sizeof fld[0]); k++) {
			e = esc_dup(*fld[k], strlen(*fld[k]));
			free(*fld[k]);
			*fld[k] = e;
		}
	}
	if (isatty(1) && !x.json && opt_host != NULL)
		printf("host %s\n", opt_host);
	tty = isatty(1) && !x.json;
	for (i = 0; i < x.n && tty; i++) {
		r = &x.rows[i];
		col[0] = r->name;
		col[1] = r->state;
		col[2] = r->cmd;
		col[3] = r->age;
		col[4] = r->profile;
		col[5] = r->ac;
		for (k = 0; k < 6; k++) {
			if ((int)strlen(col[k]) > w[k])
				w[k] = (int)strlen(col[k]);
		}
	}
	if (tty)
		printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w[0], "NAME",
		    w[1], "STATE", w[2], "COMMAND", w[3], "AGE", w[4], "PROFILE",
		    w[5], "AUTOCONFIRM", "MODE");
	for (i = 0; i < x.n; i++) {
		r = &x.rows[i];
		if (x.json) {
			fputs("{\"host\":", stdout);
			if (opt_host != NULL)
				print_json_string(opt_host, strlen(opt_host));
			else
				fputs("null", stdout);
			json_member("name", r->name);
			json_member("state", r->state);
			json_member("command", r->cmd);
			printf(",\"created\":%lld,\"age\":%lld,"
			    "\"autoconfirm\":%s,\"autoconfirm_until\":",
			    r->created, (long long)time(NULL) - r->created,
			    r->confirm ? "true" : "false");
			if (r->confirm && r->until != 0) {
				format_time(ts, sizeof ts, r->until);
				printf("\"%s\"", ts);
			} else
				fputs("null", stdout);
			json_member("detail", r->detail);
			json_member("profile", r->profile);
			json_member("dir", r->dir);
			json_member("mode", strcmp(r->mode, "-") == 0 ? "" :
			    r->mode);
			if (r->pid > 0)
				printf(",\"pid\":%lld}\n", r->pid);
			else
				fputs(",\"pid\":null}\n", stdout);
		} else if (tty) {
			printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w[0],
			    r->name, w[1], r->state, w[2], r->cmd, w[3],
			    r->age, w[4], r->profile, w[5], r->ac, r->mode);
		} else {
			printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r->name,
			    r->state, r->cmd, r->age, r->profile, r->ac,
			    r->mode);
		}
		free(r->name);
		free(r->state);
		free(r->cmd);
		free(r->detail);
		free(r->profile);
		free(r->dir);
		free(r->mode);
	}
	free(x.rows);
	return (0);
}

static int
cmd_show(int argc, char **argv)
{
	struct buf	 a, out;
	struct showctx	 x;
	int		 i, esc = 0;
	const char	*name = NULL;
	char		*p;
	size_t		 n;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-e") == 0)
			esc = 1;
		else if (argv[i][0] == '-' || name != NULL)
			usage();
		else
			name = argv[i];
	}
	if (name == NULL)
		usage();
	check_name((char **)&name);
	buf_init(&a, CM_LINE_MAX);
	arg_adds(&a, name);
	if (esc)
		arg_adds(&a, "escapes");
	buf_init(&x.screen, CM_SCREEN_MAX);
	call("show", &a, show_row, &x);
	/* Trailing blank rows are the unused part of the pane. */
	p = buf_ptr(&x.screen);
	n = x.screen.len;
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	/* Rows as they are, but no byte that drives the terminal: with -e,
	 * colours and attributes (SGR) only. */
	buf_init(&out, 4 * n + 8);
	if (esc_text(&out, p, n, ESC_LINES | (esc ? ESC_SGR : 0)) == -1)
		die("out of memory");
	write_out(buf_ptr(&out), out.len);
	if (n > 0)
		write_out("\n", 1);
	buf_free(&out);
	buf_free(&x.screen);
	return (0);
}

static int
cmd_kill(int argc, char **argv)
{
	struct buf	 a;

	int		 json = argc == 3 && strcmp(argv[1], "--json") == 0;

	if (json) {
		argc--;
		argv++;
	}
	if (argc != 2)
		usage();
	check_name(&argv[1]);
	buf_init(&a, CM_LINE_MAX);
	arg_adds(&a, argv[1]);
	return (changing("kill", argv[1], &a, json, 0, 0));
}

static int
cmd_ping(int argc, char **argv)
{

	(void)argv;
	if (argc != 1)
		usage();
	call("ping", NULL, NULL, NULL);
	return (0);
}

/* A Prometheus label value: \\, \" and \n escaped. */
static void
prom_label(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\' || p[i] == '"')
			printf("\\%c", p[i]);
		else if (p[i] == '\n')
			fputs("\\n", stdout);
		else
			putchar(p[i]);
	}
}

static void
prom_head(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* ls rows counted by state, for the metrics. */
static void
metrics_row(struct field *f, int nf, void *arg)
{
	int		*count = arg;
	enum state	 st;
	char		 s[16];

	if (nf < 2 || f[1].n >= sizeof s)
		return;
	memcpy(s, f[1].p, f[1].n);
	s[f[1].n] = '\0';
	if (state_parse(s, &st) == 0)
		count[st]++;
}

/* The value of key in a status reply's fields, or NULL. */
static const char *
status_value(struct reply *r, const char *key, char *out, size_t len)
{
	size_t	 k = strlen(key);
	int	 i;

	for (i = 2; i < r->nf; i++) {
		if (r->f[i].n > k && r->f[i].p[k] == '=' &&
		    memcmp(r->f[i].p, key, k) == 0) {
			snprintf(out, len, "%.*s", (int)(r->f[i].n - k - 1),
			    r->f[i].p + k + 1);
			return (out);
		}
	}
	return (NULL);
}

/*
 * The agent's counters in Prometheus's text exposition format (version
 * 0.0.4): the status reply, and the sessions by state from an ls on the same
 * connection.
 */
static void
print_metrics(struct conn *c, struct reply *r)
{
	static const struct {
		const char	*key, *name, *type, *help;
	} simple_m[] = {
		{ "uptime", "cm_uptime_seconds", "gauge",
		  "Seconds since the agent started." },
		{ "clients", "cm_clients", "gauge", "Clients connected." },
		{ "events", "cm_events_total", "counter",
		  "Events sent since the agent started." },
		{ "confirms", "cm_autoconfirms_total", "counter",
		  "Prompts auto-confirm answered." },
		{ "spawns", "cm_tmux_jobs_total", "counter",
		  "tmux processes started." },
		{ "job_failures", "cm_tmux_job_failures_total", "counter",
		  "tmux processes that failed or timed out." },
		{ "ctl_restarts", "cm_control_restarts_total", "counter",
		  "tmux control clients started again." },
		{ "captures", "cm_captures_total", "counter",
		  "Screens read." },
		{ NULL, NULL, NULL, NULL }
	};
	struct buf	 dec;
	struct reply	 lr;
	char		 v[256], ver[64], inst[64], *l, *nl, *c1, *c2;
	int		 i, count[S_NSTATES];

	/* What the next request overwrites: keep it. */
	buf_init(&dec, CM_REPLY_LINE_MAX);
	for (i = 2; i < r->nf; i++) {
		if (r->f[i].n > 9 && memcmp(r->f[i].p, "decision=", 9) == 0) {
			(void)buf_add(&dec, r->f[i].p + 9, r->f[i].n - 9);
			(void)buf_add(&dec, "\n", 1);
		}
	}
	(void)buf_add(&dec, "", 1);
	if (status_value(r, "version", ver, sizeof ver) == NULL)
		ver[0] = '\0';
	if (status_value(r, "instance", inst, sizeof inst) == NULL)
		inst[0] = '\0';
	prom_head("cm_up", "gauge", "1: the agent answered.");
	printf("cm_up 1\n");
	prom_head("cm_info", "gauge", "The agent's version and instance.");
	fputs("cm_info{version=\"", stdout);
	prom_label(ver, strlen(ver));
	fputs("\",instance=\"", stdout);
	prom_label(inst, strlen(inst));
	printf("\"} 1\n");
	for (i = 0; simple_m[i].key != NULL; i++) {
		if (status_value(r, simple_m[i].key, v, sizeof v) == NULL ||
		    v[strspn(v, "0123456789")] != '\0' || v[0] == '\0')
			continue;
		prom_head(simple_m[i].name, simple_m[i].type, simple_m[i].help);
		printf("%s %s\n", simple_m[i].name, v);
	}
	prom_head("cm_autoconfirm_decisions_total", "counter",
	    "Auto-confirm's decisions by action and rule.");
	for (l = buf_ptr(&dec); (nl = strchr(l, '\n')) != NULL; l = nl + 1) {
		/* ACTION:N:RULE */
		*nl = '\0';
		if ((c1 = strchr(l, ':')) == NULL ||
		    (c2 = strchr(c1 + 1, ':')) == NULL)
			continue;
		fputs("cm_autoconfirm_decisions_total{action=\"", stdout);
		prom_label(l, (size_t)(c1 - l));
		fputs("\",rule=\"", stdout);
		prom_label(c2 + 1, strlen(c2 + 1));
		printf("\"} %.*s\n", (int)(c2 - c1 - 1), c1 + 1);
	}
	buf_free(&dec);
	memset(count, 0, sizeof count);
	simple(c, "ls", NULL, metrics_row, count, &lr);
	prom_head("cm_sessions", "gauge", "Sessions by state.");
	for (i = 0; i < S_NSTATES; i++)
		printf("cm_sessions{state=\"%s\"} %d\n", state_name(i),
		    count[i]);
}

/*
 * status: "KEY<tab>VALUE" lines, uptime as 3h12m and times in ISO 8601;
 * --json: one object, numbers as the agent sent them.
 */
static int
cmd_status(int argc, char **argv)
{
	struct conn	 c;
	struct reply	 r;
	int		 i, json = 0, metrics = 0, ndec = 0;
	char		*eq, key[64], val[256], *end;
	long long	 v;
	size_t		 kn;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--metrics") == 0)
			metrics = 1;
		else
			usage();
	}
	if (json && metrics)
		usage();
	connect_or_die(&c);
	simple(&c, "status", NULL, NULL, NULL, &r);
	if (metrics) {
		print_metrics(&c, &r);
		conn_close(&c);
		return (0);
	}
	if (json) {
		fputs("{\"socket\":", stdout);
		print_json_string(c.path, strlen(c.path));
		if (opt_host != NULL) {
			fputs(",\"host\":", stdout);
			print_json_string(opt_host, strlen(opt_host));
		}
	} else {
		if (opt_host != NULL)
			printf("host\t%s\n", opt_host);
		fputs("socket\t", stdout);
		print_text(c.path);
		putchar('\n');
	}
	for (i = 2; i < r.nf; i++) {
		eq = memchr(r.f[i].p, '=', r.f[i].n);
		if (eq == NULL)
			continue;
		kn = (size_t)(eq - r.f[i].p);
		snprintf(key, sizeof key, "%.*s", (int)kn, r.f[i].p);
		snprintf(val, sizeof val, "%.*s", (int)(r.f[i].n - kn - 1),
		    eq + 1);
		errno = 0;
		v = strtoll(val, &end, 10);
		if (json && strcmp(key, "decision") == 0) {
			/* ACTION:N:RULE, one field each: an array. */
			printf("%s", ndec++ == 0 ? ",\"decisions\":[" : ",");
			print_json_string(val, strlen(val));
			continue;
		}
		if (json && ndec > 0) {
			fputs("]", stdout);
			ndec = -1000;
		}
		if (json) {
			printf(",\"%s\":", key);
			if (*val != '\0' && *end == '\0' && errno == 0 &&
			    strcmp(key, "version") != 0 &&
			    strcmp(key, "instance") != 0)
				printf("%lld", v);
			else
				print_json_string(val, strlen(val));
			continue;
		}
		if (strcmp(key, "uptime") == 0 && *end == '\0')
			format_age(val, sizeof val, v);
		else if (strcmp(key, "started") == 0 && *end == '\0')
			format_time(val, sizeof val, (int64_t)v * 1000);
		/* From the wire: escaped on its way to a person. */
		print_text(key);
		putchar('\t');
		print_text(val);
		putchar('\n');
	}
	if (json)
		fputs(ndec > 0 ? "]}\n" : "}\n", stdout);
	conn_close(&c);
	return (0);
}

static void
sleep_ms(int ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static int64_t
wall_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * Auto-confirm's events carry "rule=RULE [keys=KEYS] prompt=PROMPT": find
 * the three parts (KEYS may hold spaces).  Returns 0, or -1 if the detail is
 * not of that form.
 */
static int
split_confirm_detail(const struct field *d, struct field *rule,
    struct field *keys, struct field *prompt)
{
	const char	*p = d->p, *end = d->p + d->n, *k = NULL, *q;

	if (d->n < 5 || memcmp(p, "rule=", 5) != 0)
		return (-1);
	/* The rule may hold blanks: it ends at " keys=" or " prompt=". */
	for (q = p + 5; q + 8 <= end; q++) {
		if (k == NULL && memcmp(q, " keys=", 6) == 0)
			k = q;
		if (memcmp(q, " prompt=", 8) == 0)
			break;
	}
	if (q + 8 > end)
		return (-1);
	rule->p = (char *)p + 5;
	rule->n = (size_t)((k != NULL ? k : q) - rule->p);
	keys->p = k != NULL ? (char *)k + 6 : NULL;
	keys->n = k != NULL ? (size_t)(q - keys->p) : 0;
	prompt->p = (char *)q + 8;
	prompt->n = (size_t)(end - prompt->p);
	return (0);
}

/*
 * One line of watch (and of wait and send --wait): TIME SESSION TYPE
 * DETAIL, tab-separated; with -H given more than once the host comes first
 * (fanout adds it).  A snapshot line (the state a session was in when watch
 * began) has the same columns, its state as TYPE; in JSON it says
 * "snapshot":true.  JSON splits auto-confirm's detail into rule, keys and
 * prompt.
 */
static void
print_event(int json, int64_t t, const struct field *name,
    const struct field *type, const struct field *detail, uint64_t seq,
    int snapshot)
{
	struct field	 rule, keys, prompt;
	char		 ts[40];

	format_time(ts, sizeof ts, t);
	if (json) {
		printf("{\"time\":\"%s\",\"seq\":%llu,\"session\":", ts,
		    (unsigned long long)seq);
		print_json_string(name->p, name->n);
		fputs(",\"type\":", stdout);
		print_json_string(type->p, type->n);
		fputs(",\"detail\":", stdout);
		print_json_string(detail->p, detail->n);
		if (split_confirm_detail(detail, &rule, &keys, &prompt) == 0) {
			fputs(",\"rule\":", stdout);
			print_json_string(rule.p, rule.n);
			fputs(",\"keys\":", stdout);
			print_json_string(keys.p, keys.n);
			fputs(",\"prompt\":", stdout);
			print_json_string(prompt.p, prompt.n);
		}
		if (snapshot)
			fputs(",\"snapshot\":true", stdout);
		fputs("}\n", stdout);
	} else {
		printf("%s\t", ts);
		print_escaped(name);
		putchar('\t');
		print_escaped(type);
		putchar('\t');
		print_escaped(detail);
		putchar('\n');
	}
	if (fflush(stdout) == EOF)
		die("write: %s", strerror(errno));
}

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

static int
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

static int
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
	for (k = 0; k < nwant; k++) {
		if (strcmp(want[k], x.state) != 0)
			continue;
		if (x.autoconfirm && strcmp(x.state, "confirm") == 0) {
			/* Maybe answered already: its "working" is near. */
			held = now_ms() + WAIT_CONFIRM_GRACE_MS;
			break;
		}
		goto done;
	}
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
		for (k = 0; k < nwant; k++) {
			if (strcmp(want[k], x.state) != 0)
				continue;
			if (x.autoconfirm && strcmp(x.state, "confirm") == 0) {
				held = now_ms() + WAIT_CONFIRM_GRACE_MS;
				break;
			}
			goto done;
		}
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
static int
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

/*
 * Log in for whoever is at the other end of the bridge: this side has the
 * token (it runs as the agent's user, on its machine), so a client that comes
 * through ssh or kubectl exec need not.  The greeting goes through; the
 * answer to our own auth does not.
 */
static void
bridge_login(int fd, struct buf *down)
{
	char		 token[CM_TOKEN_MAX + 1], why[256], line[CM_TOKEN_MAX + 32];
	char		*nl;
	size_t		 have;
	int		 n;

	/* The greeting, whole. */
	while (down->len == 0 ||
	    (nl = memchr(buf_ptr(down), '\n', down->len)) == NULL) {
		if (fd_wait(fd, POLLIN, CM_CLIENT_TIMEOUT_MS) != 1 ||
		    buf_read(down, fd) <= 0)
			return;
	}
	if (token_get(token, sizeof token, 0, why, sizeof why) == -1)
		return;		/* the client will have to log in itself */
	n = snprintf(line, sizeof line, "bridge auth %s\n", token);
	memset(token, 0, sizeof token);
	if (fd_write_all(fd, line, (size_t)n) == -1)
		return;
	memset(line, 0, sizeof line);
	have = (size_t)(nl - buf_ptr(down)) + 1;
	for (;;) {
		nl = memchr(buf_ptr(down) + have, '\n', down->len - have);
		if (nl != NULL)
			break;
		if (fd_wait(fd, POLLIN, CM_CLIENT_TIMEOUT_MS) != 1 ||
		    buf_read(down, fd) <= 0)
			return;
	}
	if ((size_t)(nl - buf_ptr(down)) - have == 9 &&
	    memcmp(buf_ptr(down) + have, "ok bridge", 9) == 0) {
		/* Drop our answer, keep the greeting. */
		memmove(buf_ptr(down) + have, nl + 1,
		    down->len - (size_t)(nl + 1 - buf_ptr(down)));
		buf_truncate(down, down->len -
		    (size_t)(nl + 1 - (buf_ptr(down) + have)));
	}
}

/*
 * Copy stdin to the agent's socket and the socket to stdout: the protocol
 * spoken by hand, or by another cm at the far end of a pipe (--via).  It logs
 * in with this machine's token unless --raw.
 */
static int
cmd_bridge(int argc, char **argv)
{
	struct pollfd		 p[2];
	struct buf		 up, down;
	char			 path[CM_PATH_MAX], cause[512];
	int			 fd, in_open = 1, raw, absent;
	ssize_t			 r;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "--raw") != 0))
		usage();
	raw = argc == 2;
	if (path_socket(path, sizeof path, NULL) == -1)
		die("socket path: %s", strerror(errno));
	if ((fd = sock_connect(path, &absent, cause, sizeof cause)) == -1)
		die("%s", cause);
	if (fd_nonblock(fd) == -1 || fd_nonblock(0) == -1 ||
	    fd_nonblock(1) == -1)
		die("fcntl: %s", strerror(errno));
	buf_init(&up, 65536);
	buf_init(&down, 65536);
	if (!raw)
		bridge_login(fd, &down);
	for (;;) {
		p[0].fd = fd;
		p[0].events = (down.len < down.max ? POLLIN : 0) |
		    (up.len > 0 ? POLLOUT : 0);
		p[1].fd = in_open && up.len < up.max ? 0 : -1;
		p[1].events = POLLIN;
		p[0].revents = p[1].revents = 0;
		if (down.len > 0) {
			if (buf_write(&down, 1, down.len) == -1)
				die("stdout: %s", strerror(errno));
			if (down.len > 0 && fd_wait(1, POLLOUT, -1) == -1)
				die("poll: %s", strerror(errno));
			continue;
		}
		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (p[1].revents != 0) {
			r = buf_read(&up, 0);
			if (r == 0 || (r == -1 && errno != ENOBUFS)) {
				in_open = 0;
				if (up.len == 0)
					(void)shutdown(fd, SHUT_WR);
			}
		}
		if (p[0].revents & POLLOUT) {
			/* The agent may close first (after an error it sends):
			 * stop writing, keep reading what it said. */
			if (buf_write(&up, fd, up.len) == -1) {
				buf_clear(&up);
				in_open = 0;
			}
			if (!in_open && up.len == 0)
				(void)shutdown(fd, SHUT_WR);
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			r = buf_read(&down, fd);
			if (r == 0 || r == -1) {
				(void)buf_write(&down, 1, down.len);
				break;
			}
		}
	}
	close(fd);
	buf_free(&up);
	buf_free(&down);
	return (0);
}

/* A count from the command line (0..INT_MAX), or a usage error. */
static long long
parse_count(const char *s, const char *what)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > INT_MAX) {
		fprintf(stderr, "cm: %s: bad number '%s'\n", what, s);
		exit(2);
	}
	return (v);
}

/* Classify one screen (file, or stdin when NULL) and print the verdict. */
static void
detect_one(const char *file, struct screen *sc, int profile,
    const struct ruleset *rs, const char *dir, int json)
{
	static const char *const kinds[] = { "none", "shell", "edit",
	    "question", "fetch", "tool" };
	struct buf	 in;
	struct verdict	 v;
	char		 decision[CM_PATH_MAX + 32];
	ssize_t		 n;
	int		 fd = 0;

	if (file != NULL && strcmp(file, "-") != 0 &&
	    (fd = open(file, O_RDONLY)) == -1)
		die("%s: %s", file, strerror(errno));
	buf_init(&in, CM_SCREEN_MAX);
	for (;;) {
		n = buf_read(&in, fd);
		if (n == 0)
			break;
		if (n == -1 && errno == ENOBUFS)
			die("%s: screen larger than %d bytes", file ? file :
			    "stdin", CM_SCREEN_MAX);
		if (n == -1)
			die("%s: %s", file ? file : "stdin", strerror(errno));
		if (n == CM_AGAIN && fd_wait(fd, POLLIN, -1) == -1)
			die("poll: %s", strerror(errno));
	}
	if (fd != 0)
		close(fd);
	sc->text = buf_ptr(&in);
	sc->len = in.len;
	confirm_classify(profile, sc, &v);
	(void)rules_verdict(rs, &v, dir, decision, sizeof decision);
	if (json) {
		fputs("{\"state\":", stdout);
		print_json_string(state_name(v.state),
		    strlen(state_name(v.state)));
		fputs(",\"keys\":", stdout);
		print_json_string(v.keys, strlen(v.keys));
		fputs(",\"prompt\":", stdout);
		print_json_string(v.detail, strlen(v.detail));
		fputs(",\"rule\":", stdout);
		print_json_string(v.rule, strlen(v.rule));
		fputs(",\"profile\":", stdout);
		print_json_string(profile_name(profile),
		    strlen(profile_name(profile)));
		fputs(",\"decision\":", stdout);
		print_json_string(decision, strlen(decision));
		fputs(",\"kind\":", stdout);
		print_json_string(kinds[v.kind], strlen(kinds[v.kind]));
		fputs(",\"subject\":", stdout);
		print_json_string(v.subject, strlen(v.subject));
		fputs(",\"mode\":", stdout);
		print_json_string(v.mode, strlen(v.mode));
		if (file != NULL) {
			fputs(",\"file\":", stdout);
			print_json_string(file, strlen(file));
		}
		fputs("}\n", stdout);
	} else
		printf("%s%s%s\n%s\n%s\n%s\n%s\n", state_name(v.state),
		    v.keys[0] ? " " : "", esc_dup(v.keys, strlen(v.keys)),
		    esc_dup(v.detail, strlen(v.detail)),
		    esc_dup(v.rule, strlen(v.rule)),
		    esc_dup(decision, strlen(decision)),
		    v.mode[0] ? v.mode : "-");
	buf_free(&in);
}

/*
 * Classify screens read from files (or stdin), as the agent would a pane
 * that has been quiet (or for --quiet MS, with the cursor on row --cursor,
 * after the program ended with --dead): the state and the approving keys,
 * then the prompt, then the rule that decided, then what auto-confirm
 * would do.  The user's profile files count, and --profile-file FILE on
 * top (its profile is used unless --profile names another).
 */
static int
cmd_detect(int argc, char **argv)
{
	struct screen	 sc;
	struct ruleset	*rs;
	const char	*title = NULL, *dir = NULL, *rfile = NULL;
	const char	*host = NULL, *pname = NULL, *pfile = NULL, *base;
	char		 hostbuf[256];
	char		 cwd[CM_PATH_MAX], rpath[CM_PATH_MAX], err[512];
	int		 i, json = 0, profile, cursor = -1, dead = 0, nfiles = 0;
	int		 fg_job = 0;
	long long	 quiet = INT64_MAX / 2;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			pname = argv[++i];
		else if (strcmp(argv[i], "--profile-file") == 0 && i + 1 < argc)
			pfile = argv[++i];
		else if (strcmp(argv[i], "--title") == 0 && i + 1 < argc)
			title = argv[++i];
		else if (strcmp(argv[i], "--quiet") == 0 && i + 1 < argc)
			quiet = parse_count(argv[++i], "--quiet");
		else if (strcmp(argv[i], "--cursor") == 0 && i + 1 < argc)
			cursor = (int)parse_count(argv[++i], "--cursor");
		else if (strcmp(argv[i], "--dead") == 0)
			dead = 1;
		else if (strcmp(argv[i], "--fg-job") == 0)
			fg_job = 1;
		else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--host") == 0 && i + 1 < argc)
			host = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			usage();
		else
			argv[1 + nfiles++] = argv[i];	/* the screens */
	}
	load_profiles(pfile, 1);
	if (pname != NULL)
		profile = check_profile(pname, 1);
	else if (pfile != NULL) {
		base = strrchr(pfile, '/') != NULL ? strrchr(pfile, '/') + 1 :
		    pfile;
		profile = profile_find(base);
	} else
		profile = profile_find("generic");
	/* What auto-confirm would do, under this user's rules. */
	if (dir == NULL && (dir = getcwd(cwd, sizeof cwd)) == NULL)
		die("getcwd: %s", strerror(errno));
	if (path_config(rpath, sizeof rpath, "rules") == 0 &&
	    access(rpath, F_OK) == 0)
		rfile = rpath;
	if ((rs = rules_load(rfile, err, sizeof err)) == NULL)
		die("%s", err);
	/* tmux's default title is the host name: the program set none. */
	if (host == NULL && gethostname(hostbuf, sizeof hostbuf) == 0) {
		hostbuf[sizeof hostbuf - 1] = '\0';
		host = hostbuf;
	}
	sc.title = title;
	sc.title_default = title != NULL && host != NULL &&
	    strcmp(title, host) == 0;
	sc.dead = dead;
	sc.quiet_ms = quiet;
	sc.cursor_y = cursor;
	sc.fg_job = fg_job;
	for (i = 0; i < (nfiles > 0 ? nfiles : 1); i++) {
		if (nfiles > 1 && !json)
			printf("%s== %s\n", i > 0 ? "\n" : "", argv[1 + i]);
		detect_one(nfiles > 0 ? argv[1 + i] : NULL, &sc, profile, rs,
		    dir, json);
	}
	rules_free(rs);
	return (0);
}

/* "90", "90s", "30m", "2h", "1d": seconds, or -1. */
static long long
parse_duration(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v <= 0)
		return (-1);
	if (*end == '\0' || strcmp(end, "s") == 0)
		return (v);
	if (strcmp(end, "m") == 0)
		return (v * 60);
	if (strcmp(end, "h") == 0)
		return (v * 3600);
	if (strcmp(end, "d") == 0)
		return (v * 86400);
	return (-1);
}

static int
cmd_confirm(int argc, char **argv)
{
	struct buf	 a;
	long long	 secs = 0;
	char		 kv[64], shown[64];
	int		 json = 0, i, k;

	for (i = k = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			argv[k++] = argv[i];
	}
	argc = k;
	if (argc == 5 && strcmp(argv[3], "--for") == 0) {
		if ((secs = parse_duration(argv[4])) == -1 ||
		    secs > 366LL * 86400)
			usage();
		argc -= 2;
	}
	if (argc != 3 || (strcmp(argv[2], "on") != 0 &&
	    strcmp(argv[2], "off") != 0) ||
	    (secs != 0 && strcmp(argv[2], "on") != 0))
		usage();
	check_name(&argv[1]);
	buf_init(&a, CM_LINE_MAX);
	arg_adds(&a, argv[1]);
	arg_adds(&a, argv[2]);
	if (secs != 0) {
		snprintf(kv, sizeof kv, "for=%lld", secs);
		arg_adds(&a, kv);
	}
	(void)changing("confirm", argv[1], &a, json, 0, 0);
	if (!json) {
		/* What it set, as cm ls shows it. */
		format_autoconfirm(shown, sizeof shown, argv[2][1] == 'n',
		    secs != 0 ? (long long)wall_now() + secs * 1000 : 0);
		printf("%s: auto-confirm %s\n", argv[1], shown);
	}
	return (0);
}

/* TIME SESSION ACTION RULE KEYS PROMPT */
static void
log_row(struct field *f, int nf, void *arg)
{
	int	 i;

	(void)arg;
	if (nf < 6)
		return;
	for (i = 0; i < 6; i++) {
		if (i > 0)
			putchar('\t');
		print_escaped(&f[i]);
	}
	putchar('\n');
}

static int
cmd_log(int argc, char **argv)
{
	struct buf	 a;

	if (argc > 2)
		usage();
	buf_init(&a, CM_LINE_MAX);
	if (argc == 2) {
		check_name(&argv[1]);
		arg_adds(&a, argv[1]);
	}
	call("log", &a, log_row, NULL);
	return (0);
}

/* Print the built-in rules and the user's; --check validates a file. */
/*
 * cm rules --explain 'COMMAND' [--dir DIR]: how cm reads a shell command and
 * what auto-confirm would do with a prompt to run it, under your rules.
 */
static int
rules_explain(int argc, char **argv)
{
	struct ruleset	*rs;
	struct verdict	*v;
	const char	*cmd = NULL, *dir = NULL, *file = NULL;
	char		 path[CM_PATH_MAX], cwd[CM_PATH_MAX], err[512];
	char		 rule[CM_PATH_MAX + 300];
	int		 i, a;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (cmd == NULL)
			cmd = argv[i];
		else
			usage();
	}
	if (cmd == NULL)
		usage();
	if (strlen(cmd) >= CM_SUBJECT_MAX)
		die("command longer than %d bytes: cm would ask",
		    CM_SUBJECT_MAX - 1);
	if (dir == NULL && (dir = getcwd(cwd, sizeof cwd)) == NULL)
		die("getcwd: %s", strerror(errno));
	if (path_config(path, sizeof path, "rules") == 0 &&
	    access(path, F_OK) == 0)
		file = path;
	if ((rs = rules_load(file, err, sizeof err)) == NULL)
		die("%s", err);
	v = xcalloc(1, sizeof *v);
	v->state = S_CONFIRM;
	v->kind = PK_SHELL;
	snprintf(v->subject, sizeof v->subject, "%s", cmd);
	snprintf(v->detail, sizeof v->detail, "%s", cmd);
	v->rows = 1;
	strcpy(v->keys, "Enter");
	printf("command: %s\n", cmd);
	printf("directory: %s\n", dir);
	(void)policy_shell(rs, cmd, strlen(cmd), dir, rule, sizeof rule,
	    stdout);
	a = rules_verdict(rs, v, dir, rule, sizeof rule);
	printf("decision: %s\n", rule);
	free(v);
	rules_free(rs);
	return (a == RULE_ALLOW ? 0 : 3);
}

static int
cmd_rules(int argc, char **argv)
{
	struct ruleset	*rs;
	struct conn	 c;
	struct reply	 r;
	char		 path[CM_PATH_MAX], err[512], line[1024];
	const char	*file = NULL;
	FILE		*f;
	int		 rc = 0, absent, i;

	if (argc >= 2 && strcmp(argv[1], "--check") == 0) {
		if (argc > 3)
			usage();
		if (argc == 3)
			file = argv[2];
		else if (path_config(path, sizeof path, "rules") == 0)
			file = path;
		if ((rs = rules_load(file, err, sizeof err)) == NULL)
			die("%s", err);
		rules_free(rs);
		return (0);
	}
	if (argc >= 2 && strcmp(argv[1], "--explain") == 0)
		return (rules_explain(argc, argv));
	if (argc != 1)
		usage();
	rules_print_builtin(stdout);
	policy_print(stdout);
	if (path_config(path, sizeof path, "rules") == 0 &&
	    (f = fopen(path, "r")) != NULL) {
		printf("\n# Your rules, from %s:\n", path);
		while (fgets(line, sizeof line, f) != NULL)
			fputs(line, stdout);
		fclose(f);
		if ((rs = rules_load(path, err, sizeof err)) == NULL) {
			printf("\n# They do not parse: %s\n# An agent started "
			    "with them asks before every confirmation "
			    "(ask:rules-broken).\n", esc_dup(err, strlen(err)));
			rc = 1;
		} else
			rules_free(rs);
	}
	/* What the running agent, if any, is using. */
	if (conn_open(&c, err, sizeof err, &absent) == 0) {
		simple(&c, "status", NULL, NULL, NULL, &r);
		for (i = 2; i < r.nf; i++) {
			if (!proto_field_eq(&r.f[i], "rules=broken"))
				continue;
			printf("\n# The agent's rules did not parse when it "
			    "started: until a file that parses is loaded\n# "
			    "(kill -HUP the agent), auto-confirm asks before "
			    "every confirmation.\n");
			rc = 1;
		}
		conn_close(&c);
	}
	if (rc != 0)
		fprintf(stderr, "cm: the rules are broken: auto-confirm asks "
		    "for everything\n");
	return (rc);
}

static int
cmd_tunnel(int argc, char **argv)
{
	char	 cause[512];
	int	 r;

	if (argc > 2 || (argc == 2 && strcmp(argv[1], "status") != 0 &&
	    strcmp(argv[1], "close") != 0))
		usage();
	if (opt_host == NULL)
		die("tunnel: no host (use -H host or CM_HOST)");
	r = remote_tunnel(opt_host, argc == 2 ? argv[1] : "status", cause,
	    sizeof cause);
	if (r == -1)
		die("%s", cause);
	return (r);
}

/* The far end of a tunnel: start an agent here if needed, say where. */
static int
cmd_remote_hello(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		usage();
	return (remote_hello_main(self_path));
}

static pid_t	fan_pid[CM_HOSTS_MAX];

/* Killed or interrupted while fanning out: take the children along. */
static void
fan_signal(int sig)
{
	int	 i;

	for (i = 0; i < CM_HOSTS_MAX; i++) {
		if (fan_pid[i] > 0)
			kill(fan_pid[i], SIGTERM);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Run "cm -H HOST ARGS..." for every host at once and merge what they print,
 * one line at a time, with the host: a last column (so that every other
 * column keeps its number), or a "host" member of each JSON object.  A host that fails says so on stderr and the
 * others go on.  Returns 0 if all succeeded.
 */
static int
fanout(char **args, int nargs, int json, struct buf *keep)
{
	struct pollfd	 pfd[CM_HOSTS_MAX];
	struct buf	 in[CM_HOSTS_MAX];
	const char	*v[CM_FIELDS_MAX + 8];
	pid_t		*pid = fan_pid;
	char		 cause[256], *nl, *l;
	int		 p[2], i, k, open_n = 0, st, rc = 0;
	ssize_t		 r;

	signal(SIGTERM, fan_signal);
	signal(SIGINT, fan_signal);
	signal(SIGHUP, fan_signal);
	for (i = 0; i < nhosts; i++) {
		k = 0;
		v[k++] = self_path;
		v[k++] = "-H";
		v[k++] = hosts[i];
		for (st = 0; st < nargs && k < CM_FIELDS_MAX + 6; st++)
			v[k++] = args[st];
		v[k] = NULL;
		buf_init(&in[i], CM_REPLY_LINE_MAX);
		pfd[i].fd = -1;
		pfd[i].events = POLLIN;
		pid[i] = -1;
		if (pipe(p) == -1)
			die("pipe: %s", strerror(errno));
		(void)fd_cloexec(p[0]);
		(void)fd_cloexec(p[1]);
		pid[i] = spawn(v, -1, p[1], 2, cause, sizeof cause);
		close(p[1]);
		if (pid[i] == -1) {
			fprintf(stderr, "cm: %s: %s\n", hosts[i], cause);
			close(p[0]);
			rc = 1;
			continue;
		}
		pfd[i].fd = p[0];
		open_n++;
	}
	while (open_n > 0) {
		if (poll(pfd, (nfds_t)nhosts, -1) == -1) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		for (i = 0; i < nhosts; i++) {
			if (pfd[i].fd == -1 || pfd[i].revents == 0)
				continue;
			r = buf_read(&in[i], pfd[i].fd);
			if (r == CM_AGAIN)
				continue;
			while (in[i].len > 0 && (nl = memchr(buf_ptr(&in[i]),
			    '\n', in[i].len)) != NULL) {
				l = buf_ptr(&in[i]);
				*nl = '\0';
				if (keep != NULL) {
					(void)buf_printf(keep, "%s\t%s\n",
					    hosts[i], l);
				} else if (json && strncmp(l, "{\"host\":",
				    8) == 0)
					printf("%s\n", l);	/* has it */
				else if (json && l[0] == '{') {
					fputs("{\"host\":", stdout);
					print_json_string(hosts[i],
					    strlen(hosts[i]));
					printf(",%s\n", l + 1);
				} else	/* the host last: $1.. stay */
					printf("%s\t%s\n", l, hosts[i]);
				buf_consume(&in[i], (size_t)(nl - l) + 1);
			}
			if (fflush(stdout) == EOF)
				die("write: %s", strerror(errno));
			if (r <= 0) {
				close(pfd[i].fd);
				pfd[i].fd = -1;
				open_n--;
			}
		}
	}
	for (i = 0; i < nhosts; i++) {
		buf_free(&in[i]);
		if (pid[i] == -1)
			continue;
		while (waitpid(pid[i], &st, 0) == -1 && errno == EINTR)
			;
		pid[i] = -1;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rc = 1;
	}
	return (rc);
}

/*
 * With several -H: ls and watch merge every host's lines, host last; new
 * goes to the host with the fewest working sessions and prints host:name;
 * other commands need one host, named as -H or as host:name.
 */
static int
several_hosts(int argc, char **argv)
{
	struct buf	 ls;
	char		*l, *nl, *best = NULL, *tab;
	int		 i, json = 0, working, least = -1, k;
	char		*nargv[CM_FIELDS_MAX + 8];
	const char	*h;

	if (argc < 1) {
		print_usage(stderr);
		return (2);
	}
	for (i = 1; i < argc; i++)
		json |= strcmp(argv[i], "--json") == 0;
	if (strcmp(argv[0], "ls") == 0 || strcmp(argv[0], "watch") == 0)
		return (fanout(argv, argc, json, NULL));
	if (strcmp(argv[0], "new") != 0) {
		/* A session named host:name says which host. */
		for (i = 1; i < argc; i++) {
			if (argv[i][0] != '-' && strchr(argv[i], ':') != NULL &&
			    strrchr(argv[i], ':') != argv[i]) {
				nhosts = 1;
				opt_host = NULL;
				return (dispatch(argc + 1, argv - 1));
			}
		}
		fprintf(stderr, "cm: %s takes one host: give -H once, or name "
		    "the session as host:name\n", argv[0]);
		return (2);
	}
	/* new: count working sessions on each host. */
	buf_init(&ls, CM_SCREEN_MAX);
	{
		char	*lsargv[] = { "ls", NULL };

		(void)fanout(lsargv, 1, 0, &ls);
	}
	(void)buf_add(&ls, "", 1);
	for (i = 0; i < nhosts; i++) {
		working = 0;
		k = 0;
		for (l = buf_ptr(&ls); *l != '\0'; l = nl + 1) {
			if ((nl = strchr(l, '\n')) == NULL)
				break;
			tab = strchr(l, '\t');
			if (tab == NULL || (size_t)(tab - l) !=
			    strlen(hosts[i]) || memcmp(l, hosts[i],
			    strlen(hosts[i])) != 0)
				continue;
			k = 1;
			/* HOST NAME STATE ... */
			tab = strchr(tab + 1, '\t');
			if (tab != NULL && strncmp(tab + 1, "working\t", 8) == 0)
				working++;
		}
		(void)k;
		if (least == -1 || working < least) {
			least = working;
			best = (char *)hosts[i];
		}
	}
	buf_free(&ls);
	h = best;
	/* Run "cm -H BEST new ..." and print BEST:NAME. */
	k = 0;
	nargv[k++] = (char *)"new";
	for (i = 1; i < argc && k < CM_FIELDS_MAX + 6; i++)
		nargv[k++] = argv[i];
	nargv[k] = NULL;
	hosts[0] = h;
	nhosts = 1;
	buf_init(&ls, 4096);
	i = fanout(nargv, k, 0, &ls);
	(void)buf_add(&ls, "", 1);
	l = buf_ptr(&ls);
	if ((tab = strchr(l, '\t')) != NULL) {
		*tab = ':';
		fputs(l, stdout);
	}
	buf_free(&ls);
	return (i);
}

static int	cmd_help(int, char **);
static void
config_quiet(const char *msg)
{
	(void)msg;	/* cm config --check says it */
}

static void
config_print(const char *msg)
{
	fprintf(stderr, "cm: %s\n", msg);
}

/*
 * "cm use": print the default host ("local" if none) and where it comes
 * from; "cm use HOST" or "cm use local" stores it in the config file.
 */
static int
cmd_use(int argc, char **argv)
{
	struct cm_config	 cfg;
	char			 cause[512];
	const char		*env = getenv("CM_HOST");

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		usage();
	if (argc == 1) {
		(void)config_read(NULL, &cfg, config_print);
		if (env != NULL && *env != '\0')
			printf("%s\t(from CM_HOST)\n", env);
		else if (cfg.use[0] != '\0')
			printf("%s\t(from %s)\n", cfg.use, cfg.path);
		else
			printf("local\n");
		return (0);
	}
	if (!config_valid_host(argv[1]))
		die("bad host '%s' ([user@]host[:port], or local)", argv[1]);
	if (config_set_use(strcmp(argv[1], "local") == 0 ? NULL : argv[1],
	    cause, sizeof cause) == -1)
		die("%s", cause);
	if (env != NULL && *env != '\0')
		fprintf(stderr, "cm: note: CM_HOST=%s still wins in this "
		    "shell\n", env);
	return (0);
}

/* "cm config": the file and what it sets; --check: its errors, exit 1. */
static int
cmd_config(int argc, char **argv)
{
	struct cm_config	 cfg;
	const char		*file = NULL;
	int			 check = 0, n, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0 && !check)
			check = 1;
		else if (check && file == NULL && argv[i][0] != '-')
			file = argv[i];
		else
			usage();
	}
	(void)load_profiles(NULL, 0);	/* "profile NAME" may name one */
	n = config_read(file, &cfg, config_print);
	if (check)
		return (n == 0 ? 0 : 1);
	printf("file\t%s\n", cfg.path);
	printf("autoconfirm\t%s\n", cfg.autoconfirm == 1 ? "on" : "off");
	for (i = 0; i < CM_PROFILES_MAX; i++) {
		if (cfg.profile_confirm[i] != -1)
			printf("profile\t%s autoconfirm %s\n", profile_name(i),
			    cfg.profile_confirm[i] ? "on" : "off");
	}
	for (i = 0; i < cfg.nhosts; i++)
		printf("host\t%s\n", cfg.hosts[i]);
	printf("use\t%s\n", cfg.use[0] != '\0' ? cfg.use : "local");
	printf("done-after\t%d\n", cfg.done_after);
	printf("notify-timeout\t%d\n", cfg.notify_timeout);
	return (n == 0 ? 0 : 1);
}


static int
cmd_demo(int argc, char **argv)
{
	return (demo_main(argc, argv, self_path));
}

static const struct command commands[] = {
	{ "agent", cmd_agent, "agent [-fv] [--strict] [-S socket]",
	  "Start the agent (background unless -f; one running is fine unless "
	  "--strict)." },
	{ "new", cmd_new,
	  "new [-y] [-n name] [-C dir] [-e var=value] [--profile name]\n"
	  "          [--task text] [--wait [-t secs]] [--no-wait] [--json] [--] "
	  "command [arg ...]",
	  "Create a session running command (no shell); print its name." },
	{ "send", cmd_send,
	  "send [-n] [--wait [-t secs]] [--json] name text ... | "
	  "send ... name -",
	  "Type text (or stdin) into the session and press Enter (-n: "
	  "don't)." },
	{ "keys", cmd_keys, "keys [--wait [-t secs]] [--json] name key ...",
	  "Press keys by tmux name: Enter, Escape, C-c, Up, Tab, F1, ..." },
	{ "ls", cmd_ls, "ls [--json | --summary]",
	  "List sessions: name, state, command, age." },
	{ "show", cmd_show, "show [-e] name",
	  "Print the session's screen (-e: with escape sequences)." },
	{ "kill", cmd_kill, "kill [--json] name", "End the session." },
	{ "watch", cmd_watch, "watch [--json] [--no-snapshot] [name ...] | "
	  "watch --on event,... [--timeout secs]\n          [--done-after secs] "
	  "[name ...] --exec command [arg ...]",
	  "Print one line per event: time, session, state, detail." },
	{ "wait", cmd_wait, "wait [-t seconds] [--after seq] name state ...",
	  "Wait until the session is in one of the states (exit 1 on "
	  "timeout)." },
	{ "ping", cmd_ping, "ping", "Exit 0 if the agent answers." },
	{ "status", cmd_status, "status [--json | --metrics]",
	  "Print the agent's uptime, sessions, clients, events, confirms." },
	{ "confirm", cmd_confirm,
	  "confirm [--json] name on|off [--for duration]",
	  "Turn auto-confirm on or off (--for 2h: for a time)." },
	{ "log", cmd_log, "log [name]",
	  "Print the audit log of auto-confirms and denials." },
	{ "rules", cmd_rules, "rules [--check [file] | --explain COMMAND [--dir DIR]]",
	  "Print the auto-confirm rules, or check a rules file." },
	{ "detect", cmd_detect,
	  "detect [--json] [--dead] [--fg-job] [--dir dir] [--host name]\n"
	  "          [--profile name] [--profile-file file] [--title text]\n"
	  "          [--quiet ms] [--cursor row] [file ...]",
	  "Classify screens (files or stdin): state and approving keys, "
	  "prompt, rule, decision, the CLI's own mode." },
	{ "bridge", cmd_bridge, "bridge [--raw]",
	  "Connect stdin and stdout to the agent's socket, logged in "
	  "(--raw: not)." },
	{ "tunnel", cmd_tunnel, "tunnel [status|close]",
	  "Show or end the ssh master and forward to the -H host." },
	{ "remote-hello", cmd_remote_hello, "remote-hello",
	  "(used through ssh by -H) start an agent if none, print its "
	  "socket and token." },
	{ "attach", cmd_attach, "attach [name]",
	  "Take over the session's terminal (no name: the one that asked "
	  "for you last)." },
	{ "use", cmd_use, "use [host | local]",
	  "Print or set the default host of every command (CM_HOST and -H "
	  "win)." },
	{ "config", cmd_config, "config [--check [file]]",
	  "Print the config file's settings, or check it (file:line: "
	  "message)." },
	{ "demo", cmd_demo, "demo [--answer yes|no]",
	  "Show what cm does, on a stand-in CLI, with a private agent and "
	  "tmux." },
	{ "help", cmd_help, "help", "Print this help." },
	{ NULL, NULL, NULL, NULL }
};

static void
print_usage(FILE *f)
{
	int	 i;

	fprintf(f, "usage: cm [-H [user@]host[:port] ...] [--via command] "
	    "command [arg ...]\n");
	for (i = 0; commands[i].name != NULL; i++)
		fprintf(f, "  cm %s\n", commands[i].usage);
}

static int
cmd_help(int argc, char **argv)
{
	int	 i;

	(void)argc;
	(void)argv;
	printf("cm %s: run and steer terminal programs in tmux.\n",
	    CM_VERSION);
	print_usage(stdout);
	printf("\n");
	for (i = 0; commands[i].name != NULL; i++)
		printf("  %-7s %s\n", commands[i].name, commands[i].help);
	return (0);
}

/*
 * "-H all": every "host NAME" line of the config file
 * ($XDG_CONFIG_HOME/cm/config), in order.
 */
static int
expand_all_hosts(void)
{
	static struct cm_config	 cfg;
	const char		*keep[CM_HOSTS_MAX];
	int			 i, n = 0, all = 0, k;

	for (i = 0; i < nhosts; i++) {
		if (strcmp(hosts[i], "all") == 0)
			all = 1;
		else
			keep[n++] = hosts[i];
	}
	if (!all)
		return (0);
	/* config.c's reader: a line is a line whatever its length (an
	 * fgets of 300 bytes here took a long line's tail as a line). */
	(void)config_read(NULL, &cfg, config_quiet);
	for (k = 0; k < cfg.nhosts; k++) {
		if (n == CM_HOSTS_MAX) {
			fprintf(stderr, "cm: more than %d hosts\n",
			    CM_HOSTS_MAX);
			return (-1);
		}
		keep[n++] = cfg.hosts[k];
	}
	if (n == 0) {
		fprintf(stderr, "cm: -H all: no \"host NAME\" lines in %s\n",
		    cfg.path[0] != '\0' ? cfg.path : "the config file");
		return (-1);
	}
	for (i = 0; i < n; i++)
		hosts[i] = keep[i];
	nhosts = n;
	opt_host = n == 1 ? hosts[0] : NULL;
	return (0);
}

/*
 * "-H host" may also follow the command's name, among its options (for ls,
 * watch and the like, anywhere): take those out.  Returns the new argc, -1
 * if there are too many hosts.
 */
static int
take_hosts(int argc, char **argv)
{
	static const char *const valued[] = { "-n", "-C", "--task", "-e",
	    "--profile", "-t", "--for", "--title", "--on", "--timeout",
	    "--done-after", "--after", NULL };
	int	 i, k, anywhere;

	anywhere = strcmp(argv[1], "ls") == 0 ||
	    strcmp(argv[1], "watch") == 0 || strcmp(argv[1], "ping") == 0 ||
	    strcmp(argv[1], "status") == 0 || strcmp(argv[1], "tunnel") == 0;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 || strcmp(argv[i], "--exec") == 0)
			break;
		if (strcmp(argv[i], "-H") == 0 && i + 1 < argc) {
			if (nhosts == CM_HOSTS_MAX) {
				fprintf(stderr, "cm: more than %d hosts\n",
				    CM_HOSTS_MAX);
				return (-1);
			}
			hosts[nhosts++] = opt_host = argv[i + 1];
			for (k = i; k + 2 <= argc; k++)
				argv[k] = argv[k + 2];
			argc -= 2;
			i--;
			continue;
		}
		if (argv[i][0] != '-') {
			if (!anywhere)
				break;
			continue;
		}
		for (k = 0; valued[k] != NULL; k++) {
			if (strcmp(argv[i], valued[k]) == 0) {
				i++;	/* its value */
				break;
			}
		}
	}
	return (argc);
}

/*
 * The host a command goes to: -H, else CM_HOST, else the config's "use"
 * line; "local" in any of them means this machine.  Commands that are about
 * this machine only (the agent, its bridge, the demo, files) take none.
 */
static void
default_host(const char *cmd)
{
	static const char *const here[] = { "agent", "bridge",
	    "remote-hello", "demo", "detect", "rules", "use", "config", "help",
	    NULL };
	static struct cm_config	 cfg;
	int			 i;

	if (opt_host != NULL && strcmp(opt_host, "local") == 0) {
		opt_host = NULL;
		return;
	}
	if (opt_host != NULL || opt_via != NULL || nhosts > 0)
		return;
	for (i = 0; here[i] != NULL; i++) {
		if (strcmp(cmd, here[i]) == 0)
			return;
	}
	(void)config_read(NULL, &cfg, config_quiet);
	if (cfg.use[0] != '\0' && strcmp(cfg.use, "local") != 0)
		opt_host = cfg.use;
}

int
main(int argc, char **argv)
{
	token_env_take();
	core_off();	/* the token is in this process from now on */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal: %s", strerror(errno));
	if (argc < 2) {
		print_usage(stderr);
		return (2);
	}
	self_path = argv[0];
	opt_host = getenv("CM_HOST");
	if (opt_host != NULL && *opt_host == '\0')
		opt_host = NULL;
	opt_via = getenv("CM_VIA");
	if (opt_via != NULL && *opt_via == '\0')
		opt_via = NULL;
	while (argc >= 3 && (strcmp(argv[1], "-H") == 0 ||
	    strcmp(argv[1], "--via") == 0)) {
		if (argv[1][1] != 'H')
			opt_via = argv[2];
		else if (nhosts == CM_HOSTS_MAX) {
			fprintf(stderr, "cm: more than %d hosts\n",
			    CM_HOSTS_MAX);
			return (2);
		} else
			hosts[nhosts++] = opt_host = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (nhosts > 1) {
		opt_host = NULL;
		return (several_hosts(argc - 1, argv + 1));
	}
	if (opt_host != NULL && opt_via != NULL) {
		fprintf(stderr, "cm: -H and --via do not go together\n");
		return (2);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return (cmd_help(argc, argv));
	if (strcmp(argv[1], "--version") == 0) {
		printf("cm %s\n", CM_VERSION);
		return (0);
	}
	/* Hidden: the stand-in CLI that cm demo runs. */
	if (strcmp(argv[1], "fake-cli") == 0)
		return (fakecli_main(argc - 1, argv + 1));
	argc = take_hosts(argc, argv);
	if (argc < 0 || expand_all_hosts() == -1)
		return (2);
	if (nhosts > 1) {
		opt_host = NULL;
		return (several_hosts(argc - 1, argv + 1));
	}
	default_host(argv[1]);
	return (dispatch(argc, argv));
}

/* Run the command argv[1] with its arguments. */
static int
dispatch(int argc, char **argv)
{
	int	 i, r;

	for (i = 0; commands[i].name != NULL; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			current = &commands[i];
			maybe_help(argc - 1, argv + 1);
			r = commands[i].fn(argc - 1, argv + 1);
			/* Every write to stdout, checked once: the error
			 * sticks to the stream. */
			if (fflush(stdout) == EOF || ferror(stdout))
				die("write: %s", strerror(errno ? errno : EIO));
			return (r);
		}
	}
	fprintf(stderr, "cm: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return (2);
}
