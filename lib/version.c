/*
 * Versions of the libraries in use, as the running code sees them (which may
 * differ from the headers it was built with).
 */
#include "version.h"

#include <cJSON.h>
#include <libssh2.h>

#include "http.h"
#include "strbuf.h"
#include "ytree.h"
#include "banned.h"

void version_libraries(struct strbuf *sb)
{
	strbuf_addf(sb, "libssh2 %s\n", libssh2_version(0));
	strbuf_addf(sb, "libyaml %s\n", ytree_lib_version());
	strbuf_addstr(sb, "libcurl ");
	http_library_version(sb);
	strbuf_addch(sb, '\n');
	strbuf_addf(sb, "cJSON %s\n", cJSON_Version());
}
