// libFuzzer target: arbitrary bytes → the body of a 200 answer of the API server → every
// `KubeAPI` call that reads one (version, discovery, get, list, watch, access review, apply).
//
// The bytes stand for what a broken proxy, a truncated transfer or a hostile server can send:
// malformed or huge JSON, HTML error pages, YAML, binary. Besides "never crash, never hang", it
// checks for every input:
//  1. each call either returns or throws an error with a non-empty message; an unreadable answer
//     is an `APIError` of category `unreadableAnswer` naming the URL;
//  2. decoding is deterministic: a second client given the same answer returns the same values;
//  3. what `get` returned survives a round trip: written as JSON (as `-o json` and apply bodies
//     are) and served again, `get` returns a tree with the same JSON;
//  4. a list's items are the body's `items` (as the whole tree that apply returns shows).
// A broken invariant is a crash (fatalError), so libFuzzer saves the input.

import KubeClient
import Manifest

func fail(_ what: String, _ bytes: [UInt8]) -> Never {
  let preview = String(decoding: bytes.prefix(512), as: UTF8.self)
  fatalError("FuzzAPIAnswer invariant broken: \(what)\ninput (\(bytes.count) bytes): \(preview.debugDescription)")
}

/// A server that answers every request with the same body and status 200.
struct OneAnswer: HTTPTransport {
  let body: [UInt8]
  func send(_ request: HTTPRequest) async throws -> HTTPResponse {
    HTTPResponse(status: 200, headers: HTTPHeaders(), body: body)
  }
}

let connection = ClusterConnection(source: .kubeconfig(files: []), server: "https://api.fuzz", namespace: "shop")
let deployments = APIResource(group: "apps", version: "v1", kind: "Deployment", plural: "deployments", namespaced: true)
let object = Node.mapping([
  "apiVersion": .string("apps/v1"), "kind": .string("Deployment"),
  "metadata": .mapping(["name": .string("web"), "namespace": .string("shop")]),
])

/// What every call gave, comparable across two clients.
struct Answers: Equatable {
  var version: String?
  var groups: [APIGroupSummary]?
  var resources: [APIResource]?
  var get: Node??
  var listItems: [Node]?
  var listVersion: String??
  var watch: [WatchEvent]?
  var mayI: Bool?
  var applied: Node?
  var errors: [String] = []
}

/// Whether `text` contains `needle`, by bytes (String.contains compares Characters, a tenth of
/// this target's time).
func mentions(_ text: String, _ needle: String) -> Bool {
  let haystack = Array(text.utf8)
  let needle = Array(needle.utf8)
  guard haystack.count >= needle.count else { return false }
  return (0...haystack.count - needle.count).contains { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
}

/// `work`'s value, or nil after recording its error (which must have a message).
func attempt<T: Sendable>(
  _ name: String, _ answers: inout Answers, _ bytes: [UInt8], _ work: () async throws -> T
) async -> T? {
  do {
    return try await work()
  } catch {
    let message = String(describing: error)
    if message.isEmpty { fail("\(name): an error without a message: \(error)", bytes) }
    if let failure = error as? APIError, failure.category == .unreadableAnswer,
      !mentions(failure.description, "https://api.fuzz")
    {
      fail("\(name): an unreadable answer that does not name the URL", bytes)
    }
    answers.errors.append("\(name): \(message)")
    return nil
  }
}

func ask(_ body: [UInt8], _ bytes: [UInt8]) async -> Answers {
  let api = KubeAPI(connection: connection, transport: OneAnswer(body: body))
  var answers = Answers()
  answers.version = await attempt("version", &answers, bytes) { try await api.serverVersion() }
  answers.groups = await attempt("groups", &answers, bytes) { try await api.groups() }
  answers.resources = await attempt("resources", &answers, bytes) { try await api.resources(groupVersion: "apps/v1") }
  answers.get = await attempt("get", &answers, bytes) { try await api.get(deployments, namespace: "shop", name: "web") }
  if let listing = await attempt("list", &answers, bytes, { try await api.listing(deployments, namespace: nil) }) {
    answers.listItems = listing.items
    answers.listVersion = listing.resourceVersion
  }
  answers.watch = await attempt("watch", &answers, bytes) {
    try await api.watch(deployments, namespace: "shop", resourceVersion: "1", timeoutSeconds: 1)
  }
  answers.mayI = await attempt("mayI", &answers, bytes) {
    try await api.mayI("patch", group: "apps", resource: "deployments", namespace: "shop")
  }
  answers.applied = await attempt("apply", &answers, bytes) {
    try await api.apply(object, as: deployments, namespace: "shop", name: "web", options: ApplyOptions())
  }
  return answers
}

/// Every check for one input, in one task: one hop to the concurrency pool per input instead
/// of one per call (the hops were most of the time per input).
func check(_ bytes: [UInt8]) async {
  let first = await ask(bytes, bytes)
  let second = await ask(bytes, bytes)
  if first != second { fail("two clients decoded the same answer differently:\n\(first)\n\(second)", bytes) }

  if let got = first.get, let got {
    let json = JSONEmitter.emit(got, pretty: false)
    let api = KubeAPI(connection: connection, transport: OneAnswer(body: Array(json.utf8)))
    var scratch = Answers()
    let again = await attempt("get again", &scratch, bytes) {
      try await api.get(deployments, namespace: "shop", name: "web")
    }
    // The JSON emitter normalises (float spelling, integers past 64 bits become strings), so
    // the tree read back is compared by its JSON: one more round changes nothing.
    guard let again, let again else {
      fail("get's tree written as JSON is not readable (\(scratch.errors.joined(separator: "; "))): \(json)", bytes)
    }
    let json2 = JSONEmitter.emit(again, pretty: false)
    if json2 != json { fail("get's tree does not survive JSON:\n \(json)\n \(json2)", bytes) }
  }
  // apply returns the whole tree of the same body: the list's items are its `items`.
  if let items = first.listItems, let tree = first.applied, (tree["items"]?.sequence ?? []) != items {
    fail("the list's items differ from the body's `items`", bytes)
  }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let bytes = Array(UnsafeBufferPointer(start: data, count: size))
  try! awaitCompletion { await check(bytes) }
  return 0
}
