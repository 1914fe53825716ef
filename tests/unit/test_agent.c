/*
 * Unit tests of lib/agent.c against OpenSSH's real ssh-agent: an RSA key it
 * holds signs with rsa-sha2-512 and rsa-sha2-256 (checked against the public
 * key with the right digest only); a key it does not hold, an algorithm it
 * is not asked for and a missing socket are refused with a reason; and a
 * misbehaving agent (a child process on a socket: a wrong algorithm, a cut
 * answer, an oversized length) is refused, never trusted.
 */
#include "helpers.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>


#include "agent.h"
#include "util.h"

static char dir[] = "/tmp/sr-test-agent-XXXXXX";
static char *sock;

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	sock = xasprintf("%s/agent.sock", dir);
	/* an agent of its own, two RSA keys of which it holds one */
	return test_in_dir(dir, "(ssh-keygen -q -t rsa -b 2048 -N '' -f held && "
		      "ssh-keygen -q -t rsa -b 2048 -N '' -f other && "
		      "ssh-keygen -e -m PKCS8 -f held.pub >held.pem && "
		      "ssh-agent -a agent.sock -s >agent.env && "
		      "SSH_AUTH_SOCK=agent.sock ssh-add -q held) >/dev/null 2>&1")
		       ? -1
		       : 0;
}

static int teardown(void **state)
{
	(void)state;
	test_in_dir(dir, ". ./agent.env >/dev/null && kill \"$SSH_AGENT_PID\"");
	free(sock);
	return test_rm_rf(dir);
}

static void test_real_agent(void **state)
{
	(void)state;
	static const unsigned char data[] = "session id and the userauth request";
	size_t bl, ol, siglen;
	unsigned char *held = test_pub_blob(dir, "held.pub", &bl);
	unsigned char *other = test_pub_blob(dir, "other.pub", &ol), *sig;
	char *why;

	assert_int_equal(agent_sign(sock, held, bl, data, sizeof(data), "rsa-sha2-512", 5000, &sig,
				    &siglen, &why),
			 0);
	assert_null(why);
	assert_true(test_sig_verifies(dir, "held.pem", "sha512", data, sizeof(data), sig, siglen));
	assert_false(test_sig_verifies(dir, "held.pem", "sha256", data, sizeof(data), sig, siglen));
	free(sig);
	assert_int_equal(agent_sign(sock, held, bl, data, sizeof(data), "rsa-sha2-256", 5000, &sig,
				    &siglen, &why),
			 0);
	assert_true(test_sig_verifies(dir, "held.pem", "sha256", data, sizeof(data), sig, siglen));
	free(sig);

	assert_int_equal(agent_sign(sock, other, ol, data, sizeof(data), "rsa-sha2-512", 5000, &sig,
				    &siglen, &why),
			 -1);
	assert_string_equal(why, "the agent refused to sign");
	assert_null(sig);
	free(why);
	assert_int_equal(agent_sign(sock, held, bl, data, sizeof(data), "ssh-rsa", 5000, &sig, &siglen,
				    &why),
			 -1);
	assert_non_null(strstr(why, "not asked for ssh-rsa"));
	free(why);
	char *nosock = xasprintf("%s/none.sock", dir);
	assert_int_equal(agent_sign(nosock, held, bl, data, sizeof(data), "rsa-sha2-512", 5000, &sig,
				    &siglen, &why),
			 -1);
	assert_non_null(strstr(why, "cannot reach the agent"));
	free(why);
	free(nosock);
	free(held);
	free(other);
}

/* A child that answers the first request on a socket of its own with answer (n bytes). */
static pid_t fake_agent(const char *path, const void *answer, size_t n)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 1), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int c = accept(fd, NULL, NULL);
		char buf[4096];
		if (c >= 0 && read(c, buf, sizeof(buf)) > 0 && write(c, answer, n) == (ssize_t)n)
			sleep(2); /* hold the connection: a cut answer is cut, not closed */
		_exit(0);
	}
	close(fd);
	return pid;
}

static void test_misbehaving_agent(void **state)
{
	(void)state;
	static const unsigned char blob[] = "\0\0\0\7ssh-rsa\0\0\0\1\1\0\0\0\1\1";
	static const unsigned char data[] = "x";
	/* a signature named rsa-sha2-256 when rsa-sha2-512 was asked for */
	static const unsigned char wrong_alg[] = "\0\0\0\x1c\x0e\0\0\0\x17"
						 "\0\0\0\x0crsa-sha2-256\0\0\0\3abc";
	/* a length that promises more than comes */
	static const unsigned char cut[] = "\0\0\0\x40\x0e\0\0";
	static const unsigned char huge[] = "\x7f\0\0\0\x0e";
	static const unsigned char inner_overrun[] = "\0\0\0\x09\x0e\0\0\0\xff\0\0\0\0";
	struct {
		const unsigned char *answer;
		size_t n;
		const char *why;
	} rows[] = {
		{ wrong_alg, sizeof(wrong_alg) - 1,
		  "the agent signed with another algorithm than rsa-sha2-512" },
		{ cut, sizeof(cut) - 1, "the agent's answer is cut short" },
		{ huge, sizeof(huge) - 1, "the agent's answer has a bad length" },
		{ inner_overrun, sizeof(inner_overrun) - 1, "the agent's signature is malformed" },
	};
	char *path = xasprintf("%s/fake.sock", dir);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		unsigned char *sig = NULL;
		size_t siglen;
		char *why = NULL;
		pid_t pid = fake_agent(path, rows[i].answer, rows[i].n);
		int r = agent_sign(path, blob, sizeof(blob) - 1, data, 1, "rsa-sha2-512", 1000, &sig,
				   &siglen, &why);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (r != -1 || sig || !why || strcmp(why, rows[i].why))
			fail_msg("row %zu: %d '%s', want '%s'", i, r, why ? why : "", rows[i].why);
		free(why);
	}
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_agent),
		cmocka_unit_test(test_misbehaving_agent),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
