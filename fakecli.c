/*
 * fakecli.c: "cm fake-cli", the stand-in for an AI coding CLI that cm demo
 * runs (and README's quick start and the tests with it).  No network, no
 * model, no command is ever run: it draws what Claude Code draws, in the same
 * layout, so that cm's claude profile reads it as it reads the real one.
 *
 * Script, for the request given as its argument (or the first line typed
 * into its input box): a spinner with "esc to interrupt" (working), a Bash
 * permission prompt for a safe command (ls -la), a spinner, one for a
 * dangerous command (rm -rf build), a spinner, then the idle input box,
 * which answers every later line until "/exit" or end of input.  Keys at a
 * prompt: 1, y or Enter (the cursor is on 1) say yes; 2, n or Escape say
 * no; keys typed before a prompt appeared are dropped, not taken as its
 * answer.
 *
 * Invariants: the whole screen is redrawn for every frame from the
 * transcript (FAKE_ROWS_MAX rows of FAKE_ROW_MAX bytes, the oldest dropped);
 * the terminal's mode is restored on every way out that returns.
 */

#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cm.h"

#define FAKE_ROWS_MAX	64	/* transcript rows kept */
#define FAKE_ROW_MAX	256	/* bytes in one transcript row */
#define FAKE_INPUT_MAX	200	/* bytes typed into the input box */
#define FAKE_FRAME_MS	80	/* spinner frame */
#define FAKE_STEP_MS	1200	/* a spinner runs this long */

static char	 rows[FAKE_ROWS_MAX][FAKE_ROW_MAX];
static int	 nrows;
static struct termios saved_tio;
static int	 tio_saved;

static void
row_add(const char *s)
{
	if (nrows == FAKE_ROWS_MAX) {
		memmove(rows[0], rows[1], sizeof rows[0] * (FAKE_ROWS_MAX - 1));
		nrows--;
	}
	snprintf(rows[nrows++], FAKE_ROW_MAX, "%s", s);
}

static void
out(const char *s)
{
	(void)fd_write_all(1, s, strlen(s));
}

/* Clear the screen and draw the transcript, then what is below it. */
static void
draw(const char *below)
{
	char	 b[FAKE_ROWS_MAX * (FAKE_ROW_MAX + 1) + 4096];
	size_t	 n = 0;
	int	 i;

	n += (size_t)snprintf(b + n, sizeof b - n, "\033[H\033[2J");
	for (i = 0; i < nrows && n < sizeof b; i++)
		n += (size_t)snprintf(b + n, sizeof b - n, "%s\r\n", rows[i]);
	if (n < sizeof b)
		n += (size_t)snprintf(b + n, sizeof b - n, "%s", below);
	if (n > sizeof b - 1)
		n = sizeof b - 1;
	(void)fd_write_all(1, b, n);
}

static void
raw_on(void)
{
	struct termios	 t;

	if (!isatty(0) || tcgetattr(0, &saved_tio) == -1)
		return;
	tio_saved = 1;
	t = saved_tio;
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_iflag &= ~(tcflag_t)(ICRNL);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	(void)tcsetattr(0, TCSANOW, &t);
}

static void
raw_off(void)
{
	if (tio_saved)
		(void)tcsetattr(0, TCSANOW, &saved_tio);
}

/* One byte from stdin within ms (-1: no limit): the byte, -1 none, -2 EOF. */
static int
key(int ms)
{
	unsigned char	 c;
	ssize_t		 n;
	int		 w;

	if ((w = fd_wait(0, POLLIN, ms)) <= 0)
		return (w == 0 ? -1 : -2);
	do
		n = read(0, &c, 1);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return (-1);
	return (n == 1 ? c : -2);
}

/* The spinner and its footer, for about ms. */
static void
spin(const char *verb, int ms)
{
	static const char *const glyph[] = { "·", "✢", "✳", "✶", "✻", "✽" };
	char		 below[1024];
	int64_t		 end = now_ms() + ms, t0 = now_ms();
	int		 i = 0;

	while (now_ms() < end) {
		snprintf(below, sizeof below, "\r\n%s %s… (%llds)\r\n\r\n"
		    "────────────────────────────────────────────────────────"
		    "\r\n❯ \r\n"
		    "────────────────────────────────────────────────────────"
		    "\r\n  esc to interrupt\r\n", glyph[i++ % 6], verb,
		    (long long)((now_ms() - t0) / 1000));
		draw(below);
		(void)poll(NULL, 0, FAKE_FRAME_MS);
	}
}

/* A Bash permission prompt; 1 for yes, 0 for no, -1 at end of input. */
static int
ask(const char *cmd, const char *what)
{
	char	 below[2048], r[FAKE_ROW_MAX];
	int	 c, yes;

	/* As Claude Code: the tool call waits above the prompt. */
	snprintf(r, sizeof r, "● Bash(%s)", cmd);
	row_add(r);
	row_add("  ⎿  Waiting…");
	row_add("");
	snprintf(below, sizeof below,
	    "────────────────────────────────────────────────────────\r\n"
	    " Bash command\r\n\r\n   %s\r\n   %s\r\n\r\n"
	    " Do you want to proceed?\r\n"
	    " ❯ 1. Yes\r\n"
	    "   2. No\r\n\r\n"
	    " Esc to cancel\r\n", cmd, what);
	/* Keys typed before the question was shown do not answer it. */
	if (isatty(0))
		(void)tcflush(0, TCIFLUSH);
	draw(below);
	for (yes = -2; yes == -2;) {
		c = key(-1);
		if (c == -2)
			yes = -1;
		else if (c == '1' || c == 'y' || c == 'Y' || c == '\r' ||
		    c == '\n')
			yes = 1;
		else if (c == '2' || c == 'n' || c == 'N' || c == 033)
			yes = 0;
	}
	nrows -= 3;	/* tool() draws the call with its outcome */
	return (yes);
}

static void
tool(const char *cmd, int yes, const char *result)
{
	char	 r[FAKE_ROW_MAX];

	snprintf(r, sizeof r, "● Bash(%s)", cmd);
	row_add(r);
	if (yes)
		row_add(result);
	else
		row_add("  ⎿  User rejected: not run. What should I do instead?");
	row_add("");
}

/* The idle input box with what is typed so far. */
static void
idle(const char *typed)
{
	char	 below[1024];

	snprintf(below, sizeof below,
	    "────────────────────────────────────────────────────────\r\n"
	    "❯ %s\r\n"
	    "────────────────────────────────────────────────────────\r\n"
	    "  ? for shortcuts\r\n", typed);
	draw(below);
}

/* The script, for one request: two tools, then the answer. */
static int
work(const char *request)
{
	char	 r[FAKE_ROW_MAX];
	int	 yes;

	snprintf(r, sizeof r, "❯ %.200s", request);
	row_add(r);
	row_add("");
	spin("Thinking", FAKE_STEP_MS);
	row_add("● I'll look at the files first.");
	row_add("");
	if ((yes = ask("ls -la", "List the files")) == -1)
		return (-1);
	tool("ls -la", yes, "  ⎿  Makefile  README.md  build/  src/");
	spin("Pondering", FAKE_STEP_MS);
	row_add("● The build directory is stale; I'll remove it.");
	row_add("");
	if ((yes = ask("rm -rf build", "Remove the build directory")) == -1)
		return (-1);
	tool("rm -rf build", yes, "  ⎿  (a stand-in: nothing was removed)");
	spin("Wrapping up", FAKE_STEP_MS / 2);
	row_add(yes ? "● Done: the build directory is gone." :
	    "● All right, I left the build directory as it is.");
	row_add("");
	return (0);
}

/*
 * "cm fake-cli [REQUEST]": with a request (as "claude 'text'" takes one),
 * work on it at once; without, wait at the input box for the first line.
 */
int
fakecli_main(int argc, char **argv)
{
	char	 line[FAKE_INPUT_MAX + 1], r[FAKE_ROW_MAX];
	size_t	 n = 0;
	int	 c, done = 0;

	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: cm fake-cli [request]\n");
		return (2);
	}
	signal(SIGPIPE, SIG_IGN);
	raw_on();
	out("\033]0;✳ cm demo\007");
	row_add("╭─── cm demo: a stand-in for an AI coding CLI ───╮");
	row_add("│ no network, no model; nothing is ever run      │");
	row_add("╰────────────────────────────────────────────────╯");
	row_add("");
	if (argc == 2) {
		if (work(argv[1]) == -1)
			goto eof;
		done = 1;
	}
	for (;;) {
		line[n] = '\0';
		idle(line);
		c = key(-1);
		if (c == -2 || c == 4)
			break;
		if (c == '\r' || c == '\n') {
			if (n == 0)
				continue;
			if (strcmp(line, "/exit") == 0)
				break;
			n = 0;
			if (!done) {
				done = 1;
				if (work(line) == -1)
					goto eof;
				continue;
			}
			snprintf(r, sizeof r, "❯ %.200s", line);
			row_add(r);
			row_add("");
			row_add("● (cm demo's stand-in: it only says this. "
			    "Try the real thing.)");
			row_add("");
		} else if ((c == 0x7f || c == 8) && n > 0)
			n--;
		else if (c >= 0x20 && c < 0x7f && n < FAKE_INPUT_MAX)
			line[n++] = (char)c;
	}
	raw_off();
	out("\r\n");
	return (0);
eof:
	raw_off();
	return (1);
}
