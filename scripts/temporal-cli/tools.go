//go:build tools

// Names the CLI's main package so that `go mod tidy` keeps what it needs; nothing here is built.
package tools

import _ "github.com/temporalio/cli/cmd/temporal"
