// When the next sync should run. A sealed visit should leave the phone as soon as there is a
// network (it is evidence, and the supervisor's queue waits for it); otherwise the roster,
// decisions and ticket news come down hourly. A failing server is not hammered: each failure
// in a row waits longer, up to the hourly period. The background scheduler (BGTaskScheduler
// on iOS) takes the date as the earliest start; the app also syncs when it comes forward.

import Foundation

public enum SyncPolicy {
    /// The regular period when nothing waits to go up.
    public static let period: TimeInterval = 60 * 60
    /// Waits after 1, 2, 3, 4+ failures in a row.
    public static let backoff: [TimeInterval] = [60, 5 * 60, 15 * 60, 60 * 60]

    /// The earliest time for the next sync. `unsent` is the count of sealed visits the server
    /// has not confirmed (the core's `status().unsent`).
    public static func next(after history: SyncHistory, unsent: UInt64, now: Date) -> Date {
        if history.failuresInARow > 0, let tried = history.lastAttempt {
            let wait = backoff[min(history.failuresInARow, backoff.count) - 1]
            return max(now, tried.addingTimeInterval(wait))
        }
        if unsent > 0 { return now }
        guard let ok = history.lastSuccess else { return now }
        return max(now, ok.addingTimeInterval(period))
    }

    /// Whether a sync is due at `now`.
    public static func due(_ history: SyncHistory, unsent: UInt64, now: Date) -> Bool {
        next(after: history, unsent: unsent, now: now) <= now
    }
}

/// The platform's background scheduler: asked to run a sync no earlier than a date.
public protocol SyncScheduling: Sendable {
    func schedule(earliest: Date)
}
