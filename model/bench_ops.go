package model

import "sync/atomic"

// stockOpsFlag selects stock Gorgonia ops instead of the nnops ones when
// graphs are built; see UseStockOps.
var stockOpsFlag atomic.Bool

// UseStockOps makes the layers of graphs built from now on use stock
// Gorgonia ops (on) or the fast nnops ops (off, the default). Both compute
// the same function; the stock ops are kept for comparisons and checks.
func UseStockOps(on bool) { stockOpsFlag.Store(on) }

// stockOps reports whether new graphs use stock Gorgonia ops.
func stockOps() bool { return stockOpsFlag.Load() }
