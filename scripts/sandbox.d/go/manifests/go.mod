// Upstream manifests as test data, from published Go modules pinned here and checked by go.sum
// (no Go code: `go mod download` fetches and verifies the module zips; do not `go mod tidy`).
//   github.com/tigera/operator v1.42.3: the operator of Calico v3.32.1 (config/calico_versions.yml);
//     pkg/imports/crds/calico/ holds the Calico CRDs it installs, the same as Calico's crds.yaml.
//   github.com/aws/amazon-vpc-cni-k8s v1.23.0: config/master/aws-k8s-cni.yaml (aws-node).
module hardened.eks/sandbox/manifests

go 1.26.0

require (
	github.com/aws/amazon-vpc-cni-k8s v1.23.0
	github.com/tigera/operator v1.42.3
)
