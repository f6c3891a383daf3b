// libFuzzer target: arbitrary bytes → the body of an API server's error answer → `APIStatus`
// and the `APIError` meshctl builds from it.
//
// Besides "never crash, never hang", it checks for every input:
//  1. `Status` decoding is deterministic;
//  2. a decoded `Status` survives a round trip: written back as a JSON `Status` and decoded
//     again, it is the same value;
//  3. for every status code meshctl treats specially, the error built from the answer (its body
//     decoded once for all of them) has a non-empty message that never contains the secret the
//     redactor holds (the secret is spliced into the body, so redaction runs on every input),
//     and is a conflict (exit 4) only for a 409;
//  4. that error is the one `APIError(response:)` builds decoding the body itself (checked for
//     one status code per input, which the input picks).
// A broken invariant is a crash (fatalError), so libFuzzer saves the input.

import KubeClient
import Manifest

func fail(_ what: String, _ bytes: [UInt8]) -> Never {
  let preview = String(decoding: bytes.prefix(512), as: UTF8.self)
  fatalError("FuzzAPIStatus invariant broken: \(what)\ninput (\(bytes.count) bytes): \(preview.debugDescription)")
}

/// A secret the redactor knows; an answer that quotes it must not show it.
let fuzzSecret = "fuzz-secret-token-0123456789"
/// Built once: the redactor is the same for every input.
let redactor = SecretRedactor(secrets: [fuzzSecret])

let context = APIRequestContext(verb: "patch", group: "apps", resource: "deployments", name: "web", namespace: "shop")

/// `status` as the JSON `Status` a server would send.
func encode(_ status: APIStatus) -> [UInt8] {
  let causes = status.causes.map { cause in
    Node.mapping([
      "field": .string(cause.field), "message": .string(cause.message), "reason": .string(cause.reason),
    ])
  }
  let root = Node.mapping([
    MappingEntry(key: "kind", value: .string("Status")),
    MappingEntry(key: "apiVersion", value: .string("v1")),
    MappingEntry(key: "status", value: .string(status.status)),
    MappingEntry(key: "code", value: .int(status.code)),
    MappingEntry(key: "reason", value: .string(status.reason)),
    MappingEntry(key: "message", value: .string(status.message)),
    MappingEntry(
      key: "details",
      value: .mapping([
        MappingEntry(key: "name", value: .string(status.name)),
        MappingEntry(key: "group", value: .string(status.group)),
        MappingEntry(key: "kind", value: .string(status.kind)),
        MappingEntry(key: "causes", value: .sequence(causes)),
      ])),
  ])
  return Array(JSONEmitter.emit(root, pretty: false).utf8)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  let decoded = APIStatus.decode(bytes)
  if decoded != APIStatus.decode(bytes) { fail("Status decoding differs between two runs", bytes) }
  if let decoded {
    let again = APIStatus.decode(encode(decoded))
    if again != decoded { fail("Status round trip: \(decoded) came back as \(String(describing: again))", bytes) }
  }

  let body = bytes + Array(fuzzSecret.utf8)
  // The body is decoded once for the 18 errors (decoding was nine tenths of the cost of an
  // input); one of them, chosen by the input, is also built the way callers build it.
  let bodyStatus = APIStatus.decode(body)
  let codes = [400, 401, 403, 404, 409, 422, 429, 500, 503]
  let direct = codes[bytes.reduce(0) { ($0 &* 31 &+ Int($1)) & 0xFFFF } % codes.count]
  for status in codes {
    let response = HTTPResponse(status: status, body: body)
    for verbosity in [0, 9] {
      let error = APIError(
        response: response, status: bodyStatus, context: context, verbosity: verbosity, redactor: redactor)
      if status == direct, verbosity == 9,
        error != APIError(response: response, context: context, verbosity: verbosity, redactor: redactor)
      {
        fail("an error built from the decoded body differs from one built from the answer (\(status))", bytes)
      }
      if error.description.isEmpty { fail("empty API error message for \(status)", bytes) }
      if error.description.contains(fuzzSecret) { fail("the secret reached an API error message (\(status))", bytes) }
      if error.isConflict && status != 409 { fail("a conflict for status \(status)", bytes) }
    }
  }
  return 0
}
