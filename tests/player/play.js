#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-or-later
// A real browser player for the system tests: headless Debian Chromium runs
// hls.js (page.html) on a live playlist and reports how playback went.
//
//   node play.js --url http://127.0.0.1:PORT/x/live.m3u8 --seconds N [--json]
//
// It waits up to --startup seconds (default 30) for the first `playing`,
// then watches N seconds of real time.  Figures (JSON on stdout with --json,
// always one readable line on stderr):
//   startup_ms        nipStart (load) to the first `playing`
//   stalls            media `waiting` events after the first `playing`
//   rebuffer_ms       total time spent waiting after the first `playing`
//   frozen            2 s stretches with no currentTime advance while playing
//   buffer_stalled    hls.js ERROR bufferStalledError count
//   frag_load_errors  hls.js fragLoadError + fragLoadTimeOut
//   level_load_errors hls.js levelLoadError + levelLoadTimeOut
//   gaps              hls.js fragGap (EXT-X-GAP segments skipped)
//   fatal             fatal hls.js errors (type/details)
//   played_s          currentTime advance since the first `playing`
//   max_latency       largest hls.latency seen (s behind the live edge)
// With --status FILE the same JSON is rewritten during play (played_s
// grows), so a test can wait for progress before cutting the signal.
// Exit 0 when it played (played_s >= N - 4 and nothing fatal), 1 otherwise,
// 2 on bad usage.  A hard timer ends everything within N + 40 s; Chromium
// is always closed (playwright-core also kills it if node itself exits).
"use strict";

const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");

function usage(msg) {
	if (msg)
		process.stderr.write(`play.js: ${msg}\n`);
	process.stderr.write("usage: node play.js --url URL --seconds N [--json] " +
		"[--startup S] [--status FILE] [--chromium PATH] [--verbose]\n");
	process.exit(2);
}

function parseArgs(argv) {
	const o = { url: "", seconds: 0, json: false, startup: 30, verbose: false, status: "",
		chromium: process.env.CHROMIUM || "/usr/bin/chromium" };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => {
			if (i + 1 >= argv.length)
				usage(`${a} needs a value`);
			return argv[++i];
		};
		if (a === "--url") o.url = val();
		else if (a === "--seconds") o.seconds = Number(val());
		else if (a === "--startup") o.startup = Number(val());
		else if (a === "--chromium") o.chromium = val();
		else if (a === "--status") o.status = val();
		else if (a === "--json") o.json = true;
		else if (a === "--verbose") o.verbose = true;
		else usage(`unknown argument ${a}`);
	}
	if (!/^https?:\/\//.test(o.url))
		usage("--url must be an http(s) URL");
	if (!(o.seconds > 0 && o.seconds <= 3600))
		usage("--seconds must be in 1..3600");
	if (!(o.startup > 0 && o.startup <= 30))
		usage("--startup must be in 1..30");
	return o;
}

// The hard timer: startup (<= 30 s) + N + the last look (2 s) fit in it.
const HARD_SLACK_S = 35;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function summarise(o, s, note) {
	const played = s.first_playing ? Math.max(0, s.current_time - s.start_time) : 0;
	const r = {
		url: o.url,
		seconds: o.seconds,
		hls_version: s.version || "",
		startup_ms: s.first_playing ? Math.round(s.first_playing - s.t0) : -1,
		stalls: s.stalls || 0,
		rebuffer_ms: Math.round(s.rebuffer_ms +
			(s.waiting_since ? s.now - s.waiting_since : 0)) || 0,
		frozen: s.frozen || 0,
		buffer_stalled: s.buffer_stalled || 0,
		frag_load_errors: s.frag_load_errors || 0,
		level_load_errors: s.level_load_errors || 0,
		gaps: s.gaps || 0,
		fatal: s.fatal || [],
		played_s: Math.round(played * 100) / 100,
		max_latency: Math.round((s.max_latency || 0) * 100) / 100,
		frags_loaded: s.frag_loaded || 0,
		errors: s.errors || {},
		note: note || "",
	};
	r.ok = r.played_s >= o.seconds - 4 && r.fatal.length === 0 && !note;
	return r;
}

function report(o, r) {
	if (o.json)
		process.stdout.write(JSON.stringify(r) + "\n");
	process.stderr.write(`play.js: ${r.ok ? "played" : "FAILED"} ` +
		`startup_ms=${r.startup_ms} played_s=${r.played_s} stalls=${r.stalls} ` +
		`rebuffer_ms=${r.rebuffer_ms} frozen=${r.frozen} ` +
		`buffer_stalled=${r.buffer_stalled} frag_load_errors=${r.frag_load_errors} ` +
		`level_load_errors=${r.level_load_errors} gaps=${r.gaps} ` +
		`fatal=${r.fatal.length ? r.fatal.join(",") : "none"} ` +
		`max_latency=${r.max_latency} frags=${r.frags_loaded}` +
		(r.note ? ` note="${r.note}"` : "") + "\n");
}

// With --status, the figures so far are rewritten (atomically) at every
// poll, so that a test can act on playback progress while it runs.
async function stats(page, o) {
	const s = await page.evaluate(() => Object.assign({ now: performance.now() }, window.nipStats));
	if (o && o.status) {
		fs.writeFileSync(o.status + ".tmp", JSON.stringify(summarise(o, s, "")) + "\n");
		fs.renameSync(o.status + ".tmp", o.status);
	}
	return s;
}

// Load, wait for the first `playing`, then watch N seconds of real time.
async function run(o, state) {
	const { chromium } = require("playwright-core");
	state.browser = await chromium.launch({
		executablePath: o.chromium,
		headless: true,
		args: ["--no-sandbox", "--autoplay-policy=no-user-gesture-required",
			"--mute-audio", "--disable-gpu"],
	});
	const page = await state.browser.newPage();
	if (o.verbose)
		page.on("console", (m) => process.stderr.write(`page: ${m.text()}\n`));
	page.on("pageerror", (e) => { state.note = `page error: ${e.message}`; });
	await page.goto(pathToFileURL(path.join(__dirname, "page.html")).href);
	state.page = page;
	if (!(await page.evaluate((u) => window.nipStart(u), o.url))) {
		state.note = "Hls.isSupported() is false in this Chromium";
		return;
	}
	const startDeadline = Date.now() + o.startup * 1000;
	let s = await stats(page, o);
	while (!s.first_playing && !s.fatal.length && Date.now() < startDeadline) {
		await sleep(100);
		s = await stats(page, o);
	}
	state.last = s;
	if (!s.first_playing) {
		state.note = s.fatal.length ? "fatal error before playing" :
			`not playing after ${o.startup} s`;
		return;
	}
	const end = Date.now() + o.seconds * 1000;
	while (Date.now() < end) {
		await sleep(Math.min(500, Math.max(0, end - Date.now())));
		state.last = await stats(page, o);
		if (state.last.fatal.length)
			break;
	}
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const state = { browser: null, page: null, last: null, note: "" };
	let finished = false;
	const finish = async (note) => {
		if (finished)
			return;
		finished = true;
		if (note && !state.note)
			state.note = note;
		const r = summarise(o, state.last || {}, state.note);
		report(o, r);
		// Chromium must not outlive us: close politely, but never wait long.
		if (state.browser)
			await Promise.race([state.browser.close().catch(() => {}), sleep(4000)]);
		process.exit(r.ok ? 0 : 1);
	};
	// Fires early enough that closing Chromium (at most 4 s) still ends
	// everything within N + 40 s.
	const hard = setTimeout(() => finish(`hard timeout after ${o.seconds + HARD_SLACK_S} s`),
		(o.seconds + HARD_SLACK_S) * 1000);
	hard.unref();
	for (const sig of ["SIGINT", "SIGTERM"])
		process.on(sig, () => finish(`killed by ${sig}`));
	try {
		await run(o, state);
	} catch (e) {
		state.note = `${e.name}: ${String(e.message).split("\n")[0]}`;
	}
	// Take a last look if the page is still there.
	if (state.page) {
		try {
			state.last = await Promise.race([stats(state.page), sleep(2000).then(() => state.last)]);
		} catch (e) { /* The page is gone; keep the previous figures. */ }
	}
	await finish("");
}

main();
