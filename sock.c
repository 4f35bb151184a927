/*
 * sock.c: trust in a Unix socket, both ways.  A client (cm, cm bridge)
 * connects to the agent's socket only if the directory that holds it is a
 * real directory, ours, closed to group and others, and the socket is a
 * socket; after connecting, the process that listens must run as our uid.
 * Only then is anything sent: the token, or the text of a send.  The agent
 * asks the same uid of every client it accepts.
 *
 * Invariants: sock_connect returns a descriptor only after every check has
 * passed, and nothing has been written to it; every refusal says why.
 */

#if defined(__linux__)
#define _GNU_SOURCE	/* struct ucred */
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"

/* The uid of the process at the other end of a connected Unix socket. */
int
sock_peer_uid(int fd, uid_t *uid)
{
#if defined(SO_PEERCRED)
	struct ucred	 cred;
	socklen_t	 len = sizeof cred;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return (-1);
	*uid = cred.uid;
	return (0);
#else
	gid_t		 gid;

	return (getpeereid(fd, uid, &gid));
#endif
}

/*
 * May we talk to the socket at path?  Its directory (when the path names
 * one other than "/") must be a directory, not a symlink, owned by us, with
 * no access for group or others, as the agent insists when it makes it; the
 * socket, if there, must be a socket and ours.  Returns 0, 1 when there is
 * nothing there (no agent), or -1 with cause.
 */
int
sock_check(const char *path, char *cause, size_t clen)
{
	char		 dir[CM_PATH_MAX], *slash;
	struct stat	 sb;

	if (strlen(path) >= sizeof dir) {
		snprintf(cause, clen, "socket path too long: %s", path);
		return (-1);
	}
	memcpy(dir, path, strlen(path) + 1);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (lstat(dir, &sb) == -1) {
			if (errno == ENOENT)
				return (1);
			snprintf(cause, clen, "%s: %s", dir, strerror(errno));
			return (-1);
		}
		if (S_ISLNK(sb.st_mode)) {
			snprintf(cause, clen, "%s is a symbolic link: refusing "
			    "to connect to %s", dir, path);
			return (-1);
		}
		if (!S_ISDIR(sb.st_mode)) {
			snprintf(cause, clen, "%s is not a directory: refusing "
			    "to connect to %s", dir, path);
			return (-1);
		}
		if (sb.st_uid != getuid()) {
			snprintf(cause, clen, "%s is owned by uid %ld, not you "
			    "(uid %ld): refusing to connect to %s", dir,
			    (long)sb.st_uid, (long)getuid(), path);
			return (-1);
		}
		if ((sb.st_mode & 077) != 0) {
			snprintf(cause, clen, "%s has mode %03o, want 0700: "
			    "refusing to connect to %s", dir,
			    (unsigned)(sb.st_mode & 0777), path);
			return (-1);
		}
	}
	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return (1);
		snprintf(cause, clen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(cause, clen, "%s is not a socket", path);
		return (-1);
	}
	if (sb.st_uid != getuid()) {
		snprintf(cause, clen, "%s is owned by uid %ld, not you "
		    "(uid %ld): refusing to connect", path, (long)sb.st_uid,
		    (long)getuid());
		return (-1);
	}
	return (0);
}

/*
 * Connect to the agent's socket at path, checked as above, and make sure
 * the listener runs as our uid.  Returns a blocking, close-on-exec
 * descriptor on which nothing has been sent, or -1 with cause; *absent is
 * set when no agent is there at all.
 */
int
sock_connect(const char *path, int *absent, char *cause, size_t clen)
{
	struct sockaddr_un	 sun;
	uid_t			 uid;
	int			 fd, r;

	*absent = 0;
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(cause, clen, "socket path too long: %s", path);
		return (-1);
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((r = sock_check(path, cause, clen)) == -1)
		return (-1);
	if (r == 1) {
		*absent = 1;
		snprintf(cause, clen, "no agent on %s (start one with "
		    "'cm agent')", path);
		return (-1);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		snprintf(cause, clen, "socket: %s", strerror(errno));
		return (-1);
	}
	if (fd_cloexec(fd) == -1) {
		snprintf(cause, clen, "fcntl: %s", strerror(errno));
		close(fd);
		return (-1);
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED) {
			*absent = 1;
			snprintf(cause, clen, "no agent on %s (start one with "
			    "'cm agent')", path);
		} else
			snprintf(cause, clen, "%s: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	if (sock_peer_uid(fd, &uid) == -1) {
		snprintf(cause, clen, "%s: cannot learn who listens: %s", path,
		    strerror(errno));
		close(fd);
		return (-1);
	}
	if (uid != getuid()) {
		snprintf(cause, clen, "%s is served by uid %ld, not you (uid "
		    "%ld): refusing to talk to it", path, (long)uid,
		    (long)getuid());
		close(fd);
		return (-1);
	}
	return (fd);
}
