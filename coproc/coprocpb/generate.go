// Package coprocpb is the generated Go code of copvec's coprocessor protocol
// (coproc/proto/coprocessor.proto): messages and the gRPC service.
package coprocpb

// protoc comes from the system (Debian's protobuf-compiler); the plugins are the versions go.mod
// pins as tools, so regenerating needs only Go and protoc.
//go:generate sh -c "protoc --plugin=protoc-gen-go=$(go tool -n protoc-gen-go) --plugin=protoc-gen-go-grpc=$(go tool -n protoc-gen-go-grpc) -I ../proto --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative coprocessor.proto"
