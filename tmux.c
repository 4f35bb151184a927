/*
 * tmux.c: every way cm reaches tmux.  Two kinds of process, both started by
 * fork/exec with an argv vector, never through a shell:
 *
 *  - jobs: one-shot "tmux CMD ..." calls (new-session, kill-session,
 *    list-sessions) whose stdout and stderr the agent's poll loop collects
 *    through non-blocking pipes; each has a deadline after which it is
 *    killed, so a hung tmux costs a timeout, never a blocked agent;
 *  - control clients: "tmux -C attach-session" per session, whose stdout
 *    carries %output notifications and command replies, and whose stdin takes
 *    commands that only ever contain pane ids, fixed formats, hex bytes and
 *    validated key names, so nothing from the wire reaches tmux's parser
 *    unchecked.
 *
 * The server is the user's default, or the one named by CM_TMUX_SOCKET.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"

#define TMUX_ARGV_MAX	(CM_FIELDS_MAX + 64)

static const char	*tmux_path = "tmux";
static const char	*tmux_sock;

void
tmux_init(void)
{
	const char	*e;

	if ((e = getenv("CM_TMUX_SOCKET")) != NULL && *e != '\0')
		tmux_sock = e;
	if ((e = getenv("CM_TMUX")) != NULL && *e != '\0')
		tmux_path = e;
}

const char *
tmux_socket(void)
{
	return (tmux_sock);
}

/*
 * fork/exec argv with the given descriptors as stdin, stdout and stderr (-1:
 * /dev/null).  Signals are blocked around fork and reset in the child.
 */
pid_t
spawn(const char *const *argv, int in, int out, int err, char *cause,
    size_t clen)
{
	sigset_t	 all, old;
	pid_t		 pid;
	int		 null, fds[3], i;
	static const int sigs[] = { SIGCHLD, SIGPIPE, SIGTERM, SIGINT, SIGHUP };

	if ((null = open("/dev/null", O_RDWR)) == -1) {
		snprintf(cause, clen, "/dev/null: %s", strerror(errno));
		return (-1);
	}
	fds[0] = in == -1 ? null : in;
	fds[1] = out == -1 ? null : out;
	fds[2] = err == -1 ? null : err;
	sigfillset(&all);
	if (sigprocmask(SIG_BLOCK, &all, &old) == -1) {
		snprintf(cause, clen, "sigprocmask: %s", strerror(errno));
		close(null);
		return (-1);
	}
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < (int)(sizeof sigs / sizeof sigs[0]); i++)
			signal(sigs[i], SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		for (i = 0; i < 3; i++) {
			/* dup first so that an fd already in 0..2 survives. */
			fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
			if (fds[i] == -1)
				_exit(127);
		}
		for (i = 0; i < 3; i++) {
			if (dup2(fds[i], i) == -1)
				_exit(127);
		}
		/* Every other descriptor cm holds is close-on-exec. */
		core_restore();
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	i = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(null);
	if (pid == -1) {
		snprintf(cause, clen, "fork: %s", strerror(i));
		return (-1);
	}
	return (pid);
}

/* Start argv vector for tmux: "tmux [-S socket] ARGS...". */
static int
tmux_argv(const char **v, const char *const *args)
{
	int	 n = 0, i;

	v[n++] = tmux_path;
	if (tmux_sock != NULL) {
		v[n++] = "-S";
		v[n++] = tmux_sock;
	}
	for (i = 0; args[i] != NULL; i++) {
		if (n == TMUX_ARGV_MAX - 1)
			return (-1);
		v[n++] = args[i];
	}
	v[n] = NULL;
	return (n);
}

static int
pipe_cloexec(int p[2])
{
	if (pipe(p) == -1)
		return (-1);
	if (fd_cloexec(p[0]) == -1 || fd_cloexec(p[1]) == -1) {
		close(p[0]);
		close(p[1]);
		return (-1);
	}
	return (0);
}

/*
 * Run "tmux ARGS..." in the background.  The caller polls job->out_fd and
 * job->err_fd (non-blocking), reaps job->pid, and calls job->cb once
 * tmux_job_done is true.
 */
struct job *
tmux_job(const char *const *args, job_cb *cb, void *arg, char *cause,
    size_t clen)
{
	const char	*v[TMUX_ARGV_MAX];
	struct job	*j;
	int		 o[2], e[2];

	if (tmux_argv(v, args) == -1) {
		snprintf(cause, clen, "too many tmux arguments");
		return (NULL);
	}
	if (pipe_cloexec(o) == -1) {
		snprintf(cause, clen, "pipe: %s", strerror(errno));
		return (NULL);
	}
	if (pipe_cloexec(e) == -1) {
		snprintf(cause, clen, "pipe: %s", strerror(errno));
		close(o[0]);
		close(o[1]);
		return (NULL);
	}
	j = xcalloc(1, sizeof *j);
	buf_init(&j->out, CM_JOB_OUT_MAX);
	buf_init(&j->err, CM_JOB_OUT_MAX);
	j->cb = cb;
	j->arg = arg;
	j->pid = spawn(v, -1, o[1], e[1], cause, clen);
	close(o[1]);
	close(e[1]);
	if (j->pid == -1 || fd_nonblock(o[0]) == -1 ||
	    fd_nonblock(e[0]) == -1) {
		if (j->pid != -1)
			kill(j->pid, SIGKILL);	/* reaped by the loop */
		close(o[0]);
		close(e[0]);
		free(j);
		return (NULL);
	}
	j->out_fd = o[0];
	j->err_fd = e[0];
	j->deadline = now_ms() + CM_JOB_TIMEOUT_MS;
	log_debug("job %ld: tmux %s", (long)j->pid, args[0]);
	return (j);
}

int
tmux_job_done(const struct job *j)
{
	return (j->reaped && j->out_fd == -1 && j->err_fd == -1);
}

void
tmux_job_free(struct job *j)
{
	if (j->out_fd != -1)
		close(j->out_fd);
	if (j->err_fd != -1)
		close(j->err_fd);
	buf_free(&j->out);
	buf_free(&j->err);
	free(j);
}

/*
 * Did the job succeed?  If not, put what tmux said (its first stderr line,
 * or how it ended) in cause.
 */
int
tmux_job_ok(const struct job *j, char *cause, size_t clen)
{
	size_t	 n;
	char	*p;

	if (j->timed_out) {
		snprintf(cause, clen, "tmux did not answer in %d ms",
		    CM_JOB_TIMEOUT_MS);
		return (0);
	}
	if (WIFEXITED(j->status) && WEXITSTATUS(j->status) == 0)
		return (1);
	if (j->err.len > 0) {
		p = buf_ptr(&j->err);
		n = strcspn(p, "\n");
		if (n > j->err.len)
			n = j->err.len;
		snprintf(cause, clen, "%.*s", (int)n, p);
	} else if (WIFEXITED(j->status) && WEXITSTATUS(j->status) == 127)
		snprintf(cause, clen, "cannot run %s", tmux_path);
	else if (WIFEXITED(j->status))
		snprintf(cause, clen, "tmux exited with status %d",
		    WEXITSTATUS(j->status));
	else
		snprintf(cause, clen, "tmux killed by signal %d",
		    WTERMSIG(j->status));
	return (0);
}

/*
 * Start a control-mode client attached to session tname (already converted
 * by tmux_session_name).  *in is its stdin (commands), *out its stdout, both
 * non-blocking and close-on-exec.
 */
pid_t
tmux_spawn_control(const char *tname, int *in, int *out, char *cause,
    size_t clen)
{
	const char	*v[TMUX_ARGV_MAX];
	char		 target[CM_NAME_MAX + 2];
	const char	*args[] = { "-C", "attach-session", "-f", "ignore-size",
			    "-t", target, NULL };
	int		 i[2], o[2];
	pid_t		 pid;

	snprintf(target, sizeof target, "=%s", tname);
	tmux_argv(v, args);
	if (pipe_cloexec(i) == -1) {
		snprintf(cause, clen, "pipe: %s", strerror(errno));
		return (-1);
	}
	if (pipe_cloexec(o) == -1) {
		snprintf(cause, clen, "pipe: %s", strerror(errno));
		close(i[0]);
		close(i[1]);
		return (-1);
	}
	pid = spawn(v, i[0], o[1], -1, cause, clen);
	close(i[0]);
	close(o[1]);
	if (pid == -1 || fd_nonblock(i[1]) == -1 || fd_nonblock(o[0]) == -1) {
		if (pid != -1) {
			snprintf(cause, clen, "fcntl: %s", strerror(errno));
			kill(pid, SIGKILL);
		}
		close(i[1]);
		close(o[0]);
		return (-1);
	}
	*in = i[1];
	*out = o[0];
	return (pid);
}

/*
 * Append the control-mode commands that type bytes p[0..n) into pane,
 * CM_SEND_CHUNK bytes per "send-keys -H" line.  Returns the number of
 * commands appended, -1 if b is full.
 */
int
tmux_hex_cmd(struct buf *b, const char *pane, const char *p, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 line[32 + 3 * CM_SEND_CHUNK];
	size_t			 i, k, len;
	int			 cmds = 0;

	for (i = 0; i < n; i += CM_SEND_CHUNK) {
		len = (size_t)snprintf(line, sizeof line,
		    "send-keys -t %s -H", pane);
		for (k = i; k < n && k < i + CM_SEND_CHUNK; k++) {
			line[len++] = ' ';
			line[len++] = hex[(unsigned char)p[k] >> 4];
			line[len++] = hex[(unsigned char)p[k] & 0xf];
		}
		line[len++] = '\n';
		if (buf_add(b, line, len) == -1)
			return (-1);
		cmds++;
	}
	return (cmds);
}

/* tmux turns '.' and ':' in session names into '_'; do the same. */
int
tmux_session_name(char *out, size_t len, const char *name)
{
	size_t	 i, n = strlen(name);

	if (n >= len)
		return (-1);
	for (i = 0; i < n; i++)
		out[i] = (name[i] == '.' || name[i] == ':') ? '_' : name[i];
	out[n] = '\0';
	return (0);
}
