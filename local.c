/*
 * local.c: the commands about this machine's files, which need no agent:
 * detect (classify screens), rules (print, --check, --explain), config and
 * use; and the reading of the user's profiles, which new checks too.
 *
 * Invariants: what these print is what the agent would do with the same
 * files (the same parsers: profile_load, rules_load, config_read); rules
 * asks the running agent, if any, only whether its rules parsed.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"
#include "cli.h"

/*
 * Load the user's profile files (as the agent does) and, if extra is not
 * NULL, the profile file extra on top.  Errors are fatal when strict;
 * otherwise a directory that does not parse is left to the agent.
 */
int
load_profiles(const char *extra, int strict)
{
	char	 dir[CM_PATH_MAX], err[CM_PATH_MAX + 256];

	if (path_config(dir, sizeof dir, "profiles") == -1) {
		if (strict)
			die("profiles: path too long");
		return (-1);
	}
	if (profile_load(dir, extra, err, sizeof err) == -1) {
		if (strict)
			die("%s", err);
		return (-1);
	}
	return (0);
}

/* A profile the agent will know, or a usage error naming those it does. */
int
check_profile(const char *name, int strict)
{
	char	 names[CM_PROFILES_MAX * (CM_PROFILE_NAME_MAX + 2)];
	int	 i;

	if (load_profiles(NULL, strict) == -1)
		return (-1);
	if ((i = profile_find(name)) == -1) {
		profile_names(names, sizeof names);
		die("unknown profile '%s' (%s)", name, names);
	}
	return (i);
}

/* Classify one screen (file, or stdin when NULL) and print the verdict. */
static void
detect_one(const char *file, struct screen *sc, int profile,
    const struct ruleset *rs, const char *dir, int json)
{
	static const char *const kinds[] = { "none", "shell", "edit",
	    "question", "fetch", "tool" };
	struct buf	 in;
	struct verdict	 v;
	char		 decision[CM_PATH_MAX + 32];
	ssize_t		 n;
	int		 fd = 0;

	if (file != NULL && strcmp(file, "-") != 0 &&
	    (fd = open(file, O_RDONLY)) == -1)
		die("%s: %s", file, strerror(errno));
	buf_init(&in, CM_SCREEN_MAX);
	for (;;) {
		n = buf_read(&in, fd);
		if (n == 0)
			break;
		if (n == -1 && errno == ENOBUFS)
			die("%s: screen larger than %d bytes", file ? file :
			    "stdin", CM_SCREEN_MAX);
		if (n == -1)
			die("%s: %s", file ? file : "stdin", strerror(errno));
		if (n == CM_AGAIN && fd_wait(fd, POLLIN, -1) == -1)
			die("poll: %s", strerror(errno));
	}
	if (fd != 0)
		close(fd);
	sc->text = buf_ptr(&in);
	sc->len = in.len;
	confirm_classify(profile, sc, &v);
	(void)rules_verdict(rs, &v, dir, decision, sizeof decision);
	if (json) {
		fputs("{\"state\":", stdout);
		print_json_string(state_name(v.state),
		    strlen(state_name(v.state)));
		fputs(",\"keys\":", stdout);
		print_json_string(v.keys, strlen(v.keys));
		fputs(",\"prompt\":", stdout);
		print_json_string(v.detail, strlen(v.detail));
		fputs(",\"rule\":", stdout);
		print_json_string(v.rule, strlen(v.rule));
		fputs(",\"profile\":", stdout);
		print_json_string(profile_name(profile),
		    strlen(profile_name(profile)));
		fputs(",\"decision\":", stdout);
		print_json_string(decision, strlen(decision));
		fputs(",\"kind\":", stdout);
		print_json_string(kinds[v.kind], strlen(kinds[v.kind]));
		fputs(",\"subject\":", stdout);
		print_json_string(v.subject, strlen(v.subject));
		fputs(",\"mode\":", stdout);
		print_json_string(v.mode, strlen(v.mode));
		if (file != NULL) {
			fputs(",\"file\":", stdout);
			print_json_string(file, strlen(file));
		}
		fputs("}\n", stdout);
	} else
		printf("%s%s%s\n%s\n%s\n%s\n%s\n", state_name(v.state),
		    v.keys[0] ? " " : "", esc_dup(v.keys, strlen(v.keys)),
		    esc_dup(v.detail, strlen(v.detail)),
		    esc_dup(v.rule, strlen(v.rule)),
		    esc_dup(decision, strlen(decision)),
		    v.mode[0] ? v.mode : "-");
	buf_free(&in);
}

/*
 * Classify screens read from files (or stdin), as the agent would a pane
 * that has been quiet (or for --quiet MS, with the cursor on row --cursor,
 * after the program ended with --dead): the state and the approving keys,
 * then the prompt, then the rule that decided, then what auto-confirm
 * would do.  The user's profile files count, and --profile-file FILE on
 * top (its profile is used unless --profile names another).
 */
int
cmd_detect(int argc, char **argv)
{
	struct screen	 sc;
	struct ruleset	*rs;
	const char	*title = NULL, *dir = NULL, *rfile = NULL;
	const char	*host = NULL, *pname = NULL, *pfile = NULL, *base;
	char		 hostbuf[256];
	char		 cwd[CM_PATH_MAX], rpath[CM_PATH_MAX], err[512];
	int		 i, json = 0, profile, cursor = -1, dead = 0, nfiles = 0;
	int		 fg_job = 0;
	long long	 quiet = INT64_MAX / 2;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc)
			pname = argv[++i];
		else if (strcmp(argv[i], "--profile-file") == 0 && i + 1 < argc)
			pfile = argv[++i];
		else if (strcmp(argv[i], "--title") == 0 && i + 1 < argc)
			title = argv[++i];
		else if (strcmp(argv[i], "--quiet") == 0 && i + 1 < argc)
			quiet = parse_count(argv[++i], "--quiet");
		else if (strcmp(argv[i], "--cursor") == 0 && i + 1 < argc)
			cursor = (int)parse_count(argv[++i], "--cursor");
		else if (strcmp(argv[i], "--dead") == 0)
			dead = 1;
		else if (strcmp(argv[i], "--fg-job") == 0)
			fg_job = 1;
		else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--host") == 0 && i + 1 < argc)
			host = argv[++i];
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			usage();
		else
			argv[1 + nfiles++] = argv[i];	/* the screens */
	}
	load_profiles(pfile, 1);
	if (pname != NULL)
		profile = check_profile(pname, 1);
	else if (pfile != NULL) {
		base = strrchr(pfile, '/') != NULL ? strrchr(pfile, '/') + 1 :
		    pfile;
		profile = profile_find(base);
	} else
		profile = profile_find("generic");
	/* What auto-confirm would do, under this user's rules. */
	if (dir == NULL && (dir = getcwd(cwd, sizeof cwd)) == NULL)
		die("getcwd: %s", strerror(errno));
	if (path_config(rpath, sizeof rpath, "rules") == 0 &&
	    access(rpath, F_OK) == 0)
		rfile = rpath;
	if ((rs = rules_load(rfile, err, sizeof err)) == NULL)
		die("%s", err);
	/* tmux's default title is the host name: the program set none. */
	if (host == NULL && gethostname(hostbuf, sizeof hostbuf) == 0) {
		hostbuf[sizeof hostbuf - 1] = '\0';
		host = hostbuf;
	}
	sc.title = title;
	sc.title_default = title != NULL && host != NULL &&
	    strcmp(title, host) == 0;
	sc.dead = dead;
	sc.quiet_ms = quiet;
	sc.cursor_y = cursor;
	sc.fg_job = fg_job;
	for (i = 0; i < (nfiles > 0 ? nfiles : 1); i++) {
		if (nfiles > 1 && !json)
			printf("%s== %s\n", i > 0 ? "\n" : "", argv[1 + i]);
		detect_one(nfiles > 0 ? argv[1 + i] : NULL, &sc, profile, rs,
		    dir, json);
	}
	rules_free(rs);
	return (0);
}

/* Print the built-in rules and the user's; --check validates a file. */
/*
 * cm rules --explain 'COMMAND' [--dir DIR]: how cm reads a shell command and
 * what auto-confirm would do with a prompt to run it, under your rules.
 */
static int
rules_explain(int argc, char **argv)
{
	struct ruleset	*rs;
	struct verdict	*v;
	const char	*cmd = NULL, *dir = NULL, *file = NULL;
	char		 path[CM_PATH_MAX], cwd[CM_PATH_MAX], err[512];
	char		 rule[CM_PATH_MAX + 300];
	int		 i, a;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (cmd == NULL)
			cmd = argv[i];
		else
			usage();
	}
	if (cmd == NULL)
		usage();
	if (strlen(cmd) >= CM_SUBJECT_MAX)
		die("command longer than %d bytes: cm would ask",
		    CM_SUBJECT_MAX - 1);
	if (dir == NULL && (dir = getcwd(cwd, sizeof cwd)) == NULL)
		die("getcwd: %s", strerror(errno));
	if (path_config(path, sizeof path, "rules") == 0 &&
	    access(path, F_OK) == 0)
		file = path;
	if ((rs = rules_load(file, err, sizeof err)) == NULL)
		die("%s", err);
	v = xcalloc(1, sizeof *v);
	v->state = S_CONFIRM;
	v->kind = PK_SHELL;
	snprintf(v->subject, sizeof v->subject, "%s", cmd);
	snprintf(v->detail, sizeof v->detail, "%s", cmd);
	v->rows = 1;
	strcpy(v->keys, "Enter");
	printf("command: %s\n", cmd);
	printf("directory: %s\n", dir);
	(void)policy_shell(rs, cmd, strlen(cmd), dir, rule, sizeof rule,
	    stdout);
	a = rules_verdict(rs, v, dir, rule, sizeof rule);
	printf("decision: %s\n", rule);
	free(v);
	rules_free(rs);
	return (a == RULE_ALLOW ? 0 : 3);
}

int
cmd_rules(int argc, char **argv)
{
	struct ruleset	*rs;
	struct conn	 c;
	struct reply	 r;
	char		 path[CM_PATH_MAX], err[512], line[1024];
	const char	*file = NULL;
	FILE		*f;
	int		 rc = 0, absent, i;

	if (argc >= 2 && strcmp(argv[1], "--check") == 0) {
		if (argc > 3)
			usage();
		if (argc == 3)
			file = argv[2];
		else if (path_config(path, sizeof path, "rules") == 0)
			file = path;
		if ((rs = rules_load(file, err, sizeof err)) == NULL)
			die("%s", err);
		rules_free(rs);
		return (0);
	}
	if (argc >= 2 && strcmp(argv[1], "--explain") == 0)
		return (rules_explain(argc, argv));
	if (argc != 1)
		usage();
	rules_print_builtin(stdout);
	policy_print(stdout);
	if (path_config(path, sizeof path, "rules") == 0 &&
	    (f = fopen(path, "r")) != NULL) {
		printf("\n# Your rules, from %s:\n", path);
		while (fgets(line, sizeof line, f) != NULL)
			fputs(line, stdout);
		fclose(f);
		if ((rs = rules_load(path, err, sizeof err)) == NULL) {
			printf("\n# They do not parse: %s\n# An agent started "
			    "with them asks before every confirmation "
			    "(ask:rules-broken).\n", esc_dup(err, strlen(err)));
			rc = 1;
		} else
			rules_free(rs);
	}
	/* What the running agent, if any, is using. */
	if (conn_open(&c, err, sizeof err, &absent) == 0) {
		simple(&c, "status", NULL, NULL, NULL, &r);
		for (i = 2; i < r.nf; i++) {
			if (!proto_field_eq(&r.f[i], "rules=broken"))
				continue;
			printf("\n# The agent's rules did not parse when it "
			    "started: until a file that parses is loaded\n# "
			    "(kill -HUP the agent), auto-confirm asks before "
			    "every confirmation.\n");
			rc = 1;
		}
		conn_close(&c);
	}
	if (rc != 0)
		fprintf(stderr, "cm: the rules are broken: auto-confirm asks "
		    "for everything\n");
	return (rc);
}

void
config_quiet(const char *msg)
{
	(void)msg;	/* cm config --check says it */
}

static void
config_print(const char *msg)
{
	fprintf(stderr, "cm: %s\n", msg);
}

/*
 * "cm use": print the default host ("local" if none) and where it comes
 * from; "cm use HOST" or "cm use local" stores it in the config file.
 */
int
cmd_use(int argc, char **argv)
{
	struct cm_config	 cfg;
	char			 cause[512];
	const char		*env = getenv("CM_HOST");

	if (argc > 2 || (argc == 2 && argv[1][0] == '-'))
		usage();
	if (argc == 1) {
		(void)config_read(NULL, &cfg, config_print);
		if (env != NULL && *env != '\0')
			printf("%s\t(from CM_HOST)\n", env);
		else if (cfg.use[0] != '\0')
			printf("%s\t(from %s)\n", cfg.use, cfg.path);
		else
			printf("local\n");
		return (0);
	}
	if (!config_valid_host(argv[1]))
		die("bad host '%s' ([user@]host[:port], or local)", argv[1]);
	if (config_set_use(strcmp(argv[1], "local") == 0 ? NULL : argv[1],
	    cause, sizeof cause) == -1)
		die("%s", cause);
	if (env != NULL && *env != '\0')
		fprintf(stderr, "cm: note: CM_HOST=%s still wins in this "
		    "shell\n", env);
	return (0);
}

/* "cm config": the file and what it sets; --check: its errors, exit 1. */
int
cmd_config(int argc, char **argv)
{
	struct cm_config	 cfg;
	const char		*file = NULL;
	int			 check = 0, n, i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0 && !check)
			check = 1;
		else if (check && file == NULL && argv[i][0] != '-')
			file = argv[i];
		else
			usage();
	}
	(void)load_profiles(NULL, 0);	/* "profile NAME" may name one */
	n = config_read(file, &cfg, config_print);
	if (check)
		return (n == 0 ? 0 : 1);
	printf("file\t%s\n", cfg.path);
	printf("autoconfirm\t%s\n", cfg.autoconfirm == 1 ? "on" : "off");
	for (i = 0; i < CM_PROFILES_MAX; i++) {
		if (cfg.profile_confirm[i] != -1)
			printf("profile\t%s autoconfirm %s\n", profile_name(i),
			    cfg.profile_confirm[i] ? "on" : "off");
	}
	for (i = 0; i < cfg.nhosts; i++)
		printf("host\t%s\n", cfg.hosts[i]);
	printf("use\t%s\n", cfg.use[0] != '\0' ? cfg.use : "local");
	printf("done-after\t%d\n", cfg.done_after);
	printf("notify-timeout\t%d\n", cfg.notify_timeout);
	return (n == 0 ? 0 : 1);
}
