import Foundation
import Testing

/// `inject -i` and `uninject -i` in a git repository: the diff after injection holds only the
/// lines the sidecar needs, all inside pod templates, and uninjection leaves no diff at all
/// (issue 13: edits are surgical; DESIGN.md §7).
@Suite(.tags(.slow)) struct SurgicalEditBinaryTests {
  static let rollout = """
    # A canary rollout, written by hand.
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata: {name: web, labels: {tier: front}}   # flow style stays
    spec:
      replicas: 3
      strategy:
        canary:
          steps:
            - setWeight: 20
            - pause: {duration: 10m}
          # Uncomment below to enable analysis
          # analysis:
          #   templates:
          #     - templateName: success-rate
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web   # the selector's label
        spec:
          containers:
            - name: web
              image: 'nginx:1.27'
              ports:
                - containerPort: 8080

    """
  static let service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  ports: [{port: 80}]\n"
  static let commentsOnly = "# nothing here yet\n\n# another note\n"
  static let crlf = "apiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\nspec:\r\n  containers:\r\n  - name: app\r\n    image: app:1\r\n"

  static let gitExecutable = URL(fileURLWithPath: "/usr/bin/git")

  func git(_ arguments: [String], in repo: Scratch) throws -> ProcessResult {
    try Binary.run(["-C", repo.url.path, "-c", "user.name=t", "-c", "user.email=t@example.com"] + arguments, executable: Self.gitExecutable)
  }

  @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: gitExecutable.path), "needs git"))
  func gitDiffAfterInjectShowsOnlyTheSidecarsLines() throws {
    let repo = try Scratch([
      "k8s/rollout.yaml": Self.rollout + "---\n" + Self.service, "k8s/notes.yaml": Self.commentsOnly,
      "k8s/pod.yaml": Self.crlf,
    ])
    _ = try git(["init", "-q"], in: repo)
    _ = try git(["add", "."], in: repo)
    #expect(try git(["commit", "-qm", "start"], in: repo).status == 0)

    let injected = try Binary.run(["inject", "-i", "-R", "-f", repo.path("k8s")])
    #expect(injected.status == 0, "\(injected.stderr)")
    #expect(injected.stderr.contains("rollout/web injected"))
    let diff = try git(["diff", "--unified=0", "--no-color", "k8s/rollout.yaml"], in: repo).stdout
    let changed = diff.split(separator: "\n").filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
    #expect(!changed.isEmpty)
    // Nothing of the user's is removed or rewritten; every added line is inside the pod
    // template (indented deeper than `template:`).
    #expect(changed.allSatisfy { $0.hasPrefix("+") }, "\(diff)")
    #expect(changed.allSatisfy { $0.dropFirst().prefix { $0 == " " }.count > 2 }, "\(diff)")
    #expect(try git(["diff", "--quiet", "k8s/notes.yaml"], in: repo).status == 0, "a comments-only file stays as it is")
    #expect(try Binary.run(["inject", "-f", repo.path("k8s/notes.yaml")]).stdout == Self.commentsOnly)
    let pod = try String(contentsOfFile: repo.path("k8s/pod.yaml"), encoding: .utf8)
    let breaks = Array(pod.utf8)
    #expect(pod.contains("istio-proxy"))
    #expect(breaks.filter { $0 == 0x0A }.count == breaks.filter { $0 == 0x0D }.count, "every line break stays CRLF")

    let removed = try Binary.run(["uninject", "-i", "-R", "-f", repo.path("k8s")])
    #expect(removed.status == 0, "\(removed.stderr)")
    let status = try git(["status", "--porcelain"], in: repo).stdout
    #expect(status.isEmpty, "uninject -i left changes: \(status)")
  }
}
