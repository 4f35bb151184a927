/*
 * tests/fuzz/fuzz_reply.c: libFuzzer target for the client's reading of what
 * an agent sends (reply.c), which a hostile or broken agent at the far end of
 * -H or --via controls.  The input, as the agent's bytes, goes into a bounded
 * buffer in reads of sizes taken from the input, as conn_line reads it, and
 * reply_next frames and splits it (with a small line limit, so that "too
 * long" is reached; after a refused line the buffer is cleared and reading
 * goes on, where the client would hang up).  Every line is then read as
 * conn.c reads one: as the greeting (reply_hello), as an event
 * (parse_event), and as the answer to request 1 (reply_kind, then
 * reply_error for an "err").
 *
 * Invariants checked (abort = finding): the buffer never fills (a line past
 * the limit is refused first); a line has 0 to CM_FIELDS_MAX fields, each
 * inside the bytes the buffer held; a refused line gives a cause; a greeting
 * that is not accepted sets nothing, an accepted one gives an instance
 * NUL-terminated inside its array and new_check 0 or 1; an event's fields
 * are the line's; a data, ok or err reply names request 1; an error's code
 * and message are NUL-terminated inside their arrays, and the message, which
 * goes to a terminal as it is, holds only valid UTF-8 with no control byte
 * (C0, DEL or C1).
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"
#include "cli.h"

#define FUZZ_LINE_MAX	512	/* stands for CM_REPLY_LINE_MAX: reachable */

#define must(c) do { if (!(c)) abort(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Valid UTF-8 with no C0 or C1 control and no DEL: what a terminal may get. */
static int
safe_text(const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, k, len;
	uint32_t		 c, min;

	while (i < n) {
		c = p[i];
		if (c < 0x20 || c == 0x7f)
			return (0);
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			len = 2;
			c &= 0x1f;
			min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			len = 3;
			c &= 0x0f;
			min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			len = 4;
			c &= 0x07;
			min = 0x10000;
		} else
			return (0);
		if (len > n - i)
			return (0);
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return (0);
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
		    (c >= 0x80 && c <= 0x9f))
			return (0);
		i += len;
	}
	return (1);
}

static int
inside(const struct field *f, const char *p, size_t n)
{
	return (f->n <= n && f->p >= p && f->p + f->n <= p + n);
}

/* One line, read as conn.c reads it. */
static void
one_line(struct reply *r)
{
	struct ev	 e;
	char		 instance[CM_ID_MAX + 1] = "";
	int		 h, k, new_check = 7;

	h = reply_hello(r->f, r->nf, instance, sizeof instance, &new_check);
	if (h == HELLO_OK) {
		must(r->nf >= 4);
		must(memchr(instance, '\0', sizeof instance) != NULL);
		must(new_check == 0 || new_check == 1);
	} else {
		must(h == HELLO_FULL || h == HELLO_VERSION || h == HELLO_NONE);
		must(instance[0] == '\0' && new_check == 7);
	}
	if (parse_event(r->f, r->nf, &e) == 0) {
		must(r->nf >= 7);
		must(e.name.p == r->f[4].p && e.name.n == r->f[4].n);
		must(e.type.p == r->f[5].p && e.type.n == r->f[5].n);
		must(e.detail.p == r->f[6].p && e.detail.n == r->f[6].n);
	}
	k = reply_kind(r->f, r->nf, 1);
	must(k >= REPLY_OTHER && k <= REPLY_ERR);
	if (k == REPLY_DATA || k == REPLY_OK || k == REPLY_ERR)
		must(r->nf >= 2 && proto_field_eq(&r->f[1], "1"));
	if (k == REPLY_ERR) {
		memset(r->code, 'x', sizeof r->code);
		memset(r->msg, 'x', sizeof r->msg);
		r->ok = 1;
		must(reply_error(r) == 0);
		must(r->ok == 0);
		must(memchr(r->code, '\0', sizeof r->code) != NULL);
		must(memchr(r->msg, '\0', sizeof r->msg) != NULL);
		must(safe_text(r->msg, strlen(r->msg)));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	struct buf	 in;
	struct reply	*r;
	char		 cause[256], *p;
	size_t		 scanned = 0, pos = 0, step, n;
	unsigned	 seed = size > 0 ? d[0] : 1;
	int		 x, i;

	r = malloc(sizeof *r);
	must(r != NULL);
	buf_init(&in, 2 * FUZZ_LINE_MAX);
	while (pos < size) {
		/* A read: what arrived, as much as there is room for. */
		seed = seed * 1103515245u + 12345u;
		step = 1 + (seed >> 16) % 97;
		if (step > size - pos)
			step = size - pos;
		must(in.len < in.max);
		if (step > in.max - in.len)
			step = in.max - in.len;
		must(buf_add(&in, d + pos, step) == 0);
		pos += step;
		for (;;) {
			p = buf_ptr(&in);
			n = in.len;
			cause[0] = '\0';
			r->nf = -2;
			x = reply_next(&in, &scanned, FUZZ_LINE_MAX, r->f,
			    &r->nf, cause, sizeof cause);
			if (x == 0) {
				must(in.len == n);
				break;
			}
			if (x == -1) {
				must(cause[0] != '\0');
				buf_clear(&in);
				scanned = 0;
				break;
			}
			must(x == 1);
			must(r->nf >= 0 && r->nf <= CM_FIELDS_MAX);
			must(in.len < n && n - in.len <= FUZZ_LINE_MAX);
			for (i = 0; i < r->nf; i++)
				must(inside(&r->f[i], p, n));
			one_line(r);
		}
	}
	buf_free(&in);
	free(r);
	return (0);
}
