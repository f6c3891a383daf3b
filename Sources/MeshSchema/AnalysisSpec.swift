import Manifest

/// One analysis of a canary step, as written after `--analysis` or in a TrafficSplit's
/// `spec.analysis`: a metric, a comparison and a threshold.
///
/// ```
/// success-rate>=99.5      percent of responses that are not failures (`%` may follow)
/// latency-p99<=300ms      a latency quantile: p50, p90, p95 or p99; ms or s
/// request-rate>=10        requests per second
/// ```
/// The comparisons are `>=`, `<=`, `>` and `<`; spaces around them are allowed.
public struct AnalysisSpec: Sendable, Hashable, CustomStringConvertible {
  /// What is measured.
  public enum Metric: Sendable, Hashable {
    /// Percent (0–100) of responses that are not failures.
    case successRate
    /// A latency quantile in milliseconds; the percentile is 50, 90, 95 or 99.
    case latency(percentile: Int)
    /// Requests per second.
    case requestRate

    /// The name as written in a spec (`success-rate`, `latency-p99`, `request-rate`).
    public var name: String {
      switch self {
      case .successRate: return "success-rate"
      case .latency(let percentile): return "latency-p\(percentile)"
      case .requestRate: return "request-rate"
      }
    }

    /// The unit of measured values and thresholds, for display (`%`, `ms`, `req/s`).
    public var unit: String {
      switch self {
      case .successRate: return "%"
      case .latency: return "ms"
      case .requestRate: return "req/s"
      }
    }
  }

  /// How the measured value must compare with the threshold.
  public enum Comparison: String, Sendable, Hashable, CaseIterable {
    /// At least.
    case atLeast = ">="
    /// At most.
    case atMost = "<="
    /// More than.
    case greater = ">"
    /// Less than.
    case less = "<"

    /// Whether `value` passes against `threshold`.
    public func holds(_ value: Double, _ threshold: Double) -> Bool {
      switch self {
      case .atLeast: return value >= threshold
      case .atMost: return value <= threshold
      case .greater: return value > threshold
      case .less: return value < threshold
      }
    }
  }

  /// The percentiles a latency analysis may name.
  public static let percentiles = [50, 90, 95, 99]

  /// The metric.
  public var metric: Metric
  /// The comparison.
  public var comparison: Comparison
  /// The threshold in the metric's unit (percent, milliseconds, requests per second).
  public var threshold: Double
  /// The spec as written.
  public var text: String

  /// Creates a spec; `text` defaults to its canonical spelling.
  public init(metric: Metric, comparison: Comparison, threshold: Double, text: String? = nil) {
    self.metric = metric
    self.comparison = comparison
    self.threshold = threshold
    self.text =
      text ?? "\(metric.name)\(comparison.rawValue)\(AnalysisSpec.format(threshold))\(metric.unit == "ms" ? "ms" : "")"
  }

  /// The canonical spelling, e.g. `latency-p99<=300ms`.
  public var description: String {
    "\(metric.name)\(comparison.rawValue)\(Self.format(threshold))\(metric.unit == "ms" ? "ms" : "")"
  }

  /// Reads a spec; throws `CanaryAnalysisError.invalidSpec` naming what is wrong and the grammar.
  public static func parse(_ text: String) throws -> AnalysisSpec {
    let compact = String(text.unicodeScalars.filter { $0 != " " && $0 != "\t" })
    func fail(_ reason: String) -> CanaryAnalysisError { .invalidSpec(text, reason: reason) }
    // The longest operator first, so `>=` is not read as `>` followed by `=...`.
    guard let (name, comparison, rest) = split(compact) else {
      throw fail("no comparison; write e.g. success-rate>=99.5 or latency-p99<=300ms")
    }
    let metric: Metric
    switch name {
    case "success-rate": metric = .successRate
    case "request-rate": metric = .requestRate
    default:
      guard name.hasPrefix("latency-p"), let percentile = Int(name.dropFirst("latency-p".count)) else {
        throw fail("unknown metric \"\(name)\"; use success-rate, latency-p50/p90/p95/p99 or request-rate")
      }
      guard percentiles.contains(percentile) else {
        throw fail("latency percentile p\(percentile) is not offered; use p50, p90, p95 or p99")
      }
      metric = .latency(percentile: percentile)
    }
    var number = Substring(rest)
    var scale = 1.0
    switch metric {
    case .successRate:
      if number.hasSuffix("%") { number = number.dropLast() }
    case .latency:
      if number.hasSuffix("ms") {
        number = number.dropLast(2)
      } else if number.hasSuffix("s") {
        number = number.dropLast()
        scale = 1000
      } else {
        throw fail("a latency needs a unit: ms or s (e.g. 300ms)")
      }
    case .requestRate:
      if number.hasSuffix("/s") { number = number.dropLast(2) }
    }
    guard !number.isEmpty, number.allSatisfy({ $0.isNumber || $0 == "." }), let value = Double(number), value >= 0
    else {
      throw fail("\"\(rest)\" is not a non-negative number")
    }
    if metric == .successRate, value > 100 { throw fail("a success rate is a percentage, at most 100") }
    return AnalysisSpec(metric: metric, comparison: comparison, threshold: value * scale, text: text)
  }

  private static func split(_ text: String) -> (String, Comparison, String)? {
    guard let start = text.firstIndex(where: { $0 == ">" || $0 == "<" }) else { return nil }
    var end = text.index(after: start)
    if end < text.endIndex, text[end] == "=" { end = text.index(after: end) }
    guard let comparison = Comparison(rawValue: String(text[start..<end])) else { return nil }
    return (String(text[..<start]), comparison, String(text[end...]))
  }

  /// A number without a trailing `.0` (`99.5`, `300`).
  public static func format(_ value: Double) -> String {
    if value.isNaN { return "NaN" }
    if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    let rounded = (value * 1000).rounded() / 1000
    return rounded == rounded.rounded() ? String(Int64(rounded)) : String(rounded)
  }
}

/// A bad analysis spec or window (a usage error, exit 64).
public enum CanaryAnalysisError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The spec does not follow the grammar.
  case invalidSpec(String, reason: String)
  /// The window is not a positive duration.
  case invalidWindow(String)

  /// The message.
  public var description: String {
    switch self {
    case .invalidSpec(let text, let reason): return "invalid analysis \"\(text)\": \(reason)"
    case .invalidWindow(let text): return "invalid analysis window \(text): it must be at least 1ms"
    }
  }
}
