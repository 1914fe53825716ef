/*
 * libFuzzer target for lib/rsa-key.c's reader of private keys: the input as
 * key text, and the input as the binary body of an OpenSSH-format key (in
 * its armour, base64-encoded), so that the wire parser sees arbitrary bytes.
 * A key that loads must give a blob and sign.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "rsa-key.h"
#include "strbuf.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void try_text(const char *text, size_t len)
{
	static const unsigned char msg[] = "data to sign";
	struct rsa_key *k = NULL;
	char *why = NULL;

	if (rsa_key_load(text, len, NULL, &k, &why) == 0) {
		size_t blen = 0, siglen = 0;
		unsigned char *blob = rsa_key_blob(k, "rsa-sha2-512", &blen), *sig = NULL;
		if (!blob || blen < 16)
			abort();
		/* a wrong key may fail to sign, never crash */
		if (rsa_key_sign(k, "rsa-sha2-512", msg, sizeof(msg), &sig, &siglen) == 0 && !siglen)
			abort();
		free(sig);
		free(blob);
		rsa_key_free(k);
	} else if (!why) {
		abort(); /* a refusal always says why */
	}
	free(why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned char *b64;
	int n;

	if (size > (1u << 16))
		return 0;
	try_text((const char *)data, size);
	b64 = xmalloc(4 * ((size + 2) / 3) + 1);
	n = EVP_EncodeBlock(b64, data, (int)size);
	strbuf_addstr(&sb, "-----BEGIN OPENSSH PRIVATE KEY-----\n");
	for (int i = 0; i < n; i += 70)
		strbuf_addf(&sb, "%.*s\n", n - i < 70 ? n - i : 70, (const char *)b64 + i);
	strbuf_addstr(&sb, "-----END OPENSSH PRIVATE KEY-----\n");
	try_text(sb.buf, sb.len);
	strbuf_release(&sb);
	free(b64);
	return 0;
}
