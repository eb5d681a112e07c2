// Turns the receiver's raw reports into what a visit keeps: listening for a window (30 s, or
// less when a fix is as good as the receiver gives), then handing over the best fix, and a
// simulated one if one was seen, as `FixWindow` chooses. The CoreLocation adapter produces
// the raw reports; this part, the same on every platform, is tested on Linux.

import Foundation

public struct WindowedLocation: LocationProvider {
    private let raw: @Sendable () -> AsyncStream<LocationEvent>
    private let seconds: Double

    /// `raw` gives every reported fix as `.fix`, and `.denied` / `.servicesOff` as they happen.
    public init(seconds: Double = FixWindow.seconds, raw: @escaping @Sendable () -> AsyncStream<LocationEvent>) {
        self.raw = raw
        self.seconds = seconds
    }

    public func events() -> AsyncStream<LocationEvent> {
        let raw = self.raw
        let seconds = self.seconds
        return AsyncStream { out in
            let window = WindowState(out)
            let listen = _Concurrency.Task {
                for await e in raw() {
                    if case let .fix(f) = e {
                        await window.add(f)
                    } else {
                        await window.pass(e)
                    }
                }
                // The receiver stopped on its own: give what the window has.
                await window.close()
            }
            let deadline = _Concurrency.Task {
                try? await _Concurrency.Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                await window.close()
            }
            out.onTermination = { _ in
                listen.cancel()
                deadline.cancel()
            }
        }
    }
}

/// One window's fixes and whether it has been handed over (exactly once).
private actor WindowState {
    private var window = FixWindow()
    private var closed = false
    private let out: AsyncStream<LocationEvent>.Continuation

    init(_ out: AsyncStream<LocationEvent>.Continuation) { self.out = out }

    func add(_ f: GpsFix) {
        guard !closed else { return }
        let enough = window.add(f)
        out.yield(.searching(accuracyM: window.best?.accuracyM))
        if enough { close() }
    }

    /// Denied or switched off: said at once, and the window ends.
    func pass(_ e: LocationEvent) {
        guard !closed else { return }
        out.yield(e)
        closed = true
        out.finish()
    }

    func close() {
        guard !closed else { return }
        closed = true
        let kept = window.kept()
        if kept.isEmpty { out.yield(.noFix) }
        for f in kept { out.yield(.fix(f)) }
        out.finish()
    }
}
