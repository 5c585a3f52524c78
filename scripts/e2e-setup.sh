#!/usr/bin/env bash
# Installs what `npm run test:e2e` needs to drive a real VS Code workbench on a machine that cannot
# download VS Code: code-server 4.100.3 (the VS Code 1.100.3 workbench served by Node) and
# playwright-core, into the cache dir .e2e/ (gitignored), plus Debian's chromium and the headers the
# native modules build against. About 5 minutes and 300 MB the first time; a second run is a no-op.
#
#   bash scripts/e2e-setup.sh            # install (apt needs root or sudo)
#   WOWDBG_E2E_DIR=/path bash scripts/...  # another cache dir
#   WOWDBG_E2E_SKIP_APT=1 ...              # the system packages are already there
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${WOWDBG_E2E_DIR:-$ROOT/.e2e}"
CODE_SERVER_VERSION="4.100.3"
STAMP="$CACHE/.installed-$CODE_SERVER_VERSION"

log() { printf '[e2e-setup %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

if [[ -f "$STAMP" ]]; then
  log "already installed in $CACHE"
  exit 0
fi

# System packages: chromium (the browser playwright drives), ripgrep (VS Code's search), and the
# headers code-server's native modules (kerberos, keytar, native-keymap, node-pty) compile against.
if [[ -z "${WOWDBG_E2E_SKIP_APT:-}" ]]; then
  SUDO=""
  if [[ "$(id -u)" != "0" ]]; then SUDO="sudo"; fi
  pkgs=(chromium libkrb5-dev libsecret-1-dev libxkbfile-dev libx11-dev pkg-config ripgrep python3 make g++)
  missing=()
  for p in "${pkgs[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "apt-get install ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
  fi
fi
command -v chromium >/dev/null || { echo "chromium not found" >&2; exit 1; }
command -v rg >/dev/null || { echo "ripgrep (rg) not found" >&2; exit 1; }

mkdir -p "$CACHE"
cd "$CACHE"
[[ -f package.json ]] || echo '{ "name": "wowdbg-e2e-cache", "private": true }' > package.json

# As root, code-server's own postinstall refuses without unsafe-perm; scripts are skipped here anyway
# and the native parts are rebuilt below, step by step.
export npm_config_unsafe_perm=true
log "npm install code-server@$CODE_SERVER_VERSION playwright-core"
npm install --ignore-scripts --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION" playwright-core
log "npm rebuild argon2 (hoisted next to code-server)"
npm rebuild argon2 --loglevel=error

VSCODE="$CACHE/node_modules/code-server/lib/vscode"
cd "$VSCODE"
log "npm install in lib/vscode (production dependencies)"
npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error
# @vscode/ripgrep would download rg from GitHub: point it at Debian's.
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sfn "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
log "npm rebuild in lib/vscode (native modules; node-pty runs npx node-gyp)"
npm_config_yes=true npm rebuild --loglevel=error
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
log "npm install in lib/vscode/extensions (built-in extensions' dependencies)"
(cd extensions && npm install --omit=dev --no-audit --no-fund --loglevel=error)

touch "$STAMP"
log "done: $CACHE/node_modules/.bin/code-server"
