/*
 * confirm.c: screen to state.  Given the text of a pane, its title, whether
 * its process has ended and how long it has been quiet, say what the program
 * is doing: working, idle at its input, waiting at a confirmation prompt, or
 * exited.
 *
 * Invariants: pure (no I/O, no globals written); reads only the bytes it is
 * given; looks at the bottom of the screen first and stops as soon as it
 * knows, so a full screen costs a few microseconds.
 */

#include <string.h>

#include "cm.h"

/* Prompt endings that ask to approve or refuse, for ordinary programs. */
static const char *const yesno[] = {
	"[y/N]", "[Y/n]", "[y/n]", "[Y/N]", "(y/n)", "(Y/n)", "(y/N)",
	"(yes/no)", "[yes/no]", "(yes/no/[fingerprint])", NULL
};

/* Find the last line of s[0..n) holding something other than blanks. */
static const char *
last_line(const char *s, size_t n, size_t *len)
{
	size_t	 end = n, start;

	for (;;) {
		while (end > 0 && (s[end - 1] == '\n' || s[end - 1] == ' ' ||
		    s[end - 1] == '\t' || s[end - 1] == '\r'))
			end--;
		if (end == 0) {
			*len = 0;
			return (s);
		}
		start = end;
		while (start > 0 && s[start - 1] != '\n')
			start--;
		*len = end - start;
		return (s + start);
	}
}

static int
contains(const char *s, size_t n, const char *needle)
{
	size_t	 k = strlen(needle), i;

	if (k > n)
		return (0);
	for (i = 0; i + k <= n; i++) {
		if (memcmp(s + i, needle, k) == 0)
			return (1);
	}
	return (0);
}

/*
 * Classify a screen.  quiet_ms is how long the pane has produced no output;
 * dead is set when its process has ended.
 */
void
confirm_classify(const char *screen, size_t n, const char *title, int dead,
    int64_t quiet_ms, struct verdict *v)
{
	const char	*line;
	size_t		 len;
	int		 i;

	(void)title;
	v->detail[0] = '\0';
	if (dead) {
		v->state = S_EXITED;
		return;
	}
	line = last_line(screen, n, &len);
	for (i = 0; yesno[i] != NULL; i++) {
		if (contains(line, len, yesno[i])) {
			v->state = S_CONFIRM;
			if (len >= sizeof v->detail)
				len = sizeof v->detail - 1;
			memcpy(v->detail, line, len);
			v->detail[len] = '\0';
			return;
		}
	}
	v->state = quiet_ms < CM_QUIET_MS ? S_WORKING : S_IDLE;
}
