/*
 * sdnotify.c: the agent's side of systemd's notify protocol, spoken
 * directly (no libsystemd): datagrams "READY=1", "WATCHDOG=1", "STOPPING=1"
 * to the socket named by $NOTIFY_SOCKET (a path, or "@name" for Linux's
 * abstract namespace).  With $WATCHDOG_USEC set (and $WATCHDOG_PID, if set,
 * naming this process) the loop pets the watchdog every half period, so
 * systemd restarts an agent whose loop stops turning.
 *
 * Invariants: nothing here blocks (the socket is non-blocking and a full
 * queue drops the datagram); without $NOTIFY_SOCKET every call does
 * nothing; the variables are removed from the environment once read, so
 * the programs cm starts do not inherit them.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"

static int			 sd_fd = -1;
static struct sockaddr_un	 sd_addr;
static socklen_t		 sd_len;
static int64_t			 sd_every;	/* ms between pets, 0: none */
static int64_t			 sd_next;

/* Read the environment; returns 0, or -1 with cause (not fatal). */
int
sdnotify_init(char *cause, size_t clen)
{
	const char	*e = getenv("NOTIFY_SOCKET"), *w, *wp;
	size_t		 n;
	long long	 usec;
	char		*end;

	if (e == NULL || *e == '\0')
		return (0);
	n = strlen(e);
	if ((e[0] != '/' && e[0] != '@') || n >= sizeof sd_addr.sun_path) {
		snprintf(cause, clen, "NOTIFY_SOCKET: not a usable socket");
		(void)unsetenv("NOTIFY_SOCKET");
		return (-1);
	}
	memset(&sd_addr, 0, sizeof sd_addr);
	sd_addr.sun_family = AF_UNIX;
	memcpy(sd_addr.sun_path, e, n);
	if (e[0] == '@')
		sd_addr.sun_path[0] = '\0';	/* abstract */
	sd_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n +
	    (e[0] == '/'));
	w = getenv("WATCHDOG_USEC");
	wp = getenv("WATCHDOG_PID");
	if (w != NULL && *w != '\0' && (wp == NULL || *wp == '\0' ||
	    strtol(wp, NULL, 10) == (long)getpid())) {
		errno = 0;
		usec = strtoll(w, &end, 10);
		if (errno == 0 && *end == '\0' && usec > 0)
			sd_every = usec / 2000 > 0 ? usec / 2000 : 1;
	}
	(void)unsetenv("NOTIFY_SOCKET");
	(void)unsetenv("WATCHDOG_USEC");
	(void)unsetenv("WATCHDOG_PID");
	if ((sd_fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1 ||
	    fd_nonblock(sd_fd) == -1 || fd_cloexec(sd_fd) == -1) {
		snprintf(cause, clen, "notify socket: %s", strerror(errno));
		if (sd_fd != -1)
			close(sd_fd);
		sd_fd = -1;
		return (-1);
	}
	return (0);
}

/* Send one message ("READY=1", ...); failures are logged, never fatal. */
void
sdnotify(const char *msg)
{
	ssize_t	 r;

	if (sd_fd == -1)
		return;
	do
		r = sendto(sd_fd, msg, strlen(msg), 0,
		    (struct sockaddr *)&sd_addr, sd_len);
	while (r == -1 && errno == EINTR);
	if (r == -1 && errno != EAGAIN)
		log_warn("notify socket: %s: %s", msg, strerror(errno));
}

/* Pet the watchdog if it is time; returns when to call again (or INT64_MAX). */
int64_t
sdnotify_tick(int64_t now)
{
	if (sd_fd == -1 || sd_every == 0)
		return (INT64_MAX);
	if (now >= sd_next) {
		sdnotify("WATCHDOG=1");
		sd_next = now + sd_every;
	}
	return (sd_next);
}
