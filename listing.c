/*
 * listing.c: the commands that read the agent's state without changing it:
 * ls (and --summary), status (and --metrics, in Prometheus's format), ping
 * and log.
 *
 * Invariants: one record per line in stable columns (tab-separated, padded
 * only on a terminal); every field from the wire is escaped before a person
 * reads it, and is a JSON string in --json.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm.h"
#include "cli.h"

/* A session from ls: its fields as sent (for --json) and escaped. */
struct lsrow {
	char	*name, *state, *cmd, *detail, *profile, *dir, *mode;
	char	 age[32];
	char	 ac[64];		/* auto-confirm, as shown */
	long long created;
	long long until;		/* epoch ms, 0: none */
	long long pid;
	int	 confirm;
};

struct lsctx {
	struct lsrow	*rows;
	int		 n;
	int		 json;
};

static char *
field_dup(const struct field *f)
{
	char	*s = xmalloc(f->n + 1);

	memcpy(s, f->p, f->n);
	s[f->n] = '\0';
	return (s);
}

static long long
field_ll(struct field *f)
{
	char	 b[32];

	snprintf(b, sizeof b, "%.*s", (int)(f->n < 31 ? f->n : 31), f->p);
	return (strtoll(b, NULL, 10));
}

/* NAME STATE CREATED CONFIRM CMD DETAIL [PROFILE [UNTIL DIR PID [MODE]]] */
static void
ls_row(struct field *f, int nf, void *arg)
{
	struct lsctx	*x = arg;
	struct lsrow	*r;
	struct field	 none = { "", 0 };

	if (nf < 6)
		return;
	x->rows = realloc(x->rows, (size_t)(x->n + 1) * sizeof *x->rows);
	if (x->rows == NULL)
		die("out of memory");
	r = &x->rows[x->n++];
	r->name = field_dup(&f[0]);
	r->state = field_dup(&f[1]);
	r->created = field_ll(&f[2]);
	r->confirm = f[3].n == 1 && f[3].p[0] == '1';
	r->cmd = field_dup(&f[4]);
	r->detail = field_dup(&f[5]);
	r->profile = field_dup(nf > 6 ? &f[6] : &none);
	r->until = nf > 7 ? field_ll(&f[7]) : 0;
	r->dir = field_dup(nf > 8 ? &f[8] : &none);
	r->pid = nf > 9 ? field_ll(&f[9]) : 0;
	r->mode = nf > 10 && f[10].n > 0 ? field_dup(&f[10]) : xstrdup("-");
	format_age(r->age, sizeof r->age, (long long)time(NULL) - r->created);
	format_autoconfirm(r->ac, sizeof r->ac, r->confirm, r->until);
}

/*
 * One line for a status bar: "2 working · 1 idle · 1 needs you: fix
 * (confirm)"; "no sessions" when there are none.
 */
static int
ls_summary(struct lsctx *x)
{
	static const char *const order[] = { "working", "idle", "starting",
	    "exited", "unknown", NULL };
	const char	*sep = "";
	int		 i, k, n, need = 0;

	if (opt_host != NULL)
		printf("%s: ", opt_host);

	for (k = 0; order[k] != NULL; k++) {
		for (i = n = 0; i < x->n; i++)
			n += strcmp(x->rows[i].state, order[k]) == 0;
		if (n > 0) {
			printf("%s%d %s", sep, n, order[k]);
			sep = " · ";
		}
	}
	for (i = 0; i < x->n; i++) {
		if (strcmp(x->rows[i].state, "confirm") != 0 &&
		    strcmp(x->rows[i].state, "input") != 0 &&
		    strcmp(x->rows[i].state, "error") != 0)
			continue;
		if (need++ == 0) {
			for (k = n = 0; k < x->n; k++)
				n += strcmp(x->rows[k].state, "confirm") == 0 ||
				    strcmp(x->rows[k].state, "input") == 0 ||
				    strcmp(x->rows[k].state, "error") == 0;
			printf("%s%d needs you: ", sep, n);
		} else
			fputs(", ", stdout);
		printf("%s (%s)", x->rows[i].name, x->rows[i].state);
	}
	if (x->n == 0)
		fputs("no sessions", stdout);
	putchar('\n');
	for (i = 0; i < x->n; i++) {
		free(x->rows[i].name);
		free(x->rows[i].state);
		free(x->rows[i].cmd);
		free(x->rows[i].detail);
		free(x->rows[i].profile);
		free(x->rows[i].dir);
		free(x->rows[i].mode);
	}
	free(x->rows);
	return (0);
}

static void
json_member(const char *key, const char *val)
{
	printf(",\"%s\":", key);
	print_json_string(val, strlen(val));
}

/*
 * ls: NAME STATE COMMAND AGE PROFILE AUTOCONFIRM, tab-separated (padded,
 * with a header, on a terminal); --json: one object per session.
 */
int
cmd_ls(int argc, char **argv)
{
	struct lsctx	 x;
	struct lsrow	*r;
	int		 i, k, tty, w[6] = { 4, 5, 7, 3, 7, 11 }, summary = 0;
	char		 ts[40];
	const char	*col[6];

	memset(&x, 0, sizeof x);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			x.json = 1;
		else if (strcmp(argv[i], "--summary") == 0)
			summary = 1;
		else
			usage();
	}
	if (summary && x.json)
		usage();
	call("ls", NULL, ls_row, &x);
	if (summary)
		return (ls_summary(&x));
	/* What a person reads: no control byte from the wire reaches the
	 * terminal (the JSON below escapes on its own). */
	for (i = 0; i < x.n && !x.json; i++) {
		char	**cols[] = { &x.rows[i].name, &x.rows[i].state,
		    &x.rows[i].cmd, &x.rows[i].profile, &x.rows[i].mode };
		char	*raw;

		for (k = 0; k < (int)(sizeof cols / sizeof cols[0]); k++) {
			raw = *cols[k];
			*cols[k] = esc_dup(raw, strlen(raw));
			free(raw);
		}
	}
	if (isatty(1) && !x.json && opt_host != NULL)
		printf("host %s\n", opt_host);
	tty = isatty(1) && !x.json;
	for (i = 0; i < x.n && tty; i++) {
		r = &x.rows[i];
		col[0] = r->name;
		col[1] = r->state;
		col[2] = r->cmd;
		col[3] = r->age;
		col[4] = r->profile;
		col[5] = r->ac;
		for (k = 0; k < 6; k++) {
			if ((int)strlen(col[k]) > w[k])
				w[k] = (int)strlen(col[k]);
		}
	}
	if (tty)
		printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w[0], "NAME",
		    w[1], "STATE", w[2], "COMMAND", w[3], "AGE", w[4], "PROFILE",
		    w[5], "AUTOCONFIRM", "MODE");
	for (i = 0; i < x.n; i++) {
		r = &x.rows[i];
		if (x.json) {
			fputs("{\"host\":", stdout);
			if (opt_host != NULL)
				print_json_string(opt_host, strlen(opt_host));
			else
				fputs("null", stdout);
			json_member("name", r->name);
			json_member("state", r->state);
			json_member("command", r->cmd);
			printf(",\"created\":%lld,\"age\":%lld,"
			    "\"autoconfirm\":%s,\"autoconfirm_until\":",
			    r->created, (long long)time(NULL) - r->created,
			    r->confirm ? "true" : "false");
			if (r->confirm && r->until != 0) {
				format_time(ts, sizeof ts, r->until);
				printf("\"%s\"", ts);
			} else
				fputs("null", stdout);
			json_member("detail", r->detail);
			json_member("profile", r->profile);
			json_member("dir", r->dir);
			json_member("mode", strcmp(r->mode, "-") == 0 ? "" :
			    r->mode);
			if (r->pid > 0)
				printf(",\"pid\":%lld}\n", r->pid);
			else
				fputs(",\"pid\":null}\n", stdout);
		} else if (tty) {
			printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w[0],
			    r->name, w[1], r->state, w[2], r->cmd, w[3],
			    r->age, w[4], r->profile, w[5], r->ac, r->mode);
		} else {
			printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r->name,
			    r->state, r->cmd, r->age, r->profile, r->ac,
			    r->mode);
		}
		free(r->name);
		free(r->state);
		free(r->cmd);
		free(r->detail);
		free(r->profile);
		free(r->dir);
		free(r->mode);
	}
	free(x.rows);
	return (0);
}

int
cmd_ping(int argc, char **argv)
{

	(void)argv;
	if (argc != 1)
		usage();
	call("ping", NULL, NULL, NULL);
	return (0);
}

/* A Prometheus label value: \\, \" and \n escaped. */
static void
prom_label(const char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\\' || p[i] == '"')
			printf("\\%c", p[i]);
		else if (p[i] == '\n')
			fputs("\\n", stdout);
		else
			putchar(p[i]);
	}
}

static void
prom_head(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* ls rows counted by state, for the metrics. */
static void
metrics_row(struct field *f, int nf, void *arg)
{
	int		*count = arg;
	enum state	 st;
	char		 s[16];

	if (nf < 2 || f[1].n >= sizeof s)
		return;
	memcpy(s, f[1].p, f[1].n);
	s[f[1].n] = '\0';
	if (state_parse(s, &st) == 0)
		count[st]++;
}

/* The value of key in a status reply's fields, or NULL. */
static const char *
status_value(struct reply *r, const char *key, char *out, size_t len)
{
	size_t	 k = strlen(key);
	int	 i;

	for (i = 2; i < r->nf; i++) {
		if (r->f[i].n > k && r->f[i].p[k] == '=' &&
		    memcmp(r->f[i].p, key, k) == 0) {
			snprintf(out, len, "%.*s", (int)(r->f[i].n - k - 1),
			    r->f[i].p + k + 1);
			return (out);
		}
	}
	return (NULL);
}

/*
 * The agent's counters in Prometheus's text exposition format (version
 * 0.0.4): the status reply, and the sessions by state from an ls on the same
 * connection.
 */
static void
print_metrics(struct conn *c, struct reply *r)
{
	static const struct {
		const char	*key, *name, *type, *help;
	} simple_m[] = {
		{ "uptime", "cm_uptime_seconds", "gauge",
		  "Seconds since the agent started." },
		{ "clients", "cm_clients", "gauge", "Clients connected." },
		{ "events", "cm_events_total", "counter",
		  "Events sent since the agent started." },
		{ "confirms", "cm_autoconfirms_total", "counter",
		  "Prompts auto-confirm answered." },
		{ "spawns", "cm_tmux_jobs_total", "counter",
		  "tmux processes started." },
		{ "job_failures", "cm_tmux_job_failures_total", "counter",
		  "tmux processes that failed or timed out." },
		{ "ctl_restarts", "cm_control_restarts_total", "counter",
		  "tmux control clients started again." },
		{ "captures", "cm_captures_total", "counter",
		  "Screens read." },
		{ NULL, NULL, NULL, NULL }
	};
	struct buf	 dec;
	struct reply	 lr;
	char		 v[256], ver[64] = "", inst[64] = "", *l, *nl, *c1, *c2;
	int		 i, count[S_NSTATES];

	/* What the next request overwrites: keep it. */
	buf_init(&dec, CM_REPLY_LINE_MAX);
	for (i = 2; i < r->nf; i++) {
		if (r->f[i].n > 9 && memcmp(r->f[i].p, "decision=", 9) == 0) {
			(void)buf_add(&dec, r->f[i].p + 9, r->f[i].n - 9);
			(void)buf_add(&dec, "\n", 1);
		}
	}
	(void)buf_add(&dec, "", 1);
	if (status_value(r, "version", ver, sizeof ver) == NULL)
		ver[0] = '\0';
	if (status_value(r, "instance", inst, sizeof inst) == NULL)
		inst[0] = '\0';
	prom_head("cm_up", "gauge", "1: the agent answered.");
	printf("cm_up 1\n");
	prom_head("cm_info", "gauge", "The agent's version and instance.");
	fputs("cm_info{version=\"", stdout);
	prom_label(ver, strlen(ver));
	fputs("\",instance=\"", stdout);
	prom_label(inst, strlen(inst));
	printf("\"} 1\n");
	for (i = 0; simple_m[i].key != NULL; i++) {
		if (status_value(r, simple_m[i].key, v, sizeof v) == NULL ||
		    v[strspn(v, "0123456789")] != '\0' || v[0] == '\0')
			continue;
		prom_head(simple_m[i].name, simple_m[i].type, simple_m[i].help);
		printf("%s %s\n", simple_m[i].name, v);
	}
	prom_head("cm_autoconfirm_decisions_total", "counter",
	    "Auto-confirm's decisions by action and rule.");
	for (l = buf_ptr(&dec); (nl = strchr(l, '\n')) != NULL; l = nl + 1) {
		/* ACTION:N:RULE */
		*nl = '\0';
		if ((c1 = strchr(l, ':')) == NULL ||
		    (c2 = strchr(c1 + 1, ':')) == NULL)
			continue;
		fputs("cm_autoconfirm_decisions_total{action=\"", stdout);
		prom_label(l, (size_t)(c1 - l));
		fputs("\",rule=\"", stdout);
		prom_label(c2 + 1, strlen(c2 + 1));
		printf("\"} %.*s\n", (int)(c2 - c1 - 1), c1 + 1);
	}
	buf_free(&dec);
	memset(count, 0, sizeof count);
	simple(c, "ls", NULL, metrics_row, count, &lr);
	prom_head("cm_sessions", "gauge", "Sessions by state.");
	for (i = 0; i < S_NSTATES; i++)
		printf("cm_sessions{state=\"%s\"} %d\n", state_name(i),
		    count[i]);
}

/*
 * status: "KEY<tab>VALUE" lines, uptime as 3h12m and times in ISO 8601;
 * --json: one object, numbers as the agent sent them.
 */
int
cmd_status(int argc, char **argv)
{
	struct conn	 c;
	struct reply	 r;
	int		 i, json = 0, metrics = 0, ndec = 0;
	char		*eq, key[64], val[256], *end;
	long long	 v;
	size_t		 kn;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--metrics") == 0)
			metrics = 1;
		else
			usage();
	}
	if (json && metrics)
		usage();
	connect_or_die(&c);
	simple(&c, "status", NULL, NULL, NULL, &r);
	if (metrics) {
		print_metrics(&c, &r);
		conn_close(&c);
		return (0);
	}
	if (json) {
		fputs("{\"socket\":", stdout);
		print_json_string(c.path, strlen(c.path));
		if (opt_host != NULL) {
			fputs(",\"host\":", stdout);
			print_json_string(opt_host, strlen(opt_host));
		}
	} else {
		if (opt_host != NULL)
			printf("host\t%s\n", opt_host);
		fputs("socket\t", stdout);
		print_text(c.path);
		putchar('\n');
	}
	for (i = 2; i < r.nf; i++) {
		eq = memchr(r.f[i].p, '=', r.f[i].n);
		if (eq == NULL)
			continue;
		kn = (size_t)(eq - r.f[i].p);
		snprintf(key, sizeof key, "%.*s", (int)kn, r.f[i].p);
		snprintf(val, sizeof val, "%.*s", (int)(r.f[i].n - kn - 1),
		    eq + 1);
		errno = 0;
		v = strtoll(val, &end, 10);
		if (json && strcmp(key, "decision") == 0) {
			/* ACTION:N:RULE, one field each: an array. */
			printf("%s", ndec++ == 0 ? ",\"decisions\":[" : ",");
			print_json_string(val, strlen(val));
			continue;
		}
		if (json && ndec > 0) {
			fputs("]", stdout);
			ndec = -1000;
		}
		if (json) {
			printf(",\"%s\":", key);
			if (*val != '\0' && *end == '\0' && errno == 0 &&
			    strcmp(key, "version") != 0 &&
			    strcmp(key, "instance") != 0)
				printf("%lld", v);
			else
				print_json_string(val, strlen(val));
			continue;
		}
		if (strcmp(key, "uptime") == 0 && *end == '\0')
			format_age(val, sizeof val, v);
		else if (strcmp(key, "started") == 0 && *end == '\0')
			format_time(val, sizeof val, (int64_t)v * 1000);
		/* From the wire: escaped on its way to a person. */
		print_text(key);
		putchar('\t');
		print_text(val);
		putchar('\n');
	}
	if (json)
		fputs(ndec > 0 ? "]}\n" : "}\n", stdout);
	conn_close(&c);
	return (0);
}

/* TIME SESSION ACTION RULE KEYS PROMPT */
static void
log_row(struct field *f, int nf, void *arg)
{
	int	 i;

	(void)arg;
	if (nf < 6)
		return;
	for (i = 0; i < 6; i++) {
		if (i > 0)
			putchar('\t');
		print_escaped(&f[i]);
	}
	putchar('\n');
}

int
cmd_log(int argc, char **argv)
{
	struct buf	 a;

	if (argc > 2)
		usage();
	buf_init(&a, CM_LINE_MAX);
	if (argc == 2) {
		check_name(&argv[1]);
		arg_adds(&a, argv[1]);
	}
	call("log", &a, log_row, NULL);
	return (0);
}
