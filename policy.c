/*
 * policy.c: is this shell command known to be safe?  A command is approved
 * only if shell.c parsed all of it and every simple command in it is known
 * safe: a program in the table below, used only with the subcommands and
 * options the table allows, with no redirection that writes a file (other
 * than /dev/null) or reads a connection (/dev/tcp), no variable whose
 * value cm cannot see, no assignment that changes what runs; git only
 * where it would find no repository the agent could have written.
 * Programs that run another command (env, nice, timeout, xargs, sh -c) are
 * safe only if the command they run is.  A user's rules by command prefix
 * ("allow Bash(npm run lint:*)") come first.  Everything else is "ask": the
 * person decides.
 *
 * The table is data with a version, like the profiles: one row per program
 * (or program and subcommand), with its forbidden options, or the only
 * ones it may have, and what its operands may be.
 *
 * Invariants: never approves what it did not read whole; nesting is bounded
 * by SH_DEPTH_MAX; no allocation (parses live on the stack, one per level).
 */

#define _XOPEN_SOURCE 700	/* realpath */

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"

#define POLICY_VERSION	"2"

/* Row flags. */
#define SF_ANYARGS	0x01	/* no option does harm: patterns, ~ and
				   unknown operands (xargs) are fine */
#define SF_INSIDE	0x02	/* operands are paths inside the session's
				   directory */
#define SF_BUILD	0x04	/* the second tier: runs the project's code */
#define SF_NOOPERANDS	0x08	/* no operands at all */
#define SF_ONEOPERAND	0x10	/* at most one operand */
#define SF_WORDOPTS	0x20	/* options are whole words (find -exec) */
#define SF_SED		0x40	/* sed: only a print script */
#define SF_TARGETS	0x80	/* operands must be in targets (make) */
#define SF_FIRSTTARGET	0x100	/* the first operand must be (npm run) */
#define SF_PLUSOPTS	0x200	/* "+5f" is an option too (tail) */
#define SF_READS	0x400	/* reads the files its words name: none
				   may lead out of the session's
				   directory */

struct safe {
	const char	*prog;
	const char	*sub;	/* subcommand, or NULL */
	const char	*deny;	/* forbidden options, space-separated; a long
				   one also as an abbreviation; "-x*" a
				   prefix */
	const char	*only;	/* if set, the only options allowed */
	const char	*targets; /* SF_TARGETS: the operands allowed */
	int		 flags;
	const char	*what;	/* for explanations */
};

/* Known-safe programs, version POLICY_VERSION. */
/*
 * Known-safe programs, version POLICY_VERSION.  Columns: program,
 * subcommand, forbidden options, the only options allowed, the operands
 * allowed, flags, and what it does.
 */
#define RO(p, what)	{ p, NULL, NULL, NULL, NULL, SF_ANYARGS, what }
#define RD(p, what)	{ p, NULL, NULL, NULL, NULL, SF_ANYARGS | SF_READS, \
			  what }
#define NPM_ONLY	"-s --silent -q --quiet --if-present"
#define CARGO_ONLY	"-q --quiet -v --verbose -vv -r --release -p " \
	"--package --workspace --all --exclude --lib --bin --bins --example " \
	"--examples --test --tests --bench --benches --all-targets -F " \
	"--features --all-features --no-default-features -j --jobs " \
	"--keep-going --profile --target --offline --locked --frozen " \
	"--color --message-format"
#define GO_ONLY		"-v -x -n -a -p -race -msan -asan -tags -trimpath " \
	"-buildvcs"
static const struct safe table[] = {
	/* Read-only tools that no option makes harmful.  Those that read
	 * files (RD) only inside the session's directory: what they print
	 * goes to the model, and ~/.ssh or ~/.aws is the person's call. */
	RD("ls", "lists files"), RD("cat", "prints files"),
	RD("head", "prints files"),
	RD("wc", "counts"), RD("grep", "searches"), RD("egrep", "searches"),
	RD("fgrep", "searches"), RO("pwd", "prints the directory"),
	RO("echo", "prints its arguments"), RO("which", "finds programs"),
	RD("stat", "describes files"), RD("du", "measures disk use"),
	RO("df", "measures disk space"), RD("diff", "compares files"),
	RD("cmp", "compares files"), RD("nl", "numbers lines"),
	RD("cut", "cuts lines"), RO("tr", "translates bytes"),
	RO("basename", "prints a name"), RO("dirname", "prints a name"),
	RO("realpath", "prints a path"), RO("readlink", "prints a link"),
	RO("true", "does nothing"), RO("false", "does nothing"),
	RO("whoami", "prints the user"), RO("id", "prints the user"),
	RO("uname", "prints the system"),
	/* Read-only tools with options that write or run things. */
	{ "rg", NULL, "--pre --pre-glob -z --search-zip --hostname-bin",
	  NULL, NULL, SF_READS, "searches" },
	{ "printf", NULL, "-v", NULL, NULL, 0, "prints its arguments" },
	/* bash's test -v 'a[$(cmd)]' evaluates the subscript: runs cmd. */
	{ "test", NULL, "-v", NULL, NULL, 0, "tests files" },
	{ "[", NULL, "-v", NULL, NULL, 0, "tests files" },
	/* -f and +5f follow the file forever. */
	{ "tail", NULL, "-f -F --follow --retry", NULL, NULL, SF_PLUSOPTS |
	  SF_READS, "prints files" },
	{ "file", NULL, "-C --compile", NULL, NULL, SF_READS,
	  "tells file types" },
	/* tree -R writes 00Tree.html in every directory. */
	{ "tree", NULL, "-o -R", NULL, NULL, SF_READS, "lists files" },
	{ "sort", NULL, "-o --output --compress-program -T "
	  "--temporary-directory", NULL, NULL, SF_READS, "sorts" },
	{ "uniq", NULL, NULL, NULL, NULL, SF_ONEOPERAND | SF_READS,
	  "filters lines" },
	/* date MMDDhhmm sets the clock: only +FORMAT operands. */
	{ "date", NULL, "-s --set", NULL, "+*", SF_TARGETS,
	  "prints the date" },
	/* No cd: the CLIs keep the directory for the commands after it, and
	 * cm checks their paths, repository and Makefile against the
	 * session's directory. */
	{ "find", NULL, "-exec -execdir -ok -okdir -delete -fprint* -fls",
	  NULL, NULL, SF_WORDOPTS | SF_READS, "lists files" },
	{ "sed", NULL, NULL, "-n --quiet --silent -E -r -e", NULL, SF_SED,
	  "prints lines" },
	/* git's read-only subcommands; a global option before the
	 * subcommand (other than --no-pager) makes it ask. */
	{ "git", "status", NULL, NULL, NULL, 0, "shows the work tree" },
	{ "git", "log", "--output --ext-diff", NULL, NULL, SF_READS,
	  "shows history" },
	/* git diff --no-index reads any two files. */
	{ "git", "diff", "--output --ext-diff", NULL, NULL, SF_READS,
	  "shows changes" },
	{ "git", "show", "--output --ext-diff", NULL, NULL, SF_READS,
	  "shows objects" },
	{ "git", "branch", NULL, "-a --all -r --remotes -v -vv --verbose "
	  "--list -l --show-current --contains --no-contains --merged "
	  "--no-merged --sort --color --no-color --column --no-column",
	  NULL, SF_NOOPERANDS, "lists branches" },
	{ "git", "rev-parse", "--output", NULL, NULL, 0, "prints revisions" },
	{ "git", "ls-files", NULL, NULL, NULL, 0, "lists tracked files" },
	{ "git", "blame", "--output", NULL, NULL, SF_READS,
	  "shows line history" },
	{ "git", "describe", NULL, NULL, NULL, 0, "names a revision" },
	/* Changes inside the session's directory. */
	{ "mkdir", NULL, NULL, "-p --parents -v --verbose", NULL, SF_INSIDE,
	  "makes directories here" },
	{ "touch", NULL, NULL, "-c --no-create -a -m", NULL, SF_INSIDE,
	  "creates files here" },
	{ "git", "add", NULL, "-A --all -u --update -N --intent-to-add -v "
	  "--verbose -n --dry-run", NULL, SF_INSIDE, "stages files here" },
	/* The second tier: the project's own build and test commands.  They
	 * run code the agent may have edited, but only the project's: the
	 * only options allowed are those that change neither which code
	 * runs nor where it writes, and no word names a path outside. */
	{ "make", NULL, "-C --directory -f --file --makefile -e "
	  "--environment-overrides -I --include-dir --eval", "-j -k -s "
	  "--keep-going --silent --quiet -n --dry-run",
	  "all test check build lint", SF_BUILD | SF_TARGETS,
	  "builds or tests the project" },
	{ "npm", "test", NULL, NPM_ONLY, NULL, SF_BUILD, "tests the project" },
	{ "npm", "t", NULL, NPM_ONLY, NULL, SF_BUILD, "tests the project" },
	{ "npm", "run", NULL, NPM_ONLY, "build test", SF_BUILD |
	  SF_FIRSTTARGET, "builds or tests the project" },
	{ "pytest", NULL, NULL, "-x --exitfirst -q --quiet -v --verbose -vv "
	  "-vvv -s -l --showlocals -k -m --tb -n --lf --last-failed --ff "
	  "--failed-first --nf --new-first --sw --stepwise --maxfail --co "
	  "--collect-only --no-header --no-summary --disable-warnings "
	  "--durations --color --capture --runxfail --strict-markers "
	  "--ignore --deselect -W", NULL, SF_BUILD, "tests the project" },
	{ "cargo", "build", NULL, CARGO_ONLY, NULL, SF_BUILD,
	  "builds the project" },
	{ "cargo", "test", NULL, CARGO_ONLY " --no-run --no-fail-fast --doc",
	  NULL, SF_BUILD, "tests the project" },
	{ "cargo", "check", NULL, CARGO_ONLY, NULL, SF_BUILD,
	  "checks the project" },
	{ "go", "build", NULL, GO_ONLY, NULL, SF_BUILD | SF_WORDOPTS,
	  "builds the project" },
	{ "go", "test", NULL, GO_ONLY " -count -cpu -run -skip -bench "
	  "-benchtime -benchmem -short -timeout -failfast -parallel -json "
	  "-list -shuffle -cover -covermode -coverpkg -coverprofile -vet",
	  NULL, SF_BUILD | SF_WORDOPTS, "tests the project" },
	{ NULL, NULL, NULL, NULL, NULL, 0, NULL }
};

/* Programs with subcommands: the global options they may have before it. */
static const struct {
	const char	*prog;
	const char	*globals;
} subprogs[] = {
	{ "git", "--no-pager -P" },
	{ "npm", "" },
	{ "cargo", "" },
	{ "go", "" },
	{ NULL, NULL }
};

/* Where an absolute command name may live. */
static const char *const bindirs[] = {
	"/bin/", "/usr/bin/", "/usr/local/bin/", "/sbin/", "/usr/sbin/", NULL
};

/* Programs that run the command in their operands. */
static const char *const wrappers[] = {
	"env", "nice", "timeout", "nohup", "command", "xargs", "stdbuf",
	"sh", "bash", "dash", "zsh", "ksh", NULL
};

struct eval {
	const struct ruleset	*rs;
	const char		*dir;
	FILE			*ex;		/* explanations, or NULL */
	char			*rule;
	size_t			 rlen;
	int			 depth;
	int			 tier;		/* 2 if a build command ran */
};

const char *
policy_version(void)
{
	return (POLICY_VERSION);
}

/* Is word w in the space-separated list? "-x*" in the list is a prefix. */
static int
in_list(const char *list, const char *w)
{
	const char	*p = list, *e;
	size_t		 n, wl = strlen(w);

	if (list == NULL)
		return (0);
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, " ");
		n = (size_t)(e - p);
		if (n > 0 && p[n - 1] == '*') {
			if (wl >= n - 1 && memcmp(w, p, n - 1) == 0)
				return (1);
		} else if (n == wl && memcmp(w, p, n) == 0)
			return (1);
		p = e;
	}
	return (0);
}

/*
 * Is option o (a whole word, "--name[=value]") an abbreviation of, or equal
 * to, a "--long" option in list?  getopt_long takes any unambiguous prefix.
 */
static int
long_in_list(const char *list, const char *o)
{
	const char	*p = list, *e;
	size_t		 n, ol = strcspn(o, "=");

	if (list == NULL || ol < 3)
		return (0);
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, " ");
		n = (size_t)(e - p);
		if (n > 2 && p[0] == '-' && p[1] == '-' && ol <= n &&
		    memcmp(p, o, ol) == 0)
			return (1);
		p = e;
	}
	return (0);
}

/* Does the list hold the short option letter c ("-c")? */
static int
short_in_list(const char *list, char c)
{
	char	 o[3] = { '-', c, '\0' };

	return (in_list(list, o));
}

/* Put the reason in the rule and say so; returns RULE_ASK. */
static int
ask(struct eval *e, const char *fmt, const char *a, const char *b)
{
	char	 why[256];

	snprintf(why, sizeof why, fmt, a, b != NULL ? b : "");
	snprintf(e->rule, e->rlen, "ask:policy (%s)", why);
	if (e->ex != NULL)
		fprintf(e->ex, "    ask: %s\n", why);
	return (RULE_ASK);
}

static int	inside(const char *, const char *, char *, size_t, int);

/*
 * Is path (as written, relative to dir) inside dir?  No "..", no "~", not
 * an absolute path elsewhere, nothing under .git (its config runs
 * programs), and no existing part of it a symbolic link that leads out.
 * Returns 1 if inside, 0 with the reason in why.
 */
int
policy_inside(const char *path, const char *dir, char *why, size_t wlen)
{
	return (inside(path, dir, why, wlen, 0));
}

/* The same for a path only read: reading .git is fine. */
static int
policy_inside_read(const char *path, const char *dir, char *why, size_t wlen)
{
	return (inside(path, dir, why, wlen, 1));
}

static int
inside(const char *path, const char *dir, char *why, size_t wlen, int git_ok)
{
	char		 full[CM_PATH_MAX], real[PATH_MAX], rdir[PATH_MAX];
	const char	*p, *rel;
	size_t		 dl, k;
	struct stat	 sb;
	int		 n;

	if (dir == NULL || dir[0] != '/') {
		snprintf(why, wlen, "the session's directory is not known");
		return (0);
	}
	/* ':' starts git's pathspec magic (":/" is the repository's top). */
	if (path[0] == '\0' || path[0] == '~' || path[0] == '-' ||
	    path[0] == ':') {
		snprintf(why, wlen, "'%.100s' is not a path inside %.100s",
		    path, dir);
		return (0);
	}
	dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	rel = path;
	if (path[0] == '/') {
		if (strncmp(path, dir, dl) != 0 || (path[dl] != '/' &&
		    path[dl] != '\0')) {
			snprintf(why, wlen, "%.100s is outside %.100s", path,
			    dir);
			return (0);
		}
		rel = path + dl;
	}
	for (p = rel; *p != '\0'; p += k) {
		while (*p == '/')
			p++;
		k = strcspn(p, "/");
		/* .GIT is .git on a case-insensitive file system. */
		if ((k == 2 && memcmp(p, "..", 2) == 0) || (k == 4 &&
		    !git_ok && p[0] == '.' && (p[1] | 0x20) == 'g' &&
		    (p[2] | 0x20) == 'i' && (p[3] | 0x20) == 't')) {
			snprintf(why, wlen, "%.100s %s", path, k == 2 ?
			    "climbs out with .." : "is inside .git");
			return (0);
		}
	}
	/* Symbolic links: the deepest existing part must resolve inside. */
	n = snprintf(full, sizeof full, "%.*s/%s", (int)dl, dir, rel);
	if (n < 0 || (size_t)n >= sizeof full) {
		snprintf(why, wlen, "path too long");
		return (0);
	}
	if (realpath(dir, rdir) == NULL)
		return (1);	/* nothing there to lead anywhere */
	for (;;) {
		if (lstat(full, &sb) == 0)
			break;
		p = strrchr(full, '/');
		if (p == NULL || p == full)
			return (1);
		full[p - full] = '\0';
	}
	if (realpath(full, real) == NULL) {
		snprintf(why, wlen, "%.100s: %s", path, strerror(errno));
		return (0);
	}
	dl = strlen(rdir);
	if (strncmp(real, rdir, dl) != 0 || (real[dl] != '/' &&
	    real[dl] != '\0' && dl > 1)) {
		snprintf(why, wlen, "%.100s leads to %.100s, outside %.100s",
		    path, real, rdir);
		return (0);
	}
	return (1);
}

/*
 * Would git, started in dir, find a repository whose config the agent may
 * have written?  git takes the first directory up from dir that has a
 * .git, or that looks like a bare repository itself (a HEAD, objects/,
 * refs/), and runs the programs its config names (core.pager,
 * core.fsmonitor, diff.external).  An edit inside the session's directory
 * is approved, a .git never, so a HEAD on the way up is refused.  Returns
 * 1 if safe, 0 with the reason in why.
 */
static int
git_repo_safe(const char *dir, char *why, size_t wlen)
{
	char		 d[CM_PATH_MAX], path[CM_PATH_MAX + 8];
	char		*p;
	struct stat	 sb;

	if (dir == NULL || dir[0] != '/' || strlen(dir) >= sizeof d) {
		snprintf(why, wlen, "the session's directory is not known");
		return (0);
	}
	snprintf(d, sizeof d, "%s", dir);
	for (;;) {
		snprintf(path, sizeof path, "%s/.git", d);
		if (lstat(path, &sb) == 0)
			return (1);
		snprintf(path, sizeof path, "%s/HEAD", d);
		if (lstat(path, &sb) == 0) {
			snprintf(why, wlen, "%.200s may be taken for a bare "
			    "repository, whose config runs programs", d);
			return (0);
		}
		if ((p = strrchr(d, '/')) == NULL || (p == d && d[1] == '\0'))
			return (1);	/* no repository: git fails */
		if (p == d)
			p[1] = '\0';
		else
			*p = '\0';
	}
}

/* Has the path a ".." component? */
static int
climbs(const char *p)
{
	size_t	 k;

	for (; *p != '\0'; p += k) {
		p += strspn(p, "/");
		k = strcspn(p, "/");
		if (k == 2 && p[0] == '.' && p[1] == '.')
			return (1);
	}
	return (0);
}

/*
 * Does word w name a path outside the directory: absolute, "~", a ".."
 * component, as a whole or after an '=' ("--prefix=/tmp/x")?
 */
static int
names_outside(const char *w)
{
	const char	*v;

	for (v = w; v != NULL; v = strchr(v, '=')) {
		if (*v == '=')
			v++;
		if (v[0] == '/' || v[0] == '~' || climbs(v))
			return (1);
	}
	return (0);
}

/*
 * Does word w, given to a program that reads the files its words name,
 * name one outside the session's directory dir: as a whole, after an '='
 * ("--file=/x") or after a short option's letter ("-f/x"); starting with
 * "~", absolute and not under dir, with a ".." component, or through a
 * symbolic link that leads out?  A word that only looks like a path (a
 * pattern "/api/v1") is taken as one: the person decides.  Returns 1 with
 * the reason in why.
 */
static int
reads_outside(const char *w, const char *dir, char *why, size_t wlen)
{
	const char	*v, *c[3];
	int		 i, n = 0;

	c[n++] = w;
	if ((v = strchr(w, '=')) != NULL)
		c[n++] = v + 1;
	if (w[0] == '-' && w[1] != '-' && (v = strpbrk(w, "/~")) != NULL)
		c[n++] = v;
	for (i = 0; i < n; i++) {
		v = c[i];
		if (strcmp(v, "/dev/null") == 0)
			continue;	/* reads nothing */
		if (v[0] == '~' || climbs(v) || (v[0] == '/' &&
		    (dir == NULL || dir[0] != '/'))) {
			snprintf(why, wlen, "%.100s: reads outside the "
			    "session's directory", w);
			return (1);
		}
		if (v[0] == '/' || (i == 0 && v[0] != '-' && dir != NULL &&
		    dir[0] == '/')) {
			/* policy_inside: under dir, no link leading out (a
			 * .git is fine to read). */
			if (!policy_inside_read(v, dir, why, wlen))
				return (1);
		}
	}
	return (0);
}

/* sed -n with one script that only prints: "Np", "N,Mp", "N,$p", "/re/p". */
static int
sed_script_safe(const char *s)
{
	size_t	 k;

	if (s[0] == '/') {
		k = strcspn(s + 1, "/\\");
		return (s[1 + k] == '/' && strcmp(s + 2 + k, "p") == 0);
	}
	if (strcmp(s, "$p") == 0)
		return (1);
	k = strspn(s, "0123456789");
	if (k == 0)
		return (0);
	s += k;
	if (*s == ',') {
		s++;
		if (*s == '$')
			s++;
		else {
			k = strspn(s, "0123456789");
			if (k == 0)
				return (0);
			s += k;
		}
	}
	return (strcmp(s, "p") == 0);
}

/* May a row's program have option o (one word)? */
static int
option_ok(const struct safe *row, const char *o)
{
	char	 name[64], alt[64];
	size_t	 n = strcspn(o, "=");
	int	 j;

	if (n >= sizeof name)
		return (0);
	memcpy(name, o, n);
	name[n] = '\0';
	if (row->flags & SF_WORDOPTS) {
		/* "-exec"; Go's flags also as "--exec". */
		snprintf(alt, sizeof alt, "-%s", name + strspn(name, "-"));
		if (row->only != NULL)
			return (in_list(row->only, name));
		return (!in_list(row->deny, name) && !in_list(row->deny, alt));
	}
	if (row->only != NULL) {
		if (in_list(row->only, name))
			return (1);
		if (name[1] == '-')
			return (0);
		/* A cluster of allowed letters, or "-j4". */
		for (j = 1; name[j] != '\0' && short_in_list(row->only,
		    name[j]); j++)
			if (name[j] == 'j' && strspn(name + j + 1,
			    "0123456789") == strlen(name + j + 1))
				return (1);
		return (name[j] == '\0');
	}
	if (in_list(row->deny, name))
		return (0);
	if (name[1] == '-')
		return (!long_in_list(row->deny, o));
	/* "-uo": every letter is an option (the first that takes a value
	 * takes the rest, but reading them all errs to the safe side). */
	for (j = 1; name[j] != '\0'; j++) {
		if (short_in_list(row->deny, name[j]))
			return (0);
	}
	return (1);
}

/* sed: -n and one script that only prints; the rest are files it reads. */
static int
eval_sed(struct eval *e, const char *const *argv, const int *flags, int argc)
{
	char	 why[300];
	int	 i, quiet = 0, script = 0, dashdash = 0;

	for (i = 1; i < argc; i++) {
		if (!dashdash && strcmp(argv[i], "--") == 0)
			dashdash = 1;
		else if (!dashdash && argv[i][0] == '-' && argv[i][1] != '\0') {
			if (strcmp(argv[i], "-e") == 0 && i + 1 < argc &&
			    !script) {
				if (!sed_script_safe(argv[++i]))
					return (ask(e, "sed %s: a script that "
					    "does more than print", argv[i],
					    NULL));
				script = 1;
			} else if (in_list("-n --quiet --silent", argv[i]))
				quiet = 1;
			else if (!in_list("-E -r -nE -En -nr -rn", argv[i]))
				return (ask(e, "sed %s: an option cm does not "
				    "know to be safe", argv[i], NULL));
			else if (strchr(argv[i], 'n') != NULL)
				quiet = 1;
		} else if (!script) {
			if (!sed_script_safe(argv[i]))
				return (ask(e, "sed %s: a script that does "
				    "more than print", argv[i], NULL));
			script = 1;
		} else if (flags[i] & (SH_W_TILDE | SH_W_GLOB))
			/* A pattern may expand to a file named -i. */
			return (ask(e, "sed %s: a path the shell expands",
			    argv[i], NULL));
		else if (reads_outside(argv[i], e->dir, why, sizeof why))
			return (ask(e, "sed %.200s", why, NULL));
	}
	if (!quiet || !script)
		return (ask(e, "sed: only 'sed -n' with a print script is "
		    "known safe", NULL, NULL));
	if (e->ex != NULL)
		fprintf(e->ex, "    safe: sed -n (prints lines)\n");
	return (RULE_ALLOW);
}

static int	eval_argv(struct eval *, const char *const *, const int *, int);
static int	eval_string(struct eval *, const char *, size_t);

/*
 * A user's rule by command prefix for this command line (argv joined by
 * blanks): its action, or -1 for none.
 */
static int
user_rule(struct eval *e, const char *const *argv, int argc)
{
	char	 line[SH_INPUT_MAX + 1], rule[CM_PATH_MAX + 64];
	size_t	 len = 0, k;
	int	 i, a;

	if (e->rs == NULL)
		return (-1);
	for (i = 0; i < argc; i++) {
		k = strlen(argv[i]);
		if (len + k + 2 > sizeof line)
			return (-1);
		if (i > 0)
			line[len++] = ' ';
		memcpy(line + len, argv[i], k);
		len += k;
	}
	line[len] = '\0';
	if ((a = rules_command(e->rs, line, rule, sizeof rule)) == -1)
		return (-1);
	snprintf(e->rule, e->rlen, "%s", rule);
	if (e->ex != NULL)
		fprintf(e->ex, "    %s: your rule %s\n", rule_action_name(a),
		    rule);
	return (a);
}

/*
 * A program that runs another: the command it runs, as an index into argv,
 * or -1 if it runs none; *anyargs set if it appends operands cm cannot see.
 * Returns -2 (asked) for what cannot be read.
 */
static int
wrapped(struct eval *e, const char *prog, const char *const *argv,
    const int *flags, int argc, int *anyargs)
{
	int	 i = 1, k;

	*anyargs = 0;
	if (strcmp(prog, "env") == 0) {
		for (; i < argc; i++) {
			if (strcmp(argv[i], "-i") == 0 ||
			    strcmp(argv[i], "--ignore-environment") == 0)
				continue;
			if (strcmp(argv[i], "-u") == 0 && i + 1 < argc) {
				i++;
				continue;
			}
			if (strcmp(argv[i], "--") == 0) {
				i++;
				break;
			}
			if (argv[i][0] == '-')
				return (ask(e, "env %s: an option cm does not "
				    "know", argv[i], NULL), -2);
			if (strchr(argv[i], '=') != NULL)
				return (ask(e, "env %s: sets a variable for "
				    "the command", argv[i], NULL), -2);
			break;
		}
		if (i >= argc)
			return (ask(e, "env: prints the environment, secrets "
			    "and all", NULL, NULL), -2);
		return (i);
	}
	if (strcmp(prog, "nice") == 0) {
		if (i < argc && strcmp(argv[i], "-n") == 0)
			i += 2;
		else if (i < argc && argv[i][0] == '-' &&
		    strspn(argv[i] + 1, "0123456789") == strlen(argv[i] + 1))
			i++;
		return (i < argc ? i : -1);
	}
	if (strcmp(prog, "nohup") == 0 || strcmp(prog, "command") == 0) {
		if (strcmp(prog, "command") == 0 && i < argc &&
		    (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "-V") == 0))
			return (-1);	/* only tells what a name is */
		return (i < argc && argv[i][0] != '-' ? i : (i < argc ?
		    (ask(e, "%s %s: an option cm does not know", prog,
		    argv[i]), -2) : -1));
	}
	if (strcmp(prog, "timeout") == 0) {
		for (; i < argc && argv[i][0] == '-'; i++) {
			if (strcmp(argv[i], "-s") == 0 ||
			    strcmp(argv[i], "-k") == 0)
				i++;
			else if (strcmp(argv[i], "--preserve-status") != 0 &&
			    strcmp(argv[i], "--foreground") != 0 &&
			    strcmp(argv[i], "-v") != 0)
				return (ask(e, "timeout %s: an option cm does "
				    "not know", argv[i], NULL), -2);
		}
		i++;	/* the duration */
		return (i < argc ? i : -1);
	}
	if (strcmp(prog, "stdbuf") == 0) {
		for (; i < argc && argv[i][0] == '-'; i++)
			;
		return (i < argc ? i : -1);
	}
	if (strcmp(prog, "xargs") == 0) {
		for (; i < argc && argv[i][0] == '-'; i++) {
			if (in_list("-0 -r --null --no-run-if-empty -t "
			    "--verbose", argv[i]))
				continue;
			if (in_list("-n -P -L -d -s", argv[i]) &&
			    i + 1 < argc) {
				i++;
				continue;
			}
			if (strchr("nPLs", argv[i][1]) != NULL &&
			    strspn(argv[i] + 2, "0123456789") ==
			    strlen(argv[i] + 2) && argv[i][2] != '\0')
				continue;
			return (ask(e, "xargs %s: an option cm does not know",
			    argv[i], NULL), -2);
		}
		*anyargs = 1;
		return (i < argc ? i : -1);
	}
	/* sh -c 'string': read the string as a command of its own. */
	for (k = 1; k < argc && argv[k][0] == '-'; k++) {
		if (argv[k][1] == '\0')
			break;	/* "-" ends the options: a script follows */
		if (strcmp(argv[k], "-o") == 0 && k + 1 < argc &&
		    strcmp(argv[k + 1], "pipefail") == 0) {
			k++;
			continue;
		}
		if (strspn(argv[k] + 1, "ceuxv") != strlen(argv[k] + 1))
			return (ask(e, "%s %s: an option cm does not know",
			    prog, argv[k]), -2);
		if (strchr(argv[k], 'c') != NULL) {
			if (k + 1 >= argc || e->depth >= SH_DEPTH_MAX)
				return (ask(e, "%s -c: nested too deep or "
				    "missing its command", prog, NULL), -2);
			if (flags[k + 1] & SH_W_EXPAND)
				return (ask(e, "%s -c %s: the command is a "
				    "variable", prog, argv[k + 1]), -2);
			if (e->ex != NULL)
				fprintf(e->ex, "    %s -c runs: %s\n", prog,
				    argv[k + 1]);
			e->depth++;
			k = eval_string(e, argv[k + 1], strlen(argv[k + 1]));
			e->depth--;
			return (k == RULE_ALLOW ? -1 : -2 - (k == RULE_DENY));
		}
	}
	return (ask(e, "%s: runs a script cm cannot read", prog, NULL), -2);
}

/*
 * One simple command, as argv with each word's flags.  Returns RULE_ALLOW,
 * RULE_ASK or RULE_DENY (a user's deny rule), with the reason in e->rule.
 */
static int
eval_argv(struct eval *e, const char *const *argv, const int *flags,
    int argc)
{
	const struct safe	*t, *row = NULL;
	const char		*prog, *sub = NULL, *globals = NULL, *o;
	char			 why[300], pname[80];
	int			 i, j, a, start, anyargs, dashdash, subi = -1;
	int			 operands = 0;

	if (argc == 0)
		return (RULE_ALLOW);
	for (i = 0; i < argc; i++) {
		if (flags[i] & SH_W_EXPAND)
			return (ask(e, "%s: holds a variable, whose value cm "
			    "cannot see", argv[i], NULL));
		if (flags[i] & SH_W_BRACE)
			return (ask(e, "%s: brace expansion", argv[i], NULL));
	}
	if ((a = user_rule(e, argv, argc)) != -1)
		return (a);
	prog = argv[0];
	if (flags[0] & (SH_W_GLOB | SH_W_TILDE))
		return (ask(e, "%s: a pattern as the program's name", prog,
		    NULL));
	if (strchr(prog, '/') != NULL) {
		for (i = 0; bindirs[i] != NULL; i++) {
			j = (int)strlen(bindirs[i]);
			if (strncmp(prog, bindirs[i], (size_t)j) == 0 &&
			    strchr(prog + j, '/') == NULL)
				break;
		}
		if (bindirs[i] == NULL)
			return (ask(e, "%s: a program outside the system's "
			    "directories", prog, NULL));
		prog = strrchr(prog, '/') + 1;
	}
	for (i = 0; wrappers[i] != NULL; i++) {
		if (strcmp(prog, wrappers[i]) != 0)
			continue;
		if ((start = wrapped(e, prog, argv, flags, argc, &anyargs)) ==
		    -1) {
			if (e->ex != NULL)
				fprintf(e->ex, "    safe: %s\n", prog);
			return (RULE_ALLOW);
		}
		if (start <= -2)
			return (start == -3 ? RULE_DENY : RULE_ASK);
		if (e->ex != NULL)
			fprintf(e->ex, "    %s runs: %s\n", prog, argv[start]);
		if (e->depth >= SH_DEPTH_MAX)
			return (ask(e, "%s: nested too deep", prog, NULL));
		e->depth++;
		a = eval_argv(e, argv + start, flags + start, argc - start);
		e->depth--;
		if (a == RULE_ALLOW && anyargs) {
			/* xargs adds operands cm cannot see. */
			for (t = table; t->prog != NULL; t++) {
				if (strcmp(t->prog, argv[start]) == 0 &&
				    (t->flags & SF_ANYARGS))
					break;
			}
			/* Nor may they be files read: which is not known. */
			if (t->prog == NULL || (t->flags & SF_READS))
				return (ask(e, "xargs %s: adds operands cm "
				    "cannot see", argv[start], NULL));
		}
		return (a);
	}
	/* The subcommand, past the global options the program may have. */
	for (i = 0; subprogs[i].prog != NULL; i++) {
		if (strcmp(prog, subprogs[i].prog) == 0)
			globals = subprogs[i].globals;
	}
	if (globals != NULL) {
		for (subi = 1; subi < argc && argv[subi][0] == '-'; subi++) {
			if (!in_list(globals, argv[subi]))
				return (ask(e, "%s %s: an option before the "
				    "subcommand changes what runs", prog,
				    argv[subi]));
		}
		if (subi >= argc)
			return (ask(e, "%s without a subcommand", prog, NULL));
		sub = argv[subi];
	}
	for (t = table; t->prog != NULL; t++) {
		if (strcmp(t->prog, prog) == 0 && ((sub == NULL &&
		    t->sub == NULL) || (sub != NULL && t->sub != NULL &&
		    strcmp(t->sub, sub) == 0))) {
			row = t;
			break;
		}
	}
	if (row == NULL) {
		if (sub != NULL)
			return (ask(e, "%s %s: not a known-safe subcommand",
			    prog, sub));
		return (ask(e, "%s: not a known-safe program", prog, NULL));
	}
	if ((row->flags & SF_BUILD) && !rules_build_tier(e->rs))
		return (ask(e, "%s: build and test commands are not approved "
		    "(build-commands off)", prog, NULL));
	if (row->flags & SF_SED)
		return (eval_sed(e, argv, flags, argc));
	if (strcmp(prog, "git") == 0 && !git_repo_safe(e->dir, why,
	    sizeof why))
		return (ask(e, "git: %s", why, NULL));
	snprintf(pname, sizeof pname, "%s%s%s", prog, sub ? " " : "",
	    sub ? sub : "");
	/* Options and operands. */
	dashdash = 0;
	for (i = subi >= 0 ? subi + 1 : 1; i < argc; i++) {
		o = argv[i];
		if ((row->flags & SF_BUILD) && names_outside(o))
			return (ask(e, "%s %s: a path outside the project",
			    pname, o));
		if ((row->flags & SF_READS) && strcmp(o, "--") != 0 &&
		    reads_outside(o, e->dir, why, sizeof why))
			return (ask(e, "%s %.200s", pname, why));
		/* find's "--" ends only its leading options, and go reads
		 * its flags past one: no "--" ends the checks of those. */
		if (!dashdash && strcmp(o, "--") == 0 &&
		    !(row->flags & SF_WORDOPTS)) {
			dashdash = 1;
			continue;
		}
		if (!dashdash && (o[0] == '-' || (o[0] == '+' &&
		    (row->flags & SF_PLUSOPTS))) && o[1] != '\0' &&
		    !(row->flags & SF_ANYARGS)) {
			if (flags[i] & (SH_W_GLOB | SH_W_TILDE))
				return (ask(e, "%s: a pattern among the "
				    "options", o, NULL));
			if (!option_ok(row, o))
				return (ask(e, "%s %s: an option cm does not "
				    "know to be safe here", pname, o));
			continue;
		}
		/* An operand. */
		if ((flags[i] & (SH_W_GLOB | SH_W_TILDE)) &&
		    !(row->flags & SF_ANYARGS))
			return (ask(e, "%s %s: a pattern the shell expands to "
			    "names cm cannot see", pname, o));
		if (((row->flags & SF_TARGETS) || ((row->flags &
		    SF_FIRSTTARGET) && operands == 0 && !dashdash)) &&
		    !in_list(row->targets, o))
			return (ask(e, (row->flags & SF_BUILD) ? "%s %s: not a "
			    "known build or test target" : "%s %s: not an "
			    "operand cm knows to be safe here", pname, o));
		if ((row->flags & SF_INSIDE) &&
		    !policy_inside(o, e->dir, why, sizeof why))
			return (ask(e, "%s: %s", prog, why));
		operands++;
	}
	if ((row->flags & SF_NOOPERANDS) && operands > 0)
		return (ask(e, "%s %s: with operands it changes things", prog,
		    sub != NULL ? sub : ""));
	if ((row->flags & SF_ONEOPERAND) && operands > 1)
		return (ask(e, "%s: with a second operand it writes or acts "
		    "on it", prog, NULL));
	if (row->flags & SF_BUILD)
		e->tier = 2;
	if (e->ex != NULL)
		fprintf(e->ex, "    safe: %s%s%s (%s%s)\n", prog, sub ? " " : "",
		    sub ? sub : "", row->what, (row->flags & SF_BUILD) ?
		    "; runs the project's own code" : "");
	return (RULE_ALLOW);
}

/* Redirections of command c: only /dev/null and descriptors are written. */
static int
eval_redirs(struct eval *e, const struct sh_parse *p, const struct sh_cmd *c)
{
	const struct sh_redir	*r;
	const char		*t;
	char			 why[300];
	int			 i, f;

	for (i = 0; i < c->nredirs; i++) {
		r = &p->redirs[c->redir0 + i];
		t = p->store + p->words[r->word].off;
		f = p->words[r->word].flags;
		if (r->op == SH_R_IN) {
			/* Reads a file; bash opens a connection for these,
			 * and a variable may name one. */
			if (strncmp(t, "/dev/tcp/", 9) == 0 ||
			    strncmp(t, "/dev/udp/", 9) == 0)
				return (ask(e, "redirection from %s: opens a "
				    "network connection", t, NULL));
			if (f & SH_W_EXPAND)
				return (ask(e, "redirection from %s: a file a "
				    "variable names", t, NULL));
			if (reads_outside(t, e->dir, why, sizeof why))
				return (ask(e, "redirection from %.200s", why,
				    NULL));
			continue;
		}
		if ((r->op == SH_R_DUPOUT || r->op == SH_R_DUPIN) &&
		    (strcmp(t, "-") == 0 || (t[0] != '\0' &&
		    strspn(t, "0123456789") == strlen(t))) && !(f &
		    SH_W_EXPAND))
			continue;	/* 2>&1, >&2, <&- */
		if (strcmp(t, "/dev/null") == 0 && !(f & (SH_W_EXPAND |
		    SH_W_GLOB)) && r->op != SH_R_RDWR)
			continue;
		return (ask(e, "redirection to %s: writes a file", t, NULL));
	}
	return (RULE_ALLOW);
}

/* A whole command line: every simple command must be safe. */
static int
eval_string(struct eval *e, const char *s, size_t n)
{
	struct sh_parse		 p;
	const struct sh_cmd	*c;
	const char		*argv[SH_WORDS_MAX];
	int			 flags[SH_WORDS_MAX];
	int			 i, k, a, worst = RULE_ALLOW, argc;
	char			 where[32];

	if (shell_parse(s, n, &p) == -1) {
		snprintf(where, sizeof where, "at byte %zu", p.why_at + 1);
		return (ask(e, "cannot read the command whole: %s %s", p.why,
		    where));
	}
	if (p.ncmds == 0)
		return (ask(e, "an empty command", NULL, NULL));
	for (i = 0; i < p.ncmds; i++) {
		c = &p.cmds[i];
		argc = c->nwords - c->nassigns;
		for (k = 0; k < argc; k++) {
			argv[k] = shell_word(&p, c, c->nassigns + k);
			flags[k] = shell_word_flags(&p, c, c->nassigns + k);
		}
		if (e->ex != NULL) {
			fprintf(e->ex, "  command %d:", i + 1);
			for (k = 0; k < c->nwords; k++)
				fprintf(e->ex, " [%s]", shell_word(&p, c, k));
			for (k = 0; k < c->nredirs; k++)
				fprintf(e->ex, " redirect fd %d to [%s]",
				    p.redirs[c->redir0 + k].fd,
				    p.store + p.words[p.redirs[c->redir0 +
				    k].word].off);
			fprintf(e->ex, "%s%s\n", c->op != SH_END ? " then " :
			    "", shell_op_name(c->op));
		}
		if (c->nassigns > 0)
			a = ask(e, "%s: sets a variable, which can change what "
			    "runs", shell_word(&p, c, 0), NULL);
		else if ((a = eval_redirs(e, &p, c)) == RULE_ALLOW)
			a = eval_argv(e, argv, flags, argc);
		if (a == RULE_DENY)
			return (RULE_DENY);
		if (a == RULE_ASK && worst == RULE_ALLOW) {
			worst = RULE_ASK;
			if (e->ex == NULL)
				return (RULE_ASK);
		}
	}
	return (worst);
}

/*
 * Decide on a shell command a prompt would run: RULE_ALLOW only if all of
 * it was read and every simple command is known safe (or allowed by the
 * user's rules), RULE_DENY for a user's deny rule, else RULE_ASK.  rule
 * gets "action:name (reason)"; ex, if not NULL, gets an explanation.
 */
int
policy_shell(const struct ruleset *rs, const char *cmd, size_t n,
    const char *dir, char *rule, size_t rlen, FILE *ex)
{
	struct eval	 e;
	int		 a;

	memset(&e, 0, sizeof e);
	e.rs = rs;
	e.dir = dir;
	e.ex = ex;
	e.rule = rule;
	e.rlen = rlen;
	e.tier = 1;
	rule[0] = '\0';
	a = eval_string(&e, cmd, n);
	if (a == RULE_ALLOW)
		snprintf(rule, rlen, "allow:%s", e.tier == 2 ?
		    "build-command" : "safe-command");
	return (a);
}

/* Print the known-safe table, for cm rules. */
void
policy_print(FILE *f)
{
	const struct safe	*t;

	fprintf(f, "# Known-safe commands (policy version %s): a shell "
	    "command is approved only\n# if every simple command in it is "
	    "one of these, used as shown.\n", POLICY_VERSION);
	for (t = table; t->prog != NULL; t++) {
		fprintf(f, "#   %s%s%s", t->prog, t->sub ? " " : "",
		    t->sub ? t->sub : "");
		if (t->only != NULL)
			fprintf(f, "  only options: %s", t->only);
		if (t->deny != NULL)
			fprintf(f, "  never: %s", t->deny);
		if (t->targets != NULL)
			fprintf(f, "  operands: %s", t->targets);
		if (t->flags & SF_INSIDE)
			fprintf(f, "  paths inside the session's directory");
		if (t->flags & SF_READS)
			fprintf(f, "  reads only inside the session's "
			    "directory");
		if (t->flags & SF_NOOPERANDS)
			fprintf(f, "  no operands");
		if (t->flags & SF_BUILD)
			fprintf(f, "  (build tier)");
		fprintf(f, "\n");
	}
}
