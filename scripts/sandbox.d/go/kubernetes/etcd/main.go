// Command etcd is the etcd server of go.etcd.io/etcd/server/v3 (the version
// k8s.io/kubernetes pins), built beside the Kubernetes binaries.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
