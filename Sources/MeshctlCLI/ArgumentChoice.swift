import ArgumentParser

/// An option value that is one of a fixed set of words, spelled as its raw value (`-o json`,
/// `--fail-on warning`, `--provider linkerd`).
///
/// The defaults below give the same strings as ArgumentParser's generic ones for
/// `CaseIterable & RawRepresentable` values, without the key path and `String(describing:)`
/// those build on every parse (about 80k instructions per option per parse; every command
/// line is parsed with its options' definitions rebuilt several times).
public protocol ArgumentChoice: ExpressibleByArgument, CaseIterable, RawRepresentable where RawValue == String {}

extension ArgumentChoice {
  /// The raw values, in declaration order (help, errors and completions list them).
  public static var allValueStrings: [String] { allCases.map { $0.rawValue } }

  /// None: a choice's description is its raw value, and ArgumentParser lists only values
  /// whose description differs from the value.
  public static var allValueDescriptions: [String: String] { [:] }

  /// The raw value (the `(default: ...)` in help).
  public var defaultValueDescription: String { rawValue }
}
