/* Calendar dates written as YYYY-MM-DD. */
#ifndef SR_DATE_H
#define SR_DATE_H

/* 0 when s is a real calendar date in YYYY-MM-DD form; *days since 1970-01-01. */
int date_parse(const char *s, long *days);
/* Today's local date as YYYY-MM-DD into buf (at least 11 bytes). */
void date_today(char *buf, unsigned long size);

#endif
