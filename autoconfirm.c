/*
 * autoconfirm.c: answering confirmation prompts.  When a session's screen
 * shows a prompt, the rules decide; an allowed prompt is answered with its
 * approving keys, the rest are left to the person with an event saying why.
 * Every decision is an event and a line in the audit log.
 *
 * Invariants:
 *  - one appearance of a prompt is answered at most once, and no second
 *    answer comes sooner than CM_CONFIRM_GAP_MS after one;
 *  - the loop guard: the same question answered CM_LOOP_MAX times within
 *    CM_LOOP_WINDOW_MS pauses auto-confirm for that session;
 *  - an answered prompt still on screen CM_CONFIRM_CHECK_MS later is
 *    reported as confirm-stuck;
 *  - the audit log is a regular file opened for append: writing it never
 *    waits on anyone.
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"
#include "agent.h"

uint64_t		 confirms;

/* Decisions counted by action and rule, for "status" (and its metrics). */
#define DECISIONS_MAX	64	/* distinct action/rule pairs counted */
static struct decision {
	char		 action[16];
	char		 rule[64];
	uint64_t	 n;
} decisions[DECISIONS_MAX];
static int		 ndecisions;
static uint64_t		 decisions_other;	/* past DECISIONS_MAX */

static void
count_decision(const char *action, const char *full)
{
	char	 rule[64];
	int	 i;

	/* The rule's name, without its reason: "ask:policy (rm: ...)" is
	 * counted as "ask:policy", so the counts stay few. */
	snprintf(rule, sizeof rule, "%.*s", (int)strcspn(full, " "), full);
	for (i = 0; i < ndecisions; i++) {
		if (strcmp(decisions[i].action, action) == 0 &&
		    strncmp(decisions[i].rule, rule,
		    sizeof decisions[i].rule - 1) == 0) {
			decisions[i].n++;
			return;
		}
	}
	if (ndecisions == DECISIONS_MAX) {
		decisions_other++;
		return;
	}
	snprintf(decisions[ndecisions].action, sizeof decisions[0].action,
	    "%s", action);
	snprintf(decisions[ndecisions].rule, sizeof decisions[0].rule, "%s",
	    rule);
	decisions[ndecisions++].n = 1;
}

/* The counts as status fields: "decision=ACTION:N:RULE". */
void
autoconfirm_counts(void)
{
	char	 f[128];
	int	 i;

	for (i = 0; i < ndecisions; i++) {
		snprintf(f, sizeof f, "decision=%.15s:%llu:%.63s",
		    decisions[i].action, (unsigned long long)decisions[i].n,
		    decisions[i].rule);
		line_fields(f);
	}
	if (decisions_other > 0) {
		snprintf(f, sizeof f, "decision=other:%llu:other",
		    (unsigned long long)decisions_other);
		line_fields(f);
	}
}
char			 audit_path[CM_PATH_MAX];

static void	 confirm_save(struct session *);

static uint32_t
hash32(const char *s)
{
	uint32_t	 h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return (h == 0 ? 1 : h);
}

/*
 * Append a line to the audit log: time, session, action, rule, keys, prompt,
 * tab-separated, each field escaped.  The log is a regular file opened for
 * append, so a write does not wait on anyone.
 */
static void
audit(const struct session *s, const char *action, const char *rule,
    const char *keys, const char *prompt)
{
	struct buf	 b;
	char		 t[40];
	int		 fd;

	if (audit_path[0] == '\0')
		return;
	format_time(t, sizeof t, wall_ms());
	buf_init(&b, 4 * CM_DETAIL_MAX + 512);
	(void)buf_adds(&b, t);
	(void)buf_add(&b, "\t", 1);
	(void)proto_escapes(&b, s->name);
	(void)buf_add(&b, "\t", 1);
	(void)proto_escapes(&b, action);
	(void)buf_add(&b, "\t", 1);
	(void)proto_escapes(&b, rule);
	(void)buf_add(&b, "\t", 1);
	(void)proto_escapes(&b, keys);
	(void)buf_add(&b, "\t", 1);
	(void)proto_escapes(&b, prompt);
	(void)buf_add(&b, "\n", 1);
	fd = open(audit_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd == -1 || fd_write_all(fd, buf_ptr(&b), b.len) == -1)
		log_warn("audit log %s: %s", audit_path, strerror(errno));
	if (fd != -1)
		close(fd);
	buf_free(&b);
}

/* An event whose detail is "key=value ..." fields plus the prompt. */
static void
confirm_event(struct session *s, const char *type, const char *rule,
    const char *keys, const char *prompt)
{
	struct buf	 d;

	buf_init(&d, 4 * CM_DETAIL_MAX + CM_PATH_MAX);
	if (buf_printf(&d, "rule=%s%s%s prompt=%s", rule,
	    keys[0] ? " keys=" : "", keys, prompt) == -1 ||
	    buf_add(&d, "", 1) == -1)
		fatal("event detail");
	event_emit(s->name, type, buf_ptr(&d));
	buf_free(&d);
}

/*
 * A confirmation prompt is on screen.  If auto-confirm is on and the rules
 * allow it, answer it, once for this appearance of the prompt; otherwise
 * leave it to the person and say why.
 */
void
autoconfirm(struct session *s, const struct verdict *v)
{
	char		 rule[CM_PATH_MAX + 32];
	uint32_t	 h = hash32(v->detail);
	uint32_t	 q = hash32(v->detail + v->core);	/* the question */
	int64_t		 now = now_ms();
	int		 action, i, k;

	if (h == s->prompt_hash)
		return;		/* the same appearance: decided already */
	if (now < s->confirm_quiet_until) {
		/* Just answered one: the screen may still be catching up.
		 * Look again when the dust has settled. */
		s->recheck_at = s->confirm_quiet_until;
		return;
	}
	s->prompt_hash = h;
	if (!s->confirm || s->paused)
		return;
	action = rules_verdict(rules, v, s->dir, rule, sizeof rule);
	if (action == RULE_ALLOW && rules_broken) {
		/* The user's rules did not parse: only a person says yes. */
		action = RULE_ASK;
		snprintf(rule, sizeof rule, "ask:rules-broken");
	}
	if (action != RULE_ALLOW) {
		confirm_event(s, action == RULE_DENY ? "denied" : "ask", rule,
		    "", v->detail);
		audit(s, action == RULE_DENY ? "denied" : "ask", rule, "",
		    v->detail);
		count_decision(action == RULE_DENY ? "denied" : "ask", rule);
		return;
	}
	/* Loop guard: the same question answered too often, too fast (the
	 * question alone: the rows above it change as answers scroll up). */
	if (s->guard_hash != q) {
		s->guard_hash = q;
		s->nguard = 0;
	}
	for (i = k = 0; i < s->nguard; i++) {
		if (now - s->guard[i] < CM_LOOP_WINDOW_MS)
			s->guard[k++] = s->guard[i];
	}
	s->nguard = k;
	if (s->nguard >= CM_LOOP_MAX) {
		s->paused = 1;
		confirm_event(s, "confirm-paused", "loop-guard", "",
		    v->detail);
		audit(s, "paused", "loop-guard", "", v->detail);
		count_decision("paused", "loop-guard");
		return;
	}
	if (!ctl_room(s, 8, 256) || send_keys_string(s, v->keys) == -1) {
		confirm_event(s, "ask", "busy", "", v->detail);
		return;
	}
	s->guard[s->nguard++] = now;
	s->sent_hash = h;
	s->confirm_quiet_until = now + CM_CONFIRM_GAP_MS;
	s->check_at = now + CM_CONFIRM_CHECK_MS;
	confirms++;
	confirm_event(s, "auto-confirm", rule, v->keys, v->detail);
	audit(s, "confirmed", rule, v->keys, v->detail);
	count_decision("confirmed", rule);
}

/* Turn auto-confirm on (until: epoch ms, 0 for ever) or off; keep it in
 * tmux so that a restarted agent knows. */
void
session_set_confirm(struct session *s, int on, int64_t until)
{
	s->confirm = on;
	s->confirm_until = on ? until : 0;
	s->paused = 0;
	s->nguard = 0;
	/* Look at the screen again: a prompt may be waiting now. */
	s->prompt_hash = 0;
	if (!s->dirty) {
		s->dirty = 1;
		s->dirty_since = now_ms() - CM_DEBOUNCE_MAX_MS;
	}
	/* Saved once per pass of the loop, by autoconfirm_timers, however
	 * often it changes; at once if there is no control client. */
	s->confirm_save = 1;
	if (s->ctl_in == -1)
		confirm_save(s);
}

/*
 * Save a session's auto-confirm setting in its tmux options, where a
 * restarted agent finds it: through its control client (no process is
 * started) when it has room to spare, leaving half for captures; as a tmux
 * job when there is no control client.  If it cannot be written now it
 * stays due, and autoconfirm_timers tries again.  Only the latest value is
 * written, so many changes in a row cost one write, not one each.
 */
static void
confirm_save(struct session *s)
{
	const char	*args[] = { "set-option", "-t", NULL, "@cm_confirm",
			    NULL, ";", "set-option", "-t", NULL, "@cm_until",
			    NULL, NULL };
	char		 target[CM_NAME_MAX + 3], u[32], cause[256];
	char		 cmd[2 * CM_NAME_MAX + 128];
	int		 n;

	snprintf(target, sizeof target, "=%s:", s->tname);
	snprintf(u, sizeof u, "%lld", (long long)s->confirm_until);
	n = snprintf(cmd, sizeof cmd, "set-option -t %s @cm_confirm %d\n"
	    "set-option -t %s @cm_until %s\n", target, s->confirm ? 1 : 0,
	    target, u);
	if (s->ctl_in != -1) {
		if (n <= 0 || (size_t)n >= sizeof cmd ||
		    s->npend + 2 > CM_CTL_PENDING_MAX / 2 ||
		    !ctl_room(s, 2, (size_t)n))
			return;		/* later */
		(void)buf_add(&s->cout, cmd, (size_t)n);
		(void)ctl_push(s, CK_IGNORE, 0, NULL, 0);
		(void)ctl_push(s, CK_IGNORE, 0, NULL, 0);
		s->confirm_save = 0;
		return;
	}
	args[2] = args[8] = target;
	args[4] = s->confirm ? "1" : "0";
	args[10] = u;
	if (job_start(args, NULL, NULL, cause, sizeof cause) == 0) {
		s->confirm_save = 0;
		return;
	}
	log_debug("%s: saving auto-confirm later: %s", s->name, cause);
}

/*
 * Auto-confirm's timers for one session: is an answered prompt still on
 * screen (confirm-stuck), has auto-confirm's time run out?  Returns when
 * to look again, INT64_MAX for never.
 */
int64_t
autoconfirm_timers(struct session *s, int64_t now)
{
	int64_t		 next = INT64_MAX;

#define NEXT(t) do { if ((t) < next) next = (t); } while (0)
	if (s->confirm_save) {
		confirm_save(s);
		if (s->confirm_save)
			NEXT(now + CM_CONFIRM_GAP_MS);
	}
	if (s->check_at != 0) {
		if (now >= s->check_at) {
			s->check_at = 0;
			if (s->state == S_CONFIRM &&
			    s->prompt_hash == s->sent_hash) {
				confirm_event(s, "confirm-stuck",
				    "check", "", s->detail);
				audit(s, "stuck", "check", "",
				    s->detail);
			}
		} else
			NEXT(s->check_at);
	}
	if (s->confirm && s->confirm_until != 0) {
		if (wall_ms() >= s->confirm_until) {
			session_set_confirm(s, 0, 0);
			event_emit(s->name, "confirm-expired", "");
			audit(s, "expired", "time-limit", "", "");
		} else
			NEXT(now + (s->confirm_until - wall_ms()));
	}
#undef NEXT
	return (next);
}
