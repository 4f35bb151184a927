/*
 * session.c: the agent's sessions and tmux control mode.  A session record
 * per tmux session cm made (or adopted from an earlier agent), one control-
 * mode client per session whose output marks the pane dirty, captures and
 * their classification, the new-, kill- and has-session jobs, and the verbs
 * that type into or read a pane (new, send, keys, show, kill).
 *
 * Invariants:
 *  - control-mode commands are queued on cout with one pending entry each,
 *    at most CM_CTL_PENDING_MAX; replies come back in order between %begin
 *    and %end, and each finished block goes to the entry at the head;
 *  - every pending entry has a deadline; when the control client ends,
 *    every pending entry is answered with an error;
 *  - at most one new- or kill-session runs at a time, and none while a
 *    control client is attaching (tmux 3.3a crashes otherwise);
 *  - a session is never freed in the middle of a dispatch: it is flagged
 *    gone and reaped by agent.c at the end of the pass;
 *  - tmux is driven by argv only; text is typed as hex bytes.
 */

#define _XOPEN_SOURCE 700	/* realpath */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"
#include "agent.h"

struct newreq {
	int		 cid;
	char		 id[CM_ID_MAX + 1];
	char		 name[CM_NAME_MAX + 1];
	char		*line;		/* generated name: the request again */
	size_t		 len;
	int64_t		 deadline;
	int		 tries;
	int		 check;		/* answer after the first-second look */
};

static int	 tmux_gate_open(void);
static int64_t	 gate_deadline;	/* of the request being dispatched again */
static int	 gate_tries;	/* ... and the names it found taken */
/* Names tmux has that are not ours (generated names skip them). */
static char	 taken[CM_TAKEN_MAX][CM_NAME_MAX + 1];
static int	 ntaken;

struct session		*sessions[CM_SESSIONS_MAX];
int			 nsessions;
int			 creating;	/* new- and kill-session jobs running */
uint64_t		 captures;	/* screens read */
uint64_t		 ctl_restarts;	/* control clients started again */

static struct session *
session_find(const char *name, size_t n)
{
	int	 i;

	for (i = 0; i < nsessions; i++) {
		if (sessions[i]->gone)
			continue;
		if (strlen(sessions[i]->name) == n &&
		    memcmp(sessions[i]->name, name, n) == 0)
			return (sessions[i]);
	}
	return (NULL);
}

/*
 * Keep the state in tmux (@cm_state, and @cm_detail in hex), through the
 * control connection (no process), so that a restarted agent adopts the
 * session in the state it was in and invents no change.
 */
static void
session_save_state(struct session *s)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 cmd[96 + 2 * CM_DETAIL_MAX];
	size_t			 n, i;

	if (s->ctl_in == -1 || s->pane[0] == '\0')
		return;
	/* Two commands, two lines: each has its own reply block. */
	n = (size_t)snprintf(cmd, sizeof cmd, "set-option -t %s @cm_state %s\n"
	    "set-option -t %s @cm_detail x", s->pane, state_name(s->state),
	    s->pane);
	for (i = 0; s->detail[i] != '\0' && n + 3 < sizeof cmd; i++) {
		cmd[n++] = hex[(unsigned char)s->detail[i] >> 4];
		cmd[n++] = hex[(unsigned char)s->detail[i] & 0xf];
	}
	cmd[n++] = '\n';
	if (!ctl_room(s, 2, n))
		return;
	(void)buf_add(&s->cout, cmd, n);
	(void)ctl_push(s, CK_IGNORE, 0, NULL, 0);
	(void)ctl_push(s, CK_IGNORE, 0, NULL, 0);
}

static void
session_set_state(struct session *s, enum state st, const char *detail)
{
	/* Starting is one event: what a program shows while it starts (Qwen
	 * Code's "Initializing..." and its spinner) is not news. */
	if (s->state == st && (st == S_STARTING ||
	    strcmp(s->detail, detail) == 0))
		return;
	s->state = st;
	snprintf(s->detail, sizeof s->detail, "%s", detail);
	event_emit(s->name, state_name(st), s->detail);
	session_save_state(s);
	if (st == S_EXITED)
		session_check_reply(s);
}

/*
 * cm new's first-second look is over (or its program exited, or the
 * session went, or CM_NEW_CHECK_MAX_MS passed): answer the "new" that
 * asked for it, "ok NAME running" or "ok NAME exited DETAIL".  The
 * exited event, if any, went to that client first.
 */
void
session_check_reply(struct session *s)
{
	struct client	*c;

	if (s->check_cid == 0)
		return;
	c = client_find(s->check_cid);
	s->check_cid = 0;
	s->check_armed = 0;
	s->check_by = 0;
	if (c == NULL)
		return;
	c->busy--;
	line_start("ok", s->check_id);
	line_fields(s->name);
	if (s->state == S_EXITED) {
		line_fields("exited");
		line_fields(s->detail);
	} else
		line_fields("running");
	line_send(c);
}

/*
 * The program's own permission mode, as its screen shows it: when it
 * approves by itself (Claude's auto mode, Codex's YOLO), cm's rules do not
 * see what it runs, so a change is an event ("mode", detail "mode=auto").
 * A screen that shows no mode (a dialog over the footer, a header scrolled
 * away) keeps the last one seen.
 */
static void
session_set_mode(struct session *s, const struct verdict *v)
{
	char	 detail[64];

	if (v->mode[0] == '\0' || strcmp(s->mode, v->mode) == 0)
		return;
	snprintf(s->mode, sizeof s->mode, "%s", v->mode);
	snprintf(detail, sizeof detail, "mode=%s", s->mode);
	event_emit(s->name, "mode", detail);
}

static struct session *
session_alloc(const char *name)
{
	struct session	*s;

	s = xcalloc(1, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	(void)tmux_session_name(s->tname, sizeof s->tname, name);
	s->ctl_in = s->ctl_out = -1;
	s->ctl_pid = -1;
	buf_init(&s->cin, CM_CTL_IN_MAX);
	buf_init(&s->cout, CM_CTL_OUT_MAX);
	buf_init(&s->block, CM_SCREEN_MAX);
	s->state = S_STARTING;
	s->cursor_y = -1;
	s->profile = profile_find("generic");
	s->cmd = xstrdup("");
	sessions[nsessions++] = s;
	return (s);
}

void
session_free(struct session *s)
{
	session_ctl_stop(s);
	buf_free(&s->cin);
	buf_free(&s->cout);
	buf_free(&s->block);
	free(s->cmd);
	free(s->task);
	free(s->dir);
	free(s);
}

/*
 * An argument for tmux's argv: one that ends in ';' would end the command,
 * so "\;" is written for its last ';'.
 */
static char *
tmux_arg(const char *s)
{
	size_t	 n = strlen(s);
	char	*p;

	if (n == 0 || s[n - 1] != ';')
		return (xstrdup(s));
	p = xmalloc(n + 2);
	memcpy(p, s, n - 1);
	p[n - 1] = '\\';
	p[n] = ';';
	p[n + 1] = '\0';
	return (p);
}

/* A directory for tmux's -c, which expands formats: '#' becomes "##". */
static char *
tmux_dir(const char *s)
{
	size_t	 n = strlen(s), i, o = 0;
	char	*p;

	p = xmalloc(2 * n + 1);
	for (i = 0; i < n; i++) {
		p[o++] = s[i];
		if (s[i] == '#')
			p[o++] = '#';
	}
	p[o] = '\0';
	return (p);
}

static char *
escaped(const char *s, size_t n)
{
	struct buf	 b;
	char		*p;

	buf_init(&b, SIZE_MAX / 2);
	if (proto_escape(&b, s, n) == -1 || buf_add(&b, "", 1) == -1)
		fatal("escape");
	p = xstrdup(buf_ptr(&b));
	buf_free(&b);
	return (p);
}

/*
 * Control mode.  Commands are queued on cout with a pending entry each;
 * replies arrive in order between %begin and %end.
 */
int
ctl_push(struct session *s, enum ctlkind kind, int cid, const char *id,
    int reply)
{
	struct ctlcmd	*p;

	if (s->npend == CM_CTL_PENDING_MAX)
		return (-1);
	p = &s->pend[(s->pend_head + s->npend) % CM_CTL_PENDING_MAX];
	p->kind = kind;
	p->client = cid;
	snprintf(p->id, sizeof p->id, "%s", id != NULL ? id : "");
	p->reply = reply;
	p->deadline = now_ms() + CM_CTL_TIMEOUT_MS;
	s->npend++;
	return (0);
}

int
ctl_room(const struct session *s, int cmds, size_t bytes)
{
	return (s->ctl_in != -1 && s->npend + cmds <= CM_CTL_PENDING_MAX &&
	    s->cout.len + bytes <= s->cout.max);
}

/* Ask for the pane's status and screen, for classification. */
void
session_capture(struct session *s)
{
	char	 cmd[256];
	int	 n;

	if (s->capturing || s->ctl_in == -1)
		return;
	n = snprintf(cmd, sizeof cmd,
	    "display-message -p -t %s '#{pane_height} #{pane_dead} "
	    "#{pane_dead_status} "
	    "#{cursor_y} #{==:#{pane_title},#{host}} #{pane_pid} "
	    "#{s/ /_/:pane_current_command} #{pane_title}'\n"
	    "capture-pane -p -t %s\n", s->pane,
	    s->pane);
	if (!ctl_room(s, 2, (size_t)n))
		return;
	(void)buf_add(&s->cout, cmd, (size_t)n);
	(void)ctl_push(s, CK_STATUS, 0, NULL, 0);
	(void)ctl_push(s, CK_CAPTURE, 0, NULL, 0);
	s->capturing = 1;
	if (s->check_armed == 1)
		s->check_armed = 2;	/* this capture is the look */
	captures++;
	s->dirty = 0;
}

static void
session_send_task(struct session *s)
{
	const char	*args[] = { "set-option", "-t", NULL, "@cm_task", "\\-",
			    NULL };
	char		 target[CM_NAME_MAX + 3], cause[256];
	int		 n;

	if (s->task == NULL)
		return;
	n = tmux_hex_cmd(&s->cout, s->pane, s->task, strlen(s->task));
	while (n-- > 0)
		(void)ctl_push(s, CK_IGNORE, 0, NULL, 0);
	free(s->task);
	s->task = NULL;
	s->enter_at = now_ms() + (profile_enter_delay(s->profile) >
	    CM_TASK_ENTER_MS ? profile_enter_delay(s->profile) :
	    CM_TASK_ENTER_MS);
	s->enter_cid = 0;
	/* Typed: an empty task now ("\\-"), never an unset option, so that
	 * a restarted agent sees every field. */
	snprintf(target, sizeof target, "=%s:", s->tname);
	args[2] = target;
	if (job_start(args, NULL, NULL, cause, sizeof cause) == -1)
		log_warn("%s: clearing task: %s", s->name, cause);
}

/* Type the approving keys: named keys as keys, the rest as text. */
int
send_keys_string(struct session *s, const char *keys)
{
	char		 tok[CM_KEY_MAX + 1], cmd[96];
	const char	*p = keys;
	size_t		 n;
	int		 k, c, cmds = 0;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n == 0)
			break;
		if (n > CM_KEY_MAX)
			return (-1);
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		if (strcmp(tok, "Enter") == 0 || strcmp(tok, "Space") == 0 ||
		    strcmp(tok, "Escape") == 0 || strcmp(tok, "Tab") == 0) {
			k = snprintf(cmd, sizeof cmd, "send-keys -t %s %s\n",
			    s->pane, tok);
			if (buf_add(&s->cout, cmd, (size_t)k) == -1)
				return (-1);
			c = 1;
		} else if ((c = tmux_hex_cmd(&s->cout, s->pane, tok, n)) == -1)
			return (-1);
		while (c-- > 0) {
			(void)ctl_push(s, CK_IGNORE, 0, NULL, 0);
			cmds++;
		}
	}
	return (cmds);
}

/* Is every one of the n bytes at p a blank or a newline? */
static int
all_blank(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] != ' ' && p[i] != '\n')
			return (0);
	}
	return (1);
}

/* A capture came back: decide the state. */
static void
session_classify(struct session *s)
{
	struct verdict	 v;
	struct screen	 sc;
	char		 detail[64];

	sc.text = buf_ptr(&s->block);
	sc.len = s->block.len;
	sc.title = s->title;
	sc.title_default = s->title_default;
	sc.dead = s->pane_dead;
	sc.quiet_ms = now_ms() - s->last_output;
	sc.cursor_y = s->cursor_y;
	/* A shell whose foreground is another program runs a job. */
	sc.fg_job = s->shell[0] != '\0' && s->fg[0] != '\0' &&
	    strcmp(s->fg, s->shell) != 0;
	if (!s->seen_output && s->block.len > 0 &&
	    !all_blank(sc.text, s->block.len)) {
		/* It printed before we were attached: that was output. */
		s->seen_output = 1;
		sc.quiet_ms = 0;
	}
	confirm_classify(s->profile, &sc, &v);
	session_set_mode(s, &v);
	if (v.state == S_WORKING && s->state == S_STARTING &&
	    !s->seen_output) {
		/* Nothing printed yet: still starting, look again later. */
		s->recheck_at = s->last_output + CM_QUIET_MS;
		return;
	}
	if (v.state == S_UNKNOWN && s->state == S_STARTING)
		return;	/* nothing to know it by yet (a blank screen while
			   it draws): its next output will tell */
	if (v.state == S_STARTING && s->state != S_STARTING) {
		/* A blank screen once it has been up is a redraw (opencode
		 * between its home screen and a session), not a new start:
		 * it is busy drawing. */
		v.state = S_WORKING;
	}
	if (v.state == S_EXITED) {
		/*
		 * tmux may see the pane's end (its tty closing) before the
		 * process's exit status, and now and then never has the
		 * status at all: ask again a few times, then say so.
		 */
		if (s->dead_status == -1 && s->status_tries < CM_STATUS_TRIES) {
			s->status_tries++;
			s->recheck_at = now_ms() + CM_STATUS_RETRY_MS;
			return;
		}
		if (s->dead_status == -1)
			snprintf(detail, sizeof detail, "status=unknown");
		else
			snprintf(detail, sizeof detail, "status=%d",
			    s->dead_status);
		session_set_state(s, S_EXITED, detail);
		return;
	}
	if (v.state == S_WORKING)
		s->recheck_at = s->last_output + CM_QUIET_MS;
	else
		s->recheck_at = 0;
	session_set_state(s, v.state, v.detail);
	if (v.state == S_CONFIRM)
		autoconfirm(s, &v);
	else
		s->prompt_hash = 0;
	if (v.state == S_IDLE && s->task != NULL)
		session_send_task(s);
}

static void
ctl_status_line(struct session *s)
{
	char	*p = buf_ptr(&s->block), *q;
	size_t	 n = s->block.len, k;

	/* "HEIGHT DEAD STATUS CURSOR_Y DEFAULT PID FG TITLE\n"; STATUS is
	 * empty while alive; DEFAULT is 1 while the title is tmux's own; FG
	 * is the foreground command, its blanks made '_'.  (tmux takes
	 * control bytes out of a title: this is one line.) */
	if (n == 0)
		return;
	if (p[n - 1] == '\n')
		n--;
	s->rows = 0;
	while (n > 0 && *p >= '0' && *p <= '9') {
		if (s->rows < 100000)
			s->rows = s->rows * 10 + (unsigned)(*p - '0');
		p++;
		n--;
	}
	if (n == 0 || *p != ' ') {
		s->rows = 0;
		return;
	}
	p++;
	n--;
	if (n == 0)
		return;
	s->pane_dead = p[0] == '1';
	s->dead_status = -1;
	s->cursor_y = -1;
	q = memchr(p, ' ', n);
	if (q == NULL)
		return;
	q++;
	if (q < p + n && *q >= '0' && *q <= '9')
		s->dead_status = 0;
	while (q < p + n && *q >= '0' && *q <= '9')
		s->dead_status = s->dead_status * 10 + (*q++ - '0');
	if (q < p + n && *q == ' ')
		q++;
	if (q < p + n && *q >= '0' && *q <= '9') {
		s->cursor_y = 0;
		while (q < p + n && *q >= '0' && *q <= '9')
			s->cursor_y = s->cursor_y * 10 + (*q++ - '0');
	}
	if (q < p + n && *q == ' ')
		q++;
	s->title_default = q < p + n && *q == '1';
	if (q < p + n && (*q == '0' || *q == '1'))
		q++;
	if (q < p + n && *q == ' ')
		q++;
	s->pane_pid = 0;
	while (q < p + n && *q >= '0' && *q <= '9' && s->pane_pid < 100000000)
		s->pane_pid = s->pane_pid * 10 + (*q++ - '0');
	if (q < p + n && *q == ' ')
		q++;
	for (k = 0; q < p + n && *q != ' '; q++) {
		if (k < sizeof s->fg - 1)
			s->fg[k++] = *q;
	}
	s->fg[k] = '\0';
	if (q < p + n && *q == ' ')
		q++;
	n = (size_t)(p + n - q);
	if (n >= sizeof s->title)
		n = sizeof s->title - 1;
	memcpy(s->title, q, n);
	s->title[n] = '\0';
}

/* A reply block finished: hand it to whoever asked. */
static void
ctl_block_done(struct session *s, int error)
{
	struct ctlcmd	 p;
	struct client	*c;
	char		*l, *end, *nl;

	if (s->npend == 0) {
		log_warn("%s: reply with nothing pending", s->name);
		return;
	}
	p = s->pend[s->pend_head];
	s->pend_head = (s->pend_head + 1) % CM_CTL_PENDING_MAX;
	s->npend--;
	c = p.client != 0 ? client_find(p.client) : NULL;

	switch (p.kind) {
	case CK_IGNORE:
		break;
	case CK_STATUS:
		if (!error)
			ctl_status_line(s);
		break;
	case CK_ROWS:
		l = buf_ptr(&s->block);
		s->rows = 0;
		while (!error && *l >= '0' && *l <= '9' && s->rows < 100000)
			s->rows = s->rows * 10 + (unsigned)(*l++ - '0');
		break;
	case CK_CAPTURE:
		s->capturing = 0;
		if (!error)
			session_classify(s);
		/* The look found it alive (a dead pane whose status tmux
		 * does not have yet is looked at again: not yet). */
		if (s->check_armed == 2 && (error || !s->pane_dead))
			session_check_reply(s);
		break;
	case CK_SHOW:
		if (c == NULL)
			break;
		c->busy--;
		if (error) {
			reply_err(c, p.id, "tmux", "capture-pane failed");
			break;
		}
		l = buf_ptr(&s->block);
		end = l + s->block.len;
		while (l < end) {
			nl = memchr(l, '\n', (size_t)(end - l));
			if (nl == NULL)
				nl = end;
			line_start("data", p.id);
			line_field(l, (size_t)(nl - l));
			line_send(c);
			l = nl + 1;
		}
		reply_ok(c, p.id);
		break;
	case CK_SEND:
		if (c == NULL || !p.reply)
			break;
		c->busy--;
		if (error)
			reply_err(c, p.id, "tmux", "send-keys failed: %.200s",
			    s->block.len ? buf_ptr(&s->block) : "");
		else
			reply_ok(c, p.id);
		break;
	}
}

/* One line from a control client. */
static void
ctl_line(struct session *s, char *l, size_t n)
{
	struct ctlline	 e;

	switch (ctlparse_line(&s->cparse, l, n, &e)) {
	case CL_BLOCK:
		if (buf_add(&s->block, l, n) == -1 ||
		    buf_add(&s->block, "\n", 1) == -1)
			log_debug("%s: reply block truncated", s->name);
		break;
	case CL_BEGIN:
		buf_clear(&s->block);
		/* A screen has the pane's height in lines, no more, no
		 * fewer: an %end among them is the program's. */
		if (s->cparse.mine && s->npend > 0 && s->rows > 0 &&
		    (s->pend[s->pend_head].kind == CK_CAPTURE ||
		    (s->pend[s->pend_head].kind == CK_SHOW && !s->pane_dead)))
			s->cparse.expect = s->rows;
		break;
	case CL_END:
		if (e.early) {
			/* Ended before its lines: tmux failed mid-way, or a
			 * program made a line that looks like the end.
			 * Either way what follows cannot be trusted to be
			 * where it seems: start the control client again. */
			log_warn("%s: a reply ended after %u of its %u lines; "
			    "reconnecting", s->name, s->cparse.got,
			    s->cparse.expect);
			buf_free(&s->block);
			session_ctl_stop(s);
			return;
		}
		if (e.mine)
			ctl_block_done(s, e.error);
		/* A screen is classified once: keep no copy. */
		buf_free(&s->block);
		break;
	case CL_OUTPUT:
		s->last_output = now_ms();
		s->seen_output = 1;
		if (!s->dirty) {
			s->dirty = 1;
			s->dirty_since = s->last_output;
		}
		break;
	case CL_SUBSCRIPTION:
		/* VALUE is "#{pane_dead}#{pane_title}": nothing to look at
		 * if it says what the last capture did. */
		if (e.value != NULL && e.vlen > 0 &&
		    e.value[0] == (s->pane_dead ? '1' : '0') &&
		    e.vlen - 1 == strlen(s->title) &&
		    memcmp(e.value + 1, s->title, e.vlen - 1) == 0 &&
		    s->state != S_STARTING)
			break;
		if (!s->dirty) {
			s->dirty = 1;
			s->dirty_since = now_ms();
		}
		break;
	case CL_SESSION:
		/* Attached: commands written before this would run with no
		 * client and fail ("no current client"). */
		s->ctl_ready = 1;
		break;
	case CL_EXIT:
		log_debug("%s: control client: %.*s", s->name, (int)n, l);
		break;
	}
}

void
ctl_read(struct session *s)
{
	ssize_t	 r, used;
	char	*l;
	size_t	 n;

	r = buf_read(&s->cin, s->ctl_out);
	if (r == CM_AGAIN)
		return;
	if (r <= 0) {
		if (r == -1)
			log_warn("%s: control client read: %s", s->name,
			    strerror(errno));
		session_ctl_stop(s);
		return;
	}
	for (;;) {
		used = proto_frame(&s->cin, &s->cscanned, CM_CTL_IN_MAX, &l,
		    &n);
		if (used == 0)
			break;
		if (used == -1) {
			/* A line past any sane size: drop it, note output. */
			log_warn("%s: control line too long, skipped",
			    s->name);
			buf_clear(&s->cin);
			s->cscanned = 0;
			s->last_output = now_ms();
			s->dirty = 1;
			break;
		}
		ctl_line(s, l, n);
		buf_consume(&s->cin, (size_t)used);
		if (s->ctl_out == -1)
			break;
	}
	buf_shrink(&s->cin);
}

static void
ctl_fail_pending(struct session *s, const char *why)
{
	struct ctlcmd	*p;
	struct client	*c;

	while (s->npend > 0) {
		p = &s->pend[s->pend_head];
		c = p->client != 0 ? client_find(p->client) : NULL;
		if (c != NULL && (p->kind == CK_SHOW || p->reply)) {
			c->busy--;
			reply_err(c, p->id, "tmux", "%s", why);
		}
		s->pend_head = (s->pend_head + 1) % CM_CTL_PENDING_MAX;
		s->npend--;
	}
	s->capturing = 0;
}

/* A control-mode reply is overdue: fail what waits, with why, then stop. */
void
session_ctl_timeout(struct session *s)
{
	char	 why[64];

	log_warn("%s: tmux did not answer in %d ms", s->name,
	    CM_CTL_TIMEOUT_MS);
	snprintf(why, sizeof why, "tmux did not answer in %d s",
	    CM_CTL_TIMEOUT_MS / 1000);
	ctl_fail_pending(s, why);
	session_ctl_stop(s);
}

/*
 * How long to wait before looking for a session whose control client
 * ended: at once the first time, then doubling; a control client that
 * was healthy for CM_CTL_HEALTHY_MS starts the count again.
 */
static int64_t
ctl_backoff(struct session *s)
{
	int64_t	 now = now_ms();

	if (s->ctl_started != 0 && now - s->ctl_started >= CM_CTL_HEALTHY_MS)
		s->restarts = 0;
	s->ctl_started = 0;
	return (s->restarts > 0 ? (int64_t)CM_CTL_RESTART_MS << s->restarts :
	    0);
}

void
session_ctl_stop(struct session *s)
{
	if (s->ctl_in != -1)
		close(s->ctl_in);
	if (s->ctl_out != -1)
		close(s->ctl_out);
	s->ctl_in = s->ctl_out = -1;
	s->ctl_ready = 0;
	if (s->ctl_pid != -1)
		kill(s->ctl_pid, SIGTERM);	/* reaped by the loop */
	s->ctl_pid = -1;
	buf_clear(&s->cin);
	buf_clear(&s->cout);
	s->cscanned = 0;
	s->cparse.in_block = 0;
	ctl_fail_pending(s, "tmux control client ended");
	if (quitting || s->gone || s->killing || s->creating)
		return;
	/* Find out whether the session is still there. */
	s->restart_at = now_ms() + ctl_backoff(s);
}

/*
 * tmux 3.3a can crash when a control client attaches while another session
 * is being made, and when sessions are killed at once: one such change at a
 * time, and none while a control client is attaching.
 */
static int
tmux_gate_open(void)
{
	int	 i;

	if (creating > 0)
		return (0);
	for (i = 0; i < nsessions; i++) {
		if (sessions[i]->ctl_in != -1 && !sessions[i]->ctl_ready)
			return (0);
	}
	return (1);
}

/*
 * new and kill wait their turn for the gate here, first come first served,
 * for at most CM_GATE_WAIT_MS; only then does the client get "busy".  A
 * request is kept as its line (rebuilt from the parsed request) and is
 * parsed and dispatched again when its turn comes.
 */
struct gatewait {
	int64_t		 deadline;
	char		*line;
	size_t		 len;
	int		 cid;
	int		 tries;		/* names tmux had already */
};
static struct gatewait	 gateq[CM_GATE_QUEUE_MAX];
static int		 gate_head, gate_n;

/* The request as a line again, its fields escaped. */
static char *
request_line(const struct request *r, size_t *len)
{
	struct buf	 b;
	char		*p;
	int		 i;

	buf_init(&b, CM_LINE_MAX);
	if (buf_adds(&b, r->id) == -1 || buf_add(&b, " ", 1) == -1 ||
	    buf_adds(&b, proto_verb_name(r->verb)) == -1)
		fatalx("request line");
	for (i = 0; i < r->argc; i++) {
		if (buf_add(&b, " ", 1) == -1 ||
		    proto_escape(&b, r->argv[i].p, r->argv[i].n) == -1) {
			buf_free(&b);
			return (NULL);
		}
	}
	*len = b.len;
	p = xmalloc(b.len + 1);
	memcpy(p, buf_ptr(&b), b.len + 1);
	buf_free(&b);
	return (p);
}

/* Queue a request line for the gate (front: it had its turn, goes again). */
static int
gate_push(struct client *c, char *line, size_t len, int front,
    int64_t deadline, int tries)
{
	struct gatewait	*g;
	int		 k;

	if (gate_n == CM_GATE_QUEUE_MAX) {
		free(line);
		return (-1);
	}
	if (front) {
		gate_head = (gate_head + CM_GATE_QUEUE_MAX - 1) %
		    CM_GATE_QUEUE_MAX;
		k = gate_head;
	} else
		k = (gate_head + gate_n) % CM_GATE_QUEUE_MAX;
	gate_n++;
	g = &gateq[k];
	g->cid = c->cid;
	g->deadline = deadline != 0 ? deadline : now_ms() + CM_GATE_WAIT_MS;
	g->tries = tries;
	g->line = line;
	g->len = len;
	c->busy++;
	return (0);
}

static int
gate_wait(struct client *c, const struct request *r)
{
	char	*line;
	size_t	 len;

	if ((line = request_line(r, &len)) == NULL)
		return (-1);
	return (gate_push(c, line, len, 0, 0, 0));
}

/* Is a request waiting that may go now? */
int
gate_ready(void)
{
	return (gate_n > 0 && tmux_gate_open());
}

/*
 * Give waiting requests their turn while the gate is open; answer "busy" to
 * those that waited too long.  Returns when to look again.
 */
int64_t
gate_run(int64_t now)
{
	struct gatewait	 g;
	struct client	*c;
	struct request	 r;
	const char	*cause;
	int64_t		 next = INT64_MAX;
	int		 i, k;

	while (gate_n > 0 && quitting) {
		g = gateq[gate_head];
		gate_head = (gate_head + 1) % CM_GATE_QUEUE_MAX;
		gate_n--;
		if ((c = client_find(g.cid)) != NULL) {
			c->busy--;
			if (proto_parse_request(g.line, g.len, &r, &cause) == 0)
				reply_err(c, r.id, "shutdown",
				    "agent is shutting down");
		}
		free(g.line);
	}
	while (gate_n > 0 && tmux_gate_open()) {
		g = gateq[gate_head];
		gate_head = (gate_head + 1) % CM_GATE_QUEUE_MAX;
		gate_n--;
		if ((c = client_find(g.cid)) != NULL) {
			c->busy--;
			gate_deadline = g.deadline;
			gate_tries = g.tries;
			if (proto_parse_request(g.line, g.len, &r, &cause) == 0) {
				if (r.verb == V_NEW)
					do_new(c, &r);
				else if (r.verb == V_KILL)
					do_kill(c, &r);
			}
			gate_deadline = 0;
			gate_tries = 0;
		}
		free(g.line);
	}
	for (i = 0; i < gate_n; i++) {
		k = (gate_head + i) % CM_GATE_QUEUE_MAX;
		if (gateq[k].deadline < next)
			next = gateq[k].deadline;
	}
	if (gate_n > 0 && now >= gateq[gate_head].deadline) {
		/* The oldest waited too long: busy, and no one behind it
		 * may go first (those are newer). */
		g = gateq[gate_head];
		gate_head = (gate_head + 1) % CM_GATE_QUEUE_MAX;
		gate_n--;
		if ((c = client_find(g.cid)) != NULL) {
			c->busy--;
			if (proto_parse_request(g.line, g.len, &r, &cause) == 0)
				reply_err(c, r.id, "busy", "tmux is busy "
				    "(waited %d s), try again",
				    CM_GATE_WAIT_MS / 1000);
		}
		free(g.line);
		next = now;
	}
	return (next);
}

void
session_ctl_start(struct session *s)
{
	char	 cause[256], sub[256];
	int	 n;

	if (creating > 0) {
		s->ctl_wanted = 1;
		return;
	}
	s->ctl_wanted = 0;
	s->ctl_pid = tmux_spawn_control(s->tname, &s->ctl_in, &s->ctl_out,
	    cause, sizeof cause);
	spawns++;
	if (s->ctl_pid == -1) {
		log_warn("%s: control client: %s", s->name, cause);
		s->restart_at = now_ms() + 1000;
		return;
	}
	s->ctl_started = now_ms();
	/* The attach itself answers with a block that is not ours. */
	n = snprintf(sub, sizeof sub,
	    "refresh-client -B 'cm:%%*:#{pane_dead}#{pane_title}'\n");
	(void)buf_add(&s->cout, sub, (size_t)n);
	(void)ctl_push(s, CK_IGNORE, 0, NULL, 0);
	if (s->last_output == 0)
		s->last_output = now_ms();
	s->dirty = 1;
	s->dirty_since = now_ms() - CM_DEBOUNCE_MAX_MS;
}

/* kill-session answered, for a session tmux made after we gave up. */
static void
limbo_kill_done(struct job *j, void *arg)
{
	struct session	*s = NULL;
	char		 cause[256];
	int		 i;

	creating--;
	for (i = 0; i < nsessions; i++) {
		if (sessions[i] == arg)
			s = sessions[i];
	}
	if (s == NULL || s->gone)
		return;
	if (!tmux_job_ok(j, cause, sizeof cause) &&
	    strstr(cause, "can't find") == NULL) {
		log_warn("%s: killing what tmux made late: %s", s->name, cause);
		s->restart_at = now_ms() + CM_CTL_RECHECK_MS;
		return;
	}
	log_info("%s: tmux made it after cm gave up: killed", s->name);
	s->gone = 1;
	s->creating = 0;
}

/*
 * has-session answered for a session whose new-session cm gave up on (the
 * client was told it failed): kill what tmux made, or forget it.
 */
static void
limbo_checked(struct session *s, struct job *j)
{
	const char	*args[] = { "kill-session", "-t", NULL, NULL };
	char		 target[CM_NAME_MAX + 2], cause[256];

	if (tmux_job_ok(j, cause, sizeof cause)) {
		if (!tmux_gate_open()) {
			s->restart_at = now_ms() + CM_CTL_RESTART_MS;
			return;
		}
		snprintf(target, sizeof target, "=%s", s->tname);
		args[2] = target;
		if (job_start(args, limbo_kill_done, s, cause,
		    sizeof cause) == -1) {
			s->restart_at = now_ms() + CM_CTL_RECHECK_MS;
			return;
		}
		creating++;
		return;
	}
	if (j->timed_out || (strstr(cause, "can't find") == NULL &&
	    strstr(cause, "no server running") == NULL &&
	    strstr(cause, "error connecting") == NULL)) {
		if (++s->limbo_tries < CM_LIMBO_TRIES) {
			s->restart_at = now_ms() + CM_CTL_RECHECK_MS;
			return;
		}
		log_warn("%s: gave up asking tmux whether it made it: %s",
		    s->name, cause);
	}
	s->gone = 1;
	s->creating = 0;
}

/* has-session answered, after the control client went away. */
static void
session_check_done(struct job *j, void *arg)
{
	struct session	*s = NULL;
	char		 cause[256];
	int		 i;

	for (i = 0; i < nsessions; i++) {
		if (sessions[i] == arg)
			s = sessions[i];
	}
	if (s == NULL || s->gone)
		return;
	if (s->limbo) {
		limbo_checked(s, j);
		return;
	}
	if (tmux_job_ok(j, cause, sizeof cause)) {
		if (s->restarts < CM_CTL_RESTART_MAX)
			s->restarts++;
		ctl_restarts++;
		session_ctl_start(s);
		return;
	}
	if (j->timed_out || (strstr(cause, "can't find") == NULL &&
	    strstr(cause, "no server running") == NULL &&
	    strstr(cause, "error connecting") == NULL)) {
		/* tmux did not say the session is gone: look again soon
		 * (has-session itself waits CM_JOB_TIMEOUT_MS for it). */
		log_warn("%s: has-session: %s", s->name, cause);
		s->restart_at = now_ms() + CM_CTL_RECHECK_MS;
		return;
	}
	if (s->state != S_EXITED)
		session_set_state(s, S_EXITED, "gone");
	s->gone = 1;
	log_info("%s: session is gone", s->name);
}

void
session_check(struct session *s)
{
	const char	*args[] = { "has-session", "-t", NULL, NULL };
	char		 target[CM_NAME_MAX + 2], cause[256];

	s->restart_at = 0;
	snprintf(target, sizeof target, "=%s", s->tname);
	args[2] = target;
	if (job_start(args, session_check_done, s, cause, sizeof cause) == -1) {
		log_warn("%s: %s", s->name, cause);
		s->restart_at = now_ms() + 1000;
	}
}

static void
newreq_free(struct newreq *nr)
{
	free(nr->line);
	free(nr);
}

/* new-session answered. */
static void
new_done(struct job *j, void *arg)
{
	struct newreq	*nr = arg;
	struct session	*s;
	struct client	*c;
	char		 cause[512];
	size_t		 n;

	c = client_find(nr->cid);
	if (c != NULL)
		c->busy--;
	creating--;
	s = session_find(nr->name, strlen(nr->name));
	if (s == NULL || !s->creating) {
		newreq_free(nr);
		return;
	}
	s->creating = 0;
	if (!tmux_job_ok(j, cause, sizeof cause) && (j->timed_out ||
	    WIFSIGNALED(j->status))) {
		/* It timed out or was killed: tmux may have made it, or may
		 * yet.  The name stays taken, hidden, until
		 * has-session says what became of it (limbo_checked). */
		s->creating = s->limbo = 1;
		s->restart_at = now_ms() + CM_CTL_RECHECK_MS;
		if (c != NULL)
			reply_err(c, nr->id, "tmux", "%s", cause);
		newreq_free(nr);
		return;
	}
	if (!tmux_job_ok(j, cause, sizeof cause) &&
	    strstr(cause, "duplicate session") != NULL && nr->line != NULL &&
	    c != NULL && nr->tries < CM_NAME_TRIES) {
		/* A generated name tmux has (not one of ours): skip it from
		 * now on, and go again, first in line. */
		s->gone = 1;
		snprintf(taken[ntaken % CM_TAKEN_MAX], sizeof taken[0], "%s",
		    s->tname);
		if (ntaken < CM_TAKEN_MAX)
			ntaken++;
		if (gate_push(c, nr->line, nr->len, 1, nr->deadline,
		    nr->tries + 1) == -1)
			reply_err(c, nr->id, "busy", "tmux is busy, try again");
		nr->line = NULL;	/* the queue's now */
		newreq_free(nr);
		return;
	}
	if (!tmux_job_ok(j, cause, sizeof cause)) {
		s->gone = 1;
		if (c != NULL) {
			if (strstr(cause, "duplicate session") != NULL)
				reply_err(c, nr->id, "exists",
				    "session '%s' exists in tmux", nr->name);
			else
				reply_err(c, nr->id, "tmux", "%s", cause);
		}
		newreq_free(nr);
		return;
	}
	n = strcspn(buf_ptr(&j->out), "\n");
	if (n == 0 || n >= sizeof s->pane || j->out.len < n ||
	    buf_ptr(&j->out)[0] != '%') {
		/* tmux made something we cannot drive: remove it. */
		s->creating = s->limbo = 1;
		s->restart_at = now_ms();
		if (c != NULL)
			reply_err(c, nr->id, "tmux", "no pane id from tmux");
		newreq_free(nr);
		return;
	}
	memcpy(s->pane, buf_ptr(&j->out), n);
	s->pane[n] = '\0';
	log_info("%s: created, pane %s", s->name, s->pane);
	event_emit(s->name, state_name(S_STARTING), s->cmd);
	/* tmux tells of a pane's end once a second: a program that ends in
	 * its first second is looked for then, for cm new to report it. */
	s->new_check_at = now_ms() + CM_NEW_CHECK_MS;
	session_ctl_start(s);
	if (c != NULL && nr->check) {
		/* "check=1": the answer waits for that look (or its exit),
		 * so that cm new need not guess how long tmux takes. */
		s->check_cid = c->cid;
		snprintf(s->check_id, sizeof s->check_id, "%s", nr->id);
		s->check_by = s->new_check_at + CM_NEW_CHECK_MAX_MS;
		c->busy++;
	} else if (c != NULL) {
		line_start("ok", nr->id);
		line_fields(s->name);
		line_send(c);
	}
	newreq_free(nr);
}

/* Append a word as sh(1) would read it back: bare if safe, else quoted. */
static int
shell_quote(struct buf *b, const char *p, size_t n)
{
	static const char safe[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\0' || strchr(safe, p[i]) == NULL)
			break;
	}
	if (n > 0 && i == n)
		return (buf_add(b, p, n));
	if (buf_add(b, "'", 1) == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		if (p[i] == '\'') {
			if (buf_add(b, "'\\''", 4) == -1)
				return (-1);
		} else if (buf_add(b, p + i, 1) == -1)
			return (-1);
	}
	return (buf_add(b, "'", 1));
}

/* Pick "base-N" for a command, base from its file name. */
static void
generate_name(char *out, size_t len, const struct field *argv0)
{
	char		 base[41];
	size_t		 i, start = 0, b = 0;
	int		 k;

	for (i = 0; i < argv0->n; i++) {
		if (argv0->p[i] == '/')
			start = i + 1;
	}
	for (i = start; i < argv0->n && b < sizeof base - 1; i++) {
		char c = argv0->p[i];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-')
			base[b++] = c;
	}
	base[b] = '\0';
	while (b > 0 && base[0] == '-')
		memmove(base, base + 1, b--);
	if (b == 0)
		strcpy(base, "s");
	for (k = 1;; k++) {
		snprintf(out, len, "%s-%d", base, k);
		if (session_find(out, strlen(out)) != NULL)
			continue;
		for (i = 0; i < (size_t)ntaken; i++) {
			if (strcmp(taken[i], out) == 0)
				break;
		}
		if (i == (size_t)ntaken)
			return;
	}
}

#define NEW_ARGS_FIXED	96	/* tmux words around the program's (80 used) */
#define NEW_OWN_FIXED	8	/* strings made for them (7 used) */

void
do_new(struct client *c, struct request *r)
{
	const char	**args;
	char		**own;
	char		 name[CM_NAME_MAX + 1], created[32], cause[256];
	char		 t1[CM_NAME_MAX + 3], *dir = NULL, *task = NULL;
	struct session	*s;
	struct buf	 cmd;
	struct newreq	*nr;
	struct field	*f;
	int		 i, a = 0, nown = 0, confirm = default_confirm, cmd0;
	int		 profile = -1, confirm_given = 0, nenv = 0, generated = 0;
	int		 check = 0;
	int		 envs[CM_FIELDS_MAX], k, prog, nwords, cap, over = 0;
	const char	*words[CM_FIELDS_MAX], *sh = NULL;
	char		*eq, found[CM_PATH_MAX], *real;
	const char	*path;
	struct stat	 st;

	name[0] = '\0';
	for (i = 0; i < r->argc; i++) {
		f = &r->argv[i];
		if (proto_field_eq(f, "--"))
			break;
		if ((eq = memchr(f->p, '=', f->n)) == NULL) {
			reply_err(c, r->id, "usage", "bad option to new");
			goto out;
		}
		if (eq - f->p == 3 && memcmp(f->p, "env", 3) == 0) {
			/* env=NAME=VALUE, checked by proto.c. */
			f->p[f->n] = '\0';
			envs[nenv++] = i;
		} else if (eq - f->p == 4 && memcmp(f->p, "name", 4) == 0)
			snprintf(name, sizeof name, "%.*s",
			    (int)(f->n - 5), eq + 1);
		else if (eq - f->p == 3 && memcmp(f->p, "dir", 3) == 0) {
			free(dir);
			dir = xmalloc(f->n - 3);
			memcpy(dir, eq + 1, f->n - 4);
			dir[f->n - 4] = '\0';
		} else if (eq - f->p == 7 && memcmp(f->p, "confirm", 7) == 0) {
			confirm = eq[1] == '1';
			confirm_given = 1;
		}
		else if (eq - f->p == 7 && memcmp(f->p, "profile", 7) == 0) {
			f->p[f->n] = '\0';
			if ((profile = profile_find(eq + 1)) == -1) {
				reply_err(c, r->id, "usage", "unknown profile "
				    "'%.32s'", eq + 1);
				goto out;
			}
		}
		else if (eq - f->p == 5 && memcmp(f->p, "check", 5) == 0)
			check = eq[1] == '1';
		else if (eq - f->p == 4 && memcmp(f->p, "task", 4) == 0) {
			free(task);
			task = xmalloc(f->n - 4);
			memcpy(task, eq + 1, f->n - 5);
			task[f->n - 5] = '\0';
			if (strlen(task) != f->n - 5) {
				free(task);
				free(dir);
				reply_err(c, r->id, "usage",
				    "NUL byte in task");
				return;
			}
		}
	}
	cmd0 = i + 1;
	nwords = r->argc - cmd0;
	if (nwords < 1 || nwords > CM_ARGV_MAX) {
		/* proto.c refuses these already; never trust one place. */
		reply_err(c, r->id, "usage", "new: the command must have 1 to "
		    "%d words", CM_ARGV_MAX);
		goto out;
	}
	if (dir == NULL) {
		/* No directory given: the agent's user's home. */
		const char *home = getenv("HOME");

		dir = xstrdup(home != NULL && *home == '/' ? home : "/");
	}
	/* Refuse what would fail in the pane, while the client can hear it:
	 * a directory that is not there, a command execvp will not find. */
	if (stat(dir, &st) == -1 || (S_ISDIR(st.st_mode) &&
	    access(dir, X_OK) == -1)) {
		reply_err(c, r->id, "notfound", "%.200s: %s", dir,
		    strerror(errno));
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		reply_err(c, r->id, "notfound", "%.200s: not a directory",
		    dir);
		goto out;
	}
	path = getenv("PATH");
	for (i = 0; i < nenv; i++) {
		if (memcmp(r->argv[envs[i]].p, "env=PATH=", 9) == 0)
			path = r->argv[envs[i]].p + 9;
	}
	r->argv[cmd0].p[r->argv[cmd0].n] = '\0';	/* was a separator */
	if (strlen(r->argv[cmd0].p) != r->argv[cmd0].n ||
	    exec_find(r->argv[cmd0].p, path, dir, found,
	    sizeof found) == -1) {
		reply_err(c, r->id, "notfound", "%.*s: not found (PATH=%.300s)",
		    (int)r->argv[cmd0].n > 200 ? 200 : (int)r->argv[cmd0].n,
		    r->argv[cmd0].p, path != NULL ? path : CM_DEFAULT_PATH);
		goto out;
	}
	/* The profile, through wrappers (env, npx, node cli.js, ...) and
	 * symlinks; and whether the program is a shell. */
	for (i = cmd0; i < r->argc; i++) {
		r->argv[i].p[r->argv[i].n] = '\0';	/* was a separator */
		words[i - cmd0] = r->argv[i].p;
	}
	k = profile_for_argv(words, r->argc - cmd0, &prog);
	if (k == profile_find("generic") && prog >= 0 &&
	    exec_find(words[prog], path, dir, found, sizeof found) == 0 &&
	    (real = realpath(found, NULL)) != NULL) {
		if (profile_for_path(real) != -1)
			k = profile_for_path(real);
		free(real);
	}
	if (profile == -1)
		profile = k;
	if (prog >= 0 && shell_name(words[prog]) != NULL)
		sh = shell_name(words[prog]);
	/* The config's word for this profile, unless the client said. */
	if (!confirm_given && profile >= 0 && profile < CM_PROFILES_MAX &&
	    default_profile_confirm[profile] != -1)
		confirm = default_profile_confirm[profile];
	if (name[0] == '\0') {
		generate_name(name, sizeof name, &r->argv[cmd0]);
		generated = 1;
	}
	if (session_find(name, strlen(name)) != NULL) {
		reply_err(c, r->id, "exists", "session '%s' exists", name);
		goto out;
	}
	if (!tmux_gate_open()) {
		if (gate_wait(c, r) == -1)
			reply_err(c, r->id, "busy", "tmux is busy, try again");
		goto out;
	}
	if (nsessions == CM_SESSIONS_MAX) {
		reply_err(c, r->id, "full", "too many sessions (%d)",
		    CM_SESSIONS_MAX);
		goto out;
	}

	/* The command as shown: its argv, quoted as a shell would need. */
	buf_init(&cmd, CM_CMD_MAX);
	for (i = cmd0; i < r->argc; i++) {
		if ((i > cmd0 && buf_add(&cmd, " ", 1) == -1) ||
		    shell_quote(&cmd, r->argv[i].p, r->argv[i].n) == -1)
			break;
	}
	if (i < r->argc || buf_add(&cmd, "", 1) == -1) {
		buf_free(&cmd);
		reply_err(c, r->id, "toolong", "command longer than %d bytes",
		    CM_CMD_MAX);
		goto out;
	}

	s = session_alloc(name);
	s->creating = 1;
	s->confirm = confirm;
	s->profile = profile;
	if (sh != NULL)
		snprintf(s->shell, sizeof s->shell, "%s", sh);
	s->dir = xstrdup(dir != NULL ? dir : "/");
	s->created = wall_ms() / 1000;
	free(s->cmd);
	s->cmd = xstrdup(buf_ptr(&cmd));
	buf_free(&cmd);
	if (task != NULL && *task != '\0')
		s->task = xstrdup(task);

	snprintf(t1, sizeof t1, "=%s:", s->tname);
	snprintf(created, sizeof created, "%lld", (long long)s->created);
	/*
	 * The tmux command: NEW_ARGS_FIXED words around the program's, each
	 * append bounded (ARG), the vectors sized from the request.
	 */
	cap = NEW_ARGS_FIXED + nenv + nwords + 1;
	args = xcalloc((size_t)cap, sizeof *args);
	own = xcalloc((size_t)(nenv + nwords) + NEW_OWN_FIXED, sizeof *own);
#define ARG(x) do {							\
	if (a < cap - 1)						\
		args[a++] = (x);					\
	else								\
		over = 1;						\
} while (0)
	ARG("new-session");
	ARG("-d");
	ARG("-s");
	ARG(s->tname);
	if (dir != NULL) {
		ARG("-c");
		ARG(own[nown++] = tmux_dir(dir));
	}
	ARG("-P");
	ARG("-F");
	ARG("#{pane_id}");
	ARG("--");
	ARG("env");
	ARG("--");
	for (i = 0; i < nenv; i++)
		ARG(own[nown++] = tmux_arg(r->argv[envs[i]].p + 4));
	for (i = cmd0; i < r->argc; i++) {
		r->argv[i].p[r->argv[i].n] = '\0';	/* was a separator */
		ARG(own[nown++] = tmux_arg(r->argv[i].p));
	}
#define SETOPT(opt, val) do {						\
	ARG(";");							\
	ARG("set-option");						\
	ARG("-t");							\
	ARG(t1);							\
	ARG((opt));							\
	ARG((val));							\
} while (0)
	ARG(";");
	ARG("set-option");
	ARG("-w");
	ARG("-t");
	ARG(t1);
	ARG("remain-on-exit");
	ARG("on");
	SETOPT("@cm", "1");
	SETOPT("@cm_name", s->name);
	SETOPT("@cm_created", created);
	SETOPT("@cm_confirm", confirm ? "1" : "0");
	SETOPT("@cm_profile", profile_name(profile));
	SETOPT("@cm_until", "0");
	own[nown] = escaped(s->dir, strlen(s->dir));
	own[nown + 1] = tmux_arg(own[nown]);
	SETOPT("@cm_dir", own[nown + 1]);
	nown += 2;
	own[nown] = escaped(s->cmd, strlen(s->cmd));
	own[nown + 1] = tmux_arg(own[nown]);
	SETOPT("@cm_cmd", own[nown + 1]);
	nown += 2;
	own[nown] = s->task != NULL ? escaped(s->task, strlen(s->task)) :
	    xstrdup("\\-");
	own[nown + 1] = tmux_arg(own[nown]);
	SETOPT("@cm_task", own[nown + 1]);
	nown += 2;
	ARG(";");
	ARG("set-option");
	ARG("-F");
	ARG("-t");
	ARG(t1);
	ARG("@cm_pane");
	ARG("#{pane_id}");
#undef SETOPT
	args[a] = NULL;
#undef ARG

	nr = xcalloc(1, sizeof *nr);
	nr->cid = c->cid;
	nr->check = check;
	snprintf(nr->id, sizeof nr->id, "%s", r->id);
	snprintf(nr->name, sizeof nr->name, "%s", s->name);
	if (generated) {
		/* If tmux has the name, it goes again with another. */
		nr->line = request_line(r, &nr->len);
		nr->deadline = gate_deadline != 0 ? gate_deadline :
		    now_ms() + CM_GATE_WAIT_MS;
		nr->tries = gate_tries;
	}
	if (over) {
		s->gone = 1;
		s->creating = 0;
		newreq_free(nr);
		log_warn("new: tmux command past %d words", cap - 1);
		reply_err(c, r->id, "internal", "tmux command too long");
	} else if (job_start(args, new_done, nr, cause, sizeof cause) == -1) {
		s->gone = 1;
		s->creating = 0;
		newreq_free(nr);
		reply_err(c, r->id, "tmux", "%s", cause);
	} else {
		c->busy++;
		creating++;
	}
	for (i = 0; i < nown; i++)
		free(own[i]);
	free(own);
	free(args);
out:
	free(dir);
	free(task);
}

struct session *
need_session(struct client *c, struct request *r, int live)
{
	struct session	*s;

	s = session_find(r->argv[0].p, r->argv[0].n);
	if (s == NULL || s->creating) {
		reply_err(c, r->id, "notfound", "session '%.*s' not found",
		    (int)r->argv[0].n, r->argv[0].p);
		return (NULL);
	}
	if (live && s->state == S_EXITED) {
		reply_err(c, r->id, "exited", "session '%s' has exited",
		    s->name);
		return (NULL);
	}
	if (live && s->ctl_in == -1) {
		reply_err(c, r->id, "busy", "session '%s' is not connected "
		    "to tmux yet", s->name);
		return (NULL);
	}
	return (s);
}

void
do_send(struct client *c, struct request *r)
{
	struct session	*s;
	int		 n, enter = r->argc == 3, i, later;
	size_t		 need;
	char		 cmd[64];

	if ((s = need_session(c, r, 1)) == NULL)
		return;
	if (s->enter_at != 0) {
		reply_err(c, r->id, "busy", "session '%s' is busy, try again",
		    s->name);
		return;
	}
	/* Some programs take text and Enter in one burst for a paste: for
	 * them the Enter waits. */
	later = enter && profile_enter_delay(s->profile) > 0;
	need = 40 + 3 * r->argv[1].n + 40 * (r->argv[1].n / CM_SEND_CHUNK + 1);
	n = (int)(r->argv[1].n + CM_SEND_CHUNK - 1) / CM_SEND_CHUNK + enter;
	if (!ctl_room(s, n, need)) {
		reply_err(c, r->id, "busy", "session '%s' is busy, try again",
		    s->name);
		return;
	}
	n = tmux_hex_cmd(&s->cout, s->pane, r->argv[1].p, r->argv[1].n);
	for (i = 0; i < n; i++)
		(void)ctl_push(s, CK_SEND, c->cid, r->id, i == n - 1 && !enter);
	if (later) {
		s->enter_at = now_ms() + profile_enter_delay(s->profile);
		s->enter_cid = c->cid;
		snprintf(s->enter_id, sizeof s->enter_id, "%s", r->id);
	} else if (enter) {
		i = snprintf(cmd, sizeof cmd, "send-keys -t %s Enter\n",
		    s->pane);
		(void)buf_add(&s->cout, cmd, (size_t)i);
		(void)ctl_push(s, CK_SEND, c->cid, r->id, 1);
	}
	if (n == 0 && !enter)
		reply_ok(c, r->id);
	else
		c->busy++;
}

void
do_keys(struct client *c, struct request *r)
{
	struct session	*s;
	char		 cmd[64 + CM_KEYS_MAX * (CM_KEY_MAX + 3)];
	int		 i, n;

	if ((s = need_session(c, r, 1)) == NULL)
		return;
	n = snprintf(cmd, sizeof cmd, "send-keys -t %s", s->pane);
	for (i = 1; i < r->argc; i++)
		n += snprintf(cmd + n, sizeof cmd - (size_t)n, " '%.*s'",
		    (int)r->argv[i].n, r->argv[i].p);
	cmd[n++] = '\n';
	if (!ctl_room(s, 1, (size_t)n)) {
		reply_err(c, r->id, "busy", "session '%s' is busy", s->name);
		return;
	}
	(void)buf_add(&s->cout, cmd, (size_t)n);
	(void)ctl_push(s, CK_SEND, c->cid, r->id, 1);
	c->busy++;
}

void
do_show(struct client *c, struct request *r)
{
	struct session	*s;
	char		 cmd[160];
	int		 n;

	if ((s = need_session(c, r, 0)) == NULL)
		return;
	if (s->ctl_in == -1) {
		reply_err(c, r->id, "busy", "session '%s' is not connected "
		    "to tmux", s->name);
		return;
	}
	/* A dead pane's last output has scrolled into its history.  The
	 * height first: the screen's block has that many lines (ctl_line). */
	n = snprintf(cmd, sizeof cmd, "display-message -p -t %s "
	    "'#{pane_height}'\ncapture-pane -p%s%s -t %s\n", s->pane,
	    r->argc == 2 ? " -e" : "", s->pane_dead ? " -S -100" : "",
	    s->pane);
	if (!ctl_room(s, 2, (size_t)n)) {
		reply_err(c, r->id, "busy", "session '%s' is busy", s->name);
		return;
	}
	(void)buf_add(&s->cout, cmd, (size_t)n);
	(void)ctl_push(s, CK_ROWS, 0, NULL, 0);
	(void)ctl_push(s, CK_SHOW, c->cid, r->id, 1);
	c->busy++;
}

struct killreq {
	int		 cid;
	char		 id[CM_ID_MAX + 1];
	char		 name[CM_NAME_MAX + 1];
};

static void
kill_done(struct job *j, void *arg)
{
	struct killreq	*kr = arg;
	struct session	*s;
	struct client	*c;
	char		 cause[256];

	c = client_find(kr->cid);
	if (c != NULL)
		c->busy--;
	creating--;
	s = session_find(kr->name, strlen(kr->name));
	if (!tmux_job_ok(j, cause, sizeof cause) &&
	    strstr(cause, "can't find") == NULL &&
	    strstr(cause, "no server") == NULL &&
	    strstr(cause, "no such") == NULL) {
		if (s != NULL)
			s->killing = 0;
		if (c != NULL)
			reply_err(c, kr->id, "tmux", "%s", cause);
		free(kr);
		return;
	}
	if (s != NULL) {
		if (s->state != S_EXITED)
			session_set_state(s, S_EXITED, "killed");
		s->gone = 1;
	}
	if (c != NULL)
		reply_ok(c, kr->id);
	free(kr);
}

void
do_kill(struct client *c, struct request *r)
{
	const char	*args[] = { "kill-session", "-t", NULL, NULL };
	char		 target[CM_NAME_MAX + 2], cause[256];
	struct session	*s;
	struct killreq	*kr;

	if ((s = need_session(c, r, 0)) == NULL)
		return;
	if (!tmux_gate_open()) {
		if (gate_wait(c, r) == -1)
			reply_err(c, r->id, "busy", "tmux is busy, try again");
		return;
	}
	snprintf(target, sizeof target, "=%s", s->tname);
	args[2] = target;
	kr = xcalloc(1, sizeof *kr);
	kr->cid = c->cid;
	snprintf(kr->id, sizeof kr->id, "%s", r->id);
	snprintf(kr->name, sizeof kr->name, "%s", s->name);
	if (job_start(args, kill_done, kr, cause, sizeof cause) == -1) {
		free(kr);
		reply_err(c, r->id, "tmux", "%s", cause);
		return;
	}
	/* tmux's kill-session hangs up on the pane; some programs ignore
	 * SIGHUP (Gemini CLI does) and would live on.  Ask its process
	 * group to end as well. */
	if (s->pane_pid > 1 && !s->pane_dead && kill(-s->pane_pid, SIGTERM) ==
	    -1 && errno != ESRCH)
		log_warn("%s: kill %d: %s", s->name, (int)-s->pane_pid,
		    strerror(errno));
	s->killing = 1;
	c->busy++;
	creating++;
	/* Detach our control client first: tmux 3.3a has crashed killing
	 * sessions that control clients were attached to. */
	session_ctl_stop(s);
}

static int
unhex(char c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	return (-1);
}

/* An adopted session: is its program a shell?  Its command's bare words
 * tell (a quoted word is taken as it is written). */
static void
adopt_shell(struct session *s)
{
	char		 copy[CM_CMD_MAX], *w;
	const char	*words[32], *sh;
	int		 n = 0, prog;

	snprintf(copy, sizeof copy, "%s", s->cmd);
	for (w = strtok(copy, " "); w != NULL && n < 32; w = strtok(NULL, " "))
		words[n++] = w;
	(void)profile_for_argv(words, n, &prog);
	if (prog >= 0 && (sh = shell_name(words[prog])) != NULL)
		snprintf(s->shell, sizeof s->shell, "%s", sh);
}

/* The state an earlier agent saved (session_save_state), if any. */
static void
adopt_state(struct session *s, struct field *st, struct field *hex)
{
	enum state	 v;
	char		 name[16];
	size_t		 i, k;
	int		 hi, lo;

	snprintf(name, sizeof name, "%.*s", (int)(st->n < 15 ? st->n : 15),
	    st->p);
	if (state_parse(name, &v) == -1 || hex->n < 1 || hex->p[0] != 'x')
		return;
	for (i = 1, k = 0; i + 1 < hex->n && k < sizeof s->detail - 1;
	    i += 2) {
		hi = unhex(hex->p[i]);
		lo = unhex(hex->p[i + 1]);
		if (hi == -1 || lo == -1 || (hi == 0 && lo == 0))
			return;
		s->detail[k++] = (char)(hi << 4 | lo);
	}
	s->detail[k] = '\0';
	s->state = v;
}

/*
 * Startup: adopt every session an earlier agent created.  A session marked
 * @cm is never dropped: a field that is missing or malformed takes a default
 * (and the session gets a "warning" event naming the fields), and one that
 * cannot be adopted at all (no usable name, too many sessions) is kept in
 * the unadopted list, which ls and watch's snapshots show.
 */
struct unadopted	 unadopted[CM_UNADOPTED_MAX];
int			 nunadopted;

/* The fields of list-sessions' format, tab-separated (none may collapse). */
enum { A_MARK, A_PANE, A_CREATED, A_CONFIRM, A_NAME, A_CMD, A_TASK, A_PROFILE,
    A_DIR, A_UNTIL, A_PAUSED, A_HANDLED, A_TNAME, A_PANEID, A_SCREATED,
    A_STATE, A_DETAIL, A_NFIELDS };

static int
all_digits(const struct field *f)
{
	size_t	 i;

	if (f->n == 0 || f->n > 18)
		return (0);
	for (i = 0; i < f->n; i++) {
		if (f->p[i] < '0' || f->p[i] > '9')
			return (0);
	}
	return (1);
}

/* An escaped option value as a new string, or NULL if malformed. */
static char *
adopt_unescape(struct field *f)
{
	char	*p;
	ssize_t	 u;

	if (f->n == 0)
		return (NULL);
	p = xmalloc(f->n + 1);
	memcpy(p, f->p, f->n);
	if ((u = proto_unescape(p, f->n)) == -1 ||
	    memchr(p, '\0', (size_t)u) != NULL) {
		free(p);
		return (NULL);
	}
	p[u] = '\0';
	return (p);
}

static void
adopt_refuse(const struct field *tname, const struct field *created,
    const char *why)
{
	struct unadopted	*u;

	log_warn("could not adopt tmux session '%.*s': %s",
	    (int)(tname->n > CM_NAME_MAX ? CM_NAME_MAX : tname->n), tname->p,
	    why);
	if (nunadopted == CM_UNADOPTED_MAX)
		return;
	u = &unadopted[nunadopted++];
	snprintf(u->tname, sizeof u->tname, "%.*s",
	    (int)(tname->n > CM_NAME_MAX ? CM_NAME_MAX : tname->n), tname->p);
	snprintf(u->why, sizeof u->why, "%s", why);
	u->created = all_digits(created) ? strtoll(created->p, NULL, 10) : 0;
	event_emit(u->tname, "not-adopted", u->why);
}

/* The unadopted sessions as records, for ls and watch; returns how many. */
int
line_unadopted(struct client *c, const char *id)
{
	char	 detail[CM_DETAIL_MAX];
	int	 i;

	for (i = 0; i < nunadopted; i++) {
		snprintf(detail, sizeof detail, "not adopted: %s",
		    unadopted[i].why);
		line_start("data", id);
		line_fields(unadopted[i].tname);
		line_fields(state_name(S_UNKNOWN));
		line_num((long long)unadopted[i].created);
		line_num(0);
		line_fields("");
		line_fields(detail);
		line_fields("generic");
		line_send(c);
	}
	return (nunadopted);
}

static void
adopt_line(char *l, size_t len)
{
	struct field	 f[A_NFIELDS];
	struct session	*s;
	struct buf	 warn;
	char		*p, *name, detail[CM_DETAIL_MAX];
	size_t		 i, start;
	int		 nf = 0;

	for (i = start = 0; i <= len && nf < A_NFIELDS; i++) {
		if (i == len || l[i] == '\t') {
			f[nf].p = l + start;
			f[nf].n = i - start;
			nf++;
			start = i + 1;
		}
	}
	while (nf < A_NFIELDS) {
		f[nf].p = l + len;
		f[nf++].n = 0;
	}
	if (!proto_field_eq(&f[A_MARK], "1"))
		return;		/* not one of ours */
	buf_init(&warn, CM_DETAIL_MAX);

	/* The name: ours, else tmux's, else it cannot be adopted. */
	if (proto_valid_name(f[A_NAME].p, f[A_NAME].n) &&
	    session_find(f[A_NAME].p, f[A_NAME].n) == NULL)
		name = proto_field_str(&f[A_NAME]);
	else if (proto_valid_name(f[A_TNAME].p, f[A_TNAME].n) &&
	    session_find(f[A_TNAME].p, f[A_TNAME].n) == NULL) {
		name = proto_field_str(&f[A_TNAME]);
		(void)buf_adds(&warn, " name");
	} else {
		adopt_refuse(&f[A_TNAME], &f[A_SCREATED], f[A_NAME].n == 0 ? "no name" :
		    "name not valid or taken");
		buf_free(&warn);
		return;
	}
	if (nsessions == CM_SESSIONS_MAX) {
		adopt_refuse(&f[A_TNAME], &f[A_SCREATED], "too many sessions");
		free(name);
		buf_free(&warn);
		return;
	}
	s = session_alloc(name);
	free(name);
	/* tmux's own name is the one to talk to it by. */
	if (f[A_TNAME].n > 0 && f[A_TNAME].n < sizeof s->tname) {
		memcpy(s->tname, f[A_TNAME].p, f[A_TNAME].n);
		s->tname[f[A_TNAME].n] = '\0';
	}
	if (f[A_PANE].n > 1 && f[A_PANE].n < sizeof s->pane &&
	    f[A_PANE].p[0] == '%')
		memcpy(s->pane, f[A_PANE].p, f[A_PANE].n);
	else if (f[A_PANEID].n > 1 && f[A_PANEID].n < sizeof s->pane &&
	    f[A_PANEID].p[0] == '%') {
		memcpy(s->pane, f[A_PANEID].p, f[A_PANEID].n);
		(void)buf_adds(&warn, " pane");
	} else
		(void)buf_adds(&warn, " pane");
	if (all_digits(&f[A_CREATED]))
		s->created = strtoll(f[A_CREATED].p, NULL, 10);
	else {
		s->created = wall_ms() / 1000;
		(void)buf_adds(&warn, " created");
	}
	if (proto_field_eq(&f[A_CONFIRM], "1"))
		s->confirm = 1;
	else if (!proto_field_eq(&f[A_CONFIRM], "0"))
		(void)buf_adds(&warn, " confirm");
	if ((p = proto_field_str(&f[A_PROFILE])) != NULL &&
	    (s->profile = profile_find(p)) == -1) {
		s->profile = profile_find("generic");
		(void)buf_adds(&warn, " profile");
	}
	free(p);
	if ((s->dir = adopt_unescape(&f[A_DIR])) == NULL) {
		s->dir = xstrdup("/");
		(void)buf_adds(&warn, " dir");
	}
	if (all_digits(&f[A_UNTIL]))
		s->confirm_until = strtoll(f[A_UNTIL].p, NULL, 10);
	else
		(void)buf_adds(&warn, " until");
	if ((p = adopt_unescape(&f[A_CMD])) != NULL) {
		free(s->cmd);
		s->cmd = p;
	} else
		(void)buf_adds(&warn, " cmd");
	/* Older agents unset these (task, once typed) or never set them. */
	if ((p = adopt_unescape(&f[A_TASK])) != NULL && *p != '\0')
		s->task = p;
	else
		free(p);
	adopt_shell(s);
	adopt_state(s, &f[A_STATE], &f[A_DETAIL]);
	s->paused = proto_field_eq(&f[A_PAUSED], "1");
	if (all_digits(&f[A_HANDLED]))
		s->prompt_hash = (uint32_t)strtoul(f[A_HANDLED].p, NULL, 10);

	event_emit(s->name, "adopted", s->cmd);
	if (warn.len > 0) {
		snprintf(detail, sizeof detail, "adopted with defaults for:%s",
		    buf_ptr(&warn));
		log_warn("%s: %s", s->name, detail);
		event_emit(s->name, "warning", detail);
	}
	buf_free(&warn);
	/* What is on its screen is old: judge it as quiet. */
	s->seen_output = 1;
	s->last_output = now_ms() - CM_QUIET_MS;
	session_ctl_start(s);
}

static void
adopt_done(struct job *j, void *arg)
{
	char		*l, *end, *nl, msg[256];

	(void)arg;
	adoption_over();
	if (!tmux_job_ok(j, msg, sizeof msg)) {
		log_info("no sessions to adopt (%s)", msg);
		return;
	}
	l = buf_ptr(&j->out);
	end = l + j->out.len;
	for (; l < end; l = nl + 1) {
		if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL)
			nl = end;
		adopt_line(l, (size_t)(nl - l));
	}
	log_info("adopted %d session%s", nsessions, nsessions == 1 ? "" : "s");
}

void
adopt_start(void)
{
	static const char *const args[] = { "list-sessions", "-F",
	    "#{@cm}\t#{@cm_pane}\t#{@cm_created}\t#{@cm_confirm}\t"
	    "#{@cm_name}\t#{@cm_cmd}\t#{@cm_task}\t#{@cm_profile}\t"
	    "#{@cm_dir}\t#{@cm_until}\t#{@cm_paused}\t#{@cm_handled}\t"
	    "#{session_name}\t#{pane_id}\t#{session_created}\t"
	    "#{?@cm_state,#{@cm_state},-}\t#{?@cm_detail,#{@cm_detail},x}",
	    NULL };
	char	 cause[256];

	if (job_start(args, adopt_done, NULL, cause, sizeof cause) == -1) {
		log_warn("adopting sessions: %s", cause);
		adoption_over();
	}
}
