#!/usr/bin/env bash
# What the tests need outside Python: LibreOffice (to turn outputs into PDF), poppler-utils
# (pdftotext / pdftoppm) and a CJK font with a fontconfig alias for the fonts the forms
# name. Installs only what is missing; needs root (or sudo) and Debian's apt.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# grep without -q reads all of fc-list's output: with -q it may exit first, fc-list then dies
# of SIGPIPE and pipefail takes the font for missing (an apt-get run on every `make test`)
fc-list : family 2>/dev/null | grep "Noto Serif CJK" >/dev/null || need+=(fonts-noto-cjk)
# metric-compatible stand-ins for the Latin fonts the forms name (issue 20 item 3): Carlito
# for Calibri, the workbook font that sets an Excel column's width (without it LibreOffice
# measures columns in a wider face and fit-to-width prints the sheet at ~63 %); Liberation
# Serif / Sans for Times New Roman / Arial (numbers in Word). LibreOffice maps them itself.
fc-list : family 2>/dev/null | grep "Carlito" >/dev/null || need+=(fonts-crosextra-carlito)
fc-list : family 2>/dev/null | grep "Liberation Serif" >/dev/null || need+=(fonts-liberation)
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
# goaldoc --pdf: the forms' fonts must resolve to an installed CJK face, or LibreOffice falls
# back to whatever it finds (boxes, or a Latin font's metrics)
for family in 宋体 仿宋_GB2312 黑体 方正小标宋简体; do
  got="$(fc-match -f '%{family}' "$family" 2>/dev/null || true)"
  case "$got" in *CJK*) ;; *) echo "warning: fontconfig maps $family to '$got', not a CJK font: see data/fontconfig/" >&2 ;; esac
done
