#!/usr/bin/env bash
# Installs the few system libraries the toolkit needs and pip cannot provide:
# Chromium (the browser of the end-to-end tests; it prints committee PDFs when its
# headless shell, which prints the same pages a third faster, is not available), poppler-utils
# (pdftoppm: report thumbnails and the layout tests' page images), Pango (WeasyPrint's text
# layout, the other PDF engine), fonts, and LibreOffice Calc (the round-trip test of the visit
# report forms re-saves one with soffice --headless, and the privacy tests open the toolkit's
# CSV files in it to prove no formula runs).
# Idempotent and quiet when everything is already present.
set -euo pipefail
need=()
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0 libpangocairo-1.0-0)
fc-list 2>/dev/null | grep -qi 'dejavu' || need+=(fonts-dejavu-core fontconfig)
# HarfBuzz subsetting: WeasyPrint embeds font subsets ~4x faster than with fontTools (batch PDFs).
ldconfig -p 2>/dev/null | grep -q 'libharfbuzz-subset.so' || need+=(libharfbuzz-subset0)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui)
# pdftoppm: first-page thumbnails on the run's index.html, and the layout tests' page images.
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
# The PDF printer: Debian's headless build of the same Chromium. Optional: a release
# without the package falls back to printing with the full chromium.
optional=()
command -v chromium-headless-shell >/dev/null 2>&1 || optional+=(chromium-headless-shell)
[ ${#need[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ] && exit 0
echo "Installing system packages: ${need[*]} ${optional[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  $SUDO apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null 2>&1 \
    || echo "chromium-headless-shell is not available here: PDFs will print with chromium."
elif ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends "${optional[@]}"; } >/dev/null 2>&1; then
  echo "chromium-headless-shell could not be installed here: PDFs will print with chromium."
fi
