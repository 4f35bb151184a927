/*
 * profile.c: the profiles in use, and profiles read from files.  The table
 * starts as confirm.c's built-in profiles; a user's profile files
 * ($XDG_CONFIG_HOME/cm/profiles/NAME, doc/PROFILES.md) add a profile called
 * NAME or replace the built-in one of that name, so a changed footer or a
 * new program is a text edit, not a rebuild.  The files are parsed by hand,
 * one directive per line, like the rules file; errors read FILE:LINE:COL:
 * message.
 *
 * Invariants: a profile's index never changes while the program runs (a
 * session holds it): a built-in keeps its slot, a user profile takes its
 * name's slot or the next free one, and a slot whose file has gone falls
 * back to the built-in of that name, or to "generic".  A set of files that
 * does not parse changes nothing.  Every file, string and list is bounded
 * (CM_PROFILE_*).  A loaded profile owns all its memory.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"

/* The lists a profile has, in the order of the directives' table. */
enum {
	L_COMMAND, L_WORKING, L_TITLE_WORKING, L_IDLE, L_ERROR, L_BOX,
	L_CHOICE, L_PENDING, L_HINT, L_NLISTS
};

/* A profile read from a file: the struct confirm.c reads comes first. */
struct uprofile {
	struct profile	 p;
	char		*name;
	char		*version;
	char		*turn;
	char		*draft;
	const struct mark *modes;		/* the base's, or none */
	const char	**list[L_NLISTS];	/* each ends with NULL */
	int		 n[L_NLISTS];
	struct mark	*marks;		/* ends with a NULL text */
	int		 nmarks;
};

/* The table: slot i holds the same name for the program's whole run. */
static const struct profile *table[CM_PROFILES_MAX];
static char	 slot_name[CM_PROFILES_MAX][CM_PROFILE_NAME_MAX + 1];
static struct uprofile *owned[CM_PROFILES_MAX];
static int	 nslots;

static const struct {
	const char	*word;
	int		 list;
} list_words[] = {
	{ "command", L_COMMAND }, { "working", L_WORKING },
	{ "title-working", L_TITLE_WORKING }, { "idle", L_IDLE },
	{ "error", L_ERROR }, { "box", L_BOX }, { "choice", L_CHOICE },
	{ "pending", L_PENDING }, { "hint", L_HINT }, { NULL, 0 }
};
static const struct mark no_modes[] = { { NULL, S_UNKNOWN, NULL } };

static void
table_init(void)
{
	const struct profile	*b;
	int			 i;

	if (nslots > 0)
		return;
	for (i = 0; (b = profile_builtin(i)) != NULL; i++) {
		if (i == CM_PROFILES_MAX)
			fatalx("more than %d built-in profiles",
			    CM_PROFILES_MAX);
		table[i] = b;
		strncpy(slot_name[i], b->name, CM_PROFILE_NAME_MAX);
	}
	nslots = i;
}

/* The profile in slot i; the generic one for an index out of range. */
const struct profile *
profile_get(int i)
{
	table_init();
	if (i < 0 || i >= nslots)
		i = profile_find("generic");
	return (table[i]);
}

const char *
profile_name(int i)
{
	table_init();
	if (i < 0 || i >= nslots)
		return (NULL);
	return (slot_name[i]);
}

/* How long Enter waits after typed text, for this profile. */
int
profile_enter_delay(int i)
{
	table_init();
	if (i < 0 || i >= nslots)
		return (0);
	return (table[i]->enter_ms);
}

/* The profile called name, or -1. */
int
profile_find(const char *name)
{
	int	 i;

	table_init();
	for (i = 0; i < nslots; i++) {
		if (strcmp(slot_name[i], name) == 0)
			return (i);
	}
	return (-1);
}

/* The profile for a command (its argv[0]); the generic one by default.
 * Users' profiles are asked first, so one can take a built-in's command. */
int
profile_for_command(const char *argv0, size_t n)
{
	const char	*base = argv0, *c;
	size_t		 i, bn;
	int		 k, j, pass;

	table_init();
	for (i = 0; i < n; i++) {
		if (argv0[i] == '/')
			base = argv0 + i + 1;
	}
	bn = n - (size_t)(base - argv0);
	for (pass = 0; pass < 2; pass++) {
		for (k = 0; k < nslots; k++) {
			if ((owned[k] != NULL) != (pass == 0))
				continue;
			for (j = 0; table[k]->commands[j] != NULL; j++) {
				c = table[k]->commands[j];
				if (strlen(c) == bn && memcmp(c, base, bn) == 0)
					return (k);
			}
		}
	}
	return (profile_find("generic"));
}

/* The names of the profiles in use, comma-separated, for messages. */
void
profile_names(char *out, size_t len)
{
	size_t	 have = 0;
	int	 i;

	table_init();
	if (len > 0)
		out[0] = '\0';
	for (i = 0; i < nslots && len > 0; i++) {
		snprintf(out + have, len - have, "%s%s", i > 0 ? ", " : "",
		    slot_name[i]);
		have += strlen(out + have);
		if (have + 1 >= len)
			break;
	}
}

static void
uprofile_free(struct uprofile *u)
{
	int	 l, i;

	if (u == NULL)
		return;
	for (l = 0; l < L_NLISTS; l++) {
		for (i = 0; i < u->n[l]; i++)
			free((char *)u->list[l][i]);
		free(u->list[l]);
	}
	for (i = 0; i < u->nmarks; i++) {
		free((char *)u->marks[i].text);
		free((char *)u->marks[i].rule);
	}
	free(u->marks);
	free(u->name);
	free(u->version);
	free(u->turn);
	free(u->draft);
	free(u);
}

/* Free a profile that profile_parse returned and was not installed. */
void
profile_free(struct profile *p)
{
	uprofile_free((struct uprofile *)p);
}

/* Append a copy of s (n bytes) to list l; -1 when the list is full. */
static int
list_add(struct uprofile *u, int l, const char *s, size_t n)
{
	char	*c;

	if (u->n[l] >= CM_PROFILE_LIST_MAX)
		return (-1);
	c = xmalloc(n + 1);
	memcpy(c, s, n);
	c[n] = '\0';
	u->list[l][u->n[l]++] = c;
	u->list[l][u->n[l]] = NULL;
	return (0);
}

static int
mark_add(struct uprofile *u, const char *text, size_t n, enum state st,
    const char *rule)
{
	char	*c;

	if (u->nmarks >= CM_PROFILE_LIST_MAX)
		return (-1);
	c = xmalloc(n + 1);
	memcpy(c, text, n);
	c[n] = '\0';
	u->marks[u->nmarks].text = c;
	u->marks[u->nmarks].state = st;
	u->marks[u->nmarks].rule = xstrdup(rule);
	u->nmarks++;
	u->marks[u->nmarks].text = NULL;
	return (0);
}

static const char *const *
builtin_list(const struct profile *b, int l)
{
	switch (l) {
	case L_COMMAND:
		return (b->commands);
	case L_WORKING:
		return (b->working);
	case L_TITLE_WORKING:
		return (b->title_working);
	case L_IDLE:
		return (b->idle);
	case L_ERROR:
		return (b->errors);
	case L_BOX:
		return (b->box);
	case L_CHOICE:
		return (b->choices);
	case L_HINT:
		return (b->hints);
	default:
		return (b->pending);
	}
}

/* Make u a copy of profile b's tables (its name stays u's own). */
static void
uprofile_base(struct uprofile *u, const struct profile *b)
{
	const char *const	*src;
	int			 l, i;

	for (l = 0; l < L_NLISTS; l++) {
		while (u->n[l] > 0)
			free((char *)u->list[l][--u->n[l]]);
		u->list[l][0] = NULL;
		src = builtin_list(b, l);
		for (i = 0; src != NULL && src[i] != NULL; i++)
			(void)list_add(u, l, src[i], strlen(src[i]));
	}
	while (u->nmarks > 0) {
		u->nmarks--;
		free((char *)u->marks[u->nmarks].text);
		free((char *)u->marks[u->nmarks].rule);
	}
	u->marks[0].text = NULL;
	for (i = 0; b->marks != NULL && b->marks[i].text != NULL; i++)
		(void)mark_add(u, b->marks[i].text, strlen(b->marks[i].text),
		    b->marks[i].state, b->marks[i].rule);
	free(u->version);
	u->version = xstrdup(b->version != NULL ? b->version : "");
	free(u->turn);
	u->turn = b->turn != NULL ? xstrdup(b->turn) : NULL;
	free(u->draft);
	u->draft = b->draft != NULL ? xstrdup(b->draft) : NULL;
	u->modes = b->modes != NULL ? b->modes : no_modes;
	u->p.titled = b->titled;
	u->p.menus = b->menus;
	u->p.quiet_idle = b->quiet_idle;
	u->p.enter_ms = b->enter_ms;
	u->p.blank_starting = b->blank_starting;
}

/* Point the struct confirm.c reads at u's own tables. */
static void
uprofile_wire(struct uprofile *u)
{
	u->p.name = u->name;
	u->p.version = u->version;
	u->p.commands = u->list[L_COMMAND];
	u->p.working = u->list[L_WORKING];
	u->p.title_working = u->list[L_TITLE_WORKING];
	u->p.idle = u->list[L_IDLE];
	u->p.errors = u->list[L_ERROR];
	u->p.box = u->list[L_BOX];
	u->p.choices = u->list[L_CHOICE];
	u->p.pending = u->list[L_PENDING];
	u->p.marks = u->marks;
	u->p.turn = u->turn;
	u->p.draft = u->draft;
	u->p.hints = u->list[L_HINT];
	u->p.modes = u->modes;
}

/* A profile's name: 1 to CM_PROFILE_NAME_MAX of [a-z0-9_-]. */
int
profile_valid_name(const char *s)
{
	size_t	 n = strlen(s), i;

	if (n == 0 || n > CM_PROFILE_NAME_MAX)
		return (0);
	for (i = 0; i < n; i++) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' &&
		    s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return (0);
	}
	return (1);
}

/* The parser's place in a file, for its messages. */
struct pstate {
	const char	*path;
	int		 line;
	const char	*bol;		/* the line's first byte */
	char		*err;
	size_t		 elen;
};

/* Say what is wrong where: "FILE:LINE:COL: msg[ 'arg']"; returns -1. */
static int
perr(struct pstate *ps, const char *at, const char *msg, const char *arg)
{
	snprintf(ps->err, ps->elen, "%s:%d:%d: %s%s%.64s%s", ps->path,
	    ps->line, (int)(at - ps->bol) + 1, msg, arg != NULL ? " '" : "",
	    arg != NULL ? arg : "", arg != NULL ? "'" : "");
	return (-1);
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return (p);
}

/*
 * A quoted string at *pp: "..." with \\, \", \t and \xHH.  Its bytes go to
 * out (CM_PROFILE_STRING_MAX + 1 bytes), its length to *n; *pp moves past
 * it.  Returns 0, or -1 with the message in ps.
 */
static int
qstring(struct pstate *ps, const char **pp, char *out, size_t *n)
{
	const char	*p = *pp, *start = *pp;
	int		 h, l;

	*n = 0;
	if (*p != '"')
		return (perr(ps, p, "expected a string in double quotes",
		    NULL));
	p++;
	for (;;) {
		if (*p == '\0')
			return (perr(ps, start, "unterminated string", NULL));
		if (*p == '"')
			break;
		if (*n == CM_PROFILE_STRING_MAX)
			return (perr(ps, start, "string longer than "
			    CM_STR(CM_PROFILE_STRING_MAX) " bytes", NULL));
		if (*p != '\\') {
			out[(*n)++] = *p++;
			continue;
		}
		p++;
		if (*p == '\\' || *p == '"')
			out[(*n)++] = *p++;
		else if (*p == 't') {
			out[(*n)++] = '\t';
			p++;
		} else if (*p == 'x' && (h = hexval(p[1])) != -1 &&
		    (l = hexval(p[2])) != -1 && (h != 0 || l != 0)) {
			out[(*n)++] = (char)(h * 16 + l);
			p += 3;
		} else
			return (perr(ps, p - 1, "unknown escape (\\\\, \\\", "
			    "\\t, \\xHH)", NULL));
	}
	if (*n == 0)
		return (perr(ps, start, "empty string", NULL));
	out[*n] = '\0';
	*pp = p + 1;
	return (0);
}

/* A bare word at *pp (up to a blank or the line's end), copied to out. */
static int
word(struct pstate *ps, const char **pp, char *out, size_t len,
    const char *what)
{
	const char	*p = *pp, *e = *pp;
	char		 m[64];

	while (*e != '\0' && *e != ' ' && *e != '\t')
		e++;
	if (e == p || (size_t)(e - p) >= len) {
		snprintf(m, sizeof m, "%s %s", e == p ? "expected" :
		    "too long for", what);
		return (perr(ps, p, m, NULL));
	}
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
	*pp = e;
	return (0);
}

/* Nothing but blanks may follow on the line. */
static int
line_end(struct pstate *ps, const char *p)
{
	p = skip_blanks(p);
	if (*p != '\0')
		return (perr(ps, p, "unexpected text at the end of the line",
		    NULL));
	return (0);
}

static int
yes_no(struct pstate *ps, const char **pp, int *v)
{
	char		 w[8];
	const char	*at = *pp;

	if (word(ps, pp, w, sizeof w, "yes or no") == -1)
		return (-1);
	if (strcmp(w, "yes") == 0)
		*v = 1;
	else if (strcmp(w, "no") == 0)
		*v = 0;
	else
		return (perr(ps, at, "expected yes or no", NULL));
	return (0);
}

/* choice "A" "B" ...: two to CM_OPTIONS_MAX labels, kept as "A|B|...". */
static int
parse_choice(struct pstate *ps, struct uprofile *u, const char *p)
{
	char		 one[CM_PROFILE_STRING_MAX + 1];
	char		 all[CM_PROFILE_STRING_MAX + 1];
	size_t		 n, have = 0;
	int		 k = 0;
	const char	*at = p;

	while (*p != '\0') {
		if (qstring(ps, &p, one, &n) == -1)
			return (-1);
		if (memchr(one, '|', n) != NULL)
			return (perr(ps, at, "a choice's label may not hold "
			    "'|'", NULL));
		if (++k > CM_CHOICE_MAX)
			return (perr(ps, at, "too many labels (at most "
			    CM_STR(CM_CHOICE_MAX) ")", NULL));
		if (have + n + 1 > CM_PROFILE_STRING_MAX)
			return (perr(ps, at, "choice longer than "
			    CM_STR(CM_PROFILE_STRING_MAX) " bytes", NULL));
		if (have > 0)
			all[have++] = '|';
		memcpy(all + have, one, n);
		have += n;
		p = skip_blanks(p);
	}
	if (k < 2)
		return (perr(ps, at, "a choice needs two labels or more",
		    NULL));
	if (list_add(u, L_CHOICE, all, have) == -1)
		return (perr(ps, at, "too many choice lines", NULL));
	return (0);
}

/* mark STATE RULE "TEXT" */
static int
parse_mark(struct pstate *ps, struct uprofile *u, const char *p)
{
	char		 st[16] = "", rule[CM_PROFILE_NAME_MAX + 1] = "";
	char		 text[CM_PROFILE_STRING_MAX + 1];
	size_t		 n, i;
	enum state	 s;
	const char	*at = p;

	if (word(ps, &p, st, sizeof st, "a state") == -1)
		return (-1);
	if (state_parse(st, &s) == -1 || s == S_UNKNOWN)
		return (perr(ps, at, "unknown state", st));
	p = skip_blanks(p);
	at = p;
	if (word(ps, &p, rule, sizeof rule, "a rule name") == -1)
		return (-1);
	for (i = 0; rule[i] != '\0'; i++) {
		if (!((rule[i] >= 'a' && rule[i] <= 'z') || (rule[i] >= '0' &&
		    rule[i] <= '9') || rule[i] == '-'))
			return (perr(ps, at, "a rule name is [a-z0-9-]",
			    NULL));
	}
	p = skip_blanks(p);
	if (qstring(ps, &p, text, &n) == -1)
		return (-1);
	if (line_end(ps, p) == -1)
		return (-1);
	if (mark_add(u, text, n, s, rule) == -1)
		return (perr(ps, at, "too many marks", NULL));
	return (0);
}

static struct uprofile *
uprofile_new(const char *name)
{
	struct uprofile	*u;
	int		 l;

	u = xcalloc(1, sizeof *u);
	for (l = 0; l < L_NLISTS; l++)
		u->list[l] = xcalloc(CM_PROFILE_LIST_MAX + 1,
		    sizeof *u->list[l]);
	u->marks = xcalloc(CM_PROFILE_LIST_MAX + 1, sizeof *u->marks);
	u->name = xstrdup(name);
	u->version = xstrdup("");
	u->modes = no_modes;
	u->p.menus = 1;
	return (u);
}

/* One line: a directive and its arguments. */
static int
parse_line(struct pstate *ps, struct uprofile *u, const char *p,
    int *seen_other)
{
	char			 w[24], s[CM_PROFILE_STRING_MAX + 1];
	char			 name[CM_PROFILE_NAME_MAX + 1];
	const struct profile	*b;
	const char		*at = p, *arg;
	size_t			 n;
	long			 v;
	char			*end;
	int			 i, k;

	if (word(ps, &p, w, sizeof w, "a directive") == -1)
		return (-1);
	p = arg = skip_blanks(p);
	if (strcmp(w, "base") == 0) {
		if (*seen_other)
			return (perr(ps, at, "base must come first", NULL));
		if (word(ps, &p, name, sizeof name, "a profile name") == -1)
			return (-1);
		for (i = 0; (b = profile_builtin(i)) != NULL; i++) {
			if (strcmp(b->name, name) == 0)
				break;
		}
		if (b == NULL)
			return (perr(ps, arg, "no built-in profile", name));
		uprofile_base(u, b);
		*seen_other = 1;
		return (line_end(ps, p));
	}
	*seen_other = 1;
	for (i = 0; list_words[i].word != NULL; i++) {
		if (strcmp(w, list_words[i].word) != 0)
			continue;
		k = list_words[i].list;
		if (*p == '\0')
			return (perr(ps, p, "expected a string in double "
			    "quotes", NULL));
		if (k == L_CHOICE)
			return (parse_choice(ps, u, p));
		if (k == L_COMMAND) {
			while (*p != '\0') {
				at = p;
				if (word(ps, &p, name, sizeof name,
				    "a command name") == -1)
					return (-1);
				if (list_add(u, k, name, strlen(name)) == -1)
					return (perr(ps, at, "too many "
					    "commands", NULL));
				p = skip_blanks(p);
			}
			return (0);
		}
		if (qstring(ps, &p, s, &n) == -1 || line_end(ps, p) == -1)
			return (-1);
		if (list_add(u, k, s, n) == -1)
			return (perr(ps, arg, "list full (at most "
			    CM_STR(CM_PROFILE_LIST_MAX) ")", NULL));
		return (0);
	}
	if (strcmp(w, "clear") == 0) {
		if (word(ps, &p, name, sizeof name, "a list's name") == -1)
			return (-1);
		if (strcmp(name, "mark") == 0) {
			while (u->nmarks > 0) {
				u->nmarks--;
				free((char *)u->marks[u->nmarks].text);
				free((char *)u->marks[u->nmarks].rule);
			}
			u->marks[0].text = NULL;
			return (line_end(ps, p));
		}
		for (i = 0; list_words[i].word != NULL; i++) {
			if (strcmp(name, list_words[i].word) == 0)
				break;
		}
		if (list_words[i].word == NULL)
			return (perr(ps, arg, "no list called", name));
		k = list_words[i].list;
		while (u->n[k] > 0)
			free((char *)u->list[k][--u->n[k]]);
		u->list[k][0] = NULL;
		return (line_end(ps, p));
	}
	if (strcmp(w, "mark") == 0)
		return (parse_mark(ps, u, p));
	if (strcmp(w, "turn") == 0 || strcmp(w, "draft") == 0) {
		if (qstring(ps, &p, s, &n) == -1 || line_end(ps, p) == -1)
			return (-1);
		if (w[0] == 't') {
			free(u->turn);
			u->turn = xstrdup(s);
		} else {
			free(u->draft);
			u->draft = xstrdup(s);
		}
		return (0);
	}
	if (strcmp(w, "version") == 0) {
		if (word(ps, &p, name, sizeof name, "a version") == -1 ||
		    line_end(ps, p) == -1)
			return (-1);
		free(u->version);
		u->version = xstrdup(name);
		return (0);
	}
	if (strcmp(w, "enter-delay") == 0) {
		errno = 0;
		v = strtol(p, &end, 10);
		if (end == p || errno != 0 || v < 0 || v > CM_ENTER_DELAY_MAX)
			return (perr(ps, p, "expected milliseconds, 0 to "
			    CM_STR(CM_ENTER_DELAY_MAX), NULL));
		u->p.enter_ms = (int)v;
		return (line_end(ps, end));
	}
	if (strcmp(w, "titled") == 0)
		i = yes_no(ps, &p, &u->p.titled);
	else if (strcmp(w, "menus") == 0)
		i = yes_no(ps, &p, &u->p.menus);
	else if (strcmp(w, "quiet-idle") == 0)
		i = yes_no(ps, &p, &u->p.quiet_idle);
	else if (strcmp(w, "blank-starting") == 0)
		i = yes_no(ps, &p, &u->p.blank_starting);
	else
		return (perr(ps, at, "unknown directive", w));
	return (i == -1 ? -1 : line_end(ps, p));
}

/*
 * Read the profile file path as the profile called name.  A file named
 * like a built-in profile starts from that profile's tables ("base NAME"
 * starts from another); its lines add to them.  Returns the profile, or
 * NULL with "FILE:LINE:COL: message" in err.
 */
struct profile *
profile_parse(const char *path, const char *name, char *err, size_t elen)
{
	struct pstate		 ps;
	struct uprofile		*u;
	const struct profile	*b;
	struct buf		 in;
	char			*p, *end, *nl;
	int			 fd, i, seen_other = 0;
	ssize_t			 n;

	if (!profile_valid_name(name)) {
		snprintf(err, elen, "%s: bad profile name '%.64s' (1 to %d of "
		    "a-z, 0-9, _ and -)", path, name, CM_PROFILE_NAME_MAX);
		return (NULL);
	}
	if ((fd = open(path, O_RDONLY)) == -1) {
		snprintf(err, elen, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	buf_init(&in, CM_PROFILE_FILE_MAX);
	while ((n = buf_read(&in, fd)) > 0 || n == CM_AGAIN)
		;
	close(fd);
	if (n == -1) {
		snprintf(err, elen, "%s: %s", path, errno == ENOBUFS ?
		    "file too large" : strerror(errno));
		buf_free(&in);
		return (NULL);
	}
	if (memchr(buf_ptr(&in), '\0', in.len) != NULL) {
		snprintf(err, elen, "%s: a NUL byte in the file", path);
		buf_free(&in);
		return (NULL);
	}
	(void)buf_add(&in, "\n", 1);
	u = uprofile_new(name);
	for (i = 0; (b = profile_builtin(i)) != NULL; i++) {
		if (strcmp(b->name, name) == 0)
			uprofile_base(u, b);
	}
	ps.path = path;
	ps.line = 0;
	ps.err = err;
	ps.elen = elen;
	p = buf_ptr(&in);
	end = p + in.len;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		ps.line++;
		ps.bol = p;
		p = (char *)skip_blanks(p);
		if (*p == '\0' || *p == '#')
			continue;
		if (parse_line(&ps, u, p, &seen_other) == -1) {
			uprofile_free(u);
			buf_free(&in);
			return (NULL);
		}
	}
	buf_free(&in);
	uprofile_wire(u);
	return (&u->p);
}

/*
 * Put the profiles ps[0..n) in use, replacing the users' profiles in use
 * before (each slot keeps its name; a name new to this run takes the next
 * free slot).  Takes ownership of ps.  Returns 0, or -1 when the table is
 * full (then nothing changes and ps is freed).
 */
int
profile_install(struct profile **ps, int n, char *err, size_t elen)
{
	struct uprofile		*u;
	const struct profile	*b;
	int			 i, j, slot[CM_PROFILES_MAX], more;

	table_init();
	more = nslots;
	for (i = 0; i < n && i < CM_PROFILES_MAX; i++) {
		u = (struct uprofile *)ps[i];
		for (j = 0; j < nslots; j++) {
			if (strcmp(slot_name[j], u->name) == 0)
				break;
		}
		if (j == nslots && more < CM_PROFILES_MAX)
			j = more++;
		else if (j == nslots)
			break;
		slot[i] = j;
	}
	if (i < n) {
		snprintf(err, elen, "more than %d profiles", CM_PROFILES_MAX);
		for (i = 0; i < n; i++)
			profile_free(ps[i]);
		return (-1);
	}
	/* The old users' profiles go; their slots fall back. */
	for (j = 0; j < nslots; j++) {
		uprofile_free(owned[j]);
		owned[j] = NULL;
		table[j] = NULL;
		for (i = 0; (b = profile_builtin(i)) != NULL; i++) {
			if (strcmp(b->name, slot_name[j]) == 0)
				table[j] = b;
		}
	}
	for (j = nslots; j < more; j++)
		table[j] = NULL;
	for (i = 0; i < n; i++) {
		u = (struct uprofile *)ps[i];
		owned[slot[i]] = u;
		table[slot[i]] = &u->p;
		strncpy(slot_name[slot[i]], u->name, CM_PROFILE_NAME_MAX);
	}
	nslots = more;
	for (j = 0; j < nslots; j++) {
		if (table[j] == NULL)
			table[j] = table[profile_find("generic")];
	}
	return (0);
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/*
 * Read every profile file in dir (may be NULL or missing: none; names
 * sorted; hidden files and editor backups, "name~", skipped), then the
 * file extra (may be NULL; its profile is named after its last path
 * component and replaces one of dir's of that name), and put them in use.
 * Returns how many were read, or -1 with the first error in err and the
 * profiles in use unchanged.
 */
int
profile_load(const char *dir, const char *extra, char *err, size_t elen)
{
	DIR		*d = NULL;
	struct dirent	*de;
	struct stat	 st;
	struct profile	*ps[CM_PROFILES_MAX + 1];
	char		*names[CM_PROFILES_MAX], path[CM_PATH_MAX];
	const char	*base;
	int		 n = 0, np = 0, i, rc = -1;
	size_t		 len;

	if (dir != NULL && (d = opendir(dir)) == NULL && errno != ENOENT) {
		snprintf(err, elen, "%s: %s", dir, strerror(errno));
		return (-1);
	}
	while (d != NULL && (de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len == 0 ||
		    de->d_name[len - 1] == '~')
			continue;
		if (n == CM_PROFILES_MAX) {
			snprintf(err, elen, "%s: more than %d profile files",
			    dir, CM_PROFILES_MAX);
			goto out;
		}
		names[n++] = xstrdup(de->d_name);
	}
	qsort(names, (size_t)n, sizeof names[0], name_cmp);
	base = extra == NULL ? NULL : strrchr(extra, '/') != NULL ?
	    strrchr(extra, '/') + 1 : extra;
	for (i = 0; i < n; i++) {
		if (base != NULL && strcmp(names[i], base) == 0)
			continue;
		if ((size_t)snprintf(path, sizeof path, "%s/%s", dir,
		    names[i]) >= sizeof path) {
			snprintf(err, elen, "%s/%s: path too long", dir,
			    names[i]);
			goto out;
		}
		if (stat(path, &st) == -1) {
			snprintf(err, elen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if ((ps[np] = profile_parse(path, names[i], err, elen)) == NULL)
			goto out;
		np++;
	}
	if (extra != NULL) {
		if ((ps[np] = profile_parse(extra, base, err, elen)) == NULL)
			goto out;
		np++;
	}
	if (profile_install(ps, np, err, elen) == 0)
		rc = np;
	np = 0;
out:
	for (i = 0; i < np; i++)
		profile_free(ps[i]);
	for (i = 0; i < n; i++)
		free(names[i]);
	if (d != NULL)
		closedir(d);
	return (rc);
}
