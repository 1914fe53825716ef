/* A resolved profile rendered for people (text) and for programs (JSON). */
#ifndef SR_PLAN_H
#define SR_PLAN_H

#include "profile.h"

#define PLAN_JSON_SCHEMA "shelfready.plan/1"

/* Both return a string owned by the caller. */
char *plan_text(const struct resolved *r);
char *plan_json(const struct resolved *r);

const char *enabled_name(enum enabled e);

#endif
