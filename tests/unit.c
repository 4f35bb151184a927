/*
 * tests/unit.c: unit tests for the pure parts of cm: escaping, framing,
 * splitting and parsing of the protocol, the byte buffer, the token
 * comparison, the rules, the screen classifier, the config file, the
 * remote-hello answer, the client's reading of an agent's lines, the -H
 * host spec and tmux control-mode lines.  No framework: CHECK records a
 * failure with its line and goes on; the last line says "N passed, M
 * failed".
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cm.h"
#include "cli.h"

static int	passed, failed;

#define CHECK(cond) do {						\
	if (cond)							\
		passed++;						\
	else {								\
		failed++;						\
		printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);	\
	}								\
} while (0)

static uint32_t	rng = 12345;

static unsigned
rnd(void)
{
	rng = rng * 1103515245u + 12345u;
	return (rng >> 16);
}

/* Escape then unescape n bytes; return 1 if they round-trip. */
static int
roundtrip(const char *p, size_t n)
{
	struct buf	 b;
	ssize_t		 u;
	int		 ok;
	size_t		 i;

	buf_init(&b, 8 * n + 16);
	if (proto_escape(&b, p, n) == -1)
		return (0);
	for (i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)buf_ptr(&b)[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c < 0x20 || c == 0x7f) {
			buf_free(&b);
			return (0);
		}
	}
	u = proto_unescape(buf_ptr(&b), b.len);
	ok = u == (ssize_t)n && memcmp(buf_ptr(&b), p, n) == 0;
	buf_free(&b);
	return (ok);
}

static void
test_escape(void)
{
	struct buf	 b;
	char		 s[64], one[1];
	int		 c, i, k;
	size_t		 n;

	buf_init(&b, 1024);
	CHECK(proto_escape(&b, "", 0) == 0);
	CHECK(b.len == 2 && memcmp(buf_ptr(&b), "\\-", 2) == 0);
	buf_clear(&b);
	CHECK(proto_escape(&b, "a b\\c\td\ne\rf\001g\x7f\xc3\xa9", 16) == 0);
	CHECK(b.len == 27 && memcmp(buf_ptr(&b),
	    "a\\sb\\\\c\\td\\ne\\rf\\x01g\\x7f\xc3\xa9", 27) == 0);
	buf_free(&b);

	for (c = 0; c < 256; c++) {
		one[0] = (char)c;
		CHECK(roundtrip(one, 1));
	}
	for (i = 0; i < 500; i++) {
		n = rnd() % sizeof s;
		for (k = 0; k < (int)n; k++)
			s[k] = (char)rnd();
		CHECK(roundtrip(s, n));
	}
	/* Bad escapes. */
	strcpy(s, "ab\\");
	CHECK(proto_unescape(s, 3) == -1);
	strcpy(s, "\\q");
	CHECK(proto_unescape(s, 2) == -1);
	strcpy(s, "\\x4");
	CHECK(proto_unescape(s, 3) == -1);
	strcpy(s, "\\xZZ");
	CHECK(proto_unescape(s, 4) == -1);
	strcpy(s, "a\\-");
	CHECK(proto_unescape(s, 3) == -1);
	/* Upper-case hex is read. */
	strcpy(s, "\\x4A\\x4b");
	CHECK(proto_unescape(s, 8) == 2 && memcmp(s, "JK", 2) == 0);
	strcpy(s, "\\-");
	CHECK(proto_unescape(s, 2) == 0);
}

static void
test_split(void)
{
	struct field	 f[8];
	const char	*cause;
	char		 l[64];

	strcpy(l, "  a\t\tb\\sc   \\- ");
	CHECK(proto_split(l, strlen(l), f, 8, &cause) == 3);
	CHECK(f[0].n == 1 && f[0].p[0] == 'a');
	CHECK(f[1].n == 3 && memcmp(f[1].p, "b c", 3) == 0);
	CHECK(f[2].n == 0);
	memcpy(l, "a\0b", 3);
	CHECK(proto_split(l, 3, f, 8, &cause) == -1 &&
	    strstr(cause, "NUL") != NULL);
	strcpy(l, "a\001b");
	CHECK(proto_split(l, 3, f, 8, &cause) == -1 &&
	    strstr(cause, "control") != NULL);
	strcpy(l, "a b c d");
	CHECK(proto_split(l, 7, f, 3, &cause) == -1 &&
	    strstr(cause, "many") != NULL);
	strcpy(l, "");
	CHECK(proto_split(l, 0, f, 8, &cause) == 0);
}

/* Parse every line of s; write "id verb argc|" or "id err|" for each. */
static void
parse_all(struct buf *in, size_t *scanned, struct buf *out)
{
	struct request	 r;
	const char	*cause;
	char		*l;
	size_t		 n;
	ssize_t		 used;

	for (;;) {
		used = proto_frame(in, scanned, CM_LINE_MAX, &l, &n);
		if (used <= 0)
			break;
		if (proto_parse_request(l, n, &r, &cause) == 0)
			buf_printf(out, "%s %s %d|", r.id,
			    proto_verb_name(r.verb), r.argc);
		else
			buf_printf(out, "%s err|", r.id);
		buf_consume(in, (size_t)used);
	}
}

static void
test_frame(void)
{
	static const char stream[] =
	    "1 auth 0123456789abcdef\r\n"
	    "2 ping\n"
	    "3 new name=x dir=/tmp confirm=1 task=do\\sit -- sh -c echo\\shi\n"
	    "4 send x hello\\sworld enter\n"
	    "bad\n"
	    "5 keys x C-c Enter\n"
	    "6 watch since=4 instance=abc snapshot x y\n"
	    "\n"
	    "7 show x escapes\n";
	struct buf	 in, whole, split;
	size_t		 len = sizeof stream - 1, k, i, scanned;
	char		*l;
	size_t		 n;

	buf_init(&whole, 4096);
	buf_init(&in, CM_CLIENT_IN_MAX);
	scanned = 0;
	buf_add(&in, stream, len);
	parse_all(&in, &scanned, &whole);
	CHECK(in.len == 0);
	CHECK(strstr(buf_ptr(&whole), "1 auth 1|2 ping 0|3 new 8|") ==
	    buf_ptr(&whole));
	buf_add(&whole, "", 1);
	CHECK(strcmp(buf_ptr(&whole), "1 auth 1|2 ping 0|3 new 8|"
	    "4 send 3|bad err|5 keys 3|6 watch 5|- err|7 show 2|") == 0);
	buf_free(&in);

	/* Split at every byte boundary, and one byte at a time. */
	for (k = 0; k <= len; k++) {
		buf_init(&in, CM_CLIENT_IN_MAX);
		buf_init(&split, 4096);
		scanned = 0;
		buf_add(&in, stream, k);
		parse_all(&in, &scanned, &split);
		buf_add(&in, stream + k, len - k);
		parse_all(&in, &scanned, &split);
		buf_add(&split, "", 1);
		CHECK(strcmp(buf_ptr(&split), buf_ptr(&whole)) == 0);
		buf_free(&in);
		buf_free(&split);
	}
	buf_init(&in, CM_CLIENT_IN_MAX);
	buf_init(&split, 4096);
	scanned = 0;
	for (i = 0; i < len; i++) {
		buf_add(&in, stream + i, 1);
		parse_all(&in, &scanned, &split);
	}
	buf_add(&split, "", 1);
	CHECK(strcmp(buf_ptr(&split), buf_ptr(&whole)) == 0);
	buf_free(&in);
	buf_free(&split);
	buf_free(&whole);

	/* Overlong lines: with and without a newline. */
	buf_init(&in, 4 * CM_LINE_MAX);
	scanned = 0;
	for (i = 0; i < CM_LINE_MAX; i++)
		buf_add(&in, "a", 1);
	CHECK(proto_frame(&in, &scanned, CM_LINE_MAX, &l, &n) == -1);
	buf_add(&in, "\n", 1);
	scanned = 0;
	CHECK(proto_frame(&in, &scanned, CM_LINE_MAX, &l, &n) == -1);
	buf_clear(&in);
	scanned = 0;
	for (i = 0; i < CM_LINE_MAX - 1; i++)
		buf_add(&in, "a", 1);
	buf_add(&in, "\n", 1);
	CHECK(proto_frame(&in, &scanned, CM_LINE_MAX, &l, &n) ==
	    CM_LINE_MAX && n == CM_LINE_MAX - 1);
	buf_clear(&in);
	scanned = 0;
	CHECK(proto_frame(&in, &scanned, CM_LINE_MAX, &l, &n) == 0);
	buf_add(&in, "partial", 7);
	CHECK(proto_frame(&in, &scanned, CM_LINE_MAX, &l, &n) == 0);
	CHECK(scanned == 7);
	buf_free(&in);
}

/* Parse one request line; 0 if it parses, -1 if not. */
static int
parse(const char *line, struct request *r)
{
	static char	 copy[CM_LINE_MAX];
	const char	*cause;
	size_t		 n = strlen(line);

	memcpy(copy, line, n);
	return (proto_parse_request(copy, n, r, &cause));
}

static void
test_parse(void)
{
	struct request	 r;
	static const char *const good[] = {
		"1 auth 00ff", "a.b-c:d_e ping", "1 status",
		"1 new -- cat", "1 new name=x dir=/a/b confirm=0 task=t -- a b",
		"1 new profile=claude -- claude", "1 send x \\-",
		"1 send x t enter", "1 keys x Enter", "1 keys x C-c M-x C-M-y F12 q",
		"1 ls", "1 get x", "1 show x", "1 show x escapes", "1 kill x",
		"1 watch", "1 watch since=0 instance=ab snapshot a b",
		"1 unwatch", "1 confirm x on", "1 confirm x on for=60",
		"1 confirm x off", "1 log", "1 log x", NULL
	};
	static const char *const bad[] = {
		"", "1", "1 frob", "1 auth", "1 auth a b", "1 ping x",
		"1 new", "1 new cat", "1 new name=x", "1 new --",
		"1 new name=-x -- cat", "1 new dir=rel -- cat",
		"1 new confirm=2 -- cat", "1 new color=red -- cat",
		"1 new -- a\\x00b", "1 send x", "1 send x t now",
		"1 send bad!name t", "1 keys x", "1 keys x Foo", "1 keys x C-",
		"1 keys x '", "1 keys x \"", "1 keys x C-C-c",
		"1 keys x abcdefghijklmnopqrstuvwxyzabcdefg", "1 ls x",
		"1 get", "1 show x raw", "1 kill", "1 kill a b",
		"1 watch since=x", "1 watch bad!", "1 unwatch x",
		"1 confirm x maybe", "1 confirm x off for=5",
		"1 confirm x on for=0", "1 log a b",
		"toolongrequestid12 ping", "b@d ping", NULL
	};
	char		 name[80];
	int		 i;

	for (i = 0; good[i] != NULL; i++) {
		if (parse(good[i], &r) != 0)
			printf("  (should parse: %s)\n", good[i]);
		CHECK(parse(good[i], &r) == 0);
	}
	for (i = 0; bad[i] != NULL; i++) {
		if (parse(bad[i], &r) != -1)
			printf("  (should not parse: %s)\n", bad[i]);
		CHECK(parse(bad[i], &r) == -1);
	}
	/* The id survives a bad line when it was valid, else "-". */
	CHECK(parse("7 frob", &r) == -1 && strcmp(r.id, "7") == 0);
	CHECK(parse("8 send x a\\q", &r) == -1 && strcmp(r.id, "8") == 0);
	CHECK(parse("b@d ping", &r) == -1 && strcmp(r.id, "-") == 0);
	CHECK(parse("3 send x a\\sb enter", &r) == 0 && r.verb == V_SEND &&
	    r.argc == 3 && r.argv[1].n == 3 &&
	    memcmp(r.argv[1].p, "a b", 3) == 0);

	/* Names. */
	CHECK(proto_valid_name("a-b_c.9", 7));
	CHECK(!proto_valid_name("", 0));
	CHECK(!proto_valid_name("-a", 2));
	CHECK(!proto_valid_name("a b", 3));
	CHECK(!proto_valid_name("a:b", 3));
	memset(name, 'x', sizeof name);
	CHECK(proto_valid_name(name, CM_NAME_MAX));
	CHECK(!proto_valid_name(name, CM_NAME_MAX + 1));
}

static void
test_buf(void)
{
	struct buf	 b;
	char		 big[3000], tmp[8];
	int		 p[2], i;
	ssize_t		 r;

	/* An empty buffer's pointer is a pointer (memchr and memcpy take
	 * no NULL), not NULL + 0: found by tests/fuzz/fuzz_hello (UBSan). */
	buf_init(&b, 10);
	CHECK(buf_ptr(&b) != NULL);
	CHECK(buf_add(&b, "", 0) == 0 && buf_ptr(&b) != NULL);
	CHECK(buf_add(&b, "0123456789", 10) == 0);
	errno = 0;
	CHECK(buf_add(&b, "x", 1) == -1 && errno == ENOBUFS);
	CHECK(b.len == 10 && memcmp(buf_ptr(&b), "0123456789", 10) == 0);
	buf_consume(&b, 8);
	CHECK(b.len == 2 && memcmp(buf_ptr(&b), "89", 2) == 0);
	CHECK(buf_add(&b, "abcdefgh", 8) == 0);
	CHECK(memcmp(buf_ptr(&b), "89abcdefgh", 10) == 0);
	buf_free(&b);

	memset(big, 'z', sizeof big);
	/* Empty is a value: never NULL, always a NUL-terminated string,
	 * whether never used, cleared, consumed, shrunk or freed. */
	buf_init(&b, 10);
	CHECK(buf_ptr(&b) != NULL && strcspn(buf_ptr(&b), "\n") == 0);
	CHECK(buf_add(&b, "ab\ncd", 5) == 0 && strlen(buf_ptr(&b)) == 5);
	buf_consume(&b, 3);
	CHECK(strcmp(buf_ptr(&b), "cd") == 0);
	buf_truncate(&b, 1);
	CHECK(b.len == 1 && strcmp(buf_ptr(&b), "c") == 0);
	buf_consume(&b, 1);
	CHECK(buf_ptr(&b) != NULL && buf_ptr(&b)[0] == '\0');
	CHECK(buf_add(&b, "0123456789", 10) == 0 &&
	    strcmp(buf_ptr(&b), "0123456789") == 0);
	buf_clear(&b);
	CHECK(buf_ptr(&b)[0] == '\0');
	buf_free(&b);
	CHECK(buf_ptr(&b) != NULL && strlen(buf_ptr(&b)) == 0);
	buf_init(&b, 1 << 20);
	CHECK(buf_add(&b, big, sizeof big) == 0);
	buf_consume(&b, sizeof big);
	buf_shrink(&b);
	CHECK(buf_ptr(&b) != NULL && strcspn(buf_ptr(&b), "\n") == 0);
	buf_free(&b);

	buf_init(&b, 4096);
	memset(big, 'z', sizeof big);
	big[sizeof big - 1] = '\0';
	CHECK(buf_printf(&b, "<%s>", big) == 0 && b.len == sizeof big + 1);
	buf_free(&b);

	CHECK(pipe(p) == 0);
	CHECK(fd_nonblock(p[0]) == 0 && fd_nonblock(p[1]) == 0);
	buf_init(&b, 1 << 20);
	CHECK(buf_read(&b, p[0]) == CM_AGAIN);
	for (i = 0; i < 1 << 20; i++)
		buf_add(&b, "q", 1);
	for (i = 0; i < 100 && (r = buf_write(&b, p[1], b.len)) > 0; i++)
		;
	CHECK(buf_write(&b, p[1], b.len) == 0);	/* pipe full */
	CHECK(read(p[0], tmp, 1) == 1 && tmp[0] == 'q');
	close(p[1]);
	buf_clear(&b);
	while ((r = buf_read(&b, p[0])) > 0)
		;
	CHECK(r == 0);
	close(p[0]);
	buf_free(&b);

	/* A read costs what it brings, not a full slice; an empty buffer
	 * past CM_BUF_KEEP gives its memory back, a small one keeps it. */
	CHECK(pipe(p) == 0);
	CHECK(fd_nonblock(p[0]) == 0);
	buf_init(&b, 1 << 20);
	CHECK(write(p[1], "hello\n", 6) == 6);
	CHECK(buf_read(&b, p[0]) == 6 && b.len == 6 && b.cap <= 256);
	CHECK(memcmp(buf_ptr(&b), "hello\n", 6) == 0);
	buf_consume(&b, 6);
	buf_shrink(&b);
	CHECK(b.data != NULL && b.cap <= 256);
	for (i = 0; i < CM_BUF_KEEP + 1; i++)
		buf_add(&b, "s", 1);
	buf_shrink(&b);
	CHECK(b.len == CM_BUF_KEEP + 1 && b.data != NULL);
	buf_consume(&b, b.len);
	buf_shrink(&b);
	CHECK(b.data == NULL && b.cap == 0 && b.len == 0 && b.max == 1 << 20);
	CHECK(buf_add(&b, "again", 5) == 0 && memcmp(buf_ptr(&b), "again", 5) == 0);
	close(p[0]);
	close(p[1]);
	buf_free(&b);
}

static void
test_token(void)
{
	CHECK(token_equal("abc", "abc"));
	CHECK(!token_equal("abc", "abd"));
	CHECK(!token_equal("abc", "abcd"));
	CHECK(!token_equal("", "a"));
	CHECK(token_equal("", ""));
}

static int
decide(const struct ruleset *rs, const char *prompt, const char *dir)
{
	char	 rule[256];

	return (rules_decide(rs, prompt, dir, rule, sizeof rule));
}

static void
test_rules(void)
{
	struct ruleset	*rs;
	char		 err[512], path[] = "/tmp/cm-unit-rules-XXXXXX";
	int		 fd;
	static const char *const denied[] = {
		"Run rm -rf build?", "rm -fr /", "sudo apt-get install x",
		"git push --force origin main", "git push -f", "git clean -fdx",
		"find . -name x -delete", "DROP TABLE users;",
		"git reset --hard HEAD~1", "git rebase -i main",
		"Enter password:", "mkfs.ext4 /dev/sda1", "chmod -R 777 .",
		"rm: remove regular file 'a.txt'?", "cp: overwrite 'b'?",
		"rm: descend into directory 'd'?",
		"Are you sure you want to delete all backups? (yes/no)",
		"Are you sure you want to continue connecting (yes/no)?",
		"Trust this folder? / 1. Trust and continue",
		"Do you trust the files in this folder?",
		"npm install left-pad", "pip install requests",
		"Proceed with deployment? [y/N]", "npm publish",
		"2 newly installed / Do you want to continue? [Y/n]",
		"Would you like to run it? / Reason: needs network / $ curl x",
		NULL
	};
	/* Text alone approves nothing; these are merely not denied. */
	static const char *const allowed[] = {
		"Install the linter? [y/N]", "Run ls -la?", "rm file.txt?",
		"git push origin main", "npm test", "Do you want to proceed?",
		"Do you want to make this edit to a.c? / 1. Yes / 2. No",
		"(1/1) Stage this hunk [y,n,q,a,d,e,?]?", "Run npm run build?",
		"Do you want to create greeting.txt?",
		NULL
	};
	int		 i;

	rs = rules_builtin();
	for (i = 0; denied[i] != NULL; i++) {
		if (decide(rs, denied[i], "/w") != RULE_DENY)
			printf("  (should deny: %s)\n", denied[i]);
		CHECK(decide(rs, denied[i], "/w") == RULE_DENY);
	}
	for (i = 0; allowed[i] != NULL; i++) {
		if (decide(rs, allowed[i], "/w") != RULE_ASK)
			printf("  (should not deny: %s)\n", allowed[i]);
		CHECK(decide(rs, allowed[i], "/w") == RULE_ASK);
	}
	CHECK(decide(rs, "Do you want to make this edit to /etc/passwd?",
	    "/home/u/p") == RULE_DENY);
	CHECK(decide(rs, "Do you want to make this edit to /home/u/p/a.c?",
	    "/home/u/p") == RULE_ASK);
	CHECK(decide(rs, "Write to ../other/x?", "/home/u/p") == RULE_DENY);
	rules_free(rs);

	/* A file: user rules after the built-ins; override lifts one. */
	CHECK((fd = mkstemp(path)) != -1);
	CHECK(write(fd, "# c\nallow rm\nask make[[:space:]]+lint\n\n", 39) ==
	    39);
	close(fd);
	CHECK((rs = rules_load(path, err, sizeof err)) != NULL);
	CHECK(decide(rs, "rm -rf x", "/w") == RULE_DENY);
	CHECK(decide(rs, "make lint", "/w") == RULE_ASK);
	rules_free(rs);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "override rm-recursive\nallow rm\n", 31) == 31);
	close(fd);
	CHECK((rs = rules_load(path, err, sizeof err)) != NULL);
	CHECK(decide(rs, "rm -rf x", "/w") == RULE_ALLOW);
	rules_free(rs);
	/* Errors name file, line and column. */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "allow ok\n  deny (x\n", 19) == 19);
	close(fd);
	CHECK(rules_load(path, err, sizeof err) == NULL);
	CHECK(strstr(err, ":2:8:") != NULL);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "permit x\n", 9) == 9);
	close(fd);
	CHECK(rules_load(path, err, sizeof err) == NULL &&
	    strstr(err, ":1:1:") != NULL);
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "override nothing\n", 17) == 17);
	close(fd);
	CHECK(rules_load(path, err, sizeof err) == NULL &&
	    strstr(err, ":1:10:") != NULL);
	unlink(path);
	CHECK((rs = rules_load("/nonexistent/rules", err, sizeof err)) !=
	    NULL);
	rules_free(rs);
}


/* Parse s; return the words of every command, "|"-joined, or "!why". */
static const char *
shparse(const char *s)
{
	static struct sh_parse	 p;
	static char		 out[1024];
	size_t			 n = 0;
	int			 i, k;

	if (shell_parse(s, strlen(s), &p) == -1) {
		snprintf(out, sizeof out, "!%s", p.why);
		return (out);
	}
	out[0] = '\0';
	for (i = 0; i < p.ncmds; i++) {
		for (k = 0; k < p.cmds[i].nwords; k++)
			n += (size_t)snprintf(out + n, sizeof out - n, "%s%s",
			    k ? " " : "", shell_word(&p, &p.cmds[i], k));
		for (k = 0; k < p.cmds[i].nredirs; k++)
			n += (size_t)snprintf(out + n, sizeof out - n,
			    " %d>%s", p.redirs[p.cmds[i].redir0 + k].fd,
			    p.store + p.words[p.redirs[p.cmds[i].redir0 +
			    k].word].off);
		n += (size_t)snprintf(out + n, sizeof out - n, "%s",
		    shell_op_name(p.cmds[i].op));
	}
	return (out);
}

static void
test_shell(void)
{
	static struct sh_parse	 p;
	char			 big[SH_INPUT_MAX + 2];
	int			 i;

	/* Words, quotes, escapes. */
	CHECK(strcmp(shparse("ls -la"), "ls -la") == 0);
	CHECK(strcmp(shparse("  ls\t -la  "), "ls -la") == 0);
	CHECK(strcmp(shparse("echo 'a b' \"c d\" e\\ f"), "echo a b c d e f")
	    == 0);
	CHECK(strcmp(shparse("echo 'it''s'"), "echo its") == 0);
	CHECK(strcmp(shparse("echo \"a\\\"b\\$c\\\\d\\e\""),
	    "echo a\"b$c\\d\\e") == 0);
	CHECK(strcmp(shparse("r\\m x"), "rm x") == 0);
	CHECK(strcmp(shparse("echo $'a\\tb\\x41\\101\\''"), "echo a\tbAA'") ==
	    0);
	CHECK(strcmp(shparse("echo ''"), "echo ") == 0);
	/* bash keeps the backslash of an escape $'...' does not know. */
	CHECK(strcmp(shparse("echo $'\\z\\.\\8\\?\\\"'"), "echo \\z\\.\\8?\"") ==
	    0);
	CHECK(shell_parse("echo $'a\0b'", 11, &p) == -1);
	/* Operators. */
	CHECK(strcmp(shparse("a && b || c ; d | e"), "a&&b||c;d|e") == 0);
	CHECK(strcmp(shparse("a;b"), "a;b") == 0);
	CHECK(strcmp(shparse("a\nb"), "a;b") == 0);
	CHECK(strcmp(shparse("a &&\nb"), "a&&b") == 0);
	CHECK(strcmp(shparse("a;"), "a") == 0);
	CHECK(shparse("a &&")[0] == '!');
	CHECK(shparse("&& a")[0] == '!');
	CHECK(shparse("a |")[0] == '!');
	CHECK(shparse("a & b")[0] == '!');
	CHECK(shparse("a |& b")[0] == '!');
	CHECK(shparse("a ;; b")[0] == '!');
	/* Redirections. */
	CHECK(strcmp(shparse("ls >x 2>&1"), "ls 1>x 2>1") == 0);
	CHECK(strcmp(shparse("ls 2> /dev/null"), "ls 2>/dev/null") == 0);
	CHECK(strcmp(shparse("ls &>x"), "ls -2>x") == 0);
	CHECK(strcmp(shparse("ls a2>x"), "ls a2 1>x") == 0);
	CHECK(strcmp(shparse("<in cat"), "cat 0>in") == 0);
	CHECK(shparse("ls >")[0] == '!');
	CHECK(shparse("ls > ;")[0] == '!');
	CHECK(shparse("cat <<EOF")[0] == '!');
	CHECK(shparse("cat <<< x")[0] == '!');
	CHECK(shparse("cat <(ls)")[0] == '!');
	CHECK(shparse("ls >(sh)")[0] == '!');
	/* What it refuses to read. */
	CHECK(shparse("ls $(id)")[0] == '!');
	CHECK(shparse("ls \"$(id)\"")[0] == '!');
	CHECK(shparse("ls `id`")[0] == '!');
	CHECK(shparse("ls \"`id`\"")[0] == '!');
	CHECK(shparse("echo $((1+1))")[0] == '!');
	CHECK(shparse("(ls)")[0] == '!');
	CHECK(shparse("{ ls; }")[0] == '!');
	CHECK(shparse("if x; then y; fi")[0] == '!');
	CHECK(shparse("! ls")[0] == '!');
	CHECK(strcmp(shparse("'if' x"), "if x") == 0);	/* quoted: a word */
	CHECK(strcmp(shparse("echo if"), "echo if") == 0);
	CHECK(shparse("ls 'x")[0] == '!');
	CHECK(shparse("ls \"x")[0] == '!');
	CHECK(shparse("ls $'x")[0] == '!');
	CHECK(shparse("ls \\")[0] == '!');
	CHECK(shparse("ls \\\n-la")[0] == '!');
	CHECK(shparse("ls \"a\\\nb\"")[0] == '!');
	CHECK(shparse("ls \x1b[2J")[0] == '!');
	CHECK(shparse("ls\rx")[0] == '!');
	CHECK(shell_parse("ls\0x", 4, &p) == -1);
	/* Comments. */
	CHECK(strcmp(shparse("ls # rm -rf /"), "ls") == 0);
	CHECK(strcmp(shparse("ls a#b"), "ls a#b") == 0);
	CHECK(strcmp(shparse("# only\nls"), "ls") == 0);
	/* Word flags. */
	snprintf(big, sizeof big, "FOO=1 ls $X *.c ~/a {a,b} \"$Y\" '$Z' x[1]");
	CHECK(shell_parse(big, strlen(big), &p) == 0);
	CHECK(p.ncmds == 1 && p.cmds[0].nassigns == 1);
	CHECK(shell_word_flags(&p, &p.cmds[0], 0) & SH_W_ASSIGN);
	CHECK(shell_word_flags(&p, &p.cmds[0], 2) & SH_W_EXPAND);
	CHECK(shell_word_flags(&p, &p.cmds[0], 3) & SH_W_GLOB);
	CHECK(shell_word_flags(&p, &p.cmds[0], 4) & SH_W_TILDE);
	CHECK(shell_word_flags(&p, &p.cmds[0], 5) & SH_W_BRACE);
	CHECK(shell_word_flags(&p, &p.cmds[0], 6) & SH_W_EXPAND);
	CHECK(!(shell_word_flags(&p, &p.cmds[0], 7) & SH_W_EXPAND));
	CHECK(shell_word_flags(&p, &p.cmds[0], 8) & SH_W_GLOB);
	CHECK(shell_parse("[ -f x ]", 8, &p) == 0 &&
	    !(shell_word_flags(&p, &p.cmds[0], 0) & SH_W_GLOB));
	/* A quoted blank or operator inside braces or brackets hides
	 * neither: bash expands {a,'|'} to two words. */
	snprintf(big, sizeof big, "ls {a,'|'} x{,' '} [a' '] {1'..'2} "
	    "HEAD@{1} '{a,b}' \\{a,b}");
	CHECK(shell_parse(big, strlen(big), &p) == 0);
	CHECK(shell_word_flags(&p, &p.cmds[0], 1) & SH_W_BRACE);
	CHECK(shell_word_flags(&p, &p.cmds[0], 2) & SH_W_BRACE);
	CHECK(shell_word_flags(&p, &p.cmds[0], 3) & SH_W_GLOB);
	CHECK(shell_word_flags(&p, &p.cmds[0], 4) & SH_W_BRACE);
	CHECK(!(shell_word_flags(&p, &p.cmds[0], 5) & SH_W_BRACE));
	CHECK(!(shell_word_flags(&p, &p.cmds[0], 6) & SH_W_BRACE));
	CHECK(!(shell_word_flags(&p, &p.cmds[0], 7) & SH_W_BRACE));
	snprintf(big, sizeof big, "git diff HEAD@{1}..HEAD@{2} {a,{b}} "
	    "x{a{b,c}} {{{{{{{{{{{{{{{{{{a}}}}}}}}}}}}}}}}}");
	CHECK(shell_parse(big, strlen(big), &p) == 0);
	CHECK(!(shell_word_flags(&p, &p.cmds[0], 2) & SH_W_BRACE));
	CHECK(shell_word_flags(&p, &p.cmds[0], 3) & SH_W_BRACE);
	CHECK(shell_word_flags(&p, &p.cmds[0], 4) & SH_W_BRACE);
	CHECK(shell_word_flags(&p, &p.cmds[0], 5) & SH_W_BRACE);
	CHECK(shparse("echo $[1+1]")[0] == '!');
	CHECK(shparse("echo \"$[1]\"")[0] == '!');
	/* An empty command before ';' is bash's syntax error. */
	CHECK(shparse("ls ; ; ls")[0] == '!');
	CHECK(shparse("; ls")[0] == '!');
	CHECK(strcmp(shparse("ls;\n\nls"), "ls;ls") == 0);
	/* Limits: refused, never cut. */
	memset(big, 'a', sizeof big);
	CHECK(shell_parse(big, sizeof big, &p) == -1);
	for (i = 0; i + 1 < (int)sizeof big; i += 2) {
		big[i] = 'a';
		big[i + 1] = ' ';
	}
	CHECK(shell_parse(big, SH_INPUT_MAX, &p) == -1);	/* words */
	for (i = 0; i + 1 < (int)sizeof big; i += 2) {
		big[i] = 'a';
		big[i + 1] = ';';
	}
	CHECK(shell_parse(big, SH_INPUT_MAX, &p) == -1);	/* commands */
	/* Random bytes never crash it, and what it accepts re-parses. */
	for (i = 0; i < 20000; i++) {
		size_t	 n = rnd() % 64, k;
		char	 s[64];

		static const char alpha[] = "ab $'\"\\|&;<>()#{}*~=\n\t`x0-";

		for (k = 0; k < n; k++)
			s[k] = alpha[rnd() % (sizeof alpha - 1)];
		(void)shell_parse(s, n, &p);
	}
}

/*
 * The corpus in tests/policy/corpus.tsv: each command, as a prompt's whole
 * subject, through the rules and the policy.
 */
static void
test_policy_corpus(void)
{
	struct ruleset	*rs;
	struct verdict	*v;
	FILE		*f;
	char		 line[4096], rule[1400], *cmd, *why;
	int		 a, n = 0, allows = 0, ok;

	if ((f = fopen("tests/policy/corpus.tsv", "r")) == NULL)
		f = fopen("policy/corpus.tsv", "r");
	CHECK(f != NULL);
	if (f == NULL)
		return;
	rs = rules_builtin();
	v = xcalloc(1, sizeof *v);
	while (fgets(line, sizeof line, f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((cmd = strchr(line, '\t')) == NULL ||
		    (why = strchr(cmd + 1, '\t')) == NULL) {
			printf("  bad corpus line: %s\n", line);
			CHECK(0);
			continue;
		}
		*cmd++ = '\0';
		*why++ = '\0';
		memset(v, 0, sizeof *v);
		v->state = S_CONFIRM;
		v->kind = PK_SHELL;
		v->rows = 1;
		strcpy(v->keys, "Enter");
		snprintf(v->subject, sizeof v->subject, "%s", cmd);
		snprintf(v->detail, sizeof v->detail, "Bash command / %s / "
		    "Do you want to proceed?", cmd);
		a = rules_verdict(rs, v, "/work/proj", rule, sizeof rule);
		if (strcmp(line, "allow") == 0)
			ok = a == RULE_ALLOW, allows++;
		else if (strcmp(line, "deny") == 0)
			ok = a == RULE_DENY;
		else
			ok = a != RULE_ALLOW;
		if (!ok)
			printf("  corpus: want %s, got %s: %s\n", line, rule,
			    cmd);
		CHECK(ok);
		n++;
	}
	fclose(f);
	CHECK(n >= 200);
	CHECK(allows >= 40);
	free(v);
	rules_free(rs);
}

/* Policy details the corpus cannot show: rules files, paths, joins. */
static void
test_policy(void)
{
	struct ruleset	*rs;
	struct verdict	*v;
	char		 rule[1400], err[512], dir[] = "/tmp/cm-unit-pol-XXXXXX";
	char		 path[256], rpath[] = "/tmp/cm-unit-prules-XXXXXX";
	int		 fd;

	CHECK(mkdtemp(dir) != NULL);
	/* A link inside the directory that leads out is outside. */
	snprintf(path, sizeof path, "%s/out", dir);
	CHECK(symlink("/etc", path) == 0);
	CHECK(!policy_inside("out/passwd", dir, err, sizeof err));
	CHECK(!policy_inside("out", dir, err, sizeof err));
	CHECK(policy_inside("new/file", dir, err, sizeof err));
	CHECK(!policy_inside("../x", dir, err, sizeof err));
	CHECK(!policy_inside(".git/config", dir, err, sizeof err));
	CHECK(!policy_inside("a/.GIT/config", dir, err, sizeof err));
	CHECK(!policy_inside(".gIt", dir, err, sizeof err));
	CHECK(policy_inside(".github/x", dir, err, sizeof err));
	CHECK(!policy_inside(":/", dir, err, sizeof err));
	/* git in a directory the agent made look like a bare repository
	 * (HEAD, objects/, refs/, a config naming core.pager): ask.  With
	 * the directory's own .git first, git never looks at that HEAD. */
	snprintf(path, sizeof path, "%s/HEAD", dir);
	CHECK((fd = open(path, O_WRONLY | O_CREAT, 0600)) != -1);
	close(fd);
	rs = rules_builtin();
	CHECK(policy_shell(rs, "git log", 7, dir, rule, sizeof rule, NULL) ==
	    RULE_ASK);
	CHECK(strstr(rule, "bare repository") != NULL);
	CHECK(policy_shell(rs, "ls", 2, dir, rule, sizeof rule, NULL) ==
	    RULE_ALLOW);
	snprintf(path, sizeof path, "%s/.git", dir);
	CHECK(mkdir(path, 0700) == 0);
	CHECK(policy_shell(rs, "git log", 7, dir, rule, sizeof rule, NULL) ==
	    RULE_ALLOW);
	rmdir(path);
	snprintf(path, sizeof path, "%s/HEAD", dir);
	unlink(path);
	/* A tool that reads: not through the link that leads out, nor
	 * from a file it names with an option or a redirection. */
	CHECK(policy_shell(rs, "cat out/passwd", 14, dir, rule, sizeof rule,
	    NULL) == RULE_ASK);
	CHECK(strstr(rule, "leads to") != NULL);
	CHECK(policy_shell(rs, "grep root out/*", 15, dir, rule, sizeof rule,
	    NULL) == RULE_ASK);
	CHECK(policy_shell(rs, "wc -l <out/passwd", 17, dir, rule,
	    sizeof rule, NULL) == RULE_ASK);
	CHECK(policy_shell(rs, "sed -n 1p out/passwd", 20, dir, rule,
	    sizeof rule, NULL) == RULE_ASK);
	CHECK(policy_shell(rs, "cat new/file", 12, dir, rule, sizeof rule,
	    NULL) == RULE_ALLOW);
	snprintf(path, sizeof path, "cat %s/new", dir);
	CHECK(policy_shell(rs, path, strlen(path), dir, rule, sizeof rule,
	    NULL) == RULE_ALLOW);
	snprintf(path, sizeof path, "cat %s/out/passwd", dir);
	CHECK(policy_shell(rs, path, strlen(path), dir, rule, sizeof rule,
	    NULL) == RULE_ASK);
	rules_free(rs);
	snprintf(path, sizeof path, "%s/out", dir);
	CHECK(!policy_inside("~/x", dir, err, sizeof err));
	CHECK(!policy_inside("x", "relative", err, sizeof err));
	CHECK(!policy_inside("x", NULL, err, sizeof err));
	unlink(path);
	rmdir(dir);

	v = xcalloc(1, sizeof *v);
	rs = rules_builtin();
	v->state = S_CONFIRM;
	v->kind = PK_SHELL;
	strcpy(v->keys, "Enter");
	/* Rows that may be wraps: every reading must be safe. */
	strcpy(v->subject, "git status\nrm -rf x");
	v->rows = 2;
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) != RULE_ALLOW);
	strcpy(v->subject, "ls -la src/ma\nin.c");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	strcpy(v->subject, "git status &&\ngit diff");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ALLOW);
	/* What cm could not see whole is asked about. */
	strcpy(v->subject, "ls");
	v->rows = 1;
	v->cut = "the top of the prompt is not on the screen";
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	CHECK(strncmp(rule, "ask:cut", 7) == 0);
	v->cut = NULL;
	strcpy(v->subject, "cat a.txt \xe2\x80\xa6");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ALLOW);
	v->keys[0] = '\0';
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	strcpy(v->keys, "Enter");
	/* Edits inside the directory only. */
	v->kind = PK_EDIT;
	strcpy(v->subject, "src/a.c");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ALLOW);
	strcpy(v->subject, "/etc/passwd");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) != RULE_ALLOW);
	strcpy(v->subject, "../w2/a.c");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) != RULE_ALLOW);
	/* Questions: only the harmless ones. */
	v->kind = PK_QUESTION;
	strcpy(v->rule, "generic/yes-no");
	strcpy(v->subject, "Continue? [y/N]");
	strcpy(v->detail, "Continue? [y/N]");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ALLOW);
	strcpy(v->detail, "This will drop 3 tables / Continue? [y/N]");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) != RULE_ALLOW);
	strcpy(v->subject, "Delete the file /tmp/x? [y/N]");
	strcpy(v->detail, v->subject);
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) != RULE_ALLOW);
	strcpy(v->subject, "Upload to /tmp/x? [y/N]");
	strcpy(v->detail, v->subject);
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) != RULE_ALLOW);
	strcpy(v->subject, "Frobnicate? [y/N]");
	strcpy(v->detail, v->subject);
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	/* Tools and fetches: only by the user's rule. */
	v->kind = PK_TOOL;
	strcpy(v->subject, "mcp__github__list_issues");
	strcpy(v->detail, "Tool use");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	v->kind = PK_NONE;
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	rules_free(rs);

	/* The user's rules: prefixes, tools, addresses, build-commands. */
	CHECK((fd = mkstemp(rpath)) != -1);
	dprintf(fd, "deny Bash(git push:*)\nallow Bash(npm run lint:*)\n"
	    "allow Bash(./run-checks)\nallow Tool(mcp__github__*)\n"
	    "allow Fetch(domain:docs.rs)\nbuild-commands off\n"
	    "allow Frobnicate\n");
	close(fd);
	CHECK((rs = rules_load(rpath, err, sizeof err)) != NULL);
	if (rs == NULL) {
		printf("  %s\n", err);
		goto out;
	}
	v->kind = PK_SHELL;
	v->rows = 1;
	strcpy(v->detail, "x");
	strcpy(v->subject, "npm run lint -- --fix");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ALLOW);
	strcpy(v->subject, "npm run linter");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	strcpy(v->subject, "npm run lint > /etc/x");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	strcpy(v->subject, "ls && git push origin main");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_DENY);
	strcpy(v->subject, "bash -c 'git push'");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_DENY);
	strcpy(v->subject, "./run-checks");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ALLOW);
	strcpy(v->subject, "./run-checks --all");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	strcpy(v->subject, "make test");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	CHECK(strstr(rule, "build-commands off") != NULL);
	/* A regular expression never approves a command. */
	strcpy(v->subject, "Frobnicate --all");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	v->kind = PK_QUESTION;
	strcpy(v->subject, "Frobnicate? [y/N]");
	strcpy(v->detail, v->subject);
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ALLOW);
	v->kind = PK_TOOL;
	strcpy(v->subject, "mcp__github__list_issues");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ALLOW);
	strcpy(v->subject, "mcp__gitlab__x");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	v->kind = PK_FETCH;
	strcpy(v->subject, "https://docs.rs/regex");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ALLOW);
	strcpy(v->subject, "https://docs.rs.evil.example/x");
	CHECK(rules_verdict(rs, v, "/w", rule, sizeof rule) == RULE_ASK);
	rules_free(rs);
	/* Errors. */
	fd = open(rpath, O_WRONLY | O_TRUNC);
	dprintf(fd, "allow Bash()\n");
	close(fd);
	CHECK(rules_load(rpath, err, sizeof err) == NULL);
	/* Stacked quantifiers make regcomp exponential: refused at once. */
	fd = open(rpath, O_WRONLY | O_TRUNC);
	dprintf(fd, "deny a++++++++++++\nallow x\n");
	close(fd);
	CHECK(rules_load(rpath, err, sizeof err) == NULL &&
	    strstr(err, "stacked") != NULL && strstr(err, ":1:") != NULL);
	fd = open(rpath, O_WRONLY | O_TRUNC);
	dprintf(fd, "deny a[+*]+ b{2}c? (x|y)* \\++\n");
	close(fd);
	CHECK((rs = rules_load(rpath, err, sizeof err)) != NULL);
	rules_free(rs);
	fd = open(rpath, O_WRONLY | O_TRUNC);
	dprintf(fd, "build-commands maybe\n");
	close(fd);
	CHECK(rules_load(rpath, err, sizeof err) == NULL &&
	    strstr(err, ":1:16:") != NULL);
out:
	unlink(rpath);
	free(v);
}

static enum state
classify(const char *profile, const char *text, int64_t quiet,
    struct verdict *v)
{
	struct screen	 sc;

	sc.text = text;
	sc.len = strlen(text);
	sc.title = NULL;
	sc.title_default = 0;
	sc.dead = 0;
	sc.quiet_ms = quiet;
	sc.cursor_y = -1;
	sc.fg_job = 0;
	confirm_classify(profile_find(profile), &sc, v);
	return (v->state);
}

static void
test_classify(void)
{
	struct verdict	 v;

	CHECK(classify("generic", "$ ls\nfoo\n\n\n", 5000, &v) == S_IDLE);
	CHECK(classify("generic", "$ ls\nfoo\n", 10, &v) == S_WORKING);
	CHECK(classify("generic", "x\nOverwrite? [y/N] \n\n", 5000, &v) ==
	    S_CONFIRM && strcmp(v.keys, "y Enter") == 0);
	CHECK(classify("generic", "Are you sure you want to continue "
	    "connecting (yes/no/[fingerprint])? \n", 5000, &v) == S_CONFIRM &&
	    strcmp(v.keys, "yes Enter") == 0);
	/* One being answered is not one waiting. */
	CHECK(classify("generic", "Go 1? [y/N] y\n", 5000, &v) == S_IDLE);
	CHECK(classify("generic", "Continue [Y/n]? \n", 5000, &v) ==
	    S_CONFIRM);
	/* A prompt quoted above the last line is not a prompt. */
	CHECK(classify("generic", "Delete? [y/N]\nok, deleted\n$ \n", 5000,
	    &v) == S_IDLE);
	/* A numbered list in output is not a prompt. */
	CHECK(classify("generic", "Steps:\n1. build\n2. test\n3. ship\n$ \n",
	    5000, &v) == S_IDLE);
	/* A menu: question, options, footer. */
	CHECK(classify("claude", "\xe2\x94\x82 Bash command\n\xe2\x94\x82   "
	    "ls -la\n\n Do you want to proceed?\n \xe2\x9d\xaf 1. Yes\n   2. "
	    "Yes, and don't ask again for ls\n   3. No, and tell Claude what "
	    "to do differently (esc)\n\n Esc to cancel\n", 5000, &v) ==
	    S_CONFIRM && strcmp(v.keys, "Enter") == 0);
	CHECK(strstr(v.detail, "ls -la") == NULL ||
	    strstr(v.detail, "proceed") != NULL);
	/* What the question is about comes with it, for the rules. */
	CHECK(classify("claude", "\xe2\x94\x82 Bash command\n\xe2\x94\x82\n"
	    "\xe2\x94\x82   rm -rf build\n\xe2\x94\x82\n\xe2\x94\x82 Do you "
	    "want to proceed?\n\xe2\x94\x82 \xe2\x9d\xaf 1. Yes\n\xe2\x94\x82"
	    "   2. No\n", 5000, &v) == S_CONFIRM);
	CHECK(strcmp(v.detail, "Bash command / rm -rf build / Do you want to "
	    "proceed? / 1. Yes / 2. No") == 0);
	/* The same with "No" selected: choose 1 by its number. */
	CHECK(classify("claude", " Do you want to proceed?\n   1. Yes\n "
	    "\xe2\x9d\xaf 2. No\n", 5000, &v) == S_CONFIRM &&
	    strcmp(v.keys, "1") == 0);
	/* An option that names its own key is chosen by it. */
	CHECK(classify("codex", "  Would you like to run the following "
	    "command?\n  $ ls\n\xe2\x80\xba 1. Yes, proceed (y)\n  2. No, "
	    "and tell Codex what to do differently (esc)\n  Press enter to "
	    "confirm or esc to cancel\n", 5000, &v) == S_CONFIRM &&
	    strcmp(v.keys, "y") == 0);
	/* Claude's input box: "❯" then a no-break space. */
	CHECK(classify("claude", "\xe2\x9d\xaf\xc2\xa0" "fix it\n  ? for "
	    "shortcuts\n", 5000, &v) == S_IDLE);
	/* A picker with no approving option asks for a choice. */
	CHECK(classify("claude", " Select model\n Which model?\n \xe2\x9d\xaf "
	    "1. Default\n   2. Opus\n   3. Haiku\n", 5000, &v) == S_INPUT);
	/* Claude's input box stays up while it works. */
	CHECK(classify("claude", "\xe2\x9c\xb3 Simplifying\xe2\x80\xa6 (2m 18s"
	    " \xc2\xb7 esc to interrupt)\n\xe2\x94\x80\xe2\x94\x80\n\xe2\x9d\xaf "
	    "\n\xe2\x94\x80\xe2\x94\x80\n  ? for shortcuts\n", 5000, &v) ==
	    S_WORKING);
	CHECK(classify("claude", "> \n  ? for shortcuts\n", 5000, &v) ==
	    S_IDLE);
	CHECK(classify("generic", "Password: \n", 5000, &v) == S_INPUT);
	/* A numbered list under a question, with the input box below it, is
	 * the model's answer, not a menu. */
	CHECK(classify("claude", "Which one should I do first?\n1. Yes, the "
	    "parser\n2. The lexer\n\n\xe2\x9d\xaf\xc2\xa0\n  ? for "
	    "shortcuts\n", 5000, &v) == S_IDLE);
	/* A permission prompt quoted in the conversation, the input box
	 * below it: idle. */
	CHECK(classify("claude", "\xe2\x97\x8f It showed:\n  Do you want to "
	    "proceed?\n  \xe2\x9d\xaf 1. Yes\n    2. No\n\n\xe2\x94\x80\xe2"
	    "\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2"
	    "\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\n\xe2\x9d\xaf"
	    "\xc2\xa0\n  ? for shortcuts\n", 5000, &v) == S_IDLE);
	/* A picker (a cursor on one option, no question) asks for a choice. */
	CHECK(classify("codex", "  Select Model\n\xe2\x80\xba 1. Fast\n  "
	    "2. Slow\n  enter select\n", 5000, &v) == S_INPUT);
	CHECK(strcmp(v.rule, "codex/menu-choice") == 0);
	/* Blank rows between the question and the options do not count. */
	CHECK(classify("codex", "Would you like to run it?\n\nEnv\n\n\n"
	    "Reason: x\n\n\n$ curl x\n\n\n\xe2\x80\xba 1. Yes, proceed (y)\n"
	    "  2. No (esc)\n\nPress enter to confirm\n", 5000, &v) ==
	    S_CONFIRM);
	CHECK(strcmp(v.keys, "y") == 0);
	CHECK(strncmp(v.detail, "Would you like", 14) == 0);
	/* Context above a yes/no question is part of the prompt. */
	CHECK(classify("generic", "$ apt-get install x\n2 newly installed\n"
	    "Do you want to continue? [Y/n] \n", 5000, &v) == S_CONFIRM);
	CHECK(strstr(v.detail, "newly installed / Do you want") != NULL);
	/* An error in the last answer, not one from an earlier turn. */
	CHECK(classify("codex", "\xe2\x80\xba hi\n\xe2\x96\xa0 unexpected "
	    "status 401\n\xe2\x80\xba again\nDone.\n\xe2\x80\xba Ask Codex "
	    "to do anything\n  ? for shortcuts\n", 5000, &v) == S_IDLE);
	CHECK(classify("codex", "\xe2\x80\xba again\n\xe2\x96\xa0 "
	    "unexpected status 401\n\xe2\x80\xba Ask Codex to do anything\n"
	    "  ? for shortcuts\n", 5000, &v) == S_ERROR);
	/* Aider (not installable here: no real screens; the prompt's form is
	 * aider's confirm_ask: "(Y)es/(N)o[/(A)ll][/(D)on't ask again] [Yes]:"). */
	CHECK(classify("aider", "> run the tests\n\nmake test\n\nRun shell "
	    "command? (Y)es/(N)o/(D)on't ask again [Yes]: \n", 5000, &v) ==
	    S_CONFIRM);
	CHECK(strcmp(v.keys, "y Enter") == 0);
	CHECK(strstr(v.detail, "make test / Run shell command?") != NULL);
	CHECK(classify("aider", "Add file to the chat? (Y)es/(N)o/(A)ll/(S)kip "
	    "all/(D)on't ask again [Yes]: y\n\n> \n", 5000, &v) == S_IDLE);
	CHECK(classify("aider", "Tokens: 2.5k sent\n\n> \n", 5000, &v) ==
	    S_IDLE);
	/* Gemini's dialogs say "Esc to cancel"; only its spinner is busy. */
	CHECK(classify("gemini", "Enter Gemini API Key\n(Press Enter to "
	    "submit, Esc to cancel)\n", 5000, &v) != S_WORKING);
	CHECK(classify("gemini", "\xe2\xa0\xb9 Thinking... (esc to cancel, "
	    "5s)\n", 5000, &v) == S_WORKING);
	CHECK(profile_for_command("/usr/bin/claude", 15) ==
	    profile_find("claude"));
	CHECK(profile_for_command("vim", 3) == profile_find("generic"));
}

/* opencode's one-row choice, Qwen's prompt line, a blank screen. */
static void
test_classify_choice(void)
{
	struct verdict	 v;
	static const char perm[] =
	    "  \xe2\x94\x83  \xe2\x96\xb3 Permission required\n"
	    "  \xe2\x94\x83    # Shell command\n  \xe2\x94\x83\n"
	    "  \xe2\x94\x83  $ rm -rf build\n  \xe2\x94\x83\n"
	    "  \xe2\x94\x83   Allow once   Allow always   Reject"
	    "        ctrl+f fullscreen  enter confirm\n  \xe2\x94\x83\n\n";

	CHECK(classify("opencode", perm, 5000, &v) == S_CONFIRM);
	CHECK(strcmp(v.keys, "Enter") == 0);
	CHECK(strcmp(v.rule, "opencode/choice") == 0);
	CHECK(strstr(v.detail, "$ rm -rf build") != NULL);
	/* Labels out of order, glued, or not starting the row: no choice;
	 * a question is left on the screen, which cm never answers. */
	(void)classify("opencode", "Permission required?\n"
	    "Allow always   Allow once   Reject\n", 5000, &v);
	CHECK(v.keys[0] == '\0' && strcmp(v.rule, "opencode/choice") != 0);
	(void)classify("opencode", "Permission required?\n"
	    "Allow once Allow always RejectX\n", 5000, &v);
	CHECK(v.keys[0] == '\0' && strcmp(v.rule, "opencode/choice") != 0);
	(void)classify("opencode", "Permission required?\n"
	    "I said: Allow once   Allow always   Reject\n", 5000, &v);
	CHECK(v.keys[0] == '\0' && strcmp(v.rule, "opencode/choice") != 0);
	/* The same choice with opencode's input box below it: a prompt
	 * shown in an answer, not one waiting. */
	CHECK(classify("opencode", "Permission required?\n"
	    "Allow once   Allow always   Reject\n\n"
	    "  /work/proj    ctrl+p commands\n", 5000, &v) == S_IDLE);
	/* An option wrapped onto a second row is read whole: "don't ask /
	 * again" first is skipped for the plain yes. */
	CHECK(classify("claude", "Do you want to proceed?\n"
	    "\xe2\x9d\xaf 1. Yes, and don't ask\n"
	    "      again for ls commands\n"
	    "  2. Yes\n  3. No\n\n Esc to cancel\n", 5000, &v) ==
	    S_CONFIRM);
	CHECK(strcmp(v.keys, "2") == 0);
	/* Only options cm does not understand (shortened, "always", a word
	 * it does not know, a refusal that says allow): no keys. */
	CHECK(classify("claude", "Do you want to proceed?\n"
	    "\xe2\x9d\xaf 1. Yes, and don\xe2\x80\xa6\n"
	    "  2. Yes, allow always\n  3. Yes, run it everywhere\n"
	    "  4. Don't allow\n\n Esc to cancel\n", 5000, &v) == S_CONFIRM);
	CHECK(v.keys[0] == '\0');
	CHECK(strcmp(v.rule, "claude/menu-broad-only") == 0);
	/* No question above it: a confirmation cm does not answer. */
	CHECK(classify("opencode", "Always allow\n- rm *\n\n"
	    "  Confirm   Cancel      enter confirm\n", 5000, &v) ==
	    S_CONFIRM && v.keys[0] == '\0');
	CHECK(strcmp(v.rule, "opencode/choice-no-question") == 0);
	CHECK(classify("opencode", "", 5000, &v) == S_STARTING);
	CHECK(classify("opencode", "\n\n   \n", 10, &v) == S_STARTING);
	/* Qwen: a prompt whose question and options are not on the screen
	 * is still a prompt, and its static spinner row is not work. */
	CHECK(classify("qwen", "  rm -rf build\n\n"
	    "\xe2\xa0\x8f Waiting for user confirmation...\n", 5000, &v) ==
	    S_CONFIRM && v.keys[0] == '\0');
	CHECK(strcmp(v.rule, "qwen/pending-unparsed") == 0);
	CHECK(classify("qwen", "Allow execution of: 'rm'?\n"
	    "\xe2\x80\xba 1. Yes, allow once\n"
	    "  2. Always allow run 'rm *' commands in this project\n"
	    "  3. No, suggest changes (esc)\n"
	    "\xe2\xa0\x8f Waiting for user confirmation...\n", 10, &v) ==
	    S_CONFIRM);
	CHECK(strcmp(v.keys, "Enter") == 0);
	/* Other profiles keep a blank screen unknown. */
	CHECK(classify("claude", "", 5000, &v) == S_UNKNOWN);
}

/* Users' profiles: a slot keeps its name across reloads. */
static void
test_profile_slots(void)
{
	char		 path[] = "/tmp/cmunit.XXXXXX", err[256];
	struct profile	*ps[2];
	struct verdict	 v;
	int		 fd, zz, oc, gen;

	if ((fd = mkstemp(path)) == -1)
		return;
	CHECK(write(fd, "working \"frobbing\"\n", 19) == 19);
	close(fd);
	oc = profile_find("opencode");
	gen = profile_find("generic");
	CHECK((ps[0] = profile_parse(path, "zz", err, sizeof err)) != NULL);
	CHECK((ps[1] = profile_parse(path, "opencode", err, sizeof err)) !=
	    NULL);
	CHECK(profile_install(ps, 2, err, sizeof err) == 0);
	zz = profile_find("zz");
	CHECK(zz > gen && profile_find("opencode") == oc);
	CHECK(classify("zz", "x\nfrobbing\n", 5000, &v) == S_WORKING);
	CHECK(classify("opencode", "x\nfrobbing\n", 5000, &v) == S_WORKING);
	CHECK(classify("opencode", "x\nesc interrupt\n", 5000, &v) ==
	    S_WORKING);
	/* Gone from the files: zz's slot reads as generic, opencode's as
	 * the built-in; a new name takes a new slot. */
	CHECK(profile_install(ps, 0, err, sizeof err) == 0);
	CHECK(profile_find("zz") == zz && profile_get(zz) == profile_get(gen));
	CHECK(classify("opencode", "x\nfrobbing\n", 5000, &v) != S_WORKING);
	CHECK((ps[0] = profile_parse(path, "yy", err, sizeof err)) != NULL);
	CHECK((ps[1] = profile_parse(path, "zz", err, sizeof err)) != NULL);
	CHECK(profile_install(ps, 2, err, sizeof err) == 0);
	CHECK(profile_find("zz") == zz && profile_find("yy") == zz + 1);
	CHECK(profile_for_command("/usr/bin/opencode", 17) == oc);
	CHECK(profile_install(ps, 0, err, sizeof err) == 0);
	unlink(path);
}

/* The config file: a long line is one line (the fgets readers of 256 and
 * 300 bytes took its tail as a line of its own). */
static void
config_quiet_unit(const char *msg)
{
	(void)msg;
}

static void
test_config(void)
{
	struct cm_config	 c;
	char			 path[] = "/tmp/cm-unit-config.XXXXXX";
	char			 many[400];
	int			 fd;

	if ((fd = mkstemp(path)) == -1) {
		CHECK(0);
		return;
	}
	memset(many, 'x', 300);
	many[0] = '#';
	memcpy(many + 300, "host evil\n", 11);
	CHECK(write(fd, many, strlen(many)) == (ssize_t)strlen(many));
	memcpy(many + 255, "autoconfirm on\n", 16);
	CHECK(write(fd, many, strlen(many)) == (ssize_t)strlen(many));
	CHECK(write(fd, "host box\n", 9) == 9);
	close(fd);
	CHECK(config_read(path, &c, config_quiet_unit) == 0);
	CHECK(c.nhosts == 1 && strcmp(c.hosts[0], "box") == 0);
	CHECK(c.autoconfirm == -1);
	unlink(path);
}

/* The answer of a remote "cm remote-hello", which the far end controls. */
static int
hello(const char *answer, size_t max, char *rsock, char *token)
{
	struct buf	 b;
	int		 r;

	buf_init(&b, max);
	if (buf_add(&b, answer, strlen(answer)) == -1)
		return (-9);
	r = remote_hello_parse(&b, rsock, CM_PATH_MAX, token,
	    CM_TOKEN_MAX + 1);
	buf_free(&b);
	return (r);
}

static void
test_hello(void)
{
	char		 rsock[CM_PATH_MAX], token[CM_TOKEN_MAX + 1], a[512];
	const char	*tok = "0123456789abcdef0123456789abcdef";

	snprintf(a, sizeof a, "cm-remote 1\n/run/cm/agent.sock\n%s\n", tok);
	CHECK(hello(a, 4096, rsock, token) == 0);
	CHECK(strcmp(rsock, "/run/cm/agent.sock") == 0);
	CHECK(strcmp(token, tok) == 0);
	snprintf(a, sizeof a, "cm-remote 1\r\n/s\r\n%s\r\n", tok);
	CHECK(hello(a, 4096, rsock, token) == 0 && strcmp(rsock, "/s") == 0 &&
	    strcmp(token, tok) == 0);
	/* An answer that fills the buffer (ssh brought more than it holds)
	 * was read past its end: found by tests/fuzz/fuzz_hello. */
	snprintf(a, sizeof a, "cm-remote 1\n/s\n%s", tok);
	CHECK(hello(a, strlen(a), rsock, token) == -1);
	CHECK(hello(a, 4096, rsock, token) == -1);	/* no newline */
	snprintf(a, sizeof a, "cm-remote 1\n/s\n%s\n", tok);
	CHECK(hello(a, strlen(a), rsock, token) == -1);
	CHECK(hello("cm-remote 1\n/s\n", 4096, rsock, token) == -1);
	CHECK(hello("", 4096, rsock, token) == -1);
	/* What the far end says must look like a path and a token. */
	snprintf(a, sizeof a, "banner\ncm-remote 1\n/s\n%s\n", tok);
	CHECK(hello(a, 4096, rsock, token) == -2);
	snprintf(a, sizeof a, "cm-remote 1\nrel/s\n%s\n", tok);
	CHECK(hello(a, 4096, rsock, token) == -2);
	snprintf(a, sizeof a, "cm-remote 1\n/s\x1b]0;x\x07\n%s\n", tok);
	CHECK(hello(a, 4096, rsock, token) == -2);
	CHECK(hello("cm-remote 1\n/s\n0123 4567 89ab cdef\n", 4096, rsock,
	    token) == -2);
	CHECK(hello("cm-remote 1\n/s\nabc\n", 4096, rsock, token) == -2);
}

/* One line from an agent through reply_next into r; returns its result. */
static int
reply_line(const char *line, struct reply *r)
{
	static struct buf	 in;
	size_t			 scanned = 0;
	char			 cause[256];

	buf_free(&in);
	buf_init(&in, CM_REPLY_LINE_MAX);
	if (buf_adds(&in, line) == -1)
		return (-2);
	return (reply_next(&in, &scanned, CM_REPLY_LINE_MAX, r->f, &r->nf,
	    cause, sizeof cause));
}

/* reply.c: the client's reading of the greeting, answers and events. */
static void
test_reply(void)
{
	static struct reply	 r;
	struct ev		 e;
	struct buf		 b;
	char			 inst[CM_ID_MAX + 1];
	int			 nc, i;
	size_t			 n;

	CHECK(reply_line("hello cm 1 5e5a480292cd545f new-check\n", &r) == 1);
	CHECK(reply_hello(r.f, r.nf, inst, sizeof inst, &nc) == HELLO_OK);
	CHECK(strcmp(inst, "5e5a480292cd545f") == 0 && nc == 1);
	CHECK(reply_line("hello cm 1 5e5a480292cd545f0000\r\n", &r) == 1);
	CHECK(reply_hello(r.f, r.nf, inst, sizeof inst, &nc) == HELLO_OK);
	CHECK(strlen(inst) == CM_ID_MAX && nc == 0);
	CHECK(reply_line("bye full\n", &r) == 1);
	CHECK(reply_hello(r.f, r.nf, inst, sizeof inst, &nc) == HELLO_FULL);
	CHECK(reply_line("hello cm 2 x\n", &r) == 1);
	CHECK(reply_hello(r.f, r.nf, inst, sizeof inst, &nc) == HELLO_VERSION);
	CHECK(reply_line("hello cm 1\n", &r) == 1);
	CHECK(reply_hello(r.f, r.nf, inst, sizeof inst, &nc) == HELLO_NONE);
	CHECK(reply_line("ok 1\\", &r) == 0);		/* not whole */
	CHECK(reply_line("ok 1 \\q\n", &r) == -1);	/* does not split */

	CHECK(reply_line("data 12 a b\n", &r) == 1);
	CHECK(reply_kind(r.f, r.nf, 12) == REPLY_DATA && r.nf == 4);
	CHECK(reply_kind(r.f, r.nf, 1) == REPLY_OTHER);
	CHECK(reply_line("ok 12\n", &r) == 1 &&
	    reply_kind(r.f, r.nf, 12) == REPLY_OK);
	CHECK(reply_line("bye overflow 9\n", &r) == 1 &&
	    reply_kind(r.f, r.nf, 12) == REPLY_BYE);
	CHECK(reply_line("event 5e5a480292cd545f 12 1795551426123 c1 idle "
	    "\\-\n", &r) == 1);
	CHECK(reply_kind(r.f, r.nf, 12) == REPLY_OTHER);
	CHECK(parse_event(r.f, r.nf, &e) == 0 && e.seq == 12 &&
	    e.time == 1795551426123LL && proto_field_eq(&e.name, "c1") &&
	    proto_field_eq(&e.type, "idle") && e.detail.n == 0);
	CHECK(reply_line("event x y 1 c1 idle z\n", &r) == 1 &&
	    parse_event(r.f, r.nf, &e) == -1);

	CHECK(reply_line("err 3 notfound no\\ssuch\\x1b[2J\n", &r) == 1);
	CHECK(reply_kind(r.f, r.nf, 3) == REPLY_ERR);
	CHECK(reply_error(&r) == 0 && !r.ok && strcmp(r.code, "notfound") == 0);
	CHECK(strcmp(r.msg, "no such\\x1b[2J") == 0);
	CHECK(reply_line("err 3\n", &r) == 1 && reply_error(&r) == 0 &&
	    r.code[0] == '\0' && r.msg[0] == '\0');

	/* A message longer than r.msg was cut inside a UTF-8 character, which
	 * then reached the terminal: found by tests/fuzz/fuzz_reply. */
	buf_init(&b, 4096);
	(void)buf_adds(&b, "err 3 x ");
	for (i = 0; i < 300; i++)
		(void)buf_adds(&b, "\xc3\xa9");		/* U+00E9 */
	(void)buf_adds(&b, "\n");
	CHECK(reply_line(buf_ptr(&b), &r) == 1 && reply_error(&r) == 0);
	n = strlen(r.msg);
	CHECK(n > 0 && n < sizeof r.msg && n % 2 == 0);
	CHECK(n >= 2 && (unsigned char)r.msg[n - 2] == 0xc3 &&
	    (unsigned char)r.msg[n - 1] == 0xa9);
	buf_free(&b);
	/* Cut before an escape too, not inside it. */
	buf_init(&b, 4096);
	(void)buf_adds(&b, "err 3 x ");
	for (i = 0; i < 300; i++)
		(void)buf_adds(&b, "\\x1b");
	(void)buf_adds(&b, "\n");
	CHECK(reply_line(buf_ptr(&b), &r) == 1 && reply_error(&r) == 0);
	n = strlen(r.msg);
	CHECK(n > 0 && n % 4 == 0 && memcmp(r.msg + n - 4, "\\x1b", 4) == 0);
	buf_free(&b);
}

/* remote.c: remote_host_split with "spec" gives dest and port, or -1. */
static int
host_is(const char *spec, const char *dest, const char *port)
{
	char	 d[CM_HOST_MAX], p[8], cause[512];

	if (remote_host_split(spec, d, sizeof d, p, sizeof p, cause,
	    sizeof cause) == -1)
		return (dest == NULL && strstr(cause, spec) != NULL);
	return (dest != NULL && strcmp(d, dest) == 0 && strcmp(p, port) == 0);
}

/* remote.c: the -H host spec. */
static void
test_host(void)
{
	char	 d[4], p[8], cause[64];

	CHECK(host_is("build1", "build1", ""));
	CHECK(host_is("me@build1:2222", "me@build1", "2222"));
	CHECK(host_is("a@b@c:22", "a@b@c", "22"));
	CHECK(host_is("[::1]:22", "::1", "22"));
	CHECK(host_is("[::1]", "::1", ""));
	CHECK(host_is("::1", "::1", ""));
	CHECK(host_is("me@[fe80::1%eth0]", "me@fe80::1%eth0", ""));
	CHECK(host_is("h:65535", "h", "65535"));
	CHECK(host_is("h:0022", "h", "0022"));
	CHECK(host_is("", NULL, NULL));
	CHECK(host_is("-oProxyCommand", NULL, NULL));
	CHECK(host_is("me@-oProxyCommand", NULL, NULL));
	CHECK(host_is("[-x]", NULL, NULL));
	CHECK(host_is("a b", NULL, NULL));
	CHECK(host_is("a\x01", NULL, NULL));
	CHECK(host_is("[::1", NULL, NULL));
	CHECK(host_is("[::1]x", NULL, NULL));
	CHECK(host_is("[]:22", NULL, NULL));
	CHECK(host_is("a]b", NULL, NULL));
	CHECK(host_is("[::1]:", NULL, NULL));
	CHECK(host_is("h:", NULL, NULL));
	CHECK(host_is("h:2x", NULL, NULL));
	CHECK(host_is("h:12345678", NULL, NULL));
	CHECK(host_is("me@", NULL, NULL));
	CHECK(host_is("me@:22", NULL, NULL));
	/* A port ssh would refuse was passed on: 0 and past 65535. */
	CHECK(host_is("h:0", NULL, NULL));
	CHECK(host_is("h:65536", NULL, NULL));
	CHECK(host_is("[::1]:99999", NULL, NULL));
	CHECK(host_is("h:0000000", NULL, NULL));
	/* A spec longer than dest holds is refused, not cut. */
	CHECK(remote_host_split("abcd", d, sizeof d, p, sizeof p, cause,
	    sizeof cause) == -1 && d[0] == '\0' && p[0] == '\0');
	CHECK(remote_host_split("abc", d, sizeof d, p, sizeof p, cause,
	    sizeof cause) == 0 && strcmp(d, "abc") == 0);
}

/* ctlparse.c: one line from tmux -C (NUL-terminated here) at a time. */
static int
ctl(struct ctlparse *cp, const char *l, struct ctlline *e)
{
	return (ctlparse_line(cp, l, strlen(l), e));
}

/* ctlparse.c: tmux control mode's blocks and notifications. */
static void
test_ctlparse(void)
{
	struct ctlparse	 cp;
	struct ctlline	 e;

	memset(&cp, 0, sizeof cp);
	CHECK(ctl(&cp, "%output %1 a\\033b", &e) == CL_OUTPUT);
	CHECK(ctl(&cp, "%extended-output %1 0 : x", &e) == CL_OUTPUT);
	CHECK(ctl(&cp, "%output", &e) == CL_NONE);
	CHECK(ctl(&cp, "%session-changed $1 cm-x", &e) == CL_SESSION);
	CHECK(ctl(&cp, "%exit", &e) == CL_EXIT);
	CHECK(ctl(&cp, "%end 1 2 1", &e) == CL_NONE);	/* no block open */
	CHECK(ctl(&cp, "%subscription-changed st $1 @1 0 %1 : 0my title",
	    &e) == CL_SUBSCRIPTION && e.vlen == 9 &&
	    memcmp(e.value, "0my title", 9) == 0);
	CHECK(ctl(&cp, "%subscription-changed st $1 : ", &e) ==
	    CL_SUBSCRIPTION && e.value != NULL && e.vlen == 0);
	CHECK(ctl(&cp, "%subscription-changed st", &e) == CL_SUBSCRIPTION &&
	    e.value == NULL);
	/* A block: what is in it is the block's, whatever it says. */
	CHECK(ctl(&cp, "%begin 1700000000 42 1", &e) == CL_BEGIN &&
	    cp.in_block && strcmp(cp.tag, "1700000000 42") == 0);
	CHECK(ctl(&cp, "%output %1 x", &e) == CL_BLOCK);
	CHECK(ctl(&cp, "%exit", &e) == CL_BLOCK);
	CHECK(ctl(&cp, "%begin 1 2 1", &e) == CL_BLOCK);
	CHECK(ctl(&cp, "%end 1700000001 42 1", &e) == CL_BLOCK);
	/* The tag whole: a longer number is not this block's end. */
	CHECK(ctl(&cp, "%end 1700000000 421 1", &e) == CL_BLOCK);
	CHECK(ctl(&cp, "%end 1700000000 42x", &e) == CL_BLOCK);
	CHECK(ctl(&cp, "", &e) == CL_BLOCK);
	CHECK(ctl(&cp, "%end 1700000000 42 1", &e) == CL_END && e.mine &&
	    !e.error && !cp.in_block);
	CHECK(ctl(&cp, "%begin 1700000000 43 0", &e) == CL_BEGIN);
	CHECK(ctl(&cp, "%error 1700000000 43 0", &e) == CL_END && !e.mine &&
	    e.error);
	/* No flags, or a tag too long: not a block. */
	CHECK(ctl(&cp, "%begin 1 2 ", &e) == CL_BEGIN && strcmp(cp.tag,
	    "1 2") == 0 && ctl(&cp, "%end 1 2", &e) == CL_END && !e.mine);
	CHECK(ctl(&cp, "%begin 12345", &e) == CL_NONE && !cp.in_block);
	CHECK(ctl(&cp, "%begin 1234567890123456789012345678901234567890"
	    "12345678901234567890123 1", &e) == CL_BEGIN);
	CHECK(ctl(&cp, "%end 1234567890123456789012345678901234567890"
	    "12345678901234567890123", &e) == CL_END);
	CHECK(ctl(&cp, "%begin 1234567890123456789012345678901234567890"
	    "123456789012345678901234 1", &e) == CL_NONE && !cp.in_block);
	/* A screen of 3 rows (expect 3): an %end with the right tag among
	 * them is a row a program printed; after them it ends the block. */
	CHECK(ctl(&cp, "%begin 1700000000 50 1", &e) == CL_BEGIN &&
	    cp.expect == 0);
	cp.expect = 3;
	CHECK(ctl(&cp, "%end 1700000000 50 1", &e) == CL_BLOCK);
	CHECK(ctl(&cp, "%begin 1700000000 51 1", &e) == CL_BLOCK);
	CHECK(ctl(&cp, "Do you want to proceed?", &e) == CL_BLOCK);
	CHECK(ctl(&cp, "%end 1700000000 50 1", &e) == CL_END && !e.early &&
	    !e.error && !cp.in_block);
	/* An %error before the rows: the end, said to be early. */
	CHECK(ctl(&cp, "%begin 1700000000 52 1", &e) == CL_BEGIN);
	cp.expect = 24;
	CHECK(ctl(&cp, "can't find pane: %9", &e) == CL_BLOCK);
	CHECK(ctl(&cp, "%error 1700000000 52 1", &e) == CL_END && e.early &&
	    e.error);
}

/* shell.c: what the fuzzer found (tests/fuzz/fuzz_shell). */
static void
test_shell_fuzz(void)
{
	static struct sh_parse	 p;

	/* Closing no word with no command took &cmds[-1] (UBSan: index -1
	 * out of bounds) on an empty command and after every operator. */
	CHECK(shell_parse("", 0, &p) == 0 && p.ncmds == 0);
	CHECK(shell_parse("a;", 2, &p) == 0 && p.ncmds == 1);
	CHECK(shell_parse("a && b; c | d ", 14, &p) == 0 && p.ncmds == 4 &&
	    strcmp(shell_word(&p, &p.cmds[3], 0), "d") == 0);
	/* "&>" right after another redirection was taken, and left the
	 * first without a target (word -1, which policy.c then read). */
	CHECK(shell_parse("ls &> &>> out", 13, &p) == -1 &&
	    strcmp(p.why, "redirection without a target") == 0);
	CHECK(shell_parse("ls > &> /dev/null", 17, &p) == -1);
	CHECK(shell_parse("ls &> out 2>&1", 14, &p) == 0 && p.nredirs == 2 &&
	    p.redirs[0].word >= 0 && p.redirs[1].word >= 0);
}

/* Wrappers looked through for the profile: one case per row. */
static void
test_profile_argv(void)
{
	static const struct {
		const char	*line;		/* argv, blank-separated */
		const char	*profile;
		int		 prog;		/* the program's word, -1 none */
		const char	*shell;		/* shell_name of it, or NULL */
	} t[] = {
		{ "claude", "claude", 0, NULL },
		{ "/opt/bin/claude --resume", "claude", 0, NULL },
		{ "env FOO=1 claude", "claude", 2, NULL },
		{ "env -i PATH=/bin HOME=/ codex", "codex", 4, NULL },
		{ "env -u HOME -- gemini", "gemini", 4, NULL },
		{ "/usr/bin/env FOO=1 BAR=2 bash -i", "generic", 3, "bash" },
		{ "env -S claude", "generic", -1, NULL },
		{ "npx -y @anthropic-ai/claude-code@2.1.197", "claude", 2, NULL },
		{ "npx --package=@openai/codex codex", "codex", -1, NULL },
		{ "npx -p @google/gemini-cli gemini", "gemini", -1, NULL },
		{ "bunx @openai/codex", "codex", 1, NULL },
		{ "pnpm dlx @google/gemini-cli", "gemini", 2, NULL },
		{ "yarn dlx @anthropic-ai/claude-code", "claude", 2, NULL },
		{ "npm exec @openai/codex", "codex", 2, NULL },
		{ "uvx aider-chat", "aider", 1, NULL },
		{ "pipx run aider-chat", "aider", 2, NULL },
		{ "node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js",
		    "claude", 1, NULL },
		{ "node --no-warnings -r x.js /n/@google/gemini-cli/dist/index.js",
		    "gemini", 4, NULL },
		{ "node server.js", "generic", -1, NULL },
		{ "nice -n 5 nohup claude", "claude", 4, NULL },
		{ "npx cowsay", "generic", 1, NULL },
		{ "sh -c 'echo hi'", "generic", 0, "sh" },
		{ "-bash", "generic", 0, "bash" },
		{ "python3 app.py", "generic", 0, NULL },
	};
	char		 copy[256], *w;
	const char	*v[16], *sh;
	size_t		 i;
	int		 n, prog, k;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(copy, sizeof copy, "%s", t[i].line);
		n = 0;
		for (w = strtok(copy, " "); w != NULL && n < 16;
		    w = strtok(NULL, " "))
			v[n++] = w;
		k = profile_for_argv(v, n, &prog);
		if (k != profile_find(t[i].profile) || prog != t[i].prog)
			printf("  %s: profile %s, word %d\n", t[i].line,
			    profile_name(k), prog);
		CHECK(k == profile_find(t[i].profile));
		CHECK(prog == t[i].prog);
		sh = prog >= 0 ? shell_name(v[prog]) : NULL;
		CHECK((sh == NULL) == (t[i].shell == NULL));
		CHECK(sh == NULL || strcmp(sh, t[i].shell) == 0);
	}
	CHECK(profile_for_path("/x/lib/node_modules/@openai/codex/bin/codex.js")
	    == profile_find("codex"));
	CHECK(profile_for_path("/usr/local/bin/my-tool") == -1);
}

/* A screen with a pane title, quiet for long. */
static enum state
classify_titled(const char *profile, const char *title, const char *text,
    struct verdict *v)
{
	struct screen	 sc;

	sc.text = text;
	sc.len = strlen(text);
	sc.title = title;
	sc.title_default = 0;
	sc.dead = 0;
	sc.quiet_ms = 5000;
	sc.cursor_y = -1;
	confirm_classify(profile_find(profile), &sc, v);
	return (v->state);
}

#define U_CUR	"\xe2\x9d\xaf"		/* ❯ */
#define U_DASH	"\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c" \
		"\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c\xe2\x95\x8c"
#define U_LINE	"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80" \
		"\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80"

/* Claude Code 2.1.3xx (issue 11): menus without numbers, a fourth Bash
 * option that switches modes, wrapped options, partial prompts. */
static void
test_classify_latest(void)
{
	struct verdict	 v;

	/* The API-key question: "Yes" / "❯ No (recommended)".  A menu, not
	 * the input box; approving is Up, then Enter. */
	CHECK(classify("claude", "  Do you want to use this API key?\n\n"
	    "    Yes\n  " U_CUR " No (recommended)\n\n  Enter to confirm \xc2\xb7"
	    " Esc to cancel\n", 5000, &v) == S_CONFIRM);
	CHECK(strcmp(v.keys, "Up Enter") == 0);
	CHECK(strcmp(v.rule, "claude/menu-unnumbered") == 0);
	/* Trust: "❯ No, exit" first: Down, then Enter. */
	CHECK(classify("claude", " Quick safety check: Is this a project you "
	    "created or one you trust?\n\n Security guide\n\n " U_CUR " No, "
	    "exit\n   Yes, I trust this folder\n\n Enter to confirm \xc2\xb7 "
	    "Esc to cancel\n", 5000, &v) == S_CONFIRM);
	CHECK(strcmp(v.keys, "Down Enter") == 0);
	/* The theme picker approves nothing: a choice. */
	CHECK(classify("claude", " Choose the text style that looks best with "
	    "your terminal\n\n " U_CUR " \xe2\x9c\x94 Auto (match terminal)\n"
	    "     Dark mode\n     Light mode\n\n " U_DASH "\n  1  x\n " U_DASH
	    "\n  Syntax theme: Monokai\n", 5000, &v) == S_INPUT);
	/* "Make auto mode your default permission mode?": its yes changes
	 * the mode; a confirmation nobody but the person answers. */
	CHECK(classify("claude", "  Make auto mode your default permission "
	    "mode?\n\n  Auto mode lets Claude handle permission prompts.\n\n"
	    "  " U_CUR " Yes, set auto mode as my default permission mode\n"
	    "    No, keep manual mode\n", 5000, &v) == S_CONFIRM);
	CHECK(v.keys[0] == '\0' && strcmp(v.rule, "claude/menu-mode") == 0);
	/* Option 3 switches to auto mode: with the cursor on it, the key is
	 * option 1's number, never Enter. */
	CHECK(classify("claude", " Bash command\n " U_DASH "\n rm -rf build\n "
	    U_DASH "\n Do you want to proceed?\n   1. Yes\n   2. Yes, and "
	    "always allow access to build/ from this project\n " U_CUR " 3. "
	    "Yes, and switch to auto mode \xc2\xb7 auto mode handles these "
	    "prompts for you\n   4. No\n\n Esc to cancel \xc2\xb7 Tab to amend\n",
	    5000, &v) == S_CONFIRM);
	CHECK(strcmp(v.keys, "1") == 0);
	/* Only a mode-changing yes: never chosen. */
	CHECK(classify("claude", " Do you want to proceed?\n " U_CUR " 1. Yes,"
	    " and switch to auto mode\n   2. No\n", 5000, &v) != S_CONFIRM ||
	    v.keys[0] == '\0');
	/* A long option wraps; its rows are indented past its number (one
	 * reads like a question: "allow "). */
	CHECK(classify("claude", " Do you want to create notes.txt?\n " U_CUR
	    " 1. Yes\n   2. Yes, and switch to accept edits for this session; "
	    "Yes, and\n      always allow access to /x/other for this\n      "
	    "session (shift+tab)\n   3. No\n\n Esc to cancel \xc2\xb7 Tab to "
	    "amend\n", 5000, &v) == S_CONFIRM);
	CHECK(strcmp(v.keys, "Enter") == 0 &&
	    strcmp(v.rule, "claude/menu") == 0);
	/* Partial prompts: confirm, no keys, the rule says what is missing;
	 * never idle, never answered. */
	CHECK(classify("claude", "\xe2\x97\x8f Bash(rm -rf build)\n  \xe2\x8e\xbf"
	    "  Waiting\xe2\x80\xa6\n\n Enter to continue \xc2\xb7 Esc to cancel\n",
	    5000, &v) == S_CONFIRM);
	CHECK(v.keys[0] == '\0' &&
	    strcmp(v.rule, "claude/partial-no-options") == 0);
	CHECK(classify("claude", " Bash command\n   rm -rf build\n\n Do you "
	    "want to proceed?\n\n", 5000, &v) == S_CONFIRM && v.keys[0] == '\0'
	    && strcmp(v.rule, "claude/partial-no-options") == 0);
	CHECK(classify("claude", "  Something new happened\n\n  " U_CUR
	    " Continue\n", 5000, &v) == S_CONFIRM && v.keys[0] == '\0' &&
	    strcmp(v.rule, "claude/partial-no-question") == 0);
	/* Above the input box, a question is conversation. */
	CHECK(classify("claude", "\xe2\x97\x8f Shall I go on?\n\n" U_LINE "\n"
	    U_CUR "\xc2\xa0\n" U_LINE "\n  \xe2\x8f\xb8 manual mode on \xc2\xb7 ? "
	    "for shortcuts\n", 5000, &v) == S_IDLE);
	CHECK(classify("claude", "\xe2\x97\x8f Shall I go on?\n\n" U_LINE "\n"
	    U_CUR "\xc2\xa0\n" U_LINE "\n  \xe2\x8f\xb5\xe2\x8f\xb5 auto mode on "
	    "(shift+tab to cycle)\n", 5000, &v) == S_IDLE);
	/* Codex and Gemini: a draft in the input box is not an option. */
	CHECK(classify("codex", "  >_ OpenAI Codex\n\n\xe2\x80\xba fix it?\n\n"
	    "  gpt-5-codex default \xc2\xb7 /p\n", 5000, &v) == S_IDLE);
	/* Claude's own exit, the pane still open. */
	CHECK(classify("claude", U_CUR " /exit\n\nResume this session with:\n"
	    "claude --resume 0b1c\n\n[claude exited with status 0]\n", 5000,
	    &v) == S_EXITED && strcmp(v.rule, "claude/exit-message") == 0);
	/* Gemini's, at the end of its summary box. */
	CHECK(classify("gemini", "\xe2\x94\x82  gemini-fake   19   2,280\n"
	    "\xe2\x94\x82  To resume this session: gemini --resume b999\n"
	    "\xe2\x95\xb0\xe2\x94\x80\xe2\x94\x80\xe2\x94\x80\n", 5000, &v) ==
	    S_EXITED && strcmp(v.rule, "gemini/exit-message") == 0);
	/* Codex prints an API error's raw JSON body. */
	CHECK(classify("codex", "\xe2\x80\xba hi\n\xe2\x96\xa0 {\"error\":"
	    "{\"message\":\"bad\",\"type\":\"invalid_request_error\"}}\n\xe2"
	    "\x80\xba Ask Codex to do anything\n  ? for shortcuts\n", 5000, &v)
	    == S_ERROR);
	/* ◐ / ◑ titles: working. */
	CHECK(classify_titled("claude", "\xe2\x97\x90 Claude Code", U_CUR
	    "\xc2\xa0\n  ? for shortcuts\n", &v) == S_WORKING);
	CHECK(classify_titled("claude", "\xe2\x97\x91 Claude Code", U_CUR
	    "\xc2\xa0\n  ? for shortcuts\n", &v) == S_WORKING);
	CHECK(classify_titled("claude", "\xe2\x9c\xb3 Claude Code", U_CUR
	    "\xc2\xa0\n  ? for shortcuts\n", &v) == S_IDLE);
}

/* The CLI's own permission mode, when it approves by itself. */
static void
test_modes(void)
{
	struct verdict	 v;

	(void)classify("claude", U_CUR "\xc2\xa0\n" U_LINE "\n  \xe2\x8f\xb5"
	    "\xe2\x8f\xb5 auto mode on (shift+tab to cycle) \xc2\xb7 \xe2\x86\x90"
	    " for agents      \xe2\x97\x90 medium \xc2\xb7 /effort\n", 5000, &v);
	CHECK(strcmp(v.mode, "auto") == 0 && v.state == S_IDLE);
	(void)classify("claude", U_CUR "\xc2\xa0\n  \xe2\x8f\xb5\xe2\x8f\xb5 "
	    "bypass permissions on\n", 5000, &v);
	CHECK(strcmp(v.mode, "bypass") == 0);
	(void)classify("claude", U_CUR "\xc2\xa0\n  \xe2\x8f\xb5\xe2\x8f\xb5 "
	    "accept edits on (shift+tab to cycle)\n", 5000, &v);
	CHECK(strcmp(v.mode, "accept-edits") == 0);
	(void)classify("claude", U_CUR "\xc2\xa0\n  \xe2\x8f\xb8 manual mode "
	    "on \xc2\xb7 ? for shortcuts\n", 5000, &v);
	CHECK(strcmp(v.mode, "manual") == 0);
	/* A dialog over the footer shows none. */
	(void)classify("claude", " Select model\n " U_CUR " 1. Default\n   2. "
	    "Opus\n\n Enter to confirm \xc2\xb7 Esc to exit\n", 5000, &v);
	CHECK(v.mode[0] == '\0');
	/* While it works, too. */
	(void)classify("claude", "\xc2\xb7 Brewing\xe2\x80\xa6\n" U_CUR
	    "\xc2\xa0\n  \xe2\x8f\xb5\xe2\x8f\xb5 auto mode on \xc2\xb7 esc to "
	    "interrupt\n", 5000, &v);
	CHECK(strcmp(v.mode, "auto") == 0 && v.state == S_WORKING);
	(void)classify("codex", "  >_ OpenAI Codex (v0.171.0)\n  permissions: "
	    "YOLO mode\n\n\xe2\x80\xba Ask Codex to do anything\n  ? for "
	    "shortcuts\n", 5000, &v);
	CHECK(strcmp(v.mode, "yolo") == 0);
	(void)classify("gemini", " > Type your message\n YOLO mode (ctrl + y to "
	    "toggle)\n", 5000, &v);
	CHECK(strcmp(v.mode, "yolo") == 0);
	(void)classify("generic", "$ echo auto mode on\nauto mode on\n$ \n",
	    5000, &v);
	CHECK(v.mode[0] == '\0');
}

/* esc_text of s (n bytes) with flags is want. */
static int
esc_is(const char *s, size_t n, int flags, const char *want)
{
	struct buf	 b;
	int		 ok;

	buf_init(&b, 1024);
	ok = esc_text(&b, s, n, flags) == 0 && b.len == strlen(want) &&
	    memcmp(buf_ptr(&b), want, b.len) == 0;
	if (!ok)
		printf("esc_text gave '%.*s', want '%s'\n", (int)b.len,
		    buf_ptr(&b), want);
	buf_free(&b);
	return (ok);
}

static int
json_is(const char *s, size_t n, const char *want)
{
	struct buf	 b;
	int		 ok;

	buf_init(&b, 1024);
	ok = esc_json(&b, s, n) == 0 && b.len == strlen(want) &&
	    memcmp(buf_ptr(&b), want, b.len) == 0;
	if (!ok)
		printf("esc_json gave '%.*s', want '%s'\n", (int)b.len,
		    buf_ptr(&b), want);
	buf_free(&b);
	return (ok);
}

/* Is p valid UTF-8 with no control character but those allowed? */
static int
clean_utf8(const char *p, size_t n, const char *allowed)
{
	size_t		 i = 0, k;
	uint32_t	 cp;

	while (i < n) {
		if ((k = utf8_seq(p + i, n - i, &cp)) == 0)
			return (0);
		if ((cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) &&
		    (cp == 0 || strchr(allowed, (int)cp) == NULL))
			return (0);
		i += k;
	}
	return (1);
}

static void
test_esc(void)
{
	struct buf	 b;
	char		 s[64];
	uint32_t	 cp;
	int		 i, k;
	size_t		 n;

	CHECK(utf8_seq("\xc3\xa9", 2, &cp) == 2 && cp == 0xe9);
	CHECK(utf8_seq("\xe2\x9c\xbb", 3, &cp) == 3 && cp == 0x273b);
	CHECK(utf8_seq("\xf0\x9f\x98\x80", 4, &cp) == 4 && cp == 0x1f600);
	CHECK(utf8_seq("\xc0\xaf", 2, &cp) == 0);	/* overlong */
	CHECK(utf8_seq("\xe0\x80\xaf", 3, &cp) == 0);	/* overlong */
	CHECK(utf8_seq("\xed\xa0\x80", 3, &cp) == 0);	/* surrogate */
	CHECK(utf8_seq("\xf4\x90\x80\x80", 4, &cp) == 0); /* > U+10FFFF */
	CHECK(utf8_seq("\xe2\x9c", 2, &cp) == 0);	/* truncated */
	CHECK(utf8_seq("\x80", 1, &cp) == 0);
	CHECK(utf8_seq("\xff", 1, &cp) == 0);

	CHECK(esc_is("a b", 3, 0, "a b"));
	CHECK(esc_is("", 0, 0, ""));
	CHECK(esc_is("\x1b]0;x\x07", 6, 0, "\\x1b]0;x\\x07"));
	CHECK(esc_is("a\\b\tc\nd\re", 9, 0, "a\\\\b\\tc\\nd\\re"));
	CHECK(esc_is("a\nb", 3, ESC_LINES, "a\nb"));
	CHECK(esc_is("\xc2\x9b" "2J", 4, 0, "\\xc2\\x9b2J"));
	CHECK(esc_is("\x9b\xff", 2, 0, "\\x9b\\xff"));
	CHECK(esc_is("caf\xc3\xa9 \xe2\x9c\xbb", 9, 0, "caf\xc3\xa9 \xe2\x9c\xbb"));
	CHECK(esc_is("\xe2\x9c", 2, 0, "\\xe2\\x9c"));
	CHECK(esc_is("\x7f\x00", 2, 0, "\\x7f\\x00"));
	CHECK(esc_is("\x1b[1;31mred\x1b[m", 13, ESC_SGR,
	    "\x1b[1;31mred\x1b[m"));
	CHECK(esc_is("\x1b[1;31m", 7, 0, "\\x1b[1;31m"));
	CHECK(esc_is("\x1b[2J\x1b[1", 7, ESC_SGR, "\\x1b[2J\\x1b[1"));

	CHECK(json_is("", 0, "\"\""));
	CHECK(json_is("a\"b\\c", 5, "\"a\\\"b\\\\c\""));
	CHECK(json_is("\n\t\r\x00\x1b\x7f", 6,
	    "\"\\n\\t\\r\\u0000\\u001b\\u007f\""));
	CHECK(json_is("\xff\x9b", 2, "\"\\u00ff\\u009b\""));
	CHECK(json_is("\xc2\x9b", 2, "\"\\u009b\""));
	CHECK(json_is("\xe2\x80\xa8", 3, "\"\\u2028\""));
	CHECK(json_is("caf\xc3\xa9", 5, "\"caf\xc3\xa9\""));
	CHECK(json_is("\xed\xa0\x80", 3, "\"\\u00ed\\u00a0\\u0080\""));

	/* Random bytes: always clean output. */
	buf_init(&b, 8192);
	for (i = 0; i < 20000; i++) {
		n = rnd() % sizeof s;
		for (k = 0; k < (int)n; k++)
			s[k] = (char)(rnd() % 4 == 0 ? 0x80 + rnd() % 0x80 :
			    rnd() % 256);
		buf_clear(&b);
		CHECK(esc_text(&b, s, n, i % 4) == 0);
		CHECK(clean_utf8(buf_ptr(&b), b.len, (i % 4) == 0 ? "" :
		    (i % 4) == 1 ? "\n" : (i % 4) == 2 ? "\x1b" : "\n\x1b"));
		buf_clear(&b);
		CHECK(esc_json(&b, s, n) == 0);
		CHECK(clean_utf8(buf_ptr(&b), b.len, ""));
	}
	buf_free(&b);
}

/* new: at most CM_ARGV_MAX words of command, whatever else fits. */
static void
test_argv_max(void)
{
	struct request	 r;
	const char	*cause;
	char		 line[4096];
	int		 n, i;

	for (n = CM_ARGV_MAX - 1; n <= CM_ARGV_MAX + 2; n++) {
		i = snprintf(line, sizeof line, "7 new name=x --");
		for (int k = 0; k < n; k++)
			i += snprintf(line + i, sizeof line - (size_t)i, " w");
		cause = NULL;
		if (n <= CM_ARGV_MAX)
			CHECK(proto_parse_request(line, (size_t)i, &r,
			    &cause) == 0);
		else
			CHECK(proto_parse_request(line, (size_t)i, &r,
			    &cause) == -1 && strcmp(r.id, "7") == 0 &&
			    strstr(cause, "more than") != NULL);
	}
}

int
main(void)
{
	log_init(2, 0);
	test_escape();
	test_split();
	test_frame();
	test_parse();
	test_buf();
	test_token();
	test_rules();
	test_shell();
	test_policy_corpus();
	test_policy();
	test_classify();
	test_classify_choice();
	test_profile_slots();
	test_profile_argv();
	test_classify_latest();
	test_modes();
	test_config();
	test_hello();
	test_reply();
	test_host();
	test_ctlparse();
	test_shell_fuzz();
	test_esc();
	test_argv_max();
	printf("%d passed, %d failed\n", passed, failed);
	return (failed != 0);
}
