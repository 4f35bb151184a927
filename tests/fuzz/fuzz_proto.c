/*
 * tests/fuzz/fuzz_proto.c: libFuzzer target for the wire protocol (proto.c).
 * Feeds the input, as a client's bytes, through what the agent does with
 * them: into a bounded buffer in reads of sizes taken from the input, framed
 * into lines by proto_frame (with a small line limit, so "too long" is
 * reached), each line parsed by proto_parse_request, which checks every
 * verb's arguments.  Then the input as one field: proto_escape and back with
 * proto_unescape must give the same bytes, and proto_split of the escaped
 * form must give one field; proto_unescape of the raw input must not grow.
 *
 * Invariants checked (abort = finding): a framed line lies inside the buffer;
 * a parsed request holds a valid id, a known verb, an argument count inside
 * the verb's bounds, fields that lie inside the line; for the arguments the
 * agent reads without checking again (do_new in session.c, do_watch in
 * ring.c, do_confirm in client.c) what it assumes holds: "new" has
 * key=value options, then "--" and at least one word; "confirm ... for=N"
 * has N; session names are valid names.  The agent's own re-reading of
 * those arguments is not reached here: it is mixed with the agent's state.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"

#define FUZZ_LINE_MAX	512	/* stands for CM_LINE_MAX: reachable */

#define must(c) do { if (!(c)) abort(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
inside(const struct field *f, const char *line, size_t n)
{
	return (f->p >= line && f->p + f->n <= line + n);
}

/* What the agent assumes of a request proto.c accepted. */
static void
check_request(const struct request *r, const char *line, size_t n)
{
	const struct field	*f;
	int			 i, cmd0;
	uint64_t		 u;
	struct field		 v;

	must(proto_valid_id(r->id, strlen(r->id)));
	must((unsigned)r->verb < V_NVERBS);
	must(r->argc >= 0 && r->argc <= CM_FIELDS_MAX);
	for (i = 0; i < r->argc; i++)
		must(inside(&r->argv[i], line, n));
	switch (r->verb) {
	case V_AUTH:
		must(r->argc == 1 && r->argv[0].n > 0 &&
		    r->argv[0].n <= CM_TOKEN_MAX);
		break;
	case V_NEW:
		for (i = 0; i < r->argc; i++) {
			f = &r->argv[i];
			if (proto_field_eq(f, "--"))
				break;
			must(memchr(f->p, '=', f->n) != NULL);
		}
		cmd0 = i + 1;
		must(cmd0 < r->argc);
		for (i = cmd0; i < r->argc; i++)
			must(memchr(r->argv[i].p, '\0', r->argv[i].n) == NULL);
		break;
	case V_SEND:
	case V_KEYS:
	case V_GET:
	case V_SHOW:
	case V_KILL:
	case V_CONFIRM:
		must(r->argc >= 1);
		must(proto_valid_name(r->argv[0].p, r->argv[0].n));
		if (r->verb == V_SEND)
			must(r->argv[1].n <= CM_TEXT_MAX);
		if (r->verb == V_KEYS)
			for (i = 1; i < r->argc; i++)
				must(proto_valid_key(r->argv[i].p,
				    r->argv[i].n));
		if (r->verb == V_CONFIRM && r->argc == 3) {
			must(r->argv[2].n >= 5);
			v.p = r->argv[2].p + 4;
			v.n = r->argv[2].n - 4;
			must(proto_field_u64(&v, &u) == 0 && u > 0);
		}
		break;
	case V_WATCH:
		for (i = 0; i < r->argc; i++) {
			f = &r->argv[i];
			if (memchr(f->p, '=', f->n) == NULL &&
			    !proto_field_eq(f, "snapshot"))
				must(proto_valid_name(f->p, f->n));
		}
		break;
	case V_LOG:
		if (r->argc == 1)
			must(proto_valid_name(r->argv[0].p, r->argv[0].n));
		break;
	default:
		must(r->argc == 0 || r->verb == V_LOG);
		break;
	}
}

/* One line, copied to a heap block of its own size plus the byte after it
 * (the agent writes a NUL there), so any read past it is caught. */
static void
one_line(const char *l, size_t n)
{
	struct request	 r;
	const char	*cause = NULL;
	char		*copy;

	copy = malloc(n + 1);
	must(copy != NULL);
	memcpy(copy, l, n);
	copy[n] = '\n';
	if (proto_parse_request(copy, n, &r, &cause) == 0)
		check_request(&r, copy, n);
	else {
		must(cause != NULL && *cause != '\0');
		must(strcmp(r.id, "-") == 0 ||
		    proto_valid_id(r.id, strlen(r.id)));
	}
	free(copy);
}

/* The agent's client_process, with reads of sizes from the input. */
static void
frame(const uint8_t *d, size_t size)
{
	struct buf	 in;
	size_t		 scanned = 0, pos = 0, step, len;
	ssize_t		 used;
	char		*l;
	unsigned	 seed = size > 0 ? d[0] : 1;

	buf_init(&in, 2 * FUZZ_LINE_MAX);
	while (pos < size) {
		seed = seed * 1103515245u + 12345u;
		step = 1 + (seed >> 16) % 97;
		if (step > size - pos)
			step = size - pos;
		if (step > in.max - in.len)
			step = in.max - in.len;
		must(buf_add(&in, d + pos, step) == 0);
		pos += step;
		for (;;) {
			used = proto_frame(&in, &scanned, FUZZ_LINE_MAX, &l,
			    &len);
			if (used == 0)
				break;
			if (used == -1) {
				buf_clear(&in);
				scanned = 0;
				break;
			}
			must((size_t)used <= in.len && len < (size_t)used);
			must(l == buf_ptr(&in) && l[used - 1] == '\n');
			one_line(l, len);
			buf_consume(&in, (size_t)used);
		}
		buf_shrink(&in);
	}
	buf_free(&in);
}

/* Escaping: a field round-trips, and its escaped form is one field. */
static void
escape(const uint8_t *d, size_t size)
{
	struct buf	 b;
	struct field	 f[2];
	const char	*cause;
	char		*raw;
	ssize_t		 u;

	buf_init(&b, 4 * size + 8);
	must(proto_escape(&b, d, size) == 0);
	must(memchr(buf_ptr(&b), ' ', b.len) == NULL);
	must(memchr(buf_ptr(&b), '\n', b.len) == NULL);
	must(proto_split(buf_ptr(&b), b.len, f, 2, &cause) == 1);
	must(f[0].n == size && memcmp(f[0].p, d, size) == 0);
	buf_free(&b);

	raw = malloc(size + 1);
	must(raw != NULL);
	memcpy(raw, d, size);
	u = proto_unescape(raw, size);
	must(u == -1 || (size_t)u <= size);
	free(raw);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	frame(d, size);
	escape(d, size);
	return (0);
}
