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

  /// The name used in messages (`-` for standard input, as kubectl prints it).
  public var displayName: String {
    switch self {
    case .file(let path): return path
    case .standardInput: return "-"
    }
  }
}

/// Expands `-f` arguments into the files to read, as kubectl does: files as given, directories
/// to their `.yaml`, `.yml` and `.json` files in name order (with `recursive`, all the way down),
/// `-` to standard input.
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
    var inputs: [InputPath] = []
    var seen = Set<InputPath>()
    for argument in arguments {
      for input in try expand(argument) where seen.insert(input).inserted {
        inputs.append(input)
      }
    }
    return inputs
  }

  private func expand(_ argument: String) throws -> [InputPath] {
    if argument == "-" { return [.standardInput] }
    var info = stat()
    guard stat(argument, &info) == 0 else {
      if errno == ENOENT || errno == ENOTDIR { throw ManifestError.notFound(path: argument) }
      throw ManifestError.unreadable(path: argument, reason: errnoDescription())
    }
    guard info.st_mode & S_IFMT == S_IFDIR else { return [.file(argument)] }
    let files = try manifestFiles(in: argument, descend: recursive)
    if files.isEmpty { throw ManifestError.noManifests(path: argument) }
    return files.map(InputPath.file)
  }

  /// Manifest files below `directory`, sorted by name at each level, files before subdirectories'.
  private func manifestFiles(in directory: String, descend: Bool) throws -> [String] {
    guard let handle = opendir(directory) else {
      throw ManifestError.unreadable(path: directory, reason: errnoDescription())
    }
    var names: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
      }
      if name == "." || name == ".." { continue }
      names.append(name)
    }
    closedir(handle)
    names.sort()
    var files: [String] = []
    var subdirectories: [String] = []
    for name in names {
      let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
      var info = stat()
      guard stat(path, &info) == 0 else { continue }
      if info.st_mode & S_IFMT == S_IFDIR {
        // Hidden directories (.git, .github) are never manifests.
        if descend, !name.hasPrefix(".") { subdirectories.append(path) }
      } else if Self.manifestExtensions.contains(where: { name.hasSuffix($0) }) {
        files.append(path)
      }
    }
    for subdirectory in subdirectories {
      files += try manifestFiles(in: subdirectory, descend: true)
    }
    return files
  }
}
