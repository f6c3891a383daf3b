// manifest-read FILE: reads FILE with ManifestReader (default limits), validates every document
// with Validator(), prints "<bytes> bytes, <documents> documents, <findings> findings".
// Exit 0 without findings, 1 with findings, 2 when the file could not be read.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
import Manifest
import MeshSchema

func printError(_ message: String) {
  let line = Array((message + "\n").utf8)
  _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
  printError("usage: manifest-read FILE")
  exit(2)
}
let path = arguments[1]
let validator = Validator()
var findings = 0
do {
  let source = try FileDescriptorSource(path: path)
  let summary = try ManifestReader().read(source, file: path) { document in
    findings += validator.validate(document).count
  }
  findings += summary.diagnostics.count
  print("\(summary.byteCount) bytes, \(summary.documentCount) documents, \(findings) findings")
  for diagnostic in summary.diagnostics.prefix(5) {
    printError("\(path):\(diagnostic.mark.line):\(diagnostic.mark.column): \(diagnostic.message)")
  }
  exit(findings > 0 ? 1 : 0)
} catch {
  printError("\(error)")
  exit(2)
}
