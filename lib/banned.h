/*
 * Functions that are too easy to misuse. Including this header last in a
 * translation unit turns any use of them into a compile error.
 */
#ifndef SR_BANNED_H
#define SR_BANNED_H

#define SR_BANNED(func) sorry_##func##_is_banned_use_strbuf_or_snprintf

#undef strcpy
#define strcpy(x, y) SR_BANNED(strcpy)
#undef strcat
#define strcat(x, y) SR_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) SR_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) SR_BANNED(strncat)
#undef sprintf
#define sprintf(...) SR_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) SR_BANNED(vsprintf)
#undef gets
#define gets(x) SR_BANNED(gets)
#undef strtok
#define strtok(x, y) SR_BANNED(strtok)
#undef atoi
#define atoi(x) SR_BANNED(atoi)

#endif
