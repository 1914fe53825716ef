#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "banned.h"

static void SR_NORETURN die_oom(size_t n)
{
	fprintf(stderr, "shelfready: out of memory allocating %zu bytes\n", n);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die_oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die_oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die_oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		die_oom(0);
	char *p = xmalloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void *xgrow(void *arr, size_t *cap, size_t n, size_t elsize)
{
	if (n <= *cap)
		return arr;
	size_t c = *cap ? *cap : 4;
	while (c < n)
		c *= 2;
	if (c > ((size_t)-1) / elsize)
		die_oom((size_t)-1);
	arr = xrealloc(arr, c * elsize);
	*cap = c;
	return arr;
}

const char *mem_find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	if (!nlen)
		return hay;
	for (size_t i = 0; i + nlen <= hlen; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, nlen))
			return hay + i;
	return NULL;
}

int str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int str_ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);
	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

size_t str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	/* three rows: the one before last (for swaps), the last, the current */
	size_t *pp = xcalloc(lb + 1, sizeof(*pp));
	size_t *prev = xcalloc(lb + 1, sizeof(*prev));
	size_t *cur = xcalloc(lb + 1, sizeof(*cur));

	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (prev[j - 1] + cost < best)
				best = prev[j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			cur[j] = best;
		}
		size_t *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	size_t d = prev[lb];
	free(pp);
	free(prev);
	free(cur);
	return d;
}

const char *str_suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t len = strlen(word);
	/* Allow one edit for short words, two for longer, three for long ones. */
	size_t limit = len <= 3 ? 1 : len <= 8 ? 2 : 3;

	if (len > 256)
		return NULL; /* no one mistypes a name that long: skip the quadratic work */
	for (size_t i = 0; candidates[i]; i++) {
		if (strlen(candidates[i]) > 256)
			continue;
		size_t d = str_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

int read_file(const char *path, size_t max, char **out, size_t *out_len)
{
	int ret = 0;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f = fopen(path, "rb");

	if (!f) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		ALLOC_GROW(buf, len + 4096 + 1, cap);
		size_t n = fread(buf + len, 1, 4096, f);
		len += n;
		if (len > max) {
			ret = -EFBIG;
			goto out;
		}
		if (n < 4096) {
			if (ferror(f)) {
				ret = -EIO;
				goto out;
			}
			break;
		}
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
out:
	if (f)
		fclose(f);
	free(buf);
	return ret;
}

int write_file_atomic(const char *path, const void *data, size_t len, unsigned mode)
{
	char *tmp = xasprintf("%s.tmp-XXXXXX", path);
	const char *p = data;
	int fd, ret = 0;

	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	while (len) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			ret = w < 0 ? -errno : -EIO;
			goto out;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0) {
		ret = -errno;
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		ret = -errno;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		ret = -errno;
out:
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

int mkdir_p(const char *path, unsigned mode)
{
	char *dir = xstrdup(path);
	int ret = 0;

	for (char *s = dir + 1;; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(dir, (mode_t)mode) < 0 && errno != EEXIST) {
			ret = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	if (!ret) {
		struct stat st;
		if (stat(path, &st) < 0)
			ret = -errno;
		else if (!S_ISDIR(st.st_mode))
			ret = -ENOTDIR;
	}
	free(dir);
	return ret;
}

void random_token(char *buf, size_t n)
{
	static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[32];
	if (n > sizeof(rnd))
		n = sizeof(rnd);
	if (getrandom(rnd, n, 0) != (ssize_t)n) {
		/* no entropy source: fall back on time and pid, uniqueness is all we need */
		unsigned long v = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
		for (size_t i = 0; i < n; i++, v = v * 1103515245u + 12345u)
			rnd[i] = (unsigned char)(v >> 16);
	}
	for (size_t i = 0; i + 1 < n; i++)
		buf[i] = alnum[rnd[i] % (sizeof(alnum) - 1)];
	buf[n - 1] = '\0';
}
