module github.com/together-video/together-video/bindings/go/togethervideo

go 1.22
