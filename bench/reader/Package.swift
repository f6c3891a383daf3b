// swift-tools-version:6.0
// A benchmark-only executable: the library path of `meshctl validate` without the command line
// (ManifestReader over a file + Validator on every document). bench/run.sh builds it with
// `swift build -c release --static-swift-stdlib --package-path bench/reader` and compares it with
// the libyaml ceiling, so the reader's share of validate's time is visible on its own.
import PackageDescription

let package = Package(
  name: "MeshctlBench",
  platforms: [.macOS(.v13)],
  dependencies: [
    .package(name: "meshctl", path: "../..")
  ],
  targets: [
    .executableTarget(
      name: "manifest-read",
      dependencies: [
        .product(name: "Manifest", package: "meshctl"),
        .product(name: "MeshSchema", package: "meshctl"),
      ]
    )
  ]
)
