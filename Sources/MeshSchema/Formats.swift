// String formats of Kubernetes and the meshes, checked by hand rather than with regular
// expressions: no Foundation, no regex compilation at start-up, and exact messages.

/// A format a string must have.
public enum StringFormat: String, Sendable, Hashable, CaseIterable {
  /// RFC 1123 label: lowercase alphanumerics and `-`, at most 63, starting and ending alphanumeric.
  case dns1123Label
  /// RFC 1123 subdomain: dot-separated labels, at most 253.
  case dns1123Subdomain
  /// RFC 1035 label (Service names): a DNS-1123 label that starts with a letter.
  case dns1035Label
  /// A label or annotation key: an optional DNS subdomain prefix and `/`, then a name of at most 63.
  case labelKey
  /// A label value: empty, or at most 63 alphanumerics, `-`, `_`, `.`, starting and ending alphanumeric.
  case labelValue
  /// A resource quantity: `100m`, `1.5Gi`, `2e3`.
  case quantity
  /// A Go duration: `1m30s`, `250ms`, `0`.
  case duration
  /// A port name (IANA_SVC_NAME): at most 15 lowercase alphanumerics and `-`, with a letter.
  case portName
  /// A port number written as a string (`"8080"`), as keys of port maps are.
  case portNumber
  /// An IPv4 or IPv6 CIDR block (`10.0.0.0/8`); `*` means all.
  case cidr
  /// An HTTP header name (RFC 7230 token).
  case httpHeaderName
  /// A percentage (`25%`).
  case percent
  /// A Kubernetes version: `1.30`, `v1.30` or `1.30.2`.
  case kubernetesVersion
  /// Bytes in standard base64 with padding (OpenAPI `format: byte`: Secret `data`, `caBundle`);
  /// line breaks are ignored, as the API server's decoder does.
  case base64

  /// Why `text` does not have this format; nil when it does.
  public func problem(with text: String) -> String? {
    switch self {
    case .dns1123Label: return Formats.dns1123LabelProblem(text)
    case .dns1123Subdomain: return Formats.dns1123SubdomainProblem(text)
    case .dns1035Label: return Formats.dns1035LabelProblem(text)
    case .labelKey: return Formats.labelKeyProblem(text)
    case .labelValue: return Formats.labelValueProblem(text)
    case .quantity: return Formats.isQuantity(text) ? nil : "write e.g. `500m`, `1Gi` or `2`"
    case .duration: return Formats.isDuration(text) ? nil : "write e.g. `1m30s`, `250ms` or `10s`"
    case .portName: return Formats.portNameProblem(text)
    case .portNumber:
      guard let value = Int(text), value >= 1, value <= 65535, text.first != "0" else {
        return "must be a number from 1 to 65535"
      }
      return nil
    case .cidr: return Formats.isCIDR(text) ? nil : "write e.g. `10.0.0.0/8` or `fd00::/8`"
    case .httpHeaderName:
      return Formats.isToken(text) ? nil : "use only letters, digits and !#$%&'*+-.^_`|~"
    case .percent: return Formats.isPercent(text) ? nil : "write e.g. `25%`"
    case .kubernetesVersion: return Formats.isKubernetesVersion(text) ? nil : "write e.g. `1.30`"
    case .base64: return Formats.isBase64(text) ? nil : "encode the value, e.g. `echo -n value | base64`"
    }
  }

  /// Whether `text` has this format.
  public func accepts(_ text: String) -> Bool { problem(with: text) == nil }

  /// A short name for messages: "DNS-1123 label".
  public var displayName: String {
    switch self {
    case .dns1123Label: return "DNS-1123 label"
    case .dns1123Subdomain: return "DNS-1123 subdomain"
    case .dns1035Label: return "DNS-1035 label"
    case .labelKey: return "label key"
    case .labelValue: return "label value"
    case .quantity: return "quantity"
    case .duration: return "duration"
    case .portName: return "port name"
    case .portNumber: return "port number"
    case .cidr: return "CIDR block"
    case .httpHeaderName: return "HTTP header name"
    case .percent: return "percentage"
    case .kubernetesVersion: return "Kubernetes version"
    case .base64: return "base64 string"
    }
  }

  /// "a" or "an", for messages.
  var article: String { self == .httpHeaderName ? "an" : "a" }

  /// An ECMAScript pattern for JSON Schema export, when one says the format exactly enough.
  public var pattern: String? {
    switch self {
    case .dns1123Label: return "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
    case .dns1123Subdomain: return "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
    case .dns1035Label: return "^[a-z]([-a-z0-9]*[a-z0-9])?$"
    case .labelKey:
      return
        "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
    case .labelValue: return "^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$"
    case .quantity:
      return "^[+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$"
    case .duration: return "^([-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|ms|s|m|h))+$|^0$"
    case .portName: return "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
    case .portNumber: return "^[1-9][0-9]{0,4}$"
    case .cidr: return nil
    case .httpHeaderName: return "^[-!#$%&'*+.^_`|~0-9A-Za-z]+$"
    case .percent: return "^[0-9]+%$"
    case .kubernetesVersion: return "^v?1\\.[0-9]+(\\.[0-9]+)?$"
    case .base64: return nil
    }
  }

  /// The most characters allowed, when the format bounds them.
  public var maxLength: Int? {
    switch self {
    case .dns1123Label, .dns1035Label, .labelValue: return 63
    case .dns1123Subdomain: return 253
    case .portName: return 15
    default: return nil
    }
  }
}

/// The checks behind `StringFormat`, usable on their own.
public enum Formats {
  /// Standard base64 with padding, line breaks ignored (Go's `base64.StdEncoding`).
  public static func isBase64(_ text: String) -> Bool {
    var count = 0
    var padding = 0
    for byte in text.utf8 where byte != 0x0A && byte != 0x0D {
      count += 1
      if byte == 0x3D {  // `=`: only at the end, at most two
        padding += 1
        continue
      }
      let isAlphabet = isAlnum(byte) || byte == 0x2B || byte == 0x2F  // + /
      if !isAlphabet || padding > 0 { return false }
    }
    return count % 4 == 0 && padding <= 2
  }

  static func isLowerAlnum(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
  static func isAlnum(_ c: UInt8) -> Bool { isLowerAlnum(c) || (c >= 0x41 && c <= 0x5A) }
  static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
  static let dash = UInt8(ascii: "-")

  /// Why `text` is not a DNS-1123 label; nil when it is.
  public static func dns1123LabelProblem(_ text: String) -> String? {
    var text = text
    // On the contiguous bytes: the UTF-8 view's `last` alone cost more than the whole check.
    return text.withUTF8 { bytes in
      if bytes.isEmpty { return "must not be empty" }
      if bytes.count > 63 { return "must be at most 63 characters (has \(bytes.count))" }
      guard bytes.allSatisfy({ isLowerAlnum($0) || $0 == dash }) else {
        return "must consist of lowercase letters, digits and '-'"
      }
      guard isLowerAlnum(bytes.first!), isLowerAlnum(bytes.last!) else {
        return "must start and end with a lowercase letter or digit"
      }
      return nil
    }
  }

  /// Why `text` is not a DNS-1123 subdomain; nil when it is. Scans the bytes in place: it runs
  /// for every name, namespace and label key.
  public static func dns1123SubdomainProblem(_ text: String) -> String? {
    var text = text
    return text.withUTF8 { dns1123SubdomainProblem(bytes: $0[...]) }
  }

  static func dns1123SubdomainProblem(bytes: Slice<UnsafeBufferPointer<UInt8>>) -> String? {
    if bytes.isEmpty { return "must not be empty" }
    if bytes.count > 253 { return "must be at most 253 characters" }
    var start = bytes.startIndex
    while true {
      let end = bytes[start...].firstIndex(of: UInt8(ascii: ".")) ?? bytes.endIndex
      let label = bytes[start..<end]
      guard let first = label.first, let last = label.last else { return "must not contain empty labels" }
      guard label.allSatisfy({ isLowerAlnum($0) || $0 == dash }) else {
        return "must consist of lowercase letters, digits, '-' and '.'"
      }
      guard isLowerAlnum(first), isLowerAlnum(last) else {
        return "each part must start and end with a lowercase letter or digit"
      }
      guard end < bytes.endIndex else { return nil }
      start = end + 1
    }
  }

  /// Why `text` is not a DNS-1035 label; nil when it is.
  public static func dns1035LabelProblem(_ text: String) -> String? {
    if let problem = dns1123LabelProblem(text) { return problem }
    guard let first = text.utf8.first, first >= 0x61, first <= 0x7A else { return "must start with a lowercase letter" }
    return nil
  }

  /// Why `text` is not a qualified name part (the name of a label key, a label value's shape).
  static func qualifiedNameProblem<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> String? {
    if bytes.isEmpty { return "name part must not be empty" }
    if bytes.count > 63 { return "name part must be at most 63 characters" }
    guard bytes.allSatisfy({ isAlnum($0) || $0 == dash || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") })
    else { return "must consist of letters, digits, '-', '_' and '.'" }
    guard isAlnum(bytes.first!), isAlnum(bytes.last!) else { return "must start and end with a letter or digit" }
    return nil
  }

  /// Why `text` is not a label key; nil when it is.
  public static func labelKeyProblem(_ text: String) -> String? {
    var text = text
    return text.withUTF8 { bytes in
      guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { return qualifiedNameProblem(bytes[...]) }
      if let problem = dns1123SubdomainProblem(bytes: bytes[..<slash]) { return "prefix \(problem)" }
      return qualifiedNameProblem(bytes[(slash + 1)...])
    }
  }

  /// Why `text` is not a label value; nil when it is.
  public static func labelValueProblem(_ text: String) -> String? {
    if text.isEmpty { return nil }
    var text = text
    return text.withUTF8 { bytes in
      if bytes.count > 63 { return "must be at most 63 characters (has \(bytes.count))" }
      return qualifiedNameProblem(bytes[...])
    }
  }

  /// Why `text` is not an IANA service name (port names); nil when it is.
  public static func portNameProblem(_ text: String) -> String? {
    var text = text
    // On the bytes: String.contains("--") went through the generic string-search algorithms,
    // thousands of instructions for a 15-byte name.
    return text.withUTF8 { bytes in
      if bytes.isEmpty { return "must not be empty" }
      if bytes.count > 15 { return "must be at most 15 characters" }
      guard bytes.allSatisfy({ isLowerAlnum($0) || $0 == dash }) else {
        return "must consist of lowercase letters, digits and '-'"
      }
      guard bytes.first != dash, bytes.last != dash else { return "must not start or end with '-'" }
      if zip(bytes, bytes.dropFirst()).contains(where: { $0 == dash && $1 == dash }) { return "must not contain '--'" }
      guard bytes.contains(where: { $0 >= 0x61 && $0 <= 0x7A }) else { return "must contain a letter" }
      return nil
    }
  }

  /// Whether `text` is a Kubernetes quantity: a signed decimal, then a binary-SI suffix
  /// (`Ki`..`Ei`), a decimal-SI suffix (`n u m k M G T P E`) or an exponent (`e3`).
  public static func isQuantity(_ text: String) -> Bool {
    var bytes = Substring(text).utf8
    if let first = bytes.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
    var integerDigits = 0
    while let c = bytes.first, isDigit(c) {
      integerDigits += 1
      bytes = bytes.dropFirst()
    }
    var fractionDigits = 0
    if bytes.first == UInt8(ascii: ".") {
      bytes = bytes.dropFirst()
      while let c = bytes.first, isDigit(c) {
        fractionDigits += 1
        bytes = bytes.dropFirst()
      }
    }
    guard integerDigits + fractionDigits > 0 else { return false }
    let suffix = String(decoding: bytes, as: UTF8.self)
    switch suffix {
    case "", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei": return true
    default: break
    }
    guard let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") else { return false }
    var exponent = bytes.dropFirst()
    if let sign = exponent.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
      exponent = exponent.dropFirst()
    }
    return !exponent.isEmpty && exponent.allSatisfy(isDigit)
  }

  /// Whether `text` is a Go duration (`time.ParseDuration`): `0`, or signed sequences of a
  /// decimal number and a unit (`ns us µs ms s m h`), e.g. `1h30m`, `1.5s`.
  public static func isDuration(_ text: String) -> Bool {
    var scalars = Array(text.unicodeScalars)[...]
    if let sign = scalars.first, sign == "+" || sign == "-" { scalars = scalars.dropFirst() }
    if scalars.count == 1, scalars.first == "0" { return true }
    guard !scalars.isEmpty else { return false }
    while !scalars.isEmpty {
      var digits = 0
      while let c = scalars.first, ("0"..."9").contains(c) {
        digits += 1
        scalars = scalars.dropFirst()
      }
      if scalars.first == "." {
        scalars = scalars.dropFirst()
        while let c = scalars.first, ("0"..."9").contains(c) {
          digits += 1
          scalars = scalars.dropFirst()
        }
      }
      guard digits > 0 else { return false }
      var unit = ""
      while let c = scalars.first, !("0"..."9").contains(c), c != "." {
        unit.unicodeScalars.append(c)
        scalars = scalars.dropFirst()
      }
      switch unit {
      case "ns", "us", "µs", "μs", "ms", "s", "m", "h": continue
      default: return false
      }
    }
    return true
  }

  /// Whether `text` is an IPv4 or IPv6 CIDR block, or `*`.
  public static func isCIDR(_ text: String) -> Bool {
    if text == "*" { return true }
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let bits = Int(parts[1]), !parts[1].hasPrefix("+") else { return false }
    if isIPv4(parts[0]) { return (0...32).contains(bits) }
    if isIPv6(parts[0]) { return (0...128).contains(bits) }
    return false
  }

  /// Whether `text` is a dotted-quad IPv4 address.
  public static func isIPv4(_ text: Substring) -> Bool {
    let octets = text.split(separator: ".", omittingEmptySubsequences: false)
    return octets.count == 4
      && octets.allSatisfy { octet in
        !octet.isEmpty && octet.count <= 3 && octet.utf8.allSatisfy(isDigit) && (Int(octet) ?? 256) <= 255
      }
  }

  /// Whether `text` is an IPv6 address (hex groups, one `::` allowed, optional IPv4 tail).
  public static func isIPv6(_ text: Substring) -> Bool {
    guard text.contains(":") else { return false }
    let halves = text.components(separatedBy: "::")
    guard halves.count <= 2 else { return false }
    var groups = 0
    for (halfIndex, half) in halves.enumerated() {
      if half.isEmpty { continue }
      let parts = half.split(separator: ":", omittingEmptySubsequences: false)
      for (position, part) in parts.enumerated() {
        let isLast = halfIndex == halves.count - 1 && position == parts.count - 1
        if isLast, part.contains(".") {
          guard isIPv4(part) else { return false }
          groups += 2
          continue
        }
        guard (1...4).contains(part.count), part.allSatisfy(\.isHexDigit) else { return false }
        groups += 1
      }
    }
    return halves.count == 2 ? groups < 8 : groups == 8
  }

  /// Whether `text` is an RFC 7230 token (HTTP header names).
  public static func isToken(_ text: String) -> Bool {
    !text.isEmpty && text.utf8.allSatisfy { c in isAlnum(c) || "!#$%&'*+-.^_`|~".utf8.contains(c) }
  }

  /// Whether `text` is digits followed by `%`.
  public static func isPercent(_ text: String) -> Bool {
    guard text.hasSuffix("%") else { return false }
    let digits = text.utf8.dropLast()
    return !digits.isEmpty && digits.allSatisfy(isDigit)
  }

  /// `1.30`, `v1.30`, `1.30.2`: Kubernetes 1.x with a minor and an optional patch number.
  public static func isKubernetesVersion(_ text: String) -> Bool {
    let parts = text.drop { $0 == "v" }.split(separator: ".", omittingEmptySubsequences: false)
    return (2...3).contains(parts.count) && parts[0] == "1"
      && parts.dropFirst().allSatisfy { !$0.isEmpty && $0.utf8.allSatisfy(isDigit) }
  }
}

extension Substring {
  /// Splits on a multi-character separator without Foundation.
  fileprivate func components(separatedBy separator: String) -> [Substring] {
    var result: [Substring] = []
    var rest = self[...]
    while let range = rest.firstRange(of: separator) {
      result.append(rest[..<range.lowerBound])
      rest = rest[range.upperBound...]
    }
    result.append(rest)
    return result
  }
}
