/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test.h: tiny unit-test macros.  A test file defines its cases as
 * functions and lists them in a TEST_MAIN table; each CHECK that fails is
 * reported with file and line and makes the binary exit 1.
 */
#ifndef NIPCACHE_TEST_H
#define NIPCACHE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;
static int test_checks;

#define CHECK(cond) do {						\
	test_checks++;							\
	if (!(cond)) {							\
		test_failures++;					\
		fprintf(stderr, "%s:%d: CHECK failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
	}								\
} while (0)

/* Like CHECK but stops the current case. */
#define REQUIRE(cond) do {						\
	test_checks++;							\
	if (!(cond)) {							\
		test_failures++;					\
		fprintf(stderr, "%s:%d: REQUIRE failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		return;							\
	}								\
} while (0)

#define CHECK_EQ_U(a, b) do {						\
	unsigned long long a_ = (unsigned long long)(a);		\
	unsigned long long b_ = (unsigned long long)(b);		\
	test_checks++;							\
	if (a_ != b_) {							\
		test_failures++;					\
		fprintf(stderr, "%s:%d: CHECK failed: %s == %s "	\
		    "(%llu != %llu)\n", __FILE__, __LINE__, #a, #b,	\
		    a_, b_);						\
	}								\
} while (0)

struct test_case {
	const char	*name;
	void		(*fn)(void);
};

#define TEST(name) { #name, name }

static inline int
test_run(const char *prog, const struct test_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int before = test_failures;

		cases[i].fn();
		fprintf(stderr, "%s: %s %s\n", prog, cases[i].name,
		    test_failures == before ? "ok" : "FAILED");
	}
	fprintf(stderr, "%s: %d checks, %d failed\n", prog, test_checks,
	    test_failures);
	return test_failures ? 1 : 0;
}

#define TEST_MAIN(...)							\
int main(void)								\
{									\
	static const struct test_case cases_[] = { __VA_ARGS__ };	\
	return test_run(__FILE__, cases_,				\
	    sizeof(cases_) / sizeof(cases_[0]));			\
}

#endif
