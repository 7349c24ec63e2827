module github.com/together-video/together-video/bindings/go

go 1.22
