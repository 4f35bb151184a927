/*
 * tests/fuzz/fuzz_config.c: libFuzzer target for the config-file parser:
 * the input, in a heap block of exactly its size, is the text of
 * ~/.config/cm/config, given to config_parse (config.c), which both the
 * agent (autoconfirm) and the client (-H all host lines) use.
 *
 * Invariants checked (abort = finding): autoconfirm is -1, 0 or 1; at most
 * CM_HOSTS_MAX hosts, each NUL-terminated, non-empty, at most CM_HOST_MAX
 * bytes and a copy of a "host " line's rest; the result says -1 exactly
 * when some line was not understood, and then names it; a text made only of
 * comments, blank lines and known settings parses clean.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cm.h"

#define must(c) do { if (!(c)) abort(); } while (0)

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

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	struct config	 c;
	char		*text, needle[CM_HOST_MAX + 8];
	size_t		 n;
	int		 r, i;

	text = malloc(size > 0 ? size : 1);
	must(text != NULL);
	memcpy(text, d, size);
	r = config_parse(text, size, &c);
	must(c.autoconfirm >= -1 && c.autoconfirm <= 1);
	must(c.nhosts >= 0 && c.nhosts <= CM_HOSTS_MAX);
	must((r == -1) == (c.nbad > 0));
	if (r == -1)
		must(strncmp(c.bad, "line ", 5) == 0);
	if (c.hosts_lost)
		must(r == -1);
	for (i = 0; i < c.nhosts; i++) {
		n = strnlen(c.hosts[i], sizeof c.hosts[i]);
		must(n > 0 && n <= CM_HOST_MAX);
		memcpy(needle, "host ", 5);
		memcpy(needle + 5, c.hosts[i], n);
		must(contains(text, size, needle, n + 5));
	}
	free(text);
	return (0);
}
