// The ports the platform fills: where fixes come from, where photos come from, what time it
// is. The key vault is the core's own `KeyVault` protocol (the Keychain adapter implements
// it); HTTP is the core's `HttpTransport` (URLSessionTransport implements it). On a phone the
// adapters in Apple/ fill these; the tests fill them with scripted stand-ins.

@_exported import DoorstepCore
import Foundation

/// What the location hardware says, as it happens.
public enum LocationEvent: Sendable, Equatable {
    /// A fix worth keeping (the adapter already chose the best of its window).
    case fix(GpsFix)
    /// Satellites in view and used, for the "locating…" line; nil when the platform hides them.
    case searching(accuracyM: Double?)
    /// The worker refused location for this app (or a profile forbids it).
    case denied
    /// Location services are off for the whole phone.
    case servicesOff
    /// The window ended without any fix (indoors, say).
    case noFix
}

/// A source of fixes for one visit: a stream that runs until the consumer stops listening.
/// Calling `events()` again starts a fresh window (the worker tapped "locate again").
public protocol LocationProvider: Sendable {
    func events() -> AsyncStream<LocationEvent>
}

/// The camera: one photo's JPEG bytes, or nil when the worker cancelled.
public protocol PhotoSource: Sendable {
    func takePhoto() async throws -> Data?
}

/// Why no photo came although the worker wanted one.
public enum PhotoSourceError: Error, Sendable, Equatable {
    case noCamera
    case denied
}

/// Wall-clock time, a port so that sync scheduling is tested without waiting.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
