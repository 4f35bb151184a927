/*
 * agent.c: the daemon's frame.  Setup (socket, lock, signals, the detach
 * from the parent), the poll() loop, its timers, and the reaping of what a
 * pass flagged.  Clients live in client.c, sessions and tmux control mode in
 * session.c, auto-confirm in autoconfirm.c, the event ring in ring.c; the
 * structures they share are in agent.h.
 *
 * Invariants:
 *  - nothing here blocks: every descriptor in the loop is non-blocking, every
 *    tmux call is a job or a control-mode command with a deadline, every
 *    queue has a named maximum;
 *  - the pollfd table is rebuilt each pass from the clients, sessions and
 *    jobs; a descriptor is armed for reading only when its buffer has room,
 *    for writing only when output is queued;
 *  - a client, session or job is never freed in the middle of a dispatch: it
 *    is flagged and reaped at the end of the pass (reap());
 *  - signals reach the loop through a self-pipe, and children are reaped in
 *    the loop;
 *  - the token is read once, removed from the environment before anything
 *    is started, and never logged.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm.h"
#include "agent.h"

/* The pollfd table's owners, rebuilt each pass. */
enum ptype { P_LISTEN, P_SIGNAL, P_CLIENT, P_CTL_OUT, P_CTL_IN, P_JOB_OUT,
    P_JOB_ERR };
struct powner {
	enum ptype	 type;
	void		*p;
};

#define POLL_MAX (2 + CM_CLIENTS_MAX + 2 * CM_SESSIONS_MAX + 2 * CM_JOBS_MAX)

static struct job	*jobs[CM_JOBS_MAX];
static int		 njobs;
char			 instance[17];
char			 token[CM_TOKEN_MAX + 1];
static char		 sock_path[CM_PATH_MAX];
static char		 lock_path[CM_PATH_MAX + 8];
int			 listen_fd = -1;
static int		 sig_pipe[2] = { -1, -1 };
int			 quitting;
static int		 adopting = 1;	/* clients wait until it is done */
static int		 ready_fd = -1;	/* tell the parent we are ready */
static int64_t		 quit_deadline;
int64_t			 started_ms;
int64_t			 started_wall;
uint64_t		 spawns;	/* tmux processes started */
uint64_t		 job_failures;	/* ... that failed or timed out */
struct ruleset		*rules;
int			 rules_broken;	/* the file did not parse at start */
char			 rules_error[512];
static char		 rules_path[CM_PATH_MAX];
int			 default_confirm;
int			 default_profile_confirm[CM_PROFILES_MAX];
static struct pollfd	 pfds[POLL_MAX];
static struct powner	 owners[POLL_MAX];

int64_t
wall_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return (0);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Add a job to the table; the loop polls it and calls its callback. */
int
job_start(const char *const *args, job_cb *cb, void *arg, char *cause,
    size_t clen)
{
	struct job	*j;

	if (njobs == CM_JOBS_MAX) {
		snprintf(cause, clen, "too many tmux commands running");
		return (-1);
	}
	if ((j = tmux_job(args, cb, arg, cause, clen)) == NULL)
		return (-1);
	jobs[njobs++] = j;
	spawns++;
	return (0);
}

/*
 * The sessions of an earlier agent are known (or there were none): now
 * clients may come, and a parent waiting in "cm agent" may return.
 */
void
adoption_over(void)
{
	adopting = 0;
	sdnotify("READY=1");
	if (ready_fd != -1) {
		(void)fd_write_all(ready_fd, "ready", 5);
		close(ready_fd);
		ready_fd = -1;
	}
}

/*
 * (Re)load the rules.  A file that does not parse leaves the old ones; at
 * start there are none to leave, so the agent fails safe: the built-in rules
 * still deny, and everything else they would allow is left to the person
 * ("ask:rules-broken") until a file that parses is loaded (SIGHUP).  The
 * user's deny and ask rules never silently vanish.
 */
static void
load_rules(void)
{
	struct ruleset	*rs;
	char		 err[512];

	if ((rs = rules_load(rules_path[0] ? rules_path : NULL, err,
	    sizeof err)) == NULL) {
		if (rules == NULL) {
			rules = rules_builtin();
			rules_broken = 1;
			snprintf(rules_error, sizeof rules_error, "%s", err);
			log_warn("rules broken, auto-confirm asks for "
			    "everything: %s", err);
			event_emit("-", "rules-broken", err);
		} else
			log_warn("rules not changed%s: %s", rules_broken ?
			    " (still broken)" : "", err);
		return;
	}
	if (rules_broken) {
		rules_broken = 0;
		rules_error[0] = '\0';
		event_emit("-", "rules-loaded", rules_path);
	}
	rules_free(rules);
	rules = rs;
	if (rules_path[0] != '\0' && access(rules_path, F_OK) == 0)
		log_info("rules loaded from %s", rules_path);
	else
		log_info("built-in rules only (no %s)", rules_path);
}

/*
 * (Re)load the users' profile files (doc/PROFILES.md); a set that does not
 * parse leaves the profiles in use as they were.
 */
static void
load_profiles(void)
{
	char	 dir[CM_PATH_MAX], err[CM_PATH_MAX + 256];
	int	 n;

	if (path_config(dir, sizeof dir, "profiles") == -1) {
		log_warn("profiles not changed: path too long");
		return;
	}
	if ((n = profile_load(dir, NULL, err, sizeof err)) == -1)
		log_warn("profiles not changed: %s", err);
	else if (n > 0)
		log_info("%d profile file%s loaded from %s", n,
		    n == 1 ? "" : "s", dir);
}

static void
config_warn(const char *msg)
{
	log_warn("%s", msg);
}

/* The config file's settings for the agent (config.c says what it holds). */
static void
load_config(void)
{
	static struct cm_config	 cfg;
	int			 i;

	(void)config_read(NULL, &cfg, config_warn);
	default_confirm = cfg.autoconfirm == 1;
	for (i = 0; i < CM_PROFILES_MAX; i++)
		default_profile_confirm[i] = cfg.profile_confirm[i];
}

static void
on_signal(int sig)
{
	unsigned char	 b = (unsigned char)sig;
	int		 saved = errno;

	(void)!write(sig_pipe[1], &b, 1);
	errno = saved;
}

static void
reap_children(void)
{
	pid_t	 pid;
	int	 status, i;

	for (;;) {
		pid = child_wait(-1, &status, WNOHANG);
		if (pid <= 0)
			return;
		for (i = 0; i < njobs; i++) {
			if (jobs[i]->pid == pid && !jobs[i]->reaped) {
				jobs[i]->reaped = 1;
				jobs[i]->status = status;
			}
		}
		/* Control clients: their pipes tell us when they end. */
	}
}

static void
start_quit(const char *why)
{
	int	 i;

	if (quitting)
		return;
	quitting = 1;
	quit_deadline = now_ms() + CM_BYE_MS;
	log_info("shutting down: %s", why);
	sdnotify("STOPPING=1");
	if (listen_fd != -1) {
		close(listen_fd);
		listen_fd = -1;
		if (unlink(sock_path) == -1 && errno != ENOENT)
			log_warn("unlink %s: %s", sock_path, strerror(errno));
	}
	for (i = 0; i < nclients; i++) {
		client_queue(clients[i], "bye shutdown\n", 13);
		client_close_soon(clients[i]);
	}
	for (i = 0; i < nsessions; i++)
		session_ctl_stop(sessions[i]);
}

static void
signal_read(void)
{
	unsigned char	 b[64];
	ssize_t		 n, i;

	for (;;) {
		n = read(sig_pipe[0], b, sizeof b);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		for (i = 0; i < n; i++) {
			if (b[i] == SIGCHLD)
				reap_children();
			else if (b[i] == SIGTERM)
				start_quit("SIGTERM");
			else if (b[i] == SIGINT)
				start_quit("SIGINT");
			else if (b[i] == SIGHUP) {
				load_rules();
				load_profiles();
			}
		}
	}
}

static void
job_read(struct job *j, int which)
{
	int	*fd = which ? &j->err_fd : &j->out_fd;
	ssize_t	 r;

	r = buf_read(which ? &j->err : &j->out, *fd);
	if (r == CM_AGAIN)
		return;
	if (r <= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Timers: captures, rechecks, Enter after a task, deadlines. */
static int64_t
run_timers(int64_t now)
{
	struct session	*s;
	struct client	*c;
	struct job	*j;
	int64_t		 next = INT64_MAX, due;
	char		 cmd[64];
	int		 i, n;

#define NEXT(t) do { if ((t) < next) next = (t); } while (0)
	for (i = 0; i < nsessions; i++) {
		s = sessions[i];
		if (s->gone)
			continue;
		if (s->check_by != 0) {
			if (now >= s->check_by)
				session_check_reply(s);
			else
				NEXT(s->check_by);
		}
		if (s->ctl_wanted && creating == 0)
			session_ctl_start(s);
		if (s->restart_at != 0 && s->ctl_pid == -1) {
			if (now >= s->restart_at)
				session_check(s);
			else
				NEXT(s->restart_at);
		}
		if (s->ctl_in == -1)
			continue;
		if (s->npend > 0 && now >= s->pend[s->pend_head].deadline) {
			session_ctl_timeout(s);
			continue;
		}
		if (s->npend > 0)
			NEXT(s->pend[s->pend_head].deadline);
		if (s->enter_at != 0) {
			if (now >= s->enter_at) {
				n = snprintf(cmd, sizeof cmd,
				    "send-keys -t %s Enter\n", s->pane);
				if (ctl_room(s, 1, (size_t)n)) {
					(void)buf_add(&s->cout, cmd, (size_t)n);
					(void)ctl_push(s, s->enter_cid ?
					    CK_SEND : CK_IGNORE, s->enter_cid,
					    s->enter_id, 1);
					s->enter_at = 0;
				}
			} else
				NEXT(s->enter_at);
		}
		due = autoconfirm_timers(s, now);
		NEXT(due);
		if (s->new_check_at != 0) {
			if (now >= s->new_check_at) {
				s->new_check_at = 0;
				if (s->check_cid != 0)
					s->check_armed = 1;
				if (!s->dirty) {
					s->dirty = 1;
					s->dirty_since = now -
					    CM_DEBOUNCE_MAX_MS;
				}
			} else
				NEXT(s->new_check_at);
		}
		if (s->recheck_at != 0 && !s->dirty) {
			if (now >= s->recheck_at) {
				s->recheck_at = 0;
				s->dirty = 1;
				s->dirty_since = now - CM_DEBOUNCE_MAX_MS;
			} else
				NEXT(s->recheck_at);
		}
		if (s->dirty && !s->capturing) {
			due = s->last_output + CM_DEBOUNCE_MS;
			if (s->dirty_since + CM_DEBOUNCE_MAX_MS < due)
				due = s->dirty_since + CM_DEBOUNCE_MAX_MS;
			if (now >= due)
				session_capture(s);
			else
				NEXT(due);
		}
	}
	due = gate_run(now);
	NEXT(due);
	for (i = 0; i < njobs; i++) {
		j = jobs[i];
		if (j->reaped)
			continue;
		if (now >= j->deadline && !j->timed_out) {
			/* The tmux server holds the client's stdout and stderr
			 * too (a stopped server would keep them open): stop
			 * reading, so the job ends when its process does. */
			log_warn("tmux job %ld timed out", (long)j->pid);
			j->timed_out = 1;
			kill(j->pid, SIGKILL);
			if (j->out_fd != -1)
				close(j->out_fd);
			if (j->err_fd != -1)
				close(j->err_fd);
			j->out_fd = j->err_fd = -1;
		} else if (!j->timed_out)
			NEXT(j->deadline);
	}
	for (i = 0; i < nclients; i++) {
		c = clients[i];
		due = client_timers(c, now);
		NEXT(due);
		if (c->eof && !c->closing && c->busy == 0 &&
		    c->out.len == 0 && c->fail_at == 0 && !c->replaying)
			c->dead = 1;
		if (c->closing) {
			if (now >= c->close_at || c->out.len == 0)
				c->dead = 1;
			else
				NEXT(c->close_at);
		}
	}
	if (accept_resume_at > now)
		NEXT(accept_resume_at);
	if (quitting)
		NEXT(quit_deadline);
#undef NEXT
	return (next);
}

/* Free what was flagged during the pass. */
static void
reap(void)
{
	char	 cause[256];
	int	 i, k, n;

	for (i = k = 0; i < nclients; i++) {
		if (clients[i]->dead) {
			log_debug("client %d closed", clients[i]->cid);
			client_free(clients[i]);
		} else
			clients[k++] = clients[i];
	}
	nclients = k;
	/* A callback may start jobs: they land past n and are kept. */
	n = njobs;
	for (i = k = 0; i < n; i++) {
		if (tmux_job_done(jobs[i])) {
			if (!tmux_job_ok(jobs[i], cause, sizeof cause))
				job_failures++;
			if (jobs[i]->cb != NULL)
				jobs[i]->cb(jobs[i], jobs[i]->arg);
			tmux_job_free(jobs[i]);
		} else
			jobs[k++] = jobs[i];
	}
	for (; i < njobs; i++)
		jobs[k++] = jobs[i];
	njobs = k;
	for (i = k = 0; i < nsessions; i++) {
		if (sessions[i]->gone && !sessions[i]->creating) {
			session_check_reply(sessions[i]);
			session_free(sessions[i]);
		}
		else
			sessions[k++] = sessions[i];
	}
	nsessions = k;
}

static int
poll_add(int *n, int fd, short events, enum ptype type, void *p)
{
	pfds[*n].fd = fd;
	pfds[*n].events = events;
	pfds[*n].revents = 0;
	owners[*n].type = type;
	owners[*n].p = p;
	return ((*n)++);
}

static void
loop(void)
{
	struct client	*c;
	struct session	*s;
	struct job	*j;
	int64_t		 now, next, due;
	int		 n, i, r, timeout, busy;
	short		 ev;

	for (;;) {
		for (i = 0; i < nclients; i++) {
			c = clients[i];
			if (c->in.len > 0 && !c->dead && !c->closing &&
			    c->out.len <= CM_CLIENT_OUT_MAX / 2)
				client_process(c);
			if (c->replaying)
				ring_stream(c);
		}
		now = now_ms();
		next = run_timers(now);
		if ((due = sdnotify_tick(now)) < next)
			next = due;
		reap();
		if (gate_ready())	/* a job reaped just now opened it */
			next = now;
		if (quitting) {
			busy = njobs;
			for (i = 0; i < nclients; i++)
				busy++;
			if (busy == 0 || now >= quit_deadline)
				return;
		}

		n = 0;
		if (listen_fd != -1 && !adopting && accept_resume_at <= now)
			poll_add(&n, listen_fd, POLLIN, P_LISTEN, NULL);
		poll_add(&n, sig_pipe[0], POLLIN, P_SIGNAL, NULL);
		for (i = 0; i < nclients; i++) {
			c = clients[i];
			ev = 0;
			if (client_readable(c))
				ev |= POLLIN;
			if (c->out.len > 0)
				ev |= POLLOUT;
			poll_add(&n, c->fd, ev, P_CLIENT, c);
		}
		for (i = 0; i < nsessions; i++) {
			s = sessions[i];
			if (s->ctl_out != -1 && s->cin.len < s->cin.max)
				poll_add(&n, s->ctl_out, POLLIN, P_CTL_OUT, s);
			if (s->ctl_in != -1 && s->cout.len > 0 && s->ctl_ready)
				poll_add(&n, s->ctl_in, POLLOUT, P_CTL_IN, s);
		}
		for (i = 0; i < njobs; i++) {
			j = jobs[i];
			if (j->out_fd != -1)
				poll_add(&n, j->out_fd, POLLIN, P_JOB_OUT, j);
			if (j->err_fd != -1)
				poll_add(&n, j->err_fd, POLLIN, P_JOB_ERR, j);
		}

		if (next == INT64_MAX)
			timeout = -1;
		else if (next <= now)
			timeout = 0;
		else if (next - now > 60000)
			timeout = 60000;
		else
			timeout = (int)(next - now);
		r = poll(pfds, (nfds_t)n, timeout);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		for (i = 0; i < n && r > 0; i++) {
			if (pfds[i].revents == 0)
				continue;
			ev = pfds[i].revents;
			switch (owners[i].type) {
			case P_LISTEN:
				client_accept();
				break;
			case P_SIGNAL:
				signal_read();
				break;
			case P_CLIENT:
				c = owners[i].p;
				if (ev & (POLLIN | POLLHUP | POLLERR))
					client_read(c);
				if (!c->dead && (ev & POLLOUT)) {
					if (client_write(c) == -1)
						c->dead = 1;
					buf_shrink(&c->out);
				}
				if (ev & POLLNVAL)
					c->dead = 1;
				break;
			case P_CTL_OUT:
				s = owners[i].p;
				if (s->ctl_out == pfds[i].fd)
					ctl_read(s);
				break;
			case P_CTL_IN:
				s = owners[i].p;
				if (s->ctl_in == pfds[i].fd &&
				    buf_write(&s->cout, s->ctl_in,
				    CM_CTL_OUT_MAX) == -1) {
					log_warn("%s: control write: %s",
					    s->name, strerror(errno));
					session_ctl_stop(s);
				}
				buf_shrink(&s->cout);
				break;
			case P_JOB_OUT:
				job_read(owners[i].p, 0);
				break;
			case P_JOB_ERR:
				job_read(owners[i].p, 1);
				break;
			}
		}
	}
}

/* Setup errors: in the background they go back to the waiting parent. */

static void __attribute__((format(printf, 1, 2), noreturn))
die_setup(const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof msg)
		n = sizeof msg - 1;
	if (ready_fd != -1)
		(void)fd_write_all(ready_fd, msg, (size_t)n);
	else
		fprintf(stderr, "cm: %s\n", msg);
	exit(1);
}

static void
make_instance(void)
{
	unsigned char	 r[8];
	int		 fd, i;

	if ((fd = open("/dev/urandom", O_RDONLY)) == -1)
		die_setup("/dev/urandom: %s", strerror(errno));
	if (fd_read_full(fd, r, sizeof r) != (ssize_t)sizeof r)
		die_setup("/dev/urandom: short read");
	close(fd);
	for (i = 0; i < 8; i++)
		snprintf(instance + 2 * i, 3, "%02x", r[i]);
}

static void
setup_socket(void)
{
	struct sockaddr_un	 sun;
	struct flock		 fl;
	char			 dir[CM_PATH_MAX], cause[512], *slash;
	int			 lock_fd;
	mode_t			 old;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(sock_path) >= sizeof sun.sun_path)
		die_setup("socket path too long (%zu bytes, at most %zu): %s",
		    strlen(sock_path), sizeof sun.sun_path - 1, sock_path);
	memcpy(sun.sun_path, sock_path, strlen(sock_path) + 1);
	snprintf(dir, sizeof dir, "%s", sock_path);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (dir_secure(dir, cause, sizeof cause) == -1)
			die_setup("%s", cause);
	}

	/* One agent per socket: a lock held for the agent's life. */
	snprintf(lock_path, sizeof lock_path, "%s.lock", sock_path);
	if ((lock_fd = open(lock_path, O_RDWR | O_CREAT, 0600)) == -1)
		die_setup("%s: %s", lock_path, strerror(errno));
	if (fd_cloexec(lock_fd) == -1)
		die_setup("fcntl: %s", strerror(errno));
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(lock_fd, F_SETLK, &fl) == -1)
		die_setup("an agent is already running on %s", sock_path);

	/* Alive?  Then refuse; stale?  Then replace. */
	if (agent_alive(sock_path))
		die_setup("an agent is already running on %s", sock_path);
	if (unlink(sock_path) == -1 && errno != ENOENT)
		die_setup("unlink %s: %s", sock_path, strerror(errno));

	if ((listen_fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		die_setup("socket: %s", strerror(errno));
	old = umask(0177);
	if (bind(listen_fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		die_setup("bind %s: %s", sock_path, strerror(errno));
	}
	umask(old);
	if (chmod(sock_path, 0600) == -1)
		die_setup("chmod %s: %s", sock_path, strerror(errno));
	if (listen(listen_fd, 128) == -1)
		die_setup("listen: %s", strerror(errno));
	if (fd_nonblock(listen_fd) == -1 || fd_cloexec(listen_fd) == -1)
		die_setup("fcntl: %s", strerror(errno));
}

static void
setup_signals(void)
{
	struct sigaction	 sa;
	static const int	 sigs[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP };
	size_t			 i;

	if (pipe(sig_pipe) == -1)
		die_setup("pipe: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		if (fd_nonblock(sig_pipe[i]) == -1 ||
		    fd_cloexec(sig_pipe[i]) == -1)
			die_setup("fcntl: %s", strerror(errno));
	}
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		die_setup("sigaction: %s", strerror(errno));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		if (sigaction(sigs[i], &sa, NULL) == -1)
			die_setup("sigaction: %s", strerror(errno));
	}
}

static void
agent_usage(void)
{
	fprintf(stderr, "usage: cm agent [-fv] [--strict] [-S socket]\n");
	exit(2);
}

int
agent_main(int argc, char **argv)
{
	char	 cause[512], logpath[CM_PATH_MAX], dir[CM_PATH_MAX], *slash;
	char	 msg[512];
	int	 foreground = 0, verbose = 0, ch, rp[2], i, null, strict = 0;
	const char *sock = NULL;
	pid_t	 pid;
	ssize_t	 n;

	/* --strict: fail when an agent already runs (as -f always does). */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--strict") == 0) {
			strict = 1;
			memmove(argv + i, argv + i + 1,
			    (size_t)(argc - i) * sizeof *argv);
			argc--;
			i--;
		}
	}
	optind = 1;
	while ((ch = getopt(argc, argv, "fS:v")) != -1) {
		switch (ch) {
		case 'f':
			foreground = 1;
			break;
		case 'S':
			sock = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			agent_usage();
		}
	}
	if (optind != argc)
		agent_usage();

	/* The token first: it leaves the environment before anything runs. */
	if (token_get(token, sizeof token, 1, cause, sizeof cause) == -1) {
		fprintf(stderr, "cm: %s\n", cause);
		return (1);
	}
	if (path_socket(sock_path, sizeof sock_path, sock) == -1) {
		fprintf(stderr, "cm: socket path: %s\n", strerror(errno));
		return (1);
	}
	/* Idempotent, for .profile: one that runs already is what was
	 * asked for.  In the foreground (a supervisor) it is a failure. */
	if (!foreground && !strict && agent_alive(sock_path)) {
		printf("cm: an agent is already running on %s\n", sock_path);
		return (0);
	}

	if (!foreground) {
		if (path_state(logpath, sizeof logpath, "agent.log") == -1) {
			fprintf(stderr, "cm: no state directory: set HOME\n");
			return (1);
		}
		snprintf(dir, sizeof dir, "%s", logpath);
		slash = strrchr(dir, '/');
		*slash = '\0';
		if (dir_secure(dir, cause, sizeof cause) == -1) {
			fprintf(stderr, "cm: %s\n", cause);
			return (1);
		}
		if (pipe(rp) == -1) {
			fprintf(stderr, "cm: pipe: %s\n", strerror(errno));
			return (1);
		}
		fflush(NULL);
		if ((pid = fork()) == -1) {
			fprintf(stderr, "cm: fork: %s\n", strerror(errno));
			return (1);
		}
		if (pid != 0) {
			/* Wait for "ready" or the reason it failed. */
			close(rp[1]);
			n = fd_read_full(rp[0], msg, sizeof msg - 1);
			msg[n > 0 ? n : 0] = '\0';
			if (strcmp(msg, "ready") == 0)
				return (0);
			fprintf(stderr, "cm: %s\n", n > 0 ? msg :
			    "agent died while starting");
			return (1);
		}
		close(rp[0]);
		ready_fd = rp[1];
		if (fd_cloexec(ready_fd) == -1 || setsid() == -1)
			die_setup("setsid: %s", strerror(errno));
		if (chdir("/") == -1)
			die_setup("chdir /: %s", strerror(errno));
	}

	log_init(2, verbose);
	if (sdnotify_init(cause, sizeof cause) == -1)
		log_warn("%s", cause);
	started_ms = now_ms();
	started_wall = wall_ms();
	make_instance();
	setup_signals();
	setup_socket();
	tmux_init();
	buf_init(&scratch, CM_CLIENT_OUT_MAX);

	if (!foreground) {
		log_open_file(logpath);
		if ((null = open("/dev/null", O_RDWR)) == -1)
			die_setup("/dev/null: %s", strerror(errno));
		for (i = 0; i < 3; i++) {
			if (dup2(null, i) == -1)
				die_setup("dup2: %s", strerror(errno));
		}
		if (null > 2)
			close(null);
		/* "ready" goes to the parent once adoption is over. */
	}
	log_info("agent %s started, pid %ld, socket %s, instance %s%s%s",
	    CM_VERSION, (long)getpid(), sock_path, instance,
	    tmux_socket() ? ", tmux socket " : "",
	    tmux_socket() ? tmux_socket() : "");

	if (path_config(rules_path, sizeof rules_path, "rules") == -1)
		rules_path[0] = '\0';
	load_rules();
	load_profiles();
	load_config();
	if (path_state(audit_path, sizeof audit_path, "audit.log") == 0) {
		snprintf(dir, sizeof dir, "%s", audit_path);
		*strrchr(dir, '/') = '\0';
		if (dir_secure(dir, cause, sizeof cause) == -1) {
			log_warn("audit log: %s", cause);
			audit_path[0] = '\0';
		}
	} else
		audit_path[0] = '\0';
	adopt_start();
	loop();

	for (i = 0; i < njobs; i++) {
		if (!jobs[i]->reaped)
			kill(jobs[i]->pid, SIGKILL);
	}
	for (i = 0; i < nclients; i++)
		client_free(clients[i]);
	for (i = 0; i < nsessions; i++)
		session_free(sessions[i]);
	ring_free();
	buf_free(&scratch);
	rules_free(rules);
	log_info("agent stopped");
	return (0);
}
