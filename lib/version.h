#ifndef SR_VERSION_H
#define SR_VERSION_H

#ifndef SHELFREADY_VERSION
#define SHELFREADY_VERSION "0.0.0-dev"
#endif

struct strbuf;

/* "libssh2 1.10.0", ... one line per linked library, each ending in a newline. */
void version_libraries(struct strbuf *sb);

#endif
