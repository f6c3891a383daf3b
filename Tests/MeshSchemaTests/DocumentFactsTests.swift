import Foundation
import Manifest
import Testing

@testable import MeshSchema

/// `CrossDocumentAnalysis.DocumentFacts` worked out on other threads, in any order, and applied
/// in input order give the findings one pass over the documents gives (`validate --jobs`).
@Suite struct DocumentFactsTests {
  /// Services, workloads, TrafficSplits and MTLSPolicies in several namespaces (and none), with
  /// namespaces first named in different documents, so the documents' own numbers differ from
  /// the analysis's; a Namespace object after the workloads it meshes (so the cart's port is
  /// checked as Istio's, and its STRICT policy finds no bare workload).
  static let stream = """
    apiVersion: v1
    kind: Service
    metadata: {name: reviews, namespace: bookinfo}
    spec: {selector: {app: reviews}, ports: [{name: http, port: 9080}]}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: reviews-v1, namespace: bookinfo}
    spec:
      template:
        metadata: {labels: {app: reviews, version: v1}}
        spec: {containers: [{name: reviews, image: reviews:1}]}
    ---
    apiVersion: v1
    kind: List
    items:
    - apiVersion: v1
      kind: Service
      metadata: {name: cart, namespace: shop}
      spec: {selector: {app: cart}, ports: [{name: db, port: 3306}]}
    - apiVersion: apps/v1
      kind: Deployment
      metadata: {name: cart, namespace: shop}
      spec:
        template:
          metadata: {labels: {app: cart}}
          spec: {containers: [{name: cart, image: cart:1}]}
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: reviews, namespace: bookinfo}
    spec:
      service: reviews
      backends:
      - {name: a, selector: {version: v1}, weight: 90}
      - {name: b, selector: {version: v9}, weight: 10}
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: reviews-again, namespace: bookinfo}
    spec:
      service: reviews
      backends:
      - {name: a, service: reviews-v2, weight: 100}
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: TrafficSplit
    metadata: {name: carts, namespace: shop}
    spec:
      service: carts
      backends:
      - {name: a, selector: {app: cart}, weight: 100}
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: MTLSPolicy
    metadata: {name: default, namespace: shop}
    spec: {mode: STRICT}
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: MTLSPolicy
    metadata: {name: strict, namespace: bookinfo}
    spec: {mode: STRICT}
    ---
    apiVersion: meshctl.io/v1alpha1
    kind: MTLSPolicy
    metadata: {name: again, namespace: bookinfo}
    spec: {mode: PERMISSIVE}
    ---
    apiVersion: v1
    kind: Namespace
    metadata: {name: shop, labels: {istio-injection: enabled}}
    ---
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: unplaced}
    spec:
      template:
        metadata: {labels: {app: unplaced}}
        spec: {hostNetwork: true, containers: [{name: unplaced, image: unplaced:1}]}

    """

  /// The facts of every document, each worked out on whatever thread takes it, last first.
  static func factsOnOtherThreads(_ documents: [Document], retainingSourceLines: Bool)
    -> [CrossDocumentAnalysis.DocumentFacts]
  {
    final class Results: @unchecked Sendable {
      let lock = NSLock()
      var facts: [Int: CrossDocumentAnalysis.DocumentFacts] = [:]
    }
    let results = Results()
    DispatchQueue.concurrentPerform(iterations: documents.count) { iteration in
      let index = documents.count - 1 - iteration
      let facts = CrossDocumentAnalysis.DocumentFacts(documents[index], retainingSourceLines: retainingSourceLines)
      results.lock.withLock { results.facts[index] = facts }
    }
    return documents.indices.map { results.facts[$0]! }
  }

  @Test(arguments: [false, true])
  func factsFromOtherThreadsGiveTheSequentialFindings(retainingSourceLines: Bool) {
    let (documents, _) = ManifestReader().parse(Self.stream, file: "mesh.yaml")
    for budget in [Int.max, 0] {
      var sequential = CrossDocumentAnalysis(retainsSourceLines: retainingSourceLines, memoryBudget: budget)
      for document in documents { sequential.add(document) }
      var applied = CrossDocumentAnalysis(retainsSourceLines: retainingSourceLines, memoryBudget: budget)
      for facts in Self.factsOnOtherThreads(documents, retainingSourceLines: retainingSourceLines) {
        applied.add(facts)
      }
      let expected = sequential.findings()
      #expect(applied.findings() == expected)
      // The stream exercises every rule the facts carry, across namespaces.
      #expect(
        Set(expected.map(\.code)) == [
          RuleCode.serviceNotFound, RuleCode.selectorMatchesNothing, RuleCode.duplicateTrafficSplit,
          RuleCode.backendServiceNotFound, RuleCode.duplicateNamespacePolicy, RuleCode.strictWithoutSidecar,
          RuleCode.hostNetwork, RuleCode.istioServerFirstUndeclared,
        ])
      #expect(expected.allSatisfy { ($0.sourceLine != nil) == retainingSourceLines || $0.code == RuleCode.hostNetwork })
    }
  }

  @Test func sessionChecksOnOtherThreadsAddUpToTheSequentialReport() {
    let (documents, _) = ManifestReader().parse(Self.stream + "---\n", file: "mesh.yaml")
    var sequential = ValidationSession(retainsSourceLines: true)
    for document in documents { sequential.add(document) }
    sequential.finishInput("mesh.yaml", readerFindings: [])
    var parallel = ValidationSession(retainsSourceLines: true)
    let check = ValidationSession.check(onAnotherThreadLike: parallel.validator, retainingSourceLines: true)
    final class Results: @unchecked Sendable {
      let lock = NSLock()
      var checked: [Int: ValidationSession.CheckedDocument] = [:]
    }
    let results = Results()
    DispatchQueue.concurrentPerform(iterations: documents.count) { index in
      let checked = check(documents[index])
      results.lock.withLock { results.checked[index] = checked }
    }
    for index in documents.indices { parallel.add(results.checked[index]!) }
    parallel.finishInput("mesh.yaml", readerFindings: [])
    let expected = sequential.finish { _, _ in [:] }.findings.map(\.diagnostic)
    #expect(parallel.finish { _, _ in [:] }.findings.map(\.diagnostic) == expected)
    #expect(expected.contains { $0.code == RuleCode.duplicateTrafficSplit })
  }
}
