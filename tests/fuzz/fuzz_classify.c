/*
 * tests/fuzz/fuzz_classify.c: libFuzzer target for the screen classifier
 * and the auto-confirm decision: confirm_classify (confirm.c) on a screen
 * built from the input, then rules_verdict (rules.c) on the built-in rule
 * set, as the agent's session_classify and auto-confirm do.
 *
 * Input layout: byte 0 picks the profile (claude, codex, gemini, aider,
 * generic, or -1), byte 1 holds flags (dead, title_default, quiet, no
 * title, which working directory), byte 2 the cursor row; then the pane
 * title up to the first NUL; the rest is the screen text, in a heap block of
 * exactly its size (no NUL after it), so a read past it is caught.
 *
 * The text is given as the agent gives it (session.c): NUL bytes become
 * spaces (tmux drops NUL from a pane's output, so a capture never holds
 * one) and it ends with a newline (the agent adds one to every row).  With
 * CM_FUZZ_RAW set in the environment it is given as it is; two findings
 * that then show are in tests/fuzz/crashes/ (classify-nul-hides-prompt: a
 * NUL hides the prompt from the rules; classify-read-past-text: a text that
 * does not end in a newline is read past its end), left to confirm.c.
 *
 * Invariants checked (abort = finding): the verdict's state is a state; its
 * detail, keys and rule are NUL-terminated inside their arrays; core lies
 * inside detail; a state other than confirm is never approved; a verdict the
 * rules allow has approving keys.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"

#define must(c) do { if (!(c)) abort(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const dirs[] = { "/home/u/proj", "/", NULL, "relative" };

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	static struct ruleset	*rs;
	struct screen		 sc;
	struct verdict		 v;
	const uint8_t		*nul;
	static int		 raw = -1;
	char			*title = NULL, *text, *p, rule[64];
	size_t			 tlen;
	int			 profile, flags, action;

	if (rs == NULL)
		rs = rules_builtin();
	if (raw == -1)
		raw = getenv("CM_FUZZ_RAW") != NULL;
	if (size < 3)
		return (0);
	profile = (int)(d[0] % 7) - 1;
	flags = d[1];
	memset(&sc, 0, sizeof sc);
	sc.dead = (flags & 1) != 0;
	sc.title_default = (flags & 2) != 0;
	sc.quiet_ms = (flags & 4) ? CM_QUIET_MS + 1 : 0;
	sc.cursor_y = (int)d[2] - 1;
	d += 3;
	size -= 3;
	if ((nul = memchr(d, '\0', size)) != NULL) {
		tlen = (size_t)(nul - d);
		if (!(flags & 8)) {
			title = malloc(tlen + 1);
			must(title != NULL);
			memcpy(title, d, tlen);
			title[tlen] = '\0';
		}
		d += tlen + 1;
		size -= tlen + 1;
	}
	text = malloc(raw ? (size > 0 ? size : 1) : size + 1);
	must(text != NULL);
	memcpy(text, d, size);
	if (!raw) {
		for (p = text; (p = memchr(p, '\0', size - (size_t)(p - text)))
		    != NULL; p++)
			*p = ' ';
		if (size == 0 || text[size - 1] != '\n')
			text[size++] = '\n';
	}
	sc.text = text;
	sc.len = size;
	sc.title = title;

	confirm_classify(profile, &sc, &v);
	must((unsigned)v.state < S_NSTATES);
	must(memchr(v.detail, '\0', sizeof v.detail) != NULL);
	must(memchr(v.keys, '\0', sizeof v.keys) != NULL);
	must(memchr(v.rule, '\0', sizeof v.rule) != NULL);
	must(v.core <= strlen(v.detail));
	must(memchr(v.subject, '\0', sizeof v.subject) != NULL);
	must(v.cut == NULL || strlen(v.cut) < 256);

	action = rules_verdict(rs, &v, dirs[(flags >> 4) & 3], rule,
	    sizeof rule);
	must(action == RULE_ALLOW || action == RULE_DENY || action == RULE_ASK);
	must(rule[0] != '\0');
	if (v.state != S_CONFIRM)
		must(action == RULE_ASK);
	if (action == RULE_ALLOW)
		must(v.keys[0] != '\0');

	free(text);
	free(title);
	return (0);
}
