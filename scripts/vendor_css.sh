#!/bin/sh
# Reproduces the vendored CSS framework of the web workbench: Pico CSS (MIT), the version pinned in package.json /
# package-lock.json, copied from the npm package into src/interbudget/web/static/ with its licence. The app serves
# the copy (/static/pico.min.css): nothing is downloaded at run time and no CDN is used.
set -eu
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund --silent
src=node_modules/@picocss/pico
dst=src/interbudget/web/static
cp "$src/css/pico.min.css" "$dst/pico.min.css"
cp "$src/LICENSE.md" "$dst/PICO-LICENSE.md"
version=$(node -p "require('./$src/package.json').version")
echo "Pico CSS $version -> $dst/pico.min.css"
