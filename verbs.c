/*
 * verbs.c: the commands that act on one session: new, send, keys, show,
 * kill and confirm.
 *
 * Invariants: the arguments are checked here before anything is sent (a
 * name, a key, a size against its limit); a command that changes a session
 * and then waits (--wait) or reports (--json) watches the session on the
 * same connection before the change (changing), so no event falls between;
 * new answers only after the program's first second (CM_NEW_CHECK_MS), and
 * a program that ended in it is an error with its screen's last rows.
 */

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"
#include "cli.h"

struct showctx {
	struct buf	 screen;
};

static void
show_row(struct field *f, int nf, void *arg)
{
	struct showctx	*x = arg;

	if (nf < 1)
		return;
	if (buf_add(&x->screen, f[0].p, f[0].n) == -1 ||
	    buf_add(&x->screen, "\n", 1) == -1)
		die("screen larger than %d bytes", CM_SCREEN_MAX);
}

/* A row of a dead pane worth showing: not blank, not tmux's "Pane is dead". */
static int
keep_row(const char *p, size_t n)
{
	while (n > 0 && p[n - 1] == ' ')
		n--;
	return (n > 0 && !(n >= 12 && memcmp(p, "Pane is dead", 12) == 0));
}

/*
 * The program of a new session ended in its first second: say so, with the
 * last lines of its screen, and exit 1.  The session stays, for "cm show".
 */
static void __attribute__((noreturn))
new_died(struct conn *c, struct follow *fl)
{
	struct buf	 a;
	struct reply	 r;
	struct field	 f;
	struct showctx	 x;
	char		*p, *end, *l, *nl, *q;
	int		 rows;

	buf_init(&a, CM_LINE_MAX);
	arg_adds(&a, fl->name);
	buf_init(&x.screen, CM_SCREEN_MAX);
	simple(c, "show", &a, show_row, &x, &r);
	buf_free(&a);
	fflush(stdout);
	fprintf(stderr, "cm: %s: the program exited at once (%s)", fl->name,
	    fl->detail);
	/* The last 10 rows that hold something, tmux's own "Pane is
	 * dead" left out. */
	p = buf_ptr(&x.screen);
	end = p + x.screen.len;
	for (rows = 0, l = end; l > p && rows < 10; ) {
		nl = l - 1;		/* the end of the row before l */
		q = nl;
		while (q > p && q[-1] != '\n')
			q--;
		if (keep_row(q, (size_t)(nl - q)))
			rows++;
		l = q;
	}
	fputs(rows > 0 ? "; its screen ends:\n" : "\n", stderr);
	for (; l < end; l = nl + 1) {
		if ((nl = memchr(l, '\n', (size_t)(end - l))) == NULL)
			nl = end;
		if (!keep_row(l, (size_t)(nl - l)))
			continue;
		f.p = l;
		f.n = (size_t)(nl - l);
		fputs("  ", stderr);
		print_escaped_to(stderr, &f);
		fputc('\n', stderr);
	}
	buf_free(&x.screen);
	conn_close(c);
	exit(1);
}

/* --json of a command that changes something: the event it caused. */
static void
print_seq(const char *name, uint64_t seq)
{
	fputs("{\"session\":", stdout);
	print_json_string(name, strlen(name));
	printf(",\"seq\":%llu}\n", (unsigned long long)seq);
}

/* -t SECS: a deadline in ms on the monotonic clock, 0 for none. */
static int64_t
parse_timeout(const char *s)
{
	char	*end;
	double	 secs;

	secs = strtod(s, &end);
	if (end == s || *end != '\0' || secs < 0 || secs > 1e7)
		usage();
	return (now_ms() + (int64_t)(secs * 1000));
}

int
cmd_new(int argc, char **argv)
{
	struct conn	 c;
	struct reply	 r;
	struct buf	 a;
	char		 cwd[CM_PATH_MAX], dirbuf[2 * CM_PATH_MAX];
	const char	*name = NULL, *dir = NULL, *task = NULL;
	const char	*profile = NULL;
	struct follow	 fl;
	int64_t		 deadline = 0;
	int		 confirm = 0, i, wait = 0, json = 0, nowait = 0, rc = 0;
	int		 nenv = 0, k;
	const char	*envs[CM_FIELDS_MAX / 2];

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (argv[i][0] != '-')
			break;
		if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "-e") == 0 && i + 1 < argc) {
			if (nenv == CM_FIELDS_MAX / 2)
				die("too many -e");
			envs[nenv++] = argv[++i];
		} else if (strcmp(argv[i], "--wait") == 0)
			wait = 1;
		else if (strcmp(argv[i], "--no-wait") == 0)
			nowait = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			deadline = parse_timeout(argv[++i]);
		else if (strcmp(argv[i], "-C") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "-y") == 0)
			confirm = 1;
		else if (strcmp(argv[i], "--task") == 0 && i + 1 < argc)
			task = argv[++i];
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			profile = argv[++i];
		else
			usage();
	}
	if (i >= argc)
		usage();
	if (argc - i > CM_ARGV_MAX)
		die("the command has %d words, more than %d", argc - i,
		    CM_ARGV_MAX);
	/* The agent knows the profiles; here, a typo is caught early. */
	if (profile != NULL && opt_host == NULL)
		check_profile(profile, 0);
	if (name != NULL)
		check_name((char **)&name);
	if (opt_host != NULL) {
		/* Here's directories mean nothing there: -C must be absolute,
		 * and without it the remote agent's home is used. */
		if (dir != NULL && dir[0] != '/')
			die("-C needs an absolute path with -H");
	} else {
		if (getcwd(cwd, sizeof cwd) == NULL)
			die("getcwd: %s", strerror(errno));
		if (dir == NULL)
			dir = cwd;
		else if (dir[0] != '/') {
			snprintf(dirbuf, sizeof dirbuf, "%s/%s", cwd, dir);
			dir = dirbuf;
		}
		if (access(dir, X_OK) == -1)
			die("%s: %s", dir, strerror(errno));
	}
	if (dir != NULL && strlen(dir) >= CM_PATH_MAX)
		die("directory path longer than %d bytes", CM_PATH_MAX - 1);
	if (task != NULL && strlen(task) > CM_TEXT_MAX)
		die("task longer than %d bytes", CM_TEXT_MAX);

	buf_init(&a, CM_LINE_MAX);
	{
		struct buf	 kv;

		buf_init(&kv, CM_LINE_MAX);
		if (name != NULL) {
			(void)buf_adds(&kv, "name=");
			(void)buf_adds(&kv, name);
			arg_add(&a, buf_ptr(&kv), kv.len);
			buf_clear(&kv);
		}
		if (dir != NULL) {
			(void)buf_adds(&kv, "dir=");
			(void)buf_adds(&kv, dir);
			arg_add(&a, buf_ptr(&kv), kv.len);
			buf_clear(&kv);
		}
		if (task != NULL) {
			(void)buf_adds(&kv, "task=");
			(void)buf_adds(&kv, task);
			arg_add(&a, buf_ptr(&kv), kv.len);
		}
		buf_free(&kv);
	}
	for (k = 0; k < nenv; k++) {
		struct buf	 kv;

		if (strchr(envs[k], '=') == NULL || envs[k][0] == '=')
			die("-e wants NAME=VALUE, not '%s'", envs[k]);
		buf_init(&kv, CM_LINE_MAX);
		if (buf_adds(&kv, "env=") == -1 || buf_adds(&kv, envs[k]) == -1)
			die("-e longer than %d bytes", CM_LINE_MAX);
		arg_add(&a, buf_ptr(&kv), kv.len);
		buf_free(&kv);
	}
	if (confirm)
		arg_adds(&a, "confirm=1");
	if (profile != NULL) {
		char	 kv[64];

		snprintf(kv, sizeof kv, "profile=%s", profile);
		arg_adds(&a, kv);
	}
	if (wait && nowait)
		usage();
	connect_or_die(&c);
	if (!nowait && c.new_check)
		arg_adds(&a, "check=1");	/* answer after the first second */
	arg_adds(&a, "--");
	for (; i < argc; i++)
		arg_adds(&a, argv[i]);
	if (nowait && !wait && !json) {
		simple(&c, "new", &a, NULL, NULL, &r);
		if (r.nf > 2)
			print_escaped(&r.f[2]);
		putchar('\n');
		conn_close(&c);
		buf_free(&a);
		return (0);
	}
	/* Watch from before it exists: every event of it is seen. */
	follow_start(&c, &fl, NULL);
	/* The answer waits for the program's first second, too. */
	simple_follow_ms(&c, "new", &a, NULL, NULL, &r, &fl,
	    CM_CLIENT_TIMEOUT_MS + CM_NEW_CHECK_MS + CM_NEW_CHECK_MAX_MS);
	buf_free(&a);
	if (r.nf < 3 || !proto_valid_name(r.f[2].p, r.f[2].n))
		die("bad answer to new from agent");
	r.f[2].p[r.f[2].n] = '\0';
	fl.task = task != NULL && *task != '\0';
	follow_name(&fl, r.f[2].p);
	if (nowait)
		;
	else if (r.nf >= 5 && proto_field_eq(&r.f[3], "exited")) {
		/* The agent looked at its first second, and it had ended. */
		snprintf(fl.detail, sizeof fl.detail, "%.*s", (int)r.f[4].n,
		    r.f[4].p);
		new_died(&c, &fl);
	} else if (r.nf >= 4 && proto_field_eq(&r.f[3], "running"))
		;
	else if (follow_wait(&c, &fl, now_ms() + CM_NEW_CHECK_MS +
	    CM_NEW_CHECK_SLACK_MS, 1) == 1)
		new_died(&c, &fl);	/* an agent that does not look itself */
	if (json)
		print_seq(fl.name, fl.after);
	else
		printf("%s\n", fl.name);
	if (fflush(stdout) == EOF)
		die("write: %s", strerror(errno));
	if (wait) {
		if (follow_wait(&c, &fl, deadline, 0) == 0)
			die("timed out waiting for '%s' to settle (it is %s)",
			    fl.name, fl.state[0] ? fl.state : "starting");
		rc = follow_report(&fl, json);
	}
	conn_close(&c);
	return (rc);
}

/*
 * Send a changing request for one session.  With --json or --wait, watch
 * it first on the same connection, so that every event after the answer is
 * known to come after the change: --json prints the last event before it
 * (for "cm wait --after"), --wait waits for the session to react and
 * settle, prints where it settled and exits with its code.
 */
static int
changing(const char *verb, const char *name, struct buf *args, int json,
    int wait, int64_t deadline)
{
	struct conn	 c;
	struct reply	 r;
	struct follow	 fl;

	if (!json && !wait) {
		call(verb, args, NULL, NULL);
		return (0);
	}
	connect_or_die(&c);
	follow_start(&c, &fl, name);
	simple_follow(&c, verb, args, NULL, NULL, &r, &fl);
	buf_free(args);
	fl.after = fl.last;
	if (!wait) {
		print_seq(name, fl.after);
		conn_close(&c);
		return (0);
	}
	if (follow_wait(&c, &fl, deadline, 0) == 0)
		die("timed out waiting for '%s' to settle (it is %s)", name,
		    fl.state[0] ? esc_dup(fl.state, strlen(fl.state)) :
		    "unchanged");	/* the state is the agent's word */
	conn_close(&c);
	return (follow_report(&fl, json));
}

int
cmd_send(int argc, char **argv)
{
	struct buf	 a, text;
	int		 enter = 1, i = 1, json = 0, wait = 0;
	int64_t		 deadline = 0;
	ssize_t		 n;

	while (i < argc && argv[i][0] == '-' && argv[i][1] != '\0') {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (strcmp(argv[i], "-n") == 0)
			enter = 0;
		else if (strcmp(argv[i], "--wait") == 0)
			wait = 1;
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "-t") == 0 && i + 1 < argc)
			deadline = parse_timeout(argv[++i]);
		else
			usage();
		i++;
	}
	if (argc - i < 2)
		usage();
	check_name(&argv[i]);
	buf_init(&text, CM_TEXT_MAX);
	if (argc - i == 2 && strcmp(argv[i + 1], "-") == 0) {
		for (;;) {
			n = buf_read(&text, 0);
			if (n == 0)
				break;
			if (n == -1 && errno == ENOBUFS)
				die("text longer than %d bytes", CM_TEXT_MAX);
			if (n == -1)
				die("stdin: %s", strerror(errno));
			if (n == CM_AGAIN && fd_wait(0, POLLIN, -1) == -1)
				die("stdin: %s", strerror(errno));
		}
		/* One trailing newline is the end of the input, not text. */
		if (text.len > 0 && buf_ptr(&text)[text.len - 1] == '\n')
			buf_truncate(&text, text.len - 1);
	} else {
		for (int k = i + 1; k < argc; k++) {
			if ((k > i + 1 && buf_add(&text, " ", 1) == -1) ||
			    buf_adds(&text, argv[k]) == -1)
				die("text longer than %d bytes", CM_TEXT_MAX);
		}
	}
	buf_init(&a, CM_LINE_MAX);
	arg_adds(&a, argv[i]);
	arg_add(&a, buf_ptr(&text), text.len);
	if (enter)
		arg_adds(&a, "enter");
	buf_free(&text);
	return (changing("send", argv[i], &a, json, wait, deadline));
}

int
cmd_keys(int argc, char **argv)
{
	struct buf	 a;
	int		 i, json = 0, wait = 0;
	int64_t		 deadline = 0;

	while (argc > 1 && argv[1][0] == '-') {
		if (strcmp(argv[1], "--json") == 0)
			json = 1;
		else if (strcmp(argv[1], "--wait") == 0)
			wait = 1;
		else if (strcmp(argv[1], "-t") == 0 && argc > 2) {
			deadline = parse_timeout(argv[2]);
			argc--;
			argv++;
		} else
			usage();
		argc--;
		argv++;
	}
	if (argc < 3 || argc - 2 > CM_KEYS_MAX)
		usage();
	check_name(&argv[1]);
	for (i = 2; i < argc; i++) {
		if (!proto_valid_key(argv[i], strlen(argv[i])))
			die("bad key name '%s' (e.g. Enter, Escape, C-c, Up, "
			    "Tab, F1, or one character)", argv[i]);
	}
	buf_init(&a, CM_LINE_MAX);
	for (i = 1; i < argc; i++)
		arg_adds(&a, argv[i]);
	return (changing("keys", argv[1], &a, json, wait, deadline));
}

int
cmd_show(int argc, char **argv)
{
	struct buf	 a, out;
	struct showctx	 x;
	int		 i, esc = 0;
	const char	*name = NULL;
	char		*p;
	size_t		 n;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-e") == 0)
			esc = 1;
		else if (argv[i][0] == '-' || name != NULL)
			usage();
		else
			name = argv[i];
	}
	if (name == NULL)
		usage();
	check_name((char **)&name);
	buf_init(&a, CM_LINE_MAX);
	arg_adds(&a, name);
	if (esc)
		arg_adds(&a, "escapes");
	buf_init(&x.screen, CM_SCREEN_MAX);
	call("show", &a, show_row, &x);
	/* Trailing blank rows are the unused part of the pane. */
	p = buf_ptr(&x.screen);
	n = x.screen.len;
	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	/* Rows as they are, but no byte that drives the terminal: with -e,
	 * colours and attributes (SGR) only. */
	buf_init(&out, 4 * n + 8);
	if (esc_text(&out, p, n, ESC_LINES | (esc ? ESC_SGR : 0)) == -1)
		die("out of memory");
	write_out(buf_ptr(&out), out.len);
	if (n > 0)
		write_out("\n", 1);
	buf_free(&out);
	buf_free(&x.screen);
	return (0);
}

int
cmd_kill(int argc, char **argv)
{
	struct buf	 a;

	int		 json = argc == 3 && strcmp(argv[1], "--json") == 0;

	if (json) {
		argc--;
		argv++;
	}
	if (argc != 2)
		usage();
	check_name(&argv[1]);
	buf_init(&a, CM_LINE_MAX);
	arg_adds(&a, argv[1]);
	return (changing("kill", argv[1], &a, json, 0, 0));
}

/* "90", "90s", "30m", "2h", "1d": seconds, or -1. */
static long long
parse_duration(const char *s)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || v <= 0)
		return (-1);
	if (*end == '\0' || strcmp(end, "s") == 0)
		return (v);
	if (strcmp(end, "m") == 0)
		return (v * 60);
	if (strcmp(end, "h") == 0)
		return (v * 3600);
	if (strcmp(end, "d") == 0)
		return (v * 86400);
	return (-1);
}

int
cmd_confirm(int argc, char **argv)
{
	struct buf	 a;
	long long	 secs = 0;
	char		 kv[64], shown[64];
	int		 json = 0, i, k;

	for (i = k = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else
			argv[k++] = argv[i];
	}
	argc = k;
	if (argc == 5 && strcmp(argv[3], "--for") == 0) {
		if ((secs = parse_duration(argv[4])) == -1 ||
		    secs > 366LL * 86400)
			usage();
		argc -= 2;
	}
	if (argc != 3 || (strcmp(argv[2], "on") != 0 &&
	    strcmp(argv[2], "off") != 0) ||
	    (secs != 0 && strcmp(argv[2], "on") != 0))
		usage();
	check_name(&argv[1]);
	buf_init(&a, CM_LINE_MAX);
	arg_adds(&a, argv[1]);
	arg_adds(&a, argv[2]);
	if (secs != 0) {
		snprintf(kv, sizeof kv, "for=%lld", secs);
		arg_adds(&a, kv);
	}
	(void)changing("confirm", argv[1], &a, json, 0, 0);
	if (!json) {
		/* What it set, as cm ls shows it. */
		format_autoconfirm(shown, sizeof shown, argv[2][1] == 'n',
		    secs != 0 ? (long long)wall_now() + secs * 1000 : 0);
		printf("%s: auto-confirm %s\n", argv[1], shown);
	}
	return (0);
}
