/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h: the logging vocabulary (OpenBSD log.h style).
 *
 * Lines go to stderr, one write(2) per line, so threads never interleave.
 * When stderr is connected to journald (JOURNAL_STREAM is set) each line
 * starts with a "<N>" syslog priority prefix and no timestamp; otherwise a
 * timestamp is added.  Messages start with the function or object they are
 * about and are never split across lines.
 */
#ifndef NIPCACHE_LOG_H
#define NIPCACHE_LOG_H

#include <stdint.h>
#include <stdatomic.h>

#define LOG_LEVEL_WARN	0
#define LOG_LEVEL_INFO	1
#define LOG_LEVEL_DEBUG	2

/* Set the program name, level and output style; call once from main. */
void	log_init(const char *progname, int level);
/* Change the level at run time (SIGHUP); thread safe. */
void	log_setlevel(int level);
int	log_getlevel(void);

/* log_warn appends strerror(errno); the others do not. */
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Start-up errors and broken invariants only, never network or file input. */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Rate limiting for messages caused by input from the network or players:
 * each call site gets a static state and lets through at most LOG_RL_BURST
 * lines per LOG_RL_PERIOD_MS; the number suppressed is reported with the
 * next line that passes.
 */
#define LOG_RL_BURST		5
#define LOG_RL_PERIOD_MS	10000
struct log_rl {
	_Atomic uint64_t	window;		/* start of the current period */
	_Atomic unsigned	count;		/* lines let through in it */
	_Atomic uint64_t	suppressed;	/* lines dropped since last report */
};
/* Returns 1 if a line may be logged now; *suppressed gets the dropped count. */
int	log_rl_allow(struct log_rl *rl, uint64_t *suppressed);

#define log_warnx_rl(fmt, ...) do {					\
	static struct log_rl rl_;					\
	uint64_t sup_;							\
	if (log_rl_allow(&rl_, &sup_))					\
		log_warnx(fmt " (%llu similar suppressed)", ##__VA_ARGS__,	\
		    (unsigned long long)sup_);				\
} while (0)

#define log_warn_rl(fmt, ...) do {					\
	static struct log_rl rl_;					\
	uint64_t sup_;							\
	if (log_rl_allow(&rl_, &sup_))					\
		log_warn(fmt " (%llu similar suppressed)", ##__VA_ARGS__,	\
		    (unsigned long long)sup_);				\
} while (0)

#endif
