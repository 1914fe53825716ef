/*
 * Signing with a key held by an SSH agent (the agent protocol of OpenSSH's
 * PROTOCOL.agent), for lib/ssh.c: libssh2 before 1.11 asks the agent for
 * ssh-rsa (SHA-1) signatures only, which OpenSSH 8.8 and later refuse; this
 * asks for rsa-sha2-512 or rsa-sha2-256. The agent's and the socket's errors
 * become text here, once.
 */
#ifndef SR_AGENT_H
#define SR_AGENT_H

#include <stddef.h>

/*
 * Ask the agent on the Unix socket sock_path to sign data with the key whose
 * public blob is key_blob (as the agent lists it), as alg: "rsa-sha2-512" or
 * "rsa-sha2-256". 0 with *sig (malloc'ed, *siglen bytes: the raw signature,
 * without its algorithm name), or -1 with *why (owned): no agent there, the
 * agent refused (unknown key, a confirmation declined), or an answer that is
 * not a signature of that algorithm. Waits at most timeout_ms for each read
 * and write.
 */
int agent_sign(const char *sock_path, const unsigned char *key_blob, size_t blob_len,
	       const unsigned char *data, size_t n, const char *alg, int timeout_ms,
	       unsigned char **sig, size_t *siglen, char **why);

#endif
