"""Makes kubernetes-validate's schemas self-contained for kubeconform, offline.

Each schema names itself https://kubernetes.io/api/... ($id) and refers to /api/_definitions.json,
so a validator would resolve the definitions from kubernetes.io. This drops the $id and points
every such reference at the folder's own _definitions.json (a file:// URL).
Usage: localize-schemas.py <schema dir>
"""
import json
import pathlib
import sys

directory = pathlib.Path(sys.argv[1]).resolve()
local_definitions = (directory / "_definitions.json").as_uri()


def localize(node):
    if isinstance(node, list):
        return [localize(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: localize(value) for key, value in node.items() if key != "$id"}
    ref = result.get("$ref")
    if isinstance(ref, str) and ref.startswith("/api/_definitions.json"):
        result["$ref"] = local_definitions + ref[len("/api/_definitions.json"):]
    return result


for path in directory.glob("*.json"):
    path.write_text(json.dumps(localize(json.loads(path.read_text()))))
