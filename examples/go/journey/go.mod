module example.com/journey

go 1.22

require github.com/together-video/together-video/bindings/go/togethervideo v0.2.0

// Nothing is published from this repository yet: use the checkout's module. A project of
// your own points this at its copy (or drops it once the module is published).
replace github.com/together-video/together-video/bindings/go/togethervideo => ../../../bindings/go/togethervideo
