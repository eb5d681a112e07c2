// The best fix of a listening window, as the Android app keeps it: the receiver reports many
// fixes in the first seconds, most of them poor; the visit keeps the most precise one, and a
// simulated fix seen in the window goes to the core too so that it is flagged (never hidden).
// What a fix means — too far, too old, inaccurate — is the core's to say, not this type's.

public struct FixWindow: Sendable {
    /// How long a window listens before it gives what it has.
    public static let seconds: Double = 30
    /// A fix this precise ends the window early: the receiver will not do much better.
    public static let goodEnoughM: Double = 10

    private var seen: [GpsFix] = []

    public init() {}

    /// Takes one reported fix; true when the window may end now.
    public mutating func add(_ fix: GpsFix) -> Bool {
        seen.append(fix)
        return fix.accuracyM <= Self.goodEnoughM && !fix.mock
    }

    /// The most precise fix so far (for the "locating… ±N m" line).
    public var best: GpsFix? { seen.min { $0.accuracyM < $1.accuracyM } }

    /// What the window hands to the core when it ends: the best fix, and the first simulated
    /// fix when that is not already the best.
    public func kept() -> [GpsFix] {
        guard let best else { return [] }
        if let mock = seen.first(where: { $0.mock && $0 != best }) { return [best, mock] }
        return [best]
    }
}
