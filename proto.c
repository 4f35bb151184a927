/*
 * proto.c: the wire protocol, by hand: escaping of fields, framing of lines,
 * splitting of lines into fields and parsing of requests.  doc/PROTOCOL.md is
 * the reference; this file is its implementation.
 *
 * Invariants: no I/O and no global state, so every function here can be
 * unit-tested and fuzzed directly; a parsed field points into the line it
 * came from; nothing accepted here can be longer than its CM_*_MAX.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"

static const char hexdigits[] = "0123456789abcdef";

/*
 * Append one field: the bytes of s, escaped so that the field holds no
 * space, tab, newline or control byte.  An empty field is written "\-".
 */
int
proto_escape(struct buf *b, const void *s, size_t n)
{
	const unsigned char	*p = s;
	char			 tmp[256];
	size_t			 i, t = 0;
	unsigned char		 c;

	if (n == 0)
		return (buf_add(b, "\\-", 2));
	for (i = 0; i < n; i++) {
		if (t > sizeof tmp - 4) {
			if (buf_add(b, tmp, t) == -1)
				return (-1);
			t = 0;
		}
		c = p[i];
		switch (c) {
		case '\\':
			tmp[t++] = '\\';
			tmp[t++] = '\\';
			continue;
		case ' ':
			tmp[t++] = '\\';
			tmp[t++] = 's';
			continue;
		case '\t':
			tmp[t++] = '\\';
			tmp[t++] = 't';
			continue;
		case '\n':
			tmp[t++] = '\\';
			tmp[t++] = 'n';
			continue;
		case '\r':
			tmp[t++] = '\\';
			tmp[t++] = 'r';
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			tmp[t++] = '\\';
			tmp[t++] = 'x';
			tmp[t++] = hexdigits[c >> 4];
			tmp[t++] = hexdigits[c & 0xf];
			continue;
		}
		tmp[t++] = (char)c;
	}
	return (buf_add(b, tmp, t));
}

int
proto_escapes(struct buf *b, const char *s)
{
	return (proto_escape(b, s, strlen(s)));
}

/* A hex digit's value, or -1 (proto.c's escapes, profile.c's strings). */
int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Undo proto_escape in place.  Returns the new length, -1 on a bad escape. */
ssize_t
proto_unescape(char *s, size_t n)
{
	size_t	 i, o = 0;
	int	 h, l;

	if (n == 2 && s[0] == '\\' && s[1] == '-')
		return (0);
	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			s[o++] = s[i];
			continue;
		}
		if (++i == n)
			return (-1);
		switch (s[i]) {
		case '\\':
			s[o++] = '\\';
			break;
		case 's':
			s[o++] = ' ';
			break;
		case 't':
			s[o++] = '\t';
			break;
		case 'n':
			s[o++] = '\n';
			break;
		case 'r':
			s[o++] = '\r';
			break;
		case 'x':
			if (n - i < 3)
				return (-1);
			if ((h = hexval((unsigned char)s[i + 1])) == -1 ||
			    (l = hexval((unsigned char)s[i + 2])) == -1)
				return (-1);
			s[o++] = (char)(h << 4 | l);
			i += 2;
			break;
		default:
			return (-1);
		}
	}
	return ((ssize_t)o);
}

/*
 * Split a line (no newline) into at most max fields separated by runs of
 * spaces or tabs, unescaping each in place.  Returns the number of fields, or
 * -1 with *cause set.
 */
int
proto_split(char *line, size_t n, struct field *f, int max, const char **cause)
{
	size_t	 i = 0, start;
	ssize_t	 u;
	int	 nf = 0;

	for (;;) {
		while (i < n && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == n)
			break;
		start = i;
		while (i < n && line[i] != ' ' && line[i] != '\t') {
			if (line[i] == '\0') {
				*cause = "NUL byte in line";
				return (-1);
			}
			if ((unsigned char)line[i] < 0x20 ||
			    line[i] == 0x7f) {
				*cause = "control byte in line (escape it)";
				return (-1);
			}
			i++;
		}
		if (nf == max) {
			*cause = "too many fields";
			return (-1);
		}
		if ((u = proto_unescape(line + start, i - start)) == -1) {
			*cause = "bad escape";
			return (-1);
		}
		f[nf].p = line + start;
		f[nf].n = (size_t)u;
		nf++;
	}
	return (nf);
}

/*
 * Find the next line in b.  *scanned counts bytes already searched for a
 * newline, so each byte is looked at once; the caller zeroes it after
 * consuming a line.  Returns the bytes the line occupies with its newline
 * (the line itself, without "\r\n" or "\n", is *line and *len), 0 if no
 * whole line is there yet, -1 if the line is longer than max.
 */
ssize_t
proto_frame(struct buf *b, size_t *scanned, size_t max, char **line,
    size_t *len)
{
	char	*p, *nl;
	size_t	 n;

	if (b->len == 0) {
		*scanned = 0;
		return (0);
	}
	p = buf_ptr(b);
	if (*scanned > b->len)
		*scanned = 0;
	nl = memchr(p + *scanned, '\n', b->len - *scanned);
	if (nl == NULL) {
		*scanned = b->len;
		if (b->len >= max)
			return (-1);
		return (0);
	}
	n = (size_t)(nl - p);
	if (n + 1 > max)
		return (-1);
	*scanned = 0;
	*line = p;
	*len = n;
	if (n > 0 && p[n - 1] == '\r')
		(*len)--;
	return ((ssize_t)n + 1);
}

static const struct {
	const char	*name;
	int		 min;	/* arguments */
	int		 max;
} verbs[V_NVERBS] = {
	[V_AUTH] =	{ "auth", 1, 1 },
	[V_PING] =	{ "ping", 0, 0 },
	[V_STATUS] =	{ "status", 0, 0 },
	[V_NEW] =	{ "new", 2, CM_FIELDS_MAX },
	[V_SEND] =	{ "send", 2, 3 },
	[V_KEYS] =	{ "keys", 2, 1 + CM_KEYS_MAX },
	[V_LS] =	{ "ls", 0, 0 },
	[V_GET] =	{ "get", 1, 1 },
	[V_SHOW] =	{ "show", 1, 2 },
	[V_KILL] =	{ "kill", 1, 1 },
	[V_WATCH] =	{ "watch", 0, CM_FIELDS_MAX },
	[V_UNWATCH] =	{ "unwatch", 0, 0 },
	[V_CONFIRM] =	{ "confirm", 2, 3 },
	[V_LOG] =	{ "log", 0, 1 },
};

const char *
proto_verb_name(enum verb v)
{
	if ((unsigned)v >= V_NVERBS)
		return ("?");
	return (verbs[v].name);
}

int
proto_field_eq(const struct field *f, const char *s)
{
	size_t	 n = strlen(s);

	return (f->n == n && memcmp(f->p, s, n) == 0);
}

/* A decimal number with no sign and no leading junk. */
int
proto_field_u64(const struct field *f, uint64_t *out)
{
	uint64_t	 v = 0;
	size_t		 i;

	if (f->n == 0 || f->n > 20)
		return (-1);
	for (i = 0; i < f->n; i++) {
		if (f->p[i] < '0' || f->p[i] > '9')
			return (-1);
		if (v > (UINT64_MAX - (uint64_t)(f->p[i] - '0')) / 10)
			return (-1);
		v = v * 10 + (uint64_t)(f->p[i] - '0');
	}
	*out = v;
	return (0);
}

/* A NUL-terminated copy of a field (which the caller has checked for NUL). */
char *
proto_field_str(const struct field *f)
{
	char	*s;

	s = xmalloc(f->n + 1);
	memcpy(s, f->p, f->n);
	s[f->n] = '\0';
	return (s);
}

/* Letters, digits, '_', '.', '-'; 1 to CM_NAME_MAX; no leading '-'. */
int
proto_valid_name(const char *s, size_t n)
{
	size_t	 i;
	char	 c;

	if (n == 0 || n > CM_NAME_MAX || s[0] == '-')
		return (0);
	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return (0);
	}
	return (1);
}

int
proto_valid_id(const char *s, size_t n)
{
	size_t	 i;
	char	 c;

	if (n == 0 || n > CM_ID_MAX)
		return (0);
	for (i = 0; i < n; i++) {
		c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-' || c == ':'))
			return (0);
	}
	return (1);
}

static const char *const named_keys[] = {
	"Enter", "Escape", "Tab", "BTab", "Space", "BSpace", "Up", "Down",
	"Left", "Right", "Home", "End", "PageUp", "PageDown", "PgUp", "PgDn",
	"PPage", "NPage", "IC", "DC", "Insert", "Delete", "F1", "F2", "F3",
	"F4", "F5", "F6", "F7", "F8", "F9", "F10", "F11", "F12", NULL
};

/*
 * A tmux key name from the set cm allows: optional C-, M-, S- modifiers (each
 * once) before a named key or one printable ASCII character other than space
 * and quote marks.
 */
int
proto_valid_key(const char *s, size_t n)
{
	int	 seen_c = 0, seen_m = 0, seen_s = 0, i;
	size_t	 len;

	if (n == 0 || n > CM_KEY_MAX)
		return (0);
	while (n > 2 && s[1] == '-') {
		if (s[0] == 'C' && !seen_c)
			seen_c = 1;
		else if (s[0] == 'M' && !seen_m)
			seen_m = 1;
		else if (s[0] == 'S' && !seen_s)
			seen_s = 1;
		else
			break;
		s += 2;
		n -= 2;
	}
	if (n == 1)
		return (s[0] > ' ' && s[0] < 0x7f && s[0] != '\'' &&
		    s[0] != '"');
	for (i = 0; named_keys[i] != NULL; i++) {
		len = strlen(named_keys[i]);
		if (len == n && memcmp(named_keys[i], s, n) == 0)
			return (1);
	}
	return (0);
}

static int
field_has_nul(const struct field *f)
{
	return (memchr(f->p, '\0', f->n) != NULL);
}

static int
check_new(struct request *r, const char **cause)
{
	struct field	*f, val, *v = &val;
	int		 i;
	size_t		 klen, k;
	char		*eq;

	for (i = 0; i < r->argc; i++) {
		f = &r->argv[i];
		if (proto_field_eq(f, "--"))
			break;
		if ((eq = memchr(f->p, '=', f->n)) == NULL) {
			*cause = "new: expected key=value or --";
			return (-1);
		}
		klen = (size_t)(eq - f->p);
		val.p = eq + 1;
		val.n = f->n - klen - 1;
		if (klen == 4 && memcmp(f->p, "name", 4) == 0) {
			if (!proto_valid_name(v->p, v->n)) {
				*cause = "bad session name";
				return (-1);
			}
		} else if (klen == 3 && memcmp(f->p, "dir", 3) == 0) {
			if (v->n == 0 || v->p[0] != '/' ||
			    v->n >= CM_PATH_MAX || field_has_nul(v)) {
				*cause = "new: dir must be an absolute path";
				return (-1);
			}
		} else if (klen == 7 && memcmp(f->p, "confirm", 7) == 0) {
			if (v->n != 1 || (v->p[0] != '0' && v->p[0] != '1')) {
				*cause = "new: confirm must be 0 or 1";
				return (-1);
			}
		} else if (klen == 7 && memcmp(f->p, "profile", 7) == 0) {
			if (!proto_valid_name(v->p, v->n) || v->n > 32) {
				*cause = "new: bad profile name";
				return (-1);
			}
		} else if (klen == 5 && memcmp(f->p, "check", 5) == 0) {
			if (v->n != 1 || (v->p[0] != '0' && v->p[0] != '1')) {
				*cause = "new: check must be 0 or 1";
				return (-1);
			}
		} else if (klen == 4 && memcmp(f->p, "task", 4) == 0) {
			if (v->n > CM_TEXT_MAX) {
				*cause = "new: task too long";
				return (-1);
			}
		} else if (klen == 3 && memcmp(f->p, "env", 3) == 0) {
			/* NAME=VALUE, NAME a shell word, no NUL. */
			for (k = 0; k < v->n && v->p[k] != '='; k++) {
				if (!(v->p[k] == '_' ||
				    (v->p[k] >= 'A' && v->p[k] <= 'Z') ||
				    (v->p[k] >= 'a' && v->p[k] <= 'z') ||
				    (k > 0 && v->p[k] >= '0' &&
				    v->p[k] <= '9')))
					break;
			}
			if (k == 0 || k == v->n || v->p[k] != '=' ||
			    field_has_nul(v)) {
				*cause = "new: env must be NAME=VALUE";
				return (-1);
			}
		} else {
			*cause = "new: unknown option";
			return (-1);
		}
	}
	if (i >= r->argc - 1) {
		*cause = "new: no command";
		return (-1);
	}
	if (r->argc - i - 1 > CM_ARGV_MAX) {
		*cause = "new: command of more than " CM_STR(CM_ARGV_MAX)
		    " words";
		return (-1);
	}
	for (i++; i < r->argc; i++) {
		if (field_has_nul(&r->argv[i])) {
			*cause = "new: NUL byte in command";
			return (-1);
		}
	}
	return (0);
}

static int
check_watch(struct request *r, const char **cause)
{
	uint64_t	 u;
	int		 i;
	struct field	*f, v;

	for (i = 0; i < r->argc; i++) {
		f = &r->argv[i];
		if (f->n > 6 && memcmp(f->p, "since=", 6) == 0) {
			v.p = f->p + 6;
			v.n = f->n - 6;
			if (proto_field_u64(&v, &u) == -1) {
				*cause = "watch: bad since";
				return (-1);
			}
		} else if (f->n > 9 && memcmp(f->p, "instance=", 9) == 0) {
			if (!proto_valid_id(f->p + 9, f->n - 9)) {
				*cause = "watch: bad instance";
				return (-1);
			}
		} else if (proto_field_eq(f, "snapshot")) {
			continue;
		} else if (!proto_valid_name(f->p, f->n)) {
			*cause = "bad session name";
			return (-1);
		}
	}
	return (0);
}

/*
 * Parse "ID VERB ARG..." in place.  On failure returns -1 with *cause set;
 * r->id is then the line's id if it had a valid one, else "-".
 */
int
proto_parse_request(char *line, size_t n, struct request *r,
    const char **cause)
{
	struct field	 f[CM_FIELDS_MAX + 2];
	int		 nf, i, v;

	strcpy(r->id, "-");
	r->argc = 0;
	/* The id first, raw (it needs no escapes), so that any later error
	 * in the line is still answered with it. */
	for (i = 0; i < (int)n && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	for (v = i; v < (int)n && line[v] != ' ' && line[v] != '\t'; v++)
		;
	if (proto_valid_id(line + i, (size_t)(v - i))) {
		memcpy(r->id, line + i, (size_t)(v - i));
		r->id[v - i] = '\0';
	}
	if ((nf = proto_split(line, n, f, CM_FIELDS_MAX + 2, cause)) == -1)
		return (-1);
	if (nf == 0) {
		*cause = "empty line";
		return (-1);
	}
	if (!proto_valid_id(f[0].p, f[0].n)) {
		*cause = "bad request id (1-16 of A-Z a-z 0-9 _ . - :)";
		return (-1);
	}
	memcpy(r->id, f[0].p, f[0].n);
	r->id[f[0].n] = '\0';
	if (nf < 2) {
		*cause = "no verb";
		return (-1);
	}
	for (v = 0; v < V_NVERBS; v++) {
		if (proto_field_eq(&f[1], verbs[v].name))
			break;
	}
	if (v == V_NVERBS) {
		*cause = "unknown verb";
		return (-1);
	}
	r->verb = (enum verb)v;
	r->argc = nf - 2;
	if (r->argc < verbs[v].min || r->argc > verbs[v].max) {
		*cause = "wrong number of arguments";
		return (-1);
	}
	for (i = 0; i < r->argc; i++)
		r->argv[i] = f[i + 2];

	switch (r->verb) {
	case V_AUTH:
		if (r->argv[0].n == 0 || r->argv[0].n > CM_TOKEN_MAX) {
			*cause = "bad token";
			return (-1);
		}
		break;
	case V_NEW:
		return (check_new(r, cause));
	case V_SEND:
	case V_KEYS:
	case V_GET:
	case V_SHOW:
	case V_KILL:
		if (!proto_valid_name(r->argv[0].p, r->argv[0].n)) {
			*cause = "bad session name";
			return (-1);
		}
		if (r->verb == V_SEND) {
			if (r->argv[1].n > CM_TEXT_MAX) {
				*cause = "send: text too long";
				return (-1);
			}
			if (r->argc == 3 &&
			    !proto_field_eq(&r->argv[2], "enter")) {
				*cause = "send: third argument must be enter";
				return (-1);
			}
		}
		if (r->verb == V_KEYS) {
			for (i = 1; i < r->argc; i++) {
				if (!proto_valid_key(r->argv[i].p,
				    r->argv[i].n)) {
					*cause = "bad key name";
					return (-1);
				}
			}
		}
		if (r->verb == V_SHOW && r->argc == 2 &&
		    !proto_field_eq(&r->argv[1], "escapes")) {
			*cause = "show: second argument must be escapes";
			return (-1);
		}
		break;
	case V_WATCH:
		return (check_watch(r, cause));
	case V_CONFIRM:
		if (!proto_valid_name(r->argv[0].p, r->argv[0].n)) {
			*cause = "bad session name";
			return (-1);
		}
		if (!proto_field_eq(&r->argv[1], "on") &&
		    !proto_field_eq(&r->argv[1], "off")) {
			*cause = "confirm: second argument must be on or off";
			return (-1);
		}
		if (r->argc == 3) {
			struct field	 sv;
			uint64_t	 u;

			sv.p = r->argv[2].p + 4;
			sv.n = r->argv[2].n - 4;
			if (r->argv[2].n < 5 ||
			    memcmp(r->argv[2].p, "for=", 4) != 0 ||
			    proto_field_u64(&sv, &u) == -1 || u == 0 ||
			    u > 366ULL * 86400 ||
			    proto_field_eq(&r->argv[1], "off")) {
				*cause = "confirm: bad for=SECONDS";
				return (-1);
			}
		}
		break;
	case V_LOG:
		if (r->argc == 1 &&
		    !proto_valid_name(r->argv[0].p, r->argv[0].n)) {
			*cause = "bad session name";
			return (-1);
		}
		break;
	default:
		break;
	}
	return (0);
}

static const char *const state_names[S_NSTATES] = {
	"starting", "working", "idle", "confirm", "input", "error", "exited",
	"unknown"
};

const char *
state_name(enum state s)
{
	if ((unsigned)s >= S_NSTATES)
		return ("unknown");
	return (state_names[s]);
}

int
state_parse(const char *s, enum state *out)
{
	int	 i;

	for (i = 0; i < S_NSTATES; i++) {
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum state)i;
			return (0);
		}
	}
	return (-1);
}
