#!/usr/bin/env bash
# Obtains the tools of the offline deploy checks (tests/deploy) into the cache: Helm, kustomize and
# kubeconform built from their Go modules, the Kubernetes JSON schemas from the PyPI package
# kubernetes-validate, and the ServiceMonitor schema from the Prometheus Operator's CRD manifests.
# Idempotent. Links the pinned versions under $TESSERA_CACHE_DIR/deploy-tools, where the tests look.
source "$(dirname "${BASH_SOURCE[0]}")/../stack/common.sh"
# shellcheck source=../stack/go-build.sh
source "$STACK_DIR/go-build.sh"

TOOLS_DIR="$CACHE_DIR/deploy-tools"
mkdir -p "$TOOLS_DIR"

install_go_tool() { # <name> <module> <version> <package>
  local out="$BIN_DIR/$1-$3"
  [[ -x $out ]] || timed_build "$1" build_go_binary "$1" "$2" "$3" "$4" "$out"
  ln -sfn "$out" "$TOOLS_DIR/$1"
}

# Kubernetes' schemas as kubeconform names them (deployment-apps-v1.json), made to resolve their
# shared definitions from the folder instead of kubernetes.io (localize-schemas.py).
install_kubernetes_schemas() {
  local dir="$CACHE_DIR/kubernetes-json-schema-$KUBERNETES_VALIDATE_VERSION-v$KUBERNETES_SCHEMA_VERSION"
  if [[ ! -f $dir/.complete ]]; then
    log "fetching Kubernetes v$KUBERNETES_SCHEMA_VERSION JSON schemas (PyPI kubernetes-validate $KUBERNETES_VALIDATE_VERSION)"
    local work; work="$(mktemp -d)"
    python3 -m pip download --quiet --no-deps --dest "$work" "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" \
      || die "could not download kubernetes-validate $KUBERNETES_VALIDATE_VERSION from PyPI"
    local inside="kubernetes_validate/kubernetes-json-schema/v$KUBERNETES_SCHEMA_VERSION-local-strict"
    python3 -m zipfile -e "$work"/kubernetes_validate-*.whl "$work/unpacked" \
      || die "could not unpack kubernetes-validate"
    [[ -d $work/unpacked/$inside ]] || die "kubernetes-validate $KUBERNETES_VALIDATE_VERSION has no $inside"
    rm -rf "$dir"; mv "$work/unpacked/$inside" "$dir"; rm -rf "$work"
    python3 "$REPO_ROOT/scripts/deploy/localize-schemas.py" "$dir"
    install_service_monitor_schema "$dir"
    touch "$dir/.complete"
  fi
  ln -sfn "$dir" "$TOOLS_DIR/kubernetes-json-schema"
}

install_service_monitor_schema() { # <schema dir>
  local source; source="$(module_dir "$PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION")"
  [[ -n $source ]] || die "could not download Go module $PROMETHEUS_OPERATOR_MODULE@$PROMETHEUS_OPERATOR_VERSION"
  node "$REPO_ROOT/scripts/deploy/crd-to-json-schema.js" \
    "$source/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" "$1"
}

GO_LDFLAGS="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION" \
  install_go_tool helm "$HELM_MODULE" "$HELM_VERSION" ./cmd/helm
install_go_tool kustomize "$KUSTOMIZE_MODULE" "$KUSTOMIZE_VERSION" .
install_go_tool kubeconform "$KUBECONFORM_MODULE" "$KUBECONFORM_VERSION" ./cmd/kubeconform
install_kubernetes_schemas
log "deploy tools in $TOOLS_DIR: helm $HELM_VERSION, kustomize $KUSTOMIZE_VERSION, kubeconform $KUBECONFORM_VERSION, schemas v$KUBERNETES_SCHEMA_VERSION"
