/*
 * Versions of the libraries in use, as the running code sees them (which may
 * differ from the headers it was built with).
 */
#include "version.h"

#include <cJSON.h>
#include <curl/curl.h>
#include <libssh2.h>

#include "strbuf.h"
#include "ytree.h"
#include "banned.h"

void version_libraries(struct strbuf *sb)
{
	const curl_version_info_data *cv = curl_version_info(CURLVERSION_NOW);
	strbuf_addf(sb, "libssh2 %s\n", libssh2_version(0));
	strbuf_addf(sb, "libyaml %s\n", ytree_lib_version());
	strbuf_addf(sb, "libcurl %s%s%s\n", cv->version, cv->ssl_version ? " " : "",
		    cv->ssl_version ? cv->ssl_version : "");
	strbuf_addf(sb, "cJSON %s\n", cJSON_Version());
}
