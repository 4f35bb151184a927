/*
 * reply.c: the client's reading of what an agent sends, which a remote
 * agent (-H, --via) controls: a line framed and split into fields, the
 * greeting, a reply to a request ("data|ok|err ID ...") and an event.
 * Pure: no I/O, no globals, nothing that exits, so it is unit-tested and
 * fuzzed (tests/fuzz/fuzz_reply.c) as conn.c runs it.
 *
 * Invariants: a line is at most the caller's limit (CM_REPLY_LINE_MAX) and
 * CM_FIELDS_MAX fields, and its fields lie inside the buffer it was read
 * into (valid until that buffer is read into again); what is copied out
 * (the instance, an error's code and message) is cut to its array and
 * NUL-terminated, and an error's message is escaped (esc_text), since it
 * is only ever printed.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "cli.h"

/*
 * The next whole line in "in", split into fields: 1, 0 if no whole line
 * is there yet, -1 (cause set) if the agent sent a line longer than max
 * bytes or one that does not split.  The line is taken out of "in"; its
 * fields stay valid until "in" is added to.
 */
int
reply_next(struct buf *in, size_t *scanned, size_t max, struct field *f,
    int *nf, char *cause, size_t clen)
{
	const char	*why;
	char		*l;
	size_t		 n;
	ssize_t		 used;

	used = proto_frame(in, scanned, max, &l, &n);
	if (used == -1) {
		snprintf(cause, clen, "agent sent a line longer than %zu bytes",
		    max);
		return (-1);
	}
	if (used == 0)
		return (0);
	*nf = proto_split(l, n, f, CM_FIELDS_MAX, &why);
	in->off += (size_t)used;
	in->len -= (size_t)used;
	if (*nf == -1) {
		snprintf(cause, clen, "bad line from agent: %s", why);
		return (-1);
	}
	return (1);
}

/*
 * The agent's first line: "hello cm 1 INSTANCE [FEATURE ...]", or "bye
 * full" when it has no room.  HELLO_OK with the instance copied into
 * instance (cut to ilen - 1 bytes) and *new_check set from the features;
 * HELLO_FULL; HELLO_VERSION when it speaks another protocol (f[2]); else
 * HELLO_NONE, and nothing is set.
 */
int
reply_hello(struct field *f, int nf, char *instance, size_t ilen,
    int *new_check)
{
	int	 i;

	if (nf >= 2 && proto_field_eq(&f[0], "bye") &&
	    proto_field_eq(&f[1], "full"))
		return (HELLO_FULL);
	if (nf < 4 || !proto_field_eq(&f[0], "hello") ||
	    !proto_field_eq(&f[1], "cm"))
		return (HELLO_NONE);
	if (!proto_field_eq(&f[2], "1"))
		return (HELLO_VERSION);
	snprintf(instance, ilen, "%.*s", (int)f[3].n, f[3].p);
	/* What the agent can do past protocol 1's start: words after it. */
	*new_check = 0;
	for (i = 4; i < nf; i++) {
		if (proto_field_eq(&f[i], "new-check"))
			*new_check = 1;
	}
	return (HELLO_OK);
}

/*
 * What a line is to a client that waits for the reply to request id: the
 * agent's "bye", a data line, the "ok" or the "err" of that request, or
 * REPLY_OTHER (an event, a reply to another request, a line unknown).
 */
int
reply_kind(const struct field *f, int nf, int id)
{
	char	 want[16];

	if (nf >= 1 && proto_field_eq(&f[0], "bye"))
		return (REPLY_BYE);
	snprintf(want, sizeof want, "%d", id);
	if (nf < 2 || !proto_field_eq(&f[1], want))
		return (REPLY_OTHER);
	if (proto_field_eq(&f[0], "data"))
		return (REPLY_DATA);
	if (proto_field_eq(&f[0], "ok"))
		return (REPLY_OK);
	if (proto_field_eq(&f[0], "err"))
		return (REPLY_ERR);
	return (REPLY_OTHER);
}

/*
 * How many of the first n bytes of s, text that esc_text wrote, to keep so
 * that it fits in max bytes: cut between two characters (a UTF-8 sequence
 * is whole) and outside an escape ("\xHH", "\t", ...), so that what is
 * kept is valid UTF-8 and says nothing it did not.
 */
static size_t
text_cut(const char *s, size_t n, size_t max)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, step;

	while (i < n) {
		if (p[i] == '\\')
			step = i + 1 < n && p[i + 1] == 'x' ? 4 : 2;
		else if (p[i] >= 0xf0)
			step = 4;
		else if (p[i] >= 0xe0)
			step = 3;
		else if (p[i] >= 0xc0)
			step = 2;
		else
			step = 1;
		if (step > n - i)
			step = n - i;
		if (step > max - i)
			break;
		i += step;
	}
	return (i);
}

/*
 * An "err ID CODE MESSAGE" in r's fields: r->ok cleared, the code and the
 * message (escaped: it is only ever printed) copied, cut to size (the
 * message between two characters).  Returns 0, -1 if out of memory.
 */
int
reply_error(struct reply *r)
{
	struct buf	 b;
	size_t		 n = r->nf > 3 ? r->f[3].n : 0;

	r->ok = 0;
	snprintf(r->code, sizeof r->code, "%.*s",
	    r->nf > 2 ? (int)r->f[2].n : 0,
	    r->nf > 2 ? r->f[2].p : "");
	buf_init(&b, 4 * n + 8);
	if (esc_text(&b, r->nf > 3 ? r->f[3].p : "", n, 0) == -1) {
		buf_free(&b);
		return (-1);
	}
	snprintf(r->msg, sizeof r->msg, "%.*s",
	    (int)text_cut(buf_ptr(&b), b.len, sizeof r->msg - 1), buf_ptr(&b));
	buf_free(&b);
	return (0);
}

/* An event: "event INSTANCE SEQ TIME NAME TYPE DETAIL"; 0, or -1 if not. */
int
parse_event(struct field *f, int nf, struct ev *e)
{
	uint64_t	 t;

	if (nf < 7 || !proto_field_eq(&f[0], "event") ||
	    proto_field_u64(&f[2], &e->seq) == -1 ||
	    proto_field_u64(&f[3], &t) == -1)
		return (-1);
	e->time = (int64_t)t;
	e->name = f[4];
	e->type = f[5];
	e->detail = f[6];
	return (0);
}
