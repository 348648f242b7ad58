# Shared set-up steps for scripts/run and scripts/test. Every step checks first and does
# nothing when its work is already done, so both scripts are safe to run again and again.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UI="$ROOT/ui"

# What the app needs to build and run on Debian/Ubuntu.
APT_BUILD=(build-essential pkg-config file libssl-dev libwebkit2gtk-4.1-dev libsoup-3.0-dev
  libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev libdbus-1-dev libsecret-1-dev
  gnome-keyring dbus dbus-x11)
# What the tests and the headless mode add: a virtual display, screenshots, WebDriver,
# a Secret Service to test against, a notification daemon (dunst) for desktop notifications.
APT_TEST=(xvfb xauth x11-apps x11-utils imagemagick webkit2gtk-driver libsecret-tools dunst)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

is_debian_like() { [ "$(uname -s)" = Linux ] && command -v dpkg-query >/dev/null && command -v apt-get >/dev/null; }

# ensure_apt PKG... — installs the missing ones (as root, or through sudo).
ensure_apt() {
  is_debian_like || { say "not a Debian/Ubuntu system: skipping apt (see README for this OS's prerequisites)"; return 0; }
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && { say "system packages: all present"; return 0; }
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing packages ${missing[*]}; run this as root or install them with apt-get"
    sudo=(sudo)
  fi
  say "installing system packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_toolchains() {
  command -v cargo >/dev/null || die "Rust is not installed: install it with rustup (https://rustup.rs), then run this again"
  command -v node >/dev/null && command -v npm >/dev/null || die "Node.js is not installed: install Node.js 20.19 or newer (with npm), then run this again"
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]')"
  [ "$node_major" -ge 20 ] || die "Node.js $(node --version) is too old: Vite 8 needs 20.19 or newer"
}

# npm packages of the UI, from the lock file; reinstalled only when the lock file changed.
ensure_npm() {
  local stamp="$UI/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && [ ! "$UI/package-lock.json" -nt "$stamp" ]; then
    say "npm packages: up to date"
    return 0
  fi
  # `npm install` (not `npm ci`): the lock file records only the platform packages this
  # registry serves (e.g. @tailwindcss/oxide-linux-x64-gnu), and `npm ci` refuses a lock
  # without the other platforms' optional packages. `npm install` follows the lock as well.
  say "installing npm packages (npm install from the lock file)"
  (cd "$UI" && npm install --no-audit --no-fund --loglevel=error)
}

# tauri-driver 2.x for the WebDriver tests (crates.io also has 3.0 alphas: pin major 2).
ensure_tauri_driver() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if command -v tauri-driver >/dev/null && tauri-driver --help 2>&1 | grep -q -- '--native-port'; then
    say "tauri-driver: present"
    return 0
  fi
  say "installing tauri-driver 2 (cargo install)"
  cargo install tauri-driver --version '^2' --locked --quiet
}

build_ui() {
  say "building the UI (ui/dist)"
  (cd "$UI" && npm run --silent build)
}

has_display() { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }
