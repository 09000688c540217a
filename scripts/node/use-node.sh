# Sourced by the project's scripts: puts the project's Node.js (scripts/node/ensure-node.sh) first on PATH.
tessera_node_bin="$("$(dirname "${BASH_SOURCE[0]}")/ensure-node.sh")"
case ":$PATH:" in
  *":$tessera_node_bin:"*) ;;
  *) export PATH="$tessera_node_bin:$PATH" ;;
esac
