/*
 * Replay driver: runs a fuzz target over files without libFuzzer, so that the
 * corpus is exercised by every test run, with any compiler and sanitizer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int n = 0;
	for (int i = 1; i < argc; i++) {
		char *buf = NULL;
		size_t len = 0;
		if (read_file(argv[i], 1u << 24, &buf, &len) < 0) {
			fprintf(stderr, "replay: cannot read '%s'\n", argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		free(buf);
		n++;
	}
	printf("replayed %d inputs\n", n);
	return n > 0 ? 0 : 1;
}
