/*
 * cli.h: the command line's private header (cm.c and the files of its
 * commands): the structures they share, the globals cm.c defines for them,
 * and each file's exported functions under that file's name.  Include it
 * after cm.h.  (client.c is the agent's side of a client, not this.)
 *
 * Invariants (for the whole command line):
 *  - every command but "agent" is a client: it connects to the agent's
 *    socket, authenticates, sends one or two requests and prints the
 *    replies, one record per line, in stable columns;
 *  - exit 0 on success, 1 on failure with "cm: ..." on stderr, 2 on a usage
 *    error (send --wait and keys --wait: 3 confirm, 4 input, 5 error,
 *    6 exited); most helpers report a failure themselves, by die() or
 *    usage(), which exit; those that return -1 instead say so (conn_open
 *    and conn_line fill a cause, for watch to go on);
 *  - no command waits on the agent longer than CM_CLIENT_TIMEOUT_MS except
 *    watch, wait and --wait, which wait by design, and new, which watches
 *    the program's first second (CM_NEW_CHECK_MS);
 *  - a command that waits for what a change caused watches the session on
 *    the same connection before it makes the change, so no event can fall
 *    between;
 *  - bytes from the wire are printed escaped unless the command prints a
 *    screen.
 */

#ifndef CLI_H
#define CLI_H

#define CM_HOSTS_MAX	32	/* -H given more than once */

/* A connection to an agent (conn.c). */
struct conn {
	int		 fd;		/* read from the agent */
	int		 wfd;		/* write to it: fd, or a pipe with --via */
	pid_t		 via;		/* the --via command, or -1 */
	int		 via_err;	/* its stderr, a file, or -1 */
	struct buf	 in;
	size_t		 scanned;
	char		 instance[CM_ID_MAX + 1];
	char		 path[CM_PATH_MAX];
	int		 next_id;
	int		 new_check;	/* the agent answers "new check=1" */
};

/* A reply: "ok ID ..." or "err ID CODE MESSAGE"; fields after the id. */
struct reply {
	int		 ok;
	int		 nf;
	struct field	 f[CM_FIELDS_MAX];
	char		 code[32];
	char		 msg[512];
};

/* An event: "event INSTANCE SEQ TIME NAME TYPE DETAIL". */
struct ev {
	uint64_t	 seq;
	int64_t		 time;
	struct field	 name, type, detail;
};

/*
 * Following one session on a connection that watches it, until it settles
 * after a command: every event goes through follow_event, in the order the
 * agent sent it.  Events up to "after" happened before the command took
 * effect.  Settled is idle, confirm, input, error or exited; a confirm that
 * auto-confirm will answer is not (the event after it says), and with a task
 * the first idle is where the agent types it, so it is not either.
 */
struct follow {
	char		 name[CM_NAME_MAX + 1];	/* "": track seq only */
	uint64_t	 after;
	uint64_t	 last;		/* the newest event seen, any session */
	int		 confirm;	/* its auto-confirm is on */
	int		 task;		/* a task waits for the first idle */
	int		 typed;		/* ... and has been typed */
	int		 pending;	/* a confirm auto-confirm may answer */
	int		 done;
	int		 seen;		/* any state event after "after" */
	int		 exited;	/* one of them was "exited" */
	unsigned	 states;	/* 1 << state of each of them */
	struct buf	 early;		/* events before the name is known */
	char		 state[32];
	char		 detail[4 * CM_DETAIL_MAX];
	uint64_t	 seq;
	int64_t		 time;
};

/* What a request's data lines are given to: their fields after the id. */
typedef void	 data_fn(struct field *, int, void *);

/* cm.c */
extern const char	*opt_host;	/* -H or CM_HOST: the agent is there */
extern const char	*opt_via;	/* --via or CM_VIA: a command to reach it */
extern const char	*hosts[CM_HOSTS_MAX];	/* every -H */
extern int		 nhosts;
extern const char	*self_path;	/* argv[0] */
void		 usage(void) __attribute__((noreturn));
void		 die(const char *, ...)
		     __attribute__((format(printf, 1, 2), noreturn));
void		 check_name(char **);
long long	 parse_count(const char *, const char *);
void		 sleep_ms(int);
int64_t		 wall_now(void);
void		 print_usage(FILE *);
int		 dispatch(int, char **);

/* output.c */
void		 write_out(const char *, size_t);
char		*esc_dup(const void *, size_t);
void		 print_escaped_to(FILE *, const struct field *);
void		 print_text(const char *);
void		 print_escaped(const struct field *);
void		 print_json_string(const char *, size_t);
void		 format_age(char *, size_t, long long);
void		 format_autoconfirm(char *, size_t, int, long long);
void		 print_event(int, int64_t, const struct field *,
		     const struct field *, const struct field *, uint64_t, int);

/* conn.c */
int		 conn_line(struct conn *, int, struct field *, int *, char *,
		     size_t);
void		 conn_close(struct conn *);
int		 conn_open(struct conn *, char *, size_t, int *);
void		 connect_or_die(struct conn *);
int		 request(struct conn *, const char *, const struct buf *);
void		 await_follow(struct conn *, int, int, data_fn *, void *,
		     struct reply *, struct follow *);
void		 await(struct conn *, int, int, data_fn *, void *,
		     struct reply *);
void		 simple_follow_ms(struct conn *, const char *, struct buf *,
		     data_fn *, void *, struct reply *, struct follow *, int);
void		 simple_follow(struct conn *, const char *, struct buf *,
		     data_fn *, void *, struct reply *, struct follow *);
void		 simple(struct conn *, const char *, struct buf *, data_fn *,
		     void *, struct reply *);
void		 call(const char *, struct buf *, data_fn *, void *);
void		 arg_add(struct buf *, const char *, size_t);
void		 arg_adds(struct buf *, const char *);

/* reply.c */
#define HELLO_OK	0	/* reply_hello: a greeting of protocol 1 */
#define HELLO_FULL	1	/* ... "bye full": no room for us */
#define HELLO_VERSION	2	/* ... another protocol */
#define HELLO_NONE	3	/* ... not a greeting */
#define REPLY_OTHER	0	/* reply_kind: not for us, or unknown */
#define REPLY_BYE	1	/* ... the agent hangs up */
#define REPLY_DATA	2
#define REPLY_OK	3
#define REPLY_ERR	4
int		 reply_next(struct buf *, size_t *, size_t, struct field *,
		     int *, char *, size_t);
int		 reply_hello(struct field *, int, char *, size_t, int *);
int		 reply_kind(const struct field *, int, int);
int		 reply_error(struct reply *);
int		 parse_event(struct field *, int, struct ev *);

/* follow.c */
void		 follow_event(struct follow *, const struct ev *);
void		 follow_start(struct conn *, struct follow *, const char *);
void		 follow_name(struct follow *, const char *);
int		 follow_wait(struct conn *, struct follow *, int64_t, int);
int		 follow_report(const struct follow *, int);

/* verbs.c */
int		 cmd_new(int, char **);
int		 cmd_send(int, char **);
int		 cmd_keys(int, char **);
int		 cmd_show(int, char **);
int		 cmd_kill(int, char **);
int		 cmd_confirm(int, char **);

/* listing.c */
int		 cmd_ls(int, char **);
int		 cmd_ping(int, char **);
int		 cmd_status(int, char **);
int		 cmd_log(int, char **);

/* watch.c */
int		 cmd_watch(int, char **);
int		 cmd_wait(int, char **);
int		 cmd_attach(int, char **);

/* hosts.c */
int		 cmd_bridge(int, char **);
int		 cmd_tunnel(int, char **);
int		 cmd_remote_hello(int, char **);
int		 several_hosts(int, char **);

/* local.c */
int		 load_profiles(const char *, int);
int		 check_profile(const char *, int);
void		 config_quiet(const char *);
int		 cmd_detect(int, char **);
int		 cmd_rules(int, char **);
int		 cmd_use(int, char **);
int		 cmd_config(int, char **);

#endif
