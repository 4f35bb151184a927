/*
 * bench/lat.c: the clock for make bench.  Three modes:
 *
 *   lat prompt FILE N   a program to run in a pane: N times, read a line,
 *                       write the time to FILE, print a numbered [y/N]
 *                       question; then, answered, write the time again.
 *   lat stamp           copy stdin to stdout, each line prefixed by the
 *                       time it arrived (for cm watch and a polling loop).
 *   lat flip MS PERIOD  a program to run in a pane: for each line read,
 *                       print a new numbered [y/N] question every PERIOD
 *                       milliseconds for MS milliseconds (each one a new
 *                       confirm event for cm), then wait for the next.
 *   lat classify N F... classify each screen file N times; print the
 *                       median time per screen in nanoseconds.
 *
 * Times are CLOCK_REALTIME nanoseconds, so two processes can compare them.
 */

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cm.h"

static long long
ns(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

static void
note(FILE *f, const char *what, int i)
{
	fprintf(f, "%s %d %lld\n", what, i, ns());
	fflush(f);
}

static int
prompt(const char *file, int n)
{
	char	 line[256];
	FILE	*f;
	int	 i;

	if ((f = fopen(file, "a")) == NULL)
		return (1);
	printf("ready\n");
	fflush(stdout);
	for (i = 1; i <= n; i++) {
		if (fgets(line, sizeof line, stdin) == NULL)
			break;
		note(f, "asked", i);
		printf("Go %d? [y/N] ", i);
		fflush(stdout);
		if (fgets(line, sizeof line, stdin) == NULL)
			break;
		note(f, line[0] == 'y' ? "answered" : "refused", i);
	}
	fclose(f);
	return (0);
}

static int
stamp(void)
{
	char	 line[4096];

	while (fgets(line, sizeof line, stdin) != NULL) {
		printf("%lld\t%s", ns(), line);
		fflush(stdout);
	}
	return (0);
}

static int
flip(int ms, int period)
{
	struct timespec	 ts;
	char		 line[256];
	long long	 end;
	int		 i = 0;

	printf("ready\n");
	fflush(stdout);
	while (fgets(line, sizeof line, stdin) != NULL) {
		end = ns() + (long long)ms * 1000000LL;
		while (ns() < end) {
			printf("\nGo %d? [y/N] ", ++i);
			fflush(stdout);
			ts.tv_sec = period / 1000;
			ts.tv_nsec = (long)(period % 1000) * 1000000L;
			while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
				;
		}
	}
	return (0);
}

static int
cmp_ll(const void *a, const void *b)
{
	long long	 x = *(const long long *)a, y = *(const long long *)b;

	return (x < y ? -1 : x > y);
}

static int
classify(int n, int nfiles, char **files)
{
	struct screen	 sc;
	struct verdict	 v;
	long long	*t, t0;
	char		*buf;
	int		 i, k, fd;
	ssize_t		 len;

	t = xcalloc((size_t)n * (size_t)nfiles, sizeof *t);
	buf = xmalloc(CM_SCREEN_MAX);
	for (k = 0; k < nfiles; k++) {
		if ((fd = open(files[k], O_RDONLY)) == -1)
			fatal("%s", files[k]);
		len = fd_read_full(fd, buf, CM_SCREEN_MAX - 1);
		close(fd);
		if (len < 0)
			fatal("%s", files[k]);
		sc.text = buf;
		sc.len = (size_t)len;
		sc.title = NULL;
		sc.title_default = 0;
		sc.dead = 0;
		sc.quiet_ms = 10000;
		sc.cursor_y = -1;
		sc.fg_job = 0;
		for (i = 0; i < n; i++) {
			t0 = ns();
			confirm_classify(profile_find(strstr(files[k],
			    "claude") ? "claude" : strstr(files[k], "codex") ?
			    "codex" : strstr(files[k], "gemini") ? "gemini" :
			    "generic"), &sc, &v);
			t[k * n + i] = ns() - t0;
		}
	}
	qsort(t, (size_t)n * (size_t)nfiles, sizeof *t, cmp_ll);
	printf("%lld %lld\n", t[(size_t)n * (size_t)nfiles / 2],
	    t[(size_t)n * (size_t)nfiles * 99 / 100]);
	free(t);
	free(buf);
	return (0);
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "prompt") == 0)
		return (prompt(argv[2], atoi(argv[3])));
	if (argc == 2 && strcmp(argv[1], "stamp") == 0)
		return (stamp());
	if (argc == 4 && strcmp(argv[1], "flip") == 0)
		return (flip(atoi(argv[2]), atoi(argv[3])));
	if (argc >= 4 && strcmp(argv[1], "classify") == 0)
		return (classify(atoi(argv[2]), argc - 3, argv + 3));
	fprintf(stderr, "usage: lat prompt FILE N | lat stamp | "
	    "lat flip MS PERIOD | lat classify N FILE...\n");
	return (2);
}
