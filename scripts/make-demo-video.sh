#!/usr/bin/env bash
# Makes assets/demo/ferry.mp4, the short clip used by training mode: five seconds of test
# pattern (long and large enough for every simulated platform, LinkedIn's 3 s and 75 KB included), deliberately tagged with a location, an author and a title so that the sanitiser has
# something to show. Needs ffmpeg; run it only to change the clip.
set -euo pipefail
out="$(cd "$(dirname "$0")/.." && pwd)/assets/demo/ferry.mp4"
ffmpeg -v error -y -f lavfi -i "testsrc2=size=360x640:rate=15:duration=5" \
  -c:v libx264 -profile:v baseline -pix_fmt yuv420p -crf 38 -g 15 \
  -metadata location="+59.4442+024.7713/" -metadata author="Jane Fieldofficer" -metadata title="Ferry terminal, staff gate" \
  -movflags +faststart "$out"
ls -l "$out"
