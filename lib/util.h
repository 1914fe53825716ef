/* Small helpers shared by the engine: checked allocation and string utilities. */
#ifndef SR_UTIL_H
#define SR_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define SR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define SR_NORETURN __attribute__((noreturn))
#else
#define SR_PRINTF(f, a)
#define SR_NORETURN
#endif

/* Allocation failures abort with a message: there is no sane recovery. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) SR_PRINTF(1, 2);
char *xvasprintf(const char *fmt, va_list ap) SR_PRINTF(1, 0);

/* Grow *arr (of *cap elements of size elsize) so that it holds at least n. */
void *xgrow(void *arr, size_t *cap, size_t n, size_t elsize);
#define ALLOC_GROW(arr, n, cap) ((arr) = xgrow((arr), &(cap), (n), sizeof(*(arr))))

/* The first occurrence of needle (nlen bytes) in hay (hlen bytes), or NULL. */
const char *mem_find(const char *hay, size_t hlen, const char *needle, size_t nlen);

int str_starts_with(const char *s, const char *prefix);
int str_ends_with(const char *s, const char *suffix);

/* Optimal string alignment distance (Damerau-Levenshtein with adjacent swaps). */
size_t str_distance(const char *a, const char *b);

/*
 * The candidate closest to word, or NULL when none is close enough to be a
 * plausible typo. candidates is a NULL-terminated array.
 */
const char *str_suggest(const char *word, const char *const *candidates);

/* Read a whole file; 0 on success, negative errno-style code on failure. */
int read_file(const char *path, size_t max, char **out, size_t *out_len);
/*
 * Replace path with len bytes of data, mode mode, atomically: written to a
 * temporary file in the same directory, synced, then renamed over path (a
 * reader sees the old file or the new one, never half of one; nothing is left
 * behind on failure). 0 or -errno.
 */
int write_file_atomic(const char *path, const void *data, size_t len, unsigned mode);
/*
 * n-1 random letters and digits and a NUL into buf (at most 32 used): names
 * nobody can guess, nonces.
 */
void random_token(char *buf, size_t n);
/* mkdir -p path (mode for the directories made); 0 or -errno. */
int mkdir_p(const char *path, unsigned mode);

#endif
