/*
 * tests/fuzz/fuzz_rules.c: libFuzzer target for the rules-file parser:
 * the input is written to a temporary file, which rules_load (rules.c)
 * reads as the agent reads ~/.config/cm/rules; a rule set it accepts then
 * decides (rules_decide) on a destructive prompt and on the input itself,
 * taken as a prompt (up to CM_DETAIL_MAX bytes, as a verdict's detail).
 *
 * Invariants checked (abort = finding): a file refused has a message that
 * starts with its path; a file accepted keeps the built-in deny list in
 * force unless it says "override": "rm -rf /" is denied by rm-recursive;
 * every decision is allow, deny or ask, with the deciding rule named.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"

#define must(c) do { if (!(c)) abort(); } while (0)

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* memmem is not POSIX. */
static int
contains(const void *hay, size_t n, const char *needle, size_t m)
{
	const char	*h = hay;
	size_t		 i;

	for (i = 0; m <= n && i <= n - m; i++)
		if (memcmp(h + i, needle, m) == 0)
			return (1);
	return (0);
}

static char	 path[256];
static int	 fd = -1;

static void
cleanup(void)
{
	if (path[0] != '\0')
		unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(path, sizeof path, "%s/cm-fuzz-rules.XXXXXX",
	    tmp != NULL && *tmp == '/' ? tmp : "/tmp");
	if ((fd = mkstemp(path)) == -1) {
		perror("mkstemp");
		exit(1);
	}
	atexit(cleanup);
	return (0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	struct ruleset	*rs;
	char		 err[512], rule[CM_PATH_MAX + 32], prompt[CM_DETAIL_MAX];
	size_t		 n;
	int		 a;

	must(ftruncate(fd, 0) == 0);
	must(pwrite(fd, d, size, 0) == (ssize_t)size);
	err[0] = '\0';
	if ((rs = rules_load(path, err, sizeof err)) == NULL) {
		must(strncmp(err, path, strlen(path)) == 0);
		return (0);
	}
	a = rules_decide(rs, "Bash command\n rm -rf / \nDo you want to "
	    "proceed?", "/home/u/p", rule, sizeof rule);
	if (!contains(d, size, "override", 8))
		must(a == RULE_DENY && strcmp(rule, "deny:rm-recursive") == 0);
	n = size < sizeof prompt - 1 ? size : sizeof prompt - 1;
	memcpy(prompt, d, n);
	prompt[n] = '\0';
	a = rules_decide(rs, prompt, "/home/u/p", rule, sizeof rule);
	must(a == RULE_ALLOW || a == RULE_DENY || a == RULE_ASK);
	must(rule[0] != '\0');
	rules_free(rs);
	return (0);
}
