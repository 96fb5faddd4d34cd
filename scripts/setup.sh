#!/usr/bin/env bash
# Sets up a fresh machine for cxreport: system packages for PDF output (Chromium, Noto fonts
# incl. CJK, poppler for the PDF tests) when missing, then the npm dependencies from the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || [ -n "${CXREPORT_CHROME:-}" ] || need+=(chromium)
command -v pdfinfo >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -q "NotoSansCJK" || need+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep -q "NotoSans-Regular" || need+=(fonts-noto-core)
fc-list 2>/dev/null | grep -q "DejaVuSans.ttf" || need+=(fonts-dejavu-core)
# Jupyter's own validator, used by the notebook-output test
/usr/bin/python3 -c "import nbformat" >/dev/null 2>&1 || need+=(python3-nbformat)
# an independent .xlsx writer, used by the Excel-source tests
/usr/bin/python3 -c "import openpyxl" >/dev/null 2>&1 || need+=(python3-openpyxl)

if [ ${#need[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing ${need[*]} (apt-get)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "setup: please install ${need[*]} (on macOS: Google Chrome and 'brew install poppler'), or set CXREPORT_CHROME" >&2
  fi
fi

npm ci --no-audit --no-fund --loglevel=error

# Compile to dist/ so that the cxreport command runs JavaScript and starts fast. Without dist/ (or
# with one older than src/) bin/cxreport.js runs the TypeScript sources through tsx instead, so a
# failed compile is a warning here, not a failed setup.
npm run build --silent >/tmp/cxreport-build.log 2>&1 || echo "setup: npm run build failed (see /tmp/cxreport-build.log); the cxreport command will run the TypeScript sources through tsx"
