// The sync screen: what waits to go up, when the last sync went all the way, how the last
// one ended, whether the phone's clock is off, and "sync now" with its progress.

import Foundation
import Observation

@MainActor
@Observable
public final class SyncModel {
    /// A clock off by more than this is worth telling the worker about (times on records).
    public static let clockWarningSecs: Int64 = 120

    public struct Progress: Equatable, Sendable {
        public var stage: SyncStage
        public var done: UInt64
        public var total: UInt64
    }

    public private(set) var status: DeviceStatus?
    public private(set) var running = false
    public private(set) var progress: Progress?
    public private(set) var refusal: String?
    @ObservationIgnored private let app: FieldApp

    public init(app: FieldApp) {
        self.app = app
        refresh()
    }

    public var last: SyncOutcome? { app.settings.syncs.last }
    public var language: Language { app.language }

    /// Seconds the phone's clock is off from the server's, when that is worth saying.
    public var clockOff: Int64? {
        guard let s = status?.clockSkewSecs, abs(s) > Self.clockWarningSecs else { return nil }
        return s
    }

    public func refresh() {
        do { status = try app.core.status(); refusal = nil } catch { refusal = words(error) }
    }

    public func syncNow() async {
        running = true
        progress = nil
        let relay = ProgressRelay { [weak self] p in self?.progress = p }
        _ = await app.syncSoon(observer: relay).value
        running = false
        refresh()
    }
}

/// The core's progress calls, from the network queue to the main actor.
private final class ProgressRelay: SyncObserver, @unchecked Sendable {
    private let show: @MainActor (SyncModel.Progress) -> Void

    init(_ show: @escaping @MainActor (SyncModel.Progress) -> Void) { self.show = show }

    func progress(stage: SyncStage, done: UInt64, total: UInt64) {
        let p = SyncModel.Progress(stage: stage, done: done, total: total)
        let show = self.show
        _Concurrency.Task { @MainActor in show(p) }
    }
}
