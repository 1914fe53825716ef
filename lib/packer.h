/*
 * Packer's manifest: the JSON file that Packer's `manifest` post-processor
 * writes after each build (`builds[]` with `name`, `builder_type`,
 * `artifact_id`, `packer_run_uuid`, `custom_data`; `last_run_uuid`). A
 * `shell-local` post-processor that runs `shelfready verify` names with it
 * the artifact the report judges (docs/packer.md).
 */
#ifndef SR_PACKER_H
#define SR_PACKER_H

#include <stddef.h>

struct error;

/* One build of a manifest, and where it was read from. */
struct packer_build {
	char *name;            /* the source's name, as in $PACKER_BUILD_NAME */
	char *builder_type;    /* "amazon-ebs", "alicloud-ecs", "qemu", "null", ... */
	char *artifact_id;     /* e.g. "us-east-1:ami-0abc..."; may be empty */
	char *packer_run_uuid; /* the run that built it */
	char *manifest;        /* the manifest's path */
};

#define PACKER_BUILD_INIT { NULL, NULL, NULL, NULL, NULL }

/*
 * The build of the manifest's last run (the builds whose packer_run_uuid is
 * last_run_uuid); when name is not NULL, the one of them called name (the
 * last such entry, as the manifest appends). Without a name the last run
 * must have exactly one build. json is len bytes read from path (which is
 * only named in messages and recorded in out). 0 and *out filled, or
 * SR_ERR_USAGE with e saying what is wrong and *out untouched.
 */
int packer_manifest_parse(const char *json, size_t len, const char *path, const char *name,
			  struct packer_build *out, struct error *e);
/* packer_manifest_parse on the file at path; SR_ERR_USAGE also when it cannot be read. */
int packer_manifest_read(const char *path, const char *name, struct packer_build *out,
			 struct error *e);
/*
 * For commands: the build picked by a manifest path and a build name, each
 * NULL when not given. Neither: 0 and *out = NULL. A name without a path is
 * an error. Otherwise 0 and *out (owned: packer_build_free), or
 * SR_ERR_USAGE with e set.
 */
int packer_pick(const char *path, const char *name, struct packer_build **out, struct error *e);

void packer_build_release(struct packer_build *b);
void packer_build_free(struct packer_build *b);

#endif
