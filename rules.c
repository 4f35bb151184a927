/*
 * rules.c: may cm answer this prompt for you?  A rule set is the built-in
 * deny list, then the user's rules file, then a final allow.  Rules are POSIX
 * extended regular expressions on the prompt text (the question, the command
 * or file it names, and its choices); the first that matches decides.
 *
 * Invariants: a built-in deny is checked before any user rule and can only be
 * lifted by an explicit "override NAME" line, so no allow rule approves a
 * destructive action by accident; a rules file that does not parse changes
 * nothing (the caller keeps the rule set it had); every rule is compiled
 * once, when loaded.
 */

#include <sys/types.h>

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
	  "chmod[[:space:]]+-R|chown[[:space:]]+-R|>[[:space:]]*/dev/",
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

struct rule {
	int		 action;	/* RULE_ALLOW, RULE_DENY, RULE_ASK */
	char		*name;		/* "file:line" or the built-in name */
	char		*pattern;
	regex_t		 re;
};

struct ruleset {
	struct rule	*v;
	int		 n;
	int		 builtin_n;	/* built-ins first, then the user's */
	int		 overridden[sizeof builtins / sizeof builtins[0]];
	int		 outside_overridden;
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
		regfree(&rs->v[i].re);
		free(rs->v[i].name);
		free(rs->v[i].pattern);
	}
	free(rs->v);
	free(rs);
}

static int
rule_add(struct ruleset *rs, int action, const char *name,
    const char *pattern, size_t plen, char *err, size_t elen)
{
	struct rule	*r;
	int		 e;
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
	r->pattern = xmalloc(plen + 1);
	memcpy(r->pattern, pattern, plen);
	r->pattern[plen] = '\0';
	if ((e = regcomp(&r->re, r->pattern, REG_EXTENDED | REG_ICASE |
	    REG_NOSUB)) != 0) {
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

/* The built-in rules alone. */
struct ruleset *
rules_builtin(void)
{
	struct ruleset	*rs;
	char		 err[256];
	int		 i;

	rs = xcalloc(1, sizeof *rs);
	for (i = 0; builtins[i].name != NULL; i++) {
		if (rule_add(rs, RULE_DENY, builtins[i].name,
		    builtins[i].pattern, strlen(builtins[i].pattern), err,
		    sizeof err) == -1)
			fatalx("built-in rule %s: %s", builtins[i].name, err);
	}
	rs->builtin_n = rs->n;
	return (rs);
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
			    "ask or override", path, line, (int)(w - p) + 1);
			goto fail;
		}
		if (*we == '\0') {
			snprintf(err, elen, "%s:%d:%d: %s needs a regular "
			    "expression", path, line, (int)(we - p) + 1,
			    action_names[action]);
			goto fail;
		}
		if (rs->n - rs->builtin_n >= RULES_MAX) {
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
		if (strncmp(p, "/dev/null", 9) == 0 ||
		    strncmp(p, "/tmp/", 5) == 0)
			continue;
		return (1);
	}
	return (0);
}

/*
 * Decide on a prompt.  Returns RULE_ALLOW, RULE_DENY or RULE_ASK and puts the
 * deciding rule's name in rule.
 */
int
rules_decide(const struct ruleset *rs, const char *prompt, const char *dir,
    char *rule, size_t rlen)
{
	int	 i;

	for (i = 0; i < rs->builtin_n; i++) {
		if (rs->overridden[i])
			continue;
		if (regexec(&rs->v[i].re, prompt, 0, NULL, 0) == 0) {
			snprintf(rule, rlen, "deny:%s", rs->v[i].name);
			return (RULE_DENY);
		}
	}
	if (!rs->outside_overridden && outside_dir(prompt, dir)) {
		snprintf(rule, rlen, "deny:outside-dir");
		return (RULE_DENY);
	}
	for (i = rs->builtin_n; i < rs->n; i++) {
		if (regexec(&rs->v[i].re, prompt, 0, NULL, 0) == 0) {
			snprintf(rule, rlen, "%s:%s",
			    action_names[rs->v[i].action], rs->v[i].name);
			return (rs->v[i].action);
		}
	}
	snprintf(rule, rlen, "allow:default");
	return (RULE_ALLOW);
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
 * rules' answer on its prompt (a prompt with no approving choice is left to
 * the person); RULE_ASK for anything else.  rule gets "action:name".
 */
int
rules_verdict(const struct ruleset *rs, const struct verdict *v,
    const char *dir, char *rule, size_t rlen)
{
	int	 action;

	if (v->state != S_CONFIRM) {
		snprintf(rule, rlen, "ask:not-a-confirmation");
		return (RULE_ASK);
	}
	action = rules_decide(rs, v->detail, dir, rule, rlen);
	if (action == RULE_ALLOW && v->keys[0] == '\0') {
		action = RULE_ASK;
		snprintf(rule, rlen, "ask:no-approving-choice");
	}
	return (action);
}
