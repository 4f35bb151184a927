/*
 * cm.c: the command line's frame.  main() takes the global options (-H,
 * --via, CM_HOST, CM_VIA, the config's "use"), hands several hosts to
 * hosts.c, and dispatches the command from the table; the commands live in
 * verbs.c (one session), listing.c (ls, status, log), watch.c (watch, wait,
 * attach), hosts.c (bridge, tunnel, fan-out), local.c (detect, rules,
 * config, use); the connection to the agent in conn.c, following a
 * session's events in follow.c, output in output.c; what crosses files is
 * in cli.h.  Here also the helpers every command uses to read its
 * arguments and to fail.
 *
 * Invariants: the exit codes and messages of cli.h's invariants; every
 * write to stdout is checked once, after the command (dispatch); a numeric
 * argument is checked whole (parse_count), a session name before anything
 * is sent (check_name).
 */

#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm.h"
#include "cli.h"

typedef int	 cmd_fn(int, char **);

struct command {
	const char	*name;
	cmd_fn		*fn;
	const char	*usage;
	const char	*help;
};

static const struct command *current;
const char	*opt_host;	/* -H or CM_HOST: the agent is there */
const char	*opt_via;	/* --via or CM_VIA: a command to reach it */
const char	*hosts[CM_HOSTS_MAX];
int		 nhosts;
const char	*self_path;

void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: cm %s\n", current->usage);
	exit(2);
}

void __attribute__((format(printf, 1, 2), noreturn))
die(const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fputs("cm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * A session named on the command line: "name", or "host:name", which means
 * -H host.  Exits 2 on a malformed name.
 */
void
check_name(char **namep)
{
	static char	 host[256];
	char		*name = *namep, *colon;

	if ((colon = strrchr(name, ':')) != NULL) {
		if ((size_t)(colon - name) >= sizeof host || colon == name) {
			fprintf(stderr, "cm: bad host in '%s'\n", name);
			exit(2);
		}
		memcpy(host, name, (size_t)(colon - name));
		host[colon - name] = '\0';
		/* The session's own host wins over -H. */
		if (opt_via != NULL) {
			fprintf(stderr, "cm: '%s' names a host, and --via is "
			    "given\n", name);
			exit(2);
		}
		opt_host = host;
		name = *namep = colon + 1;
	}
	if (!proto_valid_name(name, strlen(name))) {
		fprintf(stderr, "cm: bad session name '%s' (letters, digits, "
		    "_ . -; at most %d; no leading -)\n", name, CM_NAME_MAX);
		exit(2);
	}
}

/* "cm CMD --help" (or -h) prints the command's usage and help. */
static void
maybe_help(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("usage: cm %s\n%s\n", current->usage, current->help);
		exit(0);
	}
}

static int
cmd_agent(int argc, char **argv)
{
	return (agent_main(argc, argv));
}

/* A count from the command line (0..INT_MAX), or a usage error. */
long long
parse_count(const char *s, const char *what)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > INT_MAX) {
		fprintf(stderr, "cm: %s: bad number '%s'\n", what, s);
		exit(2);
	}
	return (v);
}

void
sleep_ms(int ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int64_t
wall_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static int
cmd_demo(int argc, char **argv)
{
	return (demo_main(argc, argv, self_path));
}

static int	cmd_help(int, char **);

static const struct command commands[] = {
	{ "agent", cmd_agent, "agent [-fv] [--strict] [-S socket]",
	  "Start the agent (background unless -f; one running is fine unless "
	  "--strict)." },
	{ "new", cmd_new,
	  "new [-y] [-n name] [-C dir] [-e var=value] [--profile name]\n"
	  "          [--task text] [--wait [-t secs]] [--no-wait] [--json] [--] "
	  "command [arg ...]",
	  "Create a session running command (no shell); print its name." },
	{ "send", cmd_send,
	  "send [-n] [--wait [-t secs]] [--json] name text ... | "
	  "send ... name -",
	  "Type text (or stdin) into the session and press Enter (-n: "
	  "don't)." },
	{ "keys", cmd_keys, "keys [--wait [-t secs]] [--json] name key ...",
	  "Press keys by tmux name: Enter, Escape, C-c, Up, Tab, F1, ..." },
	{ "ls", cmd_ls, "ls [--json | --summary]",
	  "List sessions: name, state, command, age." },
	{ "show", cmd_show, "show [-e] name",
	  "Print the session's screen (-e: with escape sequences)." },
	{ "kill", cmd_kill, "kill [--json] name", "End the session." },
	{ "watch", cmd_watch, "watch [--json] [--no-snapshot] [name ...] | "
	  "watch --on event,... [--timeout secs]\n          [--done-after secs] "
	  "[name ...] --exec command [arg ...]",
	  "Print one line per event: time, session, state, detail." },
	{ "wait", cmd_wait, "wait [-t seconds] [--after seq] name state ...",
	  "Wait until the session is in one of the states (exit 1 on "
	  "timeout)." },
	{ "ping", cmd_ping, "ping", "Exit 0 if the agent answers." },
	{ "status", cmd_status, "status [--json | --metrics]",
	  "Print the agent's uptime, sessions, clients, events, confirms." },
	{ "confirm", cmd_confirm,
	  "confirm [--json] name on|off [--for duration]",
	  "Turn auto-confirm on or off (--for 2h: for a time)." },
	{ "log", cmd_log, "log [name]",
	  "Print the audit log of auto-confirms and denials." },
	{ "rules", cmd_rules, "rules [--check [file] | --explain COMMAND [--dir DIR]]",
	  "Print the auto-confirm rules, or check a rules file." },
	{ "detect", cmd_detect,
	  "detect [--json] [--dead] [--fg-job] [--dir dir] [--host name]\n"
	  "          [--profile name] [--profile-file file] [--title text]\n"
	  "          [--quiet ms] [--cursor row] [file ...]",
	  "Classify screens (files or stdin): state and approving keys, "
	  "prompt, rule, decision, the CLI's own mode." },
	{ "bridge", cmd_bridge, "bridge [--raw]",
	  "Connect stdin and stdout to the agent's socket, logged in "
	  "(--raw: not)." },
	{ "tunnel", cmd_tunnel, "tunnel [status|close]",
	  "Show or end the ssh master and forward to the -H host." },
	{ "remote-hello", cmd_remote_hello, "remote-hello",
	  "(used through ssh by -H) start an agent if none, print its "
	  "socket and token." },
	{ "attach", cmd_attach, "attach [name]",
	  "Take over the session's terminal (no name: the one that asked "
	  "for you last)." },
	{ "use", cmd_use, "use [host | local]",
	  "Print or set the default host of every command (CM_HOST and -H "
	  "win)." },
	{ "config", cmd_config, "config [--check [file]]",
	  "Print the config file's settings, or check it (file:line: "
	  "message)." },
	{ "demo", cmd_demo, "demo [--answer yes|no]",
	  "Show what cm does, on a stand-in CLI, with a private agent and "
	  "tmux." },
	{ "help", cmd_help, "help", "Print this help." },
	{ NULL, NULL, NULL, NULL }
};

void
print_usage(FILE *f)
{
	int	 i;

	fprintf(f, "usage: cm [-H [user@]host[:port] ...] [--via command] "
	    "command [arg ...]\n");
	for (i = 0; commands[i].name != NULL; i++)
		fprintf(f, "  cm %s\n", commands[i].usage);
}

static int
cmd_help(int argc, char **argv)
{
	int	 i;

	(void)argc;
	(void)argv;
	printf("cm %s: run and steer terminal programs in tmux.\n",
	    CM_VERSION);
	print_usage(stdout);
	printf("\n");
	for (i = 0; commands[i].name != NULL; i++)
		printf("  %-7s %s\n", commands[i].name, commands[i].help);
	return (0);
}

/*
 * "-H all": every "host NAME" line of the config file
 * ($XDG_CONFIG_HOME/cm/config), in order.
 */
static int
expand_all_hosts(void)
{
	static struct cm_config	 cfg;
	const char		*keep[CM_HOSTS_MAX];
	int			 i, n = 0, all = 0, k;

	for (i = 0; i < nhosts; i++) {
		if (strcmp(hosts[i], "all") == 0)
			all = 1;
		else
			keep[n++] = hosts[i];
	}
	if (!all)
		return (0);
	/* config.c's reader: a line is a line whatever its length (an
	 * fgets of 300 bytes here took a long line's tail as a line). */
	(void)config_read(NULL, &cfg, config_quiet);
	for (k = 0; k < cfg.nhosts; k++) {
		if (n == CM_HOSTS_MAX) {
			fprintf(stderr, "cm: more than %d hosts\n",
			    CM_HOSTS_MAX);
			return (-1);
		}
		keep[n++] = cfg.hosts[k];
	}
	if (n == 0) {
		fprintf(stderr, "cm: -H all: no \"host NAME\" lines in %s\n",
		    cfg.path[0] != '\0' ? cfg.path : "the config file");
		return (-1);
	}
	for (i = 0; i < n; i++)
		hosts[i] = keep[i];
	nhosts = n;
	opt_host = n == 1 ? hosts[0] : NULL;
	return (0);
}

/*
 * "-H host" may also follow the command's name, among its options (for ls,
 * watch and the like, anywhere): take those out.  Returns the new argc, -1
 * if there are too many hosts.
 */
static int
take_hosts(int argc, char **argv)
{
	static const char *const valued[] = { "-n", "-C", "--task", "-e",
	    "--profile", "-t", "--for", "--title", "--on", "--timeout",
	    "--done-after", "--after", NULL };
	int	 i, k, anywhere;

	anywhere = strcmp(argv[1], "ls") == 0 ||
	    strcmp(argv[1], "watch") == 0 || strcmp(argv[1], "ping") == 0 ||
	    strcmp(argv[1], "status") == 0 || strcmp(argv[1], "tunnel") == 0;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0 || strcmp(argv[i], "--exec") == 0)
			break;
		if (strcmp(argv[i], "-H") == 0 && i + 1 < argc) {
			if (nhosts == CM_HOSTS_MAX) {
				fprintf(stderr, "cm: more than %d hosts\n",
				    CM_HOSTS_MAX);
				return (-1);
			}
			hosts[nhosts++] = opt_host = argv[i + 1];
			for (k = i; k + 2 <= argc; k++)
				argv[k] = argv[k + 2];
			argc -= 2;
			i--;
			continue;
		}
		if (argv[i][0] != '-') {
			if (!anywhere)
				break;
			continue;
		}
		for (k = 0; valued[k] != NULL; k++) {
			if (strcmp(argv[i], valued[k]) == 0) {
				i++;	/* its value */
				break;
			}
		}
	}
	return (argc);
}

/*
 * The host a command goes to: -H, else CM_HOST, else the config's "use"
 * line; "local" in any of them means this machine.  Commands that are about
 * this machine only (the agent, its bridge, the demo, files) take none.
 */
static void
default_host(const char *cmd)
{
	static const char *const here[] = { "agent", "bridge",
	    "remote-hello", "demo", "detect", "rules", "use", "config", "help",
	    NULL };
	static struct cm_config	 cfg;
	int			 i;

	if (opt_host != NULL && strcmp(opt_host, "local") == 0) {
		opt_host = NULL;
		return;
	}
	if (opt_host != NULL || opt_via != NULL || nhosts > 0)
		return;
	for (i = 0; here[i] != NULL; i++) {
		if (strcmp(cmd, here[i]) == 0)
			return;
	}
	(void)config_read(NULL, &cfg, config_quiet);
	if (cfg.use[0] != '\0' && strcmp(cfg.use, "local") != 0)
		opt_host = cfg.use;
}

int
main(int argc, char **argv)
{
	token_env_take();
	core_off();	/* the token is in this process from now on */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		die("signal: %s", strerror(errno));
	if (argc < 2) {
		print_usage(stderr);
		return (2);
	}
	self_path = argv[0];
	opt_host = getenv("CM_HOST");
	if (opt_host != NULL && *opt_host == '\0')
		opt_host = NULL;
	opt_via = getenv("CM_VIA");
	if (opt_via != NULL && *opt_via == '\0')
		opt_via = NULL;
	while (argc >= 3 && (strcmp(argv[1], "-H") == 0 ||
	    strcmp(argv[1], "--via") == 0)) {
		if (argv[1][1] != 'H')
			opt_via = argv[2];
		else if (nhosts == CM_HOSTS_MAX) {
			fprintf(stderr, "cm: more than %d hosts\n",
			    CM_HOSTS_MAX);
			return (2);
		} else
			hosts[nhosts++] = opt_host = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (nhosts > 1) {
		opt_host = NULL;
		return (several_hosts(argc - 1, argv + 1));
	}
	if (opt_host != NULL && opt_via != NULL) {
		fprintf(stderr, "cm: -H and --via do not go together\n");
		return (2);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		return (cmd_help(argc, argv));
	if (strcmp(argv[1], "--version") == 0) {
		printf("cm %s\n", CM_VERSION);
		return (0);
	}
	/* Hidden: the stand-in CLI that cm demo runs. */
	if (strcmp(argv[1], "fake-cli") == 0)
		return (fakecli_main(argc - 1, argv + 1));
	argc = take_hosts(argc, argv);
	if (argc < 0 || expand_all_hosts() == -1)
		return (2);
	if (nhosts > 1) {
		opt_host = NULL;
		return (several_hosts(argc - 1, argv + 1));
	}
	default_host(argv[1]);
	return (dispatch(argc, argv));
}

/* Run the command argv[1] with its arguments. */
int
dispatch(int argc, char **argv)
{
	int	 i, r;

	for (i = 0; commands[i].name != NULL; i++) {
		if (strcmp(argv[1], commands[i].name) == 0) {
			current = &commands[i];
			maybe_help(argc - 1, argv + 1);
			r = commands[i].fn(argc - 1, argv + 1);
			/* Every write to stdout, checked once: the error
			 * sticks to the stream. */
			if (fflush(stdout) == EOF || ferror(stdout))
				die("write: %s", strerror(errno ? errno : EIO));
			return (r);
		}
	}
	fprintf(stderr, "cm: unknown command '%s'\n", argv[1]);
	print_usage(stderr);
	return (2);
}
