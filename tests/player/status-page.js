#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-or-later
// Drives nipcached's status page in Debian's headless Chromium for the
// system test 094-status-page.sh:
//
//   node status-page.js --url http://127.0.0.1:PORT/ --services N \
//       --play NAME --shot FILE [--shot-playing FILE] [--seconds S]
//
// It opens the page, waits until N service cards are shown, takes a
// screenshot (FILE), clicks the play button of the service named NAME and
// waits until the video's currentTime has advanced by S seconds (default
// 3), then takes a second screenshot while it plays.  Every request the
// page makes is recorded.  It prints one JSON object on stdout:
//   services        [{name, lcn, logo}] as the page shows them
//   hls_version     window.Hls.version, "" if hls.js did not load
//   played_s        currentTime advance after the click
//   requests        number of requests the page made
//   hosts           the distinct hosts of http(s) requests
//   hls_js_from     the URL hls.min.js was loaded from, "" if none
//   page_errors     uncaught errors in the page
//   note            why it stopped early, "" if it did not
// Exit 0 when everything was done (the test judges the figures), 1 if not,
// 2 on bad usage.  A hard timer ends it within 90 s; Chromium is always
// closed.
"use strict";

const HARD_MS = 90000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function usage(msg) {
	process.stderr.write(`status-page.js: ${msg}\n`);
	process.exit(2);
}

function parseArgs(argv) {
	const o = { url: "", services: 1, play: "", shot: "", shotPlaying: "", seconds: 3,
		chromium: process.env.CHROMIUM || "/usr/bin/chromium" };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
		if (a === "--url") o.url = val();
		else if (a === "--services") o.services = Number(val());
		else if (a === "--play") o.play = val();
		else if (a === "--shot") o.shot = val();
		else if (a === "--shot-playing") o.shotPlaying = val();
		else if (a === "--seconds") o.seconds = Number(val());
		else usage(`unknown argument ${a}`);
	}
	if (!/^http:\/\//.test(o.url) || !o.play || !o.shot)
		usage("--url http://..., --play NAME and --shot FILE are needed");
	if (!(o.services >= 1 && o.services <= 100) || !(o.seconds > 0 && o.seconds <= 30))
		usage("--services 1..100, --seconds 1..30");
	return o;
}

// The service cards as the page shows them.
function cards(page) {
	return page.$$eval(".service", (els) => els.map((e) => ({
		name: e.querySelector(".name").textContent,
		lcn: e.querySelector(".lcn").hidden ? null : Number(e.querySelector(".lcn").textContent),
		logo: (e.querySelector(".logo img") || {}).src || "",
		live: e.querySelector(".live").classList.contains("on"),
	})));
}

async function waitCards(page, r, n) {
	const end = Date.now() + 30000;
	while (Date.now() < end) {
		r.services = await cards(page);
		if (r.services.length >= n && r.services.every((s) => s.live))
			return true;
		await sleep(250);
	}
	return false;
}

// Click NAME's play button; wait until currentTime grew by o.seconds.
async function playOne(page, r, o) {
	const card = page.locator(".service", { has: page.locator(".name", { hasText: o.play }) });
	await card.locator("button.play").click();
	const end = Date.now() + 40000;
	let t0 = null;
	while (Date.now() < end) {
		const t = await page.evaluate(() => document.getElementById("video").currentTime);
		if (t0 === null && t > 0)
			t0 = t;
		if (t0 !== null)
			r.played_s = Math.round((t - t0) * 100) / 100;
		if (r.played_s >= o.seconds)
			return true;
		await sleep(250);
	}
	r.note = `video did not advance ${o.seconds} s: ` +
		await page.evaluate(() => document.getElementById("player-note").textContent);
	return false;
}

function watch(page, r, hosts) {
	page.on("request", (q) => {
		r.requests++;
		const u = new URL(q.url());
		if (u.protocol === "http:" || u.protocol === "https:" || u.protocol === "ws:")
			hosts.add(u.hostname);
		if (u.pathname.endsWith("/hls.min.js"))
			r.hls_js_from = q.url();
	});
	page.on("pageerror", (e) => r.page_errors.push(String(e.message).split("\n")[0]));
}

async function run(o, r, st) {
	const { chromium } = require("playwright-core");
	st.browser = await chromium.launch({
		executablePath: o.chromium, headless: true,
		args: ["--no-sandbox", "--mute-audio", "--disable-gpu"],
	});
	const page = await st.browser.newPage({ viewport: { width: 1280, height: 900 } });
	const hosts = new Set();
	watch(page, r, hosts);
	await page.goto(o.url);
	const shown = await waitCards(page, r, o.services);
	r.hls_version = await page.evaluate(() => (window.Hls ? window.Hls.version : ""));
	await page.screenshot({ path: o.shot, fullPage: true });
	if (!shown) {
		r.note = `the page shows ${r.services.length} live services, not ${o.services}`;
	} else if (await playOne(page, r, o) && o.shotPlaying) {
		await sleep(2500);	// the next poll fills in the reception figures
		await page.screenshot({ path: o.shotPlaying, fullPage: true });
	}
	r.hosts = [...hosts].sort();
	return shown && r.played_s >= o.seconds;
}

async function main() {
	const o = parseArgs(process.argv.slice(2));
	const r = { services: [], hls_version: "", played_s: 0, requests: 0, hosts: [],
		hls_js_from: "", page_errors: [], note: "" };
	const st = { browser: null };
	let ok = false, done = false;
	const finish = async () => {
		if (done)
			return;
		done = true;
		process.stdout.write(JSON.stringify(r) + "\n");
		if (st.browser)
			await Promise.race([st.browser.close().catch(() => {}), sleep(4000)]);
		process.exit(ok ? 0 : 1);
	};
	setTimeout(() => { r.note = r.note || "hard timeout"; finish(); }, HARD_MS).unref();
	for (const sig of ["SIGINT", "SIGTERM"])
		process.on(sig, () => { r.note = `killed by ${sig}`; finish(); });
	try {
		ok = await run(o, r, st);
	} catch (e) {
		r.note = `${e.name}: ${String(e.message).split("\n")[0]}`;
	}
	await finish();
}

main();
