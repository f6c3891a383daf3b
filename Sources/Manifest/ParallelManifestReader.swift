#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads streams on several threads and hands back exactly what one `ManifestReader` would, in
/// the same order: each stream is cut into pieces at `---` lines (`StreamSplitter`), worker
/// threads read the pieces and run `transform` on each document, and the calling thread hands
/// the results on in stream order, several inputs one after the other. A document's tree goes
/// once it is transformed, on the thread that built it: only the outputs travel (a caller that
/// needs the document puts it into its output). At most a few pieces are in flight, so memory
/// stays flat in the number of documents.
///
/// Where reading in pieces could differ from one reader, the rest of that stream is read by one
/// reader on the calling thread: a piece other than the last with a reader finding (a syntax
/// error or a limit: the stream stops there, as it does with one reader, and libyaml sees none
/// of what follows but the pieces already in flight) or another number of documents than
/// predicted; a stream the splitter will not cut. A piece for which `runsAlone` says yes (its
/// documents change how later ones are transformed: a CustomResourceDefinition) is read on the
/// calling thread once every earlier piece is done, and before any later one starts.
public final class ParallelManifestReader<Output> {
  /// What reading hands back, in stream order.
  public enum Event {
    /// What `transform` made of a document of the current input.
    case document(Output)
    /// The input was read to its end (or to the finding that ended it).
    case finished(ReadSummary)
    /// Reading the input failed (its source threw); documents before the failure were handed back.
    case failed(any Error)
  }

  private let reader: ManifestReader
  private let transform: @Sendable (Document) -> Output
  /// What each worker thread transforms with, by worker.
  private let workerTransforms: [@Sendable (Document) -> Output]
  private let runsAlone: @Sendable (UnsafeBufferPointer<UInt8>) -> Bool
  private let pieceBytes: Int
  private let inFlightLimit: Int
  private let workers: WorkerPool
  private var inFlight: [Entry] = []
  private var nextEntry = 0

  /// Creates a reader with `jobs` worker threads (at least one). `pieceBytes` is the size of the
  /// pieces a stream is cut into. `transform` runs on the calling thread (pieces that run alone,
  /// fallbacks); `workerTransform`, when given, makes the transform of each worker thread (one
  /// that keeps state of its own, such as caches no other thread touches), else they use
  /// `transform` too.
  public init(
    reader: ManifestReader, jobs: Int, pieceBytes: Int = 256 << 10,
    transform: @escaping @Sendable (Document) -> Output,
    workerTransform: (() -> @Sendable (Document) -> Output)? = nil,
    runsAlone: @escaping @Sendable (UnsafeBufferPointer<UInt8>) -> Bool = { _ in false }
  ) {
    self.reader = reader
    self.transform = transform
    workerTransforms = (0..<max(1, jobs)).map { _ in workerTransform?() ?? transform }
    self.runsAlone = runsAlone
    self.pieceBytes = pieceBytes
    inFlightLimit = max(1, jobs) * 2
    workers = WorkerPool(threads: max(1, jobs))
  }

  deinit { workers.stop() }

  /// Reads `source` (named `file` in findings). Events of earlier inputs, and of this one, are
  /// handed to `handle` as they are due; `finish` hands over the rest. Errors thrown by `handle`
  /// end the reading and propagate.
  public func read(_ source: any ByteSource, file: String, _ handle: (Event) throws -> Void) throws {
    let stream = StreamState(file: file, source: source)
    stream.splitter = StreamSplitter(pieceBytes: pieceBytes, maxPieceBytes: reader.limits.maxDocumentBytes + (1 << 20))
    defer {
      stream.splitter = nil
      inFlight.append(.end(stream))
    }
    while true {
      try waitForRoom(handle)
      // A fallback of this stream, while waiting, took the rest of it.
      guard !stream.isTaken else { return }
      let cut = stream.splitter!.nextCut(source)
      switch cut {
      case .end:
        return
      case .rest:
        try drain(handle)
        guard !stream.isTaken else { return }
        let rest = stream.splitter!.takeRest()
        try readInline(
          ConcatenatedSource([rest.bytes], then: rest.error == nil ? source : nil, error: rest.error), stream,
          from: rest.origin, handle)
        return
      case .piece(let end, _, let documents, let isLast):
        let alone = stream.splitter!.buffer.withUnsafeBufferPointer { runsAlone(UnsafeBufferPointer(rebasing: $0[..<end])) }
        if alone {
          try drain(handle)
          guard !stream.isTaken else { return }
        }
        let origin = stream.splitter!.origin
        let bytes = stream.splitter!.take(cut)
        let piece = Piece(
          stream: stream, bytes: bytes, origin: origin, predictedDocuments: documents, isLast: isLast)
        if alone {
          guard try readAlone(piece, handle) else { return }
        } else {
          dispatch(piece)
        }
        if isLast { return }
      }
    }
  }

  /// Hands over every event still due.
  public func finish(_ handle: (Event) throws -> Void) throws {
    try drain(handle)
  }

  // MARK: - In order, on the calling thread

  private enum Entry {
    case piece(Piece)
    case end(StreamState)
  }

  private func waitForRoom(_ handle: (Event) throws -> Void) throws {
    while inFlight.count - nextEntry >= inFlightLimit { try handOldest(handle) }
  }

  private func drain(_ handle: (Event) throws -> Void) throws {
    while nextEntry < inFlight.count { try handOldest(handle) }
    inFlight.removeAll(keepingCapacity: true)
    nextEntry = 0
  }

  private func handOldest(_ handle: (Event) throws -> Void) throws {
    let entry = inFlight[nextEntry]
    inFlight[nextEntry] = .end(StreamState.none)
    nextEntry += 1
    if nextEntry > 64, nextEntry * 2 > inFlight.count {
      inFlight.removeFirst(nextEntry)
      nextEntry = 0
    }
    switch entry {
    case .end(let stream):
      guard stream !== StreamState.none else { return }
      if let error = stream.error { try handle(.failed(error)) } else { try handle(.finished(stream.summary)) }
    case .piece(let piece):
      guard !piece.isCancelled else { return }
      workers.wait(for: piece)
      if piece.agreesWithOneReader {
        try hand(piece, handle)
      } else {
        try fallBack(from: piece, handle)
      }
    }
  }

  private func hand(_ piece: Piece, _ handle: (Event) throws -> Void) throws {
    // The worker that made the outputs frees them, into the allocator's arena they came from:
    // small as they are, there are many, and this thread is the one that limits the pace.
    defer { workers.dispose(piece) }
    for output in piece.outputs as! [Output] { try handle(.document(output)) }
    piece.stream.add(piece.summary)
  }

  /// Reads the stream from `piece` on with one reader: the later pieces of the stream are
  /// dropped (their bytes are read again), and so is what the splitter has not cut yet.
  private func fallBack(from piece: Piece, _ handle: (Event) throws -> Void) throws {
    var bytes = [piece.bytes]
    for case .piece(let later) in inFlight[nextEntry...] where later.stream === piece.stream {
      later.isCancelled = true
      bytes.append(later.bytes)
    }
    var rest: any ByteSource = ConcatenatedSource(bytes, then: nil, error: nil)
    if var splitter = piece.stream.splitter {
      let tail = splitter.takeRest()
      piece.stream.splitter = splitter
      bytes.append(tail.bytes)
      rest = ConcatenatedSource(bytes, then: tail.error == nil ? piece.stream.source : nil, error: tail.error)
    }
    piece.stream.isTaken = true
    try readInline(rest, piece.stream, from: piece.origin, handle)
  }

  /// Reads a piece that must run alone, on this thread; falls back to one reader for the rest
  /// of the stream when the piece does not agree. Returns whether the stream goes on.
  private func readAlone(_ piece: Piece, _ handle: (Event) throws -> Void) throws -> Bool {
    var outputs: [Output] = []
    let summary = try reader.read(MemorySource(piece.bytes), file: piece.stream.file, from: piece.origin) {
      outputs.append(transform($0))
    }
    piece.summary = summary
    if piece.agreesWithOneReader {
      for output in outputs { try handle(.document(output)) }
      piece.stream.add(summary)
      return true
    }
    // Transforming again is harmless: what it changed, it changes again in the same way.
    let tail = piece.stream.splitter!.takeRest()
    piece.stream.isTaken = true
    try readInline(
      ConcatenatedSource([piece.bytes, tail.bytes], then: tail.error == nil ? piece.stream.source : nil, error: tail.error),
      piece.stream, from: piece.origin, handle)
    return false
  }

  /// Reads `source` from `origin` with one reader on this thread, handing each document on.
  private func readInline(
    _ source: any ByteSource, _ stream: StreamState, from origin: StreamPosition, _ handle: (Event) throws -> Void
  ) throws {
    do {
      let summary = try reader.read(source, file: stream.file, from: origin) { document in
        let output = transform(document)
        do { try handle(.document(output)) } catch { throw HandlerFailure(error: error) }
      }
      stream.add(summary)
    } catch let failure as HandlerFailure {
      throw failure.error
    } catch {
      stream.error = error
    }
  }

  private func dispatch(_ piece: Piece) {
    let reader = reader
    let transforms = workerTransforms
    let file = piece.stream.file
    inFlight.append(.piece(piece))
    workers.submit(piece) { piece, worker in
      // Without worker threads the piece is read here, with the first worker's transform.
      let transform = transforms[worker]
      var outputs: [Output] = []
      // A MemorySource never throws, and neither does the body. Each document is dropped once
      // transformed, here: its tree is freed on the thread (and into the arena) that built it.
      piece.summary =
        (try? reader.read(MemorySource(piece.bytes), file: file, from: piece.origin) {
          outputs.append(transform($0))
        }) ?? ReadSummary(diagnostics: [], documentCount: -1, byteCount: 0)
      piece.outputs = outputs
    }
  }
}

/// An error from the caller's handler, carried past the reader's own error handling.
private struct HandlerFailure: Error {
  let error: any Error
}

/// One input being read: its summary so far and, while it is being cut, its splitter.
private final class StreamState: @unchecked Sendable {
  static let none = StreamState(file: "", source: MemorySource([]))
  let file: String
  let source: any ByteSource
  var summary = ReadSummary()
  var error: (any Error)?
  /// The splitter, while the calling thread is cutting this stream (a fallback takes its rest).
  var splitter: StreamSplitter?
  /// Set once a fallback read the rest of the stream.
  var isTaken = false

  init(file: String, source: any ByteSource) {
    self.file = file
    self.source = source
  }

  func add(_ piece: ReadSummary) {
    summary.diagnostics += piece.diagnostics
    summary.documentCount += piece.documentCount
    summary.byteCount += piece.byteCount
  }
}

/// A piece of a stream and, once a worker read it, the outputs of its documents.
private final class Piece: @unchecked Sendable {
  let stream: StreamState
  let bytes: [UInt8]
  let origin: StreamPosition
  let predictedDocuments: Int
  let isLast: Bool
  var summary = ReadSummary()
  /// The outputs, as `[Output]` of the reader (one cast per piece, not one per document).
  var outputs: Any = ()
  /// Set on the calling thread when a fallback read the piece again.
  var isCancelled = false
  /// Guarded by the pool's lock.
  var isDone = false
  /// The worker that read the piece: the one that frees its outputs.
  var worker = 0

  init(stream: StreamState, bytes: [UInt8], origin: StreamPosition, predictedDocuments: Int, isLast: Bool) {
    self.stream = stream
    self.bytes = bytes
    self.origin = origin
    self.predictedDocuments = predictedDocuments
    self.isLast = isLast
  }

  /// Whether the piece's documents are those one reader of the whole stream delivers: the last
  /// piece always (nothing follows it); any other piece when it was read without a finding and
  /// holds the predicted documents (the next piece's numbering counts on it).
  var agreesWithOneReader: Bool {
    isLast || (summary.diagnostics.isEmpty && summary.documentCount == predictedDocuments)
  }
}

/// Threads that read pieces, first come first served.
private final class WorkerPool: @unchecked Sendable {
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private let workDone = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  /// Pieces to read.
  private var queue: [(piece: Piece, job: (Piece, Int) -> Void)] = []
  private var queueHead = 0
  /// Pieces handed on whose outputs a worker is to free, by the worker that made them (no
  /// piece to wait for); each worker frees its own before it reads another piece.
  private var disposals: [[Piece]] = []
  private var stopping = false
  #if canImport(Glibc)
    private var threads: [pthread_t] = []
  #else
    private var threads: [pthread_t?] = []
  #endif

  init(threads count: Int) {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(workAvailable, nil)
    pthread_cond_init(workDone, nil)
    disposals = Array(repeating: [], count: count)
    for worker in 0..<count {
      let box = Unmanaged.passRetained(WorkerStart(pool: self, worker: worker)).toOpaque()
      #if canImport(Glibc)
        var thread = pthread_t()
      #else
        var thread: pthread_t? = nil
      #endif
      let created = pthread_create(
        &thread, nil,
        { argument in
          let start = Unmanaged<WorkerStart>.fromOpaque(argument!).takeRetainedValue()
          start.pool.work(as: start.worker)
          return nil
        }, box)
      if created == 0 {
        threads.append(thread)
      } else {
        Unmanaged<WorkerStart>.fromOpaque(box).release()
      }
    }
  }

  deinit {
    pthread_cond_destroy(workAvailable)
    pthread_cond_destroy(workDone)
    pthread_mutex_destroy(mutex)
    workAvailable.deallocate()
    workDone.deallocate()
    mutex.deallocate()
  }

  /// Queues `piece` for `work`; runs it on the calling thread when no worker thread started.
  func submit(_ piece: Piece, _ work: @escaping (Piece, _ worker: Int) -> Void) {
    guard !threads.isEmpty else {
      work(piece, 0)
      piece.isDone = true
      return
    }
    pthread_mutex_lock(mutex)
    queue.append((piece, work))
    pthread_cond_signal(workAvailable)
    pthread_mutex_unlock(mutex)
  }

  /// Has the worker that read `piece`, which was handed on, free its outputs; frees them on the
  /// calling thread when no worker thread started.
  func dispose(_ piece: Piece) {
    guard !threads.isEmpty else {
      piece.outputs = ()
      return
    }
    pthread_mutex_lock(mutex)
    disposals[piece.worker].append(piece)
    // Only that worker may take it: wake them all.
    pthread_cond_broadcast(workAvailable)
    pthread_mutex_unlock(mutex)
  }

  /// Blocks until a worker finished `piece`.
  func wait(for piece: Piece) {
    pthread_mutex_lock(mutex)
    while !piece.isDone { pthread_cond_wait(workDone, mutex) }
    pthread_mutex_unlock(mutex)
  }

  /// Lets the workers finish what they run, then ends them.
  func stop() {
    pthread_mutex_lock(mutex)
    stopping = true
    pthread_cond_broadcast(workAvailable)
    pthread_mutex_unlock(mutex)
    for thread in threads {
      #if canImport(Glibc)
        pthread_join(thread, nil)
      #else
        pthread_join(thread!, nil)
      #endif
    }
    threads = []
  }

  private func work(as worker: Int) {
    while true {
      pthread_mutex_lock(mutex)
      while queueHead == queue.count && disposals[worker].isEmpty && !stopping {
        pthread_cond_wait(workAvailable, mutex)
      }
      if !disposals[worker].isEmpty {
        var done: [Piece] = []
        swap(&done, &disposals[worker])
        pthread_mutex_unlock(mutex)
        for piece in done { piece.outputs = () }
        continue
      }
      if queueHead == queue.count {
        pthread_mutex_unlock(mutex)
        return
      }
      let (piece, job) = queue[queueHead]
      queueHead += 1
      if queueHead == queue.count {
        queue.removeAll(keepingCapacity: true)
        queueHead = 0
      }
      pthread_mutex_unlock(mutex)
      piece.worker = worker
      if !piece.isCancelled { job(piece, worker) }
      pthread_mutex_lock(mutex)
      piece.isDone = true
      pthread_cond_broadcast(workDone)
      pthread_mutex_unlock(mutex)
    }
  }
}

/// What a worker thread starts with: its pool and its number.
private final class WorkerStart {
  let pool: WorkerPool
  let worker: Int

  init(pool: WorkerPool, worker: Int) {
    self.pool = pool
    self.worker = worker
  }
}

extension ManifestReader {
  /// The processors this process may run on: how many threads `ParallelManifestReader` is
  /// worth giving by default.
  public static var availableProcessors: Int {
    return max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN)))
  }
}
