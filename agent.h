/*
 * agent.h: the agent's private header: the structures its files share, the
 * globals each file defines for the others, and each file's exported
 * functions under that file's name.  Include it after cm.h.
 *
 * Invariants (for the whole agent):
 *  - one process, one poll() loop in agent.c, no threads; nothing blocks;
 *  - a client, session or job is never freed in the middle of a dispatch:
 *    it is flagged (dead, gone, done) and agent.c reaps it at the end of
 *    the pass;
 *  - a client is referred to across a wait by its cid, never by pointer:
 *    client_find() says whether it is still there.
 */

#ifndef AGENT_H
#define AGENT_H

/* What a control-mode reply block is for. */
enum ctlkind {
	CK_IGNORE,	/* nobody waits */
	CK_STATUS,	/* display-message before a capture */
	CK_CAPTURE,	/* capture-pane for classification */
	CK_ROWS,	/* display-message of the height, before a show */
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
	int64_t		 accepted;	/* when: the auth deadline, eviction */
	int64_t		 fail_at;	/* a wrong token is answered then */
	char		 fail_id[CM_ID_MAX + 1];	/* ... to this id */
	struct buf	 in;
	size_t		 scanned;
	struct buf	 out;
	int		 overflowed;	/* "bye" queued, nothing more */
	int		 sndbuf;	/* the socket's send buffer, 0: unknown */
	int		 partial;	/* the last write ended inside a line */
	uint64_t	 partial_seq;	/* ... that event's, 0: none */
	uint64_t	 sent_seq;	/* the last event written whole */
	int		 replaying;	/* a replay is being streamed: */
	uint64_t	 replay_next;	/* ... the next event to send */
	uint64_t	 replay_last;	/* ... the "ok" goes after this one */
	int		 replay_ok;	/* ... the "ok" was queued */
	char		 replay_id[CM_ID_MAX + 1];
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
	int		 confirm_save;		/* not yet in tmux's options */
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
	int		 saved_valid;		/* tmux holds saved_*: */
	int		 saved_paused;
	uint32_t	 saved_hash;
	int		 nguard;
	enum state	 state;
	char		 detail[CM_DETAIL_MAX];
	char		 mode[32];		/* the program's own mode when it
						   approves by itself, or "" */
	int		 creating;		/* new-session not done */
	int		 limbo;			/* ... and given up on: has-session
						   says whether to kill it */
	int		 limbo_tries;
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
	struct ctlparse	 cparse;	/* where its lines are: ctlparse.c */
	struct buf	 block;
	int		 restarts;	/* back-off: CM_CTL_RESTART_MS << it */
	int64_t		 restart_at;
	int64_t		 ctl_started;	/* when the control client started */
	int		 ctl_ready;	/* attached: commands may go */
	int		 ctl_wanted;	/* start one when tmux allows */

	/* What we know of the pane. */
	int		 dirty;
	int64_t		 dirty_since;
	int64_t		 last_output;	/* or when we began to look */
	int		 seen_output;
	int64_t		 recheck_at;
	int64_t		 new_check_at;	/* look once at 1 s: did it exit? */
	int		 check_cid;	/* cm new waits for that look's answer */
	char		 check_id[CM_ID_MAX + 1];
	int		 check_armed;	/* 1: look next capture, 2: looking */
	int64_t		 check_by;	/* answer by then, whatever is known */
	int		 capturing;
	int		 pane_dead;
	int		 dead_status;	/* -1: tmux does not know (yet) */
	int		 status_tries;
	int		 cursor_y;
	unsigned	 rows;		/* the pane's height, 0: not known */
	int		 title_default;	/* title is tmux's, not the program's */
	pid_t		 pane_pid;	/* its process (and group), 0: unknown */
	char		 title[256];
	char		 shell[32];	/* the program, if it is a shell */
	char		 fg[64];	/* the pane's foreground command */
	int64_t		 enter_at;		/* a delayed Enter is due */
	int		 enter_cid;		/* ... and answers this client */
	char		 enter_id[CM_ID_MAX + 1];
};

/* A tmux session marked @cm that could not be adopted (session.c). */
struct unadopted {
	char		 tname[CM_NAME_MAX + 1];	/* tmux's name */
	char		 why[64];
	int64_t		 created;	/* epoch seconds, by tmux */
};

/* agent.c */
extern char		 instance[17];
extern char		 token[CM_TOKEN_MAX + 1];
extern int		 listen_fd;
extern int		 quitting;
extern int64_t		 started_ms;
extern int64_t		 started_wall;
extern uint64_t		 spawns;	/* tmux processes started */
extern uint64_t		 job_failures;	/* ... that failed or timed out */
extern struct ruleset	*rules;
extern int		 rules_broken;
extern char		 rules_error[512];
extern int		 default_confirm;
extern int		 default_profile_confirm[CM_PROFILES_MAX]; /* -1: unset */
int64_t		 wall_ms(void);
int		 job_start(const char *const *, job_cb *, void *, char *,
		     size_t);
void		 adoption_over(void);

/* client.c */
extern struct client	*clients[CM_CLIENTS_MAX + CM_UNAUTH_MAX];
extern int		 nclients;
extern int64_t		 accept_resume_at;	/* after EMFILE */
extern struct buf	 scratch;	/* one line being built */
void		 line_start(const char *, const char *);
void		 line_field(const char *, size_t);
void		 line_fields(const char *);
void		 line_num(long long);
void		 line_send(struct client *);
struct client	*client_find(int);
void		 client_close_soon(struct client *);
void		 client_queue(struct client *, const char *, size_t);
void		 client_overflow(struct client *);
int		 client_write(struct client *);
void		 reply_ok(struct client *, const char *);
void		 reply_err(struct client *, const char *, const char *,
		     const char *, ...)
		     __attribute__((format(printf, 4, 5)));
void		 line_session(const struct session *);
int		 client_readable(const struct client *);
void		 client_read(struct client *);
void		 client_process(struct client *);
void		 client_accept(void);
void		 client_free(struct client *);
int64_t		 client_timers(struct client *, int64_t);

/* session.c */
extern struct session	*sessions[CM_SESSIONS_MAX];
extern int		 nsessions;
extern int		 creating;	/* new- and kill-session jobs running */
extern uint64_t		 captures;	/* screens read */
extern struct unadopted	 unadopted[CM_UNADOPTED_MAX];
extern int		 nunadopted;
extern uint64_t		 ctl_restarts;	/* control clients started again */
void		 session_free(struct session *);
int		 ctl_push(struct session *, enum ctlkind, int, const char *,
		     int);
int		 ctl_room(const struct session *, int, size_t);
void		 session_capture(struct session *);
int		 send_keys_string(struct session *, const char *);
void		 ctl_read(struct session *);
void		 session_ctl_stop(struct session *);
void		 session_ctl_timeout(struct session *);
void		 session_ctl_start(struct session *);
void		 session_check(struct session *);
void		 session_check_reply(struct session *);
void		 do_new(struct client *, struct request *);
struct session	*need_session(struct client *, struct request *, int);
void		 do_send(struct client *, struct request *);
void		 do_keys(struct client *, struct request *);
void		 do_show(struct client *, struct request *);
void		 do_kill(struct client *, struct request *);
void		 adopt_start(void);
int64_t		 gate_run(int64_t);
int		 gate_ready(void);
int		 line_unadopted(struct client *, const char *);

/* autoconfirm.c */
extern uint64_t		 confirms;
void		 autoconfirm_counts(void);
extern char		 audit_path[CM_PATH_MAX];
void		 autoconfirm(struct session *, const struct verdict *);
void		 session_set_confirm(struct session *, int, int64_t);
int64_t		 autoconfirm_timers(struct session *, int64_t);

/* ring.c */
extern uint64_t		 seq;
void		 event_emit(const char *, const char *, const char *);
void		 do_watch(struct client *, struct request *);
void		 ring_stream(struct client *);
void		 ring_free(void);

#endif
