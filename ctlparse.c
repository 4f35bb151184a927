/*
 * ctlparse.c: what one line from a tmux control client ("tmux -C") is.
 * tmux answers each command with a block, "%begin TIME NUMBER FLAGS", the
 * command's output, then "%end" or "%error" with the same TIME NUMBER; out
 * of a block it sends notifications ("%output", "%subscription-changed",
 * "%session-changed", "%exit" ...).  No I/O and no globals: session.c acts
 * on what this says, tests/fuzz/fuzz_ctl.c feeds it.
 *
 * Invariants: inside a block every line is the block's, whatever it looks
 * like, except the %end or %error whose tag is the block's, whole, and,
 * when the caller said how many lines the block holds (a capture holds the
 * pane's height), only after that many: a program's output in the block
 * can never be read as a notification or as the block's end (its time and
 * number are easy to guess; its lines are counted);
 * outside a block no line is a block's; a %begin whose tag would not fit
 * is ignored; nothing is read past the n bytes given.
 */

#include <sys/types.h>

#include <limits.h>
#include <string.h>

#include "cm.h"

/* Does the n-byte line l start with the word w (w includes its blank)? */
static int
starts(const char *l, size_t n, const char *w)
{
	size_t	 k = strlen(w);

	return (n > k && memcmp(l, w, k) == 0);
}

/*
 * Read the n-byte line l (no newline) and say what it is in e; the state
 * of the block being read is in cp.  Returns e->type.
 */
int
ctlparse_line(struct ctlparse *cp, const char *l, size_t n,
    struct ctlline *e)
{
	size_t	 t, k;

	memset(e, 0, sizeof *e);
	if (cp->in_block) {
		if (starts(l, n, "%end ") || starts(l, n, "%error ")) {
			t = l[1] == 'e' && l[2] == 'n' ? 5 : 7;
			k = strlen(cp->tag);
			/* The whole tag: "%end T 42" does not end "T 4"; and
			 * an %end before the lines expected is a line of the
			 * screen (a program can print one), an %error there
			 * ends it, early. */
			if (n - t >= k && memcmp(l + t, cp->tag, k) == 0 &&
			    (n - t == k || l[t + k] == ' ') &&
			    (cp->got >= cp->expect || t == 7)) {
				cp->in_block = 0;
				e->error = t == 7;
				e->early = cp->got < cp->expect;
				e->mine = cp->mine;
				return (e->type = CL_END);
			}
		}
		if (cp->got < UINT_MAX)
			cp->got++;
		return (e->type = CL_BLOCK);
	}
	if (starts(l, n, "%begin ")) {
		/* "%begin TIME NUMBER FLAGS": the tag is "TIME NUMBER". */
		l += 7;
		n -= 7;
		t = n;
		while (t > 0 && l[t - 1] != ' ')
			t--;
		if (t == 0 || t > sizeof cp->tag)
			return (e->type = CL_NONE);
		memcpy(cp->tag, l, t - 1);
		cp->tag[t - 1] = '\0';
		cp->mine = t < n && l[t] == '1';
		cp->in_block = 1;
		cp->expect = cp->got = 0;
		return (e->type = CL_BEGIN);
	}
	if (starts(l, n, "%output ") || starts(l, n, "%extended-output "))
		return (e->type = CL_OUTPUT);
	if (starts(l, n, "%subscription-changed ")) {
		/* "%subscription-changed NAME ... : VALUE". */
		for (t = 22; t + 3 <= n; t++) {
			if (memcmp(l + t, " : ", 3) == 0) {
				e->value = l + t + 3;
				e->vlen = n - t - 3;
				break;
			}
		}
		return (e->type = CL_SUBSCRIPTION);
	}
	if (starts(l, n, "%session-changed "))
		return (e->type = CL_SESSION);
	if (n >= 5 && memcmp(l, "%exit", 5) == 0)
		return (e->type = CL_EXIT);
	return (e->type = CL_NONE);
}
