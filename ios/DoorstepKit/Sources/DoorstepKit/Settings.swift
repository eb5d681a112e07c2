// What the app keeps beside the store that is not the core's: the county CA the worker pasted
// at enrolment and how the last syncs went (for the sync screen and the back-off). Nothing
// personal: no names, no visit contents. One small JSON file, written whole and atomically.

import Foundation

public struct Settings: Codable, Equatable, Sendable {
    /// The county's CA certificate (PEM) when its server is not under a public CA.
    public var countyCaPem: String = ""
    public var syncs = SyncHistory()

    public init() {}

    static func load(from url: URL) -> Settings {
        guard let data = try? Data(contentsOf: url),
              let s = try? JSONDecoder().decode(Settings.self, from: data)
        else { return Settings() }
        return s
    }

    func save(to url: URL) throws {
        try JSONEncoder().encode(self).write(to: url, options: [.atomic])
    }
}

/// How a sync ended, for the sync screen.
public enum SyncOutcome: Codable, Equatable, Sendable {
    case done(at: Date, sent: UInt64, receipted: UInt64, mediaSent: UInt64)
    /// `reason` is the core's words (or the network's): what the worker can act on.
    case failed(at: Date, reason: String)
}

public struct SyncHistory: Codable, Equatable, Sendable {
    public var lastSuccess: Date?
    public var lastAttempt: Date?
    public var failuresInARow = 0
    public var last: SyncOutcome?

    public init() {}

    mutating func record(_ outcome: SyncOutcome) {
        last = outcome
        switch outcome {
        case let .done(at, _, _, _):
            lastSuccess = at
            lastAttempt = at
            failuresInARow = 0
        case let .failed(at, _):
            lastAttempt = at
            failuresInARow += 1
        }
    }
}
