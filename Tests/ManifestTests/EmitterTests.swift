import Testing

@testable import Manifest

@Suite struct YAMLEmitterTests {
  @Test func blockStyleLikeKubectl() {
    let node = Node.mapping([
      "apiVersion": .string("apps/v1"),
      "spec": .mapping([
        "replicas": .int(2),
        "containers": .sequence([
          .mapping(["name": .string("web"), "ports": .sequence([.mapping(["containerPort": .int(80)])])])
        ]),
        "empty": .mapping([]),
        "none": .sequence([]),
      ]),
    ])
    #expect(
      YAMLEmitter.emit(node) == """
        apiVersion: apps/v1
        spec:
          replicas: 2
          containers:
          - name: web
            ports:
            - containerPort: 80
          empty: {}
          none: []

        """)
  }

  @Test(arguments: [
    "true", "yes", "on", "y", "No", "OFF", "1.0", "0755", "0x1F", "1_000", "~", "null", "",
    "2024-01-01", "-1", ".inf", "1e3", "- item", "a: b", "x #y", "#c", "*alias", "&a", "!tag",
    "{a}", "[a]", "'q'", "\"q\"", " lead", "trail ", "@at", "`tick", "%p", "<<", "key:", "a\tb",
    "\u{85}nel", "bell\u{7}", "\u{FEFF}bom",
  ])
  func stringsThatYAMLWouldMisreadAreQuoted(text: String) throws {
    let emitted = YAMLEmitter.emit(.mapping(["v": .string(text)]))
    let (documents, diagnostics) = ManifestReader().parse(emitted)
    #expect(diagnostics.isEmpty, "\(emitted)")
    let value = try #require(documents.first?.root["v"])
    #expect(value == .string(text), "emitted: \(emitted)")
  }

  @Test func numbersKeepTheirSpelling() {
    let (documents, _) = ManifestReader().parse("a: 0x1F\nb: 1.50\nc: 1_000\n")
    #expect(YAMLEmitter.emit(documents[0].root) == "a: 0x1F\nb: 1.50\nc: 1_000\n")
  }

  @Test func multiLineStringsUseLiteralBlocks() {
    let node = Node.mapping(["script": .string("set -e\necho hi\n")])
    #expect(YAMLEmitter.emit(node) == "script: |\n  set -e\n  echo hi\n")
  }

  @Test func keysThatLookLikeNumbersAreQuoted() {
    #expect(YAMLEmitter.emit(.mapping(["8080": .string("STRICT")])) == "\"8080\": STRICT\n")
  }
}

@Suite struct JSONEmitterTests {
  @Test func convertsValuesAsKubernetesDoes() {
    let (documents, _) = ManifestReader().parse("a: 0x1F\nb: yes\nc: ~\nd: \"x\\ny\"\ne: [1.5, {}]\n")
    #expect(
      JSONEmitter.emit(documents[0].root, pretty: false)
        == #"{"a":31,"b":true,"c":null,"d":"x\ny","e":[1.5,{}]}"#)
  }

  @Test func prettyPrintsWithTwoSpaces() {
    #expect(JSONEmitter.emit(.mapping(["a": .sequence([.int(1)])])) == "{\n  \"a\": [\n    1\n  ]\n}")
  }

  @Test func escapesControlCharacters() {
    #expect(JSONEmitter.quote("a\u{1}\"\\") == #""a\u0001\"\\""#)
  }

  // Fuzz/corpus/FuzzAPIAnswer/regression-json-nel-c1-del: a string with NEL, written raw, came
  // back from meshctl's reader as a line break (and DEL, C1 controls, U+FFFF as refused input).
  @Test func escapesWhatTheReaderRefusesOrReadsAsLineBreaks() {
    let tricky = ["a\u{85}b", "\u{80}\u{9F}", "\u{7F}", "\u{2028}\u{2029}", "\u{FFFE}\u{FFFF}"]
    #expect(tricky.map(JSONEmitter.quote) == [
      #""a\u0085b""#, #""\u0080\u009F""#, #""\u007F""#, #""\u2028\u2029""#, #""\uFFFE\uFFFF""#,
    ])
    let tree = Node.mapping(tricky.map { MappingEntry(key: $0, value: .string("x" + $0)) })
    let (documents, diagnostics) = ManifestReader().parse(JSONEmitter.emit(tree, pretty: false))
    #expect(diagnostics.isEmpty)
    #expect(documents.first?.root == tree)
    #expect(JSONEmitter.quote("ünï ©") == "\"ünï ©\"")
  }
}

/// The emitter's promise: whatever tree goes in, reading the output gives the same tree back.
@Suite struct RoundTripPropertyTests {
  @Test func randomTreesSurviveEmitAndParse() throws {
    var generator = TreeGenerator(seed: 0x5EED)
    for iteration in 0..<500 {
      let tree = generator.tree(depth: 4)
      let text = YAMLEmitter.emit(tree)
      let (documents, diagnostics) = ManifestReader().parse(text)
      #expect(diagnostics.isEmpty, "iteration \(iteration):\n\(text)")
      let parsed = try #require(documents.first, "iteration \(iteration): no document in\n\(text)")
      #expect(parsed.root == tree, "iteration \(iteration):\n\(text)")
      if parsed.root != tree { return }
    }
  }
}

/// A seeded generator of trees full of strings YAML likes to misread.
struct TreeGenerator {
  private var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next(_ bound: Int) -> Int {
    // SplitMix64: small, seedable, good enough to pick shapes.
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return Int((z ^ (z >> 31)) % UInt64(bound))
  }

  static let tricky = [
    "true", "yes", "no", "on", "off", "y", "n", "null", "~", "", "1", "-1", "1.5", "1e5", "0o17", "0755",
    "0x1F", ".nan", "2024-01-01", "a: b", "#x", "- x", "x #y", "*a", "&a", "!a", "|", ">", "\"", "'",
    " x", "x ", "multi\nline", "multi\nline\n", "trailing\n\n", "tab\there", "ünï", "日本", "emoji 🎉",
    "back\\slash", "\u{2028}", "ctl\u{1}", "<<", "=", "?", ":", "key: value\nmore", "end:", "{}", "[]",
    "--flag", "---", "...", "-", "-x", "it's", "say \"hi\"", "a\\b",
  ]

  mutating func string() -> String {
    next(3) == 0 ? "plain\(next(100))" : Self.tricky[next(Self.tricky.count)]
  }

  mutating func scalar() -> Node {
    switch next(6) {
    case 0: return .int(next(100_000) - 50_000)
    case 1: return .bool(next(2) == 0)
    case 2: return .null
    case 3: return .float(Double(next(1000)) / 8)
    default: return .string(string())
    }
  }

  mutating func tree(depth: Int) -> Node {
    guard depth > 0, next(4) != 0 else { return scalar() }
    if next(2) == 0 {
      return .sequence((0..<next(4)).map { _ in tree(depth: depth - 1) })
    }
    var entries: [MappingEntry] = []
    var keys = Set<String>()
    for _ in 0..<next(5) {
      let key = string()
      // Keys must be unique; a null or bool key would be renamed by Kubernetes' key rules.
      guard keys.insert(key).inserted, YAMLResolver.kind(ofPlain: key) == .string || key.contains(" ") || !YAMLEmitter.isPlainSafe(key) else { continue }
      entries.append(MappingEntry(key: key, value: tree(depth: depth - 1)))
    }
    return .mapping(entries)
  }
}
