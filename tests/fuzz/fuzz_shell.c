/*
 * tests/fuzz/fuzz_shell.c: libFuzzer target for the shell-command parser
 * of the auto-confirm policy: the input, in a heap block of exactly its
 * size, is the command a prompt would run, given to shell_parse (shell.c)
 * and then to policy_shell (policy.c) with the built-in rules, as
 * rules_verdict does for a shell prompt.
 *
 * Invariants checked (abort = finding): a refused command has a reason
 * placed inside it; a parsed one has its counts inside their limits, every
 * word NUL-terminated inside the store, every command's words and
 * redirections inside the arrays, every redirection's target a word marked
 * as one, known operators, and SH_END after the last command.  The policy
 * answers allow, deny or ask with a rule named; it never approves what
 * shell_parse refused, nor a command that redirects output to a file other
 * than /dev/null (policy.c's own invariants).
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"

#define must(c) do { if (!(c)) abort(); } while (0)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
writes_file(const struct sh_parse *p, const struct sh_redir *r)
{
	const char	*t = p->store + p->words[r->word].off;

	if (r->op == SH_R_IN || r->op == SH_R_DUPIN)
		return (0);
	if (strcmp(t, "/dev/null") == 0)
		return (0);
	if (r->op == SH_R_DUPOUT && (strcmp(t, "-") == 0 ||
	    (t[0] != '\0' && strspn(t, "0123456789") == strlen(t))))
		return (0);
	return (1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	static struct ruleset	*rs;
	static struct sh_parse	 p;
	const struct sh_cmd	*c;
	const struct sh_redir	*r;
	const char		*w;
	char			*cmd, rule[256];
	int			 parsed, i, k, a, writes = 0;
	size_t			 off;

	if (rs == NULL)
		rs = rules_builtin();
	cmd = malloc(size > 0 ? size : 1);
	must(cmd != NULL);
	memcpy(cmd, d, size);

	parsed = shell_parse(cmd, size, &p) == 0;
	if (!parsed) {
		must(p.why[0] != '\0');
		must(memchr(p.why, '\0', sizeof p.why) != NULL);
		must(p.why_at <= size);
	} else {
		must(p.ncmds >= 0 && p.ncmds <= SH_CMDS_MAX);
		must(p.nwords >= 0 && p.nwords <= SH_WORDS_MAX);
		must(p.nredirs >= 0 && p.nredirs <= SH_REDIRS_MAX);
		must(p.used <= sizeof p.store);
		for (i = 0; i < p.nwords; i++) {
			off = p.words[i].off;
			must(off < p.used);
			must(memchr(p.store + off, '\0', p.used - off) != NULL);
		}
		for (i = 0; i < p.ncmds; i++) {
			c = &p.cmds[i];
			must(c->word0 >= 0 && c->nwords >= 0 &&
			    c->word0 + c->nwords <= p.nwords);
			must(c->nassigns >= 0 && c->nassigns <= c->nwords);
			must(c->redir0 >= 0 && c->nredirs >= 0 &&
			    c->redir0 + c->nredirs <= p.nredirs);
			must(c->op >= SH_END && c->op <= SH_PIPE);
			for (k = 0; k < c->nwords; k++) {
				w = shell_word(&p, c, k);
				must(w >= p.store && w < p.store + p.used);
				(void)shell_word_flags(&p, c, k);
			}
			(void)shell_op_name(c->op);
		}
		if (p.ncmds > 0)
			must(p.cmds[p.ncmds - 1].op == SH_END);
		for (i = 0; i < p.nredirs; i++) {
			r = &p.redirs[i];
			must(r->op >= SH_R_IN && r->op <= SH_R_DUPIN);
			must(r->fd >= 0 || r->fd == SH_FD_BOTH);
			must(r->word >= 0 && r->word < p.nwords);
			must(p.words[r->word].flags & SH_W_REDIR);
			writes |= writes_file(&p, r);
		}
	}

	a = policy_shell(rs, cmd, size, "/tmp", rule, sizeof rule, NULL);
	must(a == RULE_ALLOW || a == RULE_DENY || a == RULE_ASK);
	must(rule[0] != '\0');
	if (a == RULE_ALLOW)
		must(parsed && !writes);
	free(cmd);
	return (0);
}
