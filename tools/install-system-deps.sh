#!/usr/bin/env bash
# What the tests need outside Python: LibreOffice (to turn outputs into PDF), poppler-utils
# (pdftotext / pdftoppm) and a CJK font with a fontconfig alias for the fonts the forms
# name. Installs only what is missing; needs root (or sudo) and Debian's apt.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -q "Noto Serif CJK" || need+=(fonts-noto-cjk)
command -v fc-cache >/dev/null 2>&1 || need+=(fontconfig)
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
conf=/etc/fonts/conf.d/60-goaldoc-cjk.conf
[ "$(id -u)" = 0 ] || conf="$HOME/.config/fontconfig/conf.d/60-goaldoc-cjk.conf"
if ! cmp -s "$here/data/fontconfig/60-goaldoc-cjk.conf" "$conf" 2>/dev/null; then
  mkdir -p "$(dirname "$conf")"
  cp "$here/data/fontconfig/60-goaldoc-cjk.conf" "$conf"
  fc-cache -f >/dev/null 2>&1 || true
fi
