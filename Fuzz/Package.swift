// swift-tools-version:6.0
// libFuzzer targets for meshctl. A separate package so that the main build never needs the
// fuzzer runtime: `Fuzz/run.sh` builds it with `swift build -c release --sanitize=fuzzer`.
// Each target is an executable whose `main` comes from libFuzzer, hence `-parse-as-library`.
import PackageDescription

let fuzzSettings: [SwiftSetting] = [.unsafeFlags(["-parse-as-library"])]

let package = Package(
  name: "MeshctlFuzz",
  platforms: [.macOS(.v13)],
  dependencies: [
    .package(name: "meshctl", path: "..")
  ],
  targets: [
    // Bytes → ManifestReader → Validator, with round-trip invariants on the document slices.
    .executableTarget(
      name: "FuzzManifest",
      dependencies: [
        .product(name: "Manifest", package: "meshctl"),
        .product(name: "MeshSchema", package: "meshctl"),
      ],
      swiftSettings: fuzzSettings
    ),
    // Bytes → documents → inject/uninject, with idempotency and round-trip invariants.
    .executableTarget(
      name: "FuzzInjection",
      dependencies: [
        .product(name: "Manifest", package: "meshctl"),
        .product(name: "Injection", package: "meshctl"),
        .product(name: "MeshSchema", package: "meshctl"),
      ],
      swiftSettings: fuzzSettings
    ),
    // Bytes → kubeconfig → resolved connection (and the same bytes as an exec plugin's answer).
    // Needs the main package to export KubeClient: `.library(name: "KubeClient", targets:
    // ["KubeClient"])` in ../Package.swift's products.
    .executableTarget(
      name: "FuzzKubeconfig",
      dependencies: [
        .product(name: "KubeClient", package: "meshctl"),
      ],
      swiftSettings: fuzzSettings
    ),
    // Bytes → an API error answer's body → APIStatus and the APIError built from it.
    .executableTarget(
      name: "FuzzAPIStatus",
      dependencies: [
        .product(name: "KubeClient", package: "meshctl"),
        .product(name: "Manifest", package: "meshctl"),
      ],
      swiftSettings: fuzzSettings
    ),
    // Bytes → a 200 answer's body → every KubeAPI call that decodes one.
    .executableTarget(
      name: "FuzzAPIAnswer",
      dependencies: [
        .product(name: "KubeClient", package: "meshctl"),
        .product(name: "Manifest", package: "meshctl"),
      ],
      swiftSettings: fuzzSettings
    ),
    // Bytes → documents → edits chosen from the input → SurgicalEmitter.splice, with read-back
    // and unchanged-bytes invariants.
    .executableTarget(
      name: "FuzzSurgical",
      dependencies: [
        .product(name: "Manifest", package: "meshctl"),
      ],
      swiftSettings: fuzzSettings
    ),
    // Next targets go here: one directory under Sources/ each, same settings.
  ]
)
