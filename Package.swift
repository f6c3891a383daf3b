// swift-tools-version:6.0
import PackageDescription

/// Release speed for the hot libraries: the reader and validator run per event and per node.
/// The dynamic exclusivity checks cost ~2% of validate; debug builds and the tests keep them.
/// Cross-module optimization lets the command line and schema inline the document model.
let speed: [SwiftSetting] = [
  .unsafeFlags(["-enforce-exclusivity=unchecked", "-cross-module-optimization"], .when(configuration: .release))
]

/// The release executable links libstdc++ statically when the Swift runtime is linked in
/// (`--static-swift-stdlib`): see link/libstdc++.so. The shared libstdc++ cost every start-up
/// ~1.7 M instructions in the dynamic loader (about 8% of `meshctl version`).
let staticLibstdcxx: [LinkerSetting] = [
  .unsafeFlags(["-L", Context.packageDirectory + "/link"], .when(platforms: [.linux], configuration: .release))
]

let package = Package(
  name: "meshctl",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "meshctl", targets: ["meshctl"]),
    .library(name: "Manifest", targets: ["Manifest"]),
    .library(name: "MeshSchema", targets: ["MeshSchema"]),
    .library(name: "Injection", targets: ["Injection"]),
    .library(name: "Policy", targets: ["Policy"]),
    .library(name: "KubeClient", targets: ["KubeClient"]),
    .library(name: "MeshOps", targets: ["MeshOps"]),
  ],
  dependencies: [
    // The only third-party dependency: command parsing, help, completions and man pages.
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    .systemLibrary(
      name: "CLibYAML",
      pkgConfig: "yaml-0.1",
      providers: [.apt(["libyaml-dev"])]
    ),
    .target(name: "Manifest", dependencies: ["CLibYAML"], swiftSettings: speed),
    // libcurl (headers: Debian libcurl4-openssl-dev) behind non-variadic C wrappers, loaded with
    // dlopen when a command first talks to a cluster: linked, it cost every start-up ~4 ms.
    .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
    .target(name: "KubeClient", dependencies: ["Manifest", "CCurl"]),
    .target(name: "MeshSchema", dependencies: ["Manifest"], swiftSettings: speed),
    .target(name: "Injection", dependencies: ["Manifest", "MeshSchema"], swiftSettings: speed),
    .target(name: "Policy", dependencies: ["Manifest", "MeshSchema"]),
    // Everything that reads a cluster, reasons about the mesh and writes back: the one library
    // that may use both Policy and KubeClient.
    .target(name: "MeshOps", dependencies: ["Manifest", "MeshSchema", "Policy", "KubeClient"]),
    .target(
      name: "MeshctlCLI",
      dependencies: [
        "Manifest",
        "MeshSchema",
        "Injection",
        "KubeClient",
        "Policy",
        "MeshOps",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(name: "meshctl", dependencies: ["MeshctlCLI"], linkerSettings: staticLibstdcxx),
    // What the test targets share: paths to the package and corpus, in-memory sources, the
    // scripted cluster transport.
    .target(
      name: "TestSupport", dependencies: ["Manifest", "MeshSchema", "Policy", "KubeClient"], path: "Tests/TestSupport"),
    .testTarget(name: "ManifestTests", dependencies: ["Manifest", "TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "MeshSchemaTests", dependencies: ["MeshSchema", "Manifest", "TestSupport"], exclude: ["Fixtures"]),
    .testTarget(name: "KubeClientTests", dependencies: ["KubeClient", "Manifest", "TestSupport"]),
    .testTarget(name: "InjectionTests", dependencies: ["Injection", "Manifest", "TestSupport"], exclude: ["Golden"]),
    .testTarget(
      name: "PolicyTests", dependencies: ["Policy", "Manifest", "MeshSchema", "TestSupport"], exclude: ["Golden"]),
    .testTarget(
      name: "MeshOpsTests", dependencies: ["MeshOps", "Policy", "Manifest", "MeshSchema", "KubeClient", "TestSupport"],
      exclude: ["Golden"]),
    .testTarget(
      name: "MeshctlCLITests",
      dependencies: ["MeshctlCLI", "MeshOps", "Manifest", "MeshSchema", "KubeClient", "TestSupport"]),
    .testTarget(name: "EndToEndTests", dependencies: ["Manifest", "TestSupport"]),
  ]
)
