/*
 * tests/fuzz/fuzz_config.c: libFuzzer target for the config-file parser:
 * the input is written to a temporary file, which config_read (config.c)
 * reads as the agent and the client read ~/.config/cm/config.
 *
 * Invariants checked (abort = finding): the count of bad lines is at least
 * 0 and each was reported once; autoconfirm and every profile's are -1, 0
 * or 1; at most CM_CONFIG_HOSTS_MAX hosts, each NUL-terminated inside its
 * array and a valid host; "use" is empty or a valid host; the times are in
 * range (done-after 0 to 366 days, notify-timeout 1 to 366 days).
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

static char	 path[256];
static int	 fd = -1, reports;

static void
cleanup(void)
{
	if (path[0] != '\0')
		unlink(path);
}

static void
report(const char *msg)
{
	must(strncmp(msg, path, strlen(path)) == 0);
	reports++;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char	*tmp = getenv("TMPDIR");

	(void)argc;
	(void)argv;
	snprintf(path, sizeof path, "%s/cm-fuzz-config.XXXXXX",
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
	static struct cm_config	 c;
	int			 n, i;

	must(ftruncate(fd, 0) == 0);
	must(pwrite(fd, d, size, 0) == (ssize_t)size);
	reports = 0;
	n = config_read(path, &c, report);
	must(n >= 0 && n == reports);
	must(c.autoconfirm >= -1 && c.autoconfirm <= 1);
	for (i = 0; i < CM_PROFILES_MAX; i++)
		must(c.profile_confirm[i] >= -1 && c.profile_confirm[i] <= 1);
	must(c.nhosts >= 0 && c.nhosts <= CM_CONFIG_HOSTS_MAX);
	for (i = 0; i < c.nhosts; i++) {
		must(memchr(c.hosts[i], '\0', sizeof c.hosts[i]) != NULL);
		must(config_valid_host(c.hosts[i]));
	}
	must(memchr(c.use, '\0', sizeof c.use) != NULL);
	must(c.use[0] == '\0' || config_valid_host(c.use));
	must(c.done_after >= 0 && c.done_after <= 366 * 86400);
	must(c.notify_timeout >= 1 && c.notify_timeout <= 366 * 86400);
	return (0);
}
