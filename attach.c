/*
 * attach.c: hand the terminal to a session ("cm attach").  Outside tmux it
 * becomes "tmux attach-session" on cm's tmux server (CM_TMUX_SOCKET, else
 * tmux's default one); inside a client of that same server it switches the
 * client to the session instead of nesting; inside another tmux server it
 * opens a popup there that attaches to cm's server.
 *
 * Invariants: tmux is exec'd with an argv vector; the one shell string (the
 * popup's command, which tmux hands to a shell) is built only from a
 * validated session name and single-quoted paths; on success the function
 * does not return.
 */

#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"

#define ATTACH_CMD_MAX	(4 * CM_PATH_MAX)	/* the popup's command */

/* The socket of tmux's default server, as tmux itself names it. */
static int
default_socket(char *out, size_t len)
{
	const char	*d = getenv("TMUX_TMPDIR");

	if (d == NULL || *d == '\0')
		d = "/tmp";
	return (snprintf(out, len, "%s/tmux-%ld/default", d,
	    (long)getuid()) >= (int)len ? -1 : 0);
}

/* Append s single-quoted for a POSIX shell. */
static int
quote(struct buf *b, const char *s)
{
	if (buf_add(b, "'", 1) == -1)
		return (-1);
	for (; *s != '\0'; s++) {
		if (*s == '\'') {
			if (buf_adds(b, "'\\''") == -1)
				return (-1);
		} else if (buf_add(b, s, 1) == -1)
			return (-1);
	}
	return (buf_add(b, "'", 1));
}

/*
 * Attach to session name (already known to exist).  Returns -1 with cause
 * if tmux could not be run; does not return otherwise.
 */
int
attach_exec(const char *name, char *cause, size_t clen)
{
	const char	*v[16], *tmux, *sock, *in;
	char		 tname[CM_NAME_MAX + 1], target[CM_NAME_MAX + 2];
	char		 def[CM_PATH_MAX], ours[CM_PATH_MAX];
	struct buf	 cmd;
	size_t		 n;
	int		 k = 0;

	if (tmux_session_name(tname, sizeof tname, name) == -1) {
		snprintf(cause, clen, "session name too long");
		return (-1);
	}
	snprintf(target, sizeof target, "=%s", tname);
	tmux = getenv("CM_TMUX");
	if (tmux == NULL || *tmux == '\0')
		tmux = "tmux";
	sock = getenv("CM_TMUX_SOCKET");
	if (sock != NULL && *sock == '\0')
		sock = NULL;
	if (default_socket(def, sizeof def) == -1) {
		snprintf(cause, clen, "TMUX_TMPDIR too long");
		return (-1);
	}
	snprintf(ours, sizeof ours, "%s", sock != NULL ? sock : def);

	v[k++] = tmux;
	in = getenv("TMUX");
	if (in != NULL && *in != '\0') {
		/* $TMUX is "socket,pid,session": which server are we in? */
		n = strcspn(in, ",");
		if (n == strlen(ours) && strncmp(in, ours, n) == 0) {
			v[k++] = "-S";
			v[k++] = ours;
			v[k++] = "switch-client";
			v[k++] = "-t";
			v[k++] = target;
		} else {
			/* Another server: a popup there, attached to ours. */
			buf_init(&cmd, ATTACH_CMD_MAX);
			if (buf_adds(&cmd, "TMUX= exec ") == -1 ||
			    quote(&cmd, tmux) == -1 ||
			    buf_adds(&cmd, " -S ") == -1 ||
			    quote(&cmd, ours) == -1 ||
			    buf_adds(&cmd, " attach-session -t ") == -1 ||
			    quote(&cmd, target) == -1 ||
			    buf_add(&cmd, "", 1) == -1) {
				snprintf(cause, clen, "paths too long");
				buf_free(&cmd);
				return (-1);
			}
			v[k++] = "display-popup";
			v[k++] = "-E";
			v[k++] = "-w";
			v[k++] = "90%";
			v[k++] = "-h";
			v[k++] = "90%";
			v[k++] = "-T";
			v[k++] = tname;
			v[k++] = buf_ptr(&cmd);
		}
	} else {
		v[k++] = "-S";
		v[k++] = ours;
		v[k++] = "attach-session";
		v[k++] = "-t";
		v[k++] = target;
	}
	v[k] = NULL;
	fflush(NULL);
	execvp(v[0], (char *const *)v);
	snprintf(cause, clen, "%s: %s", v[0], strerror(errno));
	return (-1);
}
