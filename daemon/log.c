/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.c: one line per write(2) to stderr; "<N>" priority prefixes when
 * journald reads our stderr (JOURNAL_STREAM), a timestamp otherwise.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

static const char *log_prog = "nipcache";
static _Atomic int log_level = LOG_LEVEL_INFO;
static int log_journal;

void
log_init(const char *progname, int level)
{
	log_prog = progname;
	atomic_store(&log_level, level);
	log_journal = getenv("JOURNAL_STREAM") != NULL;
}

void
log_setlevel(int level)
{
	atomic_store(&log_level, level);
}

int
log_getlevel(void)
{
	return atomic_load(&log_level);
}

/* Format the whole line into one buffer and write it at once. */
static void log_emit(int, const char *, const char *, va_list, int)
    __attribute__((format(printf, 3, 0)));

static void
log_emit(int prio, const char *tag, const char *fmt, va_list ap, int err)
{
	char line[2048];
	size_t n = 0;
	int r;

	if (log_journal) {
		r = snprintf(line, sizeof(line), "<%d>", prio);
	} else {
		struct timespec ts;
		struct tm tm;

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		r = snprintf(line, sizeof(line),
		    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s[%d]: %s",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, log_prog,
		    (int)getpid(), tag);
	}
	if (r > 0)
		n = (size_t)r < sizeof(line) ? (size_t)r : sizeof(line) - 1;
	r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	if (r > 0)
		n += (size_t)r < sizeof(line) - n ? (size_t)r : sizeof(line) - n - 1;
	if (err && n < sizeof(line) - 1) {
		r = snprintf(line + n, sizeof(line) - n, ": %s", strerror(err));
		if (r > 0)
			n += (size_t)r < sizeof(line) - n ? (size_t)r :
			    sizeof(line) - n - 1;
	}
	if (n >= sizeof(line) - 1)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* Nowhere left to report it. */
	}
}

void
log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(4, "warning: ", fmt, ap, err);
	va_end(ap);
	errno = err;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(4, "warning: ", fmt, ap, 0);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (atomic_load(&log_level) < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_emit(6, "", fmt, ap, 0);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (atomic_load(&log_level) < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_emit(7, "debug: ", fmt, ap, 0);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(2, "fatal: ", fmt, ap, err);
	va_end(ap);
	exit(70);	/* EX_SOFTWARE */
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(2, "fatal: ", fmt, ap, 0);
	va_end(ap);
	exit(70);
}

int
log_rl_allow(struct log_rl *rl, uint64_t *suppressed)
{
	uint64_t now = util_now_ms();
	uint64_t win = atomic_load(&rl->window);

	if (now - win >= LOG_RL_PERIOD_MS || win == 0) {
		if (atomic_compare_exchange_strong(&rl->window, &win, now))
			atomic_store(&rl->count, 0);
	}
	if (atomic_fetch_add(&rl->count, 1) >= LOG_RL_BURST) {
		atomic_fetch_add(&rl->suppressed, 1);
		return 0;
	}
	*suppressed = atomic_exchange(&rl->suppressed, 0);
	return 1;
}
