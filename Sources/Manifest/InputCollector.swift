#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One input to read: a file, or standard input.
public enum InputPath: Sendable, Hashable {
  /// A file on disk.
  case file(String)
  /// Standard input (`-f -`).
  case standardInput
  /// A path a directory walk found but cannot read (a dangling link, an unreadable directory,
  /// a FIFO): reported when its turn comes, while the other inputs are still read.
  case unreadable(path: String, reason: String)

  /// The name used in messages (`-` for standard input, as kubectl prints it).
  public var displayName: String {
    switch self {
    case .file(let path), .unreadable(let path, _): return path
    case .standardInput: return "-"
    }
  }
}

/// Expands `-f` arguments into the files to read, as kubectl does: files as given, directories
/// to their `.yaml`, `.yml` and `.json` files in name order (with `recursive`, all the way down),
/// `-` to standard input. A walk follows symbolic links but visits each real directory and file
/// once (by device and inode), so a link loop ends and a file reached twice is read once; what
/// it cannot read becomes an `.unreadable` input instead of ending the walk.
public struct InputCollector: Sendable {
  /// File name endings that count as manifests inside directories.
  public static let manifestExtensions = [".yaml", ".yml", ".json"]

  /// Whether directories are searched all the way down (`-R`).
  public var recursive: Bool

  /// Creates a collector.
  public init(recursive: Bool) {
    self.recursive = recursive
  }

  /// The inputs named by `arguments`, in order, each once.
  public func collect(_ arguments: [String]) throws -> [InputPath] {
    var walk = Walk()
    var inputs: [InputPath] = []
    var seen = Set<InputPath>()
    for argument in arguments {
      for input in try expand(argument, &walk) where seen.insert(input).inserted {
        inputs.append(input)
      }
    }
    return inputs
  }

  /// The real files and directories a walk has reached.
  private struct Walk {
    var visited = Set<FileIdentity>()
  }

  /// A file's identity whatever path reaches it.
  private struct FileIdentity: Hashable {
    var device: UInt64
    var inode: UInt64

    init(_ info: stat) {
      device = UInt64(info.st_dev)
      inode = UInt64(info.st_ino)
    }
  }

  private func expand(_ argument: String, _ walk: inout Walk) throws -> [InputPath] {
    if argument == "-" { return [.standardInput] }
    var info = stat()
    guard stat(argument, &info) == 0 else {
      if errno == ENOENT || errno == ENOTDIR { throw ManifestError.notFound(path: argument) }
      throw ManifestError.unreadable(path: argument, reason: errnoDescription())
    }
    // A file named on the command line is read whatever it is (a pipe from `<(...)` too).
    guard info.st_mode & S_IFMT == S_IFDIR else { return [.file(argument)] }
    walk.visited.insert(FileIdentity(info))
    guard let names = Self.entries(of: argument) else {
      throw ManifestError.unreadable(path: argument, reason: errnoDescription())
    }
    let inputs = manifestInputs(in: argument, names: names, descend: recursive, &walk)
    if inputs.isEmpty { throw ManifestError.noManifests(path: argument) }
    return inputs
  }

  /// The names in `directory` but `.` and `..`, sorted; nil (errno set) when it cannot be read.
  private static func entries(of directory: String) -> [String]? {
    guard let handle = opendir(directory) else { return nil }
    defer { closedir(handle) }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
      }
      if name == "." || name == ".." { continue }
      names.append(name)
    }
    return names.sorted()
  }

  /// Manifest inputs below `directory`, sorted by name at each level, files before
  /// subdirectories'.
  private func manifestInputs(in directory: String, names: [String], descend: Bool, _ walk: inout Walk) -> [InputPath] {
    var inputs: [InputPath] = []
    var subdirectories: [String] = []
    for name in names {
      let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
      let isManifest = Self.manifestExtensions.contains(where: { name.hasSuffix($0) })
      var info = stat()
      guard stat(path, &info) == 0 else {
        // A dangling link or a file that vanished: kubectl reports it, so does meshctl.
        if isManifest {
          inputs.append(.unreadable(path: path, reason: errnoDescription()))
        }
        continue
      }
      let kind = info.st_mode & S_IFMT
      if kind == S_IFDIR {
        // Hidden directories (.git, .github) are never manifests.
        if descend, !name.hasPrefix("."), walk.visited.insert(FileIdentity(info)).inserted {
          subdirectories.append(path)
        }
      } else if isManifest, walk.visited.insert(FileIdentity(info)).inserted {
        // A FIFO or device in a tree would block the walk or never end: only regular files.
        inputs.append(kind == S_IFREG ? .file(path) : .unreadable(path: path, reason: "not a regular file"))
      }
    }
    for subdirectory in subdirectories {
      guard let names = Self.entries(of: subdirectory) else {
        inputs.append(.unreadable(path: subdirectory, reason: errnoDescription()))
        continue
      }
      inputs += manifestInputs(in: subdirectory, names: names, descend: true, &walk)
    }
    return inputs
  }
}

/// `--exclude` patterns: shell globs over paths as the inputs name them. `*`, `?` and `[...]`
/// match within one path segment (fnmatch with `FNM_PATHNAME`); a `**` segment matches any
/// number of segments, none included. A pattern without `/` is tried against every segment (so
/// `*_test.yaml` or `vendor` match at any depth); a pattern with `/` against the whole path,
/// a leading `./` ignored on both sides. A pattern that matches a directory excludes
/// everything below it. Standard input is never excluded.
public struct PathExclusion: Sendable {
  /// The patterns, as given.
  public let patterns: [String]

  /// Excludes what any of `patterns` matches.
  public init(_ patterns: [String]) {
    self.patterns = patterns
  }

  /// Whether `input` is excluded.
  public func excludes(_ input: InputPath) -> Bool {
    switch input {
    case .standardInput: return false
    case .file(let path), .unreadable(let path, _): return excludes(path: path)
    }
  }

  /// Whether a path is excluded.
  public func excludes(path: String) -> Bool {
    let segments = Self.segments(path)
    return patterns.contains { pattern in
      let parts = Self.segments(pattern)
      if parts.count == 1, parts[0] != "**" {
        return segments.contains { Self.matches(parts[0], $0) }
      }
      return Self.matchesPrefix(parts[...], segments[...])
    }
  }

  /// The non-empty segments of a path, without `.` segments.
  private static func segments(_ path: String) -> [String] {
    path.split(separator: "/").map(String.init).filter { $0 != "." }
  }

  /// Whether the pattern's segments match the path's first segments (a directory matched
  /// excludes its contents).
  private static func matchesPrefix(_ pattern: ArraySlice<String>, _ path: ArraySlice<String>) -> Bool {
    guard let first = pattern.first else { return true }
    if first == "**" {
      let rest = pattern.dropFirst()
      return path.indices.contains { matchesPrefix(rest, path[$0...]) } || matchesPrefix(rest, path[path.endIndex...])
    }
    guard let segment = path.first, matches(first, segment) else { return false }
    return matchesPrefix(pattern.dropFirst(), path.dropFirst())
  }

  /// One segment against one glob segment.
  private static func matches(_ pattern: String, _ segment: String) -> Bool {
    fnmatch(pattern, segment, FNM_PATHNAME) == 0
  }
}
