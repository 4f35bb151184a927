/*
 * util.c: the pieces every other file leans on: the bounded byte buffer, the
 * one place where EINTR and EAGAIN are handled, allocation that cannot fail
 * silently, the log, the socket/config/state paths and the token.
 *
 * Invariants: a struct buf never holds more than its max; buf_read and
 * fd_write_some (and buf_write, through it) are the only callers of read(2)
 * and write(2) on non-blocking descriptors, and they alone look at EINTR
 * and EAGAIN there; child_wait is the only caller of waitpid(2) (poll(2)
 * loops see EINTR as a pass with nothing ready); the token is never
 * written to the log.
 */

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include "cm.h"

static int	log_fd = 2;
static int	log_verbose;

/*
 * An empty buffer is a value like any other: buf_ptr() never returns NULL
 * (a buffer that holds no memory points at a static empty string), and the
 * valid bytes are always followed by a NUL byte that is not counted in len,
 * so a buffer may be handed to the str*() functions whether or not it is
 * empty.  cap counts that byte too: cap <= max + 1.
 */
static char	buf_empty[1];

void
buf_init(struct buf *b, size_t max)
{
	b->data = NULL;
	b->off = b->len = b->cap = 0;
	b->max = max;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b, b->max);
}

/* Make room for n more bytes after the valid ones; -1 (ENOBUFS) past max. */
int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 need, ncap;
	char	*p;

	if (n > b->max - b->len) {
		errno = ENOBUFS;
		return (-1);
	}
	need = b->len + n + 1;		/* and the NUL after them */
	if (b->off + need <= b->cap)
		return (0);
	if (b->off > 0 && need <= b->cap) {
		memmove(b->data, b->data + b->off, b->len + 1);
		b->off = 0;
		return (0);
	}
	if (b->off > 0) {
		memmove(b->data, b->data + b->off, b->len + 1);
		b->off = 0;
	}
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
		ncap *= 2;
	if (ncap > b->max + 1)
		ncap = b->max + 1;
	if (ncap < need)
		ncap = need;
	if ((p = realloc(b->data, ncap)) == NULL)
		return (-1);
	b->data = p;
	b->cap = ncap;
	return (0);
}

int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)
		return (0);
	if (buf_reserve(b, n) == -1)
		return (-1);
	memcpy(b->data + b->off + b->len, p, n);
	b->len += n;
	b->data[b->off + b->len] = '\0';
	return (0);
}

int
buf_adds(struct buf *b, const char *s)
{
	return (buf_add(b, s, strlen(s)));
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	char	 small[512];
	char	*big;
	int	 n, r;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return (-1);
	if ((size_t)n < sizeof small)
		return (buf_add(b, small, n));
	if ((big = malloc((size_t)n + 1)) == NULL)
		return (-1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	r = buf_add(b, big, n);
	free(big);
	return (r);
}

/* Drop n bytes from the front; compact when the offset passes half. */
void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		buf_clear(b);
		return;
	}
	b->off += n;
	b->len -= n;
	if (b->off > b->cap / 2) {
		memmove(b->data, b->data + b->off, b->len + 1);
		b->off = 0;
	}
}

void
buf_clear(struct buf *b)
{
	b->off = b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Keep only the first n valid bytes. */
void
buf_truncate(struct buf *b, size_t n)
{
	if (n >= b->len)
		return;
	b->len = n;
	b->data[b->off + n] = '\0';
}

/* An empty buffer gives back its memory if it holds more than it keeps. */
void
buf_shrink(struct buf *b)
{
	if (b->len == 0 && b->cap > CM_BUF_KEEP)
		buf_free(b);
}

/* The valid bytes, NUL-terminated; never NULL. */
char *
buf_ptr(const struct buf *b)
{
	if (b->data == NULL) {
		buf_empty[0] = '\0';	/* whatever a caller wrote there */
		return (buf_empty);
	}
	return (b->data + b->off);
}

/*
 * Read what fd has into b.  Returns bytes read, 0 at end of file, CM_AGAIN
 * when nothing is ready, -1 on error (ENOBUFS when b is full).
 *
 * The bytes land in one static slice first and are then appended, so a
 * buffer grows only by what it holds, never by the size of a read it might
 * have needed: a connection that sends ten bytes costs ten bytes.
 */
ssize_t
buf_read(struct buf *b, int fd)
{
	static char	 slice[CM_READ_SLICE];
	size_t		 room;
	ssize_t		 n;

	room = b->max - b->len;
	if (room == 0) {
		errno = ENOBUFS;
		return (-1);
	}
	if (room > sizeof slice)
		room = sizeof slice;
	for (;;) {
		n = read(fd, slice, room);
		if (n >= 0)
			break;
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return (CM_AGAIN);
		return (-1);
	}
	if (buf_add(b, slice, (size_t)n) == -1)
		return (-1);
	return (n);
}

/*
 * Write up to limit queued bytes of b to fd and consume them.  Returns bytes
 * written (0 when fd would block), -1 on error.
 */
/*
 * One write(2) to a non-blocking descriptor: the bytes written, 0 if it
 * would block, -1 on an error (EINTR is tried again).
 */
ssize_t
fd_write_some(int fd, const void *p, size_t n)
{
	ssize_t	 w;

	for (;;) {
		w = write(fd, p, n);
		if (w >= 0)
			return (w);
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return (0);
		return (-1);
	}
}

/* waitpid(2), EINTR tried again: the pid, 0 (WNOHANG: still running) or
 * -1.  Every wait for a child goes through here. */
pid_t
child_wait(pid_t pid, int *st, int flags)
{
	pid_t	 r;

	while ((r = waitpid(pid, st, flags)) == -1 && errno == EINTR)
		;
	return (r);
}

ssize_t
buf_write(struct buf *b, int fd, size_t limit)
{
	size_t	 n;
	ssize_t	 w;

	n = b->len < limit ? b->len : limit;
	if (n == 0)
		return (0);
	if ((w = fd_write_some(fd, buf_ptr(b), n)) <= 0)
		return (w);
	buf_consume(b, (size_t)w);
	return (w);
}

int
fd_nonblock(int fd)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1)
		return (-1);
	return (fcntl(fd, F_SETFL, fl | O_NONBLOCK));
}

int
fd_cloexec(int fd)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFD)) == -1)
		return (-1);
	return (fcntl(fd, F_SETFD, fl | FD_CLOEXEC));
}

/* Wait up to ms (-1: forever) for events on fd; 1 ready, 0 timeout, -1 error. */
int
fd_wait(int fd, short events, int ms)
{
	struct pollfd	 pfd;
	int64_t		 end;
	int		 r, left;

	end = ms < 0 ? 0 : now_ms() + ms;
	for (;;) {
		left = ms < 0 ? -1 : (int)(end - now_ms());
		if (ms >= 0 && left < 0)
			left = 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		r = poll(&pfd, 1, left);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return (-1);
		return (r > 0);
	}
}

/* Write all of p to a blocking fd, or fail. */
ssize_t
fd_write_all(int fd, const void *p, size_t n)
{
	const char	*s = p;
	size_t		 done = 0;
	ssize_t		 w;

	while (done < n) {
		w = write(fd, s + done, n - done);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (fd_wait(fd, POLLOUT, -1) == -1)
				return (-1);
			continue;
		}
		if (w == -1)
			return (-1);
		done += (size_t)w;
	}
	return ((ssize_t)done);
}

/* Read from a blocking fd until n bytes or end of file; -1 on error. */
ssize_t
fd_read_full(int fd, void *p, size_t n)
{
	char	*s = p;
	size_t	 done = 0;
	ssize_t	 r;

	while (done < n) {
		r = read(fd, s + done, n - done);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return (-1);
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return ((ssize_t)done);
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		fatal("malloc");
	return (p);
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		fatal("calloc");
	return (p);
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return (p);
}

int64_t
now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("clock_gettime");
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Format wall-clock time in ms since the epoch as ISO 8601 UTC. */
void
format_time(char *out, size_t len, int64_t ms)
{
	struct tm	 tm;
	time_t		 t;
	char		 s[32];

	t = (time_t)(ms / 1000);
	if (gmtime_r(&t, &tm) == NULL) {
		snprintf(out, len, "%lld", (long long)ms);
		return;
	}
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%03dZ", s, (int)(ms % 1000));
}

void
log_init(int fd, int verbose)
{
	log_fd = fd;
	log_verbose = verbose;
}

/* Send the log to a file, appended, 0600. */
void
log_open_file(const char *path)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600)) == -1)
		fatal("open %s", path);
	if (fd_cloexec(fd) == -1)
		fatal("fcntl");
	log_fd = fd;
}

static void
log_vwrite(const char *level, const char *fmt, va_list ap, const char *err)
{
	char		 line[2048], t[40];
	struct timespec	 ts;
	struct pollfd	 pfd;
	size_t		 n;
	int		 r;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		ts.tv_sec = ts.tv_nsec = 0;
	format_time(t, sizeof t, (int64_t)ts.tv_sec * 1000 +
	    ts.tv_nsec / 1000000);
	r = snprintf(line, sizeof line, "%s cm[%ld] %s: ", t, (long)getpid(),
	    level);
	if (r < 0)
		return;
	n = (size_t)r < sizeof line ? (size_t)r : sizeof line - 1;
	r = vsnprintf(line + n, sizeof line - n, fmt, ap);
	if (r > 0)
		n += (size_t)r < sizeof line - n ? (size_t)r : sizeof line - n - 1;
	if (err != NULL && n < sizeof line - 1) {
		r = snprintf(line + n, sizeof line - n, ": %s", err);
		if (r > 0)
			n += (size_t)r < sizeof line - n ? (size_t)r :
			    sizeof line - n - 1;
	}
	if (n > sizeof line - 2)
		n = sizeof line - 2;
	line[n++] = '\n';
	/*
	 * Never block on the log: a line is shorter than PIPE_BUF, so if the
	 * descriptor is writable it takes the whole line; if not, the line is
	 * dropped rather than stall the agent behind a slow reader.
	 */
	pfd.fd = log_fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLOUT))
		(void)fd_write_all(log_fd, line, n);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("info", fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("warn", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (!log_verbose)
		return;
	va_start(ap, fmt);
	log_vwrite("debug", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	log_vwrite("fatal", fmt, ap, strerror(saved));
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite("fatal", fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

static int
put_path(char *out, size_t len, const char *dir, const char *sub,
    const char *file)
{
	int	 r;

	r = snprintf(out, len, "%s%s%s%s%s", dir, sub[0] ? "/" : "", sub,
	    file[0] ? "/" : "", file);
	if (r < 0 || (size_t)r >= len) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	return (0);
}

/*
 * The agent's socket: CM_SOCKET, else $XDG_RUNTIME_DIR/cm/agent.sock, else
 * /tmp/cm-UID/agent.sock.  An explicit path (from -S) wins over all.
 */
int
path_socket(char *out, size_t len, const char *explicit)
{
	const char	*e;
	char		 dir[64];

	if (explicit != NULL && *explicit != '\0')
		return (put_path(out, len, explicit, "", ""));
	if ((e = getenv("CM_SOCKET")) != NULL && *e != '\0')
		return (put_path(out, len, e, "", ""));
	if ((e = getenv("XDG_RUNTIME_DIR")) != NULL && *e == '/')
		return (put_path(out, len, e, "cm", "agent.sock"));
	snprintf(dir, sizeof dir, "/tmp/cm-%ld", (long)getuid());
	return (put_path(out, len, dir, "", "agent.sock"));
}

static int
path_xdg(char *out, size_t len, const char *var, const char *fallback,
    const char *file)
{
	const char	*e, *home;
	char		 dir[CM_PATH_MAX];

	if ((e = getenv(var)) != NULL && *e == '/')
		return (put_path(out, len, e, "cm", file));
	if ((home = getenv("HOME")) == NULL || *home != '/') {
		errno = ENOENT;
		return (-1);
	}
	if (put_path(dir, sizeof dir, home, fallback, "") == -1)
		return (-1);
	return (put_path(out, len, dir, "cm", file));
}

/* $XDG_CONFIG_HOME/cm/FILE, else ~/.config/cm/FILE. */
int
path_config(char *out, size_t len, const char *file)
{
	return (path_xdg(out, len, "XDG_CONFIG_HOME", ".config", file));
}

/* $XDG_STATE_HOME/cm/FILE, else ~/.local/state/cm/FILE. */
int
path_state(char *out, size_t len, const char *file)
{
	return (path_xdg(out, len, "XDG_STATE_HOME", ".local/state", file));
}

/* mkdir -p with mode 0700 for the parts it creates. */
static int
mkdir_parents(const char *path)
{
	char	 p[CM_PATH_MAX];
	size_t	 i, n;

	n = strlen(path);
	if (n >= sizeof p) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	memcpy(p, path, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) == -1 && errno != EEXIST)
			return (-1);
		p[i] = path[i];
	}
	return (0);
}

/*
 * Create dir (and its parents) if missing, then insist that it is a real
 * directory, owned by us, with no access for group or others.
 */
int
dir_secure(const char *dir, char *cause, size_t clen)
{
	struct stat	 sb;

	if (mkdir_parents(dir) == -1) {
		snprintf(cause, clen, "cannot create %s: %s", dir,
		    strerror(errno));
		return (-1);
	}
	if (lstat(dir, &sb) == -1) {
		snprintf(cause, clen, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(sb.st_mode)) {
		snprintf(cause, clen, "%s is not a directory", dir);
		return (-1);
	}
	if (sb.st_uid != getuid()) {
		snprintf(cause, clen, "%s is not owned by uid %ld", dir,
		    (long)getuid());
		return (-1);
	}
	if ((sb.st_mode & 077) != 0) {
		snprintf(cause, clen, "%s has mode %03o, want 0700", dir,
		    (unsigned)(sb.st_mode & 0777));
		return (-1);
	}
	return (0);
}

static char	env_token[CM_TOKEN_MAX + 2];

/*
 * Take CM_AGENT_TOKEN out of the environment, keeping its value for
 * token_get, so that no program cm starts inherits it.  It is wiped where it
 * lies too: /proc/PID/environ shows the original block, whatever unsetenv
 * does to environ.  Called first thing; later calls do nothing.
 */
void
token_env_take(void)
{
	char	*e;

	if ((e = getenv("CM_AGENT_TOKEN")) == NULL)
		return;
	snprintf(env_token, sizeof env_token, "%s", e);
	memset(e, 'x', strlen(e));
	(void)unsetenv("CM_AGENT_TOKEN");
}

static int
token_valid(const char *t)
{
	size_t	 n = strlen(t);

	if (n < 16 || n > CM_TOKEN_MAX)
		return (0);
	return (strspn(t, "0123456789abcdefABCDEF") == n);
}

/*
 * Find the token: CM_AGENT_TOKEN, else the token file, which is created
 * (0600, CM_TOKEN_BYTES random bytes in hex) when create is set and it is
 * missing.  The variable is removed from the environment once read, so that
 * nothing cm starts inherits it.
 */
int
token_get(char *out, size_t len, int create, char *cause, size_t clen)
{
	char		 path[CM_PATH_MAX], dir[CM_PATH_MAX], raw[CM_TOKEN_BYTES];
	char		 text[CM_TOKEN_MAX + 2];
	const char	*slash;
	struct stat	 sb;
	ssize_t		 n;
	size_t		 i;
	int		 fd, rfd;

	token_env_take();
	if (env_token[0] != '\0') {
		if (!token_valid(env_token) || strlen(env_token) >= len) {
			snprintf(cause, clen, "CM_AGENT_TOKEN is not 16 to "
			    "%d hex digits", CM_TOKEN_MAX);
			return (-1);
		}
		memcpy(out, env_token, strlen(env_token) + 1);	/* fits */
		return (0);
	}
	if (path_config(path, sizeof path, "token") == -1) {
		snprintf(cause, clen, "no token: set HOME or XDG_CONFIG_HOME");
		return (-1);
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW);
	if (fd == -1 && errno == ENOENT && create) {
		slash = strrchr(path, '/');
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
		if (dir_secure(dir, cause, clen) == -1)
			return (-1);
		if ((rfd = open("/dev/urandom", O_RDONLY)) == -1) {
			snprintf(cause, clen, "/dev/urandom: %s",
			    strerror(errno));
			return (-1);
		}
		n = fd_read_full(rfd, raw, sizeof raw);
		close(rfd);
		if (n != (ssize_t)sizeof raw) {
			snprintf(cause, clen, "/dev/urandom: short read");
			return (-1);
		}
		for (i = 0; i < sizeof raw; i++)
			snprintf(text + 2 * i, 3, "%02x",
			    (unsigned char)raw[i]);
		text[2 * sizeof raw] = '\n';
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
		if (fd == -1 && errno == EEXIST) {
			/* Another process made it first: use theirs. */
			fd = open(path, O_RDONLY | O_NOFOLLOW);
		} else if (fd != -1) {
			if (fd_write_all(fd, text, 2 * sizeof raw + 1) == -1 ||
			    close(fd) == -1) {
				snprintf(cause, clen, "%s: %s", path,
				    strerror(errno));
				unlink(path);
				return (-1);
			}
			fd = open(path, O_RDONLY | O_NOFOLLOW);
		}
	}
	if (fd == -1) {
		if (errno == ENOENT)
			snprintf(cause, clen, "no token file %s (is the agent "
			    "running? start one with 'cm agent')", path);
		else
			snprintf(cause, clen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fstat(fd, &sb) == -1 || sb.st_uid != getuid() ||
	    (sb.st_mode & 077) != 0) {
		close(fd);
		snprintf(cause, clen, "%s must be owned by you and mode 0600",
		    path);
		return (-1);
	}
	n = fd_read_full(fd, text, sizeof text - 1);
	close(fd);
	text[n > 0 ? n : 0] = '\0';
	text[strcspn(text, "\r\n")] = '\0';
	if (!token_valid(text) || strlen(text) >= len) {
		snprintf(cause, clen, "%s does not hold a valid token", path);
		return (-1);
	}
	memcpy(out, text, strlen(text) + 1);	/* checked: it fits */
	return (0);
}

/* Does an agent answer on this socket?  1 yes, 0 no (stale or absent). */
int
agent_alive(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd, r;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return (0);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return (0);
	r = connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0;
	close(fd);
	return (r);
}

/* Compare two tokens in time that depends only on the longer length. */
int
token_equal(const char *a, const char *b)
{
	size_t		 la = strlen(a), lb = strlen(b), n, i;
	unsigned	 diff;

	n = la > lb ? la : lb;
	diff = (unsigned)(la ^ lb);
	for (i = 0; i < n; i++)
		diff |= (unsigned char)(i < la ? a[i] : 0) ^
		    (unsigned char)(i < lb ? b[i] : 0);
	return (diff == 0);
}

/*
 * Where execvp(3) would find argv0 with this PATH (NULL: the default), for a
 * program started in dir.  Returns 0 with the file in out, or -1.
 */
int
exec_find(const char *argv0, const char *path, const char *dir, char *out,
    size_t len)
{
	struct stat	 st;
	const char	*p, *e;
	int		 n;

	if (*argv0 == '\0')
		return (-1);
	if (strchr(argv0, '/') != NULL) {
		n = argv0[0] == '/' ? snprintf(out, len, "%s", argv0) :
		    snprintf(out, len, "%s/%s", dir, argv0);
		return (n < 0 || (size_t)n >= len || stat(out, &st) == -1 ||
		    !S_ISREG(st.st_mode) || access(out, X_OK) == -1 ? -1 : 0);
	}
	if (path == NULL)
		path = CM_DEFAULT_PATH;
	for (p = path;; p = e + 1) {
		if ((e = strchr(p, ':')) == NULL)
			e = p + strlen(p);
		if (e == p)		/* an empty entry is "." */
			n = snprintf(out, len, "%s/%s", dir, argv0);
		else if (*p != '/')
			n = snprintf(out, len, "%s/%.*s/%s", dir, (int)(e - p),
			    p, argv0);
		else
			n = snprintf(out, len, "%.*s/%s", (int)(e - p), p,
			    argv0);
		if (n > 0 && (size_t)n < len && stat(out, &st) == 0 &&
		    S_ISREG(st.st_mode) && access(out, X_OK) == 0)
			return (0);
		if (*e == '\0')
			return (-1);
	}
}
static struct rlimit	core_saved;
static int		core_have;

/*
 * A process that holds the token writes no core file and cannot be read by
 * a debugger of the same uid: on Linux it is made not dumpable (which also
 * keeps /proc/PID/mem and environ from other processes of the user), and
 * everywhere its core size limit is 0.  The limit the user had is kept for
 * core_restore, which spawn's child calls before exec, so the programs cm
 * starts (tmux, and through it the sessions) keep theirs.  Exec resets
 * dumpability by itself.
 */
void
core_off(void)
{
	struct rlimit	 rl;

#if defined(__linux__) && defined(PR_SET_DUMPABLE)
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
	if (getrlimit(RLIMIT_CORE, &core_saved) == 0) {
		core_have = 1;
		rl = core_saved;
		rl.rlim_cur = 0;
		(void)setrlimit(RLIMIT_CORE, &rl);
	}
}

void
core_restore(void)
{
	if (core_have)
		(void)setrlimit(RLIMIT_CORE, &core_saved);
}
