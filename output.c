/*
 * output.c: what the commands print.  Bytes from the wire (or a screen) on
 * their way to a person, escaped; strings in JSON; ages and auto-confirm
 * as a person reads them; one event as watch, wait and --wait print it.
 *
 * Invariants: no byte from the wire reaches the terminal unescaped (no
 * control byte, no invalid UTF-8; one record stays one line); JSON strings
 * are valid UTF-8; a failed write to stdout ends the command (die).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cm.h"
#include "cli.h"

void
write_out(const char *p, size_t n)
{
	if (fwrite(p, 1, n, stdout) != n)
		die("write: %s", strerror(errno));
}

/*
 * Bytes from the wire (or a screen) on their way to a person: escaped by
 * esc_text, so that no control byte and no invalid UTF-8 reaches the
 * terminal, one record stays one line and columns stay columns (a tab is
 * "\t"; a space is itself).  esc_dup gives a string to keep or to pass to
 * printf; print_escaped prints a field.  An empty field prints nothing.
 */
char *
esc_dup(const void *p, size_t n)
{
	struct buf	 b;
	char		*s;

	buf_init(&b, 4 * n + 8);
	if (esc_text(&b, p, n, 0) == -1)
		die("out of memory");
	s = xmalloc(b.len + 1);
	if (b.len > 0)
		memcpy(s, buf_ptr(&b), b.len);
	s[b.len] = '\0';
	buf_free(&b);
	return (s);
}

void
print_escaped_to(FILE *out, const struct field *f)
{
	struct buf	 b;

	if (f->n == 0)
		return;
	buf_init(&b, 4 * f->n + 8);
	if (esc_text(&b, f->p, f->n, 0) == -1)
		die("out of memory");
	if (fwrite(buf_ptr(&b), 1, b.len, out) != b.len)
		die("write: %s", strerror(errno));
	buf_free(&b);
}

/* A string for a person, escaped as print_escaped does. */
void
print_text(const char *s)
{
	struct field	 f;

	f.p = (char *)s;
	f.n = strlen(s);
	print_escaped_to(stdout, &f);
}

void
print_escaped(const struct field *f)
{
	print_escaped_to(stdout, f);
}

void
print_json_string(const char *p, size_t n)
{
	struct buf	 b;

	buf_init(&b, 6 * n + 8);
	if (esc_json(&b, p, n) == -1)
		die("out of memory");
	write_out(buf_ptr(&b), b.len);
	buf_free(&b);
}

void
format_age(char *out, size_t len, long long secs)
{
	if (secs < 0)
		secs = 0;
	if (secs < 60)
		snprintf(out, len, "%llds", secs);
	else if (secs < 3600)
		snprintf(out, len, "%lldm", secs / 60);
	else if (secs < 86400)
		snprintf(out, len, "%lldh%02lldm", secs / 3600,
		    secs / 60 % 60);
	else
		snprintf(out, len, "%lldd%02lldh", secs / 86400,
		    secs / 3600 % 24);
}

/* Auto-confirm as a person reads it: "off", "on", "on until 14:05". */
void
format_autoconfirm(char *out, size_t len, int on, long long until_ms)
{
	time_t		 t = (time_t)(until_ms / 1000);
	struct tm	 tm;

	if (!on)
		snprintf(out, len, "off");
	else if (until_ms == 0 || localtime_r(&t, &tm) == NULL)
		snprintf(out, len, "on");
	else if (t - time(NULL) < 86400)
		snprintf(out, len, "on until %02d:%02d", tm.tm_hour, tm.tm_min);
	else
		snprintf(out, len, "on until %04d-%02d-%02d %02d:%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min);
}

/*
 * Auto-confirm's events carry "rule=RULE [keys=KEYS] prompt=PROMPT": find
 * the three parts (KEYS may hold spaces).  Returns 0, or -1 if the detail is
 * not of that form.
 */
static int
split_confirm_detail(const struct field *d, struct field *rule,
    struct field *keys, struct field *prompt)
{
	const char	*p = d->p, *end = d->p + d->n, *k = NULL, *q;

	if (d->n < 5 || memcmp(p, "rule=", 5) != 0)
		return (-1);
	/* The rule may hold blanks: it ends at " keys=" or " prompt=". */
	for (q = p + 5; q + 8 <= end; q++) {
		if (k == NULL && memcmp(q, " keys=", 6) == 0)
			k = q;
		if (memcmp(q, " prompt=", 8) == 0)
			break;
	}
	if (q + 8 > end)
		return (-1);
	rule->p = (char *)p + 5;
	rule->n = (size_t)((k != NULL ? k : q) - rule->p);
	keys->p = k != NULL ? (char *)k + 6 : NULL;
	keys->n = k != NULL ? (size_t)(q - keys->p) : 0;
	prompt->p = (char *)q + 8;
	prompt->n = (size_t)(end - prompt->p);
	return (0);
}

/*
 * One line of watch (and of wait and send --wait): TIME SESSION TYPE
 * DETAIL, tab-separated; with -H given more than once the host comes first
 * (fanout adds it).  A snapshot line (the state a session was in when watch
 * began) has the same columns, its state as TYPE; in JSON it says
 * "snapshot":true.  JSON splits auto-confirm's detail into rule, keys and
 * prompt.
 */
void
print_event(int json, int64_t t, const struct field *name,
    const struct field *type, const struct field *detail, uint64_t seq,
    int snapshot)
{
	struct field	 rule, keys, prompt;
	char		 ts[40];

	format_time(ts, sizeof ts, t);
	if (json) {
		printf("{\"time\":\"%s\",\"seq\":%llu,\"session\":", ts,
		    (unsigned long long)seq);
		print_json_string(name->p, name->n);
		fputs(",\"type\":", stdout);
		print_json_string(type->p, type->n);
		fputs(",\"detail\":", stdout);
		print_json_string(detail->p, detail->n);
		if (split_confirm_detail(detail, &rule, &keys, &prompt) == 0) {
			fputs(",\"rule\":", stdout);
			print_json_string(rule.p, rule.n);
			fputs(",\"keys\":", stdout);
			print_json_string(keys.p, keys.n);
			fputs(",\"prompt\":", stdout);
			print_json_string(prompt.p, prompt.n);
		}
		if (snapshot)
			fputs(",\"snapshot\":true", stdout);
		fputs("}\n", stdout);
	} else {
		printf("%s\t", ts);
		print_escaped(name);
		putchar('\t');
		print_escaped(type);
		putchar('\t');
		print_escaped(detail);
		putchar('\n');
	}
	if (fflush(stdout) == EOF)
		die("write: %s", strerror(errno));
}
