/*
 * config.c: the config file, $XDG_CONFIG_HOME/cm/config, read by the agent
 * and by the client with one parser.  One setting a line, words separated by
 * blanks, "#" to the end of the line is a comment:
 *
 *	autoconfirm on|off		new sessions' auto-confirm (agent)
 *	profile NAME autoconfirm on|off	the same, for one profile (agent)
 *	host HOST			a host of "-H all" (repeatable)
 *	use HOST|local			the default host ("cm use")
 *	done-after SECONDS		watch --on done: this much work
 *	notify-timeout SECONDS		watch --exec: kill the command after
 *	notify-on EVENT,...		watch --exec without --on
 *
 * Invariants: a line past CM_CONFIG_LINE_MAX, an unknown keyword or a bad
 * value is reported as "FILE:LINE: message" and skipped, the rest still
 * applies; a missing file is an empty one; "cm use" rewrites the file
 * through a temporary file, fsync and rename, keeping every other line.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"

#define CONFIG_WORDS_MAX	8

void
config_defaults(struct cm_config *c)
{
	int	 i;

	memset(c, 0, sizeof *c);
	c->autoconfirm = -1;
	for (i = 0; i < CM_PROFILES_MAX; i++)
		c->profile_confirm[i] = -1;
	c->done_after = 10;
	c->notify_timeout = 30;
}

/* A count of seconds, 0..366 days; -1 if bad. */
static int
seconds(const char *s)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 366L * 86400)
		return (-1);
	return ((int)v);
}

static int
on_off(const char *s)
{
	if (strcmp(s, "on") == 0)
		return (1);
	if (strcmp(s, "off") == 0)
		return (0);
	return (-1);
}

/* A host as -H takes it: no blanks, no leading "-", not too long. */
int
config_valid_host(const char *s)
{
	return (s[0] != '\0' && s[0] != '-' && strlen(s) < CM_HOST_MAX &&
	    strcspn(s, " \t\"'\\") == strlen(s));
}

/* One line's words; the message for a bad one, or NULL. */
static const char *
config_line(struct cm_config *c, char **w, int n, char *why, size_t wlen)
{
	unsigned	 mask;
	char		 bad[64];
	char		 names[CM_PROFILES_MAX * (CM_PROFILE_NAME_MAX + 2)];
	int		 v, p;

	if (strcmp(w[0], "autoconfirm") == 0) {
		if (n != 2 || (v = on_off(w[1])) == -1)
			return ("usage: autoconfirm on|off");
		c->autoconfirm = v;
	} else if (strcmp(w[0], "profile") == 0) {
		if (n != 4 || strcmp(w[2], "autoconfirm") != 0 ||
		    (v = on_off(w[3])) == -1)
			return ("usage: profile NAME autoconfirm on|off");
		if ((p = profile_find(w[1])) == -1 || p >= CM_PROFILES_MAX) {
			profile_names(names, sizeof names);
			snprintf(why, wlen, "unknown profile '%.64s' (%.300s)", w[1],
			    names);
			return (why);
		}
		c->profile_confirm[p] = v;
	} else if (strcmp(w[0], "host") == 0) {
		if (n != 2 || !config_valid_host(w[1]))
			return ("usage: host [user@]host[:port]");
		if (c->nhosts == CM_CONFIG_HOSTS_MAX) {
			snprintf(why, wlen, "more than %d hosts",
			    CM_CONFIG_HOSTS_MAX);
			return (why);
		}
		snprintf(c->hosts[c->nhosts++], CM_HOST_MAX, "%s", w[1]);
	} else if (strcmp(w[0], "use") == 0) {
		if (n != 2 || !config_valid_host(w[1]))
			return ("usage: use [user@]host[:port]|local");
		snprintf(c->use, sizeof c->use, "%s", w[1]);
	} else if (strcmp(w[0], "done-after") == 0 ||
	    strcmp(w[0], "notify-timeout") == 0) {
		if (n != 2 || (v = seconds(w[1])) == -1) {
			snprintf(why, wlen, "usage: %s SECONDS", w[0]);
			return (why);
		}
		if (w[0][0] == 'd')
			c->done_after = v;
		else if (v == 0)
			return ("notify-timeout: at least 1 second");
		else
			c->notify_timeout = v;
	} else if (strcmp(w[0], "notify-on") == 0) {
		if (n != 2)
			return ("usage: notify-on EVENT[,EVENT...]");
		if (notify_parse_on(w[1], &mask, bad, sizeof bad) == -1) {
			snprintf(why, wlen, "notify-on: unknown event '%s' "
			    "(confirm, input, error, exited, done)", bad);
			return (why);
		}
		c->notify_on = mask;
	} else {
		snprintf(why, wlen, "unknown setting '%.64s' (autoconfirm, "
		    "profile, host, use, done-after, notify-timeout, "
		    "notify-on)", w[0]);
		return (why);
	}
	return (NULL);
}

/*
 * Read path (NULL: the default file) into c, which starts from the defaults.
 * Each bad line goes to report as "FILE:LINE: message".  Returns the number
 * of bad lines, or -1 if the file exists but cannot be read (reported too).
 */
int
config_read(const char *path, struct cm_config *c, config_report_fn *report)
{
	char		 def[CM_PATH_MAX], line[CM_CONFIG_LINE_MAX + 2];
	char		 msg[CM_PATH_MAX + 1024], why[512], *w[CONFIG_WORDS_MAX];
	const char	*bad;
	FILE		*f;
	int		 lineno = 0, nbad = 0, n, skip = 0;
	char		*p;
	size_t		 len;

	config_defaults(c);
	if (path == NULL) {
		if (path_config(def, sizeof def, "config") == -1)
			return (0);
		path = def;
	}
	snprintf(c->path, sizeof c->path, "%s", path);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return (0);
		snprintf(msg, sizeof msg, "%s: %s", path, strerror(errno));
		report(msg);
		return (-1);
	}
	while (fgets(line, sizeof line, f) != NULL) {
		len = strlen(line);
		if (skip) {
			/* The rest of a line that was too long. */
			skip = len > 0 && line[len - 1] != '\n';
			continue;
		}
		lineno++;
		if (len > 0 && line[len - 1] != '\n' && !feof(f)) {
			snprintf(msg, sizeof msg, "%s:%d: line longer than %d "
			    "bytes", path, lineno, CM_CONFIG_LINE_MAX);
			report(msg);
			nbad++;
			skip = 1;
			continue;
		}
		line[strcspn(line, "#\r\n")] = '\0';
		n = 0;
		for (p = strtok(line, " \t"); p != NULL;
		    p = strtok(NULL, " \t")) {
			if (n == CONFIG_WORDS_MAX)
				break;
			w[n++] = p;
		}
		if (n == 0)
			continue;
		if (p != NULL)
			bad = "too many words";
		else
			bad = config_line(c, w, n, why, sizeof why);
		if (bad != NULL) {
			snprintf(msg, sizeof msg, "%s:%d: %s", path, lineno,
			    bad);
			report(msg);
			nbad++;
		}
	}
	if (ferror(f)) {
		snprintf(msg, sizeof msg, "%s: %s", path, strerror(errno));
		report(msg);
		nbad++;
	}
	fclose(f);
	return (nbad);
}

/*
 * Set (or with value NULL remove) the "use" line, keeping the others:
 * a temporary file beside it, fsync, rename.  Returns 0, or -1 with cause.
 */
int
config_set_use(const char *value, char *cause, size_t clen)
{
	char		 path[CM_PATH_MAX], tmp[CM_PATH_MAX + 16];
	char		 dir[CM_PATH_MAX], line[CM_CONFIG_LINE_MAX + 2], *slash;
	struct buf	 b;
	FILE		*f;
	size_t		 k;
	int		 fd, r = -1;

	if (path_config(path, sizeof path, "config") == -1) {
		snprintf(cause, clen, "no config directory: set HOME");
		return (-1);
	}
	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if (dir_secure(dir, cause, clen) == -1)
		return (-1);
	buf_init(&b, 1024 * 1024);
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			k = strspn(line, " \t");
			if (strncmp(line + k, "use", 3) == 0 &&
			    (line[k + 3] == ' ' || line[k + 3] == '\t'))
				continue;
			if (buf_adds(&b, line) == -1)
				break;
		}
		fclose(f);
	} else if (errno != ENOENT) {
		snprintf(cause, clen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (b.len > 0 && buf_ptr(&b)[b.len - 1] != '\n')
		(void)buf_add(&b, "\n", 1);
	if (value != NULL && buf_printf(&b, "use %s\n", value) == -1) {
		snprintf(cause, clen, "%s: too large", path);
		goto out;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		snprintf(cause, clen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fd_write_all(fd, buf_ptr(&b), b.len) == -1 || fsync(fd) == -1) {
		snprintf(cause, clen, "%s: %s", tmp, strerror(errno));
		close(fd);
		(void)unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		snprintf(cause, clen, "rename %s: %s", path, strerror(errno));
		(void)unlink(tmp);
		goto out;
	}
	r = 0;
out:
	buf_free(&b);
	return (r);
}
