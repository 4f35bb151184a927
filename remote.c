/*
 * remote.c: reach the agent of another machine through ssh.  One ssh
 * ControlMaster per host, in cm's runtime directory, carries a forward of a
 * local Unix socket to the remote agent's socket; every command to that host
 * then costs one connect to the local end, not an ssh login.
 *
 * Invariants: everything about the connection (keys, jump hosts, agent
 * forwarding) is left to ssh, which cm runs by fork/exec with an argv vector;
 * every ssh call has a deadline and is killed past it; the remote token
 * travels on the ssh channel's stdout, never in an argv, and is kept only in
 * a 0600 token file of its own; a host spec can never become an ssh option.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm.h"

#define SSH_ARGV_MAX	64
#define SSH_CHECK_MS	5000	/* ssh -O check, -O forward, -O exit */
#define SSH_LOGIN_MS	30000	/* a new master: connect and log in */
#define SSH_HELLO_MS	30000	/* remote cm: maybe start its agent */
#define SSH_PERSIST	"8h"	/* ControlPersist of a master cm starts */

struct host {
	char	 dest[CM_HOST_MAX];	/* [user@]host, for ssh */
	char	 port[8];	/* "" for ssh's default */
	char	 key[17];	/* hash of the spec: file names */
	char	 ctl[CM_PATH_MAX];	/* ControlPath */
	char	 fwd[CM_PATH_MAX];	/* local end of the forward */
	char	 err[CM_PATH_MAX];	/* what ssh said */
	char	 lock[CM_PATH_MAX];	/* one setup at a time */
	char	 tokfile[CM_PATH_MAX];
};

/* FNV-1a, 64 bits, as 16 hex digits: short names for sun_path. */
static void
hash_hex(const char *s, char out[17])
{
	uint64_t	 h = 14695981039346656037ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/*
 * Split a host spec, "[user@]host[:port]", into ssh's destination (dest,
 * dlen bytes) and port (port, plen bytes; "" for ssh's default).  No I/O:
 * tests/fuzz/fuzz_host.c feeds it.  On success dest is the spec without
 * its port and without the brackets of an IPv6 host: letters, digits and
 * "@.:_-%[]", not starting with '-', and its host (after the last '@') is
 * not empty, does not start with '-' and has no bracket; port is empty or
 * a number from 1 to 65535.  On failure both are empty and cause says why.
 */
int
remote_host_split(const char *spec, char *dest, size_t dlen, char *port,
    size_t plen, char *cause, size_t clen)
{
	char		*colon, *at, *host, *rb;
	const char	*p;
	size_t		 n = strlen(spec);
	long		 v;

	if (plen > 0)
		port[0] = '\0';
	if (n == 0 || n >= dlen || spec[0] == '-') {
		snprintf(cause, clen, "bad host '%s'", spec);
		goto fail;
	}
	for (p = spec; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("@.:_-[]%", *p))) {
			snprintf(cause, clen, "bad host '%s'", spec);
			goto fail;
		}
	}
	snprintf(dest, dlen, "%s", spec);
	/*
	 * "host:port", "[v6addr]:port" or "[v6addr]"; a bare IPv6 address
	 * (two colons or more, no brackets) has no port.  The brackets are
	 * ours, not ssh's: they are taken off.
	 */
	at = strrchr(dest, '@');
	host = at != NULL ? at + 1 : dest;
	colon = strrchr(host, ':');
	if (host[0] == '[') {
		if ((rb = strchr(host, ']')) == NULL || rb == host + 1 ||
		    (rb[1] != '\0' && rb[1] != ':') ||
		    strchr(host + 1, '[') != NULL) {
			snprintf(cause, clen, "bad host in '%s'", spec);
			goto fail;
		}
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else if (strchr(host, '[') != NULL || strchr(host, ']') != NULL) {
		snprintf(cause, clen, "bad host in '%s'", spec);
		goto fail;
	} else if (colon != NULL && strchr(host, ':') != colon)
		colon = NULL;		/* an IPv6 address */
	if (colon != NULL) {
		v = 0;
		for (p = colon + 1; *p >= '0' && *p <= '9' && v <= 65535; p++)
			v = v * 10 + (*p - '0');
		if (colon[1] == '\0' || *p != '\0' || v < 1 || v > 65535 ||
		    strlen(colon + 1) >= plen) {
			snprintf(cause, clen, "bad port in '%s'", spec);
			goto fail;
		}
		snprintf(port, plen, "%s", colon + 1);
		*colon = '\0';
	}
	if (host[0] == '[') {
		rb = strchr(host, ']');
		*rb = '\0';
		memmove(host, host + 1, strlen(host + 1) + 1);
	}
	if (host[0] == '\0' || host[0] == '-') {
		snprintf(cause, clen, "bad host in '%s'", spec);
		goto fail;
	}
	return (0);
fail:
	if (dlen > 0)
		dest[0] = '\0';
	if (plen > 0)
		port[0] = '\0';
	return (-1);
}

/* Split "[user@]host[:port]" and name the files that belong to it. */
static int
host_parse(const char *spec, struct host *h, char *cause, size_t clen)
{
	char		 sock[CM_PATH_MAX], dir[CM_PATH_MAX], *slash;
	size_t		 n;

	memset(h, 0, sizeof *h);
	if (remote_host_split(spec, h->dest, sizeof h->dest, h->port,
	    sizeof h->port, cause, clen) == -1)
		return (-1);
	hash_hex(spec, h->key);
	if (path_socket(sock, sizeof sock, NULL) == -1) {
		snprintf(cause, clen, "socket path: %s", strerror(errno));
		return (-1);
	}
	snprintf(dir, sizeof dir, "%s", sock);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if (dir_secure(dir, cause, clen) == -1)
		return (-1);
	if ((size_t)snprintf(h->ctl, sizeof h->ctl, "%s/ssh-%s", dir,
	    h->key) >= sizeof h->ctl ||
	    (size_t)snprintf(h->fwd, sizeof h->fwd, "%s/fwd-%s", dir,
	    h->key) >= sizeof h->fwd ||
	    (size_t)snprintf(h->err, sizeof h->err, "%s/ssh-%s.err", dir,
	    h->key) >= sizeof h->err ||
	    (size_t)snprintf(h->lock, sizeof h->lock, "%s/ssh-%s.lock", dir,
	    h->key) >= sizeof h->lock) {
		snprintf(cause, clen, "runtime directory path too long");
		return (-1);
	}
	if (path_config(h->tokfile, sizeof h->tokfile, "hosts") == -1) {
		snprintf(cause, clen, "no config directory: set HOME");
		return (-1);
	}
	if (dir_secure(h->tokfile, cause, clen) == -1)
		return (-1);
	n = strlen(h->tokfile);
	snprintf(h->tokfile + n, sizeof h->tokfile - n, "/%s.token", h->key);
	return (0);
}

/*
 * The ssh argv prefix: CM_SSH_COMMAND split on blanks (no shell), else
 * "ssh"; then cm's options.  Returns the count.
 */
static int
ssh_argv(const struct host *h, const char **v, char *store, size_t slen)
{
	const char	*e = getenv("CM_SSH_COMMAND");
	char		*w;
	int		 n = 0;

	if (e == NULL || *e == '\0')
		e = "ssh";
	snprintf(store, slen, "%s", e);
	for (w = strtok(store, " \t"); w != NULL && n < SSH_ARGV_MAX - 24;
	    w = strtok(NULL, " \t"))
		v[n++] = w;
	v[n++] = "-S";
	v[n++] = h->ctl;
	v[n++] = "-o";
	v[n++] = "ConnectTimeout=10";
	v[n++] = "-o";
	v[n++] = "ServerAliveInterval=15";
	v[n++] = "-o";
	v[n++] = "ServerAliveCountMax=3";
	v[n++] = "-o";
	v[n++] = "StreamLocalBindUnlink=yes";
	if (h->port[0] != '\0') {
		v[n++] = "-p";
		v[n++] = h->port;
	}
	return (n);
}

/*
 * Run argv with stdout into out (if not NULL) and stderr appended to errfile;
 * wait at most ms.  Returns the exit status, or -1 (with cause) if it could
 * not run or took too long.
 */
static int
run(const char *const *argv, struct buf *out, const char *errfile, int ms,
    char *cause, size_t clen)
{
	int		 p[2] = { -1, -1 }, efd, status, w;
	pid_t		 pid, r;
	int64_t		 end = now_ms() + ms;
	ssize_t		 n;
	struct buf	 sink;

	if ((efd = open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(cause, clen, "%s: %s", errfile, strerror(errno));
		return (-1);
	}
	if (out != NULL && (pipe(p) == -1 || fd_cloexec(p[0]) == -1 ||
	    fd_cloexec(p[1]) == -1)) {
		snprintf(cause, clen, "pipe: %s", strerror(errno));
		close(efd);
		return (-1);
	}
	pid = spawn(argv, -1, out != NULL ? p[1] : -1, efd, cause, clen);
	close(efd);
	if (out != NULL)
		close(p[1]);
	if (pid == -1) {
		if (out != NULL)
			close(p[0]);
		return (-1);
	}
	if (out != NULL) {
		buf_init(&sink, 4096);
		for (;;) {
			w = fd_wait(p[0], POLLIN, (int)(end - now_ms()));
			if (w <= 0)
				break;
			n = buf_read(out->len < out->max ? out : &sink, p[0]);
			if (n == 0 || (n == -1 && errno != ENOBUFS))
				break;
			buf_clear(&sink);
		}
		buf_free(&sink);
		close(p[0]);
	}
	for (;;) {
		r = child_wait(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r == -1) {
			snprintf(cause, clen, "waitpid: %s", strerror(errno));
			return (-1);
		}
		if (now_ms() >= end) {
			kill(pid, SIGKILL);
			(void)child_wait(pid, &status, 0);
			snprintf(cause, clen, "%s did not finish in %d s",
			    argv[0], ms / 1000);
			return (-1);
		}
		(void)poll(NULL, 0, 10);	/* a short sleep */
	}
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	return (128 + WTERMSIG(status));
}

/*
 * The first line of what ssh said, for an error message; escaped, as the far
 * side's stderr is in it.
 */
static void
ssh_said(const struct host *h, char *out, size_t len)
{
	char		 b[512];
	struct buf	 e;
	int		 fd;
	ssize_t		 n;

	out[0] = '\0';
	if ((fd = open(h->err, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = fd_read_full(fd, b, sizeof b - 1);
	close(fd);
	if (n <= 0 || len < 3)
		return;
	b[n] = '\0';
	n = (ssize_t)strcspn(b, "\r\n");
	buf_init(&e, 4 * sizeof b);
	if (esc_text(&e, b, (size_t)n, 0) == 0)
		snprintf(out, len, ": %.*s", (int)e.len, buf_ptr(&e));
	buf_free(&e);
}

static int
ssh_control(const struct host *h, const char *op, const char *fwd,
    char *cause, size_t clen)
{
	const char	*v[SSH_ARGV_MAX];
	char		 store[1024];
	int		 n;

	n = ssh_argv(h, v, store, sizeof store);
	v[n++] = "-O";
	v[n++] = op;
	if (fwd != NULL) {
		v[n++] = "-L";
		v[n++] = fwd;
	}
	v[n++] = "--";
	v[n++] = h->dest;
	v[n] = NULL;
	return (run(v, NULL, h->err, SSH_CHECK_MS, cause, clen));
}

/* Is the master alive?  If not, start one (and set *started). */
static int
master_up(const struct host *h, int *started, char *cause, size_t clen)
{
	const char	*v[SSH_ARGV_MAX];
	char		 store[1024], said[300];
	int		 n, st;

	*started = 0;
	if (ssh_control(h, "check", NULL, cause, clen) == 0)
		return (0);
	/* A dead master leaves its socket: remove it and make a new one. */
	(void)unlink(h->ctl);
	n = ssh_argv(h, v, store, sizeof store);
	v[n++] = "-M";
	v[n++] = "-f";
	v[n++] = "-N";
	v[n++] = "-o";
	v[n++] = "ControlPersist=" SSH_PERSIST;
	v[n++] = "--";
	v[n++] = h->dest;
	v[n] = NULL;
	st = run(v, NULL, h->err, SSH_LOGIN_MS, cause, clen);
	if (st != 0) {
		ssh_said(h, said, sizeof said);
		if (st > 0)
			snprintf(cause, clen, "ssh to %s failed%s", h->dest,
			    said);
		return (-1);
	}
	*started = 1;
	return (0);
}

/*
 * The next line of the n bytes at p: its length without "\n" or "\r\n" in
 * *len; returns the bytes it takes with its newline, 0 if it has none.
 */
static size_t
next_line(const char *p, size_t n, size_t *len)
{
	const char	*nl;

	if ((nl = memchr(p, '\n', n)) == NULL)
		return (0);
	*len = (size_t)(nl - p);
	if (*len > 0 && p[*len - 1] == '\r')
		(*len)--;
	return ((size_t)(nl - p) + 1);
}

/*
 * Read what "cm remote-hello" printed on the far side: "cm-remote 1", the
 * socket path, the token, each ending in a newline; more lines may follow.
 * Reads only the bytes out holds (a full buffer may have been cut short, so
 * it is refused).  Returns 0, -1 if the answer is not all there, -2 if it is
 * not what was expected: a path that is absolute and holds no control byte,
 * a token of 16 to CM_TOKEN_MAX hex digits.
 */
int
remote_hello_parse(struct buf *out, char *rsock, size_t rlen, char *token,
    size_t tlen)
{
	const char	*p = buf_ptr(out), *l[3];
	size_t		 left = out->len, n[3], used, i;
	int		 k;

	if (left == 0 || out->len >= out->max)
		return (-1);
	for (k = 0; k < 3; k++) {
		if ((used = next_line(p, left, &n[k])) == 0)
			return (-1);
		l[k] = p;
		p += used;
		left -= used;
	}
	if (n[0] != 11 || memcmp(l[0], "cm-remote 1", 11) != 0)
		return (-2);
	if (n[1] == 0 || n[1] >= rlen || l[1][0] != '/')
		return (-2);
	for (i = 0; i < n[1]; i++) {
		if ((unsigned char)l[1][i] < 0x20 || l[1][i] == 0x7f)
			return (-2);
	}
	if (n[2] < 16 || n[2] > CM_TOKEN_MAX || n[2] >= tlen)
		return (-2);
	for (i = 0; i < n[2]; i++) {
		if (strchr("0123456789abcdefABCDEF", l[2][i]) == NULL ||
		    l[2][i] == '\0')
			return (-2);
	}
	memcpy(rsock, l[1], n[1]);
	rsock[n[1]] = '\0';
	memcpy(token, l[2], n[2]);
	token[n[2]] = '\0';
	return (0);
}

/*
 * Ask the remote cm for its socket and token, starting its agent if none
 * runs: "cm-remote 1", the socket path, the token, one per line.
 */
static int
remote_hello(const struct host *h, char *rsock, size_t rlen, char *token,
    size_t tlen, char *cause, size_t clen)
{
	const char	*v[SSH_ARGV_MAX], *rcm;
	char		 store[1024], said[300];
	struct buf	 out;
	int		 n, st;

	rcm = getenv("CM_REMOTE_CM");
	if (rcm == NULL || *rcm == '\0')
		rcm = "cm";
	n = ssh_argv(h, v, store, sizeof store);
	v[n++] = "--";
	v[n++] = h->dest;
	v[n++] = rcm;
	v[n++] = "remote-hello";
	v[n] = NULL;
	buf_init(&out, 4096);
	st = run(v, &out, h->err, SSH_HELLO_MS, cause, clen);
	if (st != 0) {
		buf_free(&out);
		ssh_said(h, said, sizeof said);
		if (st == 127)
			snprintf(cause, clen, "'%s' is not installed on %s "
			    "(install cm there, or set CM_REMOTE_CM to its "
			    "path)%s", rcm, h->dest, said);
		else if (st > 0)
			snprintf(cause, clen, "remote cm on %s failed (exit "
			    "%d)%s", h->dest, st, said);
		return (-1);
	}
	st = remote_hello_parse(&out, rsock, rlen, token, tlen);
	if (out.data != NULL)
		memset(out.data, 0, out.cap);
	buf_free(&out);
	if (st == -1) {
		snprintf(cause, clen, "no answer from cm on %s", h->dest);
		return (-1);
	}
	if (st == -2) {
		snprintf(cause, clen, "unexpected answer from cm on %s",
		    h->dest);
		return (-1);
	}
	return (0);
}

static int
token_save(const struct host *h, const char *token, char *cause,
    size_t clen)
{
	char	 tmp[CM_PATH_MAX + 8], line[CM_TOKEN_MAX + 2];
	int	 fd, n;

	snprintf(tmp, sizeof tmp, "%s.new", h->tokfile);
	(void)unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	n = snprintf(line, sizeof line, "%s\n", token);
	if (fd == -1 || fd_write_all(fd, line, (size_t)n) == -1 ||
	    close(fd) == -1 || rename(tmp, h->tokfile) == -1) {
		snprintf(cause, clen, "%s: %s", h->tokfile, strerror(errno));
		(void)unlink(tmp);
		return (-1);
	}
	memset(line, 0, sizeof line);
	return (0);
}

static int
token_load(const struct host *h, char *token, size_t tlen)
{
	struct stat	 sb;
	char		 b[CM_TOKEN_MAX + 2];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(h->tokfile, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return (-1);
	if (fstat(fd, &sb) == -1 || sb.st_uid != getuid() ||
	    (sb.st_mode & 077) != 0) {
		close(fd);
		return (-1);
	}
	n = fd_read_full(fd, b, sizeof b - 1);
	close(fd);
	if (n <= 0)
		return (-1);
	b[n] = '\0';
	b[strcspn(b, "\r\n")] = '\0';
	if (b[0] == '\0' || strlen(b) >= tlen)
		return (-1);
	snprintf(token, tlen, "%s", b);
	return (0);
}

static int	setup(const struct host *, char *, size_t, char *, size_t);

/*
 * The local socket that reaches host's agent, and that agent's token.  With
 * fresh set, or when the forward or the token is missing, (re)make the
 * master, ask the remote side, and (re)add the forward.
 */
int
remote_socket(const char *spec, int fresh, char *path, size_t plen,
    char *token, size_t tlen, char *cause, size_t clen)
{
	struct host	 h;
	struct stat	 sb;
	struct flock	 fl;
	int		 lockfd, r;

	if (host_parse(spec, &h, cause, clen) == -1)
		return (-1);
	if (strlen(h.fwd) >= plen) {
		snprintf(cause, clen, "path too long");
		return (-1);
	}
	snprintf(path, plen, "%s", h.fwd);
	if (!fresh && lstat(h.fwd, &sb) == 0 && S_ISSOCK(sb.st_mode) &&
	    token_load(&h, token, tlen) == 0)
		return (0);
	/*
	 * One cm at a time makes the master and the forward: two racing
	 * would unlink each other's sockets.  The holder's every step has a
	 * deadline, so the wait is bounded too.
	 */
	if ((lockfd = open(h.lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		snprintf(cause, clen, "%s: %s", h.lock, strerror(errno));
		return (-1);
	}
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	while (fcntl(lockfd, F_SETLKW, &fl) == -1) {
		if (errno != EINTR) {
			snprintf(cause, clen, "lock %s: %s", h.lock,
			    strerror(errno));
			close(lockfd);
			return (-1);
		}
	}
	r = setup(&h, token, tlen, cause, clen);
	close(lockfd);		/* and with it the lock */
	return (r);
}

/* Under the host's lock: a master, the remote agent, the forward. */
static int
setup(const struct host *hp, char *token, size_t tlen, char *cause, size_t clen)
{
	struct host	 h = *hp;
	char		 rsock[CM_PATH_MAX], fwd[2 * CM_PATH_MAX + 2];
	char		 said[300], ignored[256];
	int		 started;

	/* Someone else may have just mended it. */
	if (ssh_control(&h, "check", NULL, cause, clen) == 0 &&
	    agent_alive(h.fwd) && token_load(&h, token, tlen) == 0)
		return (0);
	if (master_up(&h, &started, cause, clen) == -1)
		return (-1);
	if (remote_hello(&h, rsock, sizeof rsock, token, tlen, cause,
	    clen) == -1 || token_save(&h, token, cause, clen) == -1)
		goto fail;
	(void)unlink(h.fwd);
	snprintf(fwd, sizeof fwd, "%s:%s", h.fwd, rsock);
	if (ssh_control(&h, "forward", fwd, cause, clen) != 0) {
		ssh_said(&h, said, sizeof said);
		snprintf(cause, clen, "ssh -O forward to %s failed%s", h.dest,
		    said);
		goto fail;
	}
	return (0);
fail:
	/* A master we started for nothing is not left to persist 8 h. */
	if (started) {
		(void)ssh_control(&h, "exit", NULL, ignored, sizeof ignored);
		(void)unlink(h.ctl);
	}
	return (-1);
}

/* "cm tunnel [-H host] status|close". */
int
remote_tunnel(const char *spec, const char *op, char *cause, size_t clen)
{
	struct host	 h;
	struct stat	 sb;
	int		 st;

	if (host_parse(spec, &h, cause, clen) == -1)
		return (-1);
	if (strcmp(op, "close") == 0) {
		st = ssh_control(&h, "exit", NULL, cause, clen);
		(void)unlink(h.fwd);
		(void)unlink(h.ctl);
		printf("%s: closed%s\n", spec, st == 0 ? "" :
		    " (no master was running)");
		return (0);
	}
	st = ssh_control(&h, "check", NULL, cause, clen);
	printf("host\t%s\nmaster\t%s\t%s\nforward\t%s\t%s\n", spec,
	    st == 0 ? "up" : "down", h.ctl,
	    lstat(h.fwd, &sb) == 0 ? "present" : "absent", h.fwd);
	return (st == 0 ? 0 : 1);
}

/*
 * The remote end of "remote-hello": make sure an agent runs here, then print
 * what the other side needs.  stdout is the ssh channel.
 */
int
remote_hello_main(const char *self)
{
	char		 sock[CM_PATH_MAX], token[CM_TOKEN_MAX + 1], cause[512];
	const char	*argv[] = { self, "agent", NULL };
	int		 st;
	pid_t		 pid;

	if (path_socket(sock, sizeof sock, NULL) == -1) {
		fprintf(stderr, "cm: socket path: %s\n", strerror(errno));
		return (1);
	}
	if (agent_alive(sock) != 1) {
		/* "cm agent" forks and returns once it listens. */
		if ((pid = spawn(argv, -1, -1, 2, cause, sizeof cause)) == -1) {
			fprintf(stderr, "cm: %s\n", cause);
			return (1);
		}
		if (child_wait(pid, &st, 0) != pid || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0) {
			fprintf(stderr, "cm: could not start an agent\n");
			return (1);
		}
	}
	if (token_get(token, sizeof token, 1, cause, sizeof cause) == -1) {
		fprintf(stderr, "cm: %s\n", cause);
		return (1);
	}
	printf("cm-remote 1\n%s\n%s\n", sock, token);
	memset(token, 0, sizeof token);
	return (fflush(stdout) == EOF);
}

/*
 * "cm -H host attach NAME": ssh -t through the host's master (made if it is
 * not up) to the remote cm's own attach.  Returns -1 with cause; does not
 * return once ssh runs.  The name is valid (letters, digits, "_.-"), so the
 * remote shell sees it as one word.
 */
int
remote_attach(const char *spec, const char *name, char *cause, size_t clen)
{
	struct host	 h;
	const char	*v[SSH_ARGV_MAX], *rcm;
	char		 store[1024];
	int		 n, started = 0;

	if (host_parse(spec, &h, cause, clen) == -1 ||
	    master_up(&h, &started, cause, clen) == -1)
		return (-1);
	rcm = getenv("CM_REMOTE_CM");
	if (rcm == NULL || *rcm == '\0')
		rcm = "cm";
	n = ssh_argv(&h, v, store, sizeof store);
	v[n++] = "-t";
	v[n++] = "--";
	v[n++] = h.dest;
	v[n++] = rcm;
	v[n++] = "attach";
	v[n++] = name;
	v[n] = NULL;
	fflush(NULL);
	execvp(v[0], (char *const *)v);
	snprintf(cause, clen, "%s: %s", v[0], strerror(errno));
	return (-1);
}
