// Package app is Watchpost's core: the domain types of a residential community's safety
// console (site, grids, buildings, cameras, devices, alarms, operators, plans, incidents),
// the rules that turn readings into alarms, the services operators act through, and the
// small interfaces it needs from the outside (a journal, repositories, a clock).
//
// It imports only the standard library and small pure libraries: no database, network,
// video or GUI code. Everything that does I/O lives in store, devices, video or ui and
// points inward to this package (see DESIGN.md).
package app
