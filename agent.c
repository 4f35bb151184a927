/*
 * agent.c: the daemon.  One process, one poll() loop, no threads.  It owns
 * the listening socket, the connected clients, one tmux control-mode client
 * per session, and the one-shot tmux jobs; it turns pane output into state
 * changes and pushes each change, as a numbered event, to every watcher.
 *
 * Invariants:
 *  - nothing here blocks: every descriptor in the loop is non-blocking, every
 *    tmux call is a job or a control-mode command with a deadline, every
 *    queue has a named maximum;
 *  - a client, session or job is never freed in the middle of a dispatch: it
 *    is flagged and reaped at the end of the pass;
 *  - event sequence numbers grow by exactly one per event for the life of
 *    the agent; the last CM_EVENTS_MAX are kept for resume;
 *  - the token is read once, removed from the environment before anything
 *    is started, and never logged.
 */

#if defined(__linux__)
#define _GNU_SOURCE
#endif

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

/* What a control-mode reply block is for. */
enum ctlkind {
	CK_IGNORE,	/* nobody waits */
	CK_STATUS,	/* display-message before a capture */
	CK_CAPTURE,	/* capture-pane for classification */
	CK_SHOW,	/* capture-pane for a client's show */
	CK_SEND		/* send-keys; the last one of a request replies */
};

struct ctlcmd {
	enum ctlkind	 kind;
	int		 client;	/* client id, 0 if none */
	char		 id[CM_ID_MAX + 1];
	int		 reply;		/* answer the client when done */
	int64_t		 deadline;
};

struct client {
	int		 cid;		/* never reused */
	int		 fd;
	int		 authed;
	struct buf	 in;
	size_t		 scanned;
	struct buf	 out;
	int		 overflowed;	/* "bye" queued, nothing more */
	int		 closing;	/* close once out is flushed */
	int64_t		 close_at;	/* or at this time, whichever first */
	int		 dead;		/* reap at the end of the pass */
	int		 watching;
	char		**watch;	/* names watched; NULL: all */
	int		 nwatch;
	int		 busy;		/* requests awaiting tmux */
	int		 eof;		/* client sent EOF: answer, then close */
};

struct session {
	char		 name[CM_NAME_MAX + 1];
	char		 tname[CM_NAME_MAX + 1];	/* tmux's name */
	char		 pane[24];			/* "%N" */
	char		*cmd;			/* as shown, escaped argv */
	char		*task;			/* typed at first idle */
	int64_t		 created;		/* epoch seconds */
	int		 confirm;		/* auto-confirm on */
	int		 profile;		/* confirm.c's profile */
	char		*dir;			/* where it runs */
	int64_t		 confirm_until;		/* epoch ms; 0: no limit */
	int		 paused;		/* by the loop guard */
	uint32_t	 prompt_hash;		/* prompt on screen, 0: none */
	uint32_t	 sent_hash;		/* last one answered */
	int64_t		 check_at;		/* did it go away? */
	int64_t		 confirm_quiet_until;	/* no answer before */
	int64_t		 guard[CM_LOOP_MAX + 1];	/* times of answers */
	uint32_t	 guard_hash;
	int		 nguard;
	enum state	 state;
	char		 detail[CM_DETAIL_MAX];
	int		 creating;		/* new-session not done */
	int		 killing;
	int		 gone;			/* reap at the end of pass */

	/* The control client. */
	pid_t		 ctl_pid;
	int		 ctl_in;
	int		 ctl_out;
	struct buf	 cin;
	size_t		 cscanned;
	struct buf	 cout;
	struct ctlcmd	 pend[CM_CTL_PENDING_MAX];
	int		 npend;
	int		 pend_head;
	int		 in_block;
	char		 block_tag[64];
	int		 block_mine;
	struct buf	 block;
	int		 restarts;
	int64_t		 restart_at;
	int		 ctl_ready;	/* attached: commands may go */
	int		 ctl_wanted;	/* start one when tmux allows */

	/* What we know of the pane. */
	int		 dirty;
	int64_t		 dirty_since;
	int64_t		 last_output;	/* or when we began to look */
	int		 seen_output;
	int64_t		 recheck_at;
	int		 capturing;
	int		 pane_dead;
	int		 dead_status;	/* -1: tmux does not know (yet) */
	int		 status_tries;
	int		 cursor_y;
	int		 title_default;	/* title is tmux's, not the program's */
	pid_t		 pane_pid;	/* its process (and group), 0: unknown */
	char		 title[256];
	int64_t		 enter_at;		/* a delayed Enter is due */
	int		 enter_cid;		/* ... and answers this client */
	char		 enter_id[CM_ID_MAX + 1];
};

/*
 * A remembered event: its line as sent, with the session's name found inside
 * it (names need no escaping).  Event seq lives in ring[seq % CM_EVENTS_MAX].
 */
struct event {
	char		*line;
	uint32_t	 len;
	uint16_t	 name_off;
	uint16_t	 name_len;
};

struct newreq {
	int		 cid;
	char		 id[CM_ID_MAX + 1];
	char		 name[CM_NAME_MAX + 1];
};

/* The pollfd table's owners, rebuilt each pass. */
enum ptype { P_LISTEN, P_SIGNAL, P_CLIENT, P_CTL_OUT, P_CTL_IN, P_JOB_OUT,
    P_JOB_ERR };
struct powner {
	enum ptype	 type;
	void		*p;
};

#define POLL_MAX (2 + CM_CLIENTS_MAX + 2 * CM_SESSIONS_MAX + 2 * CM_JOBS_MAX)

static struct client	*clients[CM_CLIENTS_MAX];
static int		 nclients;
static int		 next_cid = 1;
static struct session	*sessions[CM_SESSIONS_MAX];
static int		 nsessions;
static struct job	*jobs[CM_JOBS_MAX];
static int		 njobs;
static struct event	 ring[CM_EVENTS_MAX];
static uint64_t		 seq;
static char		 instance[17];
static char		 token[CM_TOKEN_MAX + 1];
static char		 sock_path[CM_PATH_MAX];
static char		 lock_path[CM_PATH_MAX + 8];
static int		 listen_fd = -1;
static int		 sig_pipe[2] = { -1, -1 };
static int		 quitting;
static int		 adopting = 1;	/* clients wait until it is done */
static int		 creating;	/* new- and kill-session jobs running */
static int		 ready_fd = -1;	/* tell the parent we are ready */
static int64_t		 quit_deadline;
static int64_t		 started_ms;
static int64_t		 started_wall;
static uint64_t		 auth_failures;
static int64_t		 auth_penalty_until;
static uint64_t		 confirms;
static uint64_t		 spawns;	/* tmux processes started */
static uint64_t		 captures;	/* screens read */
static struct ruleset	*rules;
static char		 rules_path[CM_PATH_MAX];
static char		 audit_path[CM_PATH_MAX];
static int		 default_confirm;
static struct buf	 scratch;	/* one line being built */
static struct pollfd	 pfds[POLL_MAX];
static struct powner	 owners[POLL_MAX];

static void	 client_queue(struct client *, const char *, size_t);
static void	 session_set_state(struct session *, enum state, const char *);
static void	 session_ctl_start(struct session *);
static void	 session_ctl_stop(struct session *);
static void	 ctl_fail_pending(struct session *, const char *);
static void	 autoconfirm(struct session *, const struct verdict *);
static void	 session_set_confirm(struct session *, int, int64_t);

static int64_t
wall_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) == -1)
		return (0);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* Building lines in the scratch buffer. */
static void
line_start(const char *kind, const char *id)
{
	buf_clear(&scratch);
	(void)buf_adds(&scratch, kind);
	if (id != NULL) {
		(void)buf_add(&scratch, " ", 1);
		(void)buf_adds(&scratch, id);
	}
}

static void
line_field(const char *s, size_t n)
{
	(void)buf_add(&scratch, " ", 1);
	(void)proto_escape(&scratch, s, n);
}

static void
line_fields(const char *s)
{
	line_field(s, strlen(s));
}

static void
line_num(long long v)
{
	(void)buf_printf(&scratch, " %lld", v);
}

static void
line_send(struct client *c)
{
	(void)buf_add(&scratch, "\n", 1);
	client_queue(c, buf_ptr(&scratch), scratch.len);
}

static struct client *
client_find(int cid)
{
	int	 i;

	for (i = 0; i < nclients; i++) {
		if (clients[i]->cid == cid && !clients[i]->dead)
			return (clients[i]);
	}
	return (NULL);
}

static void
client_close_soon(struct client *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	c->close_at = now_ms() + CM_BYE_MS;
}

/*
 * Queue a whole line for a client.  A client whose queue would pass its
 * limit gets "bye overflow SEQ" (from the reserve) and is closed after it.
 */
static void
client_queue(struct client *c, const char *p, size_t n)
{
	char	 bye[64];
	int	 len;

	if (c->dead || c->overflowed)
		return;
	if (c->out.len + n > CM_CLIENT_OUT_MAX - CM_CLIENT_RESERVE) {
		len = snprintf(bye, sizeof bye, "bye overflow %llu\n",
		    (unsigned long long)seq);
		(void)buf_add(&c->out, bye, (size_t)len);
		c->overflowed = 1;
		client_close_soon(c);
		log_warn("client %d: output queue full, dropped", c->cid);
		return;
	}
	if (buf_add(&c->out, p, n) == -1) {
		c->overflowed = 1;
		client_close_soon(c);
	}
}

static void
reply_ok(struct client *c, const char *id)
{
	line_start("ok", id);
	line_send(c);
}

static void
reply_err(struct client *c, const char *id, const char *code, const char *fmt,
    ...) __attribute__((format(printf, 4, 5)));

static void
reply_err(struct client *c, const char *id, const char *code, const char *fmt,
    ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	line_start("err", id);
	line_fields(code);
	line_fields(msg);
	line_send(c);
}

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

/* Does the client's watch list take this session? */
static int
name_watched_n(const struct client *c, const char *name, size_t n)
{
	int	 i;

	if (c->watch == NULL)
		return (1);
	for (i = 0; i < c->nwatch; i++) {
		if (strlen(c->watch[i]) == n &&
		    memcmp(c->watch[i], name, n) == 0)
			return (1);
	}
	return (0);
}

static int
name_watched(const struct client *c, const char *name)
{
	return (name_watched_n(c, name, strlen(name)));
}

static int
client_watches(const struct client *c, const char *name)
{
	return (c->authed && c->watching && name_watched(c, name));
}

/* Record an event and push it to every client watching its session. */
static void
event_emit(const char *name, const char *type, const char *detail)
{
	struct event	*e;
	size_t		 off;
	int		 i;

	seq++;
	line_start("event", NULL);
	line_fields(instance);
	line_num((long long)seq);
	line_num((long long)wall_ms());
	off = scratch.len + 1;
	line_fields(name);
	line_fields(type);
	line_fields(detail);
	(void)buf_add(&scratch, "\n", 1);

	e = &ring[seq % CM_EVENTS_MAX];
	free(e->line);
	e->line = xmalloc(scratch.len);
	memcpy(e->line, buf_ptr(&scratch), scratch.len);
	e->len = (uint32_t)scratch.len;
	e->name_off = (uint16_t)off;
	e->name_len = (uint16_t)strlen(name);
	log_debug("event %llu %s %s", (unsigned long long)seq, name, type);

	for (i = 0; i < nclients; i++) {
		if (client_watches(clients[i], name))
			client_queue(clients[i], e->line, e->len);
	}
}

/* Session records: "NAME STATE CREATED CONFIRM CMD DETAIL". */
static void
line_session(const struct session *s)
{
	line_fields(s->name);
	line_fields(state_name(s->state));
	line_num((long long)s->created);
	line_num(s->confirm);
	line_fields(s->cmd);
	line_fields(s->detail);
	line_fields(profile_name(s->profile));
}

static void
session_set_state(struct session *s, enum state st, const char *detail)
{
	if (s->state == st && strcmp(s->detail, detail) == 0)
		return;
	s->state = st;
	snprintf(s->detail, sizeof s->detail, "%s", detail);
	event_emit(s->name, state_name(st), s->detail);
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

static void
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

/* Add a job to the table; the loop polls it and calls its callback. */
static int
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
static int
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

static int
ctl_room(const struct session *s, int cmds, size_t bytes)
{
	return (s->ctl_in != -1 && s->npend + cmds <= CM_CTL_PENDING_MAX &&
	    s->cout.len + bytes <= s->cout.max);
}

/* Ask for the pane's status and screen, for classification. */
static void
session_capture(struct session *s)
{
	char	 cmd[256];
	int	 n;

	if (s->capturing || s->ctl_in == -1)
		return;
	n = snprintf(cmd, sizeof cmd,
	    "display-message -p -t %s '#{pane_dead} #{pane_dead_status} "
	    "#{cursor_y} #{==:#{pane_title},#{host}} #{pane_pid} #{pane_title}'\n"
	    "capture-pane -p -t %s\n", s->pane,
	    s->pane);
	if (!ctl_room(s, 2, (size_t)n))
		return;
	(void)buf_add(&s->cout, cmd, (size_t)n);
	(void)ctl_push(s, CK_STATUS, 0, NULL, 0);
	(void)ctl_push(s, CK_CAPTURE, 0, NULL, 0);
	s->capturing = 1;
	captures++;
	s->dirty = 0;
}

static void
session_send_task(struct session *s)
{
	const char	*args[] = { "set-option", "-u", "-t", NULL, "@cm_task",
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
	snprintf(target, sizeof target, "=%s:", s->tname);
	args[3] = target;
	if (job_start(args, NULL, NULL, cause, sizeof cause) == -1)
		log_warn("%s: clearing task: %s", s->name, cause);
}

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

/* Type the approving keys: named keys as keys, the rest as text. */
static int
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

/*
 * A confirmation prompt is on screen.  If auto-confirm is on and the rules
 * allow it, answer it, once for this appearance of the prompt; otherwise
 * leave it to the person and say why.
 */
static void
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
	if (action != RULE_ALLOW) {
		confirm_event(s, action == RULE_DENY ? "denied" : "ask", rule,
		    "", v->detail);
		audit(s, action == RULE_DENY ? "denied" : "ask", rule, "",
		    v->detail);
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
	if (!s->seen_output && s->block.len > 0 &&
	    strspn(sc.text, " \n") < s->block.len) {
		/* It printed before we were attached: that was output. */
		s->seen_output = 1;
		sc.quiet_ms = 0;
	}
	confirm_classify(s->profile, &sc, &v);
	if (v.state == S_WORKING && s->state == S_STARTING &&
	    !s->seen_output) {
		/* Nothing printed yet: still starting, look again later. */
		s->recheck_at = s->last_output + CM_QUIET_MS;
		return;
	}
	if (v.state == S_UNKNOWN && s->state == S_STARTING)
		return;	/* nothing to know it by yet (a blank screen while
			   it draws): its next output will tell */
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
	size_t	 n = s->block.len;

	/* "DEAD STATUS CURSOR_Y DEFAULT PID TITLE\n"; STATUS is empty
	 * while alive; DEFAULT is 1 while the title is tmux's own. */
	if (n == 0)
		return;
	if (p[n - 1] == '\n')
		n--;
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
	case CK_CAPTURE:
		s->capturing = 0;
		if (!error)
			session_classify(s);
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
	char	 tag[64];
	size_t	 t;

	if (s->in_block) {
		if ((n > 5 && memcmp(l, "%end ", 5) == 0) ||
		    (n > 7 && memcmp(l, "%error ", 7) == 0)) {
			t = l[1] == 'e' && l[2] == 'n' ? 5 : 7;
			if (n - t >= strlen(s->block_tag) &&
			    memcmp(l + t, s->block_tag,
			    strlen(s->block_tag)) == 0) {
				s->in_block = 0;
				if (s->block_mine)
					ctl_block_done(s, t == 7);
				/* A screen is classified once: keep no copy. */
				buf_free(&s->block);
				return;
			}
		}
		if (buf_add(&s->block, l, n) == -1 ||
		    buf_add(&s->block, "\n", 1) == -1)
			log_debug("%s: reply block truncated", s->name);
		return;
	}
	if (n > 7 && memcmp(l, "%begin ", 7) == 0) {
		/* "%begin TIME NUMBER FLAGS": the tag is "TIME NUMBER". */
		l += 7;
		n -= 7;
		t = n;
		while (t > 0 && l[t - 1] != ' ')
			t--;
		if (t == 0 || t > sizeof tag)
			return;
		memcpy(s->block_tag, l, t - 1);
		s->block_tag[t - 1] = '\0';
		s->block_mine = l[t] == '1';
		s->in_block = 1;
		buf_clear(&s->block);
		return;
	}
	if ((n > 8 && memcmp(l, "%output ", 8) == 0) ||
	    (n > 17 && memcmp(l, "%extended-output ", 17) == 0)) {
		s->last_output = now_ms();
		s->seen_output = 1;
		if (!s->dirty) {
			s->dirty = 1;
			s->dirty_since = s->last_output;
		}
		return;
	}
	if (n > 22 && memcmp(l, "%subscription-changed ", 22) == 0) {
		/* "... : VALUE", VALUE being "#{pane_dead}#{pane_title}":
		 * nothing to look at if it says what the last capture did. */
		for (t = 22; t + 3 <= n; t++) {
			if (memcmp(l + t, " : ", 3) == 0)
				break;
		}
		if (t + 3 < n &&
		    l[t + 3] == (s->pane_dead ? '1' : '0') &&
		    n - t - 4 == strlen(s->title) &&
		    memcmp(l + t + 4, s->title, n - t - 4) == 0 &&
		    s->state != S_STARTING)
			return;
		if (!s->dirty) {
			s->dirty = 1;
			s->dirty_since = now_ms();
		}
		return;
	}
	if (n > 17 && memcmp(l, "%session-changed ", 17) == 0) {
		/* Attached: commands written before this would run with no
		 * client and fail ("no current client"). */
		s->ctl_ready = 1;
		return;
	}
	if (n >= 5 && memcmp(l, "%exit", 5) == 0) {
		log_debug("%s: control client: %.*s", s->name, (int)n, l);
		return;
	}
}

static void
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

static void
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
	s->in_block = 0;
	ctl_fail_pending(s, "tmux control client ended");
	if (quitting || s->gone || s->killing || s->creating)
		return;
	/* Find out whether the session is still there. */
	s->restart_at = now_ms() + (s->restarts > 0 ? 200 << s->restarts : 0);
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

static void
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
	if (tmux_job_ok(j, cause, sizeof cause)) {
		if (s->restarts < CM_CTL_RESTART_MAX)
			s->restarts++;
		session_ctl_start(s);
		return;
	}
	if (j->timed_out || (strstr(cause, "can't find") == NULL &&
	    strstr(cause, "no server running") == NULL &&
	    strstr(cause, "error connecting") == NULL)) {
		/* tmux did not say the session is gone: look again later. */
		log_warn("%s: has-session: %s", s->name, cause);
		s->restart_at = now_ms() + (1000LL << s->restarts);
		if (s->restarts < CM_CTL_RESTART_MAX)
			s->restarts++;
		return;
	}
	if (s->state != S_EXITED)
		session_set_state(s, S_EXITED, "gone");
	s->gone = 1;
	log_info("%s: session is gone", s->name);
}

static void
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
		free(nr);
		return;
	}
	s->creating = 0;
	if (!tmux_job_ok(j, cause, sizeof cause)) {
		s->gone = 1;
		if (c != NULL) {
			if (strstr(cause, "duplicate session") != NULL)
				reply_err(c, nr->id, "exists",
				    "session '%s' exists in tmux", nr->name);
			else
				reply_err(c, nr->id, "tmux", "%s", cause);
		}
		free(nr);
		return;
	}
	n = strcspn(buf_ptr(&j->out), "\n");
	if (n == 0 || n >= sizeof s->pane || j->out.len < n ||
	    buf_ptr(&j->out)[0] != '%') {
		s->gone = 1;
		if (c != NULL)
			reply_err(c, nr->id, "tmux", "no pane id from tmux");
		free(nr);
		return;
	}
	memcpy(s->pane, buf_ptr(&j->out), n);
	s->pane[n] = '\0';
	log_info("%s: created, pane %s", s->name, s->pane);
	event_emit(s->name, state_name(S_STARTING), s->cmd);
	session_ctl_start(s);
	if (c != NULL) {
		line_start("ok", nr->id);
		line_fields(s->name);
		line_send(c);
	}
	free(nr);
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
		if (session_find(out, strlen(out)) == NULL)
			return;
	}
}

static void
do_new(struct client *c, struct request *r)
{
	const char	*args[CM_FIELDS_MAX + 64];
	char		*own[CM_FIELDS_MAX + 16];
	char		 name[CM_NAME_MAX + 1], created[32], cause[256];
	char		 t1[CM_NAME_MAX + 3], *dir = NULL, *task = NULL;
	struct session	*s;
	struct buf	 cmd;
	struct newreq	*nr;
	struct field	*f;
	int		 i, a = 0, nown = 0, confirm = default_confirm, cmd0;
	int		 profile = -1;
	char		*eq;

	name[0] = '\0';
	for (i = 0; i < r->argc; i++) {
		f = &r->argv[i];
		if (proto_field_eq(f, "--"))
			break;
		eq = memchr(f->p, '=', f->n);
		if (eq - f->p == 4 && memcmp(f->p, "name", 4) == 0)
			snprintf(name, sizeof name, "%.*s",
			    (int)(f->n - 5), eq + 1);
		else if (eq - f->p == 3 && memcmp(f->p, "dir", 3) == 0) {
			free(dir);
			dir = xmalloc(f->n - 3);
			memcpy(dir, eq + 1, f->n - 4);
			dir[f->n - 4] = '\0';
		} else if (eq - f->p == 7 && memcmp(f->p, "confirm", 7) == 0)
			confirm = eq[1] == '1';
		else if (eq - f->p == 7 && memcmp(f->p, "profile", 7) == 0) {
			f->p[f->n] = '\0';
			if ((profile = profile_find(eq + 1)) == -1) {
				reply_err(c, r->id, "usage", "unknown profile "
				    "'%.32s'", eq + 1);
				goto out;
			}
		}
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
	if (dir == NULL) {
		/* No directory given: the agent's user's home. */
		const char *home = getenv("HOME");

		dir = xstrdup(home != NULL && *home == '/' ? home : "/");
	}
	if (profile == -1)
		profile = profile_for_command(r->argv[cmd0].p,
		    r->argv[cmd0].n);
	if (name[0] == '\0')
		generate_name(name, sizeof name, &r->argv[cmd0]);
	if (session_find(name, strlen(name)) != NULL) {
		reply_err(c, r->id, "exists", "session '%s' exists", name);
		goto out;
	}
	if (!tmux_gate_open()) {
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
	s->dir = xstrdup(dir != NULL ? dir : "/");
	s->created = wall_ms() / 1000;
	free(s->cmd);
	s->cmd = xstrdup(buf_ptr(&cmd));
	buf_free(&cmd);
	if (task != NULL && *task != '\0')
		s->task = xstrdup(task);

	snprintf(t1, sizeof t1, "=%s:", s->tname);
	snprintf(created, sizeof created, "%lld", (long long)s->created);
	args[a++] = "new-session";
	args[a++] = "-d";
	args[a++] = "-s";
	args[a++] = s->tname;
	if (dir != NULL) {
		args[a++] = "-c";
		args[a++] = own[nown++] = tmux_dir(dir);
	}
	args[a++] = "-P";
	args[a++] = "-F";
	args[a++] = "#{pane_id}";
	args[a++] = "--";
	args[a++] = "env";
	args[a++] = "--";
	for (i = cmd0; i < r->argc; i++) {
		r->argv[i].p[r->argv[i].n] = '\0';	/* was a separator */
		args[a++] = own[nown++] = tmux_arg(r->argv[i].p);
	}
#define SETOPT(opt, val) do {						\
	args[a++] = ";";						\
	args[a++] = "set-option";					\
	args[a++] = "-t";						\
	args[a++] = t1;							\
	args[a++] = (opt);						\
	args[a++] = (val);						\
} while (0)
	args[a++] = ";";
	args[a++] = "set-option";
	args[a++] = "-w";
	args[a++] = "-t";
	args[a++] = t1;
	args[a++] = "remain-on-exit";
	args[a++] = "on";
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
	args[a++] = ";";
	args[a++] = "set-option";
	args[a++] = "-F";
	args[a++] = "-t";
	args[a++] = t1;
	args[a++] = "@cm_pane";
	args[a++] = "#{pane_id}";
#undef SETOPT
	args[a] = NULL;

	nr = xcalloc(1, sizeof *nr);
	nr->cid = c->cid;
	snprintf(nr->id, sizeof nr->id, "%s", r->id);
	snprintf(nr->name, sizeof nr->name, "%s", s->name);
	if (job_start(args, new_done, nr, cause, sizeof cause) == -1) {
		s->gone = 1;
		s->creating = 0;
		free(nr);
		reply_err(c, r->id, "tmux", "%s", cause);
	} else {
		c->busy++;
		creating++;
	}
	for (i = 0; i < nown; i++)
		free(own[i]);
out:
	free(dir);
	free(task);
}

static struct session *
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

static void
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

static void
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

static void
do_show(struct client *c, struct request *r)
{
	struct session	*s;
	char		 cmd[64];
	int		 n;

	if ((s = need_session(c, r, 0)) == NULL)
		return;
	if (s->ctl_in == -1) {
		reply_err(c, r->id, "busy", "session '%s' is not connected "
		    "to tmux", s->name);
		return;
	}
	/* A dead pane's last output has scrolled into its history. */
	n = snprintf(cmd, sizeof cmd, "capture-pane -p%s%s -t %s\n",
	    r->argc == 2 ? " -e" : "", s->pane_dead ? " -S -100" : "",
	    s->pane);
	if (!ctl_room(s, 1, (size_t)n)) {
		reply_err(c, r->id, "busy", "session '%s' is busy", s->name);
		return;
	}
	(void)buf_add(&s->cout, cmd, (size_t)n);
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

static void
do_kill(struct client *c, struct request *r)
{
	const char	*args[] = { "kill-session", "-t", NULL, NULL };
	char		 target[CM_NAME_MAX + 2], cause[256];
	struct session	*s;
	struct killreq	*kr;

	if ((s = need_session(c, r, 0)) == NULL)
		return;
	if (!tmux_gate_open()) {
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

static void
send_snapshot(struct client *c, const char *id)
{
	int	 i;

	for (i = 0; i < nsessions; i++) {
		if (sessions[i]->gone || sessions[i]->creating ||
		    !name_watched(c, sessions[i]->name))
			continue;
		line_start("data", id);
		line_session(sessions[i]);
		line_send(c);
	}
}

static void
do_watch(struct client *c, struct request *r)
{
	uint64_t	 since = 0, oldest, s;
	int		 has_since = 0, snapshot = 0, same = 1, i, nn = 0;
	struct field	*f, v;
	const char	*mode;
	struct event	*e;

	for (i = 0; i < c->nwatch; i++)
		free(c->watch[i]);
	free(c->watch);
	c->watch = NULL;
	c->nwatch = 0;
	for (i = 0; i < r->argc; i++) {
		f = &r->argv[i];
		if (f->n > 6 && memcmp(f->p, "since=", 6) == 0) {
			v.p = f->p + 6;
			v.n = f->n - 6;
			(void)proto_field_u64(&v, &since);
			has_since = 1;
		} else if (f->n > 9 && memcmp(f->p, "instance=", 9) == 0)
			same = f->n - 9 == strlen(instance) &&
			    memcmp(f->p + 9, instance, f->n - 9) == 0;
		else if (proto_field_eq(f, "snapshot"))
			snapshot = 1;
		else
			nn++;
	}
	if (nn > 0) {
		c->watch = xcalloc((size_t)nn, sizeof *c->watch);
		for (i = 0; i < r->argc; i++) {
			f = &r->argv[i];
			if (memchr(f->p, '=', f->n) != NULL ||
			    proto_field_eq(f, "snapshot"))
				continue;
			c->watch[c->nwatch++] = proto_field_str(f);
		}
	}
	oldest = seq >= CM_EVENTS_MAX ? seq - CM_EVENTS_MAX + 1 : 1;
	if (has_since && same && since <= seq && since + 1 >= oldest) {
		for (s = since + 1; s <= seq; s++) {
			e = &ring[s % CM_EVENTS_MAX];
			if (name_watched_n(c, e->line + e->name_off,
			    e->name_len))
				client_queue(c, e->line, e->len);
		}
		mode = "replay";
	} else if (has_since) {
		send_snapshot(c, r->id);
		mode = "resync";
	} else if (snapshot) {
		send_snapshot(c, r->id);
		mode = "snapshot";
	} else
		mode = "live";
	c->watching = 1;
	line_start("ok", r->id);
	line_num((long long)seq);
	line_fields(mode);
	line_send(c);
}

/* Turn auto-confirm on (until: epoch ms, 0 for ever) or off; keep it in
 * tmux so that a restarted agent knows. */
static void
session_set_confirm(struct session *s, int on, int64_t until)
{
	const char	*args[] = { "set-option", "-t", NULL, "@cm_confirm",
			    NULL, ";", "set-option", "-t", NULL, "@cm_until",
			    NULL, NULL };
	char		 target[CM_NAME_MAX + 3], u[32], cause[256];

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
	snprintf(target, sizeof target, "=%s:", s->tname);
	snprintf(u, sizeof u, "%lld", (long long)s->confirm_until);
	args[2] = args[8] = target;
	args[4] = on ? "1" : "0";
	args[10] = u;
	if (job_start(args, NULL, NULL, cause, sizeof cause) == -1)
		log_warn("%s: saving auto-confirm: %s", s->name, cause);
}

static void
do_confirm(struct client *c, struct request *r)
{
	struct session	*s;
	uint64_t	 secs = 0;
	struct field	 v;
	int		 on;

	if ((s = need_session(c, r, 0)) == NULL)
		return;
	on = proto_field_eq(&r->argv[1], "on");
	if (r->argc == 3) {
		v.p = r->argv[2].p + 4;
		v.n = r->argv[2].n - 4;
		(void)proto_field_u64(&v, &secs);
	}
	session_set_confirm(s, on, secs ? wall_ms() + (int64_t)secs * 1000 :
	    0);
	event_emit(s->name, on ? "confirm-on" : "confirm-off",
	    secs ? "limited" : "");
	reply_ok(c, r->id);
}

/* The tail of the audit log, one data line per entry, optionally for one
 * session only. */
static void
do_log(struct client *c, struct request *r)
{
	struct field	 f[8];
	struct buf	 b;
	const char	*cause;
	char		*l, *end, *nl;
	off_t		 size;
	int		 fd, nf, count = 0;
	ssize_t		 n;

	fd = open(audit_path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		if (errno != ENOENT)
			reply_err(c, r->id, "internal", "%s: %s", audit_path,
			    strerror(errno));
		else
			reply_ok(c, r->id);
		return;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size > CM_LOG_MAX)
		(void)lseek(fd, size - CM_LOG_MAX, SEEK_SET);
	else
		(void)lseek(fd, 0, SEEK_SET);
	buf_init(&b, CM_LOG_MAX + 1);
	while ((n = buf_read(&b, fd)) > 0)
		;
	close(fd);
	l = buf_ptr(&b);
	end = l + b.len;
	if (size > CM_LOG_MAX && (nl = memchr(l, '\n', b.len)) != NULL)
		l = nl + 1;	/* a partial first line */
	for (; l < end; l = nl + 1) {
		if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL)
			break;
		/* Fields are tab-separated and already escaped. */
		nf = proto_split(l, (size_t)(nl - l), f, 8, &cause);
		if (nf != 6)
			continue;
		if (r->argc == 1 && (f[1].n != r->argv[0].n ||
		    memcmp(f[1].p, r->argv[0].p, f[1].n) != 0))
			continue;
		line_start("data", r->id);
		for (nf = 0; nf < 6; nf++)
			line_field(f[nf].p, f[nf].n);
		line_send(c);
		count++;
	}
	buf_free(&b);
	line_start("ok", r->id);
	line_num(count);
	line_send(c);
}

static void
do_ls(struct client *c, struct request *r)
{
	int	 i, n = 0;

	for (i = 0; i < nsessions; i++) {
		if (sessions[i]->gone || sessions[i]->creating)
			continue;
		line_start("data", r->id);
		line_session(sessions[i]);
		line_send(c);
		n++;
	}
	line_start("ok", r->id);
	line_num(n);
	line_send(c);
}

static void
do_get(struct client *c, struct request *r)
{
	struct session	*s;

	if ((s = need_session(c, r, 0)) == NULL)
		return;
	line_start("ok", r->id);
	line_session(s);
	line_send(c);
}

static void
do_status(struct client *c, struct request *r)
{
	int	 i, live = 0;

	for (i = 0; i < nsessions; i++) {
		if (!sessions[i]->gone && !sessions[i]->creating)
			live++;
	}
	line_start("ok", r->id);
	(void)buf_printf(&scratch, " version=%s instance=%s pid=%ld "
	    "uptime=%lld sessions=%d clients=%d events=%llu confirms=%llu "
	    "started=%lld spawns=%llu captures=%llu", CM_VERSION, instance,
	    (long)getpid(), (long long)((now_ms() - started_ms) / 1000), live,
	    nclients, (unsigned long long)seq, (unsigned long long)confirms,
	    (long long)(started_wall / 1000), (unsigned long long)spawns,
	    (unsigned long long)captures);
	line_send(c);
}

/* Authentication: a wrong token closes the client after a delay that grows
 * with recent failures, so guessing is slow. */
static void
do_auth(struct client *c, struct request *r)
{
	char		 given[CM_TOKEN_MAX + 1];
	int64_t		 delay;

	memcpy(given, r->argv[0].p, r->argv[0].n);
	given[r->argv[0].n] = '\0';
	if (token_equal(given, token)) {
		c->authed = 1;
		reply_ok(c, r->id);
		return;
	}
	auth_failures++;
	delay = 100LL << (auth_failures < 6 ? auth_failures : 6);
	if (delay > CM_AUTH_DELAY_MAX_MS)
		delay = CM_AUTH_DELAY_MAX_MS;
	auth_penalty_until = now_ms() + delay;
	log_warn("client %d: authentication failed (%llu so far)", c->cid,
	    (unsigned long long)auth_failures);
	reply_err(c, r->id, "auth", "authentication failed");
	c->closing = 1;
	c->close_at = now_ms() + delay;
}

static void
client_line(struct client *c, char *l, size_t n)
{
	struct request	 r;
	const char	*cause;

	if (proto_parse_request(l, n, &r, &cause) == -1) {
		reply_err(c, r.id, "usage", "%s", cause);
		if (!c->authed)
			client_close_soon(c);
		return;
	}
	if (!c->authed && r.verb != V_AUTH) {
		reply_err(c, r.id, "auth", "authenticate first");
		client_close_soon(c);
		return;
	}
	if (quitting) {
		reply_err(c, r.id, "shutdown", "agent is shutting down");
		return;
	}
	switch (r.verb) {
	case V_AUTH:
		if (c->authed)
			reply_ok(c, r.id);
		else
			do_auth(c, &r);
		break;
	case V_PING:
		line_start("ok", r.id);
		line_fields("pong");
		line_send(c);
		break;
	case V_STATUS:
		do_status(c, &r);
		break;
	case V_NEW:
		do_new(c, &r);
		break;
	case V_SEND:
		do_send(c, &r);
		break;
	case V_KEYS:
		do_keys(c, &r);
		break;
	case V_LS:
		do_ls(c, &r);
		break;
	case V_GET:
		do_get(c, &r);
		break;
	case V_SHOW:
		do_show(c, &r);
		break;
	case V_KILL:
		do_kill(c, &r);
		break;
	case V_WATCH:
		do_watch(c, &r);
		break;
	case V_CONFIRM:
		do_confirm(c, &r);
		break;
	case V_LOG:
		do_log(c, &r);
		break;
	case V_UNWATCH:
		c->watching = 0;
		reply_ok(c, r.id);
		break;
	case V_NVERBS:
		break;
	}
}

/* May this client's input be read now? */
static int
client_readable(const struct client *c)
{
	if (c->dead || c->closing || c->eof || c->in.len >= c->in.max)
		return (0);
	/* Room for a maximum-size reply before taking another request. */
	if (c->out.len > CM_CLIENT_OUT_MAX / 2)
		return (0);
	if (!c->authed && auth_penalty_until > now_ms())
		return (0);
	return (1);
}

static void	client_process(struct client *);

static void
client_read(struct client *c)
{
	ssize_t	 r;

	r = buf_read(&c->in, c->fd);
	if (r == CM_AGAIN)
		return;
	if (r == -1) {
		c->dead = 1;
		return;
	}
	if (r == 0)
		c->eof = 1;
	client_process(c);
}

/* Answer the whole lines in a client's input, while it has room. */
static void
client_process(struct client *c)
{
	ssize_t	 used;
	char	*l;
	size_t	 n;

	while (!c->dead && !c->closing && c->in.len > 0 &&
	    c->out.len <= CM_CLIENT_OUT_MAX / 2) {
		used = proto_frame(&c->in, &c->scanned, CM_LINE_MAX, &l, &n);
		if (used == 0)
			break;
		if (used == -1) {
			reply_err(c, "-", "toolong", "line longer than %d "
			    "bytes", CM_LINE_MAX);
			client_close_soon(c);
			buf_clear(&c->in);
			break;
		}
		client_line(c, l, n);
		buf_consume(&c->in, (size_t)used);
	}
	buf_shrink(&c->in);
}

static void
client_accept(void)
{
	struct client	*c;
	int		 fd;
	uid_t		 uid;
#if defined(SO_PEERCRED)
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;
#else
	gid_t		 gid;
#endif

	for (;;) {
		fd = accept(listen_fd, NULL, NULL);
		if (fd == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != ECONNABORTED)
				log_warn("accept: %s", strerror(errno));
			return;
		}
#if defined(SO_PEERCRED)
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
			uid = (uid_t)-1;
		else
			uid = cred.uid;
#else
		if (getpeereid(fd, &uid, &gid) == -1)
			uid = (uid_t)-1;
#endif
		if (uid != getuid()) {
			log_warn("refused a connection from uid %ld",
			    (long)uid);
			close(fd);
			continue;
		}
		if (fd_nonblock(fd) == -1 || fd_cloexec(fd) == -1) {
			log_warn("fcntl: %s", strerror(errno));
			close(fd);
			continue;
		}
		if (nclients == CM_CLIENTS_MAX) {
			static const char full[] = "bye full\n";
			(void)!write(fd, full, sizeof full - 1);
			close(fd);
			log_warn("refused a client: %d connected",
			    CM_CLIENTS_MAX);
			continue;
		}
		c = xcalloc(1, sizeof *c);
		c->cid = next_cid++;
		c->fd = fd;
		buf_init(&c->in, CM_CLIENT_IN_MAX);
		buf_init(&c->out, CM_CLIENT_OUT_MAX);
		clients[nclients++] = c;
		line_start("hello", NULL);
		line_fields("cm");
		line_num(CM_PROTO_VERSION);
		line_fields(instance);
		line_send(c);
		log_debug("client %d connected", c->cid);
	}
}

static void
client_free(struct client *c)
{
	int	 i;

	close(c->fd);
	buf_free(&c->in);
	buf_free(&c->out);
	for (i = 0; i < c->nwatch; i++)
		free(c->watch[i]);
	free(c->watch);
	free(c);
}

/*
 * The sessions of an earlier agent are known (or there were none): now
 * clients may come, and a parent waiting in "cm agent" may return.
 */
static void
adoption_over(void)
{
	adopting = 0;
	if (ready_fd != -1) {
		(void)fd_write_all(ready_fd, "ready", 5);
		close(ready_fd);
		ready_fd = -1;
	}
}

/* Startup: adopt every session an earlier agent created. */
static void
adopt_done(struct job *j, void *arg)
{
	struct field	 f[16];
	struct session	*s;
	const char	*cause;

	char		*l, *end, *nl, msg[256];
	int		 nf, adopted = 0;

	(void)arg;
	adoption_over();
	if (!tmux_job_ok(j, msg, sizeof msg)) {
		log_info("no sessions to adopt (%s)", msg);
		return;
	}
	if (buf_add(&j->out, "", 1) == -1)
		return;
	l = buf_ptr(&j->out);
	end = l + j->out.len - 1;
	for (; l < end; l = nl + 1) {
		if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL)
			nl = end;
		/* "1 PANE CREATED CONFIRM NAME CMD TASK PROFILE DIR UNTIL" */
		if (nl - l < 2 || l[0] != '1' || l[1] != ' ')
			continue;
		nf = proto_split(l, (size_t)(nl - l), f, 16, &cause);
		if (nf != 10 || f[1].n == 0 || f[1].n >= 24 ||
		    f[1].p[0] != '%' || !proto_valid_name(f[4].p, f[4].n) ||
		    session_find(f[4].p, f[4].n) != NULL ||
		    nsessions == CM_SESSIONS_MAX) {
			log_warn("skipped a session marked @cm");
			continue;
		}
		f[4].p[f[4].n] = '\0';
		s = session_alloc(f[4].p);
		memcpy(s->pane, f[1].p, f[1].n);
		f[2].p[f[2].n] = '\0';
		s->created = strtoll(f[2].p, NULL, 10);
		s->confirm = f[3].n == 1 && f[3].p[0] == '1';
		f[7].p[f[7].n] = '\0';
		if ((s->profile = profile_find(f[7].p)) == -1)
			s->profile = profile_find("generic");
		f[8].p[f[8].n] = '\0';
		s->dir = xstrdup(f[8].p);
		f[9].p[f[9].n] = '\0';
		s->confirm_until = strtoll(f[9].p, NULL, 10);
		free(s->cmd);
		f[5].p[f[5].n] = '\0';
		s->cmd = xstrdup(f[5].p);
		if (f[6].n > 0 && memchr(f[6].p, '\0', f[6].n) == NULL) {
			s->task = xmalloc(f[6].n + 1);
			memcpy(s->task, f[6].p, f[6].n);
			s->task[f[6].n] = '\0';
		}
		event_emit(s->name, "adopted", s->cmd);
		/* What is on its screen is old: judge it as quiet. */
		s->seen_output = 1;
		s->last_output = now_ms() - CM_QUIET_MS;
		session_ctl_start(s);
		adopted++;
	}
	log_info("adopted %d session%s", adopted, adopted == 1 ? "" : "s");
}

static void
adopt_start(void)
{
	static const char *const args[] = { "list-sessions", "-F",
	    "#{@cm} #{@cm_pane} #{@cm_created} #{@cm_confirm} #{@cm_name} "
	    "#{@cm_cmd} #{@cm_task} #{@cm_profile} #{@cm_dir} #{@cm_until}",
	    NULL };
	char	 cause[256];

	if (job_start(args, adopt_done, NULL, cause, sizeof cause) == -1) {
		log_warn("adopting sessions: %s", cause);
		adoption_over();
	}
}

/* (Re)load the rules; a file that does not parse leaves the old ones. */
static void
load_rules(void)
{
	struct ruleset	*rs;
	char		 err[512];

	if ((rs = rules_load(rules_path[0] ? rules_path : NULL, err,
	    sizeof err)) == NULL) {
		log_warn("rules not changed: %s", err);
		if (rules == NULL)
			rules = rules_builtin();
		return;
	}
	rules_free(rules);
	rules = rs;
	if (rules_path[0] != '\0' && access(rules_path, F_OK) == 0)
		log_info("rules loaded from %s", rules_path);
	else
		log_info("built-in rules only (no %s)", rules_path);
}

/* The agent's config file: "autoconfirm on|off" lines and comments. */
static void
load_config(void)
{
	char		 path[CM_PATH_MAX], err[CM_PATH_MAX + 64];
	struct config	 conf;

	if (path_config(path, sizeof path, "config") == -1)
		return;
	if (config_load(path, &conf, err, sizeof err) == -1) {
		if (errno != ENOENT)
			log_warn("%s", err);
		return;
	}
	if (conf.autoconfirm != -1)
		default_confirm = conf.autoconfirm;
	if (conf.nbad > 0)
		log_warn("%s: %s (%d line%s not understood)", path, conf.bad,
		    conf.nbad, conf.nbad == 1 ? "" : "s");
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
		pid = waitpid(-1, &status, WNOHANG);
		if (pid == -1 && errno == EINTR)
			continue;
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
			else if (b[i] == SIGHUP)
				load_rules();
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
			log_warn("%s: tmux did not answer in %d ms", s->name,
			    CM_CTL_TIMEOUT_MS);
			session_ctl_stop(s);
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
	for (i = 0; i < njobs; i++) {
		j = jobs[i];
		if (j->reaped)
			continue;
		if (now >= j->deadline && !j->timed_out) {
			log_warn("tmux job %ld timed out", (long)j->pid);
			j->timed_out = 1;
			kill(j->pid, SIGKILL);
		} else if (!j->timed_out)
			NEXT(j->deadline);
	}
	for (i = 0; i < nclients; i++) {
		c = clients[i];
		if (c->eof && !c->closing && c->busy == 0 &&
		    c->out.len == 0)
			c->dead = 1;
		if (c->closing) {
			if (now >= c->close_at || c->out.len == 0)
				c->dead = 1;
			else
				NEXT(c->close_at);
		}
		if (!c->authed && !c->closing && auth_penalty_until > now)
			NEXT(auth_penalty_until);
	}
	if (quitting)
		NEXT(quit_deadline);
#undef NEXT
	return (next);
}

/* Free what was flagged during the pass. */
static void
reap(void)
{
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
		if (sessions[i]->gone && !sessions[i]->creating)
			session_free(sessions[i]);
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
	int64_t		 now, next;
	int		 n, i, r, timeout, busy;
	short		 ev;

	for (;;) {
		for (i = 0; i < nclients; i++) {
			c = clients[i];
			if (c->in.len > 0 && !c->dead && !c->closing &&
			    c->out.len <= CM_CLIENT_OUT_MAX / 2)
				client_process(c);
		}
		now = now_ms();
		next = run_timers(now);
		reap();
		if (quitting) {
			busy = njobs;
			for (i = 0; i < nclients; i++)
				busy++;
			if (busy == 0 || now >= quit_deadline)
				return;
		}

		n = 0;
		if (listen_fd != -1 && !adopting)
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
					if (buf_write(&c->out, c->fd,
					    CM_WRITE_SLICE) == -1)
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
	fprintf(stderr, "usage: cm agent [-fv] [-S socket]\n");
	exit(2);
}

int
agent_main(int argc, char **argv)
{
	char	 cause[512], logpath[CM_PATH_MAX], dir[CM_PATH_MAX], *slash;
	char	 msg[512];
	int	 foreground = 0, verbose = 0, ch, rp[2], i, null;
	const char *sock = NULL;
	pid_t	 pid;
	ssize_t	 n;

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
	for (i = 0; i < CM_EVENTS_MAX; i++)
		free(ring[i].line);
	buf_free(&scratch);
	rules_free(rules);
	log_info("agent stopped");
	return (0);
}
