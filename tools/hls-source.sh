#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Live HLS test stream: a test pattern with a running clock and a 1 kHz tone,
# H.264 + AAC in MPEG-TS, 2 s segments, written the way a live packager does
# (segments, then the playlist renamed into place).  Runs until killed.
# Usage: hls-source.sh OUTDIR [SECONDS]
set -eu
out=$1
dur=${2:-}
mkdir -p "$out"
font=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
text="drawtext=fontfile=$font:text='nipcache demo %{localtime\\:%H\\\\\\:%M\\\\\\:%S} frame %{n}':x=20:y=h-50:fontsize=26:fontcolor=white:box=1:boxcolor=black@0.6"
[ -r "$font" ] || text="null"
set -- -hide_banner -loglevel error -nostdin -re \
	-f lavfi -i "testsrc2=size=640x360:rate=25" \
	-f lavfi -i "sine=frequency=1000:sample_rate=48000"
[ -n "$dur" ] && set -- "$@" -t "$dur"
exec ffmpeg "$@" -vf "$text" \
	-c:v libx264 -preset veryfast -tune zerolatency -pix_fmt yuv420p \
	-g 50 -keyint_min 50 -sc_threshold 0 -b:v 800k \
	-c:a aac -b:a 96k -ac 2 \
	-f hls -hls_time 2 -hls_list_size 6 \
	-hls_flags delete_segments+temp_file+independent_segments \
	-hls_delete_threshold 4 \
	-hls_segment_filename "$out/seg%05d.ts" "$out/live.m3u8"
