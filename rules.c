/*
 * rules.c: may cm answer this prompt for you?  The built-in deny list first
 * (regular expressions on the prompt's text and its whole subject), then
 * the user's rules file in order, then what the prompt would do: a shell
 * command only if policy.c knows every part of it to be safe, a file edit
 * only inside the session's directory, a program's own question only if it
 * is known to be harmless.  Anything else is "ask": the person decides.
 *
 * The user's rules are regular expressions on the text ("deny curl"),
 * command prefixes as Claude Code writes them ("allow Bash(npm run
 * lint:*)"), which policy.c consults for each simple command, and tools
 * by name ("allow Tool(mcp__github__*)", "allow Fetch(docs.rs)").  A regular
 * expression can deny or ask about anything, but allow only questions and
 * edits: it never approves a command it did not parse.
 *
 * Invariants: a built-in deny is checked before any user rule and can only be
 * lifted by an explicit "override NAME" line, so no allow rule approves a
 * destructive action by accident; a rules file that does not parse changes
 * nothing (the caller keeps the rule set it had); every rule is compiled
 * once, when loaded, and the built-ins once per process, at first use,
 * shared by every rule set and never freed; the default is ask, never allow.
 */

#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"

#define RULES_FILE_MAX	(256 * 1024)	/* bytes in a rules file */
#define RULES_MAX	512		/* rules in a file */
#define RULE_PATTERN_MAX 1024		/* bytes in one pattern */

struct builtin {
	const char	*name;
	const char	*pattern;
	const char	*why;
};

/*
 * The deny list.  Case-insensitive; written for POSIX ERE, so no \b or \s:
 * "(^|[^[:alnum:]_])" starts a word.
 */
static const struct builtin builtins[] = {
	{ "rm-recursive",
	  "(^|[^[:alnum:]_-])rm[[:space:]]+([^|;&]*[[:space:]])?"
	  "(-[[:alpha:]]*[rf]|--recursive|--force)",
	  "recursive or forced deletion" },
	{ "git-clean",
	  "git[[:space:]]+clean([[:space:]]+[^|;&]*)?[[:space:]]-[[:alpha:]]*f",
	  "git clean -f deletes untracked files" },
	{ "find-delete", "(^|[^[:alnum:]_])find[[:space:]][^|;&]*"
	  "(-delete|-exec[[:space:]]+rm)",
	  "find ... -delete" },
	{ "force-push",
	  "git[[:space:]]+push[^|;&]*([[:space:]](-f|--force|"
	  "--force-with-lease|--mirror|--delete)|[[:space:]]\\+[^[:space:]])",
	  "force push" },
	{ "history-rewrite",
	  "git[[:space:]]+(rebase|filter-branch|filter-repo|"
	  "reset[[:space:]]+--hard|commit[[:space:]]+[^|;&]*--amend|"
	  "update-ref[[:space:]]+-d|reflog[[:space:]]+expire|"
	  "branch[[:space:]]+-D|checkout[[:space:]]+--[[:space:]]|"
	  "restore[[:space:]])",
	  "history rewriting or discarding work" },
	{ "database-drop",
	  "(drop|truncate)[[:space:]]+(table|database|schema|collection)|"
	  "dropdb|flushall|flushdb|delete[[:space:]]+from[[:space:]]",
	  "dropping or truncating data" },
	{ "privilege",
	  "(^|[^[:alnum:]_])(sudo|doas|su|pkexec|runas)([[:space:]]|$)|"
	  "privilege|administrator",
	  "privilege escalation" },
	{ "secret",
	  "password|passphrase|passcode|secret|credential|private[[:space:]]"
	  "key|api[ _-]?key|token",
	  "password and secret prompts" },
	{ "disk",
	  "(^|[^[:alnum:]_])(mkfs|wipefs|shred|fdisk|parted)([[:space:]]|"
	  "\\.|$)|(^|[^[:alnum:]_])dd[[:space:]][^|;&]*of=|"
	  "chmod[[:space:]]+-R|chown[[:space:]]+-R|>[[:space:]]*/dev/"
	  "(sd|hd|vd|xvd|nvme|mmcblk|disk|mapper|md[0-9])",
	  "writes to disks or whole trees" },
	{ "delete-prompt",
	  "(^|[^[:alnum:]_])(rm|rmdir):[[:space:]]+(remove|descend)|"
	  "(delete|remove|erase|destroy|purge|wipe)[[:space:]]+(all|every)",
	  "deleting files or data" },
	{ "overwrite", "overwrite|replace[[:space:]]+(the[[:space:]]+)?"
	  "existing",
	  "overwriting a file" },
	{ "install",
	  "newly[[:space:]]+installed|will[[:space:]]+be[[:space:]]+installed|"
	  "(^|[^[:alnum:]_])(apt|apt-get|dnf|yum|zypper|pacman|brew|pip3?|"
	  "npm|pnpm|yarn|gem|cargo|go)[[:space:]]+([^|;&]*[[:space:]])?"
	  "(install|add|-S)([[:space:]]|$)",
	  "installing software" },
	{ "host-key",
	  "authenticity[[:space:]]+of[[:space:]]+host|continue[[:space:]]+"
	  "connecting|known_hosts",
	  "trusting an unknown host key" },
	{ "trust-folder",
	  "trust[[:space:]]+(this|the|these|parent)[[:space:]]+"
	  "(folder|directory|files|contents|workspace)|"
	  "trust[[:space:]]+folder",
	  "trusting a folder lets the program run what it finds there" },
	{ "deploy",
	  "deploy|(^|[^[:alnum:]_])publish|terraform[[:space:]]+(apply|destroy)|"
	  "kubectl[[:space:]]+(apply|delete)",
	  "deploying or publishing" },
	{ "sandbox",
	  "(^|/ )Reason:|sandbox|escalat",
	  "running outside the program's sandbox" },
	{ NULL, NULL, NULL }
};

#define BUILTINS_N	((int)(sizeof builtins / sizeof builtins[0]) - 1)

/* The built-ins compiled, by builtins_compile; shared by every rule set. */
static regex_t	 builtin_re[BUILTINS_N];
static int	 builtin_ready;

enum { RK_REGEX, RK_COMMAND, RK_TOOL, RK_FETCH };

struct rule {
	int		 action;	/* RULE_ALLOW, RULE_DENY, RULE_ASK */
	int		 kind;		/* RK_*: what the pattern is */
	char		*name;		/* "file:line" */
	char		*pattern;	/* for RK_COMMAND the prefix, for
					   RK_TOOL and RK_FETCH the name */
	int		 prefix;	/* RK_COMMAND "...:*": words may follow;
					   RK_TOOL "...*": a name prefix */
	regex_t		 re;		/* RK_REGEX only */
};

struct ruleset {
	struct rule	*v;		/* the user's rules, in file order */
	int		 n;
	int		 overridden[BUILTINS_N];
	int		 outside_overridden;
	int		 no_build;	/* "build-commands off" */
};

static const char *const action_names[] = { "allow", "deny", "ask" };

const char *
rule_action_name(int a)
{
	if (a < 0 || a > RULE_ASK)
		return ("?");
	return (action_names[a]);
}

void
rules_free(struct ruleset *rs)
{
	int	 i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->n; i++) {
		if (rs->v[i].kind == RK_REGEX)
			regfree(&rs->v[i].re);
		free(rs->v[i].name);
		free(rs->v[i].pattern);
	}
	free(rs->v);
	free(rs);
}

/*
 * Does an extended regular expression stack quantifiers ("a++", "a*{2}",
 * "a?*")?  They mean nothing more than one would, and glibc's regcomp
 * takes time exponential in their number: one rules line could stop the
 * agent.  Bracket expressions and escaped characters are skipped.
 */
static int
stacked_quantifiers(const char *p)
{
	int	 q = 0;
	char	 c;

	for (; *p != '\0'; p++) {
		if (*p == '\\' && p[1] != '\0') {
			p++;
			q = 0;
		} else if (*p == '[') {
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p != '\0' && *p != ']') {
				if (*p == '[' && (p[1] == ':' || p[1] == '.' ||
				    p[1] == '=')) {
					c = p[1];
					for (p += 2; *p != '\0' && !(*p == c &&
					    p[1] == ']'); p++)
						;
					if (*p != '\0')
						p++;
				}
				if (*p != '\0')
					p++;
			}
			if (*p == '\0')
				return (0);	/* regcomp will say */
			q = 0;
		} else if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
			if (q)
				return (1);
			q = 1;
			if (*p == '{')
				while (p[1] != '\0' && *p != '}')
					p++;
		} else
			q = 0;
	}
	return (0);
}

/*
 * Add a rule.  "Bash(prefix)", "Bash(prefix:*)", "Tool(name)", "Tool(name*)"
 * and "Fetch(domain)" are by name; anything else is a regular expression.
 */
static int
rule_add(struct ruleset *rs, int action, const char *name,
    const char *pattern, size_t plen, char *err, size_t elen)
{
	static const struct {
		const char	*word;
		int		 kind;
	} named[] = {
		{ "Bash(", RK_COMMAND }, { "Command(", RK_COMMAND },
		{ "Tool(", RK_TOOL }, { "Fetch(", RK_FETCH }, { NULL, 0 }
	};
	struct rule	*r;
	int		 e, i;
	size_t		 k;
	char		 msg[128];

	if ((rs->n % 16) == 0) {
		r = realloc(rs->v, (size_t)(rs->n + 16) * sizeof *rs->v);
		if (r == NULL) {
			snprintf(err, elen, "out of memory");
			return (-1);
		}
		rs->v = r;
	}
	r = &rs->v[rs->n];
	memset(r, 0, sizeof *r);
	r->kind = RK_REGEX;
	for (i = 0; named[i].word != NULL; i++) {
		k = strlen(named[i].word);
		if (plen > k && memcmp(pattern, named[i].word, k) == 0 &&
		    pattern[plen - 1] == ')') {
			r->kind = named[i].kind;
			pattern += k;
			plen -= k + 1;
			break;
		}
	}
	if (r->kind != RK_REGEX) {
		if (r->kind == RK_COMMAND && plen >= 2 &&
		    (memcmp(pattern + plen - 2, ":*", 2) == 0 ||
		    memcmp(pattern + plen - 2, " *", 2) == 0)) {
			r->prefix = 1;
			plen -= 2;
		} else if (r->kind == RK_TOOL && plen >= 1 &&
		    pattern[plen - 1] == '*') {
			r->prefix = 1;
			plen--;
		}
		if (plen == 0) {
			snprintf(err, elen, "empty name in %s", named[i].word);
			return (-1);
		}
	}
	r->pattern = xmalloc(plen + 1);
	memcpy(r->pattern, pattern, plen);
	r->pattern[plen] = '\0';
	if (r->kind == RK_REGEX && (plen > RULE_PATTERN_MAX ||
	    stacked_quantifiers(r->pattern))) {
		snprintf(err, elen, plen > RULE_PATTERN_MAX ? "pattern longer "
		    "than %d bytes" : "stacked quantifiers (such as a++ or "
		    "a*{2}) are refused: write one", RULE_PATTERN_MAX);
		free(r->pattern);
		return (-1);
	}
	if (r->kind == RK_REGEX && (e = regcomp(&r->re, r->pattern,
	    REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
		regerror(e, &r->re, msg, sizeof msg);
		snprintf(err, elen, "%s", msg);
		free(r->pattern);
		return (-1);
	}
	r->action = action;
	r->name = xstrdup(name);
	rs->n++;
	return (0);
}

/*
 * Compile the built-in deny list, the first time only: it is the same for
 * every rule set, and the agent reloads the rules file whenever it changes.
 */
static void
builtins_compile(void)
{
	char	 msg[128];
	int	 i, e;

	if (builtin_ready)
		return;
	for (i = 0; i < BUILTINS_N; i++) {
		if ((e = regcomp(&builtin_re[i], builtins[i].pattern,
		    REG_EXTENDED | REG_ICASE | REG_NOSUB)) != 0) {
			regerror(e, &builtin_re[i], msg, sizeof msg);
			fatalx("built-in rule %s: %s", builtins[i].name, msg);
		}
	}
	builtin_ready = 1;
}

/* The built-in rules alone. */
struct ruleset *
rules_builtin(void)
{
	builtins_compile();
	return (xcalloc(1, sizeof(struct ruleset)));
}

/*
 * Load the built-ins and a rules file (which may be absent: then the
 * built-ins alone).  On a parse error returns NULL with "FILE:LINE:COL:
 * message" in err.
 */
struct ruleset *
rules_load(const char *path, char *err, size_t elen)
{
	struct ruleset	*rs;
	struct buf	 b;
	char		*p, *end, *nl, *w, *we, name[CM_PATH_MAX + 16], msg[200];
	int		 fd, line = 0, action, i, found;
	ssize_t		 n;
	size_t		 len;

	rs = rules_builtin();
	if (path == NULL)
		return (rs);
	if ((fd = open(path, O_RDONLY)) == -1) {
		if (errno == ENOENT)
			return (rs);
		snprintf(err, elen, "%s: %s", path, strerror(errno));
		rules_free(rs);
		return (NULL);
	}
	buf_init(&b, RULES_FILE_MAX);
	while ((n = buf_read(&b, fd)) > 0 || n == CM_AGAIN)
		;
	close(fd);
	if (n == -1) {
		snprintf(err, elen, "%s: %s", path, errno == ENOBUFS ?
		    "file too large" : strerror(errno));
		buf_free(&b);
		rules_free(rs);
		return (NULL);
	}
	(void)buf_add(&b, "\n", 1);
	p = buf_ptr(&b);
	end = p + b.len;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		w = p;
		while (*w == ' ' || *w == '\t')
			w++;
		if (*w == '\0' || *w == '#')
			continue;
		we = w;
		while (*we != '\0' && *we != ' ' && *we != '\t')
			we++;
		len = (size_t)(we - w);
		action = -1;
		for (i = 0; i <= RULE_ASK; i++) {
			if (strlen(action_names[i]) == len &&
			    memcmp(w, action_names[i], len) == 0)
				action = i;
		}
		while (*we == ' ' || *we == '\t')
			we++;
		if (len == 14 && memcmp(w, "build-commands", 14) == 0) {
			if (strcmp(we, "on") != 0 && strcmp(we, "off") != 0) {
				snprintf(err, elen, "%s:%d:%d: build-commands "
				    "takes on or off", path, line,
				    (int)(we - p) + 1);
				goto fail;
			}
			rs->no_build = strcmp(we, "off") == 0;
			continue;
		}
		if (len == 8 && memcmp(w, "override", 8) == 0) {
			found = strcmp(we, "outside-dir") == 0;
			if (found)
				rs->outside_overridden = 1;
			for (i = 0; builtins[i].name != NULL; i++) {
				if (strcmp(builtins[i].name, we) == 0) {
					rs->overridden[i] = 1;
					found = 1;
				}
			}
			if (!found) {
				snprintf(err, elen, "%s:%d:%d: no built-in rule "
				    "'%.64s' (see cm rules)", path, line,
				    (int)(we - p) + 1, we);
				goto fail;
			}
			continue;
		}
		if (action == -1) {
			snprintf(err, elen, "%s:%d:%d: expected allow, deny, "
			    "ask, override or build-commands", path, line,
			    (int)(w - p) + 1);
			goto fail;
		}
		if (*we == '\0') {
			snprintf(err, elen, "%s:%d:%d: %s needs a regular "
			    "expression", path, line, (int)(we - p) + 1,
			    action_names[action]);
			goto fail;
		}
		if (rs->n >= RULES_MAX) {
			snprintf(err, elen, "%s:%d:1: more than %d rules", path,
			    line, RULES_MAX);
			goto fail;
		}
		snprintf(name, sizeof name, "%s:%d", path, line);
		if (rule_add(rs, action, name, we, strlen(we), msg,
		    sizeof msg) == -1) {
			snprintf(err, elen, "%s:%d:%d: %s", path, line,
			    (int)(we - p) + 1, msg);
			goto fail;
		}
	}
	buf_free(&b);
	return (rs);
fail:
	buf_free(&b);
	rules_free(rs);
	return (NULL);
}

/*
 * Does the prompt name a path outside dir for writing?  An absolute path not
 * under dir, a "~/" path, or a "../" that climbs out, in a prompt that edits,
 * writes, creates, moves or deletes.
 */
static int
outside_dir(const char *prompt, const char *dir)
{
	static const char *const writes[] = { "edit", "Edit", "write",
	    "Write", "creat", "Creat", "overwrite", "mv ", "cp ", "move",
	    "delete", "Delete", "remove", "Remove", ">", "tee ", "touch ",
	    "mkdir", NULL };
	const char	*p;
	size_t		 dl;
	int		 i, w = 0;

	for (i = 0; writes[i] != NULL; i++) {
		if (strstr(prompt, writes[i]) != NULL)
			w = 1;
	}
	if (!w)
		return (0);
	if (strstr(prompt, "../") != NULL || strstr(prompt, "~/") != NULL)
		return (1);
	if (dir == NULL || *dir != '/')
		return (0);
	dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	for (p = prompt; (p = strchr(p, '/')) != NULL; p++) {
		/* A path starts the prompt or follows a blank or a quote. */
		if (p != prompt && p[-1] != ' ' && p[-1] != '\'' &&
		    p[-1] != '"' && p[-1] != '`' && p[-1] != '(' &&
		    p[-1] != '=')
			continue;
		if (p[1] == ' ' || p[1] == '\0')
			continue;	/* "a / b", not a path */
		if (strncmp(p, dir, dl) == 0 && (p[dl] == '/' ||
		    p[dl] == '\0' || p[dl] == ' ' || p[dl] == '\'' ||
		    p[dl] == '"' || p[dl] == '`' || p[dl] == '?'))
			continue;
		if (strncmp(p, "/dev/null", 9) == 0)
			continue;
		return (1);
	}
	return (0);
}

/*
 * The built-in denies and the outside-directory check on a prompt's text.
 * Returns RULE_DENY with the rule's name, or -1 if none applies.
 */
static int
builtin_deny(const struct ruleset *rs, const char *text, const char *dir,
    int outside, char *rule, size_t rlen)
{
	int	 i;

	for (i = 0; i < BUILTINS_N; i++) {
		if (rs->overridden[i])
			continue;
		if (regexec(&builtin_re[i], text, 0, NULL, 0) == 0) {
			snprintf(rule, rlen, "deny:%s", builtins[i].name);
			return (RULE_DENY);
		}
	}
	if (outside && !rs->outside_overridden && outside_dir(text, dir)) {
		snprintf(rule, rlen, "deny:outside-dir");
		return (RULE_DENY);
	}
	return (-1);
}

/*
 * The first of the user's regular-expression rules that matches: its
 * action (RULE_ALLOW, RULE_DENY, RULE_ASK) with its name, or -1.
 */
static int
user_regex(const struct ruleset *rs, const char *text, const char *subject,
    char *rule, size_t rlen)
{
	int	 i;

	for (i = 0; i < rs->n; i++) {
		if (rs->v[i].kind != RK_REGEX)
			continue;
		if (regexec(&rs->v[i].re, text, 0, NULL, 0) == 0 ||
		    (subject[0] != '\0' && regexec(&rs->v[i].re, subject, 0,
		    NULL, 0) == 0)) {
			snprintf(rule, rlen, "%s:%s",
			    action_names[rs->v[i].action], rs->v[i].name);
			return (rs->v[i].action);
		}
	}
	return (-1);
}

/*
 * Decide on a prompt given only as text: the built-ins and the user's
 * regular expressions.  What is left is "ask": text alone approves nothing
 * it has not been told is safe.
 */
int
rules_decide(const struct ruleset *rs, const char *prompt, const char *dir,
    char *rule, size_t rlen)
{
	int	 a;

	if ((a = builtin_deny(rs, prompt, dir, 1, rule, rlen)) != -1)
		return (a);
	if ((a = user_regex(rs, prompt, "", rule, rlen)) != -1)
		return (a);
	snprintf(rule, rlen, "ask:default");
	return (RULE_ASK);
}

/*
 * The user's rule by command prefix for one simple command (its words
 * joined by blanks): its action with "action:file:line" in rule, or -1.
 */
int
rules_command(const struct ruleset *rs, const char *line, char *rule,
    size_t rlen)
{
	const struct rule	*r;
	size_t			 k;
	int			 i;

	if (rs == NULL)
		return (-1);
	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		if (r->kind != RK_COMMAND)
			continue;
		k = strlen(r->pattern);
		if (strncmp(line, r->pattern, k) != 0 || (line[k] != '\0' &&
		    !(r->prefix && line[k] == ' ')))
			continue;
		snprintf(rule, rlen, "%s:%s", action_names[r->action],
		    r->name);
		return (r->action);
	}
	return (-1);
}

/* Are the project's build and test commands approved (the second tier)? */
int
rules_build_tier(const struct ruleset *rs)
{
	return (rs == NULL || !rs->no_build);
}

/* A rule for a tool or address by name: its action, or -1. */
static int
rules_named(const struct ruleset *rs, int kind, const char *name, char *rule,
    size_t rlen)
{
	const struct rule	*r;
	const char		*host = name;
	size_t			 k;
	int			 i;

	if (kind == RK_FETCH) {
		/* The address's host: "https://HOST/..." or "HOST/...". */
		if ((host = strstr(name, "://")) != NULL)
			host += 3;
		else
			host = name;
	}
	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		if (r->kind != kind)
			continue;
		k = strlen(r->pattern);
		if (kind == RK_FETCH) {
			if (strncmp(r->pattern, "domain:", 7) == 0)
				k -= 7;
			if (strncmp(host, r->pattern + strlen(r->pattern) - k,
			    k) != 0 || (host[k] != '\0' && host[k] != '/' &&
			    host[k] != ':'))
				continue;
		} else if (strncmp(name, r->pattern, k) != 0 ||
		    (name[k] != '\0' && !r->prefix))
			continue;
		snprintf(rule, rlen, "%s:%s", action_names[r->action],
		    r->name);
		return (r->action);
	}
	return (-1);
}

/*
 * Does the text name a path outside dir at all (an absolute path, "~", or a
 * "../" that climbs out)?  /dev/null names nothing.
 */
static int
names_outside(const char *text, const char *dir)
{
	const char	*p;
	char		 path[CM_PATH_MAX], why[64];
	size_t		 k;

	if (strstr(text, "../") != NULL || strstr(text, "~/") != NULL)
		return (1);
	for (p = text; (p = strchr(p, '/')) != NULL; p++) {
		if (p != text && strchr(" '\"`(=:", p[-1]) == NULL)
			continue;
		k = strcspn(p, " '\"`)?,;\n");
		if (p != text && p[-1] == ':' && p[1] == '/') {
			p += k - 1;	/* an address, "https://host/..." */
			continue;
		}
		if (k < 2 || k >= sizeof path)
			continue;
		memcpy(path, p, k);
		path[k] = '\0';
		if (strcmp(path, "/dev/null") == 0)
			continue;
		if (!policy_inside(path, dir, why, sizeof why))
			return (1);
	}
	return (0);
}

/* Words in a question's text that make it more than a formality. */
static const char *const weighty[] = {
	"delete", "remove", "erase", "destroy", "drop", "wipe", "purge",
	"overwrite", "replace", "install", "upgrade", "downgrade", "trust",
	"password", "token", "credential", "secret", "key", "deploy",
	"publish", "push", "force", "reset", "format", "discard", "revert",
	"kill", "terminate", "uninstall", "permission", NULL
};

/*
 * Is a program's own question known to be harmless?  Pagers, "press Enter",
 * git add -p's question about a hunk, and a bare continue or proceed whose
 * text says nothing weightier.  Returns 1, or 0 with the reason in why.
 */
static int
question_harmless(const struct verdict *v, const char *dir, char *why,
    size_t wlen)
{
	static const char *const formalities[] = {
		"/press-enter", "/more", "/pager", "/git-add-p", NULL
	};
	static const char *const leads[] = {
		"do you want to ", "would you like to ", "do you wish to ",
		NULL
	};
	char		 q[128], low[CM_DETAIL_MAX];
	const char	*p;
	size_t		 n, i;
	int		 k;

	for (i = 0; v->detail[i] != '\0' && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)v->detail[i]);
	low[i] = '\0';
	if (names_outside(v->detail, dir)) {
		snprintf(why, wlen, "the question names a path outside the "
		    "session's directory");
		return (0);
	}
	for (k = 0; formalities[k] != NULL; k++) {
		if (strstr(v->rule, formalities[k]) != NULL)
			return (1);
	}
	for (k = 0; weighty[k] != NULL; k++) {
		if (strstr(low, weighty[k]) != NULL) {
			snprintf(why, wlen, "the question mentions '%s'",
			    weighty[k]);
			return (0);
		}
	}
	/* The question alone, lower case, without its choices. */
	p = v->subject;
	n = strcspn(p, "[(");
	if (n >= sizeof q)
		n = sizeof q - 1;
	for (i = 0; i < n; i++)
		q[i] = (char)tolower((unsigned char)p[i]);
	while (n > 0 && strchr(" ?:", q[n - 1]) != NULL)
		n--;
	q[n] = '\0';
	p = q;
	for (k = 0; leads[k] != NULL; k++) {
		if (strncmp(p, leads[k], strlen(leads[k])) == 0)
			p += strlen(leads[k]);
	}
	if (strcmp(p, "continue") == 0 || strcmp(p, "proceed") == 0 ||
	    strcmp(p, "continue anyway") == 0 ||
	    strcmp(p, "proceed anyway") == 0)
		return (1);
	snprintf(why, wlen, "cm does not know this question to be harmless");
	return (0);
}

/*
 * A shell command that may span several screen rows: each row break may be
 * a line break, a blank the program wrapped at, or a word cut in two.  All
 * three readings must be safe.
 */
static int
shell_verdict(const struct ruleset *rs, const struct verdict *v,
    const char *dir, char *rule, size_t rlen)
{
	static const char *const seps[] = { "\n", " ", "" };
	char		 joined[CM_SUBJECT_MAX], r2[CM_PATH_MAX + 300];
	const char	*s;
	size_t		 n;
	int		 j, a, worst = RULE_ALLOW;

	for (j = 0; j < (v->rows > 1 ? 3 : 1); j++) {
		for (s = v->subject, n = 0; *s != '\0' && n + 1 <
		    sizeof joined; s++) {
			if (*s == '\n')
				n += (size_t)snprintf(joined + n,
				    sizeof joined - n, "%s", seps[j]);
			else
				joined[n++] = *s;
		}
		joined[n] = '\0';
		a = policy_shell(rs, joined, n, dir, r2, sizeof r2, NULL);
		if (a == RULE_DENY) {
			snprintf(rule, rlen, "%s", r2);
			return (RULE_DENY);
		}
		if (a == RULE_ASK && worst == RULE_ALLOW) {
			worst = RULE_ASK;
			if (j == 0)
				snprintf(rule, rlen, "%s", r2);
			else
				snprintf(rule, rlen, "ask:policy (the command "
				    "spans %d rows that cm cannot join "
				    "safely)", v->rows);
		}
		if (a == RULE_ALLOW && j == 0)
			snprintf(rule, rlen, "%s", r2);
	}
	return (worst);
}

/* Print the built-in rules in the rules file's own syntax. */
void
rules_print_builtin(FILE *f)
{
	int	 i;

	fprintf(f, "# Built-in rules of cm %s, checked before yours.  A line\n"
	    "# \"override NAME\" in your rules file lifts one of them.\n"
	    "# Patterns are POSIX extended regular expressions, matched\n"
	    "# without regard to case against the prompt text.\n\n",
	    CM_VERSION);
	for (i = 0; builtins[i].name != NULL; i++)
		fprintf(f, "# %s: %s\ndeny %s\n\n", builtins[i].name,
		    builtins[i].why, builtins[i].pattern);
	fprintf(f, "# outside-dir: a prompt to write, edit, create, move or\n"
	    "# delete that names a path outside the session's directory\n"
	    "# (a check in code, not a pattern)\n\n"
	    "# Then your rules, first match wins; then the default:\n"
	    "allow .*\n");
}

/*
 * What to do with a screen the classifier read: for a confirmation, the
 * built-in denies, then the user's rules, then what approving would do
 * (see the top of this file); RULE_ASK for anything else.  rule gets
 * "action:name", and for ask the reason in brackets.
 */
int
rules_verdict(const struct ruleset *rs, const struct verdict *v,
    const char *dir, char *rule, size_t rlen)
{
	char	 why[300];
	int	 a, user = -1;

	if (v->state != S_CONFIRM) {
		snprintf(rule, rlen, "ask:not-a-confirmation");
		return (RULE_ASK);
	}
	if ((a = builtin_deny(rs, v->detail, dir, v->kind != PK_SHELL, rule,
	    rlen)) != -1)
		return (a);
	if (v->subject[0] != '\0' && (a = builtin_deny(rs, v->subject, dir,
	    v->kind != PK_SHELL && v->kind != PK_EDIT, rule, rlen)) != -1)
		return (a);
	if ((a = user_regex(rs, v->detail, v->subject, rule, rlen)) != -1) {
		if (a != RULE_ALLOW)
			return (a);
		user = a;
	}
	if (v->cut != NULL) {
		snprintf(rule, rlen, "ask:cut (%s)", v->cut);
		return (RULE_ASK);
	}
	switch (v->kind) {
	case PK_SHELL:
		a = shell_verdict(rs, v, dir, rule, rlen);
		break;
	case PK_EDIT:
		if (policy_inside(v->subject, dir, why, sizeof why)) {
			a = RULE_ALLOW;
			snprintf(rule, rlen, "allow:edit-inside");
		} else if (user == RULE_ALLOW)
			a = RULE_ALLOW;	/* rule says which */
		else {
			a = RULE_ASK;
			snprintf(rule, rlen, "ask:edit (%s)", why);
		}
		break;
	case PK_QUESTION:
		if (question_harmless(v, dir, why, sizeof why)) {
			a = RULE_ALLOW;
			snprintf(rule, rlen, "allow:question");
		} else if (user == RULE_ALLOW)
			a = RULE_ALLOW;
		else {
			a = RULE_ASK;
			snprintf(rule, rlen, "ask:question (%s)", why);
		}
		break;
	case PK_FETCH:
	case PK_TOOL:
		if ((a = rules_named(rs, v->kind == PK_FETCH ? RK_FETCH :
		    RK_TOOL, v->subject, rule, rlen)) == -1) {
			a = RULE_ASK;
			snprintf(rule, rlen, "ask:%s (no rule of yours allows "
			    "%.200s)", v->kind == PK_FETCH ? "fetch" : "tool",
			    v->subject);
		}
		break;
	default:
		a = RULE_ASK;
		snprintf(rule, rlen, "ask:unknown-prompt (cm cannot tell what "
		    "approving this prompt would do)");
		break;
	}
	if (a == RULE_ALLOW && v->keys[0] == '\0') {
		a = RULE_ASK;
		snprintf(rule, rlen, "ask:no-approving-choice");
	}
	return (a);
}
