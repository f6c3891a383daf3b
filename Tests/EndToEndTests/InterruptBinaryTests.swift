import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// A TCP port on 127.0.0.1 that takes connections and never answers (nothing calls accept).
private final class SilentPort {
  let descriptor: Int32
  let port: Int
  init() throws {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
        bind(descriptor, pointer, length) == 0 && listen(descriptor, 16) == 0
          && getsockname(descriptor, pointer, &length) == 0
      }
    }
    self.descriptor = descriptor
    try #require(bound, "cannot listen on 127.0.0.1")
    port = Int(UInt16(bigEndian: address.sin_port))
  }
  deinit { close(descriptor) }
}

/// Signals and odd files for the built binary: SIGTERM and SIGINT end a command with exit 130,
/// `inject -i` leaves no temporary file behind, follows symbolic links and never reports a file
/// it could not write.
@Suite(.tags(.slow)) struct InterruptBinaryTests {
  static let deployment = """
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web, namespace: shop}
    spec:
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec:
          containers: [{name: web, image: nginx:1.27}]

    """

  func start(_ arguments: [String]) throws -> Process {
    try #require(FileManager.default.isExecutableFile(atPath: Binary.meshctl.path), "build meshctl first")
    let process = Process()
    process.executableURL = Binary.meshctl
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
  }

  @Test(arguments: [15, 2] as [Int32])  // SIGTERM, SIGINT
  func aSignalDuringApplyExitsWith130(signal: Int32) throws {
    let silent = try SilentPort()
    let scratch = try Scratch([
      "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: default}\n",
      "kubeconfig": """
      apiVersion: v1
      kind: Config
      clusters: [{name: c, cluster: {server: "https://127.0.0.1:\(silent.port)", insecure-skip-tls-verify: true}}]
      users: [{name: u, user: {token: t0ken-value}}]
      contexts: [{name: x, context: {cluster: c, user: u}}]
      current-context: x
      """,
    ])
    let process = try start(["apply", "-f", scratch.path("cm.yaml"), "--kubeconfig", scratch.path("kubeconfig")])
    usleep(500_000)  // the request is waiting on the silent server by now
    kill(process.processIdentifier, signal)
    process.waitUntilExit()
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 130)
  }

  @Test func inPlaceUnderSigtermLeavesNoTemporaryFileAndNoTornFile() throws {
    let original = String(repeating: Self.deployment + "---\n", count: 1500)
    let scratch = try Scratch(["app.yaml": original])
    let process = try start(["inject", "-i", "-f", scratch.path("app.yaml")])
    // SIGTERM the moment the temporary file appears: the write is in progress.
    var seen: [String] = []
    while process.isRunning, seen.isEmpty {
      seen = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.contains(".meshctl-") }
      if seen.isEmpty { usleep(200) } else { kill(process.processIdentifier, SIGTERM) }
    }
    process.waitUntilExit()
    #expect(!seen.isEmpty, "the write finished before the temporary file was seen")
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 130 || process.terminationStatus == 0)
    #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path) == ["app.yaml"])
    let now = try String(contentsOfFile: scratch.path("app.yaml"), encoding: .utf8)
    if now != original {
      let reference = try Scratch(["app.yaml": original])
      #expect(try Binary.run(["inject", "-i", "-f", reference.path("app.yaml")]).status == 0)
      #expect(now == (try String(contentsOfFile: reference.path("app.yaml"), encoding: .utf8)), "a torn file")
    }
  }

  @Test func inPlaceRewritesASymlinksTargetAndKeepsTheLink() throws {
    let scratch = try Scratch(["real.yaml": Self.deployment])
    try FileManager.default.createSymbolicLink(atPath: scratch.path("link.yaml"), withDestinationPath: "real.yaml")
    let result = try Binary.run(["inject", "-i", "-f", scratch.path("link.yaml")])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(try FileManager.default.destinationOfSymbolicLink(atPath: scratch.path("link.yaml")) == "real.yaml")
    #expect(try String(contentsOfFile: scratch.path("real.yaml"), encoding: .utf8).contains("istio-proxy"))
  }

  @Test func inPlaceNeverReportsInjectedForAFileItCouldNotWrite() throws {
    // The temporary name beside a 250-byte name is too long (ENAMETOOLONG), even for root.
    let long = String(repeating: "n", count: 245) + ".yaml"
    let scratch = try Scratch(["ok.yaml": Self.deployment, long: Self.deployment])
    let result = try Binary.run(["inject", "-i", "-f", scratch.path("ok.yaml"), "-f", scratch.path(long)])
    #expect(result.status != 0)
    #expect(result.stderr.contains("cannot create a temporary file"))
    let reports = result.stderr.split(separator: "\n").filter { $0.hasSuffix("injected") }
    #expect(reports == ["deployment/web injected"])
    #expect(try String(contentsOfFile: scratch.path(long), encoding: .utf8) == Self.deployment)
  }
}
