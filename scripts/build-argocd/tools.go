//go:build tools

// Package tools pins the programs this module builds (never compiled itself): Argo CD's multi-call
// binary, which runs the component its file name (or ARGOCD_BINARY_NAME) names, and kustomize,
// which its repo-server runs.
package tools

import (
	_ "github.com/argoproj/argo-cd/v3/cmd"
	_ "sigs.k8s.io/kustomize/kustomize/v5"
)
