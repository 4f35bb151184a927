/*
 * notify.c: "cm watch --on EVENTS --exec CMD [ARG...]": run a command for
 * each event that needs the person (confirm, input, error, exited) or that
 * says a task finished (done: working -> idle after at least done_ms of
 * work).  The event goes to the command in its environment: CM_SESSION,
 * CM_STATE, CM_HOST, CM_PROMPT, CM_RULE, CM_SEQ.
 *
 * A confirm with auto-confirm on is answered by the agent within
 * milliseconds: such a prompt is held NOTIFY_GRACE_MS and dropped if the
 * agent answers it; one the agent refuses (denied, ask) fires at once, with
 * its rule.
 *
 * Invariants: CMD runs by argv (no shell), stdin /dev/null, stdout and
 * stderr the watch's own; at most one runs per session (an event that comes
 * while one runs is logged and dropped); each is killed past its timeout;
 * a failure is a line on stderr and never ends the watch; at most
 * CM_SESSIONS_MAX sessions are tracked.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"

#define NOTIFY_GRACE_MS	400	/* a confirm may be auto-confirmed by then */
#define NOTIFY_KILL_MS	2000	/* SIGTERM, then SIGKILL this much later */

struct nsess {
	char		 name[CM_NAME_MAX + 1];
	char		 state[32];	/* the last state event */
	int64_t		 working_since;	/* 0: not working */
	pid_t		 pid;		/* the command, or -1 */
	int64_t		 deadline;	/* kill it then */
	int		 termed;	/* SIGTERM sent */
	char		 what[16];	/* the event it runs for */
	int64_t		 held_until;	/* a confirm held, or 0 */
	uint64_t	 held_seq;
	char		 held_prompt[CM_DETAIL_MAX * 4];
};

static struct nsess	*ns;
static int		 nns;
static unsigned		 on_mask;
static char *const	*cmd;
static int		 timeout_ms;
static int		 done_ms;
static const char	*host;

static const char *const kinds[] = { "confirm", "input", "error", "exited",
    "done", NULL };

/* "confirm,input,...": a mask of kinds, or -1 (with the bad word). */
int
notify_parse_on(const char *list, unsigned *mask, char *bad, size_t blen)
{
	const char	*p = list;
	size_t		 n;
	int		 k;

	*mask = 0;
	while (*p != '\0') {
		n = strcspn(p, ",");
		for (k = 0; kinds[k] != NULL; k++) {
			if (strlen(kinds[k]) == n && strncmp(p, kinds[k], n) == 0)
				break;
		}
		if (kinds[k] == NULL) {
			snprintf(bad, blen, "%.*s", (int)n, p);
			return (-1);
		}
		*mask |= 1u << k;
		p += n;
		if (*p == ',')
			p++;
	}
	return (*mask == 0 ? -1 : 0);
}

void
notify_init(unsigned mask, char *const *argv, int tmo_ms, int dn_ms,
    const char *hostname)
{
	on_mask = mask;
	cmd = argv;
	timeout_ms = tmo_ms;
	done_ms = dn_ms;
	/* "local", not empty: a cm the command runs must not go to the
	 * config's default host instead. */
	host = hostname != NULL ? hostname : "local";
}

static int
wants(const char *kind)
{
	int	 k;

	for (k = 0; kinds[k] != NULL; k++) {
		if (strcmp(kinds[k], kind) == 0)
			return ((on_mask & (1u << k)) != 0);
	}
	return (0);
}

static struct nsess *
find(const struct field *name)
{
	int	 i;

	if (name->n > CM_NAME_MAX)
		return (NULL);
	for (i = 0; i < nns; i++) {
		if (strlen(ns[i].name) == name->n &&
		    memcmp(ns[i].name, name->p, name->n) == 0)
			return (&ns[i]);
	}
	if (nns == CM_SESSIONS_MAX)
		return (NULL);
	ns = realloc(ns, (size_t)(nns + 1) * sizeof *ns);
	if (ns == NULL) {
		fprintf(stderr, "cm: watch: out of memory\n");
		exit(1);
	}
	memset(&ns[nns], 0, sizeof ns[nns]);
	memcpy(ns[nns].name, name->p, name->n);
	ns[nns].pid = -1;
	return (&ns[nns++]);
}

/* "rule=RULE" in a detail, or "". */
static void
rule_of(const char *d, char *out, size_t len)
{
	const char	*p = strstr(d, "rule=");

	out[0] = '\0';
	if (p != NULL && (p == d || p[-1] == ' ')) {
		p += 5;
		snprintf(out, len, "%.*s", (int)strcspn(p, " "), p);
	}
}

/* "... prompt=TEXT" in a detail: TEXT; else the detail. */
static const char *
prompt_of(const char *d)
{
	const char	*p = strstr(d, " prompt=");

	if (strncmp(d, "prompt=", 7) == 0)
		return (d + 7);
	return (p != NULL ? p + 8 : d);
}

/* Run the command for session s and event kind, unless one runs. */
static void
fire(struct nsess *s, const char *kind, const char *detail, uint64_t seq)
{
	char	 rule[128], num[32], cause[256];

	s->held_until = 0;
	if (s->pid != -1) {
		fprintf(stderr, "cm: watch: %s for %s not run: the one for %s "
		    "still runs\n", kind, s->name, s->what);
		return;
	}
	rule_of(detail, rule, sizeof rule);
	snprintf(num, sizeof num, "%llu", (unsigned long long)seq);
	if (setenv("CM_SESSION", s->name, 1) == -1 ||
	    setenv("CM_STATE", kind, 1) == -1 ||
	    setenv("CM_HOST", host, 1) == -1 ||
	    setenv("CM_PROMPT", prompt_of(detail), 1) == -1 ||
	    setenv("CM_RULE", rule, 1) == -1 ||
	    setenv("CM_SEQ", num, 1) == -1) {
		fprintf(stderr, "cm: watch: setenv: %s\n", strerror(errno));
		return;
	}
	s->pid = spawn((const char *const *)cmd, -1, 1, 2, cause, sizeof cause);
	if (s->pid == -1) {
		fprintf(stderr, "cm: watch: %s: %s\n", cmd[0], cause);
		return;
	}
	snprintf(s->what, sizeof s->what, "%s", kind);
	s->deadline = now_ms() + timeout_ms;
	s->termed = 0;
}

/* An event from the agent (t in ms since the epoch). */
void
notify_event(int64_t t, const struct field *name, const struct field *type,
    const struct field *detail, uint64_t seq)
{
	struct nsess	*s;
	char		 ty[32], d[CM_DETAIL_MAX * 4];
	int		 was_working;

	if ((s = find(name)) == NULL || type->n >= sizeof ty)
		return;
	memcpy(ty, type->p, type->n);
	ty[type->n] = '\0';
	snprintf(d, sizeof d, "%.*s", (int)detail->n, detail->p);
	if (strcmp(ty, "auto-confirm") == 0) {
		s->held_until = 0;	/* answered: nobody is needed */
		return;
	}
	if (strcmp(ty, "denied") == 0 || strcmp(ty, "ask") == 0 ||
	    strcmp(ty, "confirm-paused") == 0) {
		if (wants("confirm"))
			fire(s, "confirm", d, seq);
		return;
	}
	if (state_parse(ty, &(enum state){ S_UNKNOWN }) == -1)
		return;		/* not a state: resync and the like */
	was_working = strcmp(s->state, "working") == 0;
	snprintf(s->state, sizeof s->state, "%s", ty);
	s->held_until = 0;
	if (strcmp(ty, "working") == 0) {
		if (!was_working)
			s->working_since = t;
		return;
	}
	if (strcmp(ty, "idle") == 0 && was_working && s->working_since != 0 &&
	    t - s->working_since >= done_ms && wants("done"))
		fire(s, "done", d, seq);
	s->working_since = 0;
	if (strcmp(ty, "confirm") == 0 && wants("confirm")) {
		s->held_until = now_ms() + NOTIFY_GRACE_MS;
		s->held_seq = seq;
		snprintf(s->held_prompt, sizeof s->held_prompt, "%s", d);
	} else if (strcmp(ty, "confirm") != 0 && wants(ty))
		fire(s, ty, d, seq);
}

/*
 * Reap commands, kill those past their time, fire held confirms.  Returns
 * the ms until the next thing to do (-1: nothing).
 */
int
notify_tick(void)
{
	struct nsess	*s;
	int64_t		 now = now_ms(), next = -1, when;
	int		 i, st;
	pid_t		 r;

	for (i = 0; i < nns; i++) {
		s = &ns[i];
		if (s->pid != -1) {
			r = child_wait(s->pid, &st, WNOHANG);
			if (r == s->pid || r == -1) {
				if (r == -1)
					fprintf(stderr, "cm: watch: waitpid: "
					    "%s\n", strerror(errno));
				else if (s->termed)
					fprintf(stderr, "cm: watch: %s for %s "
					    "(%s) killed after %d s\n", cmd[0],
					    s->name, s->what,
					    timeout_ms / 1000);
				else if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
					fprintf(stderr, "cm: watch: %s for %s "
					    "(%s) exited %d%s\n", cmd[0],
					    s->name, s->what, WEXITSTATUS(st),
					    WEXITSTATUS(st) == 127 ?
					    " (not found?)" : "");
				else if (WIFSIGNALED(st))
					fprintf(stderr, "cm: watch: %s for %s "
					    "(%s) killed by signal %d\n",
					    cmd[0], s->name, s->what,
					    WTERMSIG(st));
				s->pid = -1;
			} else if (now >= s->deadline) {
				kill(s->pid, s->termed ? SIGKILL : SIGTERM);
				s->termed = 1;
				s->deadline = now + NOTIFY_KILL_MS;
			}
		}
		if (s->held_until != 0 && now >= s->held_until)
			fire(s, "confirm", s->held_prompt, s->held_seq);
		when = s->pid != -1 ? 100 : -1;
		if (s->held_until != 0 && (when == -1 ||
		    s->held_until - now < when))
			when = s->held_until - now < 0 ? 0 :
			    s->held_until - now;
		if (when != -1 && (next == -1 || when < next))
			next = when;
	}
	return ((int)next);
}
