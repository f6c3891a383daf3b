import CCurl

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What every transfer of one transport shares, so that a burst of new connections does not
/// repeat per connection the TLS work the first one did (bench/README.md, "Apply"):
/// - TLS sessions (a libcurl share handle): a new connection resumes the session of an earlier
///   one instead of a full handshake, saving both sides the certificate exchange and checks.
/// - The cluster's CA certificates as one file: libcurl 7.88 parses `CURLOPT_CAINFO_BLOB` into a
///   new certificate store for every connection, but keeps the store it built from a
///   `CURLOPT_CAINFO` file in the multi handle (`CURLOPT_CA_CACHE_TIMEOUT`, 24 h by default).
///   The file is an anonymous in-memory one (`memfd_create`), named `/proc/self/fd/N`: nothing is
///   written to disk, and it disappears with the process however that ends.
/// Retained by every transfer, so it is freed after the last easy handle that uses it.
final class CurlShared: @unchecked Sendable {
  /// The share handle for `CURLOPT_SHARE`; nil when libcurl could not make one.
  let share: UnsafeMutableRawPointer?
  /// The CA file's name for `CURLOPT_CAINFO`; nil: send the PEM as a blob (no memfd or no /proc).
  let certificateAuthorityFile: String?
  private let descriptor: Int32

  init(options: TransportOptions) {
    share = ccurl_share_ssl_sessions()
    var descriptor: Int32 = -1
    if let pem = options.certificateAuthorityPEM, !options.insecureSkipTLSVerify {
      descriptor = pem.withUnsafeBytes { ccurl_memory_file("meshctl-ca", $0.baseAddress, $0.count) }
    }
    let path = "/proc/self/fd/\(descriptor)"
    if descriptor >= 0, access(path, R_OK) != 0 {
      close(descriptor)
      descriptor = -1
    }
    self.descriptor = descriptor
    certificateAuthorityFile = descriptor >= 0 ? path : nil
  }

  deinit {
    _ = ccurl_share_cleanup(share)
    if descriptor >= 0 { close(descriptor) }
  }
}
