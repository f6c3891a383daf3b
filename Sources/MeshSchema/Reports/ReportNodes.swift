import Manifest

// Reports are documents too: they are built as `Node` trees and written by `JSONEmitter`, so
// key order is what the code says and escaping is the one the emitter has.
extension Node {
  /// A mapping from ordered (key, value) pairs built at run time.
  static func object(_ members: [(String, Node)]) -> Node {
    .mapping(members.map { MappingEntry(key: $0.0, value: $0.1) })
  }

  /// A string node, or null when absent.
  static func optional(_ string: String?) -> Node {
    string.map(Node.string) ?? .null
  }

  /// The JSON text, indented by two spaces, ending in a newline.
  var renderedJSON: String { JSONEmitter.emit(self) + "\n" }
}
