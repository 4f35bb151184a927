/*
 * hosts.c: cm across machines.  Several -H at once (ls and watch merged
 * host by host, new sent to the least busy host), and the commands used at
 * or for the far end of a link: bridge (stdin and stdout to the agent's
 * socket, logged in), tunnel (the ssh master of -H) and remote-hello.
 *
 * Invariants: the fan-out runs at most CM_HOSTS_MAX children, merges their
 * output a whole line at a time, and kills them if it is killed; the
 * bridge logs in with this machine's token, which never travels, and
 * stops reading a side whose buffer is full.
 */

#include <sys/types.h>
#include <sys/socket.h>
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
int
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

int
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
int
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
		if (child_wait(pid[i], &st, 0) != pid[i] ||
		    !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rc = 1;
		pid[i] = -1;
	}
	return (rc);
}

/*
 * With several -H: ls and watch merge every host's lines, host last; new
 * goes to the host with the fewest working sessions and prints host:name;
 * other commands need one host, named as -H or as host:name.
 */
int
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
