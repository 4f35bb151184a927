/*
 * config.c: the config file ($XDG_CONFIG_HOME/cm/config), read by the agent
 * ("autoconfirm on|off") and by the client ("host NAME" lines for -H all).
 * One line per setting; blank lines and lines starting with '#' are
 * comments; a line ends at "\n" or "\r\n".
 *
 * Invariants: config_parse does no I/O and touches nothing but its result,
 * so it is unit-tested and fuzzed directly; it reads exactly len bytes (no
 * NUL needed, a NUL byte is an error in its line); every line it does not
 * understand is counted and the first one named, never silently used; a host
 * it could not keep (too many, too long) says so in hosts_lost.
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"

static void
bad_line(struct config *c, int line, const char *why, const char *p,
    size_t n)
{
	if (c->nbad++ == 0)
		snprintf(c->bad, sizeof c->bad, "line %d: %s '%.*s'", line,
		    why, (int)(n > 48 ? 48 : n), p);
}

static int
line_is(const char *p, size_t n, const char *s)
{
	return (strlen(s) == n && memcmp(p, s, n) == 0);
}

/* Parse len bytes of config text into c.  Returns 0, or -1 if some line was
 * not understood (c->bad names the first). */
int
config_parse(const char *text, size_t len, struct config *c)
{
	const char	*p = text, *end = text + len, *nl;
	size_t		 n;
	int		 line = 0;

	memset(c, 0, sizeof *c);
	c->autoconfirm = -1;
	while (p < end) {
		line++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (memchr(p, '\0', n) != NULL)
			bad_line(c, line, "NUL byte in", "", 0);
		else if (n == 0 || p[0] == '#')
			;
		else if (line_is(p, n, "autoconfirm on"))
			c->autoconfirm = 1;
		else if (line_is(p, n, "autoconfirm off"))
			c->autoconfirm = 0;
		else if (n >= 5 && memcmp(p, "host ", 5) == 0) {
			if (n == 5)
				bad_line(c, line, "no name in", p, n);
			else if (n - 5 > CM_HOST_MAX) {
				bad_line(c, line, "host name too long in", p,
				    n);
				c->hosts_lost = 1;
			} else if (c->nhosts == CM_HOSTS_MAX) {
				bad_line(c, line, "too many hosts at", p, n);
				c->hosts_lost = 1;
			} else {
				memcpy(c->hosts[c->nhosts], p + 5, n - 5);
				c->hosts[c->nhosts++][n - 5] = '\0';
			}
		} else
			bad_line(c, line, "unknown line", p, n);
		p = nl + 1;
	}
	return (c->nbad > 0 ? -1 : 0);
}

/*
 * Read and parse the config file at path.  Returns 0 (with the lines it did
 * not understand counted in c), or -1 with errno and err set if it could not
 * be read (ENOENT: there is none).
 */
int
config_load(const char *path, struct config *c, char *err, size_t elen)
{
	struct buf	 b;
	ssize_t		 n;
	int		 fd, saved;

	memset(c, 0, sizeof *c);
	c->autoconfirm = -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, elen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	buf_init(&b, CM_CONFIG_MAX);
	while ((n = buf_read(&b, fd)) > 0 || n == CM_AGAIN)
		;
	saved = errno;
	close(fd);
	if (n == -1) {
		snprintf(err, elen, "%s: %s", path, saved == ENOBUFS ?
		    "file too large" : strerror(saved));
		buf_free(&b);
		errno = saved;
		return (-1);
	}
	(void)config_parse(buf_ptr(&b), b.len, c);
	buf_free(&b);
	return (0);
}
