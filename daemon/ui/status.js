// SPDX-License-Identifier: GPL-2.0-or-later
// The status page of nipcached.  Every 2 s it reads three documents of the
// box: /services.json (the DVB-I services: names, LCNs, logos, play URLs),
// /status.json (reception per session, cache, repair) and /health (tuners),
// and updates the page in place.  A service plays in the page with hls.js,
// which the box serves at /ui/hls.min.js (or natively where the browser
// plays HLS itself).  Text from the broadcast only ever goes in through
// textContent and attributes, never as markup.
"use strict";

(function () {
	const POLL_MS = 2000;
	const $ = (id) => document.getElementById(id);
	const state = { services: [], status: null, health: null, cards: new Map() };
	let hls = null;
	let playing = null;

	function el(tag, cls, text) {
		const e = document.createElement(tag);
		if (cls)
			e.className = cls;
		if (text !== undefined)
			e.textContent = text;
		return e;
	}

	function fmtBytes(n) {
		const u = ["B", "KB", "MB", "GB", "TB"];
		let i = 0;
		while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
		return (i ? n.toFixed(1) : String(n)) + " " + u[i];
	}

	function fmtRate(bps) {
		if (!bps)
			return "–";
		if (bps >= 1e6)
			return (bps / 1e6).toFixed(2) + " Mbit/s";
		return (bps / 1e3).toFixed(0) + " kbit/s";
	}

	function fmtPct(r) {
		return r === null || r === undefined ? "–" : (r * 100).toFixed(r < 0.1 ? 2 : 1) + " %";
	}

	function fmtAgo(ms) {
		if (ms === null || ms === undefined)
			return "never";
		if (ms < 1000)
			return "now";
		if (ms < 120000)
			return Math.round(ms / 1000) + " s ago";
		return Math.round(ms / 60000) + " min ago";
	}

	function fmtUptime(s) {
		const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
		return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min ${s % 60} s`;
	}

	// A document of the box; /health answers 503 with JSON before ready.
	async function getJSON(path) {
		const r = await fetch(path, { cache: "no-store" });
		if (!r.ok && r.status !== 503)
			throw new Error(`${path}: HTTP ${r.status}`);
		return r.json();
	}

	function chip(text, cls) {
		return el("span", "chip" + (cls ? " " + cls : ""), text);
	}

	function renderChips() {
		const box = $("chips"), st = state.status, h = state.health;
		const chips = [];
		if (!st) {
			chips.push(chip("box not answering", "bad"));
		} else {
			chips.push(st.ready ? chip("ready", "good") : chip("starting", "warn"));
			chips.push(chip("up " + fmtUptime(st.uptime_seconds)));
			if (st.cache.fill !== null)
				chips.push(chip("cache " + fmtPct(st.cache.fill)));
			if (st.cache.hit_ratio !== null)
				chips.push(chip("hits " + fmtPct(st.cache.hit_ratio)));
		}
		for (const t of (h && h.tuners) || []) {
			const cn = typeof t.cnr_db === "number" ? ` C/N ${t.cnr_db.toFixed(1)} dB` : "";
			chips.push(chip(`tuner ${t.device} ${t.lock ? "locked" : t.state}${cn}`,
				t.lock ? "good" : "bad"));
		}
		box.replaceChildren(...chips);
	}

	function facts(dl, rows) {
		dl.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", "", k), el("dd", "", v)]));
	}

	function renderPanels() {
		const st = state.status;
		if (!st)
			return;
		const c = st.cache, r = st.receiver, p = st.repair;
		$("cache-bar").style.width = c.fill === null ? "0" : (c.fill * 100).toFixed(1) + "%";
		facts($("cache"), [
			["Fill", c.max_bytes ? `${fmtBytes(c.bytes)} of ${fmtBytes(c.max_bytes)}` : fmtBytes(c.bytes)],
			["Objects", String(c.objects)],
			["Hit rate", `${fmtPct(c.hit_ratio)} (${c.hits} hits, ${c.misses} misses)`],
			["Evictions", String(c.evictions)],
		]);
		facts($("receiver"), [
			["Received", `${fmtBytes(r.bytes)} in ${r.datagrams} packets`],
			["Objects", `${r.objects_completed} complete, ${r.objects_incomplete} incomplete`],
			["FEC", `${r.fec_recovered} symbols rebuilt`],
			["Repairs", `${p.ok} of ${p.objects} objects, ${fmtBytes(p.body_bytes)}`],
			["Kernel drops", String(r.kernel_drops)],
		]);
		const tuners = (state.health && state.health.tuners) || [];
		$("tuners-none").hidden = tuners.length > 0;
		$("tuners").replaceChildren(...tuners.map((t) => {
			const parts = [`${t.device}: ${t.lock ? "locked" : t.state}`];
			if (typeof t.cnr_db === "number")
				parts.push(`C/N ${t.cnr_db.toFixed(1)} dB`);
			if (typeof t.signal_dbm === "number")
				parts.push(`${t.signal_dbm.toFixed(1)} dBm`);
			if (t.frequency_khz)
				parts.push(`${(t.frequency_khz / 1000).toFixed(0)} MHz`);
			return el("li", t.lock ? "" : "idle", parts.join(", "));
		}));
	}

	// The sessions of a service, summed.
	function serviceSessions(id) {
		const sum = { n: 0, loss: 0, lossDen: 0, fec: 0, repairs: 0, incomplete: 0 };
		for (const s of (state.status && state.status.sessions) || []) {
			if (s.service !== id)
				continue;
			sum.n++;
			sum.loss += s.fec_recovered + s.lost_symbols;
			sum.lossDen += s.packets + s.lost_symbols;
			sum.fec += s.fec_recovered;
			sum.repairs += s.repairs;
			sum.incomplete += s.incomplete;
		}
		return sum;
	}

	function makeCard(s) {
		const li = el("li", "service");
		li.dataset.id = s.id;
		const logo = el("div", "logo");
		const title = el("div", "title");
		title.append(el("span", "lcn"), el("span", "name"));
		const meta = el("div", "meta");
		const btn = el("button", "play", "▶ Play");
		btn.type = "button";
		btn.addEventListener("click", () => (playing === li.dataset.id ? stop() : play(li.dataset.id)));
		meta.append(el("span", "live"), btn);
		li.append(logo, title, el("div", "provider"), meta, el("div", "stats"));
		return li;
	}

	function setLogo(box, s) {
		if (box.dataset.src === String(s.logo_url) && box.dataset.lcn === String(s.lcn))
			return;
		box.dataset.src = String(s.logo_url);
		box.dataset.lcn = String(s.lcn);
		const tile = el("span", "lcn-big", s.lcn === null ? "?" : String(s.lcn));
		if (!s.logo_url) {
			box.replaceChildren(tile);
			return;
		}
		const img = el("img");
		img.alt = s.name || "";
		img.addEventListener("error", () => box.replaceChildren(tile));
		img.src = s.logo_url;
		box.replaceChildren(img);
	}

	function updateCard(li, s) {
		setLogo(li.querySelector(".logo"), s);
		li.querySelector(".lcn").textContent = s.lcn === null ? "–" : String(s.lcn);
		li.querySelector(".lcn").hidden = s.lcn === null;
		li.querySelector(".name").textContent = s.name || s.id;
		li.querySelector(".provider").textContent = s.provider || "";
		const live = li.querySelector(".live"), on = s.live && s.live.receiving;
		live.className = "live" + (on ? " on" : "");
		live.textContent = on ? fmtRate(s.live.bitrate) : s.live && s.live.joined ? "joined, no signal" : "not received";
		const btn = li.querySelector(".play");
		btn.disabled = !s.play_url;
		btn.textContent = playing === s.id ? "■ Stop" : "▶ Play";
		const x = serviceSessions(s.id);
		li.querySelector(".stats").textContent = x.n ?
			`loss ${fmtPct(x.lossDen ? x.loss / x.lossDen : null)} · FEC ${x.fec} · repairs ${x.repairs}` +
			(x.incomplete ? ` · ${x.incomplete} incomplete` : "") : "";
		li.classList.toggle("playing", playing === s.id);
	}

	function renderServices() {
		const list = $("services"), seen = new Set();
		for (const s of state.services) {
			let li = state.cards.get(s.id);
			if (!li) {
				li = makeCard(s);
				state.cards.set(s.id, li);
			}
			updateCard(li, s);
			list.append(li);	// appending again keeps the LCN order
			seen.add(s.id);
		}
		for (const [id, li] of state.cards) {
			if (!seen.has(id)) {
				li.remove();
				state.cards.delete(id);
			}
		}
		$("services-empty").hidden = state.services.length > 0;
	}

	function sessionName(s) {
		if (s.service) {
			const svc = state.services.find((x) => x.id === s.service);
			return svc ? svc.name : s.service;
		}
		return s.role === "announcement" ? "NIP announcement" : "signalling / other";
	}

	function renderSessions() {
		const rows = ((state.status && state.status.sessions) || []).map((s) => {
			const tr = el("tr", s.receiving ? "" : "idle");
			const where = `${s.group}:${s.port}` + (s.tsi !== null ? ` TSI ${s.tsi}` : "") +
				(s.source ? ` from ${s.source}` : "");
			const cells = [
				[sessionName(s), ""], [where, ""], [s.receiving ? fmtRate(s.bitrate) : "–", "num"],
				[fmtPct(s.loss_ratio), "num"], [String(s.fec_recovered), "num"],
				[String(s.repairs), "num"], [`${s.objects}` + (s.incomplete ? ` (${s.incomplete} lost)` : ""), "num"],
				[fmtAgo(s.idle_ms), "num"],
			];
			tr.append(...cells.map(([t, c]) => el("td", c, t)));
			return tr;
		});
		$("sessions").replaceChildren(...rows);
	}

	function note(text, bad) {
		const n = $("player-note");
		n.textContent = text;
		n.className = "player-note" + (bad ? " bad" : "");
	}

	function stop() {
		const v = $("video");
		if (hls) {
			hls.destroy();
			hls = null;
		}
		v.removeAttribute("src");
		v.load();
		playing = null;
		$("player").hidden = true;
		renderServices();
	}

	function play(id) {
		const s = state.services.find((x) => x.id === id);
		if (!s || !s.play_url)
			return;
		stop();
		const v = $("video");
		playing = id;
		$("player").hidden = false;
		$("player-title").textContent = (s.lcn !== null ? s.lcn + " · " : "") + (s.name || s.id);
		note("loading…", false);
		v.addEventListener("playing", () => note("", false), { once: true });
		if (window.Hls && window.Hls.isSupported()) {
			hls = new window.Hls();
			hls.on(window.Hls.Events.ERROR, (ev, d) => {
				if (d.fatal)
					note(`cannot play: ${d.type} ${d.details}`, true);
			});
			hls.on(window.Hls.Events.MANIFEST_PARSED, () => {
				v.play().catch((e) => note(`press play (${e.name})`, false));
			});
			hls.loadSource(s.play_url);
			hls.attachMedia(v);
		} else if (v.canPlayType("application/vnd.apple.mpegurl")) {
			v.src = s.play_url;
			v.play().catch((e) => note(`press play (${e.name})`, false));
		} else {
			note("this page cannot play: /ui/hls.min.js is missing on the box", true);
		}
		renderServices();
		$("player").scrollIntoView({ behavior: "smooth", block: "start" });
	}

	async function poll() {
		const [sv, st, he] = await Promise.allSettled([
			getJSON("/services.json"), getJSON("/status.json"), getJSON("/health"),
		]);
		if (sv.status === "fulfilled" && Array.isArray(sv.value.services))
			state.services = sv.value.services;
		state.status = st.status === "fulfilled" ? st.value : null;
		state.health = he.status === "fulfilled" ? he.value : null;
		renderChips();
		renderServices();
		renderPanels();
		renderSessions();
		setTimeout(poll, POLL_MS);
	}

	$("player-close").addEventListener("click", stop);
	window.nipPage = { play, stop, state };
	poll();
})();
