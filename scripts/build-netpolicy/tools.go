//go:build tools

// Package tools pins the program this module builds (never compiled itself): np-guard's
// netpol-analyzer CLI, which the connectivity tests run over each dist/<env>.
package tools

import (
	_ "github.com/np-guard/netpol-analyzer/cmd/netpolicy"
)
