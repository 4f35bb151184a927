/*
 * cm.h: the map of cm.  Every limit has a name here, every file's exported
 * functions are listed under that file's name, and the few structures that
 * cross files are defined here with their invariants.
 */

#ifndef CM_H
#define CM_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CM_VERSION		"0.1.0"
#define CM_PROTO_VERSION	1

#define CM_XSTR(x)		#x
#define CM_STR(x)		CM_XSTR(x)	/* a limit, in a message */

/* Limits.  Sizes are in bytes unless the name says otherwise. */
#define CM_LINE_MAX		65536	/* one request line, with its newline */
#define CM_REPLY_LINE_MAX	(1024 * 1024) /* one line the client accepts */
#define CM_FIELDS_MAX		256	/* fields in one line */
#define CM_ID_MAX		16	/* request id */
#define CM_NAME_MAX		64	/* session name */
#define CM_KEY_MAX		32	/* one key name */
#define CM_KEYS_MAX		32	/* keys in one request */
#define CM_TEXT_MAX		32768	/* text in one send */
#define CM_ARGV_MAX		200	/* words of a new session's command */
#define CM_TOKEN_MAX		128	/* token, hex */
#define CM_TOKEN_BYTES		32	/* random bytes in a new token */
#define CM_DETAIL_MAX		512	/* an event's detail, before escaping */
#define CM_CMD_MAX		4096	/* a session's command, as shown */
#define CM_SUBJECT_MAX		4096	/* what a prompt would run or write */
#define CM_PATH_MAX		1024	/* a directory or file path */
#define CM_CLIENTS_MAX		256	/* connected clients */
#define CM_UNAUTH_MAX		32	/* of them not yet authenticated */
#define CM_SESSIONS_MAX		1024	/* sessions the agent tracks */
#define CM_UNADOPTED_MAX	64	/* marked sessions listed as not adopted */
#define CM_EVENTS_MAX		4096	/* events remembered for resume */
#define CM_CLIENT_IN_MAX	(2 * CM_LINE_MAX)	/* unread client input */
#define CM_CLIENT_OUT_MAX	(1024 * 1024)	/* queued output per client */
#define CM_CLIENT_RESERVE	256	/* kept free for the final "bye" */
#define CM_CTL_IN_MAX		(4 * 1024 * 1024) /* unread control-mode input */
#define CM_CTL_OUT_MAX		(512 * 1024)	/* queued control-mode commands */
#define CM_CTL_PENDING_MAX	64	/* commands awaiting a reply, per pane */
#define CM_SCREEN_MAX		(1024 * 1024)	/* one captured screen */
#define CM_JOB_OUT_MAX		(1024 * 1024)	/* a tmux job's stdout or stderr */
#define CM_JOBS_MAX		64	/* tmux jobs running at once */
#define CM_GATE_QUEUE_MAX	1024	/* new/kill requests waiting for tmux */
#define CM_TAKEN_MAX		64	/* tmux's names generated names skip */
#define CM_SEND_CHUNK		512	/* bytes per send-keys -H command */
#define CM_WRITE_SLICE		(64 * 1024) /* bytes written per client per pass */
#define CM_READ_SLICE		(64 * 1024) /* bytes taken by one read(2) */
#define CM_BUF_KEEP		4096	/* an empty buffer keeps this much */
#define CM_PROFILES_MAX		32	/* profiles: built-in and users' */
#define CM_PROFILE_NAME_MAX	32	/* a profile's name, a mark's rule */
#define CM_PROFILE_FILE_MAX	(64 * 1024) /* bytes in a profile file */
#define CM_PROFILE_LIST_MAX	64	/* entries in one list of a profile */
#define CM_PROFILE_STRING_MAX	256	/* one string in a profile file */
#define CM_CHOICE_MAX		9	/* labels in a one-row choice */
#define CM_ENTER_DELAY_MAX	5000	/* ms, a profile's pause before Enter */

/* Times, in milliseconds. */
#define CM_JOB_TIMEOUT_MS	5000	/* a tmux command may take this long */
#define CM_CTL_TIMEOUT_MS	5000	/* a control-mode reply may take this long */
#define CM_DEBOUNCE_MS		4	/* output settles this long before capture */
#define CM_DEBOUNCE_MAX_MS	100	/* but capture at least this often */
#define CM_QUIET_MS		700	/* no output this long: no longer working */
#define CM_TASK_ENTER_MS	150	/* pause between a task's text and Enter */
#define CM_BYE_MS		2000	/* flush time for a closing client */
#define CM_AUTH_DELAY_MAX_MS	5000	/* longest delay after failed auth */
#define CM_AUTH_DECAY_MS	1000	/* one failure forgotten per this */
#define CM_AUTH_TIMEOUT_MS	3000	/* authenticate within this, or bye */
#define CM_AUTH_GRACE_MS	100	/* an unauthenticated connection is
					   not evicted for a newer one sooner */
#define CM_ACCEPT_PAUSE_MS	100	/* no accept this long after EMFILE */
#define CM_FULL_RETRY_MS	3000	/* a client retries "bye full" this long */
#define CM_CLIENT_TIMEOUT_MS	10000	/* a client command waits this long */
#define CM_CTL_RESTART_MAX	5	/* control-client back-off doubles so often */
#define CM_CTL_RESTART_MS	200	/* ... from this (so at most 6.4 s) */
#define CM_CTL_HEALTHY_MS	5000	/* a control client up this long: the
					   back-off starts again from 0 */
#define CM_CTL_RECHECK_MS	1000	/* has-session after tmux did not answer */
#define CM_LIMBO_TRIES		60	/* has-sessions for a timed-out new */
#define CM_GATE_WAIT_MS		8000	/* new/kill wait for tmux, then busy */
#define CM_NAME_TRIES		16	/* generated names tried per new */
#define CM_STATUS_TRIES		10	/* asks for a dead pane's status ... */
#define CM_STATUS_RETRY_MS	100	/* ... this far apart */
#define CM_LOOP_MAX		3	/* same prompt answered this often ... */
#define CM_LOOP_WINDOW_MS	60000	/* ... within this long: pause */
#define CM_CONFIRM_CHECK_MS	1500	/* an answered prompt must be gone by */
#define CM_CONFIRM_GAP_MS	50	/* no second answer sooner than this */
#define CM_LOG_MAX		(256 * 1024)	/* audit log tail sent by "log" */
#define CM_HOST_MAX		256	/* a host as -H takes it */
#define CM_CONFIG_LINE_MAX	1024	/* one line of the config file */
#define CM_CONFIG_HOSTS_MAX	32	/* "host" lines in the config file */
#define CM_FOLLOW_EARLY_MAX	(256 * 1024)	/* events kept by cm new until
						   it knows its session's name */
#define CM_DEFAULT_PATH		"/bin:/usr/bin"	/* execvp's, PATH unset */
#define CM_NEW_CHECK_MS		1000	/* cm new: a program that exits this
					   soon is reported */
#define CM_NEW_CHECK_SLACK_MS	400	/* ... noticed this much later (by
					   an agent that does not answer
					   "check=1" itself) */
#define CM_NEW_CHECK_MAX_MS	3000	/* the agent answers "check=1" by
					   then, if tmux is slow to say */

/*
 * A byte buffer.  The valid bytes are data[off .. off + len), followed by a
 * NUL byte that len does not count; off + len < cap and len <= max always
 * hold once data is allocated.  cap grows on demand up to max + 1; a request
 * that would take len past max fails with ENOBUFS and changes nothing.  An
 * empty buffer is safe everywhere: buf_ptr() is never NULL and always points
 * at a NUL-terminated string (util.c), so no caller checks for empty.
 * Change len only through the buf_*() functions.
 */
struct buf {
	char	*data;
	size_t	 off;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
};

/* A field of a parsed line: bytes at p, n of them; may hold NUL bytes. */
struct field {
	char	*p;
	size_t	 n;
};

/* Verbs a client may send. */
enum verb {
	V_AUTH, V_PING, V_STATUS, V_NEW, V_SEND, V_KEYS, V_LS, V_GET,
	V_SHOW, V_KILL, V_WATCH, V_UNWATCH, V_CONFIRM, V_LOG, V_NVERBS
};

/* A parsed request line: "ID VERB ARG...". */
struct request {
	char		 id[CM_ID_MAX + 1];
	enum verb	 verb;
	int		 argc;
	struct field	 argv[CM_FIELDS_MAX];
};

/* Session states. */
enum state {
	S_STARTING, S_WORKING, S_IDLE, S_CONFIRM, S_INPUT, S_ERROR, S_EXITED,
	S_UNKNOWN, S_NSTATES
};

/* A screen to classify. */
struct screen {
	const char	*text;		/* rows separated by newlines */
	size_t		 len;
	const char	*title;		/* pane title, or NULL */
	int		 title_default;	/* it is tmux's default (the host
					   name): the program set none */
	int		 dead;		/* the program has ended */
	int64_t		 quiet_ms;	/* since the pane last printed */
	int		 cursor_y;	/* row of the cursor, -1 unknown */
	int		 fg_job;	/* a shell runs something else in the
					   foreground (tmux's
					   pane_current_command) */
};

/* What approving a prompt does, as confirm.c read it from the screen. */
enum pkind {
	PK_NONE,	/* not a prompt, or one cm cannot place */
	PK_SHELL,	/* runs the shell command in subject */
	PK_EDIT,	/* writes or edits the file in subject */
	PK_QUESTION,	/* a program's own question, no command */
	PK_FETCH,	/* fetches the address in subject */
	PK_TOOL		/* calls the tool (MCP or other) in subject */
};

/* What confirm.c makes of a screen. */
struct verdict {
	enum state	 state;
	char		 detail[CM_DETAIL_MAX];	/* the prompt, or the error */
	size_t		 core;		/* where the question starts in detail,
					   after what it is about */
	char		 keys[64];	/* approving keys, space-separated */
	char		 rule[64];	/* "profile/rule" that decided */
	char		 mode[32];	/* the program's own permission mode
					   as its screen shows it ("auto",
					   "bypass", "accept-edits", "yolo"
					   approve by themselves; "manual",
					   "plan" ask), or "": not shown */
	int		 kind;		/* PK_*, for a confirmation */
	char		 subject[CM_SUBJECT_MAX]; /* the whole command, path,
					   address or tool, from the prompt's
					   own structure; rows joined by \n */
	int		 rows;		/* screen rows the subject spans: a
					   row break may be a wrap */
	const char	*cut;		/* why cm cannot see all of the
					   subject, or NULL */
};

/*
 * A profile: what one program's screens look like (confirm.c's built-in
 * tables, or a user's file read by profile.c).  Every list ends with NULL
 * (an empty list is { NULL }, never a NULL pointer); marks end with a
 * NULL text.
 */
/* A screen known by one line of it, near the bottom. */
struct mark {
	const char	*text;
	enum state	 state;
	const char	*rule;
};

struct profile {
	const char		*name;
	const char		*version;	/* of this table */
	const char *const	*commands;	/* argv[0] names that pick it */
	const char *const	*working;	/* busy, anywhere at the bottom */
	const char *const	*title_working;	/* busy, in the pane title */
	const char *const	*idle;		/* its own input prompt */
	const char *const	*errors;	/* stopped; will not recover */
	const struct mark	*marks;		/* whole screens: login, exit */
	const char *const	*box;		/* its input box is up: no menu
						   is waiting */
	const char *const	*hints;		/* key hints under its prompts: a
						   prompt is up, whole or not */
	const struct mark	*modes;		/* its permission mode, shown:
						   the mode's name in rule */
	const char		*turn;		/* starts its input box and the
						   echo of each instruction */
	const char		*draft;		/* starts its input row, a draft
						   or not (at most 1 column in) */
	int			 titled;	/* sets a title once ready: idle
						   needs it */
	int			 menus;		/* numbered approval menus */
	int			 quiet_idle;	/* quiet with no marker: idle */
	int			 enter_ms;	/* pause before Enter after text */
	const char *const	*choices;	/* one-row choices, "A|B|C": the
						   first label selected */
	const char *const	*pending;	/* a prompt is up, even when its
						   options do not parse */
	int			 blank_starting; /* a blank screen: loading */
};

/*
 * A shell command split into simple commands (shell.c).  Words of all the
 * commands live in store, NUL-terminated; a command's words are
 * words[word0 ..] (skipping redirection targets), its redirections
 * redirs[redir0 .. redir0 + nredirs).
 */
#define SH_INPUT_MAX	8192	/* bytes of command read */
#define SH_WORDS_MAX	512	/* words, all commands together */
#define SH_CMDS_MAX	64	/* simple commands */
#define SH_REDIRS_MAX	64	/* redirections */
#define SH_DEPTH_MAX	3	/* sh -c 'sh -c ...' nesting read */
enum { SH_END, SH_SEMI, SH_AND, SH_OR, SH_PIPE };	/* after a command */
enum { SH_R_IN, SH_R_OUT, SH_R_APPEND, SH_R_RDWR, SH_R_DUPOUT, SH_R_DUPIN };
#define SH_FD_BOTH	(-2)	/* &> and &>>: stdout and stderr */
#define SH_W_QUOTED	0x01	/* some of it was quoted or escaped */
#define SH_W_EXPAND	0x02	/* holds a $ expansion: value unknown */
#define SH_W_GLOB	0x04	/* unquoted * ? [..]: a pattern */
#define SH_W_TILDE	0x08	/* an unquoted ~ the shell expands */
#define SH_W_BRACE	0x10	/* unquoted {a,b} or {1..3} */
#define SH_W_ASSIGN	0x20	/* NAME=value before the command */
#define SH_W_REDIR	0x40	/* a redirection's target */
#define SH_W_LITERAL_START 0x80	/* starts with a quote or backslash */
struct sh_word {
	size_t		 off;	/* in store */
	int		 flags;
};
struct sh_cmd {
	int		 word0;
	int		 nwords;	/* assignments included */
	int		 nassigns;	/* the first nassigns words */
	int		 redir0;
	int		 nredirs;
	int		 op;		/* SH_* after it */
};
struct sh_redir {
	int		 op;		/* SH_R_* */
	int		 fd;		/* or SH_FD_BOTH */
	int		 word;		/* its target */
};
struct sh_parse {
	char		 store[SH_INPUT_MAX + SH_WORDS_MAX + 1];
	size_t		 used;
	struct sh_word	 words[SH_WORDS_MAX];
	int		 nwords;
	struct sh_cmd	 cmds[SH_CMDS_MAX];
	int		 ncmds;
	struct sh_redir	 redirs[SH_REDIRS_MAX];
	int		 nredirs;
	char		 why[96];	/* why it was refused */
	size_t		 why_at;	/* where */
};

/* The config file, as config.c reads it; -1 or 0 for what it does not set. */
struct cm_config {
	char		 path[CM_PATH_MAX];
	int		 autoconfirm;		/* 1, 0, -1 unset */
	int		 profile_confirm[CM_PROFILES_MAX]; /* the same */
	char		 hosts[CM_CONFIG_HOSTS_MAX][CM_HOST_MAX];
	int		 nhosts;
	char		 use[CM_HOST_MAX];	/* "" unset */
	int		 done_after;		/* seconds */
	int		 notify_timeout;	/* seconds */
	unsigned	 notify_on;		/* 0 unset */
};
typedef void	 config_report_fn(const char *);

/* util.c */
void		 buf_init(struct buf *, size_t);
void		 buf_free(struct buf *);
int		 buf_reserve(struct buf *, size_t);
int		 buf_add(struct buf *, const void *, size_t);
int		 buf_adds(struct buf *, const char *);
int		 buf_printf(struct buf *, const char *, ...)
		     __attribute__((format(printf, 2, 3)));
void		 buf_consume(struct buf *, size_t);
void		 buf_clear(struct buf *);
void		 buf_truncate(struct buf *, size_t);
void		 buf_shrink(struct buf *);
char		*buf_ptr(const struct buf *);
ssize_t		 buf_read(struct buf *, int);
ssize_t		 buf_write(struct buf *, int, size_t);
ssize_t		 fd_write_some(int, const void *, size_t);
pid_t		 child_wait(pid_t, int *, int);
#define CM_AGAIN	(-2)
int		 fd_nonblock(int);
int		 fd_cloexec(int);
ssize_t		 fd_write_all(int, const void *, size_t);
ssize_t		 fd_read_full(int, void *, size_t);
int		 fd_wait(int, short, int);
void		*xmalloc(size_t);
void		*xcalloc(size_t, size_t);
char		*xstrdup(const char *);
int64_t		 now_ms(void);
void		 log_init(int, int);
void		 log_open_file(const char *);
void		 log_info(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_warn(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 log_debug(const char *, ...)
		     __attribute__((format(printf, 1, 2)));
void		 fatal(const char *, ...)
		     __attribute__((format(printf, 1, 2), noreturn));
void		 fatalx(const char *, ...)
		     __attribute__((format(printf, 1, 2), noreturn));
int		 path_socket(char *, size_t, const char *);
int		 path_config(char *, size_t, const char *);
int		 path_state(char *, size_t, const char *);
int		 dir_secure(const char *, char *, size_t);
int		 token_get(char *, size_t, int, char *, size_t);
int		 token_equal(const char *, const char *);
void		 token_env_take(void);
int		 agent_alive(const char *);
void		 format_time(char *, size_t, int64_t);
int		 exec_find(const char *, const char *, const char *, char *,
		     size_t);
void		 core_off(void);
void		 core_restore(void);

/* esc.c */
#define ESC_LINES	0x1	/* keep newlines */
#define ESC_SGR		0x2	/* keep SGR sequences (colours) */
size_t		 utf8_seq(const void *, size_t, uint32_t *);
int		 esc_text(struct buf *, const void *, size_t, int);
int		 esc_json(struct buf *, const void *, size_t);

/* sock.c */
int		 sock_peer_uid(int, uid_t *);
int		 sock_check(const char *, char *, size_t);
int		 sock_connect(const char *, int *, char *, size_t);

/* proto.c */
int		 proto_escape(struct buf *, const void *, size_t);
int		 proto_escapes(struct buf *, const char *);
int		 hexval(int);
ssize_t		 proto_unescape(char *, size_t);
int		 proto_split(char *, size_t, struct field *, int, const char **);
ssize_t		 proto_frame(struct buf *, size_t *, size_t, char **, size_t *);
int		 proto_parse_request(char *, size_t, struct request *,
		     const char **);
const char	*proto_verb_name(enum verb);
int		 proto_valid_name(const char *, size_t);
int		 proto_valid_key(const char *, size_t);
int		 proto_valid_id(const char *, size_t);
int		 proto_field_eq(const struct field *, const char *);
int		 proto_field_u64(const struct field *, uint64_t *);
char		*proto_field_str(const struct field *);
const char	*state_name(enum state);
int		 state_parse(const char *, enum state *);

/* tmux.c */
struct job;
typedef void	 job_cb(struct job *, void *);
struct job {
	pid_t		 pid;
	int		 out_fd;
	int		 err_fd;
	struct buf	 out;
	struct buf	 err;
	int64_t		 deadline;
	int		 status;	/* wait status once reaped */
	int		 reaped;
	int		 timed_out;
	job_cb		*cb;
	void		*arg;
};
void		 tmux_init(void);
const char	*tmux_socket(void);
struct job	*tmux_job(const char *const *, job_cb *, void *, char *,
		     size_t);
int		 tmux_job_done(const struct job *);
void		 tmux_job_free(struct job *);
int		 tmux_job_ok(const struct job *, char *, size_t);
pid_t		 tmux_spawn_control(const char *, int *, int *, char *, size_t);
int		 tmux_hex_cmd(struct buf *, const char *, const char *, size_t);
int		 tmux_session_name(char *, size_t, const char *);
pid_t		 spawn(const char *const *, int, int, int, char *, size_t);

/* ctlparse.c */
#define CM_CTL_TAG_MAX		64	/* "TIME NUMBER" of a %begin, with NUL */
struct ctlparse {			/* a control client's reader */
	int		 in_block;	/* between %begin and its %end */
	char		 tag[CM_CTL_TAG_MAX];	/* that %begin's TIME NUMBER */
	int		 mine;		/* its FLAGS say: our command's reply */
	unsigned	 expect;	/* lines it holds before its end (0: any
					   number), set by the caller at
					   CL_BEGIN */
	unsigned	 got;		/* lines it has had */
};
enum { CL_NONE, CL_BLOCK, CL_BEGIN, CL_END, CL_OUTPUT, CL_SUBSCRIPTION,
    CL_SESSION, CL_EXIT };
struct ctlline {			/* what ctlparse_line read */
	int		 type;		/* CL_* */
	int		 error;		/* CL_END: it was %error */
	int		 mine;		/* CL_END: the block's FLAGS said ours */
	int		 early;		/* CL_END: an %error before the lines
					   expected: the reader cannot be
					   sure where it is any more */
	const char	*value;		/* CL_SUBSCRIPTION: after " : ", or
					   NULL if the line has none */
	size_t		 vlen;
};
int		 ctlparse_line(struct ctlparse *, const char *, size_t,
		     struct ctlline *);

/* confirm.c */
void		 confirm_classify(int, const struct screen *, struct verdict *);
const struct profile *profile_builtin(int);

/* profile.c */
const struct profile *profile_get(int);
int		 profile_find(const char *);
int		 profile_for_command(const char *, size_t);
int		 profile_for_argv(const char *const *, int, int *);
int		 profile_for_path(const char *);
const char	*shell_name(const char *);
const char	*profile_name(int);
int		 profile_enter_delay(int);
void		 profile_names(char *, size_t);
int		 profile_valid_name(const char *);
struct profile	*profile_parse(const char *, const char *, char *, size_t);
void		 profile_free(struct profile *);
int		 profile_install(struct profile **, int, char *, size_t);
int		 profile_load(const char *, const char *, char *, size_t);

/* shell.c */
int		 shell_parse(const char *, size_t, struct sh_parse *);
const char	*shell_word(const struct sh_parse *, const struct sh_cmd *, int);
int		 shell_word_flags(const struct sh_parse *, const struct sh_cmd *,
		     int);
const char	*shell_op_name(int);

/* policy.c */
struct ruleset;
int		 policy_shell(const struct ruleset *, const char *, size_t,
		     const char *, char *, size_t, FILE *);
int		 policy_inside(const char *, const char *, char *, size_t);
const char	*policy_version(void);
void		 policy_print(FILE *);

/* rules.c */
enum { RULE_ALLOW, RULE_DENY, RULE_ASK };
struct ruleset;
struct ruleset	*rules_builtin(void);
struct ruleset	*rules_load(const char *, char *, size_t);
void		 rules_free(struct ruleset *);
int		 rules_verdict(const struct ruleset *, const struct verdict *,
		    const char *, char *, size_t);
int		 rules_decide(const struct ruleset *, const char *, const char *,
		     char *, size_t);
void		 rules_print_builtin(FILE *);
int		 rules_command(const struct ruleset *, const char *, char *,
		     size_t);
int		 rules_build_tier(const struct ruleset *);
const char	*rule_action_name(int);

/* remote.c */
int		 remote_socket(const char *, int, char *, size_t, char *, size_t,
		     char *, size_t);
int		 remote_tunnel(const char *, const char *, char *, size_t);
int		 remote_hello_main(const char *);
int		 remote_hello_parse(struct buf *, char *, size_t, char *, size_t);
int		 remote_host_split(const char *, char *, size_t, char *, size_t,
		     char *, size_t);
int		 remote_attach(const char *, const char *, char *, size_t);

/* agent.c (the agent's other files and shared structures: agent.h) */
int		 agent_main(int, char **);

/* attach.c */
int		 attach_exec(const char *, char *, size_t);

/* demo.c */
int		 demo_main(int, char **, const char *);

/* notify.c */
int		 notify_parse_on(const char *, unsigned *, char *, size_t);
void		 notify_init(unsigned, char *const *, int, int, const char *);
void		 notify_event(int64_t, const struct field *,
		     const struct field *, const struct field *, uint64_t);
int		 notify_tick(void);

/* config.c */
void		 config_defaults(struct cm_config *);
int		 config_read(const char *, struct cm_config *,
		     config_report_fn *);
int		 config_set_use(const char *, char *, size_t);
int		 config_valid_host(const char *);

/* sdnotify.c */
int		 sdnotify_init(char *, size_t);
void		 sdnotify(const char *);
int64_t		 sdnotify_tick(int64_t);

/* fakecli.c */
int		 fakecli_main(int, char **);

#endif
