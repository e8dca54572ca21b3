/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_repair.c: the repair thread against a real origin and a recording
 * obj_sink (repair_harness.h): single-range, multipart and ignored-Range
 * answers, whole GETs, failures, the committer's verdict, back-off and
 * hurry, max_parallel, the cached hook, path and policy URLs, If-Range,
 * stop, hostile arguments and the queue bound.
 */
#include "repair_harness.h"

/* Wait until path has no job (its verdict is counted by then). */
static int
wait_idle(const char *path)
{
	uint64_t end = util_now_ms() + WAIT_MS;

	while (repair_path_state(path) == REPAIR_ST_PENDING &&
	    util_now_ms() < end)
		usleep(10000);
	return repair_path_state(path) != REPAIR_ST_PENDING;
}

static int
nreq(void)
{
	int n;

	pthread_mutex_lock(&O.lock);
	n = O.nreq;
	pthread_mutex_unlock(&O.lock);
	return n;
}

/* The request whose path ends with name, or -1. */
static int
find_req(const char *name)
{
	int i, n = nreq();
	size_t l = strlen(name);
	struct oreq q;

	for (i = 0; i < n; i++) {
		q = req(i);
		if (strlen(q.path) >= l && strcmp(q.path + strlen(q.path) - l,
		    name) == 0)
			return i;
	}
	return -1;
}

/* Single range, multipart, and a server that ignores Range. */
static void
test_ranges(void)
{
	static const struct {
		const char	*mode;
		struct obj_range r[3];
		size_t		n;
		const char	*hdr;
	} T[] = {
		{ "obj", { { 1000, 1000 } }, 1, "bytes=1000-1999" },
		{ "obj", { { 100, 100 }, { 5000, 100 }, { 9000, 1000 } }, 3,
		    "bytes=100-199,5000-5099,9000-9999" },
		{ "ign", { { 1000, 1000 } }, 1, "bytes=1000-1999" },
		{ "ign", { { 0, 10 }, { 9990, 10 } }, 2,
		    "bytes=0-9,9990-9999" },
	};
	struct repair_params p;
	struct repair_stats st;
	char name[32], loc[96], path[64];
	struct obj_key k;
	struct mh *m;
	uint64_t lost;
	size_t i;

	for (i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
		base_params(&p, "");
		REQUIRE(start(&p));
		snprintf(name, sizeof(name), "10000.r%zu", i);
		snprintf(path, sizeof(path), "/%s/%s", T[i].mode, name);
		snprintf(loc, sizeof(loc), "http://dvb.gw%s", path);
		k = key_of(1, 1, i);
		m = staged(&k, name, T[i].r, T[i].n);
		lost = ranges_lost(T[i].r, T[i].n);
		REQUIRE(submit(m, loc, T[i].r, T[i].n, NULL) == 0);
		CHECK(wait_for(&S.commits, 1));
		CHECK(wait_idle(path));
		CHECK(m->state == 1 && m->commits == 1);
		CHECK(bytes_ok(m, name, T[i].r, T[i].n));
		CHECK(strcmp(m->loc, loc) == 0 && m->tlen == 10000);
		CHECK_EQ_U(nreq(), 1);
		CHECK(strcmp(req(0).range, T[i].hdr) == 0);
		CHECK(strcmp(req(0).path, path) == 0);
		repair_get_stats(&st);
		CHECK_EQ_U(st.requests, 1);
		CHECK_EQ_U(st.range_requests, 1);
		CHECK_EQ_U(st.lost_bytes, lost);
		CHECK_EQ_U(st.jobs[OBJ_REPAIR_LOSS], 1);
		CHECK_EQ_U(st.done[OBJ_REPAIR_LOSS][REPAIR_OK], 1);
		if (T[i].mode[0] == 'i')
			CHECK_EQ_U(st.body_bytes, 10000);
		else if (T[i].n == 1)
			CHECK_EQ_U(st.body_bytes, lost);
		else
			CHECK(st.body_bytes > lost &&
			    st.body_bytes < lost + 1024);
		CHECK_EQ_U(S.queued, 1);
		CHECK_EQ_U(S.failed, 0);
		CHECK(repair_path_state(path) == REPAIR_ST_NONE);
		stop();
	}
}

/* An object with nothing staged (h NULL), signalled with a sha-256. */
static int
submit_none(const char *loc, uint64_t len, uint64_t toi)
{
	struct obj_meta meta;

	memset(&meta, 0, sizeof(meta));
	meta.key = key_of(1, 1, toi);
	meta.location = loc;
	meta.transfer_length = len;
	meta.content_length = -1;
	meta.has_sha256 = 1;
	return repair_object(NULL, &meta, NULL, 0, len, OBJ_REPAIR_TIMEOUT);
}

static struct mh *
by_toi(uint64_t toi)
{
	int i;

	for (i = 0; i < S.n; i++) {
		if (S.h[i].key.toi.lo == toi)
			return &S.h[i];
	}
	return NULL;
}

/* Nothing staged: the handle is begun from the answer (plain, encoded). */
static void
test_unstaged(void)
{
	static const struct obj_range all[] = { { 0, 1000 } };
	struct repair_params p;
	struct repair_stats st;
	struct mh *m;

	base_params(&p, "");
	REQUIRE(start(&p));
	REQUIRE(submit_none("http://dvb.gw/obj/1000.n0", 1000, 40) == 0);
	REQUIRE(submit_none("http://dvb.gw/dfl/1000.n1", 1000, 41) == 0);
	CHECK(wait_for(&S.commits, 2));
	CHECK(wait_idle("/dfl/1000.n1") && wait_idle("/obj/1000.n0"));
	REQUIRE((m = by_toi(40)) != NULL);
	CHECK(m->by_repair && m->state == 1 && m->tlen == 1000);
	CHECK(bytes_ok(m, "1000.n0", all, 1));
	CHECK(m->ce[0] == '\0' && m->has_sha);
	/* The server chose deflate: the signalled sha-256 no longer holds. */
	REQUIRE((m = by_toi(41)) != NULL);
	CHECK(strcmp(m->ce, "deflate") == 0 && !m->has_sha);
	CHECK(m->tlen < 1000 && written(m) == m->tlen);
	repair_get_stats(&st);
	CHECK_EQ_U(st.done[OBJ_REPAIR_TIMEOUT][REPAIR_OK], 2);
	CHECK_EQ_U(st.range_requests, 0);
	/* Over max_object_bytes: declined. */
	stop();
	p.max_object_bytes = 999;
	REQUIRE(start(&p));
	CHECK(submit_none("http://dvb.gw/obj/1000.n2", 1000, 42) == -1);
	stop();
}

/* Most of it missing, unusable ranges, content-encoded: whole GETs. */
static void
test_whole(void)
{
	static const struct obj_range most[] = { { 0, 6000 } };
	static const struct obj_range bad[] = { { 5000, 10 }, { 100, 10 } };
	static const struct obj_range all[] = { { 0, 10000 } };
	static const struct obj_range enc[] = { { 100, 100 } };
	struct repair_params p;
	struct repair_stats st;
	struct obj_key k = key_of(1, 1, 7);
	struct mh *m, *m2, *m3;

	base_params(&p, "");
	REQUIRE(start(&p));
	m = staged(&k, "10000.w1", most, 1);
	REQUIRE(submit(m, "http://dvb.gw/obj/10000.w1", most, 1, NULL) == 0);
	m2 = staged(&k, "10000.w2", bad, 2);
	REQUIRE(submit(m2, "http://dvb.gw/obj/10000.w2", bad, 2, NULL) == 0);
	m3 = staged(&k, "10000.w3", enc, 1);
	REQUIRE(submit(m3, "http://dvb.gw/obj/10000.w3", enc, 1, "gzip") == 0);
	CHECK(wait_for(&S.commits, 3));
	CHECK(wait_idle("/obj/10000.w3"));
	CHECK(bytes_ok(m, "10000.w1", most, 1) && m->state == 1);
	CHECK(bytes_ok(m2, "10000.w2", all, 1) && m2->state == 1);
	/* Encoded: the old handle is dropped, a new one holds the body. */
	CHECK(m3->state == 2 && m3->why == OBJ_ABORT_INCOMPLETE);
	REQUIRE(S.n == 4);
	CHECK(S.h[3].by_repair && S.h[3].state == 1);
	CHECK(bytes_ok(&S.h[3], "10000.w3", all, 1));
	CHECK(S.h[3].ce[0] == '\0' && !S.h[3].has_sha && S.h[3].tlen == 10000);
	CHECK_EQ_U(nreq(), 3);
	CHECK(req(0).range[0] == '\0' && req(1).range[0] == '\0' &&
	    req(2).range[0] == '\0');
	repair_get_stats(&st);
	CHECK_EQ_U(st.requests, 3);
	CHECK_EQ_U(st.range_requests, 0);
	CHECK_EQ_U(st.done[OBJ_REPAIR_LOSS][REPAIR_OK], 3);
	stop();
}

/* 404, wrong digest, timeout, a range not asked for, a wrong total. */
static void
test_errors(void)
{
	static const struct {
		const char		*mode;
		enum repair_outcome	o;
	} T[] = {
		{ "404", REPAIR_EHTTP }, { "bad", REPAIR_EVERIFY },
		{ "slow", REPAIR_EHTTP }, { "evil", REPAIR_EHTTP },
		{ "wtot", REPAIR_EVERIFY }, { "mpev", REPAIR_EHTTP },
		{ "mpcut", REPAIR_EHTTP },
	};
	static const struct obj_range r[] = { { 1000, 1000 }, { 3000, 10 } };
	struct repair_params p;
	struct repair_stats st;
	char path[64], loc[96];
	struct obj_key k = key_of(1, 1, 9);
	struct mh *m;
	size_t i;

	for (i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
		base_params(&p, "");
		p.timeout_ms = 300;
		REQUIRE(start(&p));
		snprintf(path, sizeof(path), "/%s/10000.f", T[i].mode);
		snprintf(loc, sizeof(loc), "http://dvb.gw%s", path);
		m = staged(&k, "10000.f", r, 2);
		REQUIRE(submit(m, loc, r, 2, NULL) == 0);
		CHECK(wait_for(&S.failed, 1));
		CHECK(m->state == 2 && m->why == OBJ_ABORT_INCOMPLETE);
		CHECK_EQ_U(S.failed_key, 1);
		CHECK(strcmp(S.failed_path, path) == 0);
		CHECK_EQ_U(S.commits, 0);
		CHECK(repair_path_state(path) == REPAIR_ST_FAILED);
		repair_get_stats(&st);
		CHECK_EQ_U(st.done[OBJ_REPAIR_LOSS][T[i].o], 1);
		if (T[i].mode[0] == 'e')
			CHECK_EQ_U(written(m), 0);
		/* A failed path is not fetched again while it is FAILED. */
		CHECK(repair_path(path, OBJ_REPAIR_PLAYER, 1) == -1);
		stop();
	}
}

/* The committer refuses the object: EVERIFY, FAILED, no failed hook. */
static void
test_verdict(void)
{
	static const struct obj_range r[] = { { 10, 10 } };
	struct repair_params p;
	struct repair_stats st;
	struct obj_key k = key_of(1, 1, 11);
	struct mh *m;

	base_params(&p, "");
	REQUIRE(start(&p));
	S.verdict = OBJ_EDIGEST;
	m = staged(&k, "100.v", r, 1);
	REQUIRE(submit(m, "http://dvb.gw/obj/100.v", r, 1, NULL) == 0);
	CHECK(wait_for(&S.commits, 1));
	CHECK(wait_idle("/obj/100.v"));
	repair_get_stats(&st);
	CHECK_EQ_U(st.done[OBJ_REPAIR_LOSS][REPAIR_EVERIFY], 1);
	CHECK(repair_path_state("/obj/100.v") == REPAIR_ST_FAILED);
	CHECK_EQ_U(S.failed, 0);
	/* A verdict for an object repair never committed is ignored. */
	k.toi.lo = 999;
	repair_commit_result(&k, OBJ_OK);
	repair_get_stats(&st);
	CHECK_EQ_U(st.done[OBJ_REPAIR_LOSS][REPAIR_OK], 0);
	stop();
}

/* The back-off holds the request; repair_hurry and urgent skip it. */
static void
test_backoff(void)
{
	static const struct obj_range r[] = { { 0, 10 } };
	struct repair_params p;
	struct obj_key k = key_of(1, 1, 12);
	struct mh *m;
	uint64_t t0;

	base_params(&p, "");
	p.fixed_backoff_ms = 300;
	REQUIRE(start(&p));
	m = staged(&k, "100.b", r, 1);
	t0 = util_now_ms();
	REQUIRE(submit(m, "http://dvb.gw/obj/100.b", r, 1, NULL) == 0);
	CHECK(repair_path_state("/obj/100.b") == REPAIR_ST_PENDING);
	CHECK(wait_for(&S.commits, 1));
	REQUIRE(nreq() == 1);
	CHECK(req(0).t_ms >= t0 + 300);
	stop();

	p.fixed_backoff_ms = 60000;
	REQUIRE(start(&p));
	t0 = util_now_ms();
	CHECK(repair_path("/obj/100.h", OBJ_REPAIR_PLAYER, 0) == 0);
	CHECK(repair_path("/obj/100.h", OBJ_REPAIR_PLAYER, 0) == 0);
	CHECK_EQ_U(S.queued, 1);
	usleep(100000);
	CHECK_EQ_U(nreq(), 0);
	CHECK(repair_path_state("/obj/100.h") == REPAIR_ST_PENDING);
	repair_hurry("/obj/100.h");
	CHECK(wait_for(&S.commits, 1));
	/* An urgent job for a new path does not wait either. */
	CHECK(repair_path("/obj/100.u", OBJ_REPAIR_PLAYER, 1) == 0);
	CHECK(wait_for(&S.commits, 2));
	CHECK_EQ_U(nreq(), 2);
	CHECK(util_now_ms() < t0 + 60000);
	stop();
}

/* No more than max_parallel requests at once. */
static void
test_parallel(void)
{
	struct repair_params p;
	struct repair_stats st;
	char path[64];
	int i;

	base_params(&p, "");
	p.max_parallel = 2;
	REQUIRE(start(&p));
	for (i = 0; i < 6; i++) {
		snprintf(path, sizeof(path), "/hold/100.p%d", i);
		CHECK(repair_path(path, OBJ_REPAIR_PLAYER, 1) == 0);
	}
	repair_get_stats(&st);
	CHECK(st.active_now <= 2);
	CHECK(wait_for(&S.commits, 6));
	pthread_mutex_lock(&O.lock);
	i = O.maxinflight;
	pthread_mutex_unlock(&O.lock);
	CHECK(i >= 1 && i <= 2);
	repair_get_stats(&st);
	CHECK_EQ_U(st.requests, 6);
	CHECK_EQ_U(st.jobs[OBJ_REPAIR_PLAYER], 6);
	stop();
}

/* A job whose path got cached meanwhile is dropped quietly. */
static void
test_cached(void)
{
	static const struct obj_range r[] = { { 0, 10 } };
	struct repair_params p;
	struct repair_stats st;
	struct obj_key k = key_of(1, 1, 13);
	struct mh *m;

	base_params(&p, "");
	p.fixed_backoff_ms = 100;
	REQUIRE(start(&p));
	snprintf(S.cached, sizeof(S.cached), "/obj/100.c");
	m = staged(&k, "100.c", r, 1);
	REQUIRE(submit(m, "http://dvb.gw/obj/100.c", r, 1, NULL) == 0);
	CHECK(wait_for(&S.aborts, 1));
	CHECK(wait_idle("/obj/100.c"));
	CHECK(m->state == 2);
	CHECK_EQ_U(S.failed, 0);
	CHECK_EQ_U(nreq(), 0);
	repair_get_stats(&st);
	CHECK_EQ_U(st.done[OBJ_REPAIR_LOSS][REPAIR_ECANCEL], 1);
	CHECK(repair_path_state("/obj/100.c") == REPAIR_ST_NONE);
	stop();
}

/* Set or clear the path the wait hook holds. */
static void
hold_path(const char *path)
{
	pthread_mutex_lock(&S.lock);
	snprintf(S.wait_path, sizeof(S.wait_path), "%s", path);
	S.waits = 0;
	pthread_mutex_unlock(&S.lock);
}

/*
 * A path job waits while the wait hook says the broadcast brings the
 * object (a hurry does not override it), and is dropped for an object
 * job of the same path: its missing ranges are fetched, not the whole.
 */
static void
test_wait(void)
{
	static const struct obj_range r[] = { { 20, 10 } };
	struct repair_params p;
	struct repair_stats st;
	struct obj_key k = key_of(1, 1, 14);
	struct mh *m;

	base_params(&p, "");
	p.fixed_backoff_ms = 400;		/* object jobs */
	REQUIRE(start(&p));
	hold_path("/obj/100.w");
	CHECK(repair_path("/obj/100.w", OBJ_REPAIR_PLAYER, 1) == 0);
	CHECK(wait_for(&S.waits, 3));
	repair_hurry("/obj/100.w");
	CHECK(wait_for(&S.waits, 5));
	CHECK_EQ_U(nreq(), 0);
	CHECK(repair_path_state("/obj/100.w") == REPAIR_ST_PENDING);
	hold_path("");
	CHECK(wait_for(&S.commits, 1));
	CHECK_EQ_U(nreq(), 1);
	repair_get_stats(&st);
	CHECK(st.deferred >= 5);

	/* The receiver hands the same path over as an object. */
	hold_path("/obj/100.x");
	CHECK(repair_path("/obj/100.x", OBJ_REPAIR_PLAYER, 1) == 0);
	CHECK(wait_for(&S.waits, 1));
	m = staged(&k, "100.x", r, 1);
	REQUIRE(submit(m, "http://dvb.gw/obj/100.x", r, 1, NULL) == 0);
	hold_path("");
	CHECK(wait_for(&S.commits, 2));
	CHECK(wait_idle("/obj/100.x"));
	REQUIRE(nreq() == 2);
	CHECK(strstr(req(1).range, "bytes=20-29") != NULL);
	CHECK(m->state == 1 && bytes_ok(m, "100.x", r, 1));
	repair_get_stats(&st);
	CHECK_EQ_U(st.done[OBJ_REPAIR_PLAYER][REPAIR_ECANCEL], 1);
	CHECK_EQ_U(st.done[OBJ_REPAIR_PLAYER][REPAIR_OK], 1);
	CHECK_EQ_U(S.failed, 0);
	stop();
}

/*
 * A stale live playlist is fetched again although it is cached, at the
 * cached version's seq; a failed refresh is neither told nor held off.
 */
static void
test_refresh(void)
{
	static const struct obj_range all[] = { { 0, 100 } };
	struct repair_params p;
	struct repair_stats st;

	base_params(&p, "");
	p.fixed_backoff_ms = 60000;	/* a refresh never backs off */
	p.nbase = 0;
	snprintf(p.origin, sizeof(p.origin), "http://127.0.0.1:%d/or", O.port);
	REQUIRE(start(&p));
	snprintf(S.cached, sizeof(S.cached), "/live/100.m3u8");
	CHECK(repair_refresh("/live/100.m3u8", 42) == 0);
	CHECK(wait_for(&S.commits, 1));
	CHECK(strcmp(req(0).path, "/or/live/100.m3u8") == 0);
	CHECK(S.h[0].seq == 42 && S.h[0].tlen == 100);
	CHECK(bytes_ok(&S.h[0], "100.m3u8", all, 1));
	CHECK(wait_idle("/live/100.m3u8"));
	/* The same path as a plain job is dropped: it is cached. */
	CHECK(repair_path("/live/100.m3u8", OBJ_REPAIR_ORIGIN, 1) == 0);
	CHECK(wait_for(&S.aborts, 0) && wait_idle("/live/100.m3u8"));
	CHECK_EQ_U(S.commits, 1);
	/* An origin failure: not told, and the next poll may try again. */
	CHECK(repair_refresh("/404/7.m3u8", 9) == 0);
	CHECK(wait_idle("/404/7.m3u8"));
	CHECK_EQ_U(S.failed, 0);
	CHECK(repair_path_state("/404/7.m3u8") == REPAIR_ST_NONE);
	CHECK(repair_refresh("/404/7.m3u8", 9) == 0);
	CHECK(wait_idle("/404/7.m3u8"));
	repair_get_stats(&st);
	CHECK_EQ_U(st.jobs[OBJ_REPAIR_REFRESH], 3);
	CHECK_EQ_U(st.done[OBJ_REPAIR_REFRESH][REPAIR_OK], 1);
	CHECK_EQ_U(st.done[OBJ_REPAIR_REFRESH][REPAIR_EHTTP], 2);
	CHECK_EQ_U(st.done[OBJ_REPAIR_ORIGIN][REPAIR_ECANCEL], 1);
	stop();
}

/* Path jobs: base_url, the origin, a policy, nothing; escaping. */
static void
test_paths(void)
{
	static const struct obj_range all[] = { { 0, 100 } };
	struct repair_policy pol;
	struct repair_params p;
	struct obj_key k = key_of(1, 1, 14);
	struct mh *m, *h;

	base_params(&p, "b1/");
	REQUIRE(start(&p));
	CHECK(repair_path("/obj/100.a b%", OBJ_REPAIR_PLAYER, 1) == 0);
	CHECK(wait_for(&S.commits, 1));
	CHECK(strcmp(req(0).path, "/b1/obj/100.a b%") == 0);
	h = &S.h[0];
	CHECK(h->by_repair && h->tlen == 100);
	CHECK(bytes_ok(h, "100.a b%", all, 1));
	CHECK(strcmp(h->loc, "http://dvb.gw/obj/100.a%20b%25") == 0);
	CHECK(strcmp(h->ctype, "video/mp4") == 0);
	CHECK(h->key.tsi.hi == UINT64_MAX && h->key.family == 0);
	CHECK(wait_idle("/obj/100.a b%"));
	stop();

	/* No base_url: the origin, here answering chunked (no length). */
	p.nbase = 0;
	snprintf(p.origin, sizeof(p.origin), "http://127.0.0.1:%d/or", O.port);
	REQUIRE(start(&p));
	CHECK(repair_path("/chk/100.o", OBJ_REPAIR_ORIGIN, 1) == 0);
	CHECK(wait_for(&S.commits, 1));
	CHECK(strcmp(req(0).path, "/or/chk/100.o") == 0);
	CHECK(S.h[0].tlen == 100 && bytes_ok(&S.h[0], "100.o", all, 1));
	/* The origin never serves object jobs. */
	m = staged(&k, "100.n", all, 1);
	CHECK(submit(m, "http://dvb.gw/obj/100.n", all, 1, NULL) == -1);
	CHECK(m->state == 0);
	stop();

	/* A session whose transportObjectBaseURI covers the path. */
	p.origin[0] = '\0';
	memset(&pol, 0, sizeof(pol));
	snprintf(pol.object_base_uri, sizeof(pol.object_base_uri),
	    "http://dvb.gw/live/");
	pol.nbase = 1;
	pol.base[0].weight = 1;
	snprintf(pol.base[0].url, sizeof(pol.base[0].url),
	    "http://127.0.0.1:%d/pol/", O.port);
	REQUIRE(start(&p));
	CHECK(repair_path("/obj/100.z", OBJ_REPAIR_PLAYER, 1) == -1);
	CHECK(repair_set_policies(&pol, 1) == 0);
	CHECK(repair_path("/liver/obj/100.z", OBJ_REPAIR_PLAYER, 1) == -1);
	CHECK(repair_path("/live/obj/100.q", OBJ_REPAIR_PLAYER, 1) == 0);
	CHECK(wait_for(&S.commits, 1));
	CHECK(strcmp(req(0).path, "/pol/obj/100.q") == 0);
	CHECK(strcmp(S.h[0].loc, "http://dvb.gw/live/obj/100.q") == 0);
	stop();
}

static void
policy_for(struct repair_policy *pol, uint8_t last, uint64_t tsi,
    const char *sub)
{
	memset(pol, 0, sizeof(*pol));
	pol->src.family = AF_INET;
	pol->src.group[0] = 239, pol->src.group[1] = 1, pol->src.group[2] = 1;
	pol->src.group[3] = last;
	pol->src.port = 5000;
	pol->src.has_tsi = 1;
	pol->src.tsi.lo = tsi;
	pol->nbase = 2;
	snprintf(pol->base[0].url, sizeof(pol->base[0].url),
	    "http://192.0.2.1/");
	pol->base[1].weight = 3;	/* base[0] is disabled (weight 0) */
	snprintf(pol->base[1].url, sizeof(pol->base[1].url),
	    "http://127.0.0.1:%d/%s", O.port, sub);
	snprintf(pol->object_base_uri, sizeof(pol->object_base_uri),
	    "http://dvb.gw/x/");
}

/* Object jobs take the BaseURL of the policy matching their key. */
static void
test_policy_key(void)
{
	static const struct {
		uint8_t		group;
		uint64_t	tsi;
		int		src;
		const char	*name, *want;
	} T[] = {
		{ 1, 1, 0, "100.k1", "/pol/obj/100.k1" },
		{ 1, 2, 0, "100.k2", "/prm/x/obj/100.k2" },
		{ 2, 1, 0, "100.k3", "/prm/x/obj/100.k3" },
		{ 3, 1, 1, "100.k4", "/ssm/obj/100.k4" },
		{ 3, 1, 2, "100.k5", "/prm/x/obj/100.k5" },
	};
	static const struct obj_range r[] = { { 0, 50 } };
	struct repair_policy pol[2];
	struct repair_params p;
	struct obj_key k;
	char loc[64];
	struct mh *m;
	size_t i;
	int at;

	base_params(&p, "prm/");
	REQUIRE(start(&p));
	policy_for(&pol[0], 1, 1, "pol/");
	policy_for(&pol[1], 3, 1, "ssm/");
	pol[1].src.has_source = 1;
	pol[1].src.source[0] = 10, pol[1].src.source[3] = 1;
	REQUIRE(repair_set_policies(pol, 2) == 0);
	for (i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
		k = key_of(T[i].group, T[i].tsi, i);
		k.src[0] = 10, k.src[3] = (uint8_t)T[i].src;
		snprintf(loc, sizeof(loc), "http://dvb.gw/x/obj/%s", T[i].name);
		m = staged(&k, T[i].name, r, 1);
		CHECK(submit(m, loc, r, 1, NULL) == 0);
	}
	CHECK(wait_for(&S.commits, (int)i));
	for (i = 0; i < sizeof(T) / sizeof(T[0]); i++) {
		at = find_req(T[i].name);
		CHECK(at >= 0 && strcmp(req(at).path, T[i].want) == 0);
	}
	stop();
}

/* A URL's strong ETag is sent as If-Range on its next repair. */
static void
test_if_range(void)
{
	static const struct obj_range r[] = { { 5, 5 } };
	struct repair_params p;
	struct obj_key k = key_of(1, 1, 15);
	struct mh *m;

	base_params(&p, "");
	REQUIRE(start(&p));
	m = staged(&k, "100.i", r, 1);
	REQUIRE(submit(m, "http://dvb.gw/obj/100.i", r, 1, NULL) == 0);
	CHECK(wait_for(&S.commits, 1));
	k.toi.lo++;
	m = staged(&k, "100.i", r, 1);
	REQUIRE(submit(m, "http://dvb.gw/obj/100.i", r, 1, NULL) == 0);
	CHECK(wait_for(&S.commits, 2));
	REQUIRE(nreq() == 2);
	CHECK(req(0).ifrange[0] == '\0');
	CHECK(strcmp(req(1).ifrange, "\"v1\"") == 0);
	CHECK(strcmp(req(1).range, "bytes=5-9") == 0);
	CHECK(bytes_ok(m, "100.i", r, 1));
	stop();
}

/* Stop aborts running and queued jobs and tells main about each. */
static void
test_stop(void)
{
	static const struct obj_range r[] = { { 0, 10 } };
	struct repair_params p;
	struct obj_key k;
	struct mh *m[3];
	int i;

	base_params(&p, "");
	p.fixed_backoff_ms = 60000;
	REQUIRE(start(&p));
	CHECK(repair_path("/slow/100.s", OBJ_REPAIR_PLAYER, 1) == 0);
	for (i = 0; i < 3; i++) {
		k = key_of(1, 1, 20 + (uint64_t)i);
		m[i] = staged(&k, "100.t", r, 1);
		CHECK(submit(m[i], "http://dvb.gw/obj/100.t", r, 1, NULL) == 0);
	}
	CHECK(repair_path_state("/obj/100.t") == REPAIR_ST_PENDING);
	for (i = 0; i < WAIT_MS / 10 && nreq() < 1; i++)
		usleep(10000);
	CHECK_EQ_U(nreq(), 1);
	repair_stop();
	for (i = 0; i < 3; i++)
		CHECK(m[i]->state == 2 && m[i]->why == OBJ_ABORT_SHUTDOWN);
	CHECK_EQ_U(S.failed, 4);
	CHECK_EQ_U(S.failed_key, 3);
	CHECK_EQ_U(S.commits, 0);
	CHECK(repair_path("/obj/100.x", OBJ_REPAIR_PLAYER, 1) == -1);
	reset();
}

/* Bad arguments, repair turned off, and the queue bound. */
static void
test_hostile(void)
{
	static const struct obj_range r[] = { { 0, 10 } };
	static const struct obj_range out[] = { { 95, 10 } };
	struct repair_params p;
	struct obj_meta meta;
	struct obj_key k = key_of(1, 1, 30);
	char path[64];
	struct mh *m;
	int i, ok = 0;

	base_params(&p, "");
	p.fixed_backoff_ms = 60000;
	REQUIRE(start(&p));
	m = staged(&k, "100.h", r, 1);
	memset(&meta, 0, sizeof(meta));
	meta.transfer_length = 100;
	CHECK(repair_object(m, &meta, r, 1, 10, OBJ_REPAIR_LOSS) == -1);
	CHECK(repair_object(m, NULL, r, 1, 10, OBJ_REPAIR_LOSS) == -1);
	CHECK(submit(m, "tag:", r, 1, NULL) == -1);
	CHECK(submit(m, "http://dvb.gw/a/../../etc/x", r, 1, NULL) == -1);
	CHECK(repair_path("relative", OBJ_REPAIR_PLAYER, 1) == -1);
	CHECK(repair_path(NULL, OBJ_REPAIR_PLAYER, 1) == -1);
	CHECK(repair_path("/x", OBJ_REPAIR_NTRIGGERS, 1) == -1);
	CHECK(m->state == 0);
	/* Ranges outside the object: fetched whole, written whole. */
	CHECK(submit(m, "http://dvb.gw/obj/100.h", out, 1, NULL) == 0);
	repair_hurry("/obj/100.h");
	CHECK(wait_for(&S.commits, 1));
	CHECK(req(0).range[0] == '\0' && written(m) == 100);
	for (i = 0; i < REPAIR_QUEUE_MAX + 4; i++) {
		snprintf(path, sizeof(path), "/obj/1.q%d", i);
		ok += repair_path(path, OBJ_REPAIR_ORIGIN, 0) == 0;
	}
	CHECK_EQ_U(ok, REPAIR_QUEUE_MAX);
	p.enabled = 0;
	repair_set_params(&p);
	CHECK(repair_path("/obj/2.z", OBJ_REPAIR_PLAYER, 1) == -1);
	stop();
}

static void
test_cleanup(void)
{
	atomic_store(&O.quit, 1);
	if (O.d != NULL)
		MHD_stop_daemon(O.d);
	O.d = NULL;
	CHECK(1);
}

TEST_MAIN(TEST(test_ranges), TEST(test_whole), TEST(test_unstaged),
    TEST(test_errors), TEST(test_verdict), TEST(test_backoff),
    TEST(test_parallel), TEST(test_cached), TEST(test_paths),
    TEST(test_refresh), TEST(test_wait),
    TEST(test_policy_key),
    TEST(test_if_range), TEST(test_stop), TEST(test_hostile),
    TEST(test_cleanup))
