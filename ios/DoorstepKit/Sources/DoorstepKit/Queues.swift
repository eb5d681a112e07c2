// Where the core's slow calls run. The core is synchronous; a sync or an enrolment waits on
// the network and a photo takes a moment to re-encode on a cheap phone, so neither runs on
// the main actor. Each gets its own serial queue, as on Android, so that a photo never waits
// behind a slow sync, and two syncs never overlap. (The core runs syncs on a second handle
// of the store, so the screens' calls go on meanwhile.)

import Dispatch

public final class CoreQueues: Sendable {
    private let network = DispatchQueue(label: "org.doorstep.network", qos: .utility)
    private let work = DispatchQueue(label: "org.doorstep.work", qos: .userInitiated)

    public init() {}

    /// Runs `f` on the network queue (enrolment, sync) and returns its outcome.
    public func onNetwork<T: Sendable>(_ f: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(on: network, f)
    }

    /// Runs `f` on the work queue (photos) and returns its outcome.
    public func inBackground<T: Sendable>(_ f: @escaping @Sendable () throws -> T) async throws -> T {
        try await run(on: work, f)
    }

    private func run<T: Sendable>(on q: DispatchQueue, _ f: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            q.async { c.resume(with: Result { try f() }) }
        }
    }
}
