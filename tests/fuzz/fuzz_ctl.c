/*
 * tests/fuzz/fuzz_ctl.c: libFuzzer target for the agent's reading of tmux
 * control mode, whose lines carry what a program in a pane prints (inside
 * capture-pane's reply block) and what tmux says about it: the input is
 * framed into lines as session.c's ctl_read frames them (proto_frame), and
 * each line, copied into a heap block of its exact size (so ASan sees a
 * read past it), goes to ctlparse_line; then the same lines again, as the
 * body of a block the harness opens and closes.
 *
 * Invariants checked (abort = finding): inside a block a line is the
 * block's unless it is "%end " or "%error " followed by the block's tag,
 * which ends it with the error and flags of its kind and %begin; outside a
 * block no line is a block's or ends one; a %begin opens a block exactly
 * when it has a blank after its tag and the tag fits, and the tag is the
 * words between "%begin " and the last blank (up to a NUL, which tmux
 * never sends); a subscription's value is the rest of its line after the
 * first " : ", if any; the lines of a block come back as the block's, each
 * one, whatever they say.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"

#define must(c) do { if (!(c)) abort(); } while (0)

#define TAG	"1700000000 7"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
starts(const char *l, size_t n, const char *w)
{
	return (n >= strlen(w) && memcmp(l, w, strlen(w)) == 0);
}

/* Does the line end the block whose tag is tag (whole: a blank or the
 * line's end after it), with got of expect lines had? */
static int
ends(const char *l, size_t n, const char *tag, unsigned got,
    unsigned expect)
{
	size_t	 k = strlen(tag);

	if (n > 5 && memcmp(l, "%end ", 5) == 0)
		return (n - 5 >= k && memcmp(l + 5, tag, k) == 0 &&
		    (n - 5 == k || l[5 + k] == ' ') && got >= expect);
	if (n > 7 && memcmp(l, "%error ", 7) == 0)
		return (n - 7 >= k && memcmp(l + 7, tag, k) == 0 &&
		    (n - 7 == k || l[7 + k] == ' '));
	return (0);
}

/* One line through ctlparse_line, with the invariants. */
static int
one(struct ctlparse *cp, const char *line, size_t n)
{
	struct ctlparse	 was = *cp;
	struct ctlline	 e;
	char		*l;
	size_t		 last, k;
	int		 type;

	l = malloc(n > 0 ? n : 1);
	must(l != NULL);
	memcpy(l, line, n);
	type = ctlparse_line(cp, l, n, &e);
	must(type == e.type);
	if (was.in_block) {
		if (ends(l, n, was.tag, was.got, was.expect)) {
			must(type == CL_END && !cp->in_block);
			must(e.error == (l[1] == 'e' && l[2] == 'r'));
			must(e.early == (was.got < was.expect));
			must(e.mine == was.mine);
		} else
			must(type == CL_BLOCK && cp->in_block &&
			    strcmp(cp->tag, was.tag) == 0);
		free(l);
		return (type);
	}
	must(type != CL_BLOCK && type != CL_END);
	if (type == CL_BEGIN) {
		must(starts(l, n, "%begin ") && n > 7 && cp->in_block);
		for (last = n; l[last - 1] != ' '; last--)
			;
		must(last > 7 && last - 8 < CM_CTL_TAG_MAX);
		/* (tmux sends no NUL; one would end the tag early) */
		k = strnlen(l + 7, last - 8);
		must(strlen(cp->tag) == k && memcmp(cp->tag, l + 7, k) == 0);
		must(cp->mine == (last < n && l[last] == '1'));
	} else {
		must(!cp->in_block);
		if (starts(l, n, "%begin ") && n > 7) {
			for (last = n; last > 7 && l[last - 1] != ' '; last--)
				;
			must(type == CL_NONE);
			must(last == 7 || last - 8 >= CM_CTL_TAG_MAX);
		}
	}
	if (type == CL_SUBSCRIPTION) {
		must(starts(l, n, "%subscription-changed ") && n > 22);
		if (e.value != NULL) {
			must(e.value >= l + 25 && e.value + e.vlen == l + n);
			must(memcmp(e.value - 3, " : ", 3) == 0);
		}
	}
	if (type == CL_OUTPUT)
		must(starts(l, n, "%output ") ||
		    starts(l, n, "%extended-output "));
	free(l);
	return (type);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	struct ctlparse	 cp;
	struct buf	 b;
	size_t		 scanned = 0, n, off;
	ssize_t		 used;
	char		*l;

	/* As tmux sent it. */
	memset(&cp, 0, sizeof cp);
	buf_init(&b, CM_CTL_IN_MAX);
	if (size > 0)
		must(buf_add(&b, d, size) == 0);
	while ((used = proto_frame(&b, &scanned, CM_CTL_IN_MAX, &l,
	    &n)) > 0) {
		(void)one(&cp, l, n);
		buf_consume(&b, (size_t)used);
	}
	must(used == 0);
	buf_free(&b);

	/* The same lines as a block's body: all of them the block's. */
	memset(&cp, 0, sizeof cp);
	must(one(&cp, "%begin " TAG " 1", strlen("%begin " TAG " 1")) ==
	    CL_BEGIN);
	for (off = 0; off < size; off += n + 1) {
		l = memchr(d + off, '\n', size - off);
		n = l != NULL ? (size_t)(l - (const char *)d) - off :
		    size - off;
		if (ends((const char *)d + off, n, TAG, cp.got, cp.expect))
			continue;
		must(one(&cp, (const char *)d + off, n) == CL_BLOCK);
	}
	must(one(&cp, "%end " TAG " 1", strlen("%end " TAG " 1")) == CL_END);
	must(!cp.in_block);
	return (0);
}
