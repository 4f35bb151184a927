/*
 * demo.c: "cm demo", cm's main job shown in a few seconds with nothing of
 * the user's touched.  It makes a private directory, starts a private agent
 * and (through it) a private tmux server there, runs the stand-in CLI
 * ("cm fake-cli") in a session with auto-confirm on, and narrates the events
 * as they come: the safe prompt answered, the dangerous one left waiting with
 * the rule that said so, the audit log; then the person answers (or
 * --answer), and it ends with the real commands.
 *
 * Invariants: every program it starts is this same cm, by argv (never a
 * shell), with the private environment; on every way out (the end, an error,
 * the time limit DEMO_TIMEOUT_MS, SIGINT, SIGTERM, SIGHUP) the tmux server
 * is killed, the agent stopped and waited for, and the directory removed.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"

#define DEMO_TIMEOUT_MS	60000	/* the whole demo, at most */
#define DEMO_START_MS	5000	/* the agent answers within this */
#define DEMO_LINE_MAX	4096	/* one line of cm watch, shown */
#define DEMO_SHOW_MAX	72	/* bytes of a detail shown */
#define DEMO_SESSION	"demo"

static char	 dir[CM_PATH_MAX];	/* the private directory, or "" */
static char	 self[CM_PATH_MAX];	/* this cm, absolute */
static char	 tmux_sock_path[CM_PATH_MAX + 16];
static pid_t	 agent_pid = -1, watch_pid = -1;
static volatile sig_atomic_t stop_sig;
static int	 colour;

static void
on_stop(int sig)
{
	stop_sig = sig;
}

/* Bold, green, red, yellow, dim, or plain, as the terminal allows. */
static const char *
c_on(int c)
{
	static const char *const code[] = { "\033[1m", "\033[32m", "\033[31m",
	    "\033[33m", "\033[2m" };

	return (colour ? code[c] : "");
}
#define C_BOLD	0
#define C_GREEN	1
#define C_RED	2
#define C_YEL	3
#define C_DIM	4
#define c_off()	(colour ? "\033[0m" : "")

static void
say(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* p made absolute (against the working directory) into self. */
static int
set_self(const char *p)
{
	char	 cwd[CM_PATH_MAX];

	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if (p[0] == '/')
		return (snprintf(self, sizeof self, "%s", p) >=
		    (int)sizeof self ? -1 : 0);
	if (getcwd(cwd, sizeof cwd) == NULL)
		return (-1);
	return (snprintf(self, sizeof self, "%s/%s", cwd, p) >=
	    (int)sizeof self ? -1 : 0);
}

/* This cm's absolute path: argv[0] if it has a slash, else from PATH. */
static int
find_self(const char *argv0)
{
	char		 cand[CM_PATH_MAX], *path, *p, *colon;
	size_t		 n;

	if (strchr(argv0, '/') != NULL)
		return (set_self(argv0));
	if ((path = getenv("PATH")) == NULL)
		return (-1);
	for (p = path; p != NULL; p = colon != NULL ? colon + 1 : NULL) {
		colon = strchr(p, ':');
		n = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if (snprintf(cand, sizeof cand, "%.*s/%s", (int)n, n ? p : ".",
		    argv0) >= (int)sizeof cand)
			continue;
		if (access(cand, X_OK) == 0)
			return (set_self(cand));
	}
	return (-1);
}

/* Remove path and everything under it; errors are ignored (best effort). */
static void
remove_tree(const char *path)
{
	struct stat	 st;
	struct dirent	*e;
	DIR		*d;
	char		 sub[CM_PATH_MAX];

	if (lstat(path, &st) == -1)
		return;
	if (!S_ISDIR(st.st_mode)) {
		(void)unlink(path);
		return;
	}
	if ((d = opendir(path)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			if (snprintf(sub, sizeof sub, "%s/%s", path,
			    e->d_name) < (int)sizeof sub)
				remove_tree(sub);
		}
		closedir(d);
	}
	(void)rmdir(path);
}

static int
wait_pid(pid_t pid, int ms)
{
	int64_t	 end = now_ms() + ms;
	int	 st;
	pid_t	 r;

	for (;;) {
		r = child_wait(pid, &st, WNOHANG);
		if (r == pid)
			return (WIFEXITED(st) ? WEXITSTATUS(st) : 128);
		if (r == -1)
			return (-1);
		if (now_ms() >= end)
			return (-2);
		(void)poll(NULL, 0, 20);
	}
}

/*
 * Run this cm with args; its stdout into b (if not NULL, else /dev/null),
 * within ms.  Returns its exit status, or -1.
 */
static int
run_cm(struct buf *b, int ms, const char *const *args)
{
	const char	*v[32];
	char		 cause[256];
	int		 p[2] = { -1, -1 }, n = 0, rc;
	int64_t		 end = now_ms() + ms;
	pid_t		 pid;
	ssize_t		 r;

	v[n++] = self;
	while (*args != NULL && n < 31)
		v[n++] = *args++;
	v[n] = NULL;
	if (b != NULL && (pipe(p) == -1 || fd_cloexec(p[0]) == -1 ||
	    fd_cloexec(p[1]) == -1 || fd_nonblock(p[0]) == -1))
		return (-1);
	pid = spawn(v, -1, p[1], 2, cause, sizeof cause);
	if (p[1] != -1)
		close(p[1]);
	if (pid == -1) {
		if (p[0] != -1)
			close(p[0]);
		fprintf(stderr, "cm: demo: %s\n", cause);
		return (-1);
	}
	while (b != NULL) {
		if (fd_wait(p[0], POLLIN, (int)(end - now_ms())) != 1)
			break;
		r = buf_read(b, p[0]);
		if (r == 0 || r == -1)
			break;
	}
	if (p[0] != -1)
		close(p[0]);
	rc = wait_pid(pid, (int)(end - now_ms()) > 0 ? (int)(end - now_ms()) :
	    0);
	if (rc == -2) {
		kill(pid, SIGKILL);
		(void)wait_pid(pid, 1000);
		return (-1);
	}
	return (rc);
}

/* Kill the tmux server, stop the agent and the watch, remove the dir. */
static void
cleanup(void)
{
	const char	*v[5], *tmux = getenv("CM_TMUX");
	char		 cause[256];
	pid_t		 pid;

	if (watch_pid > 0) {
		kill(watch_pid, SIGTERM);
		(void)wait_pid(watch_pid, 2000);
		watch_pid = -1;
	}
	if (agent_pid > 0) {
		kill(agent_pid, SIGTERM);
		if (wait_pid(agent_pid, 3000) == -2) {
			kill(agent_pid, SIGKILL);
			(void)wait_pid(agent_pid, 1000);
		}
		agent_pid = -1;
	}
	if (tmux_sock_path[0] != '\0') {
		v[0] = tmux != NULL && *tmux != '\0' ? tmux : "tmux";
		v[1] = "-S";
		v[2] = tmux_sock_path;
		v[3] = "kill-server";
		v[4] = NULL;
		if ((pid = spawn(v, -1, -1, -1, cause, sizeof cause)) > 0 &&
		    wait_pid(pid, 3000) == -2) {
			kill(pid, SIGKILL);
			(void)wait_pid(pid, 1000);
		}
	}
	if (dir[0] != '\0') {
		remove_tree(dir);
		dir[0] = '\0';
	}
}

static void __attribute__((format(printf, 1, 2), noreturn))
demo_fail(const char *fmt, ...)
{
	va_list	 ap;
	char	 log[CM_PATH_MAX + 16];
	char	 line[512];
	FILE	*f;

	fflush(stdout);
	fputs("cm: demo: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (dir[0] != '\0') {
		snprintf(log, sizeof log, "%s/agent.log", dir);
		if ((f = fopen(log, "r")) != NULL) {
			fputs("cm: demo: the agent's log:\n", stderr);
			while (fgets(line, sizeof line, f) != NULL)
				fprintf(stderr, "  %s", line);
			fclose(f);
		}
	}
	cleanup();
	exit(1);
}

/* The private world: directories, and the environment every child gets. */
static void
make_world(void)
{
	static const char *const sub[] = { "run", "home", "config", "state",
	    NULL };
	const char	*tmp = getenv("TMPDIR");
	char		 p[CM_PATH_MAX + 16];
	int		 i;

	if (tmp == NULL || *tmp == '\0' || strlen(tmp) > 200)
		tmp = "/tmp";
	snprintf(dir, sizeof dir, "%s/cm-demo.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		dir[0] = '\0';
		demo_fail("mkdtemp in %s: %s (set TMPDIR to a writable "
		    "directory)", tmp, strerror(errno));
	}
	for (i = 0; sub[i] != NULL; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, sub[i]);
		if (mkdir(p, 0700) == -1)
			demo_fail("mkdir %s: %s", p, strerror(errno));
		if (strcmp(sub[i], "home") == 0 && setenv("HOME", p, 1) == -1)
			demo_fail("setenv: %s", strerror(errno));
	}
	snprintf(p, sizeof p, "%s/run", dir);
	if (setenv("XDG_RUNTIME_DIR", p, 1) == -1)
		demo_fail("setenv: %s", strerror(errno));
	snprintf(p, sizeof p, "%s/config", dir);
	(void)setenv("XDG_CONFIG_HOME", p, 1);
	snprintf(p, sizeof p, "%s/state", dir);
	(void)setenv("XDG_STATE_HOME", p, 1);
	snprintf(tmux_sock_path, sizeof tmux_sock_path, "%s/tmux.sock", dir);
	(void)setenv("CM_TMUX_SOCKET", tmux_sock_path, 1);
	(void)unsetenv("CM_SOCKET");
	(void)unsetenv("CM_HOST");
	(void)unsetenv("CM_VIA");
	(void)unsetenv("CM_AGENT_TOKEN");
	(void)unsetenv("TMUX");
	(void)unsetenv("TMUX_PANE");
}

static void
start_agent(void)
{
	const char	*v[] = { self, "agent", "-f", NULL };
	char		 log[CM_PATH_MAX + 16], sock[CM_PATH_MAX], cause[256];
	int64_t		 end;
	int		 fd;

	snprintf(log, sizeof log, "%s/agent.log", dir);
	if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		demo_fail("%s: %s", log, strerror(errno));
	agent_pid = spawn(v, -1, -1, fd, cause, sizeof cause);
	close(fd);
	if (agent_pid == -1)
		demo_fail("%s", cause);
	if (path_socket(sock, sizeof sock, NULL) == -1)
		demo_fail("socket path: %s", strerror(errno));
	for (end = now_ms() + DEMO_START_MS; !agent_alive(sock);) {
		if (now_ms() > end || child_wait(agent_pid, NULL, WNOHANG) != 0) {
			agent_pid = -1;
			demo_fail("the agent did not start");
		}
		(void)poll(NULL, 0, 20);
	}
}

static int
start_watch(void)
{
	const char	*v[] = { self, "watch", DEMO_SESSION, NULL };
	char		 cause[256];
	int		 p[2];

	if (pipe(p) == -1 || fd_cloexec(p[0]) == -1 ||
	    fd_cloexec(p[1]) == -1 || fd_nonblock(p[0]) == -1)
		demo_fail("pipe: %s", strerror(errno));
	watch_pid = spawn(v, -1, p[1], 2, cause, sizeof cause);
	close(p[1]);
	if (watch_pid == -1)
		demo_fail("%s", cause);
	return (p[0]);
}

/* "rule=RULE ..." in an event's detail: RULE, or "?". */
static void
detail_rule(const char *d, char *rule, size_t len)
{
	const char	*p = strstr(d, "rule=");

	if (p == NULL) {
		snprintf(rule, len, "?");
		return;
	}
	p += 5;
	snprintf(rule, len, "%.*s", (int)strcspn(p, " "), p);
}

/* An event line: the time of day, the session, the state, some detail. */
static void
show_event(const char *t, const char *name, const char *type, const char *d)
{
	int	 c = C_DIM;

	if (strcmp(type, "auto-confirm") == 0)
		c = C_GREEN;
	else if (strcmp(type, "denied") == 0 || strcmp(type, "ask") == 0)
		c = C_RED;
	else if (strcmp(type, "confirm") == 0)
		c = C_YEL;
	say("  %s%.12s%s  %s  %s%-12s%s %.*s%s\n", c_on(C_DIM),
	    strlen(t) > 11 ? t + 11 : t, c_off(), name, c_on(c), type, c_off(),
	    DEMO_SHOW_MAX, d, strlen(d) > DEMO_SHOW_MAX ? "…" : "");
}

/* The audit log's lines for the session, as cm log prints them. */
static void
show_audit(void)
{
	const char	*v[] = { "log", DEMO_SESSION, NULL };
	struct buf	 b;
	char		*l, *nl, *p;

	buf_init(&b, CM_LOG_MAX);
	if (run_cm(&b, CM_CLIENT_TIMEOUT_MS, v) != 0)
		demo_fail("cm log failed");
	(void)buf_add(&b, "", 1);
	say("%sThe audit log (cm log %s), written before any key is "
	    "sent:%s\n", c_on(C_BOLD), DEMO_SESSION, c_off());
	for (l = buf_ptr(&b); (nl = strchr(l, '\n')) != NULL; l = nl + 1) {
		*nl = '\0';
		for (p = l; *p != '\0'; p++)
			if (*p == '\t')
				*p = ' ';
		say("  audit: %.*s%s\n", 150, l, strlen(l) > 150 ? "…" : "");
	}
	buf_free(&b);
}

/* The stand-in's transcript now: its "●" and "⎿" rows. */
static void
show_screen(void)
{
	const char	*v[] = { "show", DEMO_SESSION, NULL };
	struct buf	 b;
	char		*l, *nl;

	buf_init(&b, CM_SCREEN_MAX);
	if (run_cm(&b, CM_CLIENT_TIMEOUT_MS, v) != 0)
		demo_fail("cm show failed");
	(void)buf_add(&b, "", 1);
	say("%sIts screen (cm show %s), the transcript:%s\n", c_on(C_BOLD),
	    DEMO_SESSION, c_off());
	for (l = buf_ptr(&b); (nl = strchr(l, '\n')) != NULL; l = nl + 1) {
		*nl = '\0';
		if (strncmp(l, "● ", 4) == 0 || strncmp(l, "  ⎿", 5) == 0)
			say("  | %.*s\n", DEMO_SHOW_MAX, l);
	}
	buf_free(&b);
}

static void
press(const char *k)
{
	const char	*v[] = { "keys", DEMO_SESSION, k, NULL };

	if (run_cm(NULL, CM_CLIENT_TIMEOUT_MS, v) != 0)
		demo_fail("cm keys failed");
}

static void
the_end(void)
{
	say("\n%sThe same with a real AI CLI%s (Claude Code or Codex):\n",
	    c_on(C_BOLD), c_off());
	say("  cm agent                          # once; returns when ready\n"
	    "  cm new -y -n fix -- claude        # or: -- codex; -y: "
	    "auto-confirm on\n"
	    "  cm send fix \"make the tests pass\"\n"
	    "  cm watch                          # every change, as it "
	    "happens\n"
	    "  cm log fix                        # what cm answered, what it "
	    "left to you\n"
	    "  cm attach fix                     # take over; detach with "
	    "C-b d\n");
	say("%sOn another machine%s (cm installed there; ssh does the "
	    "rest):\n", c_on(C_BOLD), c_off());
	say("  cm -H build1 new -y -n fix -- codex\n"
	    "  cm -H build1 watch\n"
	    "  cm -H build1 attach fix\n");
}

static void
usage_demo(void)
{
	fprintf(stderr, "usage: cm demo [--answer yes|no]\n");
	exit(2);
}

int
demo_main(int argc, char **argv, const char *argv0)
{
	struct sigaction sa;
	struct pollfd	 pfd[2];
	struct buf	 in;
	char		 line[DEMO_LINE_MAX], rule[128], *f[4], *nl, *p;
	const char	*answer = NULL;
	char		 home[CM_PATH_MAX + 8];
	const char	*newv[] = { "new", "-y", "-n", DEMO_SESSION,
	    "--profile", "claude", "-C", home, "--", self, "fake-cli",
	    "tidy up the build directory", NULL };
	int64_t		 start, end;
	int		 wfd, i, asking = 0, answered = 0, autos = 0;
	int		 waiting = 0, interactive, rc = 0;
	const char	*nocolour = getenv("NO_COLOR");
	ssize_t		 r;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--answer") == 0 && i + 1 < argc &&
		    (strcmp(argv[i + 1], "yes") == 0 ||
		    strcmp(argv[i + 1], "no") == 0))
			answer = argv[++i];
		else
			usage_demo();
	}
	colour = isatty(1) && (nocolour == NULL || *nocolour == '\0');
	interactive = answer == NULL && isatty(0);
	if (find_self(argv0) == -1) {
		fprintf(stderr, "cm: demo: cannot find this cm's own path "
		    "(run it as ./cm demo or from PATH)\n");
		return (1);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	start = now_ms();

	make_world();
	say("%scm demo%s: a private agent and tmux server in %s\n"
	    "(nothing of yours is touched; all of it is removed at the end "
	    "or on Ctrl-C)\n", c_on(C_BOLD), c_off(), dir);
	snprintf(home, sizeof home, "%s/home", dir);
	start_agent();
	say("agent started, pid %ld\n", (long)agent_pid);
	wfd = start_watch();
	if (run_cm(NULL, CM_CLIENT_TIMEOUT_MS, newv) != 0)
		demo_fail("cm new failed");
	say("session '%s' runs the stand-in CLI (cm fake-cli) with "
	    "auto-confirm on; its events:\n", DEMO_SESSION);

	buf_init(&in, 2 * DEMO_LINE_MAX);
	end = start + DEMO_TIMEOUT_MS;
	while (!stop_sig) {
		if (now_ms() >= end)
			demo_fail("no end after %d s", DEMO_TIMEOUT_MS / 1000);
		pfd[0].fd = wfd;
		pfd[0].events = POLLIN;
		pfd[1].fd = asking && interactive ? 0 : -1;
		pfd[1].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if (poll(pfd, 2, (int)(end - now_ms())) == -1) {
			if (errno == EINTR)
				continue;
			demo_fail("poll: %s", strerror(errno));
		}
		if (pfd[1].revents != 0) {
			/* The person's answer, one line. */
			r = read(0, line, sizeof line - 1);
			if (r <= 0)
				line[0] = 'n', r = 1;
			line[r] = '\0';
			if (line[0] == 'y' || line[0] == 'Y') {
				press("1");
				answered = asking = 0;
			} else if (line[0] == 'n' || line[0] == 'N') {
				press("2");
				answered = asking = 0;
			} else
				say("  y or n? ");
		}
		if (pfd[0].revents == 0)
			continue;
		r = buf_read(&in, wfd);
		if (r == CM_AGAIN)
			continue;
		if (r == 0 || r == -1)
			demo_fail("cm watch ended");
		while ((nl = memchr(buf_ptr(&in), '\n', in.len)) != NULL) {
			*nl = '\0';
			snprintf(line, sizeof line, "%s", buf_ptr(&in));
			buf_consume(&in, (size_t)(nl - buf_ptr(&in)) + 1);
			/* TIME SESSION TYPE DETAIL */
			f[0] = line;
			for (i = 1; i < 4; i++) {
				p = strchr(f[i - 1], '\t');
				if (p == NULL)
					break;
				*p = '\0';
				f[i] = p + 1;
			}
			if (i < 4)
				continue;
			show_event(f[0], f[1], f[2], f[3]);
			detail_rule(f[3], rule, sizeof rule);
			if (strcmp(f[2], "auto-confirm") == 0) {
				autos++;
				say("    %s↳ cm answered it for you%s: rule %s "
				    "says it is safe\n", c_on(C_GREEN),
				    c_off(), rule);
			} else if (strcmp(f[2], "denied") == 0 ||
			    strcmp(f[2], "ask") == 0) {
				say("    %s↳ left waiting for you%s: rule %s "
				    "%s\n", c_on(C_RED), c_off(), rule,
				    strcmp(f[2], "denied") == 0 ?
				    "refuses to answer it" :
				    "does not know it to be safe");
				waiting++;
				show_audit();
				if (answer != NULL) {
					say("Answering %s, as the person "
					    "(--answer %s)\n", answer, answer);
					press(strcmp(answer, "yes") == 0 ?
					    "1" : "2");
				} else if (interactive) {
					say("%sYour turn%s: run '%s'? [y/n] ",
					    c_on(C_BOLD), c_off(),
					    strstr(f[3], "rm -rf") != NULL ?
					    "rm -rf build" : "it");
					asking = 1;
				} else {
					say("Answering no (stdin is not a "
					    "terminal; --answer yes|no to "
					    "choose)\n");
					press("2");
				}
				answered = 1;
			} else if (strcmp(f[2], "idle") == 0 && waiting > 0 &&
			    !asking) {
				say("The stand-in is idle at its input box: "
				    "its task is finished.\n");
				show_screen();
				goto done;
			} else if (strcmp(f[2], "exited") == 0)
				demo_fail("the stand-in exited");
		}
	}
	say("\n");
	cleanup();
	say("interrupted: everything the demo started is stopped and "
	    "removed\n");
	return (130);
done:
	(void)answered;
	buf_free(&in);
	close(wfd);
	say("%d prompt(s) answered by cm, %d left to you; %.1f s.\n", autos,
	    waiting, (double)(now_ms() - start) / 1000);
	cleanup();
	say("Stopped the agent and the tmux server; removed the private "
	    "directory.\n");
	the_end();
	return (rc);
}
