/*
 * The facts a condition may name. Their values are gathered from the target;
 * until then a condition over facts is undecided.
 */
#ifndef SR_FACTS_H
#define SR_FACTS_H

struct fact_name {
	const char *name;
	const char *doc;
};

/* Ends with a NULL name. */
extern const struct fact_name fact_names[];

const struct fact_name *fact_name_find(const char *name);

#endif
